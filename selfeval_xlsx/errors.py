"""Errors that stop a command before it can do its work (not findings: those are data).

Here rather than beside the code that raises them, so that the command line can
catch them without loading that code first.
"""
from __future__ import annotations

import errno as _errno
from typing import ClassVar


class BatchError(Exception):
    """The batch cannot start (the folder is missing, not a folder, empty, …)."""


class PoolError(Exception):
    """The reading workers cannot be started at all."""


class RosterError(Exception):
    """The roster cannot be read; the message says what to fix."""


class OutputError(Exception):
    """An output cannot be written where asked; the message says why and what to do."""


class NoSpaceError(OutputError):
    """A disk (the output's or the temporary folder's) is full."""


NO_SPACE = {_errno.ENOSPC, _errno.EDQUOT, _errno.EFBIG}

# What the operating system said, in Chinese: its own strerror is English whatever the locale.
_REASONS = {
    _errno.ENOENT: "文件或目录不存在",
    _errno.EACCES: "没有访问权限",
    _errno.EPERM: "操作不被允许（权限不足）",
    _errno.ENOSPC: "磁盘空间已满",
    _errno.EDQUOT: "超出磁盘配额",
    _errno.EFBIG: "文件超出系统允许的大小",
    _errno.EROFS: "所在磁盘为只读",
    _errno.EISDIR: "这是一个目录，不是文件",
    _errno.ENOTDIR: "路径中的某一级不是目录",
    _errno.ENAMETOOLONG: "路径或文件名过长",
    _errno.ELOOP: "符号链接层数过多（可能互相循环）",
    _errno.EMFILE: "同时打开的文件过多",
    _errno.ENFILE: "系统打开的文件过多",
    _errno.EIO: "读写出错（磁盘或网络存储故障）",
    _errno.EBUSY: "文件正被占用",
    _errno.ETXTBSY: "文件正被占用",
    _errno.EEXIST: "已存在同名文件",
    _errno.EXDEV: "不能跨磁盘移动文件",
    _errno.ENXIO: "设备不存在或未就绪",
    _errno.ENODEV: "设备不存在",
    _errno.EINVAL: "参数无效（文件名中可能含有系统不允许的字符）",
    _errno.ENOTEMPTY: "目录不为空",
    _errno.ESTALE: "网络文件已失效，请重新挂载",
    _errno.ETIMEDOUT: "访问超时（网络存储无响应）",
    _errno.EPIPE: "管道已关闭",
}


def os_reason(e: OSError) -> str:
    """An OSError as a short Chinese reason (no English strerror)."""
    if e.errno is None:
        return "系统错误"
    return _REASONS.get(e.errno, f"系统错误（错误号 {e.errno}）" if e.errno else "系统错误")


def find_os_error(e: BaseException | None) -> OSError | None:
    """The OSError behind an exception, following the chain a library wrapped it in
    (xlsxwriter's FileCreateError, for one, carries the OSError as its argument)."""
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno:
            return e
        inner = next((a for a in getattr(e, "args", ()) if isinstance(a, OSError)), None)
        e = inner or e.__cause__ or e.__context__
    return None


def is_no_space(error: BaseException) -> bool:
    """Whether a failure was a full disk: an OSError saying so, or SQLite's own words."""
    found = find_os_error(error)
    if found is not None and found.errno in NO_SPACE:
        return True
    seen = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if "database or disk is full" in str(e):
            return True
        e = e.__cause__ or e.__context__
    return False


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every clean-up runs."""

    NAMES: ClassVar[dict[int, str]] = {15: "终止（SIGTERM）", 1: "挂断（SIGHUP）"}

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        return self.NAMES.get(self.signum, f"信号 {self.signum}")
