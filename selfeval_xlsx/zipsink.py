"""Writing one big zip entry while the next rows are being rendered.

A province's summary is over a gigabyte of worksheet XML. Deflating it and its
CRC are done by zlib, which releases the GIL, so a second thread can compress one
chunk while the main thread renders the next: on two cores the write phase then
costs about the rendering alone.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import IO

CHUNK = 1 << 18       # bytes gathered before a chunk goes to the compressing thread
DEPTH = 4             # chunks waiting at most: memory stays at a few megabytes


class _Sink:
    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._parts: list[bytes] = []
        self._size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="selfeval-deflate", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        # Keeps taking chunks until told to stop, even after an error, so that a
        # writer blocked on a full queue is never left waiting.
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self._error is None:
                try:
                    self._raw.write(chunk)
                except BaseException as e:
                    self._error = e

    def write(self, data: str | bytes) -> None:
        if isinstance(data, str):   # (a str subclass would have failed in b"".join before)
            # Lone surrogates (from file names that were not UTF-8) cannot be encoded.
            data = data.encode("utf-8", "replace")
        self._parts.append(data)
        self._size += len(data)
        if self._size >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._error is not None:
            raise self._error
        if self._parts:
            self._queue.put(b"".join(self._parts))
            self._parts.clear()
            self._size = 0

    def _close(self, flush: bool) -> None:
        try:
            if flush:
                self._flush()
        finally:
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error


@contextlib.contextmanager
def background(raw: IO[bytes]) -> Iterator[_Sink]:
    """A writer of text or bytes into the binary stream `raw` (a zip entry opened for
    writing), which it writes from a second thread. Everything written has reached
    `raw` when the block ends; an error writing it is raised here."""
    sink = _Sink(raw)
    try:
        yield sink
    except BaseException:
        sink._close(flush=False)
        raise
    sink._close(flush=True)
