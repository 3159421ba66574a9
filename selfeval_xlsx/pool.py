"""Reading files in worker processes that no single file can take down.

python-calamine aborts the whole process on some files (a value at XFD1048576 makes
it try to allocate ~550 GB), and a zip bomb can eat a gigabyte. So every file is
read in a worker process with a cap on its address space and a time limit. A worker
that dies or overruns turns its file into a finding and is replaced; the run goes on.
Each worker sends back one record (`rows.FileRows`) as its file finishes.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import BinaryIO

from .container import LIMITS, Limits
from .context import NONE, Context
from .errors import NO_SPACE, PoolError
from .findings import codes, make
from .procs import context, main_hidden
from .rows import FileRows, to_rows
from .rules import Rules
from .sheetxml import display_width
from .workbook import FAILED, FileEntry, WorkbookResult, digest, process_file

READY = "ready"
FULL = "spool disk full"   # a worker's reply: (FULL, errno, file name)
DEPTH = 2  # files in flight per worker

# Built on import, so in the forkserver once: every worker inherits it (each would
# otherwise spend 30 ms building it for its first finding's row height).
display_width("")

# A file to read: (its path, its name as shown).
Task = tuple[str | os.PathLike[str], str]


def _worker(conn: Connection, rules: Rules, limits: Limits, debug: bool, spool_dir: str,
            context: Context = NONE, stats: bool = True) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    if not debug:
        # A native library dying prints its own backtrace; the finding says it instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    # What the worker holds by now (modules, tables) never needs collecting, and reading
    # a file makes few reference cycles: at the default threshold the collector ran
    # hundreds of times per 300 files, about 2 % of a worker's time.
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    # Unbuffered: each file's rows reach the disk before the parent hears of them.
    with open(os.path.join(spool_dir, f"rows-{os.getpid()}.bin"), "ab", buffering=0) as sink:
        conn.send(READY)
        while True:
            task = conn.recv()
            if task is None:
                return
            path, display = task
            try:
                rows = read_one(path, display, rules, limits, sink, context)
            except OSError as e:
                if e.errno not in NO_SPACE:
                    raise
                # The spool's disk is full: no file can be read, so the run must stop (and
                # say why), not count this file as one the reader died on.
                conn.send((FULL, e.errno, str(e.filename or sink.name)))
                return
            if not stats:
                # A batch keeps no project stats (FileRows.head): not sending them saves
                # pickling here and a third of the unpickling in the parent.
                rows.projects = []
            conn.send(rows)


def read_one(path: str | os.PathLike[str], display: str, rules: Rules, limits: Limits,
             sink: BinaryIO, context: Context = NONE) -> FileRows:
    """Reads one file and stores its rows in `sink`: the same in a worker and in process."""
    return to_rows(process_file(path, display, rules, limits), rules.suspicious_score, context).store(sink)


def read_in_process(tasks: Iterable[Task], rules: Rules, spool_dir: str | os.PathLike[str],
                    limits: Limits = LIMITS, context: Context = NONE) -> Iterator[FileRows]:
    """read_contained without the containment: every file read in this process, in
    order. For notebooks and tests (evaluate(isolate=False)): a file that crashes the
    reader takes the caller with it."""
    with open(os.path.join(spool_dir, f"rows-{os.getpid()}-inline.bin"), "ab", buffering=0) as sink:
        for path, display in tasks:
            yield read_one(path, display, rules, limits, sink, context)


def _lost(path: str | os.PathLike[str], display: str, code: str, reason: str) -> FileRows:
    entry = FileEntry(display, status=FAILED, reason=reason)
    try:
        with open(path, "rb") as fh:
            entry.size, entry.sha256 = digest(fh)
    except OSError:
        pass  # gone or unreadable: the finding stands, without a size or hash
    return to_rows(WorkbookResult(entry, findings=[make(code, reason, file=display)])).store()


class _Slot:
    def __init__(self, rules: Rules, limits: Limits, debug: bool, spool_dir: str, reference: Context = NONE,
                 stats: bool = True):
        ctx = context()
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, rules, limits, debug, spool_dir, reference, stats),
                                daemon=True)
        with main_hidden():
            self.proc.start()
        child.close()
        self.tasks: deque[Task] = deque()   # sent and not yet answered; the first is being read
        self.started = 0.0
        # A worker that cannot even start is our environment's fault, not a file's.
        try:
            ready = self.conn.recv() if self.conn.poll(60) else None
        except (EOFError, OSError):
            ready = None
        if ready != READY:
            self.stop(kill=True)
            raise PoolError("无法启动读取文件的工作进程；请加 --debug 重新运行查看原因")

    def give(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        # If the worker is gone, its sentinel reports it and the file gets a finding.
        with contextlib.suppress(OSError):
            self.conn.send(task)

    def finished(self) -> None:
        self.tasks.popleft()
        self.started = time.monotonic()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return f"读取进程被终止（{name}），通常是文件内容使程序内存耗尽"
    return f"读取进程意外退出（退出码 {exitcode}）"


def read_contained(tasks: Iterable[Task], rules: Rules, spool_dir: str | os.PathLike[str],
                   jobs: int = 0, limits: Limits = LIMITS, debug: bool = False,
                   reference: Context = NONE, stats: bool = True) -> Iterator[FileRows]:
    """Processes (path, display name) pairs in contained workers; yields as they finish.

    The workers write the files' rows under `spool_dir` (rows.FileTables.store).
    `stats=False`: the records come without their project stats (FileRows.projects).

    Each worker has DEPTH files in flight, so it never idles while the parent stores
    a result. When a worker dies, the file it was reading gets the finding and the
    files queued behind it go back to the queue.
    """
    pending = deque(tasks)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
    slots: list[_Slot] = []
    try:
        new = functools.partial(_Slot, rules, limits, debug, str(spool_dir), reference, stats)
        slots = [new() for _ in range(jobs)] if pending else []
        while pending or any(s.tasks for s in slots):
            for i, slot in enumerate(slots):
                if not slot.tasks and not slot.proc.is_alive():
                    slots[i] = slot = _replace(slot, new)
                while pending and len(slot.tasks) < DEPTH:
                    slot.give(pending.popleft())
            busy = [s for s in slots if s.tasks]
            deadline = min(s.started for s in busy) + limits.seconds
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy],
                         timeout=max(0.0, deadline - time.monotonic()))
            for slot in busy:
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if type(result) is tuple and result[0] == FULL:
                        raise OSError(result[1], os.strerror(result[1]), result[2])
                    if result is not None:
                        slot.finished()
                        yield result
                        continue
                if slot.conn in ready or slot.proc.sentinel in ready:
                    slot.proc.join(timeout=5)
                    yield _give_up(slot, slots, pending, new, codes.F113, _death_reason(slot.proc.exitcode))
                elif time.monotonic() - slot.started > limits.seconds:
                    yield _give_up(slot, slots, pending, new, codes.F114,
                                   f"读取超过 {limits.seconds:.0f} 秒仍未完成", kill=True)
    finally:
        for slot in slots:
            slot.stop(kill=bool(slot.tasks))


def _give_up(slot: _Slot, slots: list[_Slot], pending: deque[Task], new: Callable[[], _Slot], code: str, reason: str,
             kill: bool = False) -> FileRows:
    """The file the worker was reading becomes a finding; the worker is replaced."""
    head = slot.tasks.popleft()
    pending.extendleft(reversed(slot.tasks))
    slot.tasks.clear()
    slots[slots.index(slot)] = _replace(slot, new, kill=kill)
    path, display = head
    return _lost(path, display, code, reason)


def _replace(slot: _Slot, new: Callable[[], _Slot], kill: bool = False) -> _Slot:
    slot.stop(kill=kill)
    return new()
