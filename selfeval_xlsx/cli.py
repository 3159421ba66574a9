"""The `selfeval` command: a thin layer that parses options, calls the library, prints.

Exit codes: 0 done; 1 `check` found 错误; 2 usage error (bad option, missing folder,
unusable rules file, output not writable); 3 an internal error (run with --debug);
130 interrupted with Ctrl-C.
"""
from __future__ import annotations

import contextlib
import functools
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .atomic import OutputError
from .errors import BatchError, PoolError, RosterError
from .findings import Severity, catalogue_markdown
from .numbers import fmt, fmt_pct
from .procs import warm_up
from .rules import PRESETS, RulesError, dump_rules, resolve_rules

# The reading, writing and report libraries load inside the commands that use them:
# `run` starts its reading workers first, so they boot while those libraries load.

USAGE, INTERNAL, INTERRUPTED = 2, 3, 130


class UsageError(click.ClickException):
    exit_code = USAGE

    def show(self, file=None):
        click.echo(f"错误：{self.format_message()}", err=True)


def _debug() -> bool:
    return bool(click.get_current_context().find_root().params.get("debug"))


def _guard(fn):
    """Library errors become a one-line message; a traceback only with --debug."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        debug = _debug()
        try:
            return fn(*args, **kwargs)
        except (BatchError, RulesError, RosterError, OutputError, PoolError) as e:
            raise UsageError(str(e)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            # Outputs are written to a temporary file and renamed: nothing half-written remains.
            click.echo("已中断，未写出新的结果。", err=True)
            sys.exit(INTERRUPTED)
        except Exception as e:  # noqa: BLE001
            if debug:
                raise
            click.echo(f"内部错误：{type(e).__name__}: {e}\n请加 --debug 重新运行，并把输出交给技术支持。", err=True)
            sys.exit(INTERNAL)
    return wrapper


def rules_options(fn):
    fn = click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
                      help="自定义评分规则文件（TOML），见 `selfeval rules`。")(fn)
    fn = click.option("--preset", type=click.Choice(sorted(PRESETS)), default="seed", show_default=True,
                      help="评分规则预设：seed＝产出40/执行率10/效益40/满意度10；national＝50/10/30/10。")(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="selfeval")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 调用栈。")
def main(debug):
    """项目支出绩效自评：生成模板、审核自评表、汇总全区结果。"""


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="项目支出绩效自评表模板.xlsx",
              show_default=True, help="模板文件的保存路径。")
@click.option("--unit", default="", help="预先填入的单位名称。")
@click.option("--year", type=click.IntRange(2000, 2100), help="预先填入的评价年度。")
@click.option("--projects", type=click.IntRange(1, 200), default=5, show_default=True, help="项目表张数。")
@_guard
def template(output, unit, year, projects):
    """生成空白填报模板。

    例：selfeval template -o 模板.xlsx --unit 中山东路街道办事处 --year 2020
    """
    from .template import write_template
    path = write_template(output, unit=unit, year=year, projects=projects)
    click.echo(f"已生成模板：{path}")


@main.command("rules")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="seed", show_default=True)
def rules_cmd(preset):
    """打印评分规则文件，可另存后修改，再用 --rules 使用。

    例：selfeval rules > 我区规则.toml
    """
    click.echo(dump_rules(PRESETS[preset]), nl=False)


def _default_output(district: str, year) -> Path:
    return Path("output") / f"{district or '汇总'}_{year or '未知年度'}_绩效自评汇总.xlsx"


@main.command()
def checks():
    """打印全部审核规则（代码、级别、问题、如何修改）。

    例：selfeval checks > docs/checks.md
    """
    click.echo(catalogue_markdown(), nl=False)


def batch_options(fn):
    """The options of every command that reads a whole folder."""
    fn = rules_options(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")(fn)
    fn = click.option("-j", "--jobs", type=click.IntRange(0, 256), default=0,
                      help="同时读取文件的进程数；默认等于 CPU 核数。")(fn)
    fn = click.option("--roster", type=click.Path(dir_okay=False),
                      help="应报送单位名单（.txt 每行一个单位，或工作簿第一列），用于发现缺报。")(fn)
    fn = click.option("--year", type=click.IntRange(2000, 2100),
                      help="本批次的评价年度；默认取多数表的年度。")(fn)
    return click.argument("folder", type=click.Path(file_okay=False))(fn)


@contextlib.contextmanager
def _batch(folder, year, roster, jobs, quiet, preset, rules_file, row_values=False):
    rules = resolve_rules(preset, rules_file)
    from .batch import run_batch
    from .roster import load_roster
    names = load_roster(roster) if roster else None
    with _progress(quiet) as progress, \
            run_batch(folder, rules, year=year, roster=names, jobs=jobs, progress=progress,
                      debug=_debug(), row_values=row_values) as result:
        yield result


@main.command()
@batch_options
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="汇总工作簿路径；默认 output/<区县>_<年度>_绩效自评汇总.xlsx。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="另存一份 JSON 结果。")
@_guard
def run(folder, output, json_path, **batch):
    """读取目录中所有自评表，计算、审核并写出汇总工作簿。

    例：selfeval run input_templates/examples/长安区
    """
    warm_up()   # the reading workers boot while the writer's libraries load
    from .json_out import write_json
    from .summary_xlsx import write_summary
    from .terminal import run_report
    # Table rows as values are for --json only; the workbook takes them pre-rendered.
    with _batch(folder, row_values=bool(json_path), **batch) as result:
        path = write_summary(result, output or _default_output(result.district, result.year))
        if json_path:
            write_json(result, json_path)
        for line in run_report(result, path, json_path):
            click.echo(line)


@main.command()
@batch_options
@click.option("-o", "--outdir", type=click.Path(file_okay=False), default="output/报告", show_default=True,
              help="报告的保存目录。")
@_guard
def report(folder, outdir, **batch):
    """按汇总结果起草每个单位的绩效自评工作报告（.docx）和全区汇总报告。

    例：selfeval report input_templates/examples/长安区
    """
    warm_up()   # the reading workers boot while python-docx loads
    from .report import write_reports  # python-docx loads only when reports are asked for
    with _batch(folder, row_values=True, **batch) as result:   # reports list each project
        paths = write_reports(result, outdir)
    for path in paths:
        click.echo(f"已生成：{path}")


@contextlib.contextmanager
def _progress(quiet: bool):
    """A progress bar on stderr, only for a person watching a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bar, open_ = None, False

    def advance(done: int, total: int):
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
        if open_:
            bar.__exit__(None, None, None)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@rules_options
@_guard
def check(files, preset, rules_file):
    """报送前自查：逐条列出问题。有“错误”时退出码为 1。

    例：selfeval check 中山东路街道办事处.xlsx
    """
    rules = resolve_rules(preset, rules_file)
    for name in files:
        if not Path(name).is_file():
            raise UsageError(f"找不到文件：{name}")
    from .pool import read_contained
    errors = 0
    with tempfile.TemporaryDirectory(prefix="selfeval-") as scratch:
        for rows in read_contained([(Path(n), n) for n in files], rules, scratch, jobs=1,
                                   debug=_debug()):
            errors += _print_check(rows)
    if errors:
        sys.exit(1)


def _print_check(rows) -> int:
    """Prints one checked file; returns how many 错误 it has."""
    counts = rows.counts
    click.echo(f"{rows.entry.path}：{rows.unit or '（单位名称未填）'}，{len(rows.projects)} 个项目；"
               + "，".join(f"{s.value} {counts.get(s, 0)}" for s in Severity))
    for p in rows.projects:
        click.echo(f"  [{p.sheet}] {p.name or '（未填项目名称）'}：执行率 {fmt_pct(p.rate)}，"
                   f"计算总分 {fmt(p.total)}，自评总分 {fmt(p.self_total)}，等级 {p.grade or '—'}")
    for f in sorted(rows.all_findings(), key=lambda f: f.sort_key()):
        where = "!".join(x for x in (f.sheet, f.cell) if x)
        click.echo(f"  {f.severity.value} {f.code} {where or '（文件）'}：{f.message}")
    return counts.get(Severity.ERROR, 0)
