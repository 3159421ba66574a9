"""Where the reading workers come from, kept apart so that starting it costs no imports.

The command line starts it first thing (`warm_up`): the process the workers fork from
boots (a fresh interpreter importing the reader) while the command is still loading
its own libraries and listing the files.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import sys
import types
from collections.abc import Iterator
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext

_CONTEXT: ForkServerContext | None = None


def context() -> ForkServerContext:
    """forkserver: workers fork from a small clean process, not from a parent that has
    grown with the results, so their memory cap measures only their own work."""
    global _CONTEXT  # noqa: PLW0603 - made once, on first use, so that importing costs nothing
    if _CONTEXT is None:
        _CONTEXT = mp.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["selfeval_xlsx.pool"])   # the reader and the worker loop
    return _CONTEXT


@contextlib.contextmanager
def main_hidden() -> Iterator[None]:
    """While the fork server and the workers start, the calling program's main module
    is not named to them: multiprocessing would otherwise run the caller's script
    again in each (as `__mp_main__`), and a plain script that calls evaluate() without
    an `if __name__ == "__main__":` guard would start workers from its workers. The
    workers need nothing of it: their code and arguments all come from this package."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def warm_up() -> None:
    """Starts the process the workers fork from, without waiting for it."""
    context()
    try:
        with main_hidden():
            forkserver.ensure_running()
    except OSError:
        pass  # the first worker will try again and report what is wrong
