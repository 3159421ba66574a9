"""A text-diverse benchmark corpus: forms as other tools write them, not our template.

Each unit is one small workbook written by openpyxl in the national layout (title with
the year, merged label cells, 三级指标 merged over two columns, no 单位信息 sheet), with
5 project sheets of 5–30 indicators each. Names, targets, actuals, goals and reasons
are drawn from word lists with a random generator seeded per unit, so no two units
share their texts the way copies of one base workbook do: caches keyed on cell text
(label folding, target parsing, XML escaping) get no free hits.

Unit i is the same file whatever else is generated (its generator is seeded with
"seed:i"), so a corpus can be built by several processes and extended.
"""
from __future__ import annotations

import os
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
from openpyxl.worksheet.cell_range import CellRange

YEAR = 2020
PROJECTS = 5
VERSION = "d2"   # part of the folder name: change it when the generator changes

# Unit names: district × place × place × quarter gives 20 × 47 × 37 × 5 = 173,900 distinct
# cores; the kind (街道办事处, 镇人民政府…) is drawn per unit, as the roster matching ignores it.
DISTRICTS = ("长安", "新华", "桥西", "裕华", "城东", "城西", "高新", "开发", "滨河", "临江",
             "南湖", "北苑", "东城", "西城", "龙泉", "青山", "白塔", "金川", "凤凰", "永安")
PLACE_A = tuple(dict.fromkeys("中建和平胜利光明解放团结幸福友谊红旗东风向阳新民兴华振兴人民育才"
                              "朝阳太平安宁繁荣富强民主文明永宁长春宝山丰收"))
PLACE_B = tuple(dict.fromkeys("山河路桥街坊园苑林泉湖湾港岭台门坪塘村庄里堡营寨屯店集关口滩沟"
                              "渡洲岗坡峪甸"))
QUARTERS = ("", "东", "西", "南", "北")
KINDS = ("街道办事处", "镇人民政府", "乡人民政府")

TOPICS = ("社区党建", "社区办公", "环境整治", "垃圾分类", "养老服务", "便民服务", "信访维稳", "安全生产",
          "老旧小区改造", "文化活动", "体育健身", "就业援助", "困难群众救助", "网格化管理", "疫情防控",
          "河道保洁", "绿化养护", "道路维修", "路灯照明", "消防安全", "食品安全", "普法宣传", "志愿服务",
          "退役军人服务", "妇女儿童关爱", "残疾人帮扶", "农村饮水", "农田水利", "秸秆禁烧", "人居环境")
PROJECT_KINDS = ("经费", "专项经费", "专项资金", "补助资金", "工作经费", "项目")
ACTS = ("入户走访", "宣传培训", "志愿服务", "安全巡查", "环境清扫", "政策宣讲", "技能培训", "文艺演出",
        "隐患排查", "健康体检", "上门服务", "矛盾调解", "应急演练", "专题讲座", "联合执法", "设施维护")
COUNT_UNITS = (("次数", "次"), ("场次", "场"), ("覆盖户数", "户"), ("参与人次", "人次"), ("服务人数", "人"),
               ("完成数量", "个"), ("发放份数", "份"), ("建设数量", "处"))
QUALITY = ("合格率", "达标率", "完好率", "覆盖率", "验收合格率", "整改完成率", "规范化率", "资金使用合规率")
TIMELY = ("完成时限", "资金支付时限", "验收时限", "整改时限", "开工时间")
COST = ("项目支出成本", "单位服务成本", "人均培训成本", "维护成本", "建设成本")
BENEFIT = {
    "经济效益指标": ("带动就业人数", "节约支出", "增加集体收入", "降低运营成本"),
    "社会效益指标": ("社区治理水平", "群众安全感", "居民参与度", "矛盾纠纷化解率", "服务便利度"),
    "生态效益指标": ("垃圾分类覆盖率", "绿化覆盖率", "空气质量优良天数", "河道水质达标率"),
    "可持续影响指标": ("长效机制建立", "制度建设完善程度", "设施持续使用年限", "管理队伍稳定性"),
}
SATISFACTION = ("居民满意度", "服务对象满意度", "群众满意率", "参训人员满意度", "受益群众满意度")
VAGUE = ("有效提升", "明显改善", "稳步提高", "持续向好", "进一步增强")
CAUSES = ("受疫情影响", "受汛期天气影响", "因施工进度滞后", "因人员调整", "因政府采购流程较长",
          "因部分居民外出务工", "因场地协调困难", "因上级资金到位较晚", "因设备供货延迟")
EFFECTS = ("部分活动延期举办", "部分工程未能按期完工", "部分资金未能及时支付", "服务覆盖面未达预期",
           "培训场次有所减少", "整改进度滞后")
REMEDIES = ("下一步将加强统筹调度", "下年度将提前谋划", "将进一步优化工作流程", "将加快项目实施进度",
            "将完善资金支付管理", "将加强与相关部门沟通协调")
GOALS = ("完成年度工作任务", "提升辖区居民生活质量", "改善人居环境", "保障基层组织正常运转",
         "推进基层治理现代化", "增强群众获得感", "确保辖区安全稳定")


def unit_name(i: int, rng: random.Random) -> str:
    i, b = divmod(i, len(PLACE_B))
    i, a = divmod(i, len(PLACE_A))
    i, d = divmod(i, len(DISTRICTS))
    q = i % len(QUARTERS)
    return f"{DISTRICTS[d]}区{PLACE_A[a]}{PLACE_B[b]}{QUARTERS[q]}{rng.choice(KINDS)}"


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` points over `parts` indicators, each at least 1, unevenly as clerks do."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _reason(rng: random.Random) -> str:
    return f"{rng.choice(CAUSES)}，{rng.choice(EFFECTS)}，{rng.choice(REMEDIES)}。"


def _quantity(rng, topic):
    name, unit = rng.choice(COUNT_UNITS)
    n = rng.choice((rng.randint(2, 60), rng.randint(100, 20000)))
    got = n if rng.random() < 0.8 else max(1, round(n * rng.uniform(0.6, 0.98)))
    if rng.random() < 0.1:
        got = round(n * rng.uniform(1.0, 1.3))
    cmp = rng.choice(("≥", "≥", "不少于", "=", ""))
    return f"{rng.choice(ACTS)}{name}", f"{cmp}{n}{unit}", f"{got}{unit}", got / n


def _percent(rng, names):
    t = rng.choice((80, 85, 90, 95, 98, 100))
    got = min(100, t + rng.randint(0, 8)) if rng.random() < 0.85 else t - rng.randint(1, 12)
    cmp = "" if t == 100 else rng.choice(("≥", "≥", "不低于"))
    got_text = f"{got}%" if got == 100 or rng.random() < 0.9 else f"{got + rng.choice((0.5, 0.25, 0.8))}%"
    return rng.choice(names), f"{cmp}{t}%", got_text, got / t


def _deadline(rng):
    m = rng.randint(6, 12)
    late = rng.random() < 0.08
    d = rng.randint(1, 28)
    done_m = (m % 12) + 1 if late else rng.randint(max(1, m - 3), m)
    actual = f"{YEAR + (m == 12 and late)}年{done_m}月{d}日"
    target = rng.choice((f"{YEAR}年{m}月底前", f"{YEAR}年{m}月{28}日前", f"{m}月前"))
    if target == f"{m}月前":
        actual = f"{done_m}月"   # month-only deadlines come with month-only actuals
    return rng.choice(TIMELY), target, actual, 0.5 if late else 1.0


def _cost(rng, budget):
    cap = round(budget * rng.uniform(0.3, 1.0), 2)
    got = round(cap * rng.uniform(0.85, 1.0), 2) if rng.random() < 0.9 else round(cap * 1.05, 2)
    target = rng.choice((f"≤{cap}万元", f"控制在{cap}万元以内", f"不超过{cap}万元"))
    return rng.choice(COST), target, f"{got}万元", min(1.0, cap / got)


def _qualitative(rng, names):
    achieved = rng.choices(("达成", "已达成", "部分达成"), (8, 2, 1))[0]
    return rng.choice(names), rng.choice(VAGUE), achieved, 1.0 if achieved != "部分达成" else 0.7


def indicators(rng: random.Random, budget: float, executed: float) -> list[tuple]:
    """5–30 indicator rows (level1, level2, level3, target, actual, weight, self score, reason),
    weighted as the national preset (the default) wants: 产出 50, 效益 30, 满意度 10."""
    n = rng.randint(5, 30)
    n_sat = 1 if n < 12 else rng.randint(1, 2)
    n_eff = max(1, round((n - n_sat) * rng.uniform(0.3, 0.5)))
    n_out = n - n_sat - n_eff
    rows = []
    out_kinds = ["数量指标", "质量指标", "时效指标", "成本指标"][:n_out]
    out_kinds += rng.choices(("数量指标", "数量指标", "质量指标", "时效指标"), k=n_out - len(out_kinds))
    for l2, w in zip(sorted(out_kinds, key=("数量指标", "质量指标", "时效指标", "成本指标").index),
                     _split(50, n_out, rng)):
        if l2 == "数量指标":
            made = _quantity(rng, None)
        elif l2 == "质量指标":
            made = _percent(rng, QUALITY)
        elif l2 == "时效指标":
            made = _deadline(rng)
        else:
            made = _cost(rng, budget)
        rows.append(("产出指标", l2, *made, w))
    eff_kinds = sorted(rng.choices(list(BENEFIT), k=n_eff), key=list(BENEFIT).index)
    for l2, w in zip(eff_kinds, _split(30, n_eff, rng)):
        made = (_qualitative(rng, BENEFIT[l2]) if rng.random() < 0.6 else _percent(rng, BENEFIT[l2]))
        rows.append(("效益指标", l2, *made, w))
    for w in _split(10, n_sat, rng) if n_sat > 1 else [10]:
        rows.append(("满意度指标", "服务对象满意度指标", *_percent(rng, SATISFACTION), w))
    out = []
    for l1, l2, l3, target, actual, ratio, w in rows:
        score = w if ratio >= 1 else round(w * ratio, 2)
        if rng.random() < 0.05:
            score = w   # the clerk claims full marks anyway
        reason = _reason(rng) if ratio < 1 and rng.random() < 0.85 else None
        out.append((l1, l2, l3, target, actual, w, score, reason))
    return out


def project(rng: random.Random, unit: str, district: str, used: set[str]) -> dict:
    while True:
        name = f"{rng.choice(('', '', '社区', '辖区', '街道'))}{rng.choice(TOPICS)}{rng.choice(PROJECT_KINDS)}"
        if name not in used:
            used.add(name)
            break
    budget = round(rng.choice((rng.uniform(1, 30), rng.uniform(30, 300), rng.uniform(300, 3000))), 2)
    rate = rng.choice((1.0, 1.0, rng.uniform(0.9, 1.0), rng.uniform(0.55, 0.9)))
    executed = round(budget * rate, 2)
    inds = indicators(rng, budget, executed)
    if executed / budget < 0.9 and rng.random() < 0.8:   # the national form has no field: an 偏差原因 says it
        l1, l2, l3, t, a, w, s, _ = inds[0]
        inds[0] = (l1, l2, l3, t, a, w, s, f"预算执行率偏低，{_reason(rng)}")
    rate_score = min(executed / budget, 1) * 10
    total = round(rate_score + sum(r[6] for r in inds), 2)
    if rng.random() < 0.1:
        total = min(100, round(total + rng.uniform(1, 6), 1))
    grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    fiscal = budget if rng.random() < 0.7 else round(budget * rng.uniform(0.5, 0.95), 2)
    return {"name": name, "unit": unit, "department": f"{district}人民政府", "budget": budget,
                "initial": budget if rng.random() < 0.6 else round(budget * rng.uniform(0.7, 1.0), 2),
                "executed": executed, "fiscal": fiscal, "indicators": inds, "total": total, "grade": grade,
                "planned": f"{rng.choice(GOALS)}，{rng.choice(ACTS)}{rng.randint(2, 40)}次，{rng.choice(GOALS)}。",
                "achieved": f"已{rng.choice(ACTS)}{rng.randint(2, 40)}次，{rng.choice(GOALS)}。"}


def national_sheet(ws, p: dict, rng: random.Random) -> None:
    """The national form, laid out as the budget-system exports do (cf. tests/forms.py)."""
    def put(r, c, v):
        cell = ws.cell(row=r + 1, column=c + 1, value=v)
        if isinstance(v, str) and v.startswith("="):
            cell.data_type = "s"   # typed as text (`=6个`), not a formula

    def merge(r1, c1, r2, c2):
        # Recorded in the sheet's merge list only: ws.merge_cells would also give every
        # covered cell a border object and check the new range against every earlier
        # one, most of the time it takes to write a unit, for nothing a reader sees.
        if (r1, c1) != (r2, c2):
            ws.merged_cells.ranges.add(CellRange(min_row=r1 + 1, min_col=c1 + 1, max_row=r2 + 1, max_col=c2 + 1))

    put(0, 0, "项目支出绩效自评表"); merge(0, 0, 0, 9)
    put(1, 0, f"（{YEAR}年度）"); merge(1, 0, 1, 9)
    put(2, 0, "项目名称"); merge(2, 0, 2, 1); put(2, 2, p["name"]); merge(2, 2, 2, 9)
    put(3, 0, "主管部门"); merge(3, 0, 3, 1); put(3, 2, p["department"]); merge(3, 2, 3, 5)
    put(3, 6, "实施单位"); put(3, 7, p["unit"]); merge(3, 7, 3, 9)
    put(4, 0, "项目资金（万元）"); merge(4, 0, 4, 3)
    for k, h in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        put(4, 4 + k, h)
    other = round(p["budget"] - p["fiscal"], 2)
    other_exec = round(min(other, p["executed"]), 2)
    fiscal_exec = round(p["executed"] - other_exec, 2)
    rows = (("年度资金总额", p["initial"], p["budget"], p["executed"]),
            ("其中：当年财政拨款", p["initial"] if not other else None, p["fiscal"], fiscal_exec),
            ("上年结转资金", None, None, None),
            ("其他资金", None, other or None, other_exec or None))
    for k, (label, a, b, e) in enumerate(rows):
        put(5 + k, 2, label); merge(5 + k, 2, 5 + k, 3)
        put(5 + k, 4, a); put(5 + k, 5, b); put(5 + k, 6, e)
    put(5, 0, "—")
    rate = p["executed"] / p["budget"]
    put(5, 7, 10); put(5, 8, rate); put(5, 9, round(min(rate, 1) * 10, 2))
    put(9, 0, "年度总体目标"); merge(9, 0, 10, 0)
    put(9, 1, "预期目标"); merge(9, 1, 9, 5); put(9, 6, "实际完成情况"); merge(9, 6, 9, 9)
    put(10, 1, p["planned"]); merge(10, 1, 10, 5)
    put(10, 6, p["achieved"]); merge(10, 6, 10, 9)
    cols = (0, 1, 2, 4, 5, 6, 7, 8)
    for h, c in zip(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施"), cols):
        put(11, c, h)
    merge(11, 2, 11, 3); merge(11, 8, 11, 9)
    r = 12
    runs: dict = {}
    for row in p["indicators"]:
        l1, l2 = row[0], row[1]
        if l1 not in runs:
            put(r, 0, l1)
        if (l1, l2) not in runs:
            put(r, 1, l2)
        runs.setdefault(l1, []).append(r)
        runs.setdefault((l1, l2), []).append(r)
        for v, c in zip(row[2:], cols[2:]):
            put(r, c, v)
        merge(r, 2, r, 3); merge(r, 8, r, 9)
        r += 1
    for key, rs in runs.items():
        c = 0 if isinstance(key, str) else 1
        merge(rs[0], c, rs[-1], c)
    put(r, 0, "总分"); merge(r, 0, r, 5); put(r, 6, 100); put(r, 7, p["total"])
    put(r + 1, 0, "自评等级"); merge(r + 1, 0, r + 1, 5); put(r + 1, 6, p["grade"])
    ws.column_dimensions["A"].width = rng.choice((10, 12, 14))
    ws.column_dimensions["C"].width = rng.choice((16, 20, 24))


def write_unit(folder: Path, i: int, seed: int = 7) -> Path:
    """Unit i's workbook in `folder`, written unless it is there already (written under
    a temporary name and renamed, so a file that exists is whole)."""
    rng = random.Random(f"{seed}:{i}")
    unit = unit_name(i, rng)
    path = folder / f"{i:05d}-{unit}{YEAR}年项目支出绩效自评表.xlsx"
    if path.exists():
        return path
    district = unit[:unit.index("区") + 1]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for _ in range(PROJECTS):
        p = project(rng, unit, district, used)
        national_sheet(wb.create_sheet(p["name"][:31]), p, rng)
    part = path.with_suffix(".part")
    wb.save(part)
    os.replace(part, path)
    return path


def _write_range(args: tuple[str, int, int, int]) -> int:
    folder, start, stop, seed = args
    for i in range(start, stop):
        write_unit(Path(folder), i, seed)
    return stop - start


def generate(folder: Path, units: int, seed: int = 7, procs: int = 2) -> None:
    """Writes units 0..units-1 into `folder`, keeping those already there.

    Unit i is the same file in every corpus of this seed, so the units a larger corpus
    beside `folder` already holds are linked, not written again."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.xlsx"))) == units:
        return
    start = _link_from_larger(folder, units, seed)
    step = max(1, min(500, (units - start) // (procs * 4) or 1))
    chunks = [(str(folder), s, min(units, s + step), seed) for s in range(start, units, step)]
    if procs <= 1 or len(chunks) <= 1:
        for c in chunks:
            _write_range(c)
        return
    with ProcessPoolExecutor(procs) as ex:
        for _ in ex.map(_write_range, chunks):
            pass


def _folder_units(folder: Path) -> int | None:
    try:
        return int(folder.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def _link_from_larger(folder: Path, units: int, seed: int) -> int:
    """Links units 0..k-1 from a complete sibling corpus of the same name pattern
    (…-N for N units) and seed 7; returns k."""
    if seed != 7 or _folder_units(folder) != units:
        return 0
    stem = folder.name.rsplit("-", 1)[0]
    for other in sorted(folder.parent.glob(f"{stem}-*"), key=lambda p: _folder_units(p) or 0):
        n = _folder_units(other)
        if n is None or n <= units:
            continue
        files = sorted(other.glob("*.xlsx"))
        if len(files) != n:
            continue   # incomplete (still being written)
        for f in files[:units]:
            if not (folder / f.name).exists():
                os.link(f, folder / f.name)
        return units
    return 0
