"""What a district's folder may hold besides submissions, and that the listing copes:
special files never opened, links leaving the folder not followed, workbooks found by
their bytes, our own summaries skipped, huge and deep things refused from stat()."""
from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest
import xlsxwriter

from selfeval_xlsx.container import LIMITS
from selfeval_xlsx.errors import BatchError
from selfeval_xlsx.inputs import PATH_LIMIT, SUMMARY_REASON, is_summary, scan
from selfeval_xlsx.workbook import FAILED, SKIPPED
from tests.forms import filled_template
from tests.hostile import docx_renamed
from tests.test_checks import CLEAN


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> bytes:
    return filled_template(tmp_path_factory.mktemp("wb") / "a.xlsx", [CLEAN]).read_bytes()


def reasons(listing) -> dict[str, str]:
    return {e.path: e.reason for e in listing.skipped}


def read(listing) -> list[str]:
    return [display for _, display in listing.found]


def summary_like(path: Path) -> Path:
    """A workbook carrying the property every summary we write carries."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_custom_property("selfeval-xlsx", "summary")
    wb.add_worksheet("汇总").write(0, 0, "单位名称")
    wb.close()
    return path


def test_special_files_are_skipped_without_being_opened(tmp_path, workbook, monkeypatch):
    (tmp_path / "a.xlsx").write_bytes(workbook)
    os.mkfifo(tmp_path / "管道.xlsx")              # opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(tmp_path)                    # a socket's path must be short: bind it relatively
    sock.bind("套接字.xlsx")
    os.symlink("/dev/zero", tmp_path / "设备.xlsx")  # a device reached through a link inside /dev
    try:
        started = time.monotonic()
        listing = scan(tmp_path, follow_links=True)
        assert time.monotonic() - started < 5
    finally:
        sock.close()
    assert read(listing) == ["a.xlsx"]
    assert reasons(listing) == {"管道.xlsx": "命名管道（FIFO），不是文件，未读取",
                                "套接字.xlsx": "套接字，不是文件，未读取",
                                "设备.xlsx": "设备文件，不是普通文件，未读取"}


def test_links_leaving_the_folder_are_listed_not_followed(tmp_path, workbook):
    outside = tmp_path / "别处"
    outside.mkdir()
    (outside / "外面.xlsx").write_bytes(workbook)
    folder = tmp_path / "来件"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(workbook)
    os.symlink(outside / "外面.xlsx", folder / "链接到外面.xlsx")
    os.symlink(outside, folder / "外面目录")
    os.symlink("/etc/passwd", folder / "passwd.xlsx")
    os.symlink(folder / "a.xlsx", folder / "里面的链接.xlsx")   # inside: read, as before
    listing = scan(folder)
    assert read(listing) == ["a.xlsx", "里面的链接.xlsx"]
    leaving = "符号链接，指向输入目录之外，未读取（确需读取请加 --follow-links）"
    assert reasons(listing) == {"链接到外面.xlsx": leaving, "外面目录": leaving, "passwd.xlsx": leaving}
    followed = scan(folder, follow_links=True)   # asked for: named .xlsx, so the reader will judge it
    assert read(followed) == ["a.xlsx", "passwd.xlsx", "里面的链接.xlsx", "链接到外面.xlsx", "外面目录/外面.xlsx"]
    assert reasons(followed) == {}


def test_a_link_loop_is_entered_once(tmp_path, workbook):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.xlsx").write_bytes(workbook)
    os.symlink(tmp_path, tmp_path / "sub" / "回到上级")
    assert reasons(scan(tmp_path)) == {"sub/回到上级": "指向目录的符号链接，未进入（确需读取请加 --follow-links）"}
    listing = scan(tmp_path, follow_links=True)
    assert read(listing) == ["sub/a.xlsx"]
    assert reasons(listing) == {"sub/回到上级": "符号链接指回已读取的目录（循环），未再进入"}


@pytest.mark.parametrize("name", ["中山东路街道办事处", "中山东路.xlsx(1)", "中山东路.xlsx ", "中山东路.XLSX.download",
                                  "中山东路.bak"])
def test_workbooks_are_read_by_their_bytes_whatever_their_name(tmp_path, workbook, name):
    (tmp_path / name).write_bytes(workbook)
    docx_renamed(tmp_path / "说明.docx")
    (tmp_path / "截断的下载").write_bytes(workbook[:2000])
    (tmp_path / "备注.txt").write_text("请审核", encoding="utf-8")
    listing = scan(tmp_path)
    assert read(listing) == [name]
    assert reasons(listing) == {"备注.txt": "不是电子表格文件", "说明.docx": "不是电子表格文件",
                                "截断的下载": "压缩包已损坏，无法判断是否为电子表格，未读取"}


def test_a_legacy_xls_without_its_extension_is_read(tmp_path):
    # OLE2 with a Workbook stream: what Excel 97–2003 writes (built by hand: the header
    # signature and the stream's directory name are all the listing looks at).
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 1000
    (tmp_path / "旧表").write_bytes(ole)
    (tmp_path / "旧文档").write_bytes(ole.replace("Workbook".encode("utf-16-le"), "WordDocu".encode("utf-16-le")))
    listing = scan(tmp_path)
    assert read(listing) == ["旧表"]
    assert reasons(listing) == {"旧文档": "不是电子表格文件"}


def test_backup_copies_are_read_too(tmp_path, workbook):
    # Read rather than skipped: a file is never silently left out; beside its original
    # it is a duplicate submission, which the batch reports.
    (tmp_path / "a.xlsx").write_bytes(workbook)
    (tmp_path / "a.xlsx.bak").write_bytes(workbook)
    (tmp_path / "a.xlsx~").write_bytes(workbook)
    listing = scan(tmp_path)
    assert read(listing) == ["a.xlsx", "a.xlsx.bak", "a.xlsx~"]
    assert reasons(listing) == {}


def test_our_summaries_are_recognised_by_their_property(tmp_path, workbook):
    (tmp_path / "a.xlsx").write_bytes(workbook)
    summary_like(tmp_path / "长安区_2020_绩效自评汇总.xlsx")
    shutil.copy(tmp_path / "长安区_2020_绩效自评汇总.xlsx", tmp_path / "改了名的汇总")
    listing = scan(tmp_path)
    assert read(listing) == ["a.xlsx"]
    assert reasons(listing) == {"长安区_2020_绩效自评汇总.xlsx": SUMMARY_REASON, "改了名的汇总": SUMMARY_REASON}
    assert is_summary(tmp_path / "改了名的汇总") and not is_summary(tmp_path / "a.xlsx")


def test_the_default_output_folder_inside_the_input_is_skipped(tmp_path, workbook):
    (tmp_path / "a.xlsx").write_bytes(workbook)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "旧汇总.xlsx").write_bytes(workbook)
    listing = scan(tmp_path, exclude=(tmp_path / "output",))
    assert read(listing) == ["a.xlsx"]
    assert reasons(listing) == {"output/": "本工具的默认输出目录，其中的文件不作为自评表读取"}


def test_a_sparse_file_claiming_60_gb_is_refused_at_once(tmp_path, workbook):
    with open(tmp_path / "巨大.xlsx", "wb") as fh:
        fh.truncate(60 * 1024 ** 3)
    started = time.monotonic()
    listing = scan(tmp_path)
    assert time.monotonic() - started < 2
    [entry] = listing.skipped
    assert (entry.path, entry.status, entry.size) == ("巨大.xlsx", FAILED, 60 * 1024 ** 3)
    assert entry.reason == f"文件大小 60.0 GB，超过上限 {LIMITS.file_bytes >> 20}.0 MB，未读取"


def test_a_tree_deeper_than_the_path_limit(tmp_path, workbook):
    (tmp_path / "a.xlsx").write_bytes(workbook)
    fd = os.open(tmp_path, os.O_RDONLY)
    depth = PATH_LIMIT // 5 + 10   # "dddd/" per level: past the limit, and deeper than Python's recursion limit
    try:
        for _ in range(depth):     # built relative to a directory descriptor: no path is ever that long
            os.mkdir("dddd", dir_fd=fd)
            inner = os.open("dddd", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("深处.xlsx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
            fh.write(workbook)
    finally:
        os.close(fd)
    try:
        listing = scan(tmp_path)
        assert read(listing) == ["a.xlsx"]
        [entry] = listing.skipped
        assert entry.status == SKIPPED and entry.path.startswith("dddd/dddd/")
        assert entry.reason.startswith("路径长度超过系统上限")
    finally:
        os.system(f"rm -rf '{tmp_path}'")   # shutil.rmtree recurses; rm -rf copes with any depth


def test_a_folder_whose_own_name_is_not_utf8(tmp_path, workbook):
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xb3\xa4\xb0\xb2\xc7\xf8")))  # 长安区 in GBK
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(workbook)
    listing = scan(folder)
    assert read(listing) == ["a.xlsx"]


def test_the_root_must_be_a_folder(tmp_path, workbook):
    (tmp_path / "a.xlsx").write_bytes(workbook)
    with pytest.raises(BatchError, match="请用：selfeval check"):
        scan(tmp_path / "a.xlsx")
    with pytest.raises(BatchError, match="找不到目录"):
        scan(tmp_path / "没有")


def test_an_unreadable_subfolder_is_listed(tmp_path, workbook):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (tmp_path / "锁住").mkdir()
    (tmp_path / "锁住" / "a.xlsx").write_bytes(workbook)
    os.chmod(tmp_path / "锁住", 0)
    try:
        assert reasons(scan(tmp_path)) == {"锁住": "无法读取目录：没有访问权限"}
    finally:
        os.chmod(tmp_path / "锁住", 0o755)
