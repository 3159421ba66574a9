"""Which files under a district's folder are submissions to read, and why the others are not.

Listing is where the run meets whatever the folder holds, so nothing here opens a
file that could hang or cost minutes: named pipes, sockets and devices are skipped
from their stat() alone, a file's size is judged from stat() before anything reads
it (a sparse file can claim 60 GB), and the walk is iterative and stops at the
system's path limit (a tree thousands of folders deep). Symbolic links that leave
the folder are not followed unless asked (`follow_links`).

A file is read when its name or its first bytes say workbook (`X`, `X.xlsx(1)`,
`X.xlsx ` from a mail client or a browser are workbooks too); our own summary
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .container import LIMITS, Limits
from .errors import BatchError, os_reason
from .workbook import FAILED, SKIPPED, WORKBOOK_SUFFIXES, FileEntry

JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}
# Copies an editor or a person keeps beside the real file: reading them would count a
# unit twice (and the duplicate rule might pick the older copy).
BACKUP_SUFFIXES = (".bak", ".old", ".orig", ".tmp", ".backup", "~")
MARKER_NAME = "selfeval-xlsx"       # custom document property every summary we write carries
MARKER_VALUE = "summary"
SUMMARY_REASON = "本工具生成的汇总工作簿，不是自评表，未读取"
_MARKER = re.compile(rb'name="selfeval-xlsx"\s*>\s*<vt:lpwstr>\s*summary\s*</vt:lpwstr>')
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
    name = path.name
    if name.startswith(("~$", ".~lock.")):
        return "Office 临时锁定文件（文件正在被打开时自动生成）"
    if name.lower() in JUNK_NAMES or name.startswith("._"):
        return "系统生成的文件"
    return None


def display_name(path: Path, root: Path) -> str:
    """The path as text we can write anywhere: bytes that are not UTF-8 become �."""
    rel = path.relative_to(root).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shown(path) -> str:
    """Any path as printable text (a folder's own name may not be UTF-8 either)."""
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class Listing:
    root: Path
    found: list[tuple[Path, str]] = field(default_factory=list)   # (path, display name)
    skipped: list[FileEntry] = field(default_factory=list)

    def skip(self, display: str, reason: str, status: str = SKIPPED, size: int = 0) -> None:
        self.skipped.append(FileEntry(display, size=size, status=status, reason=reason))


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
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            where = "." if folder == str(root) else display_name(Path(folder), root)
            listing.skip(where, f"无法读取目录：{os_reason(e)}")
            continue
        subfolders = []
        for entry in entries:
            folder_to_enter = _one(entry, listing, root, real_root, follow_links, limits, excluded, visited)
            if folder_to_enter:
                subfolders.append(folder_to_enter)
        stack.extend(reversed(subfolders))
    return listing


def _identity(path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _one(entry: os.DirEntry, listing: Listing, root: Path, real_root: str, follow_links: bool,
         limits: Limits, excluded: set[str], visited: set) -> str | None:
    """Sorts one directory entry; returns it when it is a folder to walk into."""
    path = Path(entry.path)
    display = display_name(path, root)
    if len(os.fsencode(entry.path)) >= PATH_LIMIT:
        listing.skip(display, f"路径长度超过系统上限（{PATH_LIMIT} 字节），无法读取；请把文件移到层级较浅的目录")
        return None
    reason = _skip_reason(path)
    if reason:
        listing.skip(display, reason)
        return None
    link = entry.is_symlink()
    if link:
        real = os.path.realpath(entry.path)
        if not follow_links and not _inside(real, real_root):
            listing.skip(display, "符号链接，指向输入目录之外，未读取（确需读取请加 --follow-links）")
            return None
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as e:
        if link and isinstance(e, FileNotFoundError):
            listing.skip(display, "符号链接指向的文件不存在")
        else:
            listing.skip(display, f"无法读取：{os_reason(e)}")
        return None
    if stat.S_ISDIR(st.st_mode):
        if link and not follow_links:
            listing.skip(display, "指向目录的符号链接，未进入（确需读取请加 --follow-links）")
            return None
        if os.path.realpath(entry.path) in excluded:
            listing.skip(display + "/", "本工具的默认输出目录，其中的文件不作为自评表读取")
            return None
        if (st.st_dev, st.st_ino) in visited:
            listing.skip(display, "符号链接指回已读取的目录（循环），未再进入")
            return None
        visited.add((st.st_dev, st.st_ino))
        return entry.path
    if not stat.S_ISREG(st.st_mode):
        listing.skip(display, _special(st.st_mode))
        return None
    if st.st_size > limits.file_bytes:
        # Judged from the size the file system reports: nothing is read, so a sparse file
        # claiming 60 GB costs no more than a small one.
        listing.skip(display, f"文件大小 {_size(st.st_size)}，超过上限 {_size(limits.file_bytes)}，未读取",
                     status=FAILED, size=st.st_size)
        return None
    reason = _content_reason(path, st.st_size)
    if reason:
        listing.skip(display, reason)
    else:
        listing.found.append((path, display))
    return None


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


def _content_reason(path: Path, size: int) -> str | None:
    """None to read the file; otherwise why not. Named as a workbook: read unless it is
    our own summary. Named otherwise: read when its first bytes are a workbook's."""
    named = path.suffix.lower() in WORKBOOK_SUFFIXES
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if named:   # only a zip can be our summary; anything else the reader judges
                kind = _zip_kind(fh, size) if head[:4] == _ZIP else "workbook"
            else:
                kind = _kind(fh, head, size)
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
    lower = path.name.lower()
    backup = next((s for s in BACKUP_SUFFIXES if lower.endswith(s)), None)
    if backup:
        return f"内容是电子表格，但文件名像备份文件（{backup}），未读取；如需汇总，请改名为 .xlsx 后重新运行"
    return None


def _kind(fh, head: bytes, size: int) -> str:
    """'summary' (ours), 'workbook', 'damaged' (a zip that does not open), or ''."""
    if head[:4] == _ZIP:
        return _zip_kind(fh, size)
    if head == _OLE2:
        # An OLE2 file is a legacy workbook, a password-protected xlsx, or a Word/other
        # document; its directory names its streams in UTF-16. Sizes are capped above.
        fh.seek(0)
        data = fh.read()
        return "workbook" if any(name in data for name in _EXCEL_STREAMS) else ""
    return ""


def _zip_kind(fh, size: int) -> str:
    names = _central_names(fh, size)
    if names is None:
        try:
            with zipfile.ZipFile(fh) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "damaged"   # named as a workbook, the reader says what is wrong with it
    if _CUSTOM_PART in names and _has_marker(fh):
        return "summary"
    if names & {"xl/workbook.xml", "xl/workbook.bin"} or "mimetype" in names:
        return "workbook"
    return ""


def _central_names(fh, size: int) -> set[str] | None:
    """Part names from the zip's central directory, read from the file's last bytes
    (None when the directory does not fit there: zipfile reads it instead)."""
    start = max(0, size - _TAIL)
    fh.seek(start)
    tail = fh.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return None
    cd_size = int.from_bytes(tail[end + 12:end + 16], "little")
    cd_offset = int.from_bytes(tail[end + 16:end + 20], "little")
    if cd_offset < start or cd_offset + cd_size > size:
        return None
    names, pos, cd = set(), cd_offset - start, tail
    stop = pos + cd_size
    while pos + 46 <= stop and cd[pos:pos + 4] == b"PK\x01\x02":
        name_len = int.from_bytes(cd[pos + 28:pos + 30], "little")
        extra_len = int.from_bytes(cd[pos + 30:pos + 32], "little")
        comment_len = int.from_bytes(cd[pos + 32:pos + 34], "little")
        names.add(cd[pos + 46:pos + 46 + name_len].decode("utf-8", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    return names


def _has_marker(fh) -> bool:
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as z:
            info = z.getinfo(_CUSTOM_PART)
            if info.file_size > 65536:
                return False
            return bool(_MARKER.search(z.read(info)))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return False


def is_summary(path: str | Path) -> bool:
    """Whether a file is a summary workbook we wrote (by its custom document property)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == _ZIP and _zip_kind(fh, os.fstat(fh.fileno()).st_size) == "summary"
    except OSError:
        return False


# The listing a command made before the batch starts (it looks at the inputs first: an
# empty folder, an output that is an input), handed to run_batch's list_inputs(root).
_PLANNED: contextvars.ContextVar[Listing | None] = contextvars.ContextVar("planned_listing", default=None)


@contextmanager
def planned(listing: Listing):
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
