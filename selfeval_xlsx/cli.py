"""The `selfeval` command: a thin layer that parses options, calls the library, prints.

Exit codes: 0 done; 1 `check` found 错误; 2 usage error (bad option, missing folder,
unusable rules file, output not writable); 3 an internal error (run with --debug);
130 interrupted with Ctrl-C.
"""
from __future__ import annotations

import functools
import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .batch import BatchError, run_batch
from .findings import CATALOGUE, Severity, catalogue_markdown, count_by_severity
from .numbers import fmt, fmt_pct
from .roster import RosterError, load_roster
from .rules import PRESETS, RulesError, dump_rules, resolve_rules
from .scoring import rollup
from .atomic import OutputError, replacing
from .summary_xlsx import write_summary
from .tables import as_json
from .template import write_template
from .pool import read_contained

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
        except (BatchError, RulesError, RosterError, OutputError) as e:
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


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="汇总工作簿路径；默认 output/<区县>_<年度>_绩效自评汇总.xlsx。")
@click.option("--year", type=click.IntRange(2000, 2100), help="本批次的评价年度；默认取多数表的年度。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="另存一份 JSON 结果。")
@click.option("--roster", type=click.Path(dir_okay=False),
              help="应报送单位名单（.txt 每行一个单位，或工作簿第一列），用于发现缺报。")
@rules_options
@_guard
def run(folder, output, year, json_path, roster, preset, rules_file):
    """读取目录中所有自评表，计算、审核并写出汇总工作簿。

    例：selfeval run input_templates/examples/长安区
    """
    rules = resolve_rules(preset, rules_file)
    names = load_roster(roster) if roster else None
    result = run_batch(folder, rules, year=year, roster=names, debug=_debug())
    path = write_summary(result, output or _default_output(result.district, result.year))
    if json_path:
        _write_json(as_json(result), json_path)
    findings = result.all_findings()
    counts = count_by_severity(findings)
    total = rollup((sp.project, sp.score) for w in result.counted for sp in w.projects)
    units = len({w.unit for w in result.counted})
    click.echo(f"区县：{result.district}　年度：{result.year or '未知'}　规则：{rules.name}")
    click.echo(f"文件：读取 {len(result.workbooks)} 个，跳过 {len(result.skipped)} 个")
    if result.missing_units:
        click.echo(f"缺报单位 {len(result.missing_units)} 个：" + "、".join(result.missing_units))
    click.echo(f"单位：{units} 个　项目：{total.projects} 个　全年预算数 {fmt(total.budget)} 万元　"
               f"全年执行数 {fmt(total.executed)} 万元　执行率 {fmt_pct(total.rate)}")
    click.echo("问题：" + "　".join(f"{s.value} {counts[s]}" for s in Severity))
    common = Counter(f.code for f in findings).most_common(3)
    if common:
        click.echo("最常见：" + "；".join(f"{c} {CATALOGUE[c].title}（{n}）" for c, n in common))
    click.echo(f"汇总工作簿：{path}")
    if json_path:
        click.echo(f"JSON：{json_path}")


def _write_json(data: dict, path: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


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
    errors = 0
    for result in read_contained([(Path(n), n) for n in files], rules, jobs=1, debug=_debug()):
        name = result.file.path
        counts = count_by_severity(result.findings)
        errors += counts[Severity.ERROR]
        click.echo(f"{name}：{result.unit or '（单位名称未填）'}，{len(result.projects)} 个项目；"
                   + "，".join(f"{s.value} {counts[s]}" for s in Severity))
        for sp in result.projects:
            p, s = sp.project, sp.score
            click.echo(f"  [{p.sheet}] {p.name or '（未填项目名称）'}：执行率 {fmt_pct(s.rate)}，"
                       f"计算总分 {fmt(s.total)}，自评总分 {fmt(s.self_total)}，等级 {s.grade or '—'}")
        for f in sorted(result.findings, key=lambda f: f.sort_key()):
            where = "!".join(x for x in (f.sheet, f.cell) if x)
            click.echo(f"  {f.severity.value} {f.code} {where or '（文件）'}：{f.message}")
    if errors:
        sys.exit(1)
