"""Builds last year's (2019) summary of the example district 长安区, for `--previous`.

The 2019 workbooks are filled the way make_examples.py fills 2020's, mostly clean, with
a few problems that are still there in 2020 (so `selfeval run … --previous` has exactly
these to report, and nothing else):

- 中山东路街道办事处·专项经费: activities short of target with no reason (I111) both years;
- 育才街道办事处·环境卫生保洁经费: its 成本指标 written with “≥” (I112) both years;
- 谈固街道办事处·平安建设经费: executed under 90 % both years (82.31 %, then 70 %);
- 育才街道办事处·社区设施维护经费: 12 inspections done against ≥4次 in 2019, and the
  same ≥4次 set again for 2020.
One repeat must stay silent: 广安街道办事处 typed its amounts as text both years (P103,
a 提示 that we normalised, not a problem a reviewer follows up).

The workbooks are generated in a temporary folder and run through our own pipeline;
only the summary is kept:

    python input_templates/make_previous_example.py   # writes input_templates/examples/长安区2019年汇总.xlsx
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_examples as ex  # noqa: E402 - the 2020 builder, from this folder

import selfeval_xlsx as se  # noqa: E402

YEAR = 2019
OUT = HERE / "examples" / f"{ex.DISTRICT}{YEAR}年汇总.xlsx"


def units() -> list[ex.Unit]:
    proj, standard = ex.proj, ex.standard
    # I111 in both years: fewer activities than planned, nothing said about it.
    special = standard(budget=25, executed=24.6, social=15, sustain=15)
    special[0] = ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "8次", 10, 8, "")
    # I112 in both years: a cost target written with ≥.
    cleaning = standard(budget=28, executed=28)
    cleaning[3] = ("产出指标", "成本指标", "保洁成本", "≥28万元", "28万元", 10, 10, "")
    # 12 inspections against ≥4次 (explained, so no I121 in 2019) — and ≥4次 kept for 2020.
    upkeep = standard(budget=11, executed=10.9)
    upkeep[0] = ("产出指标", "数量指标", "设施巡检次数", "≥4次", "12次", 10, 10, "上级临时增加汛期巡检任务，超额完成")
    return [
        ex.Unit("中山东路街道办事处", [
            proj("社区党建经费", 8.5, 8.5),
            proj("社区办公经费", 23.8, 23.8),
            ex.Proj("专项经费", 25, 24.6, initial=25, indicators=special,
                    goal=("开展社区专项活动，改善社区环境。", "开展专项活动8次。")),
            proj("信访维稳经费", 6.5, 6.5),
            proj("补充经费", 6, 6),
        ], contact="王敏", phone="0311-86000001"),
        ex.Unit("建北街道办事处", [
            proj("社区党建经费", 10, 10),
            proj("社区办公经费", 27.5, 27.2),
            proj("环境卫生整治经费", 34, 34),
        ], contact="李娜", phone="0311-86000002"),
        ex.Unit("青园街道办事处", [
            proj("社区党建经费", 9, 9),
            proj("社区办公经费", 21, 20.8),
            proj("网格化管理经费", 17.5, 17.1),
        ], contact="张伟", phone="0311-86000003"),
        ex.Unit("广安街道办事处", [
            proj("社区党建经费", "８.６", "８.６"),   # text amounts again: P103, a 提示
            proj("社区办公经费", 25.8, 25.5),
        ], contact="赵磊", phone="0311-86000004"),
        ex.Unit("育才街道办事处", [
            proj("环境卫生保洁经费", 28, 28, indicators=cleaning),
            proj("社区设施维护经费", 11, 10.9, indicators=upkeep),
            proj("社区党建经费", 9.2, 9.2),
        ], contact="刘洋", phone="0311-86000005"),
        ex.Unit("跃进街道办事处", [
            proj("社区办公经费", 23.2, 22.9),
            proj("信访维稳经费", 7.5, 7.5),
            proj("文化活动经费", 6, 5.9),
        ], contact="陈静", phone="0311-86000006"),
        ex.Unit("河东街道办事处", [
            proj("老旧小区改造经费", 38, 37.4, sheet="老旧小区改造"),
            proj("社区文化建设经费", 15, 14.8, sheet="文化建设"),
            proj("社区党建经费", 10.8, 10.8, sheet="党建"),
        ], contact="杨帆", phone="0311-86000007"),
        ex.Unit("谈固街道办事处", [
            proj("社区办公经费", 27.5, 27.5),
            # under 90 % in 2019 too, explained both years
            proj("平安建设经费", 13, 10.7, exec_reason="监控设备招标流标，重新招标后于次年初完成采购。"),
        ], contact="周洁", phone="0311-86000008"),
    ]


def main(out: Path = OUT, json_out: Path | None = None) -> None:
    """Writes last year's summary to `out` (and, if given, its JSON to `json_out`)."""
    out = out.resolve()
    this_year, ex.YEAR = ex.YEAR, YEAR   # make_examples dates its forms (评价年度, 时效指标) by this
    try:
        _build(out, json_out)
    finally:
        ex.YEAR = this_year
    print(f"已生成 {out.relative_to(HERE.parent) if out.is_relative_to(HERE.parent) else out}")


def _build(out: Path, json_out: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / ex.DISTRICT
        folder.mkdir()
        for unit in units():
            target = folder / f"{unit.name}.xlsx"
            ex.write_template(target, unit=unit.name, year=YEAR, projects=len(unit.projects), rules=ex.RULES)
            ex.fill(target, unit)
        cwd = os.getcwd()
        os.chdir(tmp)   # 运行信息 records the input folder as 长安区, not a temporary path
        try:
            with se.evaluate(ex.DISTRICT, rules=ex.RULES, jobs=1) as results:
                if results.year != YEAR:
                    raise SystemExit(f"2019 年的表读出的年度为 {results.year}")
                se.write_summary(results, out)
                if json_out is not None:
                    se.write_json(results, json_out.resolve())
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else OUT)
