"""A small district for the 抽查复核 tests: three units, nine projects whose risk factors
are known by construction (a low-execution project self-scored high, a budget cut,
budgets of distinct sizes), filled in our template as a clerk would (tests/forms.py)."""
from __future__ import annotations

from pathlib import Path

from selfeval_xlsx.rules import SEED
from tests.forms import filled_template

REASON = "合同未到付款节点，尾款于次年一季度支付"


def project(name: str, budget: float, executed: float, initial: float | None = None) -> dict:
    """Seven indicators, all met at full marks, named after the project (no P128 copies)."""
    rows = [
        ("产出指标", "数量指标", f"{name}服务次数", "≥10次", "10次", 10, 10, ""),
        ("产出指标", "质量指标", f"{name}资金使用合规率", "100%", "100%", 10, 10, ""),
        ("产出指标", "时效指标", f"{name}资金支付时限", "2020年12月31日前", "2020年12月25日", 10, 10, ""),
        ("产出指标", "成本指标", f"{name}项目支出成本", f"≤{budget}万元", f"{executed}万元", 10, 10, ""),
        ("效益指标", "社会效益指标", f"{name}群众受益人数", "≥500人", "520人", 20, 20, ""),
        ("效益指标", "可持续影响指标", f"{name}长效机制运行年限", "≥3年", "3年", 20, 20, ""),
        ("满意度指标", "服务对象满意度指标", f"{name}群众满意度", "≥90%", "92%", 10, 10, ""),
    ]
    low = executed < budget * 0.9
    return {"name": name, "year": 2020, "department": "长安区人民政府", "initial": initial or budget,
            "budget": budget, "executed": executed, "fiscal": budget, "exec_reason": REASON if low else "",
            "indicators": rows}


# unit → projects (name, 全年预算数, 全年执行数, 年初预算数)
DISTRICT = {
    "甲街道办事处": [("甲一低执行", 100, 50, None), ("甲二", 10, 10, None), ("甲三", 20, 20, None)],
    "乙街道办事处": [("乙一调减", 30, 30, 40), ("乙二小额", 5, 5, None), ("乙三", 8, 8, None)],
    "丙街道办事处": [("丙一", 12, 12, None), ("丙二", 15, 15, None), ("丙三", 6, 6, None)],
}


def build(folder: Path, district: dict = DISTRICT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for unit, rows in district.items():
        projects = [dict(project(n, b, e, i), unit=unit) for n, b, e, i in rows]
        filled_template(folder / f"{unit}.xlsx", projects, unit=unit, rules=SEED)
    return folder
