"""The `selfeval` command: a thin layer that parses options, calls the library, prints.

Exit codes:
  0    done
  1    `check` found 错误
  2    usage: a bad option or argument; the folder is missing, is a file, or holds no
       readable workbook; a rules or roster file cannot be used; an output would
       overwrite an input or another output, or cannot be written (locked, no permission)
  3    internal error (run again with --debug and send the output to support)
  4    a disk is full: the output's or the temporary folder's (nothing was replaced)
  129  stopped by SIGHUP (terminal closed)      130  interrupted with Ctrl-C
  141  the output pipe was closed (`… | head`)  143  stopped by SIGTERM
When a command stops with 2, 3, 4, 129, 130 or 143 no output has been changed and no
temporary file is left behind. With 141 the outputs were written before the pipe closed.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from . import __version__, click_zh
from .errors import (
    BatchError,
    NoSpaceError,
    OutputError,
    PoolError,
    RosterError,
    Terminated,
    find_os_error,
    is_no_space,
    os_reason,
)
from .findings import Severity, catalogue_markdown
from .numbers import fmt, fmt_pct
from .procs import warm_up
from .rules import DEFAULT_PRESET, PRESETS, RulesError, dump_rules, resolve_rules
from .textgate import file_part, terminal

if TYPE_CHECKING:   # loaded inside the commands that use them (see below)
    from click._termui_impl import ProgressBar

    from .api import Results
    from .batch import Progress
    from .inputs import Listing
    from .rows import FileRows
    from .rules import Rules

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# The reading, writing and report libraries load inside the commands that use them:
# `run` starts its reading workers first, so they boot while those libraries load.

click_zh.install()   # before the decorators below build help texts from click's words

USAGE, INTERNAL, NO_SPACE, INTERRUPTED, BROKEN_PIPE = 2, 3, 4, 130, 141
DEFAULT_OUTPUT_DIR = Path("output")


class UsageError(click.ClickException):
    exit_code = USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{terminal(self.format_message())}", err=True)


def _debug() -> bool:
    return bool(click.get_current_context().find_root().params.get("debug"))


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a command the way Ctrl-C does: the exception unwinds
    through every `finally`, so the spool and half-written outputs are removed."""
    def stop(signum: int, frame: FrameType | None) -> NoReturn:
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)   # once is enough: let the clean-up finish
        raise Terminated(signum)
    previous: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int | None] = {}
    try:
        for s in (signal.SIGTERM, signal.SIGHUP):
            previous[s] = signal.signal(s, stop)
    except ValueError:
        pass   # not the main thread (embedded use): leave signals alone
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _private_temp() -> Iterator[None]:
    """Everything a command puts in the temporary folder goes into one folder of its own,
    removed at the end whatever happened (xlsxwriter, for one, leaves its files behind
    when the disk fills up)."""
    from multiprocessing import util
    util.get_temp_dir()   # multiprocessing's own folder stays where multiprocessing removes it
    try:
        private = tempfile.mkdtemp(prefix="selfeval-run-")
    except OSError:
        yield   # a command that needs the temporary folder will say what is wrong with it
        return
    previous, tempfile.tempdir = tempfile.tempdir, private
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(private, ignore_errors=True)


def _quit(message: str, code: int) -> NoReturn:
    with contextlib.suppress(OSError):   # stderr may be a closed pipe too
        click.echo(terminal(message), err=True)
    sys.exit(code)


def _guard(fn: Callable[P, T]) -> Callable[P, T]:
    """Library errors become a one-line Chinese message and an exit code; a traceback
    only with --debug."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        debug = _debug()
        try:
            with _stop_signals(), _private_temp():
                return fn(*args, **kwargs)
        except NoSpaceError as e:
            _quit(f"错误：{e}", NO_SPACE)
        except (BatchError, RulesError, RosterError, OutputError, PoolError) as e:
            raise UsageError(str(e)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Terminated as e:
            _quit(f"已收到{e.name}信号，已停止，未写出新的结果。", 128 + e.signum)
        except KeyboardInterrupt:
            # Outputs are written to temporary files and renamed: nothing half-written remains.
            _quit("已中断，未写出新的结果。", INTERRUPTED)
        except BrokenPipeError:
            # `selfeval run … | head`: the reader of our output has gone. Whatever was to be
            # written has been; the rest of the text has nowhere to go.
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            _quit("提示：输出管道已关闭（如 | head），其余内容未显示；已写出的文件不受影响。", BROKEN_PIPE)
        except Exception as e:
            if debug:
                raise
            if is_no_space(e):
                _quit(f"错误：临时目录 {tempfile.gettempdir()} 所在磁盘空间不足，未写出新的结果。"
                      f"请清理磁盘，或用环境变量 TMPDIR 指定空间充足的目录后重试。", NO_SPACE)
            found = find_os_error(e)
            if found is not None and found.filename and not isinstance(e, OSError):
                detail = f"{found.filename}：{os_reason(found)}"
            else:
                detail = f"{type(e).__name__}: {e}"
            _quit(f"内部错误：{detail}\n请加 --debug 重新运行，并把输出交给技术支持。", INTERNAL)
    return wrapper


def rules_options(fn: F) -> F:
    fn = click.option("--rules", "rules_file", type=click.Path(dir_okay=False), metavar="规则文件",
                      help="自定义评分规则文件（TOML），见 `selfeval rules`。")(fn)
    fn = click.option("--preset", type=click.Choice(sorted(PRESETS)), default=DEFAULT_PRESET,
                      show_default=True,
                      help="评分规则预设：seed＝产出40/执行率10/效益40/满意度10；national＝50/10/30/10。")(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]",
             subcommand_metavar="命令 [参数]...")
@click.version_option(__version__, prog_name="selfeval")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 调用栈。")
def main(debug: bool) -> None:
    """项目支出绩效自评：生成模板、审核自评表、汇总全区结果。"""


@main.command(options_metavar="[选项]")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="项目支出绩效自评表模板.xlsx",
              show_default=True, metavar="文件", help="模板文件的保存路径。")
@click.option("--unit", default="", metavar="单位名称", help="预先填入的单位名称。")
@click.option("--year", type=click.IntRange(2000, 2100), metavar="年度", help="预先填入的评价年度。")
@click.option("--projects", type=click.IntRange(1, 200), default=5, show_default=True, metavar="张数",
              help="项目表张数。")
@rules_options
@_guard
def template(output: str, unit: str, year: int | None, projects: int, preset: str, rules_file: str | None) -> None:
    """生成空白填报模板（分值按所选评分规则填写）。

    例：selfeval template -o 模板.xlsx --unit 中山东路街道办事处 --year 2020
    """
    rules = resolve_rules(preset, rules_file)
    from .template import write_template
    path = write_template(output, unit=unit, year=year, projects=projects, rules=rules)
    click.echo(terminal(f"已生成模板：{path}"))


@main.command("rules", options_metavar="[选项]")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=DEFAULT_PRESET, show_default=True,
              help="要打印的评分规则预设。")
@_guard
def rules_cmd(preset: str) -> None:
    """打印评分规则文件，可另存后修改，再用 --rules 使用。

    例：selfeval rules > 我区规则.toml
    """
    click.echo(dump_rules(PRESETS[preset]), nl=False)


def _default_output(district: str, year: int | None) -> Path:
    """output/<区县>_<年度>_绩效自评汇总.xlsx, from cleaned text only: a 所属区县 of
    `../../x`, `/abs` or one with NUL stays a plain name inside output/."""
    part = re.sub(r"\.{2,}", "_", file_part(district, fallback="汇总"))   # no `..` left to look like a way up
    return DEFAULT_OUTPUT_DIR / f"{part}_{year or '未知年度'}_绩效自评汇总.xlsx"


@main.command(options_metavar="[选项]")
@_guard
def checks() -> None:
    """打印全部审核规则（代码、级别、问题、如何修改）。

    例：selfeval checks > docs/checks.md
    """
    click.echo(catalogue_markdown(), nl=False)


def batch_options(fn: F) -> F:
    """The options of every command that reads a whole folder."""
    fn = rules_options(fn)
    fn = click.option("--follow-links", is_flag=True,
                      help="也读取符号链接指向的输入目录之外的文件和目录（默认跳过并在运行信息中列出）。")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")(fn)
    fn = click.option("-j", "--jobs", type=click.IntRange(0, 256), default=0, metavar="进程数",
                      help="同时读取文件的进程数；默认等于 CPU 核数。")(fn)
    fn = click.option("--previous", type=click.Path(dir_okay=True), metavar="上年汇总",
                      help="上年用 selfeval run 生成的汇总工作簿（.xlsx）或 JSON：项目明细增加上年得分、上年执行率，"
                           "并列出整改未到位、连续两年得分偏低或执行率未达标、沿用上年已远超的指标值。")(fn)
    fn = click.option("--targets", type=click.Path(), metavar="文件或目录",
                      help="批复的绩效目标（申报表工作簿或其所在目录），逐个项目对照指标、指标值和分值。")(fn)
    fn = click.option("--roster", type=click.Path(dir_okay=False), metavar="名单文件",
                      help="应报送单位名单（.txt 每行一个单位，或工作簿第一列），用于发现缺报。")(fn)
    fn = click.option("--year", type=click.IntRange(2000, 2100), metavar="年度",
                      help="本批次的评价年度；默认取多数表的年度。")(fn)
    # file_okay: a file given here gets our own message, which points to `selfeval check`.
    return click.argument("folder", type=click.Path(), metavar="目录")(fn)


def _listing(folder: str, follow_links: bool) -> Listing:
    """The inputs, looked at before anything is read or written."""
    from .inputs import scan
    listing = scan(folder, follow_links=follow_links, exclude=(DEFAULT_OUTPUT_DIR,))
    listing.require_workbooks()
    return listing


def review_option(fn: F) -> F:
    """`--review`: a filled 复核底稿 to read back (review.py). A path that does not exist is a usage error."""
    return click.option("--review", type=click.Path(exists=True, dir_okay=False), metavar="复核底稿",
                        help="读回填好的复核底稿（selfeval sample 生成），在汇总中增加“复核”和“复核汇总”表。")(fn)


@contextlib.contextmanager
def _batch(listing: Listing, rules: Rules, year: int | None, roster: str | None, jobs: int, quiet: bool,
           targets: str | None = None, previous: str | None = None, review: str | None = None,
           **_: object) -> Iterator[Results]:
    """The library's evaluate() on the folder as listed (the listing reaches it through
    inputs.planned), with a progress bar."""
    from .api import evaluate
    from .inputs import planned
    from .roster import load_roster
    names = load_roster(roster, debug=_debug()) if roster else None
    with planned(listing), _progress(quiet) as progress, \
            evaluate(listing.root, rules=rules, year=year, roster=names, jobs=jobs, progress=progress,
                     debug=_debug(), targets=targets, previous=previous, review=review) as result:
        if not any(w.totals.projects for w in result.files):
            failed = "；".join(f"{w.entry.path}：{w.entry.reason or '未找到项目支出绩效自评表'}"
                              for w in result.files[:5])
            raise UsageError(f"目录 {listing.root} 中没有能读出项目自评表的文件，未写出任何文件。{failed}"
                             + ("；……" if len(result.files) > 5 else ""))
        yield result


@main.command(options_metavar="[选项]")
@batch_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="文件",
              help="汇总工作簿路径；默认 output/<区县>_<年度>_绩效自评汇总.xlsx。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), metavar="文件", help="另存一份 JSON 结果。")
@review_option
@_guard
def run(folder: str, output: str | None, json_path: str | None, **batch: Any) -> None:
    """读取目录中所有自评表，计算、审核并写出汇总工作簿。

    例：selfeval run input_templates/examples/长安区
    """
    warm_up()   # the reading workers boot while the writer's libraries load
    rules = resolve_rules(batch["preset"], batch["rules_file"])   # a bad rules file stops us before reading
    listing = _listing(folder, batch["follow_links"])
    listing.refuse_overwriting({"汇总工作簿（-o）": output, "JSON（--json）": json_path})
    _keep_previous(batch.get("previous"), output, json_path)
    from .atomic import OutputSet
    from .json_out import write_json
    from .summary_xlsx import write_summary
    from .terminal import run_report
    with OutputSet(), _batch(listing, rules, **batch) as result:
        path = output or _default_output(result.district, result.year)
        listing.refuse_overwriting({"汇总工作簿": path, "JSON（--json）": json_path})
        _keep_previous(batch.get("previous"), path, json_path)
        write_summary(result, path)
        if json_path:
            write_json(result, json_path)
        lines = run_report(result, path, json_path)
    for line in lines:   # only once every output is in place
        click.echo(terminal(line))


def _keep_previous(previous: str | None, *outputs: str | os.PathLike[str] | None) -> None:
    """Last year's summary is read, never overwritten by this year's."""
    if previous is None:
        return
    for out in outputs:
        if out is not None and os.path.exists(out) and os.path.exists(previous) \
                and os.path.samefile(out, previous):
            raise UsageError(f"输出 {out} 就是 --previous 给出的上年汇总，会被覆盖；请换一个输出路径")


@main.command(options_metavar="[选项]")
@batch_options
@click.option("-o", "--outdir", type=click.Path(), default="output/报告", show_default=True, metavar="目录",
              help="报告的保存目录。")
@review_option
@_guard
def report(folder: str, outdir: str, **batch: Any) -> None:
    """按汇总结果起草每个单位的绩效自评工作报告（.docx）和全区汇总报告。

    例：selfeval report input_templates/examples/长安区
    """
    warm_up()   # the reading workers boot while python-docx loads
    rules = resolve_rules(batch["preset"], batch["rules_file"])
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise UsageError(f"报告目录 {outdir} 是一个已有的文件，不是目录；请换一个目录")
    listing = _listing(folder, batch["follow_links"])
    from .atomic import OutputSet
    from .report import write_reports  # python-docx loads only when reports are asked for
    with OutputSet(), _batch(listing, rules, **batch) as result:
        paths = write_reports(result, outdir)
    for path in paths:
        click.echo(terminal(f"已生成：{path}"))


@main.command(options_metavar="[选项]")
@batch_options
@click.option("--share", required=True, metavar="比例", help="抽样比例：15%、15 或 0.15 都表示 15%。")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), metavar="种子",
              help="随机种子；同样的输入、规则和种子抽出同样的项目。不指定时自动选择并打印。")
@click.option("--at-least", type=click.Choice(["1-per-unit"]), metavar="1-per-unit",
              help="1-per-unit：每个单位至少抽 1 个项目（未抽中的单位各补抽 1 个，总数相应增加）。")
@click.option("--risk", is_flag=True, help="按风险加权抽样（权重见规则文件的 [抽查复核] 一节）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="文件",
              help="复核底稿路径；默认 output/<区县>_<年度>_抽查复核底稿.xlsx。")
@_guard
def sample(folder: str, share: str, seed: int | None, at_least: str | None, risk: bool, output: str | None,
           **batch: Any) -> None:
    """抽取项目进行抽查复核，写出复核底稿（可重现：打印并记录随机种子）。

    例：selfeval sample input_templates/examples/长安区 --share 25% --seed 2021
    """
    warm_up()
    rules = resolve_rules(batch["preset"], batch["rules_file"])
    from .sampling import SampleError, draw, parse_share, report_lines
    try:
        fraction = parse_share(share)
    except SampleError as e:
        raise UsageError(str(e)) from None
    listing = _listing(folder, batch["follow_links"])
    listing.refuse_overwriting({"复核底稿（-o）": output})
    from .atomic import OutputSet
    from .review_xlsx import write_review_sheet
    with OutputSet(), _batch(listing, rules, **batch) as result:
        drawn = draw(result, fraction, seed, risk=risk, at_least_per_unit=at_least is not None)
        if not drawn.population:
            raise UsageError(f"没有计入汇总的项目可供抽样（{drawn.left_out_note() or '无项目'}），未写出复核底稿。")
        default = _default_output(result.district, result.year)
        path = Path(output) if output else default.with_name(default.name.replace("绩效自评汇总", "抽查复核底稿"))
        listing.refuse_overwriting({"复核底稿": path})
        again = _again(folder, share, drawn.seed, at_least, risk, batch)
        write_review_sheet(result, drawn, path, again)
        lines = report_lines(drawn, path, again)
    for line in lines:
        click.echo(terminal(line))


def _again(folder: str, share: str, seed: int, at_least: str | None, risk: bool, batch: dict[str, Any]) -> str:
    """The command that draws the same sample: every option that changes the population
    or the weights (--targets and --previous add findings, which weigh in --risk)."""
    def arg(text: object) -> str:   # quoted only where a shell would split or expand it
        t = str(text)
        return shlex.quote(t) if not t or re.search(r"[\s'\"\\$`!*?#&;|<>(){}\[\]~]", t) else t
    words = ["selfeval", "sample", arg(folder), "--share", arg(share), "--seed", str(seed)]
    words += ["--at-least", "1-per-unit"] if at_least else []
    words += ["--risk"] if risk else []
    words += ["--rules", arg(batch["rules_file"])] if batch["rules_file"] else ["--preset", batch["preset"]]
    for option in ("year", "targets", "previous", "roster"):
        if batch.get(option):
            words += [f"--{option}", arg(batch[option])]
    words += ["--follow-links"] if batch.get("follow_links") else []
    return " ".join(words)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr, only for a person watching a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bar: ProgressBar[int] | None = None
    open_ = False

    def advance(done: int, total: int) -> None:
        nonlocal bar, open_
        if bar is None:
            bar = click.progressbar(length=total, label="读取", file=sys.stderr, show_pos=True,
                                    show_eta=True).__enter__()
            open_ = True
        bar.update(1)
        if done >= total:  # close the bar before the summary is printed
            bar.__exit__(None, None, None)
            open_ = False
    try:
        yield advance
    finally:
        if open_ and bar is not None:   # open_ only once bar is made
            bar.__exit__(None, None, None)


@main.command(options_metavar="[选项]")
@click.argument("files", nargs=-1, required=True, type=click.Path(), metavar="文件...")
@rules_options
@_guard
def check(files: tuple[str, ...], preset: str, rules_file: str | None) -> None:
    """报送前自查：逐条列出问题。有“错误”时退出码为 1。

    例：selfeval check 中山东路街道办事处.xlsx
    """
    rules = resolve_rules(preset, rules_file)
    from .inputs import check_file
    refused = {name: check_file(name) for name in files}
    from .pool import read_contained
    errors = 0
    for name, reason in refused.items():
        if reason:   # judged from its size alone: a sparse file may claim 60 GB
            click.echo(terminal(f"{name}：错误 F107 （文件）：{reason}"))
            errors += 1
    readable = [(Path(n), n) for n, reason in refused.items() if not reason]
    with tempfile.TemporaryDirectory(prefix="selfeval-") as scratch:
        for rows in read_contained(readable, rules, scratch, jobs=1, debug=_debug()):
            errors += _print_check(rows)
    if errors:
        sys.exit(1)


def _print_check(rows: FileRows) -> int:
    """Prints one checked file; returns how many 错误 it has."""
    counts = rows.counts

    def say(text: str) -> None:
        click.echo(terminal(text))
    from .workbook import SKIPPED
    if rows.entry.status == SKIPPED:   # our own summary or 复核底稿, saved again
        say(f"{rows.entry.path}：{rows.entry.reason}")
        return 0
    say(f"{rows.entry.path}：{rows.unit or '（单位名称未填）'}，{len(rows.projects)} 个项目；"
        + "，".join(f"{s.value} {counts.get(s, 0)}" for s in Severity))
    for p in rows.projects:
        say(f"  [{p.sheet}] {p.name or '（未填项目名称）'}：执行率 {fmt_pct(p.rate)}，"
            f"计算总分 {fmt(p.total)}，自评总分 {fmt(p.self_total)}，等级 {p.grade or '—'}")
    for f in sorted(rows.all_findings(), key=lambda f: f.sort_key()):
        where = "!".join(x for x in (f.sheet, f.cell) if x)
        say(f"  {f.severity.value} {f.code} {where or '（文件）'}：{f.message}")
    return counts.get(Severity.ERROR, 0)


@main.command("merge", options_metavar="[选项]")
@click.argument("summaries", nargs=-1, required=True, type=click.Path(), metavar="汇总文件...")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="文件",
              help="合并后的汇总工作簿路径；默认 output/<合并范围>_<年度>_绩效自评汇总.xlsx。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), metavar="文件", help="另存一份 JSON 结果。")
@click.option("--name", metavar="名称", help="合并范围的名称（如 石家庄市），用于页眉和默认文件名；默认取区县名。")
@click.option("--allow-mixed-rules", is_flag=True,
              help="评分规则不同的汇总也合并（合计和区县的等级按第一份输入的等级线，运行信息中注明）。")
@click.option("--allow-mixed-years", is_flag=True, help="评价年度不同的汇总也合并（运行信息中注明各年度的份数）。")
@click.option("-j", "--jobs", type=click.IntRange(0, 256), default=0, metavar="进程数",
              help="同时读取汇总文件的进程数；默认等于 CPU 核数。")
@_guard
def merge_cmd(summaries: tuple[str, ...], output: str | None, json_path: str | None, name: str | None,
              allow_mixed_rules: bool, allow_mixed_years: bool, jobs: int) -> None:
    """把各区县的汇总（selfeval run 写出的 JSON 或汇总工作簿）合并为市、省汇总，不重新读取自评表。

    例：selfeval merge 长安区.json 桥西区.json --name 石家庄市 -o 石家庄市汇总.xlsx
    """
    from .atomic import OutputSet
    from .merging import merge

    def refuse_inputs(outputs: dict[str, str | Path | None]) -> None:
        for what, p in outputs.items():
            for s in summaries:
                if p and os.path.exists(p) and os.path.exists(s) and os.path.samefile(p, s):
                    raise UsageError(f"{what} {p} 是要合并的输入文件；写出会覆盖它，请换一个输出位置")

    refuse_inputs({"汇总工作簿（-o）": output, "JSON（--json）": json_path})
    with OutputSet(), merge(summaries, name=name, allow_mixed_rules=allow_mixed_rules,
                            allow_mixed_years=allow_mixed_years, jobs=jobs or None) as merged:
        path = output or _default_output(merged.name, merged.year)
        refuse_inputs({"汇总工作簿": path})
        merged.write_summary(path)
        if json_path:
            merged.write_json(json_path)
        t, districts = merged.total, merged.districts
        lines = [(f"合并：{len(merged.inputs)} 份汇总，{len(districts)} 个区县，单位 {sum(d.units for d in districts)} 个，"
                 f"项目 {t.projects} 个；全年预算数 {fmt(t.budget)} 万元，全年执行数 {fmt(t.executed)} 万元，"
                 f"执行率 {fmt_pct(t.rate)}；错误 {t.errors}，警告 {t.warnings}，提示 {t.infos}"),
                 f"汇总工作簿：{path}"] + ([f"JSON：{json_path}"] if json_path else [])
    for line in lines:
        click.echo(terminal(line))
