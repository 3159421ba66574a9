"""What `selfeval run` prints when it is done: a few lines and one small table."""
from __future__ import annotations

from pathlib import Path

from . import figures
from .batch import BatchResult
from .findings import CATALOGUE, Severity
from .numbers import fmt, fmt_pct
from .sheetxml import display_width


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    cols = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(" " * (w - display_width(c)) + c for c, w in zip(cells, cols))
    return [line(headers), *(line(r) for r in rows)]


def run_report(result: BatchResult, path: str | Path, json_path: str | Path | None = None) -> list[str]:
    unit_figures = figures.unit_figures(result)
    total = figures.district_totals(unit_figures).rollup()
    units = len(unit_figures)
    counts = result.severity_counts()
    codes = result.spool.code_counts()
    lines = [f"区县：{result.district}　年度：{result.year or '未知'}　规则：{result.rules.name}",
             f"文件：读取 {len(result.files)} 个，跳过 {len(result.skipped)} 个"]
    if not result.files:
        lines.append("提示：目录中没有找到可读取的电子表格（.xlsx .xlsm .xls .ods），请确认目录是否正确。")
    if result.missing_units:
        lines.append(f"缺报单位 {len(result.missing_units)} 个：" + "、".join(result.missing_units))
    lines += [""] + table(
        ["单位", "项目", "全年预算数（万元）", "全年执行数（万元）", "执行率", *(s.value for s in Severity)],
        [[str(units), str(total.projects), fmt(total.budget), fmt(total.executed),
          fmt_pct(total.rate), *(str(counts[s]) for s in Severity)]])
    # What the figures above leave out (figures.py's rule), where they are shown.
    lines += [*figures.notes(result), ""]
    # What a reviewer acts on comes first: 提示 (we normalised something) only when
    # nothing else was found.
    serious = [(c, n) for c, n in codes if CATALOGUE[c].severity is not Severity.INFO]
    if serious or codes:
        lines.append("最常见的问题：" + "；".join(f"{c} {CATALOGUE[c].title}（{n}）" for c, n in (serious or codes)[:3]))
    lines += _reference_lines(result, dict(codes))
    lines.append(f"汇总工作簿：{path}")
    if json_path:
        lines.append(f"JSON：{json_path}")
    if result.review is not None:   # `--review`: the 复核汇总's 合计 row
        _, t = result.review.unit_rows()
        if not t.sampled:   # unreadable, or none of its rows is a project of this batch
            lines.append("抽查复核：复核底稿中没有读到本批次的抽查项目，原因见问题清单（R101、R102）")
        else:
            lines.append(f"抽查复核：抽查 {t.sampled} 个项目，已复核 {t.reviewed} 个，其中 {t.above} 个自评得分比复核得分"
                         f"高出超过 {fmt(result.review.tolerance)} 分"
                         + (f"（占可比较项目的 {fmt_pct(t.share)}）" if t.share is not None else ""))
    return lines


def _reference_lines(result: BatchResult, counts: dict[str, int]) -> list[str]:
    """One line each for --targets and --previous: what the comparison found, by kind,
    so that a run with them never looks like one without."""
    def found(prefix: str) -> str:
        hits = sorted((c, n) for c, n in counts.items() if c.startswith(prefix))
        if not hits:
            return "未发现问题"
        return "；".join(f"{c} {CATALOGUE[c].title}（{n}）" for c, n in hits)
    out = []
    if result.context.targets is not None:
        out.append(f"对照批复目标：{found('T')}")
    if result.context.previous is not None:
        # No project found in last year's summary: a wrong file (another district's), not
        # a clean year; 未发现问题 alone would say the opposite.
        from .tables import project_table
        rows = [(r.prev_total, r.prev_rate) for r in project_table(result).rows]
        matched = sum(t is not None or r is not None for t, r in rows)
        line = f"对照上年（{result.context.previous.year or '年度未知'}年）：{found('Y')}"
        if rows and not matched:
            line += f"。但本批次 {len(rows)} 个项目在上年汇总中都没有找到，请确认 --previous 是本区县上年的汇总"
        out.append(line)
    return out
