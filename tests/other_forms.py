"""Forms as other tools and provinces lay them out, written cell by cell the way they
appear in published self-evaluations: a sheet is a list of rows, None for an empty cell."""
from __future__ import annotations

from pathlib import Path

import openpyxl


def write(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(row=r, column=c, value=v)
                    if isinstance(v, str) and v.startswith("="):
                        ws.cell(row=r, column=c).data_type = "s"   # typed text, not a formula
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def road_form(reason_on_cost: str | None = "项目结余资金7万元，已按规定收回", weights_in_labels: bool = True,
              with_total: bool = True) -> list[list]:
    """A county's national-layout form in 元, with 调整后预算数/预算执行数/权重, a 度量单位
    column, weights in the 一级指标 labels, a template row left behind and 合计 as 总分.
    By hand: rate 430000/500000 = 86 % → 8.6; 养护里程 28 of ≥30 公里 → 20 × 28/30 = 18.6667;
    11月 is within 11月底前; a bare cost amount is a ceiling (1.4 ≤ 1.5万元 → 10);
    total 8.6 + 18.6667 + 10 + 10 + 10 + 14 + 15 + 10 = 96.2667."""
    l1 = ("产出指标(50分)", "效益指标（30分）", "满意度指标(10分)") if weights_in_labels else \
        ("产出指标", "效益指标", "满意度指标")
    rows = [
        ["项目支出绩效自评表"],
        ["（2022年度）"],
        ["项目名称", None, "农村公路养护"],
        ["主管部门", None, "某县交通运输局", None, None, None, "实施单位", "219001-某某镇人民政府"],
        ["项目资金（元）", None, None, None, "年初预算数", "调整后预算数", "预算执行数", "权重", "执行率", "得分"],
        [None, None, "年度资金总额", None, 500000, 500000, 430000, 10, 0.86, 8.6],
        [None, None, "其中：财政资金", None, 500000, 500000, 430000],
        [None, None, "上年结转资金"],
        [None, None, "其他资金"],
        ["年度总体目标", "预期目标", None, None, None, None, "实际完成情况"],
        [None, "完成农村公路养护30公里。", None, None, None, None, "完成养护28公里。"],
        ["一级指标", "二级指标", "三级指标", None, "年度指标值", "度量单位", "实际完成值", "权重", "得分",
         "偏差原因分析及改进措施"],
        [l1[0], "数量指标", "养护里程", None, "≥30", "公里", 28, 20, 18.67, "部分路段因雨季推迟"],
        [None, "质量指标", "养护合格率", None, "≥95%", None, "98%", 10, 10],
        [None, "时效指标", "完成时间", None, "11月底前", None, "11月", 10, 10],
        [None, "成本指标", "每公里养护成本", None, "1.5万元", None, "1.4万元", 10, 10, reason_on_cost],
        [l1[1], "社会效益指标", "群众出行条件", None, "有效改善", None, "达成", 15, 14],
        [None, "可持续影响指标", "长效管护机制", None, "建立", None, "达成", 15, 15],
        [None, "生态效益指标", "指标1"],
        [l1[2], "服务对象满意度指标", "群众满意度", None, "≥90%", None, "95%", 10, 10],
    ]
    if with_total:
        rows.append(["合计", None, None, None, None, None, None, 100, 96.27])
    return rows


def eldercare_form() -> list[list]:
    """A provincial layout: inline 项目名称：…, 金额单位：万元, 总额/实际支出数, a 偏差原因
    column in the funds block, a two-row indicator header (指标值 over 指标性质 | 年度目标值),
    a 扣分 column beside 得分, relative and zero targets, month deadlines.
    By hand: rate 45 % → 4.5; 210 ≥ 200人 → 20; 100% = 100% → 10; 7月 before 9月前 → 10;
    500 ≤ 500元 → 10; 较上年提高 keeps its self score 18; 0起 of =0起 → 10;
    "0.93" of ≥90% → 93 % → 10. Total 92.5."""
    return [
        ["2021年度项目支出绩效自评表"],
        ["项目名称：社区养老服务补贴"],
        ["实施单位：某某街道办事处"],
        [None, None, None, None, None, None, None, "金额单位：万元"],
        ["资金情况", None, "年初预算数", "全年预算数", "实际支出数", "分值", "执行率", "得分", "偏差原因"],
        ["总额", None, 100, 100, 45, 10, "45%", 4.5, "下半年补贴资金未拨付到位"],
        ["其中：财政拨款", None, 100, 100, 45],
        ["单位资金", None, 0, 0, 0],
        [],
        ["一级指标", "二级指标", "三级指标", "指标值", None, "完成值", "分值", "扣分", "得分", "偏差原因分析"],
        [None, None, None, "指标性质", "年度目标值"],
        ["产出指标", "数量指标", "服务老人人数", "≥", "200人", "210人", 20, 0, 20],
        [None, "质量指标", "补贴发放准确率", "﹦", "100%", "100%", 10, 0, 10],
        [None, "时效指标", "补贴发放时间", "定性", "9月前", "7月", 10, 0, 10],
        [None, "成本指标", "人均补贴标准", "≤", "500元", "500元", 10, 0, 10],
        ["效益指标", "社会效益指标", "老人生活质量", "定性", "较上年提高", "有所提高", 20, 2, 18],
        [None, "社会效益指标", "安全事故", "＝", "0起", "0起", 10, 0, 10],
        ["满意度指标", "服务对象满意度指标", "老人满意度", "≥", "90%", "0.93", 10, 0, 10],
        ["合计", None, None, None, None, None, 100, 2, 92.5],
    ]


def dept_form(project_spend: float = 400) -> list[list]:
    """A 部门整体支出绩效自评表 with its funds split by source and by use.
    By hand: rate 1150/1200 → 9.5833; indicators 20 + 28 (qualitative, its own score)
    + 20 + 9 + 10 = 87; total 96.5833."""
    return [
        ["部门整体支出绩效自评表"],
        ["（2022年度）"],
        ["部门（单位）名称", None, "219003-某某镇人民政府"],
        ["年度预算执行情况（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", None, 1000, 1200, 1150, 10, 0.9583, 9.58],
        ["按收入性质分"],
        ["财政拨款", None, 900, 1100, 1060],
        ["其他资金", None, 100, 100, 90],
        ["按支出性质分"],
        ["基本支出", None, 700, 800, 790],
        ["项目支出", None, 300, project_spend, 1150 - 790],
        ["年度总体目标", "预期目标", None, None, "实际完成情况"],
        [None, "保障机构正常运转，完成年度重点任务。", None, None, "全部完成。"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "重点工作完成数", "≥10项", "10项", 20, 20],
        [None, "质量指标", "重点工作完成质量", "达到考核要求", "达成", 30, 28],
        ["效益指标", "社会效益指标", "群众安全感", "≥95%", "96%", 20, 20],
        [None, "可持续影响指标", "制度建设", "持续完善", "达成", 10, 9],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "92%", 10, 10],
        ["总分", None, None, None, None, 100, 96.58],
    ]


def small_project(name: str, budget: float, executed: float, unit: str = "某某镇人民政府",
                  actuals: bool = True, total: object = "computed") -> list[list]:
    """A national form from another tool with every target met (or, actuals=False, the
    blank form's own instructions left in place and nothing scored)."""
    rate = executed / budget
    if total == "computed":
        total = round(min(rate, 1) * 10 + 90, 2)
    act = (lambda v: v) if actuals else (lambda v: "对照年度指标值，说明实际完成情况…")
    score = (lambda v: v) if actuals else (lambda v: None)
    return [
        ["项目支出绩效自评表"],
        ["（2022年度）"],
        ["项目名称", None, name],
        ["主管部门", None, "某县人民政府", None, "实施单位", unit],
        ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", None, budget, budget, executed, 10, rate, min(rate, 1) * 10 if actuals else None],
        ["其中：当年财政拨款", None, budget, budget, executed],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "完成数量", "≥10个", act("10个"), 30, score(30)],
        [None, "质量指标", "合格率", "100%", act("100%"), 20, score(20)],
        ["效益指标", "社会效益指标", "服务水平", "有效提升", act("达成"), 30, score(30)],
        ["满意度指标", "服务对象满意度指标", "满意度", "≥90%", act("95%"), 10, score(10)],
        ["总分", None, None, None, None, 100, total],
    ]
