"""Issue 12's acceptance tests: nothing anyone types or sends can break, alter or redirect
what we write. The corpus (tests/hostile_output.py) is built once; the real CLI runs on it
as separate processes, several at a time; each test below checks one promise of the issue.

Exit codes as cli.py documents them: 0 done, 1 `check` found 错误, 2 usage/refused,
3 internal error, 130 interrupted. What the issue adds and cli.py does not say yet: an
output path that is an input file (or `-o X --json X`) and an unreadable --roster are
refused with 2; a closed pipe is not an internal error (any code but 3); SIGTERM/SIGHUP
end the run with a non-zero code and clean up like Ctrl-C.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import docx
import openpyxl
import psutil
import pytest

from tests import hostile_output as H

ROOT = Path(__file__).resolve().parent.parent
# shared/ lies beside the repository, on a developer machine and in CI alike.
VALIDATE = str(ROOT.parent / "shared" / "tools" / "ooxml-validate")
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
HAZARD_TIMEOUT = 20     # a run that hangs on a FIFO or hashes 60 GB is stopped here
TIMEOUT = 90
GIB = 1 << 30


# --- running the real command ----------------------------------------------------------------

@dataclass
class Run:
    name: str
    args: list[str]
    cwd: Path
    outdir: Path                # the only place this run may write
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    peak: int = 0               # peak RSS of the whole process tree, when measured

    def json(self, name: str = "汇总.json") -> dict:
        path = self.outdir / name
        assert path.is_file(), f"{self.name}: no JSON written (exit {self.returncode}): {self.stderr[-500:]}"
        return json.loads(path.read_text(encoding="utf-8"))

    def where(self) -> str:
        return f"{self.name}: exit {self.returncode}{' (timed out)' if self.timed_out else ''}; stderr: {self.stderr[-800:]}"


def _env(tmpdir: Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONPATH=str(ROOT))
    env.pop("CI", None)
    return env


def execute(run: Run, tmpdir: Path, timeout: float = TIMEOUT, measure: bool = False) -> Run:
    """Runs `selfeval ARGS` in its own process group; on timeout the whole group is killed
    (the reading workers included), so a hang costs this run only. With `measure`, the
    peak RSS of the process tree is sampled every 10 ms."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", *run.args], cwd=run.cwd,
                            env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    if measure:
        ps = psutil.Process(proc.pid)
        while proc.poll() is None and time.monotonic() - start < timeout:
            total = 0
            try:
                for p in [ps, *ps.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
            run.peak = max(run.peak, total)
            time.sleep(0.01)
    try:
        out, err = proc.communicate(timeout=max(1.0, timeout - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        run.timed_out = True
    run.returncode = proc.returncode
    run.stdout = out.decode("utf-8", "replace")
    run.stderr = err.decode("utf-8", "replace")
    run.seconds = time.monotonic() - start
    return run


# --- looking at the whole temporary tree -----------------------------------------------------

def snapshot(top: Path) -> dict[bytes, tuple]:
    """Every entry under `top` (by directory handles: the deep tree is past PATH_MAX) with
    its type, size and, for regular files up to 64 MB, its SHA-256. FIFOs, sockets and
    devices are never opened."""
    out: dict[bytes, tuple] = {}
    for dirpath, dirnames, filenames, dirfd in os.fwalk(os.fsencode(top), follow_symlinks=False):
        for name in dirnames + filenames:
            st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            key = os.path.join(dirpath, name)
            if stat.S_ISLNK(st.st_mode):
                out[key] = ("link", os.readlink(name, dir_fd=dirfd))
            elif stat.S_ISREG(st.st_mode) and st.st_size <= 64 << 20:
                fd = os.open(name, os.O_RDONLY, dir_fd=dirfd)
                with os.fdopen(fd, "rb") as fh:
                    out[key] = ("file", st.st_size, hashlib.sha256(fh.read()).hexdigest())
            elif stat.S_ISDIR(st.st_mode):
                out[key] = ("dir",)
            else:
                out[key] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns)
    return out


def changed(before: dict, after: dict) -> set[bytes]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def under(path: bytes, folder: Path) -> bool:
    f = os.fsencode(folder)
    return path == f or path.startswith(f + b"/")


# --- the runs ----------------------------------------------------------------------------------

@dataclass
class World:
    corpus: H.Corpus
    runs: dict[str, Run]
    tmpdir: Path
    before: dict
    after: dict
    out: Path

    def __getitem__(self, name: str) -> Run:
        return self.runs[name]


def _plan(c: H.Corpus, out: Path, work: Path) -> tuple[list[tuple[Run, float]], list[list[Run]]]:
    def run(name, args, cwd=work, outdir=None, timeout=TIMEOUT):
        outdir = outdir or out / name
        return Run(name, [a if isinstance(a, str) else str(a) for a in args], cwd, outdir), timeout

    def summary(name, folder, *extra, timeout=TIMEOUT):
        o = out / name
        return run(name, ["run", folder, "-o", o / "汇总.xlsx", "--json", o / "汇总.json", *extra],
                   timeout=timeout)

    single = [
        summary("main", c.content, "--jobs", "1"),
        summary("reversed", c.reversed_copy, "--jobs", "2"),
        run("report", ["report", c.content, "-o", out / "report", "--jobs", "2"]),
        summary("special", c.special, timeout=HAZARD_TIMEOUT),
        summary("links", c.links, timeout=HAZARD_TIMEOUT),
        summary("sparse", c.sparse, timeout=HAZARD_TIMEOUT),
        summary("deep", c.deep, timeout=HAZARD_TIMEOUT),
        summary("non_utf8", c.non_utf8, timeout=HAZARD_TIMEOUT),
        summary("escape", c.escape, "--roster", c.escape_roster),
        run("check_escape", ["check", c.content / f"{H.ESCAPE_UNIT}.xlsx"]),
        run("refuse_o", ["run", c.small, "-o", c.small / "中山东路街道办事处.xlsx"]),
        run("refuse_json", ["run", c.small, "-o", out / "refuse_json" / "汇总.xlsx",
                            "--json", c.small / "建北街道办事处.xlsx"]),
        run("refuse_same", ["run", c.small, "-o", out / "refuse_same" / "汇总.xlsx",
                            "--json", out / "refuse_same" / "汇总.xlsx"]),
        run("roster_far", ["run", c.small, "--roster", c.rosters["far"], "-o", out / "roster_far" / "汇总.xlsx"]),
    ]
    for folder in c.districts.values():
        cwd = work / folder.name
        cwd.mkdir()
        single.append(run(f"district_{folder.name}", ["run", folder, "--json", "output/汇总.json"],
                          cwd=cwd, outdir=cwd / "output"))
    inside = [run(f"inside_{i}", ["run", ".", "--json", f"output/第{i}次.json"], cwd=c.inside,
                  outdir=c.inside / "output")[0] for i in (1, 2)]
    return single, [inside]


@pytest.fixture(scope="module")
def base():
    """A private folder: pytest's numbered temporary folders are rotated by any other pytest
    running on the machine meanwhile. Removed at the end (rmtree works by directory
    handles, so the tree deeper than PATH_MAX goes too)."""
    path = Path(tempfile.mkdtemp(prefix="hostile-output-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def world(base) -> World:
    corpus = H.build(base / "corpus")
    out, work, tmpdir = base / "out", base / "work", base / "tmp"
    for d in (out, work, tmpdir):
        d.mkdir()
    single, chains = _plan(corpus, out, work)
    for run, _ in single + [(r, 0) for ch in chains for r in ch] + [(Run("roster_bomb", [], work, out), 0)]:
        (tmpdir / run.name).mkdir()     # each run its own TMPDIR: what it leaves is its own
    before = snapshot(base)
    runs: dict[str, Run] = {}
    umask = os.umask(0o022)     # the runs inherit it; their outputs must follow it
    bomb = Run("roster_bomb", ["run", str(corpus.small), "--roster", str(corpus.rosters["bomb"]),
                               "-o", str(out / "roster_bomb" / "汇总.xlsx")], work, out / "roster_bomb")
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(execute, bomb, tmpdir / bomb.name, TIMEOUT, True)]
        futures += [pool.submit(execute, r, tmpdir / r.name, t) for r, t in single]
        futures += [pool.submit(lambda chain: [execute(r, tmpdir / r.name) for r in chain], ch)
                    for ch in chains]
        for f in futures:
            r = f.result()
            for one in (r if isinstance(r, list) else [r]):
                runs[one.name] = one
    os.umask(umask)
    time.sleep(0.5)   # let reading workers of killed runs notice and exit
    after = snapshot(base)
    return World(corpus, runs, tmpdir, before, after, out)


def _summary(data: dict) -> dict[str, tuple[Decimal, Decimal]]:
    return {r["单位名称"]: (Decimal(str(r["全年预算数（万元）"])), Decimal(str(r["全年执行数（万元）"])))
            for r in data["汇总"] if r["单位名称"] != "合计"}


def _expected_figures(units: dict[str, list[dict]]) -> dict[str, tuple[Decimal, Decimal]]:
    return {u: (sum(Decimal(str(p["budget"])) for p in ps), sum(Decimal(str(p["executed"])) for p in ps))
            for u, ps in units.items()}


GOOD_FIGURES = {u: (Decimal(b), Decimal(e)) for u, (b, e) in H.GOOD.items()}   # 25/24 and 40/38 万元
# Units of the main folder whose every figure can be computed (not the 9e25/1e30/#DIV/0! ones).
COMPUTABLE = {
    H.ALT_ENTER_UNIT: H.ALT_ENTER_PROJECTS, H.CONTROL_UNIT: H.CONTROL_PROJECTS,
    H.LONG_UNIT: H.LONG_PROJECTS, H.FORMULA_UNIT: H.FORMULA_PROJECTS, H.ESCAPE_UNIT: H.ESCAPE_PROJECTS,
    H.THOUSAND_UNIT: [H.project("千字项目", budget=8, executed=6)],
    H.SEVENTY_TWO_UNIT: [H.project("七十二字项目")],
    H.BOOL_UNIT: H.BOOL_PROJECTS, H.NUMERIC_UNIT: H.NUMERIC_PROJECTS, H.PERCENT_UNIT: H.PERCENT_PROJECTS,
    **{u: [H.project(executed=20)] for u in H.LINK_NAMES.values()},
    **{u: [H.project()] for u in H.CLASHING_UNITS.values()},
}


def _written_workbooks(w: World) -> list[Path]:
    files = []
    for run in w.runs.values():
        if run.outdir.is_dir():
            files += sorted(p for p in run.outdir.rglob("*.xlsx") if not p.name.startswith("."))
    return files


# --- Done when: exit codes as documented -----------------------------------------------------

EXPECTED_EXIT = {
    "main": 0, "reversed": 0, "report": 0, "special": 0, "links": 0, "sparse": 0, "deep": 0,
    "non_utf8": 0, "escape": 0, "inside_1": 0, "inside_2": 0,
    "refuse_o": 2, "refuse_json": 2, "refuse_same": 2, "roster_far": 2, "roster_bomb": 2,
    "district_上跳": 0, "district_绝对": 0, "district_空字符": 0, "district_过长": 0,
}


def test_exit_codes_are_as_documented(world):
    wrong = {name: (world[name].returncode, code, world[name].timed_out)
             for name, code in EXPECTED_EXIT.items() if world[name].returncode != code}
    assert not wrong, "\n".join(world[n].where() for n in wrong)
    # `check` on a file with findings: 0 or 1, never an internal error.
    assert world["check_escape"].returncode in (0, 1), world["check_escape"].where()
    for run in world.runs.values():
        assert "Traceback" not in run.stderr, run.where()
        assert "内部错误" not in run.stderr, run.where()


# --- Done when: good units summarised ------------------------------------------------------

@pytest.mark.parametrize("name", ["main", "reversed", "special", "links", "sparse", "deep", "non_utf8"])
def test_good_units_are_summarised_with_their_figures(world, name):
    run = world[name]
    assert run.returncode == 0, run.where()
    got = _summary(run.json())
    for unit, figures in GOOD_FIGURES.items():
        assert got.get(unit) == figures, (unit, got.get(unit))
    if name in ("main", "reversed"):
        for unit, figures in _expected_figures(COMPUTABLE).items():
            assert got.get(unit) == figures, (unit[:30], got.get(unit))


# --- Done when: inputs byte-identical; nothing written outside the output folder ----------

def test_inputs_are_byte_identical(world):
    corpus = world.corpus.base
    diff = {k for k in changed(world.before, world.after) if under(k, corpus)
            and not under(k, world.corpus.inside / "output")}
    assert not diff, sorted(os.fsdecode(k) for k in diff)[:20]


def test_nothing_is_written_outside_the_output_folders(world):
    """Nor left in the temporary folder, except by a run we killed for hanging (that
    run's own test fails)."""
    allowed = [r.outdir for r in world.runs.values()]
    allowed += [world.tmpdir / r.name for r in world.runs.values() if r.timed_out]
    stray = {k for k in changed(world.before, world.after) if not any(under(k, a) for a in allowed)}
    assert not stray, sorted(os.fsdecode(k) for k in stray)[:20]
    hidden = [p for r in world.runs.values() if r.outdir.is_dir() for p in r.outdir.rglob(".selfeval-*")]
    assert not hidden, hidden


def test_default_output_name_is_cleaned_and_inside_the_output_folder(world):
    """所属区县 of `../../evil`, an absolute path, a NUL or 300 characters."""
    for district, folder in world.corpus.districts.items():
        run = world[f"district_{folder.name}"]
        assert run.returncode == 0, run.where()
        written = [p for p in run.outdir.iterdir() if p.suffix == ".xlsx"]
        assert len(written) == 1, (district[:20], list(run.outdir.iterdir()))
        assert len(os.fsencode(written[0].name)) <= 255
        assert "\x00" not in written[0].name and ".." not in written[0].name
        assert _summary(run.json()).get("中山东路街道办事处") == (Decimal(25), Decimal(24))


# --- Outputs never touch inputs ----------------------------------------------------------

def test_output_or_json_at_an_input_file_is_refused(world):
    small = world.corpus.small
    for name in ("refuse_o", "refuse_json"):
        run = world[name]
        assert run.returncode == 2, run.where()
        assert run.stderr.startswith("错误："), run.where()
    # And the inputs are as they were (the whole-tree comparison names any changed byte).
    for p in small.iterdir():
        key = os.fsencode(p)
        assert world.before[key] == world.after[key], p
    same = world["refuse_same"]
    assert same.returncode == 2, same.where()
    assert not (world.out / "refuse_same" / "汇总.xlsx").exists()


def test_summary_inside_the_district_folder_is_not_read_back(world):
    first, second = world["inside_1"], world["inside_2"]
    assert first.returncode == 0 and second.returncode == 0, (first.where(), second.where())
    a, b = first.json("第1次.json"), second.json("第2次.json")
    assert _summary(a) == _summary(b) == GOOD_FIGURES
    assert [p for p in b["问题清单"] if p["文件"].startswith("output/")] == []
    for f in b["运行信息"]["文件"]:
        if f["文件"].startswith("output/"):
            assert f["状态"] == "已跳过" and f["原因"], f


def test_outputs_follow_the_umask(world):
    # The runs use umask 022: colleagues on a shared folder can read the summary.
    for p in [world.out / "main" / "汇总.xlsx", world.out / "main" / "汇总.json"]:
        assert p.stat().st_mode & 0o777 == 0o644, (p, oct(p.stat().st_mode))


# --- Done when: every written workbook and document passes ooxml-validate ----------------

def test_every_written_workbook_and_document_passes_ooxml_validate(world):
    files = _written_workbooks(world) + sorted((world.out / "report").glob("*.docx"))
    assert any(p.parent == world.out / "main" for p in files), world["main"].where()
    assert any(p.suffix == ".docx" for p in files), world["report"].where()
    res = subprocess.run(["bash", VALIDATE, *map(str, files)], check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]


# --- Done when: the row-structure test ----------------------------------------------------

_REF = re.compile(r"([A-Z]{1,3})([0-9]+)$")
_BAD_URI = re.compile(r"[# ?]|%(?![0-9A-Fa-f]{2})")


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{MAIN_NS}t")) for si in root.iter(f"{MAIN_NS}si")]


def sheet_problems(path: Path) -> list[str]:
    """Everything wrong with the rows, cells and links of every sheet of one workbook."""
    problems = []
    if not zipfile.is_zipfile(path):
        return [f"{path.name}: not a workbook (not a zip file)"]
    with zipfile.ZipFile(path) as z:
        try:
            sst = _shared_strings(z)
        except ET.ParseError as e:
            return [f"{path.name}: sharedStrings.xml is not well-formed: {e}"]
        for part in sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            where = f"{path.name}:{part}"
            try:
                root = ET.fromstring(z.read(part))
            except ET.ParseError as e:
                problems.append(f"{where}: not well-formed XML: {e}")
                continue
            last = 0
            for row in root.iter(f"{MAIN_NS}row"):
                r = int(row.get("r"))
                if r <= last:
                    problems.append(f"{where}: row {r} after row {last}")
                last = r
                if row.get("ht") is not None and float(row.get("ht")) > 409:
                    problems.append(f"{where}: row {r} height {row.get('ht')} > 409")
                last_col = 0
                for c in row.findall(f"{MAIN_NS}c"):
                    m = _REF.match(c.get("r", ""))
                    if not m or int(m.group(2)) != r:
                        problems.append(f"{where}: cell {c.get('r')} inside row {r}")
                        continue
                    col = _column(m.group(1))
                    if col <= last_col:
                        problems.append(f"{where}: cell {c.get('r')} out of order")
                    last_col = col
                    t = c.get("t")
                    if t == "inlineStr":
                        text = "".join(x.text or "" for x in c.iter(f"{MAIN_NS}t"))
                    elif t == "s":
                        text = sst[int(c.find(f"{MAIN_NS}v").text)]
                    elif t == "str":
                        v = c.find(f"{MAIN_NS}v")
                        text = v.text or "" if v is not None else ""
                    else:
                        text = ""
                    if len(text) > 32_767:
                        problems.append(f"{where}: cell {c.get('r')} holds {len(text)} characters")
            rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels in z.namelist():
                for rel in ET.fromstring(z.read(rels)).iter(f"{REL_NS}Relationship"):
                    if rel.get("TargetMode") == "External" and _BAD_URI.search(rel.get("Target")):
                        problems.append(f"{where}: link target not percent-encoded: {rel.get('Target')}")
    return problems


def test_every_sheet_has_its_rows_numbered_and_its_cells_in_them(world):
    files = _written_workbooks(world)
    assert any(p.parent == world.out / "main" for p in files), world["main"].where()
    problems = [p for f in files for p in sheet_problems(f)]
    assert not problems, "\n".join(problems[:30])


def test_problem_links_open_the_file_they_name(world):
    """Files named with #, %, ?, spaces: each 问题清单 link, decoded as Excel decodes it,
    leads to the file the row names."""
    summary = world.out / "main" / "汇总.xlsx"
    assert summary.is_file(), world["main"].where()
    targets = set()
    with zipfile.ZipFile(summary) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/_rels/"):
                for rel in ET.fromstring(z.read(n)).iter(f"{REL_NS}Relationship"):
                    if rel.get("TargetMode") == "External":
                        targets.add(rel.get("Target"))
    opened = {(summary.parent / unquote(t.split("#")[0]).replace("\\", "/")).resolve() for t in targets}
    for name in H.LINK_NAMES:
        assert (world.corpus.content / name).resolve() in opened, (name, sorted(targets)[:10])


# --- Alt+Enter line breaks ---------------------------------------------------------------

def _rows(ws) -> list[dict]:
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r)) for r in it]


def test_line_breaks_are_kept_with_the_rest_of_their_row(world):
    """Alt+Enter in 执行率未达90%原因 and 偏差原因, the last one in the very last row of 指标明细."""
    path = world.out / "main" / "汇总.xlsx"
    assert path.is_file(), world["main"].where()
    data = world["main"].json()
    wb = openpyxl.load_workbook(path, read_only=True)
    projects = _rows(wb["项目明细"])
    indicators = _rows(wb["指标明细"])
    assert len(projects) == len(data["项目明细"]) and len(indicators) == len(data["指标明细"])
    mine = [r for r in projects if r["单位名称"] == H.ALT_ENTER_UNIT]
    assert [(r["项目名称"], r["执行率未达标原因"], r["文件"], r["工作表"]) for r in mine] == [
        ("换行项目一", H.EXEC_REASON_BREAKS, H.ALT_ENTER_FILE, "项目1"),
        ("换行项目二", "一季度未拨付。\n已整改。", H.ALT_ENTER_FILE, "项目2")]
    assert projects[-1]["单位名称"] == H.ALT_ENTER_UNIT and projects[-1]["项目名称"] == "换行项目二"
    assert projects[-1]["执行率"] == pytest.approx(0.8)
    last = indicators[-1]
    assert (last["单位名称"], last["项目名称"], last["三级指标"], last["偏差原因"], last["文件"], last["工作表"]) == (
        H.ALT_ENTER_UNIT, "换行项目二", "居民满意度", H.LAST_REASON_BREAKS, H.ALT_ENTER_FILE, "项目2")
    first = next(r for r in indicators if r["单位名称"] == H.ALT_ENTER_UNIT)
    assert (first["三级指标"], first["实际完成值"], first["偏差原因"], first["工作表"]) == (
        "开展专项活动次数", "8次", H.FIRST_REASON_BREAKS, "项目1")
    # Every row of the workbook says what the JSON (built from values, not rendered XML) says.
    for table, rows in (("项目明细", projects), ("指标明细", indicators)):
        for got, want in zip(rows, data[table]):
            assert (got["单位名称"], got["项目名称"], got["文件"], got["工作表"]) == (
                want["单位名称"], want["项目名称"], want["文件"], want["工作表"]), table


def test_formula_text_stays_text(world):
    path = world.out / "main" / "汇总.xlsx"
    assert path.is_file(), world["main"].where()
    wb = openpyxl.load_workbook(path)
    hits = [c for ws in wb.worksheets if ws.title in ("项目明细", "指标明细") for row in ws.iter_rows()
            for c in row if c.value == H.FORMULA_TEXT]
    assert len(hits) >= 2 and all(c.data_type == "s" for c in hits)


def test_changed_text_is_noted_in_the_problem_list(world):
    """Control characters replaced and 40,000-character cells cut: a 提示 says so (what the
    cells hold is checked on the written XML by the row-structure and validator tests)."""
    data = world["main"].json()
    for unit in (H.CONTROL_UNIT, H.LONG_UNIT):
        notes = [p for p in data["问题清单"] if p["单位名称"] == unit and p["级别"] == "提示"]
        assert notes, unit


# --- Terminal ------------------------------------------------------------------------------

def test_terminal_output_has_no_escape_sequences(world):
    for name in ("escape", "check_escape", "main"):
        run = world[name]
        assert run.returncode in (0, 1), run.where()
        assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout + run.stderr, name
    assert "西兴街道" in world["escape"].stdout            # the missing unit is still named
    assert H.ESCAPE_UNIT in world["check_escape"].stdout


def test_output_piped_to_head_is_not_an_internal_error(world, base):
    tmp_path = base / "pipe"
    tmp_path.mkdir()
    small = world.corpus.small
    cmd = (f"{sys.executable} -m selfeval_xlsx run {shlex.quote(str(small))} "
           f"-o {shlex.quote(str(tmp_path / 'a' / '汇总.xlsx'))} | head -1")
    res = subprocess.run(["bash", "-c", cmd], check=False, capture_output=True, text=True, env=_env(tmp_path), timeout=TIMEOUT)
    assert res.stdout.startswith("区县："), res.stdout
    assert "内部错误" not in res.stderr and "Traceback" not in res.stderr, res.stderr
    # The reader gone before anything is printed (`| head -0`, a closed pager): same.
    r, wfd = os.pipe()
    os.close(r)
    proc = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "run", str(small),
                           "-o", str(tmp_path / "b" / "汇总.xlsx")], check=False, stdout=wfd, stderr=subprocess.PIPE,
                          env=_env(tmp_path), timeout=TIMEOUT)
    os.close(wfd)
    err = proc.stderr.decode("utf-8", "replace")
    assert "内部错误" not in err and "Traceback" not in err, err
    assert proc.returncode != 3, err
    assert (tmp_path / "b" / "汇总.xlsx").is_file()


def test_sigterm_leaves_no_temporary_data_and_no_partial_output(world, base):
    """Killed while reading (the spool in TMPDIR) and while writing (the hidden file beside
    the output), by SIGTERM and by SIGHUP: as after Ctrl-C, nothing is left."""
    tmp_path = base / "signals"
    tmp_path.mkdir()
    caught = []
    for sig, moment in ((signal.SIGTERM, "reading"), (signal.SIGTERM, "writing"), (signal.SIGHUP, "writing")):
        tmpdir = tmp_path / f"tmp-{sig.name}-{moment}"
        outdir = tmp_path / f"out-{sig.name}-{moment}"
        tmpdir.mkdir()
        proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "run", str(world.corpus.many),
                                 "-o", str(outdir / "汇总.xlsx"), "--json", str(outdir / "汇总.json"),
                                 "--jobs", "1"],
                                env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        sent = False
        deadline = time.monotonic() + TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if moment == "reading":
                hit = any(p.name.startswith("selfeval-") for p in tmpdir.iterdir())
            else:
                hit = outdir.is_dir() and any(p.name.startswith(".selfeval-") for p in outdir.iterdir())
            if hit:
                proc.send_signal(sig)
                sent = True
                break
            time.sleep(0.002)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            pytest.fail(f"{sig.name} while {moment}: the run did not stop")
        finally:
            # Reading workers outlive a killed parent only until they see their pipe close.
            time.sleep(0.3)
        if not sent:
            continue                                  # finished before we could catch it
        caught.append((sig.name, moment))
        err = err.decode("utf-8", "replace")
        assert proc.returncode != 0, (sig.name, moment)
        assert "Traceback" not in err, err
        # multiprocessing's own pymp-* folder holds no data; our spool and xlsxwriter's
        # temporary files (tmp*) hold everyone's rows.
        left = [p.name for p in tmpdir.iterdir() if not p.name.startswith("pymp-")]
        assert left == [], (sig.name, moment, left)
        hidden = [p.name for p in outdir.iterdir() if p.name.startswith(".")] if outdir.is_dir() else []
        assert hidden == [], (sig.name, moment, hidden)
    assert ("SIGTERM", "reading") in caught and len(caught) >= 2, caught


# --- Determinism -----------------------------------------------------------------------------

def _without_times(data: dict) -> dict:
    facts = dict(data["运行信息"]["概况"])
    for key in ("开始时间", "结束时间", "输入目录", "输入目录（绝对路径）"):
        facts.pop(key, None)
    return {**data, "运行信息": {**data["运行信息"], "概况": facts}}


def test_same_folder_gives_the_same_json_whatever_order_and_jobs(world):
    a, b = world["main"], world["reversed"]     # --jobs 1 / copied in reversed order, --jobs 2
    assert a.returncode == 0 and b.returncode == 0, (a.where(), b.where())
    ja, jb = _without_times(a.json()), _without_times(b.json())
    for table in ja:
        assert ja[table] == jb[table], table


def test_a_boolean_in_one_file_does_not_change_a_number_in_another(world):
    """TRUE typed in 布尔值街道办事处 (read first on the same worker), 1 in 数值街道办事处."""
    rows = [r for r in world["main"].json()["指标明细"] if r["单位名称"] == H.NUMERIC_UNIT
            and r["三级指标"] == "开展专项活动次数"]
    assert len(rows) == 1
    assert str(rows[0]["实际完成值"]) == "1", rows[0]
    assert rows[0]["计算得分"] == 10.0      # 1 次 against ≥1次: full marks


def test_a_percentage_actual_means_the_same_as_text_or_number(world):
    """居民满意度 ≥90%, actual typed as text "0.95" and as 0.95 formatted 0%: 95%, full 10."""
    rows = {r["项目名称"]: r for r in world["main"].json()["指标明细"]
            if r["单位名称"] == H.PERCENT_UNIT and r["三级指标"] == "居民满意度"}
    assert rows["满意度文本项目"]["计算得分"] == rows["满意度数字项目"]["计算得分"] == 10.0, rows


# --- Numbers at the edges ---------------------------------------------------------------------

def _problems(data: dict, file: str) -> list[dict]:
    return [p for p in data["问题清单"] if p["文件"] == file]


def test_implausible_amounts_are_an_error_naming_the_cell(world):
    data = world["main"].json()
    for unit in (H.HUGE_UNIT, H.ASTRO_UNIT):
        errors = [p for p in _problems(data, f"{unit}.xlsx") if p["级别"] == "错误" and p["单元格"]]
        assert errors, (unit, _problems(data, f"{unit}.xlsx"))
        assert all("InvalidOperation" not in (p["说明"] or "") for p in _problems(data, f"{unit}.xlsx"))
    files = {f["文件"]: f for f in data["运行信息"]["文件"]}
    assert files[f"{H.ASTRO_UNIT}.xlsx"]["状态"] == "已读取", files[f"{H.ASTRO_UNIT}.xlsx"]


def test_error_values_are_named_as_such(world):
    found = _problems(world["main"].json(), f"{H.DIV0_UNIT}.xlsx")
    named = [p for p in found if "#DIV/0!" in f"{p['说明']}{p['值']}"]
    assert named and named[0]["单元格"], found
    assert not [p for p in found if "未填写" in (p["说明"] or "")], found


def test_workbooks_named_otherwise_are_read_or_listed_with_the_reason(world):
    data = world["main"].json()
    units = _summary(data)
    for name, unit in H.ODD_SUFFIXES.items():
        listed = _problems(data, name)
        assert unit in units or listed, (name, [f for f in data["运行信息"]["文件"] if f["文件"] == name])
        if unit not in units:
            assert all("不是电子表格" not in p["说明"] for p in listed), listed


# --- The run survives its surroundings -------------------------------------------------------

def _file_entry(data: dict, name: str) -> dict | None:
    return next((f for f in data["运行信息"]["文件"] if f["文件"] == name), None)


def test_fifos_sockets_and_devices_are_skipped_with_a_reason(world):
    run = world["special"]
    assert run.returncode == 0 and not run.timed_out, run.where()
    data = run.json()
    for name in world.corpus.special_names:
        entry = _file_entry(data, name)
        assert entry and entry["状态"] == "已跳过" and entry["原因"], (name, entry)
        assert entry["原因"] != "不是电子表格文件", entry      # the reason names what it is


def test_links_leaving_the_folder_are_not_followed(world):
    run = world["links"]
    assert run.returncode == 0, run.where()
    data = run.json()
    assert world.corpus.outside_unit not in _summary(data)
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert passwd not in json.dumps(data)
    for name in world.corpus.link_names:
        entry = _file_entry(data, name)
        assert entry and entry["状态"] == "已跳过" and entry["原因"], (name, entry)


def test_a_file_claiming_60_gb_is_refused_before_hashing(world):
    run = world["sparse"]
    assert run.returncode == 0 and not run.timed_out, run.where()
    assert run.seconds < 15, run.seconds
    entry = _file_entry(run.json(), "六十G.xlsx")
    assert entry and entry["状态"] != "已读取" and not entry["SHA-256"], entry


def test_a_deep_tree_and_a_non_utf8_folder_name_do_not_stop_the_run(world):
    for name in ("deep", "non_utf8"):
        run = world[name]
        assert run.returncode == 0, run.where()
        assert GOOD_FIGURES.items() <= _summary(run.json()).items()


def test_rosters_are_read_under_the_same_protections(world):
    for name in ("roster_far", "roster_bomb"):
        run = world[name]
        assert run.returncode == 2, run.where()
        assert run.stderr.startswith("错误：") and "名单" in run.stderr, run.where()
    assert world["roster_bomb"].peak < GIB // 2, world["roster_bomb"].peak


# --- Reports ---------------------------------------------------------------------------------

def test_every_unit_gets_its_own_report(world):
    run = world["report"]
    assert run.returncode == 0, run.where()
    announced = [line.removeprefix("已生成：") for line in run.stdout.splitlines() if line.startswith("已生成：")]
    written = sorted((world.out / "report").glob("*.docx"))
    assert len(announced) == len(set(announced)) == len(written)
    assert {Path(a).resolve() for a in announced} == {p.resolve() for p in written}
    titles = {docx.Document(str(p)).paragraphs[0].text for p in written}
    for unit in [*GOOD_FIGURES, *COMPUTABLE]:
        assert unit in titles, unit[:40]
    for p in written:
        assert len(os.fsencode(p.name)) <= 255 and "/" not in p.name
    if world["main"].returncode == 0:       # one report per unit summarised, and the district's
        assert len(written) == len(_summary(world["main"].json())) + 1
