"""Writing outputs so that each is either complete or not there at all, and a
command's outputs (workbook, JSON, reports) change together or not at all.

Every writer goes through `replacing(path)`: it writes a temporary file beside the
target and renames it into place on success. Inside `with OutputSet():` the renames
wait until the whole set has been written, so a full disk while writing the JSON
leaves the previous workbook as it was, not a new workbook beside an old JSON.

Files are created with the user's umask (as `open()` would), not mkstemp's 0600,
so colleagues on a shared folder can open the summary.
"""
from __future__ import annotations

import contextvars
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

from .errors import NO_SPACE, NoSpaceError, OutputError, os_reason

__all__ = ["OutputError", "OutputSet", "replacing"]

_ACTIVE: contextvars.ContextVar[OutputSet | None] = contextvars.ContextVar("output_set", default=None)


def _umask() -> int:
    """The process's umask (read, not cached: it is asked once per output)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)   # reading it means setting it: put it straight back
        os.umask(mask)
        return mask


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets what the umask allows."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _failure(path: Path, e: OSError) -> OutputError:
    if e.errno in NO_SPACE:
        return NoSpaceError(f"无法写入 {path}：{os_reason(e)}。请清理磁盘或换一个输出位置后重试，原有文件未改动")
    if isinstance(e, PermissionError) and os.path.exists(path) and not os.path.isdir(path):
        return OutputError(f"无法写入 {path}：文件可能正在 Excel/WPS 中打开或被锁定，请关闭后重试")
    return OutputError(f"无法写入 {path}：{os_reason(e)}")


def _ours(e: OSError, folder: Path) -> bool:
    """Whether an error while writing happened in the output's folder (and not, say,
    in the temporary folder a writer also uses)."""
    name = e.filename if isinstance(e.filename, (str, bytes, os.PathLike)) else None
    if name is None:
        return True
    return os.path.dirname(os.path.abspath(os.fsdecode(name))) == os.path.abspath(folder)


class OutputSet:
    """The outputs of one command, renamed into place together.

    `replacing()` inside `with OutputSet():` leaves its finished temporary file for the
    set; on leaving the block without an error every file is renamed into place (a
    rename that fails puts back the files already replaced). On an error no output
    is touched and the temporary files are removed.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []   # (temporary file, target)
        self._token: contextvars.Token[OutputSet | None] | None = None

    def claim(self, path: Path) -> None:
        """One path per output: two writers aiming at one file would lose the first."""
        target = os.path.abspath(path)
        if any(os.path.abspath(p) == target for _, p in self._pending):
            raise OutputError(f"两个输出指向同一个文件 {path}；请为每种输出指定不同的文件名")

    def add(self, tmp: Path, path: Path) -> None:
        self.claim(path)
        self._pending.append((tmp, path))

    def __enter__(self) -> Self:
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._token is not None:
            _ACTIVE.reset(self._token)
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def discard(self) -> None:
        for tmp, _ in self._pending:
            _remove(tmp)
        self._pending.clear()

    def commit(self) -> None:
        done: list[tuple[Path, Path | None]] = []   # (target, backup of the previous file)
        try:
            for tmp, path in self._pending:
                backup = _keep_previous(path)
                try:
                    os.replace(tmp, path)
                except OSError as e:
                    if backup is not None:
                        _remove(backup)   # this target was not touched
                    raise _failure(path, e) from None
                done.append((path, backup))
        except BaseException:
            for path, backup in reversed(done):
                try:
                    if backup is not None:
                        os.replace(backup, path)
                    else:
                        _remove(path)
                except OSError:
                    pass   # the previous file stays in its .selfeval-previous-… copy
            self.discard()
            raise
        for _, backup in done:
            if backup is not None:
                _remove(backup)
        self._pending.clear()


def _keep_previous(path: Path) -> Path | None:
    """A hard link to the file about to be replaced, to put it back if the set fails."""
    if not os.path.isfile(path):
        return None
    backup = path.with_name(f".selfeval-previous-{os.getpid()}-{path.name}")
    try:
        _remove(backup)
        os.link(path, backup)
        return backup
    except OSError:
        return None   # a file system without hard links: this one file cannot be put back


_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Delays Ctrl-C, SIGTERM and SIGHUP (the command line turns them into exceptions) while
    a temporary output is created and its cleanup set up, so none can land in between."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _remove(path: str | Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yields a temporary path beside `path`; the caller writes the whole file there.

    On success it is renamed into place (inside an OutputSet: when the whole set is
    done). An interrupted or failed write leaves the previous file as it was and no
    half-written file behind.
    """
    path = Path(path)
    active = _ACTIVE.get()
    if active is not None:
        active.claim(path)
    tmp: Path | None = None
    handed_over = False
    try:
        # Signals are held until `tmp` is set: one landing between creating the file and
        # this function owning it would leave it behind. Held ones arrive on release,
        # inside the try, so the finally below removes the file.
        with _signals_held():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=".selfeval-", suffix=path.suffix, dir=path.parent)
                os.close(fd)
                tmp = Path(name)
            except OSError as e:
                if e.errno in NO_SPACE:
                    raise NoSpaceError(f"无法在 {path.parent} 写入：{os_reason(e)}。请清理磁盘或换一个输出位置后重试") from None
                if isinstance(e, FileExistsError):
                    raise OutputError(f"无法在 {path.parent} 写入：它是一个文件，不是目录") from None
                raise OutputError(f"无法在 {path.parent} 写入：{os_reason(e)}") from None
        try:
            yield tmp
            os.chmod(tmp, _mode_for(path))
            if active is not None:
                active.add(tmp, path)
                handed_over = True
            else:
                os.replace(tmp, path)
        except OSError as e:
            if not _ours(e, path.parent):
                raise   # the temporary folder's trouble, not the output's: the command line says so
            raise _failure(path, e) from None
    finally:
        if tmp is not None and not handed_over:
            _remove(tmp)
