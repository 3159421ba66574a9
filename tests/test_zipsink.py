"""The summary's big sheets are deflated on a second thread: nothing may be lost or reordered,
and a failing disk must stop the run rather than leave a silently short workbook."""
import errno
import io
import threading

import pytest

from selfeval_xlsx.zipsink import CHUNK, background


def test_everything_written_arrives_in_order():
    raw = io.BytesIO()
    pieces = [f"<row r=\"{i}\">中山东路{i}</row>" if i % 2 else f"<row r=\"{i}\"/>".encode() for i in range(60000)]
    with background(raw) as out:
        for p in pieces:
            out.write(p)
    expected = b"".join(p.encode() if isinstance(p, str) else p for p in pieces)
    assert len(expected) > 3 * CHUNK   # several chunks crossed the thread
    assert raw.getvalue() == expected


class _FullDisk(io.RawIOBase):
    def writable(self):
        return True

    def write(self, b):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_error_reaches_the_writer():
    with pytest.raises(OSError) as err, background(_FullDisk()) as out:
        for _ in range(20):
            out.write(b"x" * CHUNK)
    assert err.value.errno == errno.ENOSPC


def test_an_error_in_the_writer_stops_the_thread():
    raw = io.BytesIO()
    with pytest.raises(KeyboardInterrupt), background(raw) as out:
        out.write(b"x" * (CHUNK * 3))
        raise KeyboardInterrupt
    assert not [t for t in threading.enumerate() if t.name == "selfeval-deflate"]
