"""--previous given the wrong file of ours: the 复核底稿 carries our marker but is no summary."""
from __future__ import annotations

from decimal import Decimal

import pytest

import selfeval_xlsx as se
from selfeval_xlsx.previous import PreviousError, load_index
from selfeval_xlsx.review_xlsx import write_review_sheet
from selfeval_xlsx.rules import SEED
from selfeval_xlsx.sampling import draw
from tests.review_forms import build


def test_a_review_sheet_is_refused_by_name(tmp_path):
    folder = build(tmp_path / "长安区")
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        write_review_sheet(r, draw(r, Decimal("0.5"), 3), tmp_path / "复核底稿.xlsx")
    with pytest.raises(PreviousError, match=r"是抽查复核底稿.*--review"):
        load_index(tmp_path / "复核底稿.xlsx", SEED)


def test_another_districts_summary_is_not_a_clean_year(tmp_path):
    """Last year's JSON of the same folder (year set back) finds its projects; with every
    unit renamed (another district's file) none is found, and the line says so."""
    import json

    from click.testing import CliRunner

    from selfeval_xlsx.cli import main
    folder = build(tmp_path / "长安区")
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        se.write_json(r, tmp_path / "本年.json")
        year = r.year
    data = json.loads((tmp_path / "本年.json").read_text(encoding="utf-8"))
    data["运行信息"]["概况"]["评价年度"] = year - 1
    (tmp_path / "上年.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for table in ("项目明细", "指标明细", "问题清单"):
        for row in data[table]:
            row["单位名称"], row["文件"] = "桥西区" + str(row["单位名称"]), "桥西区/" + str(row["文件"])
    (tmp_path / "别区.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = {}
    for name in ("上年.json", "别区.json"):
        res = CliRunner().invoke(main, ["run", str(folder), "--previous", str(tmp_path / name), "--preset", "seed",
                                        "-o", str(tmp_path / f"{name}.xlsx"), "-q"])
        assert res.exit_code == 0, res.output
        lines[name] = next(x for x in res.output.splitlines() if x.startswith("对照上年"))
    assert "都没有找到" not in lines["上年.json"]
    assert lines["别区.json"].endswith("但本批次 9 个项目在上年汇总中都没有找到，请确认 --previous 是本区县上年的汇总")
