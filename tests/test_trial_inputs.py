"""Our own outputs saved again as .xls into the input folder (LibreOffice or WPS drop the
custom property inputs.is_summary looks for): skipped, not read as a unit's forms."""
from __future__ import annotations

import shutil
from decimal import Decimal

from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.review_xlsx import write_review_sheet
from selfeval_xlsx.sampling import draw
from tests.forms import convert, need_soffice
from tests.review_forms import build


def test_summary_and_review_saved_as_xls_are_skipped(tmp_path):
    need_soffice()
    folder = build(tmp_path / "长安区")
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        before = (len(r.files), r.severity_counts(), len(r.projects))
        se.write_summary(r, tmp_path / "汇总.xlsx")
        write_review_sheet(r, draw(r, Decimal("0.5"), 3), tmp_path / "复核底稿.xlsx")
    for name in ("汇总.xlsx", "复核底稿.xlsx"):   # converted beside, then saved "by mistake" in the folder
        shutil.copy(convert(tmp_path / name, "xls", tmp_path / "xls"), folder)
    for isolate in (False, True):
        with se.evaluate(folder, isolate=isolate, preset="seed") as r:
            assert (len(r.files), r.severity_counts(), len(r.projects)) == before
            skipped = {e.path: e.reason for e in r.skipped}
            assert set(skipped) == {"汇总.xls", "复核底稿.xls"} and all("未读取" in why for why in skipped.values())
    res = CliRunner().invoke(main, ["check", str(folder / "复核底稿.xls")])
    assert res.exit_code == 0 and "不是自评表，未读取" in res.output
