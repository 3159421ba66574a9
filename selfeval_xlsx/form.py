"""The 项目支出绩效自评表, described once.

The template writer lays these fields out and the reader finds them again by their
labels, so the two cannot drift apart: a label added here is written *and* read.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


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
# The template's 自查 sheet: formulas listing problems, nothing a clerk fills in.
SELF_CHECK_SHEET = "自查"

# --- header -------------------------------------------------------------------------
PROJECT_NAME = Field("name", "项目名称", required=True, hint="填写预算批复中的项目全称，每个项目一张表。")
DEPARTMENT = Field("department", "主管部门", hint="填写项目的主管部门，如：长安区人民政府。",
                   aliases=("项目主管部门", "主管单位"))
UNIT = Field("unit", "实施单位", required=True, hint="填写本单位全称，与“单位信息”表一致。",
             aliases=("项目实施单位", "项目单位", "填报单位", "预算单位", "项目承担单位"))
YEAR = Field("year", "评价年度", kind="year", required=True, hint="填写四位年份，如 2020。",
             aliases=("年度", "自评年度"))
# Optional: ties the form to its approved targets (selfeval run --targets) where names differ.
PROJECT_CODE = Field("code", "项目编码", hint="选填：预算批复中的项目编码，用于与批复的绩效目标对应。",
                     aliases=("项目代码", "项目编号", "项目编码(项目代码)"))
HEADER_FIELDS = (PROJECT_NAME, DEPARTMENT, UNIT, YEAR)

# --- funds block (万元) ---------------------------------------------------------------
FUNDS_CAPTION = "项目资金（万元）"
FUND_INITIAL = Field("initial", "年初预算数", kind="amount",
                     hint="年初批复的预算数，单位万元，保留两位小数。")
FUND_BUDGET = Field("budget", "全年预算数", kind="amount", required=True,
                    hint="调整后的全年预算数，单位万元，保留两位小数。",
                    aliases=("预算数（调整后）", "调整后预算数", "全年预算数（调整后）", "预算数",
                             "调整预算数", "全年预算", "预算调整数"))
FUND_EXECUTED = Field("executed", "全年执行数", kind="amount", required=True,
                      hint="全年实际支出数，单位万元，保留两位小数。",
                      aliases=("执行数", "实际执行数", "全年实际执行数", "执行数（至年底）",
                               "预算执行数", "实际支出数", "全年实际支出数", "全年执行", "实际支出"))
FUND_WEIGHT = Field("weight", "分值", kind="number", aliases=("权重",))
FUND_RATE = Field("rate", "执行率", kind="number")
FUND_SCORE = Field("score", "得分", kind="number")
FUND_COLUMNS = (FUND_INITIAL, FUND_BUDGET, FUND_EXECUTED, FUND_WEIGHT, FUND_RATE, FUND_SCORE)
FUND_INPUT_COLUMNS = (FUND_INITIAL, FUND_BUDGET, FUND_EXECUTED)

FUND_TOTAL = Field("total", "年度资金总额", aliases=("资金总额", "年度资金总额合计", "总额", "合计",
                                                 "年度资金总额:", "资金合计"))
FUND_FISCAL = Field("fiscal", "其中：本年财政拨款", aliases=("本年财政拨款", "财政拨款", "当年财政拨款", "其中：财政拨款", "其中：当年财政拨款",
                                                       "财政资金", "财政拨款资金", "本级财政资金", "一般公共预算",
                                                       "一般公共预算拨款", "财政拨款收入"))
FUND_CARRYOVER = Field("carryover", "上年结转资金", aliases=("上年结转", "结转资金", "上年结转结余"))
FUND_OTHER = Field("other", "其他资金", aliases=("其他",))
FUND_ROWS = (FUND_TOTAL, FUND_FISCAL, FUND_CARRYOVER, FUND_OTHER)
# Source rows of provincial forms and of the 部门整体 form, read but never written by the
# template: with the rows above they split the total by where the money comes from.
FUND_SOURCE_EXTRA = (
    Field("special_account", "财政专户管理资金", aliases=("财政专户资金", "财政专户管理资金收入")),
    Field("unit_funds", "单位资金", aliases=("单位自有资金", "自有资金", "单位资金收入")),
    Field("fund_budget", "政府性基金预算", aliases=("政府性基金", "政府性基金预算拨款")),
    Field("state_capital", "国有资本经营预算", aliases=("国有资本经营预算拨款",)),
)
# The 部门整体 form also splits the total by what it is spent on.
FUND_BASIC = Field("basic", "基本支出")
FUND_PROJECTS = Field("project_spend", "项目支出")
FUND_USE_ROWS = (FUND_BASIC, FUND_PROJECTS)
READ_FUND_ROWS = FUND_ROWS + FUND_SOURCE_EXTRA + FUND_USE_ROWS
SOURCE_KEYS = tuple(f.key for f in FUND_ROWS[1:] + FUND_SOURCE_EXTRA)
USE_KEYS = tuple(f.key for f in FUND_USE_ROWS)
# A funds-block column where clerks explain a low execution rate.
FUND_NOTE = Field("note", "偏差原因", aliases=("原因说明", "备注", "说明", "执行偏差原因", "偏差原因分析",
                                           "未执行原因", "执行率偏低原因", "偏差原因及改进措施"))

EXEC_REASON = Field("exec_reason", "执行率未达90%原因",
                    hint="全年执行率低于90%时必须填写原因及改进措施；执行率达到90%可留空。",
                    aliases=("执行率偏低原因", "预算执行偏差原因", "执行偏差原因", "未执行原因"))

# --- annual goal ----------------------------------------------------------------------
GOAL_CAPTION = "年度总体目标"
GOAL_PLANNED = Field("goal_planned", "预期目标", hint="填写年初设定的年度总体目标。")
GOAL_ACHIEVED = Field("goal_achieved", "实际完成情况", hint="填写年度总体目标的实际完成情况。")

# --- indicators -----------------------------------------------------------------------
IND_LEVEL1 = Field("level1", "一级指标", required=True, hint="从下拉列表选择：产出指标、效益指标或满意度指标。",
                   aliases=("一级指标名称",))
IND_LEVEL2 = Field("level2", "二级指标", required=True, hint="从下拉列表选择，须属于所选一级指标。",
                   aliases=("二级指标名称",))
IND_LEVEL3 = Field("level3", "三级指标", required=True, hint="填写具体的绩效指标名称。",
                   aliases=("三级指标名称", "指标名称", "具体指标"))
IND_TARGET = Field("target", "年度指标值", required=True,
                   hint="如：≥95%、≤24.65万元、＝6个、≥11528户、2020年12月31日前、有效提升。",
                   aliases=("指标值", "年度目标值", "全年指标值", "目标值", "预期指标值", "年度指标值（A）",
                            "全年目标值", "预期目标值"))
IND_ACTUAL = Field("actual", "实际完成值", required=True,
                   hint="填写实际完成的数值（与指标值单位一致）、日期，或“达成/部分达成/未达成”。",
                   aliases=("全年实际值", "实际值", "完成值", "实际完成情况值", "全年完成值", "实际完成情况",
                            "年度完成值", "实际完成值（B）", "完成情况"))
IND_WEIGHT = Field("weight", "分值", kind="number", required=True, hint="本指标的分值。",
                   aliases=("权重", "指标分值", "权重分值", "标准分值"))
IND_SCORE = Field("self_score", "得分", kind="number", required=True,
                  hint="本单位自评得分，不得高于分值。", aliases=("自评得分", "实际得分", "评分", "评价得分", "自评分"))
IND_REASON = Field("reason", "偏差原因分析及改进措施",
                   hint="未完成目标或未得满分时，说明原因和改进措施。",
                   aliases=("偏差原因分析及改进措施", "偏差原因分析", "偏差原因", "未完成原因分析",
                            "偏差原因及改进措施", "未完成原因和改进措施", "偏差原因分析及整改措施",
                            "原因分析及改进措施", "存在问题及改进措施", "未完成原因及改进措施",
                            "未完成原因及拟采取的改进措施"))
IND_NATURE = Field("nature", "指标性质", aliases=("指标方向", "指标类型", "符号"))
IND_UNIT = Field("unit", "计量单位", aliases=("单位", "度量单位", "指标单位"))
IND_DEDUCT = Field("deduct", "扣分", kind="number", aliases=("扣分值",))
# A satisfaction row's evidence (I122): how it was surveyed and how many answered.
IND_SURVEY = Field("survey_method", "调查方式", hint="满意度指标：填写调查方式和时间，如“问卷调查，2020年11月”。",
                   aliases=("满意度调查方式", "调查方法"))
IND_SAMPLE = Field("sample_size", "样本量", hint="满意度指标：填写有效样本数，如“200份”。",
                   aliases=("调查样本量", "样本数", "有效样本量"))
INDICATOR_COLUMNS = (IND_LEVEL1, IND_LEVEL2, IND_LEVEL3, IND_TARGET, IND_ACTUAL,
                     IND_WEIGHT, IND_SCORE, IND_REASON)
OPTIONAL_INDICATOR_COLUMNS = (IND_NATURE, IND_UNIT, IND_DEDUCT, IND_SURVEY, IND_SAMPLE)

TOTAL = Field("self_total", "总分", kind="number", aliases=("自评总分", "合计得分", "总得分", "合计", "总计"))
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
# Since 2021 some forms make 成本指标 a 一级指标 of its own (财预〔2021〕101号) with these
# 二级; its weight then counts with 产出指标, where the 2020 form has it.
COST = "成本指标"
COST_LEVEL2 = ("经济成本指标", "社会成本指标", "生态环境成本指标", COST)


def is_cost(level1: str, level2: str) -> bool:
    return level2 in COST_LEVEL2 or level1 == COST


def dimension_of(level1: str) -> str:
    """The rules' 一级 dimension an indicator's 一级指标 counts towards."""
    return "产出指标" if level1 == COST else level1


# 一级指标 some newer 部门整体 forms use beside the three above.
DEPT_EXTRA_LEVEL1 = ("履职效能", "管理效率", "运行成本", "决策", "过程", "产出", "效益")
RATE_DIMENSION = "预算执行率"
# Some provinces list the rate as the first row of the indicator table instead.
RATE_ROW_NAMES = frozenset({RATE_DIMENSION, "资金执行率", "执行率", "预算执行", "预算资金执行率", "资金使用率"})
NATURES = ("正向", "反向", "等于", "定性")
ACHIEVEMENT_WORDS = ("达成", "部分达成", "未达成")
GRADES = ("优", "良", "中", "差")

_PAREN = re.compile(r"\([^()]*\)")
_SPACE = re.compile(r"\s+")
# The full-width punctuation Chinese text carries, and what NFKC makes of each.
_WIDE = (("，", ","), ("：", ":"), ("（", "("), ("）", ")"), ("；", ";"), ("％", "%"), ("\u3000", " "))


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), faster on everyday Chinese text.

    CPython's NFKC is cheap on a string it need not change and ~40× dearer on one it
    must: a 20-character sentence with one full-width comma costs ~3 µs, and a province's
    forms hold millions of such cells. Replacing the common full-width punctuation by
    its NFKC form first (str.replace is C-fast) usually leaves nothing to normalise. The
    result is the same either way: NFKC maps each of these characters to exactly that
    replacement, so normalising the replaced text gives NFKC of the original."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    s = nfkc(text)
    return _SPACE.sub("", s).strip("*:：") if not s.isprintable() or " " in s else s.strip("*:：")


def norm_label(text: object) -> str:
    """Folds a cell's text to the form labels are compared in.

    NFKC turns full-width brackets and colons into ASCII ones; clerks add spaces,
    trailing colons and required-field stars freely.
    """
    return _norm(text) if isinstance(text, str) else ""


@functools.lru_cache(maxsize=8192)
def strip_parens(label: str) -> str:
    return _PAREN.sub("", label)


def label_index(fields: Iterable[Field]) -> dict[str, str]:
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


# --- labels as other tools write them -------------------------------------------------
DEPT_TITLE = "部门整体支出绩效自评表"
DEPT_UNIT = Field("unit", "部门（单位）名称", required=True,
                  aliases=("部门名称", "单位名称", "部门", "预算部门", "部门（单位）", "预算单位", "单位（部门）名称"))
DEPT_HEADER_FIELDS = (DEPT_UNIT, YEAR)
_LEVEL_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[0-9]+(?:\.[0-9]+)*[、.．]?|\([一二三四五六七八九十0-9]+\))")
_LEVEL_WEIGHT = re.compile(r"\(?(?:权重|分值)?:?([0-9]+(?:\.[0-9]+)?)分?\)?$")
_LEVEL_NAMES = {name: name for name in (*DIMENSIONS, *(x for v in DIMENSIONS.values() for x in v))}
_LEVEL_NAMES.update({name: name for name in COST_LEVEL2})
_LEVEL_NAMES.update({name.removesuffix("指标"): name for name in list(_LEVEL_NAMES)})
_LEVEL_NAMES.update({"满意度": "满意度指标", "服务对象满意度": "服务对象满意度指标",
                     "社会公众或服务对象满意度指标": "服务对象满意度指标",
                     "社会公众或服务对象满意度": "服务对象满意度指标", "可持续影响": "可持续影响指标"})


@functools.lru_cache(maxsize=4096)
def norm_level(text: str) -> tuple[str, Decimal | None]:
    """A 一级/二级指标 label without numbering or a weight, and the weight it declared:
    `一、产出指标(50分)` → (产出指标, 50); `1.数量指标` → (数量指标, None)."""
    s = _norm(text)
    if not s:
        return "", None
    bare = _LEVEL_NUMBERING.sub("", s, count=1) or s
    weight = None
    m = _LEVEL_WEIGHT.search(bare)
    if m and m.start() > 0 and ("分" in m.group(0) or "(" in m.group(0)):
        weight, bare = Decimal(m.group(1)), bare[:m.start()]
    bare = bare.strip("()")
    name = _LEVEL_NAMES.get(bare)
    if name is None:
        return (text if bare == s else bare), weight
    return name, weight


_PLACEHOLDER = re.compile(r"^(?:(?:三级)?指标[0-9一二三四五六七八九十]*|[0-9]+|[.…·。、_/\\xd7x*-]+|"
                          r"[-—–~～]+|无|略|暂无|填写.*|请填写.*|XX.*|xx.*|××.*)$")


@functools.lru_cache(maxsize=4096)
def is_placeholder(text: str) -> bool:
    """Text a template leaves in an indicator row: 指标1, ……, —, 无."""
    s = _norm(text)
    return not s or bool(_PLACEHOLDER.match(s))


# A reason that says there is nothing to explain: it explains no low execution rate.
_NO_REASON = re.compile(r"^(?:无|没有|暂无|略|无偏差|没有偏差|无明显偏差|未发生偏差|未出现偏差|不存在偏差|不适用|无需说明|"
                        r"无偏差原因|无原因)[。.!！]?$")


@functools.lru_cache(maxsize=4096)
def is_no_reason(text: str) -> bool:
    """Empty, a placeholder, or words that say there is no reason (无。, 未发生偏差)."""
    return is_placeholder(text) or bool(_NO_REASON.match(_norm(text)))


_TEMPLATE_TEXT = re.compile(r"^(?:请)?(?:对照|根据|按照|参照|简要说明|说明|填写|填报)")


@functools.lru_cache(maxsize=4096)
def is_template_text(text: str) -> bool:
    """Instructions a blank form carries in its cells: 对照年度目标，说明…"""
    s = _norm(text)
    # The shape of an instruction, not just its first word: "按照计划完成，情况说明见附件"
    # is an answer. Instructions trail off (…) or tell the clerk what to write (请…, 对照…说明).
    if not s or not _TEMPLATE_TEXT.match(s):
        return False
    return "…" in s or "..." in s or (s.startswith(("请", "对照")) and ("说明" in s or "填写" in s))


_CODE_PREFIX = re.compile(r"^[0-9]{3,}[-_－—:：\s]+(?=\D)")


@functools.lru_cache(maxsize=4096)
def split_unit_code(name: str) -> tuple[str, str]:
    """`219001-某某镇人民政府` → (某某镇人民政府, 219001): budget systems prefix the code."""
    m = _CODE_PREFIX.match(name)
    if not m:
        return name, ""
    return name[m.end():].strip(), m.group(0).strip(" -_－—:：\t")
