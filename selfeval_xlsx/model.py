"""Plain data read from the forms. No file access here: scoring and checks take these."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .targets import Actual, Target


@dataclass
class FundLine:
    key: str            # total | fiscal | carryover | other | … (form.READ_FUND_ROWS)
    label: str
    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    cells: dict[str, str] = field(default_factory=dict)   # field key -> A1
    note: str = ""      # a 偏差原因/备注 column of the funds block


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: Target
    actual: Actual
    weight: Decimal | None
    self_score: Decimal | None
    reason: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    declared_weight: Decimal | None = None   # a weight written in the 一级指标 label: 产出指标(50分)
    survey_method: str = ""   # 调查方式 / 样本量: a satisfaction row's evidence (our template)
    sample_size: str = ""
    approved: str = ""        # the approved 指标值 (approved.compare): 指标明细's 批复指标值


@dataclass
class Project:
    file: str
    sheet: str
    name: str = ""
    kind: str = "project"   # project | dept (部门整体支出绩效自评表)
    department: str = ""
    unit: str = ""
    year: int | None = None
    funds: dict[str, FundLine] = field(default_factory=dict)
    rate_weight: Decimal | None = None      # the 分值 printed beside 执行率
    self_rate_score: Decimal | None = None  # the 得分 beside 执行率, if the form has one
    exec_reason: str = ""
    goal_planned: str = ""
    goal_achieved: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    self_total: Decimal | None = None
    self_grade: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    unit_code: str = ""              # a budget code written before the unit name
    code: str = ""                   # 项目编码: on the form, its 申报表 or 项目基本信息 (sheetkinds)
    amount_unit: str = ""            # 元 or 万元 where the form states it; amounts are held in 万元
    fund_note_column: bool = False   # the funds block has a 偏差原因/备注 column
    score_columns: frozenset[str] = frozenset()   # the indicator columns the form has
    template_form: bool = False      # filled in our template (its 总分 is a formula)

    @property
    def declared_weights(self) -> dict[str, Decimal]:
        """Weights the 一级指标 labels declare, by dimension."""
        out: dict[str, Decimal] = {}
        for i in self.indicators:
            if i.declared_weight is not None:
                out.setdefault(i.level1, i.declared_weight)
        return out

    @property
    def total_line(self) -> FundLine:
        return self.funds.get("total") or FundLine("total", "年度资金总额")

    @property
    def budget(self) -> Decimal | None:
        return self.total_line.budget

    @property
    def executed(self) -> Decimal | None:
        return self.total_line.executed

    @property
    def initial(self) -> Decimal | None:
        return self.total_line.initial


@dataclass
class UnitInfo:
    file: str
    sheet: str
    unit: str = ""
    district: str = ""
    year: int | None = None
    contact: str = ""
    phone: str = ""
    organisation: str = ""
    problems: str = ""
    measures: str = ""
    cells: dict[str, str] = field(default_factory=dict)
