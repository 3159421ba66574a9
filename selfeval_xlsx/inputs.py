"""Which files under a district's folder are submissions to read, and why the others are not.

Listing is where the run meets whatever the folder holds, so nothing here opens a
file that could hang or cost minutes: named pipes, sockets and devices are skipped
from their stat() alone, a file's size is judged from stat() before anything reads
it (a sparse file can claim 60 GB), and the walk is iterative and stops at the
system's path limit (a tree thousands of folders deep). Symbolic links that leave
the folder are not followed unless asked (`follow_links`).

A file is read when its name or its first bytes say workbook (`X`, `X.xlsx(1)`,
`X.xlsx ` from a mail client or a browser, `X.bak` are workbooks too: a backup beside
its original is then a duplicate submission, which the batch names); our own summary
workbooks, found by the `selfeval-xlsx` custom document property, and anything in
the default output folder are skipped with a note, so a second run in the same
folder does not summarise the first one's output.
"""
from __future__ import annotations

import contextvars
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .container import LIMITS, Limits
from .errors import BatchError, OutputError, os_reason
from .schema import MARKER
from .workbook import FAILED, SKIPPED, WORKBOOK_SUFFIXES, FileEntry

JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}
SUMMARY_REASON = "本工具生成的汇总工作簿，不是自评表，未读取"
# Attributes in any order and a namespace declared on the value: a workbook saved again
# by openpyxl (a reviewer's filled 复核底稿) writes `name` first and `<vt:lpwstr xmlns:vt=…>`.
_MARKER = re.compile(rb'<property\b[^>]*\bname="%s"[^>]*>\s*<vt:lpwstr\b[^>]*>\s*%s\s*</vt:lpwstr>'
                     % tuple(re.escape(x.encode()) for x in MARKER))
_CUSTOM_PART = "docProps/custom.xml"
_TAIL = 16384                       # a small workbook's whole central directory
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_STREAMS = tuple(name.encode("utf-16-le") for name in ("Workbook", "Book", "EncryptedPackage"))

try:
    PATH_LIMIT = os.pathconf("/", "PC_PATH_MAX")
except (OSError, ValueError, AttributeError):
    PATH_LIMIT = 4096


def _skip_reason(path: Path) -> str | None:
    """Why a file is skipped judging by its name alone (None: look at it)."""
    return _name_reason(path.name)


def _name_reason(name: str) -> str | None:
    if name.startswith(("~$", ".~lock.")):
        return "Office 临时锁定文件（文件正在被打开时自动生成）"
    if name.lower() in JUNK_NAMES or name.startswith("._"):
        return "系统生成的文件"
    return None


def display_name(path: Path, root: Path) -> str:
    """The path as text we can write anywhere (see _printable)."""
    return _printable(path.relative_to(root).as_posix())


def shown(path: str | bytes | os.PathLike[str]) -> str:
    """Any path as printable text (a folder's own name may not be UTF-8 either)."""
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class Listing:
    root: Path
    found: list[tuple[Path, str]] = field(default_factory=list)   # (path, display name)
    skipped: list[FileEntry] = field(default_factory=list)

    def skip(self, display: str, reason: str, status: str = SKIPPED, size: int = 0) -> None:
        self.skipped.append(FileEntry(display, size=size, status=status, reason=reason))

    def require_workbooks(self) -> None:
        """Nothing to read is the user's mistake, not an empty summary: say what was there."""
        if self.found:
            return
        reasons: dict[str, int] = {}
        for entry in self.skipped:
            reasons[entry.reason] = reasons.get(entry.reason, 0) + 1
        why = "；".join(f"{n} 个{reason}" for reason, n in sorted(reasons.items(), key=lambda r: -r[1])[:5])
        raise BatchError(f"目录 {shown(self.root)} 中没有可读取的电子表格（.xlsx .xlsm .xls .xlsb .ods .et），"
                         f"未写出任何文件" + (f"。跳过的文件：{why}" if why else "（目录为空）"))

    def refuse_overwriting(self, outputs: dict[str, str | os.PathLike[str] | None]) -> None:
        """One path per output ({what it is: path}), and no output on top of a file to be
        read (also through a hard link); raises OutputError."""
        given = [(what, p) for what, p in outputs.items() if p]
        for i, (what, p) in enumerate(given):
            for other, q in given[:i]:
                if _same_file(p, q):
                    raise OutputError(f"{other}和{what}指向同一个文件 {p}；请为每种输出指定不同的文件名")
            try:
                st = os.stat(p)
            except OSError:
                continue   # not there yet, so not an input
            real, real_root = os.path.realpath(p), os.path.realpath(self.root)
            if st.st_nlink == 1 and not _inside(real, real_root):
                continue   # outside the folder and no other name: cannot be an input
            for path, display in self.found:
                if _same_file(p, path):
                    raise OutputError(f"{what} {p} 是输入目录中待汇总的文件“{display}”；写出会覆盖报送的自评表，"
                                      f"请换一个输出位置")


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_root(root: Path) -> None:
    """The folder to read must be a folder; a file gets a pointer to `check`."""
    try:
        st = os.stat(root)
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            raise BatchError(f"找不到目录：{shown(root)}") from None
        raise BatchError(f"无法打开目录 {shown(root)}：{os_reason(e)}") from None
    if stat.S_ISREG(st.st_mode):
        raise BatchError(f"“{shown(root)}”是一个文件，不是目录。汇总需要一个存放各单位自评表的目录；"
                         f"要审核单个自评表，请用：selfeval check {shown(root)}")
    if not stat.S_ISDIR(st.st_mode):
        raise BatchError(f"“{shown(root)}”不是目录")


def scan(root: str | Path, follow_links: bool = False, limits: Limits = LIMITS,
         exclude: tuple[Path, ...] = ()) -> Listing:
    """Every file under `root`, sorted as a walk would meet them (a folder's files,
    then its subfolders), each either to read or skipped with a reason.

    `exclude`: folders whose files are our outputs (the default output folder)."""
    root = Path(root)
    check_root(root)
    listing = Listing(root)
    real_root = os.path.realpath(root)
    excluded = {os.path.realpath(p) for p in exclude}
    visited = {_identity(root)}
    stack = [(str(root), "")]   # (folder, its path relative to root, as shown)
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            listing.skip(rel.rstrip("/") or ".", f"无法读取目录：{os_reason(e)}")
            continue
        subfolders = []
        for entry in entries:
            display = _printable(rel + entry.name)
            if _one(entry, display, listing, real_root, follow_links, limits, excluded, visited):
                subfolders.append((entry.path, display + "/"))
        stack.extend(reversed(subfolders))
    return listing


def _printable(text: str) -> str:
    """A name as text we can write anywhere: bytes that are not UTF-8 become \\xff escapes.
    Not �: two names differing only in such bytes would then be one name, and a file's
    display name is what tells its rows from another's."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _one(entry: os.DirEntry[str], display: str, listing: Listing, real_root: str, follow_links: bool,
         limits: Limits, excluded: set[str], visited: set[tuple[int, int] | None]) -> bool:
    """Sorts one directory entry; True when it is a folder to walk into."""
    if len(entry.path) * 4 >= PATH_LIMIT and len(os.fsencode(entry.path)) >= PATH_LIMIT:
        listing.skip(display, f"路径长度超过系统上限（{PATH_LIMIT} 字节），无法读取；请把文件移到层级较浅的目录")
        return False
    reason = _name_reason(entry.name)
    if reason:
        listing.skip(display, reason)
        return False
    link = entry.is_symlink()
    if link:
        real = os.path.realpath(entry.path)
        if not follow_links and not _inside(real, real_root):
            listing.skip(display, "符号链接，指向输入目录之外，未读取（确需读取请加 --follow-links）")
            return False
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as e:
        if link and isinstance(e, FileNotFoundError):
            listing.skip(display, "符号链接指向的文件不存在")
        else:
            listing.skip(display, f"无法读取：{os_reason(e)}")
        return False
    if stat.S_ISDIR(st.st_mode):
        if link and not follow_links:
            listing.skip(display, "指向目录的符号链接，未进入（确需读取请加 --follow-links）")
            return False
        if os.path.realpath(entry.path) in excluded:
            listing.skip(display + "/", "本工具的默认输出目录，其中的文件不作为自评表读取")
            return False
        if (st.st_dev, st.st_ino) in visited:
            listing.skip(display, "符号链接指回已读取的目录（循环），未再进入")
            return False
        visited.add((st.st_dev, st.st_ino))
        return True
    if not stat.S_ISREG(st.st_mode):
        listing.skip(display, _special(st.st_mode))
        return False
    if st.st_size > limits.file_bytes:
        # Judged from the size the file system reports: nothing is read, so a sparse file
        # claiming 60 GB costs no more than a small one.
        listing.skip(display, f"文件大小 {_size(st.st_size)}，超过上限 {_size(limits.file_bytes)}，未读取",
                     status=FAILED, size=st.st_size)
        return False
    reason = _content_reason(entry.path, entry.name, st.st_size)
    if reason:
        listing.skip(display, reason)
    else:
        listing.found.append((Path(entry.path), display))
    return False


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO），不是文件，未读取"
    if stat.S_ISSOCK(mode):
        return "套接字，不是文件，未读取"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件，不是普通文件，未读取"
    return "不是普通文件，未读取"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} 字节"


def _content_reason(path: str, name: str, size: int) -> str | None:
    """None to read the file; otherwise why not. Named as a workbook: read unless it is
    our own summary. Named otherwise: read when its first bytes are a workbook's."""
    named = os.path.splitext(name)[1].lower() in WORKBOOK_SUFFIXES
    try:
        # Non-blocking: had the file been swapped for a pipe since stat(), open() would
        # wait for a writer forever. Plain reads at offsets: this runs for every file.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            head = os.pread(fd, 8, 0)
            if named:   # only a zip can be our summary; anything else the reader judges
                kind = _zip_kind(fd, size) if head[:4] == _ZIP else "workbook"
            else:
                kind = _kind(fd, head, size)
        finally:
            os.close(fd)
    except OSError as e:
        return None if named else f"无法读取：{os_reason(e)}"   # named ones: the reader says why
    if kind == "summary":
        return SUMMARY_REASON
    if named:
        return None
    if not kind:
        return "不是电子表格文件"
    if kind == "damaged":
        return "压缩包已损坏，无法判断是否为电子表格，未读取"
    return None


def _kind(fd: int, head: bytes, size: int) -> str:
    """'summary' (ours), 'workbook', 'damaged' (a zip that does not open), or ''."""
    if head[:4] == _ZIP:
        return _zip_kind(fd, size)
    if head == _OLE2:
        # An OLE2 file is a legacy workbook, a password-protected xlsx, or a Word/other
        # document; its directory names its streams in UTF-16. Sizes are capped above.
        data = os.pread(fd, size, 0)
        return "workbook" if any(name in data for name in _EXCEL_STREAMS) else ""
    return ""


def _zip_kind(fd: int, size: int) -> str:
    names = _central_directory(fd, size)
    if names is None:
        try:
            with os.fdopen(os.dup(fd), "rb") as fh, zipfile.ZipFile(fh) as z:
                names = "\n".join(z.namelist()).encode("utf-8", "replace")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "damaged"   # named as a workbook, the reader says what is wrong with it
    if _CUSTOM_PART.encode() in names and _has_marker(fd):
        return "summary"
    if b"xl/workbook.xml" in names or b"xl/workbook.bin" in names or b"mimetype" in names:
        return "workbook"
    return ""


def _central_directory(fd: int, size: int) -> bytes | None:
    """The zip's central directory (where every part is named), read from the file's
    last bytes; None when it does not fit there (then zipfile reads it)."""
    start = max(0, size - _TAIL)
    tail = os.pread(fd, size - start, start)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return None
    cd_size = int.from_bytes(tail[end + 12:end + 16], "little")
    cd_offset = int.from_bytes(tail[end + 16:end + 20], "little")
    if cd_offset < start or cd_offset + cd_size > size:
        return None
    return tail[cd_offset - start:cd_offset - start + cd_size]


def _has_marker(fd: int) -> bool:
    try:
        with os.fdopen(os.dup(fd), "rb") as fh, zipfile.ZipFile(fh) as z:
            info = z.getinfo(_CUSTOM_PART)
            if info.file_size > 65536:
                return False
            return bool(_MARKER.search(z.read(info)))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return False


def is_summary(path: str | Path) -> bool:
    """Whether a file is a summary workbook we wrote (by its custom document property)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return os.pread(fd, 4, 0) == _ZIP and _zip_kind(fd, os.fstat(fd).st_size) == "summary"
        finally:
            os.close(fd)
    except OSError:
        return False


# The listing a command made before the batch starts (it looks at the inputs first: an
# empty folder, an output that is an input), handed to run_batch's list_inputs(root).
_PLANNED: contextvars.ContextVar[Listing | None] = contextvars.ContextVar("planned_listing", default=None)


@contextmanager
def planned(listing: Listing) -> Iterator[Listing]:
    """Makes `list_inputs(listing.root)` return this listing instead of walking again."""
    token = _PLANNED.set(listing)
    try:
        yield listing
    finally:
        _PLANNED.reset(token)


def list_inputs(root: Path) -> tuple[list[tuple[Path, str]], list[FileEntry]]:
    """Workbooks to read as (path, display name), and what was skipped with why."""
    plan = _PLANNED.get()
    if plan is not None and os.fspath(plan.root) == os.fspath(root):
        return list(plan.found), list(plan.skipped)
    listing = scan(root)
    return listing.found, listing.skipped


def check_file(path: str | Path, limits: Limits = LIMITS) -> str | None:
    """A file named on the command line (`check`, a roster): raises BatchError when it
    is not a regular file; returns why it is refused unread (too big), or None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BatchError(f"找不到文件：{shown(path)}") from None
    except OSError as e:
        raise BatchError(f"无法打开 {shown(path)}：{os_reason(e)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise BatchError(f"“{shown(path)}”是一个目录，不是文件；要汇总整个目录，请用：selfeval run {shown(path)}")
    if not stat.S_ISREG(st.st_mode):
        raise BatchError(f"“{shown(path)}”：{_special(st.st_mode)}")
    if st.st_size > limits.file_bytes:
        return f"文件大小 {_size(st.st_size)}，超过上限 {_size(limits.file_bytes)}，未读取"
    return None
