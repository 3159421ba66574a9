"""Findings are data: a stable code, a severity, where, what is wrong, what to do."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from types import SimpleNamespace
from typing import Any


class Severity(str, Enum):
    ERROR = "错误"    # a figure cannot be trusted or computed
    WARNING = "警告"  # a reviewer must look
    INFO = "提示"     # we normalised something, or note it

    @property
    def rank(self) -> int:
        return {"错误": 0, "警告": 1, "提示": 2}[self.value]


@dataclass(frozen=True)
class Check:
    code: str
    severity: Severity
    title: str
    fix: str
    rationale: str = ""   # why this severity fits DOMAIN's definitions (docs/checks.md)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""
    project: str = ""
    value: str = ""

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (self.severity.rank, self.unit, self.file, self.sheet, self.code, self.cell)

    def as_row(self) -> tuple[int, str, str, str, str, str, str, str, str]:
        """The sort key first, then the rest: how the spool stores a finding."""
        return (*self.sort_key(), self.message, self.project, self.value)

    @classmethod
    def from_row(cls, row: Iterable[Any]) -> Finding:
        rank, unit, file, sheet, code, cell, message, project, value = row
        return cls(code, BY_RANK[rank], message, file, sheet, cell, unit, project, value)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - short names for the catalogue below
BY_RANK = {s.rank: s for s in Severity}   # how the spool stores a severity, back to it
_CHECKS = (
    # --- file ---------------------------------------------------------------------
    Check("F101", E, "文件无法读取", "请用 Excel 或 WPS 打开确认文件完好，另存为 .xlsx 后重新报送。"),
    Check("F102", E, "文件设有密码", "请取消工作簿密码（文件→信息→保护工作簿）后重新报送。"),
    Check("F103", E, "未找到自评表", "请使用统一模板填报，每个项目一张“项目支出绩效自评表”。"),
    Check("F104", I, "工作表未识别，已跳过", "如该表是项目自评表，请保留模板中的标题行（项目名称、项目资金、一级指标等）。"),
    Check("F105", I, "文件格式与扩展名不符", "已按文件内容读取；建议另存为 .xlsx 后报送。"),
    Check("F106", E, "读取时发生意外错误", "请将该文件另存为 .xlsx 后重试；如仍失败，请把文件交给技术支持。"),
    Check("F107", E, "文件过大", "自评表文件通常小于 1 MB；请删除无关的工作表、图片后另存，再重新报送。"),
    Check("F108", E, "压缩结构异常（疑似压缩炸弹）", "文件解压后异常巨大，可能已损坏或被篡改；请在 Excel/WPS 中重新另存后报送。"),
    Check("F109", E, "工作表过多", "请只保留“单位信息”和各项目的自评表，删除其余工作表后重新报送。"),
    Check("F110", E, "工作表范围异常大", "表格远处有零散内容或格式，请删除数据区以外的行列后另存，再重新报送。"),
    Check("F111", E, "文件含 XML 实体声明", "文件结构异常，可能被篡改；请在 Excel/WPS 中另存为新的 .xlsx 后报送。"),
    Check("F112", I, "工作簿含宏", "只读取了数值，宏没有运行；建议另存为不含宏的 .xlsx 后报送。"),
    Check("F113", E, "读取时程序崩溃或内存超限", "该文件无法安全读取；请在 Excel/WPS 中打开检查，删除异常内容后另存为 .xlsx 再报送。"),
    Check("F114", E, "读取超时", "该文件读取时间过长；请删除无关内容后另存为 .xlsx，再重新报送。"),
    Check("F115", I, "单元格文字写入汇总表时已调整", "汇总表中这些文字与原表不同，完整原文请查看源文件；如是误输入的字符，请在原表中删除。"),
    # --- unit ---------------------------------------------------------------------
    Check("U101", E, "单位名称缺失", "请在“单位信息”表或各项目表的“实施单位”填写单位全称。"),
    Check("U102", W, "各表单位名称不一致", "同一文件内的实施单位应与“单位信息”表的单位名称一致，请统一为全称。"),
    Check("U103", W, "评价年度与本批次不同", "请确认填写的评价年度；如报错了年度的表，请更换为本年度的表。"),
    Check("U104", E, "评价年度缺失或无法识别", "请填写四位数年份，如 2020。"),
    Check("U105", W, "部门整体项目支出与各项目预算合计不符", "请核对部门整体自评表的项目支出与各项目自评表的全年预算数。"),
    # --- project ------------------------------------------------------------------
    Check("P101", E, "必填项缺失", "请补充填写该单元格。"),
    Check("P102", E, "数字无法识别", "请在该单元格填写纯数字（如 8.94），不要夹带文字或其他符号。"),
    Check("P103", I, "文本格式的数字已自动转换", "已按数字计算；请改为数字格式填写，以便 Excel 合计。"),
    Check("P104", E, "全年预算数不大于 0", "全年预算数必须大于 0，请核对调整后预算数。"),
    Check("P105", E, "全年执行数为负数", "执行数不能为负数，请核对。"),
    Check("P106", W, "执行数超过预算数", "执行数大于全年预算数，请核对执行数或调整后预算数。"),
    Check("P107", W, "执行率未达标且未说明原因", "执行率低于下限时，须说明原因及改进措施。"),
    Check("P108", E, "资金来源合计不等于资金总额", "各资金来源（本年财政拨款、上年结转资金、其他资金等）之和，以及基本支出与项目支出之和，应等于年度资金总额，请核对。"),
    Check("P109", W, "自评总分与计算总分不符", "请按评分规则核对各指标得分及总分。"),
    Check("P110", W, "自评等级与总分不符", "请按总分确定等级：优≥90，良80–90，中60–80，差<60。"),
    Check("P111", W, "一级指标分值与规则不符", "请按评分规则设置各一级指标的分值。"),
    Check("P112", W, "缺少一级指标", "每个项目应设置产出、效益、满意度三类一级指标。"),
    Check("P113", W, "项目名称重复", "同一单位的项目名称应唯一；如为不同项目，请写全称加以区分。"),
    Check("P114", W, "金额疑似以元填报", "金额单位为万元，请核对是否误按元填写（1万元=10000元）。"),
    Check("P115", W, "低执行率项目自评偏高", "资金执行率较低而自评得分很高，请核实各指标得分并说明理由。"),
    Check("P116", E, "未填写任何绩效指标", "请在指标区逐行填写一级、二级、三级指标及其指标值、完成值、分值、得分。"),
    Check("P117", W, "执行率分值与规则不符", "预算执行率的分值应与评分规则一致。"),
    Check("P118", W, "执行率得分与规则不符", "执行率得分 = min(执行率, 1) × 分值，请使用模板公式或按此核对。"),
    Check("P119", W, "各项分值合计不为 100", "预算执行率与各指标分值之和应为 100 分，请核对分值。"),
    Check("P120", I, "已忽略模板遗留行", "如这些行是指标，请填写三级指标名称、指标值、完成值和得分；否则可删除。"),
    Check("P121", E, "项目无法计分", "请填写各指标的实际完成值和自评得分后重新报送。"),
    Check("P122", W, "总分或执行率得分未填写", "请在表中填写自评总分（执行率得分与各指标得分之和）和执行率得分。"),
    Check("P123", E, "金额超出合理范围", "请核对该金额，按万元填写正确的数字。"),
    Check("P124", I, "金额按元填报，已换算为万元", "已按万元计算；今后可直接按万元填写。"),
    # --- indicator ----------------------------------------------------------------
    Check("I101", E, "指标值缺失", "请填写年度指标值，如 ≥95%、≤24.65万元、2020年12月31日前。"),
    Check("I102", E, "实际完成值缺失", "请填写实际完成值。"),
    Check("I103", E, "指标值无法识别", "请按“比较符+数字+单位”填写，如 ≥95%、＝6个。"),
    Check("I104", W, "实际完成值无法按规则计分", "已沿用自评得分；请按指标值填写可比较的数字（单位一致）或完成日期（如“2022年6月30日前”）。"),
    Check("I105", E, "分值缺失", "请填写该指标的分值。"),
    Check("I106", E, "得分缺失", "请填写该指标的自评得分。"),
    Check("I107", E, "得分高于分值", "指标得分不能超过其分值，请核对。"),
    Check("I108", W, "自评得分与规则计算不符", "请按评分规则核对得分，或在偏差原因中说明理由。"),
    Check("I109", W, "时效指标逾期仍得满分", "完成日期晚于时限，请按实际情况扣分并说明原因。"),
    Check("I110", W, "定性指标得分超出完成情况对应区间", "达成得分应在分值的80%–100%，部分达成60%–80%，未达成0–60%。"),
    Check("I111", W, "未完成目标且未分析偏差原因", "请在“偏差原因分析及改进措施”说明未完成原因。"),
    Check("I112", W, "成本指标使用了“≥”", "成本指标一般为反向指标，应写作“≤”；请核对。"),
    Check("I113", E, "百分比超过 100%", "满意度等比率不能超过 100%，请核对。"),
    Check("I114", W, "指标值为 0", "指标值为 0 无法衡量完成程度，请设置可衡量的目标。"),
    Check("I115", I, "量化指标使用了模糊表述", "数量、质量、时效、成本指标应设置可量化的目标值。"),
    Check("I116", W, "指标值与完成值单位不一致", "请使用与指标值相同的计量单位填写完成值。"),
    Check("I117", W, "一级、二级指标不匹配或不规范", "请从下拉列表选择一级、二级指标。"),
    Check("I118", I, "完成值按百分比理解", "完成值为小数，已按百分比理解（如 0.98 即 98%）；请核对。"),
    Check("I119", E, "指标值是出错的公式", "请去掉开头的“=”，写作“6个”或“＝6个”（全角等号），或把单元格设为文本格式后重新输入。"),
    Check("I120", I, "指标值相对上年，需人工判断", "请在完成值中写明上年数和本年数（如“上年90%，本年95%”），便于复核。"),
    # --- batch --------------------------------------------------------------------
    Check("B101", W, "同一单位同一年度重复报送", "请确认以哪一份为准，并删除多余的文件。"),
    Check("B102", W, "单位未报送（缺报）", "请联系该单位报送自评表。"),
    Check("B103", W, "报送单位不在名单中", "请核对单位名称是否与名单一致，或是否误报。"),
    Check("B104", W, "自评得分普遍偏高而执行率偏低", "多数项目自评为优，但资金执行率未达标，请复核各项目的指标得分。"),
)
# Why each check has its severity, in DOMAIN's terms (错误 only when a figure cannot be
# computed or trusted); docs/checks.md shows it beside each code.
_RATIONALE = {
    "F101": "文件读不出任何数字，整个单位的数字都无法计算。",
    "F102": "加密的文件无法读取，其中的数字都无法计算。",
    "F103": "文件里没有可读的自评表，该单位没有任何数字可汇总。",
    "F104": "多余的表不影响任何数字，只是告知已跳过。",
    "F105": "按内容读取后数字完整可信，只是提醒文件类型不规范。",
    "F106": "读取中断，文件中的数字无法计算。",
    "F107": "文件超过读取上限而未被读取，其中的数字无法计算。",
    "F108": "文件未被读取（保护整批运行），其中的数字无法计算。",
    "F109": "文件未被读取（保护整批运行），其中的数字无法计算。",
    "F110": "文件未被读取（保护整批运行），其中的数字无法计算。",
    "F111": "文件未被读取（防止实体攻击），其中的数字无法计算。",
    "F112": "宏未运行，读到的数值仍然完整可信，仅作提醒。",
    "F113": "文件读取失败，其中的数字无法计算。",
    "F114": "文件读取未完成，其中的数字无法计算。",
    "F115": "文字写入汇总时为符合表格格式作了替换或截断，数字不受影响，只是告知。",
    "U101": "不知道是哪个单位，数字无法归入任何单位的汇总。",
    "U102": "数字可以计算并归入文件的单位，但名称不一致需要人看一眼。",
    "U103": "数字可以计算，但是否属于本批次需要审核人员判断。",
    "U104": "没有年度就无法判断该文件属于哪一批次，汇总不可信。",
    "U105": "两张表各自的数字都能计算，但相互矛盾，需要审核人员核对哪一方有误。",
    "P101": "缺少的是计算所需的数字或名称，对应的数字无法计算。",
    "P102": "该单元格无法读成数字，依赖它的执行率或得分无法计算。",
    "P103": "程序已把文本规范为数字并照常计算，只是告知。",
    "P104": "预算不大于 0 时无法计算执行率，数字不可信。",
    "P105": "负的执行数使执行率不可信。",
    "P106": "执行率仍可计算（得分封顶），但超支需要审核人员查看。",
    "P107": "执行率和得分都能计算，缺的是文字说明，需审核人员跟进，不是数字错误。",
    "P108": "资金来源之和与总额不符，说明某个金额填错，金额不可信。",
    "P109": "计算总分可由规则得出，自评分不符需审核人员查看。",
    "P110": "等级可由总分得出，表中等级不符需审核人员查看。",
    "P111": "分值方案不同不妨碍计算，但可能用错了模板或规则，需审核人员查看。",
    "P112": "现有指标仍可计分，缺少一类指标需审核人员查看。",
    "P113": "每个项目仍各自计算，重名需审核人员确认是否重复。",
    "P114": "只是推测（表中没有注明金额以元为单位），数字仍按万元计算，需审核人员确认。",
    "P115": "数字都能计算，自评偏高需审核人员查看。",
    "P116": "没有指标就无法计算项目得分。",
    "P117": "执行率得分按规则计算，表中分值不同需审核人员查看。",
    "P118": "执行率得分按规则重新计算，表中得分不同需审核人员查看。",
    "P119": "各指标仍可计分，分值合计不为 100 需审核人员查看。",
    "P120": "模板遗留行不含任何数字，忽略它们不改变结果，只是告知。",
    "P121": "没有完成值和得分就无法计算总分和等级。",
    "P122": "总分可由各项得分算出，表中漏填需审核人员提醒单位补全。",
    "P123": "超出任何预算可能的数额必是误填，该金额及依赖它的数字不可信。",
    "P124": "程序已按表中注明的单位换算为万元，数字可信，只是告知。",
    "I101": "没有指标值就无法按规则计分。",
    "I102": "没有完成值就无法按规则计分。",
    "I103": "指标值读不出来，该指标无法按规则计分。",
    "I104": "已沿用自评得分，总分仍可计算，但该项需要人工判断。",
    "I105": "没有分值就无法计算该指标得分及分值合计。",
    "I106": "没有得分就无法核对自评总分。",
    "I107": "超过分值的得分不可能成立，自评总分不可信。",
    "I108": "计算得分由规则得出，自评分不符需审核人员查看。",
    "I109": "按规则已沿用自评分，逾期满分需审核人员查看。",
    "I110": "计算得分已取区间内最接近的值，自评分超出区间需审核人员查看。",
    "I111": "得分能计算，缺的是偏差原因说明，需审核人员跟进。",
    "I112": "得分能计算，但指标方向可能写反，需审核人员查看。",
    "I113": "超过 100% 的满意度等比率不可能成立，完成值不可信。",
    "I114": "得分能计算，但目标为 0 衡量不出完成程度，需审核人员查看。",
    "I115": "得分沿用自评，属于指标设置质量问题，仅作提醒。",
    "I116": "得分仍可计算，但单位不一致可能导致比较有误，需审核人员查看。",
    "I117": "得分能计算，但指标归类不规范，分类汇总可能不准，需审核人员查看。",
    "I118": "程序已把小数理解为百分比并计分，只是告知以便核对。",
    "I119": "出错的公式没有可用的值，该指标无法按规则计分。",
    "I120": "相对上年的目标缺少上年数据无法计算，已沿用自评分，仅提示人工判断。",
    "B101": "每份文件都能计算，哪份为准需要审核人员确认。",
    "B102": "缺报不是数字错误，需审核人员跟进。",
    "B103": "数字能计算，名单不符需审核人员确认。",
    "B104": "数字都能计算，整体偏高需审核人员查看。",
}
CATALOGUE: dict[str, Check] = {c.code: replace(c, rationale=_RATIONALE[c.code]) for c in _CHECKS}
# The codes as names, from the catalogue: `make(codes.P107, …)`. A mistyped name fails
# where it is used (AttributeError) instead of raising an unknown code's KeyError later.
codes = SimpleNamespace(**{c: c for c in CATALOGUE})


def make(code: str, problem: str, *, value: object = "", file: str = "", sheet: str = "",
         cell: str = "", unit: str = "", project: str = "") -> Finding:
    """A finding whose message is the specific problem followed by the check's fix."""
    check = CATALOGUE[code]
    message = f"{problem.rstrip('。')}。{check.fix}"
    return Finding(code, check.severity, message, file=file, sheet=sheet, cell=cell,
                   unit=unit, project=project, value=_show(value))


def _show(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "…"


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


SEVERITY_MEANING = {
    Severity.ERROR: "数字无法计算或不可信，必须修改后重新报送",
    Severity.WARNING: "审核人员需要查看，可能需要修改或说明",
    Severity.INFO: "程序已自动规范化，或仅作提醒",
}
_LEVELS = {"F": "文件", "U": "单位", "P": "项目", "I": "指标", "B": "批次"}


def catalogue_markdown() -> str:
    """docs/checks.md: every check the code makes, generated so docs cannot drift."""
    lines = [
        "# 审核规则一览",
        "",
        "本文件由 `selfeval checks > docs/checks.md` 生成，请勿手工修改；测试会核对它与代码一致。",
        "",
        "| 级别 | 含义 |",
        "|---|---|",
        *(f"| {s.value} | {m} |" for s, m in SEVERITY_MEANING.items()),
        "",
        "代码首字母表示层级：" + "，".join(f"{k} {v}" for k, v in _LEVELS.items()) + "。",
        "",
        "“为何是此级别”一栏按上面的定义说明：错误只用于数字无法计算或不可信的情形。",
        "",
        "| 代码 | 层级 | 级别 | 问题 | 如何修改 | 为何是此级别 |",
        "|---|---|---|---|---|---|",
        *(f"| {c.code} | {_LEVELS[c.code[0]]} | {c.severity.value} | {c.title} | {c.fix} | {c.rationale} |"
          for c in CATALOGUE.values()),
        "",
    ]
    return "\n".join(lines)
