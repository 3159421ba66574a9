"""The district's list of units expected to report: a text file or a workbook.

A roster workbook comes from the same e-mail and the same tools as the submissions,
so it is read under the same protections: its size judged before reading, the
container checks, and the parsing done in a worker process with the readers' memory
and time limits (a far-corner cell or a zip bomb costs that worker, not the run).
"""
from __future__ import annotations

import os
import resource
import signal
from multiprocessing.connection import Connection
from pathlib import Path

from .container import LIMITS, Limits, inspect_zip
from .errors import BatchError, RosterError, os_reason
from .figures import norm_unit as norm_unit  # re-exported: where units are matched
from .grid import WorkbookError, load_sheets, sniff
from .inputs import check_file
from .procs import context

_HEADERS = {"单位名称", "单位", "名称", "预算单位", "单位全称"}


def _from_text(data: bytes) -> list[str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("名单文件既不是 UTF-8 也不是 GBK 编码的文本")
    return [line.strip() for line in text.splitlines()]


def first_column(data: bytes) -> list[str]:
    """The first filled column of the first sheet, as text (runs in the worker)."""
    sheets = load_sheets(data)
    if not sheets:
        return []
    first = sheets[0]
    column = min((c for _, c, _ in first.nonempty()), default=first.left)
    return [str(first.get(r, column)).strip() for r in range(first.top, first.bottom)]


def _worker(conn: Connection, data: bytes, limits: Limits, debug: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    if not debug:   # a native library dying prints its own backtrace; our message says it
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    try:
        conn.send(("ok", first_column(data)))
    except WorkbookError as e:
        conn.send(("error", str(e)))
    except MemoryError:
        conn.send(("error", "读取时内存超限"))
    except Exception:
        conn.send(("error", "文件内容无法解析（已损坏，或不是本工具能读取的格式）"))


def _from_workbook(data: bytes, limits: Limits, debug: bool) -> list[str]:
    for problem in inspect_zip(data, limits):
        if problem.fatal:
            raise RosterError(f"名单工作簿无法读取：{problem.message}")
    ctx = context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, data, limits, debug), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(limits.seconds):
            raise RosterError(f"名单工作簿读取超过 {limits.seconds:.0f} 秒仍未完成")
        status, value = receive.recv()
    except (EOFError, OSError):
        proc.join(timeout=5)
        raise RosterError("名单工作簿无法读取：读取进程意外终止，通常是文件内容使程序内存耗尽") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
        receive.close()
    if status != "ok":
        raise RosterError(f"名单工作簿无法读取：{value}")
    names: list[str] = value   # _worker sends ("ok", first_column(...))
    return names


def load_roster(path: str | Path, limits: Limits = LIMITS, debug: bool = False) -> list[str]:
    """Unit names in file order, without blanks, headers or repeats."""
    p = Path(path)
    try:
        too_big = check_file(p, limits)   # a FIFO would hang the read; a sparse file take minutes
    except BatchError as e:
        raise RosterError(f"名单文件无法使用：{e}") from None
    if too_big:
        raise RosterError(f"名单文件 {p}：{too_big}")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise RosterError(f"无法读取名单文件 {p}：{os_reason(e)}") from None
    kind = sniff(data)
    if kind == "encrypted":
        raise RosterError(f"名单工作簿 {p} 设有打开密码，无法读取")
    names = _from_workbook(data, limits, debug) if kind in ("xlsx", "xlsb", "xls", "ods") else _from_text(data)
    out, seen = [], set()
    for name in names:
        key = norm_unit(name)
        if not key or key in _HEADERS or key in seen:
            continue
        seen.add(key)
        out.append(name)
    if not out:
        raise RosterError(f"名单文件 {p} 中没有单位名称（每行一个单位）")
    return out
