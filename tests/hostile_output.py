"""The corpus of issue 12: what a careless clerk or an attacker can put in a folder, in a
cell or in a name, aimed at what we WRITE (sheets, links, reports, the terminal, the paths
we choose) and at the surroundings of a run (special files, links, sizes, names, depth).

`build(base)` writes everything under `base` and returns a `Corpus` describing it; nothing
is downloaded. Workbooks are made with openpyxl (the project's template, and the national
form other tools lay out) and xlsxwriter; characters a library refuses to write (vertical
tab, U+FFFE, escape, NUL) are put into the saved XML afterwards, the way Excel stores them
(`_x000B_`) or as the raw bytes a careless tool writes.

    python -m tests.hostile_output DIR     # build the corpus into DIR to look at it
"""
from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from selfeval_xlsx.grid import a1
from selfeval_xlsx.template import LAYOUT
from tests import hostile
from tests.forms import filled_template, national_workbook
from tests.test_checks import CLEAN

DISTRICT, YEAR = "长安区", 2020

# Characters no library will write for us: typed into cells as markers, swapped afterwards.
# Longer than a cell may hold: openpyxl refuses to write it, so it goes in as a marker
# that _unmark expands in the sheet XML, as another tool (or a hand edit) would leave it.
LONG_TEXT = ("因疫情防控需要，部分活动延期举办，资金支付相应推迟。" * 1600)[:40_000]
_MARKERS = {
    "〔四万字〕": (LONG_TEXT, LONG_TEXT.encode()),
    "〔VT〕": ("\x0b", b"_x000B_"),          # vertical tab, as Excel stores it
    "〔ESC〕": ("\x1b", b"_x001B_"),         # terminal escape
    "〔NUL〕": ("\x00", b"_x0000_"),
    "〔BEL〕": ("\x07", b"_x0007_"),
    "〔FFFE〕": ("\ufffe", "\ufffe".encode()),  # raw bytes: not a character XML may hold
    "〔FFFF〕": ("\uffff", "\uffff".encode()),
}


def marked(text: str) -> str:
    """The text a marker string stands for, as read back from the workbook."""
    for marker, (char, _) in _MARKERS.items():
        text = text.replace(marker, char)
    return text


def _unmark(path: Path) -> Path:
    """Replaces the markers in every XML part with the characters they stand for."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".xml"):
                for marker, (_, raw) in _MARKERS.items():
                    # openpyxl writes non-ASCII text as character references (&#12308;…)
                    as_refs = "".join(f"&#{ord(ch)};" if ord(ch) > 127 else ch for ch in marker)
                    data = data.replace(marker.encode(), raw).replace(as_refs.encode(), raw)
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def project(name="专项经费", budget=25, executed=24, exec_reason="", reasons=None, **changes) -> dict:
    """CLEAN (a project with no findings) renamed, with other amounts and reasons.

    `reasons` maps an indicator's index to its 偏差原因; changes like `actual_6=...`
    set one field of indicator 6."""
    rows = [list(r) for r in CLEAN["indicators"]]
    for i, text in (reasons or {}).items():
        rows[i][7] = text
    for key in list(changes):
        if key.rsplit("_", 1)[-1].isdigit():
            what, i = key.rsplit("_", 1)
            rows[int(i)][("target", "actual", "weight", "self_score").index(what) + 3] = changes.pop(key)
    return {**CLEAN, "name": name, "budget": budget, "initial": budget, "fiscal": budget,
            "executed": executed, "exec_reason": exec_reason, "indicators": [tuple(r) for r in rows],
            **changes}


def unit_workbook(path: Path, unit: str, projects: list[dict], district: str = DISTRICT,
                  formats: dict[str, str] | None = None) -> Path:
    """The template filled as a clerk does; `formats` sets number formats ({"项目1!G20": "0%"})."""
    filled_template(path, [dict(p, unit=unit) for p in projects], unit=unit, year=YEAR, district=district)
    if formats:
        wb = openpyxl.load_workbook(path)
        for ref, fmt in formats.items():
            sheet, cell = ref.split("!")
            wb[sheet][cell].number_format = fmt
        wb.save(path)
    if any(m in unit + district + repr(projects) for m in _MARKERS):
        _unmark(path)
    return path


# --- text in cells ---------------------------------------------------------------------------

ALT_ENTER_UNIT = "😀换行街道办事处"  # its file sorts last: its rows are the last rows of the details
ALT_ENTER_FILE = "😀换行街道办事处.xlsx"
EXEC_REASON_BREAKS = "资金拨付滞后。\n下半年加快进度，\n年底前全部支出。"
FIRST_REASON_BREAKS = "活动受天气影响。\n\n改期举办。"
LAST_REASON_BREAKS = "满意度调查样本偏少。\n明年扩大样本。"   # the very last cell of 指标明细
ALT_ENTER_PROJECTS = [
    project("换行项目一", budget=30, executed=21, exec_reason=EXEC_REASON_BREAKS,
            reasons={0: FIRST_REASON_BREAKS}, actual_0="8次", self_score_0=8),
    project("换行项目二", budget=20, executed=16, exec_reason="一季度未拨付。\n已整改。",
            reasons={6: LAST_REASON_BREAKS}, actual_6="85%", self_score_6=9),
]

CONTROL_UNIT = "控制字符街道办事处"
CONTROL_PROJECTS = [
    project("专项〔VT〕经费", budget=10, executed=8, exec_reason="原因〔FFFE〕一〔VT〕二〔FFFF〕三",
            reasons={2: "偏差〔FFFF〕原因", 6: "〔FFFE〕"}),
]
LONG_UNIT = "超长文字街道办事处"
LONG_PROJECTS = [project("超长原因项目", budget=12, executed=6, exec_reason="〔四万字〕",
                         reasons={0: "〔四万字〕", 6: "〔四万字〕尾"}, actual_0="5次", self_score_0=5)]
FORMULA_TEXT = '=HYPERLINK("http://example.com/steal","点我查看")'
FORMULA_UNIT = "公式文字街道办事处"
FORMULA_PROJECTS = [project(FORMULA_TEXT, budget=10, executed=10, reasons={1: FORMULA_TEXT},
                            exec_reason="=1+1")]
ESCAPE = "\x1b[31m"
ESCAPE_UNIT = "终端街道办事处"
ESCAPE_PROJECTS = [project("红字〔ESC〕[31m项目〔ESC〕]0;标题〔BEL〕", budget=10, executed=7,
                           actual_0="〔ESC〕[2J8次", self_score_0=10)]
THOUSAND_UNIT = ("很长很长的单位名称" * 112)[:994] + "街道办事处"          # 999 characters…
THOUSAND_UNIT = THOUSAND_UNIT + "甲"                                        # …and 1,000
SEVENTY_TWO_UNIT = ("长安区人民政府中山东路街道办事处社区服务中心" * 4)[:67] + "街道办事处"  # 72 characters

# --- numbers ---------------------------------------------------------------------------------

HUGE_UNIT = "巨额街道办事处"            # two projects of 9e25 万元: the totals overflow rounding
HUGE_PROJECTS = [project("巨额一", budget=9e25, executed=9e25), project("巨额二", budget=9e25, executed=9e25)]
ASTRO_UNIT = "天文数字街道办事处"       # 1e30 万元
ASTRO_PROJECTS = [project("天文数字项目", budget=1e30, executed=1e30)]
DIV0_UNIT = "除零街道办事处"            # the executed amount is an error value
DIV0_PROJECTS = [project("除零项目", executed="#DIV/0!")]
BOOL_UNIT = "布尔值街道办事处"          # sorts before NUMERIC_UNIT: read first on one worker
BOOL_PROJECTS = [project("布尔项目", actual_1=True, target_1="是")]
NUMERIC_UNIT = "数值街道办事处"
NUMERIC_PROJECTS = [project("数值项目", target_0="≥1次", actual_0=1)]
PERCENT_UNIT = "满意度街道办事处"       # 95%: as text "0.95" in one project, as 0.95 (0%) in the other
PERCENT_CELL = a1(LAYOUT.indicator_first + 6, LAYOUT.indicator_cols["actual"])
PERCENT_PROJECTS = [project("满意度文本项目", actual_6="0.95"), project("满意度数字项目", actual_6=0.95)]

# --- names -----------------------------------------------------------------------------------

LINK_NAMES = {  # file name → unit; each has a finding (execution 80%, no reason), so a link
    "a#b.xlsx": "井号街道办事处",
    "完成100%.xlsx": "百分号街道办事处",
    "%41%.xlsx": "百分号十六进制街道办事处",
    "问号?.xlsx": "问号街道办事处",
    "有 空格 的文件.xlsx": "空格街道办事处",
}
CLASHING_UNITS = {  # report file names must stay apart
    "斜杠.xlsx": "城东/城西街道办事处",
    "冒号.xlsx": "城东:城西街道办事处",
    "下划线.xlsx": "城东_城西街道办事处",
    "长名甲.xlsx": "东" * 80 + "甲街道办事处",
    "长名乙.xlsx": "东" * 80 + "乙街道办事处",
}
ODD_SUFFIXES = {  # workbooks by content, not by name
    "X": "无扩展名街道办事处",
    "X.xlsx(1)": "括号后缀街道办事处",
    "X.xlsx ": "尾随空格街道办事处",
    "X.bak": "备份后缀街道办事处",
}
GOOD = {  # unit → (budget, executed): summed by hand in the tests
    "中山东路街道办事处": (25, 24),
    "建北街道办事处": (40, 38),
}


@dataclass
class Corpus:
    base: Path
    content: Path                    # the main folder: every text, number and name case
    reversed_copy: Path              # the same files, copied in reversed name order
    units: dict[str, str] = field(default_factory=dict)      # file name in `content` → unit
    small: Path = Path()             # two good units only
    districts: dict[str, Path] = field(default_factory=dict)  # hostile 所属区县 → folder
    special: Path = Path()           # FIFO, socket, device
    links: Path = Path()             # symbolic links leaving the folder
    sparse: Path = Path()            # a 60 GB sparse file
    deep: Path = Path()              # a tree deeper than PATH_MAX
    non_utf8: Path = Path()          # a folder whose own name is not UTF-8
    escape: Path = Path()            # escape sequences in 区县 (printed by `run`)
    escape_roster: Path = Path()
    rosters: dict[str, Path] = field(default_factory=dict)    # far-corner, zip bomb
    inside: Path = Path()            # a copy of `small` whose summary is written inside it
    many: Path = Path()              # 150 good files: a run long enough to interrupt
    outside_unit: str = "外区街道办事处"
    special_names: list[str] = field(default_factory=list)
    link_names: list[str] = field(default_factory=list)


def _good(folder: Path) -> None:
    for unit, (budget, executed) in GOOD.items():
        unit_workbook(folder / f"{unit}.xlsx", unit, [project(f"{unit[:2]}经费", budget=budget, executed=executed)])


def _content(folder: Path, scratch: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    units: dict[str, str] = {f"{u}.xlsx": u for u in GOOD}
    _good(folder)
    cases = [
        (ALT_ENTER_FILE, ALT_ENTER_UNIT, ALT_ENTER_PROJECTS, None),
        (f"{CONTROL_UNIT}.xlsx", CONTROL_UNIT, CONTROL_PROJECTS, None),
        (f"{LONG_UNIT}.xlsx", LONG_UNIT, LONG_PROJECTS, None),
        (f"{FORMULA_UNIT}.xlsx", FORMULA_UNIT, FORMULA_PROJECTS, None),
        (f"{ESCAPE_UNIT}.xlsx", ESCAPE_UNIT, ESCAPE_PROJECTS, None),
        ("千字单位.xlsx", THOUSAND_UNIT, [project("千字项目", budget=8, executed=6)], None),
        ("七十二字单位.xlsx", SEVENTY_TWO_UNIT, [project("七十二字项目")], None),
        (f"{HUGE_UNIT}.xlsx", HUGE_UNIT, HUGE_PROJECTS, None),
        (f"{ASTRO_UNIT}.xlsx", ASTRO_UNIT, ASTRO_PROJECTS, None),
        (f"{DIV0_UNIT}.xlsx", DIV0_UNIT, DIV0_PROJECTS, None),
        (f"{BOOL_UNIT}.xlsx", BOOL_UNIT, BOOL_PROJECTS, None),
        (f"{NUMERIC_UNIT}.xlsx", NUMERIC_UNIT, NUMERIC_PROJECTS, None),
        (f"{PERCENT_UNIT}.xlsx", PERCENT_UNIT, PERCENT_PROJECTS, {f"项目2!{PERCENT_CELL}": "0%"}),
    ]
    cases += [(name, unit, [project(f"{unit[:2]}经费", executed=20)], None) for name, unit in LINK_NAMES.items()]
    cases += [(name, unit, [project("同名风险项目")], None) for name, unit in CLASHING_UNITS.items()]
    for name, unit, projects, formats in cases:
        unit_workbook(folder / name, unit, projects, formats=formats)
        units[name] = unit
    for name, unit in ODD_SUFFIXES.items():
        # Another tool's layout (national form, merged cells), saved without our name.
        p = dict(project(f"{unit[:2]}经费"), unit=unit, department="长安区人民政府", year=YEAR)
        national_workbook(scratch / "odd.xlsx", [p], total=96, grade="优")
        shutil.copyfile(scratch / "odd.xlsx", folder / name)
        units[name] = unit
    return units


def _copy_reversed(src: Path, dst: Path) -> None:
    """The same files, created in reversed name order (directory order differs)."""
    dst.mkdir(parents=True)
    for p in sorted(src.iterdir(), reverse=True):
        shutil.copy2(p, dst / p.name)


def _mknod(path: Path, mode: int, device: int = 0) -> bool:
    try:
        os.mknod(path, mode, device)
        return True
    except (OSError, PermissionError):
        return False


def _special(folder: Path) -> list[str]:
    folder.mkdir(parents=True)
    _good(folder)
    names = ["管道.xlsx", "套接字.xlsx"]
    os.mkfifo(folder / "管道.xlsx")
    if not _mknod(folder / "套接字.xlsx", stat.S_IFSOCK | 0o600):
        s = socket.socket(socket.AF_UNIX)     # bound by a relative name: paths over 108 bytes fail
        cwd = os.getcwd()
        try:
            os.chdir(folder)
            s.bind("套接字.xlsx")
        finally:
            os.chdir(cwd)
            s.close()
    # /dev/zero under another name: reading it never ends (root only; skipped otherwise).
    if _mknod(folder / "设备.xlsx", stat.S_IFCHR | 0o600, os.makedev(1, 5)):
        names.append("设备.xlsx")
    return names


def _links(folder: Path, outside: Path, unit: str) -> list[str]:
    folder.mkdir(parents=True)
    _good(folder)
    outside.mkdir(parents=True)
    unit_workbook(outside / f"{unit}.xlsx", unit, [project("外区项目")])
    os.symlink(outside / f"{unit}.xlsx", folder / "外区的表.xlsx")
    os.symlink(outside, folder / "外区目录")
    os.symlink("/etc/passwd", folder / "口令.xlsx")
    return ["外区的表.xlsx", "口令.xlsx"]


def _sparse(folder: Path) -> None:
    folder.mkdir(parents=True)
    _good(folder)
    with open(folder / "六十G.xlsx", "wb") as fh:     # as `truncate -s 60G` makes it
        fh.truncate(60 << 30)


def _deep(folder: Path, workbook: bytes) -> None:
    """Directories 200 bytes a level, 25 levels (over 5,000 bytes: past PATH_MAX), a workbook
    at the bottom; made through directory handles, as no path can name the bottom."""
    folder.mkdir(parents=True)
    _good(folder)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for level in range(25):
            name = f"{level:02d}" + "d" * 198
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
        out = os.open("深处街道办事处.xlsx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, workbook)
        os.close(out)
    finally:
        os.close(fd)


def _roster_files(folder: Path) -> dict[str, Path]:
    return {"far": hostile.far_value(folder / "名单远处.xlsx", keep_dimension=False),
            "bomb": folder / "名单炸弹.xlsx"}


def build(base: Path) -> Corpus:
    base.mkdir(parents=True, exist_ok=True)
    scratch = base / "scratch"
    scratch.mkdir()
    # The 1 GiB zip bomb takes seconds of deflate (which releases the GIL): made alongside.
    bomb_template = scratch / "bomb-template.xlsx"
    unit_workbook(bomb_template, "名单街道办事处", [project()])
    (base / "名单").mkdir()
    bomb = threading.Thread(target=hostile.zip_bomb,
                            args=(base / "名单" / "名单炸弹.xlsx", bomb_template.read_bytes()))
    bomb.start()
    c = Corpus(base=base, content=base / "来件" / DISTRICT, reversed_copy=base / "反序" / DISTRICT)
    c.units = _content(c.content, scratch)
    _copy_reversed(c.content, c.reversed_copy)
    c.small = base / "小" / DISTRICT
    c.small.mkdir(parents=True)
    _good(c.small)
    hostile_districts = {"../../evil": "上跳", str(base / "abs"): "绝对", "长安\x00区": "空字符",
                         "长" * 300 + "区": "过长"}
    for district, label in hostile_districts.items():
        folder = base / "区县" / label
        folder.mkdir(parents=True)
        shown = district.replace("\x00", "〔NUL〕")
        unit_workbook(folder / "单位.xlsx", "中山东路街道办事处", [project()], district=shown)
        c.districts[district] = folder
    c.special = base / "特殊文件"
    c.special_names = _special(c.special)
    c.links = base / "链接"
    c.link_names = _links(c.links, base / "别处", c.outside_unit)
    c.sparse = base / "稀疏"
    _sparse(c.sparse)
    c.deep = base / "深"
    _deep(c.deep, (c.small / "中山东路街道办事处.xlsx").read_bytes())
    # The folder itself named in GBK (长安区), as an old zip tool unpacks it.
    c.non_utf8 = Path(os.fsdecode(os.path.join(os.fsencode(base), b"\xb3\xa4\xb0\xb2\xc7\xf8")))
    c.non_utf8.mkdir()
    _good(c.non_utf8)
    c.escape = base / "终端"
    c.escape.mkdir()
    unit_workbook(c.escape / "单位.xlsx", ESCAPE_UNIT, ESCAPE_PROJECTS, district="长安区〔ESC〕[31m〔ESC〕]0;x〔BEL〕")
    c.escape_roster = base / "终端名单.txt"
    c.escape_roster.write_text(f"{ESCAPE_UNIT}\n西兴街道\x1b[2J\x1b]0;标题\x07办事处\n", encoding="utf-8")
    c.rosters = _roster_files(base / "名单")
    c.inside = base / "内部" / DISTRICT
    shutil.copytree(c.small, c.inside)
    c.many = base / "大批" / DISTRICT
    c.many.mkdir(parents=True)
    for unit in GOOD:
        data = (c.small / f"{unit}.xlsx").read_bytes()
        for i in range(75):
            (c.many / f"{unit}_{i:03d}.xlsx").write_bytes(data)
    bomb.join()
    shutil.rmtree(scratch)
    return c


if __name__ == "__main__":
    corpus = build(Path(sys.argv[1]))
    print(corpus)
