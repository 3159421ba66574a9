"""The 项目支出绩效自评表, described once.

The template writer lays these fields out and the reader finds them again by their
labels, so the two cannot drift apart: a label added here is written *and* read.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | amount | number | year | score
    required: bool = False
    hint: str = ""
    # Other spellings seen on forms made by other tools or older templates.
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


TITLE = "项目支出绩效自评表"
INSTRUCTIONS_SHEET = "填报说明"
UNIT_SHEET = "单位信息"
LISTS_SHEET = "选项"

# --- header -------------------------------------------------------------------------
PROJECT_NAME = Field("name", "项目名称", required=True, hint="填写预算批复中的项目全称，每个项目一张表。")
DEPARTMENT = Field("department", "主管部门", hint="填写项目的主管部门，如：长安区人民政府。")
UNIT = Field("unit", "实施单位", required=True, hint="填写本单位全称，与“单位信息”表一致。")
YEAR = Field("year", "评价年度", kind="year", required=True, hint="填写四位年份，如 2020。",
             aliases=("年度", "自评年度"))
HEADER_FIELDS = (PROJECT_NAME, DEPARTMENT, UNIT, YEAR)

# --- funds block (万元) ---------------------------------------------------------------
FUNDS_CAPTION = "项目资金（万元）"
FUND_INITIAL = Field("initial", "年初预算数", kind="amount",
                     hint="年初批复的预算数，单位万元，保留两位小数。")
FUND_BUDGET = Field("budget", "全年预算数", kind="amount", required=True,
                    hint="调整后的全年预算数，单位万元，保留两位小数。",
                    aliases=("预算数（调整后）", "调整后预算数", "全年预算数（调整后）", "预算数"))
FUND_EXECUTED = Field("executed", "全年执行数", kind="amount", required=True,
                      hint="全年实际支出数，单位万元，保留两位小数。",
                      aliases=("执行数", "实际执行数", "全年实际执行数", "执行数（至年底）"))
FUND_WEIGHT = Field("weight", "分值", kind="number")
FUND_RATE = Field("rate", "执行率", kind="number")
FUND_SCORE = Field("score", "得分", kind="number")
FUND_COLUMNS = (FUND_INITIAL, FUND_BUDGET, FUND_EXECUTED, FUND_WEIGHT, FUND_RATE, FUND_SCORE)
FUND_INPUT_COLUMNS = (FUND_INITIAL, FUND_BUDGET, FUND_EXECUTED)

FUND_TOTAL = Field("total", "年度资金总额", aliases=("资金总额", "年度资金总额合计"))
FUND_FISCAL = Field("fiscal", "其中：本年财政拨款", aliases=("本年财政拨款", "财政拨款", "当年财政拨款", "其中：财政拨款", "其中：当年财政拨款"))
FUND_CARRYOVER = Field("carryover", "上年结转资金", aliases=("上年结转", "结转资金"))
FUND_OTHER = Field("other", "其他资金", aliases=("其他",))
FUND_ROWS = (FUND_TOTAL, FUND_FISCAL, FUND_CARRYOVER, FUND_OTHER)

EXEC_REASON = Field("exec_reason", "执行率未达90%原因",
                    hint="全年执行率低于90%时必须填写原因及改进措施；执行率达到90%可留空。",
                    aliases=("执行率偏低原因", "预算执行偏差原因", "执行偏差原因", "未执行原因"))

# --- annual goal ----------------------------------------------------------------------
GOAL_CAPTION = "年度总体目标"
GOAL_PLANNED = Field("goal_planned", "预期目标", hint="填写年初设定的年度总体目标。")
GOAL_ACHIEVED = Field("goal_achieved", "实际完成情况", hint="填写年度总体目标的实际完成情况。")

# --- indicators -----------------------------------------------------------------------
IND_LEVEL1 = Field("level1", "一级指标", required=True, hint="从下拉列表选择：产出指标、效益指标或满意度指标。")
IND_LEVEL2 = Field("level2", "二级指标", required=True, hint="从下拉列表选择，须属于所选一级指标。")
IND_LEVEL3 = Field("level3", "三级指标", required=True, hint="填写具体的绩效指标名称。")
IND_TARGET = Field("target", "年度指标值", required=True,
                   hint="如：≥95%、≤24.65万元、=6个、≥11528户、2020年12月31日前、有效提升。",
                   aliases=("指标值", "年度目标值", "全年指标值", "目标值"))
IND_ACTUAL = Field("actual", "实际完成值", required=True,
                   hint="填写实际完成的数值（与指标值单位一致）、日期，或“达成/部分达成/未达成”。",
                   aliases=("全年实际值", "实际值", "完成值", "实际完成情况值"))
IND_WEIGHT = Field("weight", "分值", kind="number", required=True, hint="本指标的分值。")
IND_SCORE = Field("self_score", "得分", kind="number", required=True,
                  hint="本单位自评得分，不得高于分值。", aliases=("自评得分",))
IND_REASON = Field("reason", "偏差原因分析及改进措施",
                   hint="未完成目标或未得满分时，说明原因和改进措施。",
                   aliases=("偏差原因分析及改进措施", "偏差原因分析", "偏差原因", "未完成原因分析"))
IND_NATURE = Field("nature", "指标性质", aliases=("指标方向",))
IND_UNIT = Field("unit", "计量单位", aliases=("单位",))
INDICATOR_COLUMNS = (IND_LEVEL1, IND_LEVEL2, IND_LEVEL3, IND_TARGET, IND_ACTUAL,
                     IND_WEIGHT, IND_SCORE, IND_REASON)
OPTIONAL_INDICATOR_COLUMNS = (IND_NATURE, IND_UNIT)

TOTAL = Field("self_total", "总分", kind="number", aliases=("自评总分", "合计得分", "总得分"))
GRADE = Field("self_grade", "自评等级", aliases=("等级", "评价等级"))

# --- 单位信息 sheet ---------------------------------------------------------------------
UNIT_INFO_FIELDS = (
    Field("unit", "单位名称", required=True, hint="填写单位全称，如：中山东路街道办事处。"),
    Field("district", "所属区县", hint="如：长安区。"),
    Field("year", "评价年度", kind="year", required=True, hint="填写四位年份，如 2020。"),
    Field("contact", "联系人", hint="填报人姓名。"),
    Field("phone", "联系电话", hint="填报人电话。"),
    Field("organisation", "组织开展情况", hint="简述本单位绩效自评工作的组织开展情况，将写入自评报告。"),
    Field("problems", "存在问题", hint="简述自评发现的主要问题。"),
    Field("measures", "整改措施", hint="针对问题的整改措施及结果应用。"),
)

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
RATE_DIMENSION = "预算执行率"
NATURES = ("正向", "反向", "等于", "定性")
ACHIEVEMENT_WORDS = ("达成", "部分达成", "未达成")
GRADES = ("优", "良", "中", "差")

_PAREN = re.compile(r"\([^()]*\)")
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", s).strip("*:：")


def norm_label(text: object) -> str:
    """Folds a cell's text to the form labels are compared in.

    NFKC turns full-width brackets and colons into ASCII ones; clerks add spaces,
    trailing colons and required-field stars freely.
    """
    return _norm(text) if isinstance(text, str) else ""


@functools.lru_cache(maxsize=8192)
def strip_parens(label: str) -> str:
    return _PAREN.sub("", label)


def label_index(fields) -> dict[str, str]:
    """Maps every folded spelling of the fields' labels to the field key."""
    index: dict[str, str] = {}
    for f in fields:
        for spelling in f.labels:
            index.setdefault(norm_label(spelling), f.key)
    return index


def match(text: object, index: dict[str, str]) -> str | None:
    s = norm_label(text)
    if not s:
        return None
    if s in index:
        return index[s]
    bare = strip_parens(s)
    return index.get(bare) if bare != s else None
