"""Where the reading workers come from, kept apart so that starting it costs no imports.

The command line starts it first thing (`warm_up`): the process the workers fork from
boots (a fresh interpreter importing the reader) while the command is still loading
its own libraries and listing the files.
"""
from __future__ import annotations

import multiprocessing as mp
from multiprocessing import forkserver

_CONTEXT = None


def context():
    """forkserver: workers fork from a small clean process, not from a parent that has
    grown with the results, so their memory cap measures only their own work."""
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = mp.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["selfeval_xlsx.pool"])   # the reader and the worker loop
    return _CONTEXT


def warm_up() -> None:
    """Starts the process the workers fork from, without waiting for it."""
    context()
    try:
        forkserver.ensure_running()
    except OSError:
        pass  # the first worker will try again and report what is wrong
