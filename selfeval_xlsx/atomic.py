"""Writing an output so that it is either complete or not there at all."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """An output cannot be written where asked; the message says why and what to do."""


@contextmanager
def replacing(path: str | Path):
    """Yields a temporary path beside `path`; renames it into place only on success.

    An interrupted or failed write leaves the previous file as it was and no
    half-written file behind.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".selfeval-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"无法在 {path.parent} 写入：{e.strerror or e}") from None
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except PermissionError:
        raise OutputError(f"无法写入 {path}：文件可能正在 Excel/WPS 中打开或被锁定，请关闭后重试") from None
    except OSError as e:
        raise OutputError(f"无法写入 {path}：{e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
