"""Findings are data: a stable code, a severity, where, what is wrong, what to do."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import SimpleNamespace


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

    def sort_key(self):
        return (self.severity.rank, self.unit, self.file, self.sheet, self.code, self.cell)

    def as_row(self) -> tuple:
        """The sort key first, then the rest: how the spool stores a finding."""
        return (*self.sort_key(), self.message, self.project, self.value)

    @classmethod
    def from_row(cls, row) -> Finding:
        rank, unit, file, sheet, code, cell, message, project, value = row
        return cls(code, BY_RANK[rank], message, file, sheet, cell, unit, project, value)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
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
    # --- project ------------------------------------------------------------------
    Check("P101", E, "必填项缺失", "请补充填写该单元格。"),
    Check("P102", E, "数字无法识别", "请在该单元格填写纯数字（如 8.94），不要夹带文字或其他符号。"),
    Check("P103", I, "文本格式的数字已自动转换", "已按数字计算；请改为数字格式填写，以便 Excel 合计。"),
    Check("P104", E, "全年预算数不大于 0", "全年预算数必须大于 0，请核对调整后预算数。"),
    Check("P105", E, "全年执行数为负数", "执行数不能为负数，请核对。"),
    Check("P106", W, "执行数超过预算数", "执行数大于全年预算数，请核对执行数或调整后预算数。"),
    Check("P107", E, "执行率未达标且未说明原因", "执行率低于下限时，须在“执行率未达90%原因”一栏说明原因及改进措施。"),
    Check("P108", E, "资金来源合计不等于资金总额", "本年财政拨款、上年结转资金、其他资金三项之和应等于年度资金总额，请核对。"),
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
    # --- indicator ----------------------------------------------------------------
    Check("I101", E, "指标值缺失", "请填写年度指标值，如 ≥95%、≤24.65万元、2020年12月31日前。"),
    Check("I102", E, "实际完成值缺失", "请填写实际完成值。"),
    Check("I103", E, "指标值无法识别", "请按“比较符+数字+单位”填写，如 ≥95%、=6个。"),
    Check("I104", W, "实际完成值无法按规则计分", "已沿用自评得分；请按指标值的单位填写数字或日期。"),
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
    # --- batch --------------------------------------------------------------------
    Check("B101", W, "同一单位同一年度重复报送", "请确认以哪一份为准，并删除多余的文件。"),
    Check("B102", W, "单位未报送（缺报）", "请联系该单位报送自评表。"),
    Check("B103", W, "报送单位不在名单中", "请核对单位名称是否与名单一致，或是否误报。"),
    Check("B104", W, "自评得分普遍偏高而执行率偏低", "多数项目自评为优，但资金执行率未达标，请复核各项目的指标得分。"),
)
CATALOGUE: dict[str, Check] = {c.code: c for c in _CHECKS}
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


def count_by_severity(findings) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
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
        "| 代码 | 层级 | 级别 | 问题 | 如何修改 |",
        "|---|---|---|---|---|",
        *(f"| {c.code} | {_LEVELS[c.code[0]]} | {c.severity.value} | {c.title} | {c.fix} |"
          for c in CATALOGUE.values()),
        "",
    ]
    return "\n".join(lines)
