"""Builds the example district's filled 复核底稿: input_templates/examples/长安区复核底稿.xlsx.

The bureau draws a quarter of 长安区's projects with a fixed seed, then its reviewers
type their scores and opinions into the two open columns, here with openpyxl as a
person types into Excel. Most scores stay close to the self-scores; two projects are
marked clearly lower: 谈固街道办事处's 平安建设经费 (70% executed, output targets not met
but full marks) and 跃进街道办事处's 文化活动经费 (spent over budget, satisfaction
without a survey). The file sits beside the 长安区 folder, not inside it.

    python input_templates/make_review_example.py
    selfeval run input_templates/examples/长安区 --review input_templates/examples/长安区复核底稿.xlsx
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_examples import _schema_font_order  # noqa: E402 - the sibling script, found through HERE

ROOT = HERE.parent
DISTRICT = "input_templates/examples/长安区"    # relative: the 底稿 records the folder as given
OUTPUT = HERE / "examples" / "长安区复核底稿.xlsx"
COMMAND = ["sample", DISTRICT, "--share", "25%", "--seed", "2021", "-q", "-o", str(OUTPUT.relative_to(ROOT))]

# (单位名称, 项目名称) → (复核得分, 复核意见)
REVIEWS = {
    ("中山东路街道办事处", "社区党建经费"): (95, "资料齐全，得分合理。"),
    ("中山东路街道办事处", "社区办公经费"): (94, "办公设备采购验收单缺2份，质量指标酌减2分。"),
    ("广安街道办事处", "社区党建经费"): (94, "活动记录完整；满意度调查仅30份样本，酌减1分。"),
    ("建北街道办事处", "老旧小区改造配套经费"): (93.5, "工程已竣工验收，尾款未付导致执行率97%，时效指标酌减。"),
    ("谈固街道办事处", "平安建设经费"): (80, "执行率仅70%，巡防设备未按期安装，数量、时效指标未完成却得满分，应扣12分。"),
    ("跃进街道办事处", "文化活动经费"): (86, "执行数超出全年预算0.5万元且无调整批复；满意度100%无问卷佐证，扣9分。"),
    ("青园街道办事处", "社区党建经费"): (95, "与台账核对一致。"),
}


def main() -> Path:
    subprocess.run([sys.executable, "-m", "selfeval_xlsx", *COMMAND], cwd=ROOT, check=True)
    wb = openpyxl.load_workbook(OUTPUT)
    ws = wb["复核底稿"]
    col = {c.value: c.column for c in ws[1]}
    filled = set()
    for r in range(2, ws.max_row + 1):
        key = (ws.cell(r, col["单位名称"]).value, ws.cell(r, col["项目名称"]).value)
        if key in REVIEWS:
            score, opinion = REVIEWS[key]
            ws.cell(r, col["复核得分"]).value = score
            ws.cell(r, col["复核意见"]).value = opinion
            filled.add(key)
    if filled != set(REVIEWS):   # the sample changed (inputs or sampling): say so rather than half-fill
        sys.exit(f"抽样结果与预期不同，未填写：{sorted(set(REVIEWS) - filled)}")
    wb.save(OUTPUT)
    _schema_font_order(OUTPUT)   # openpyxl's font elements, in the order the schema wants
    return OUTPUT


if __name__ == "__main__":
    print(main())
