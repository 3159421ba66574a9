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
    with pytest.raises(PreviousError, match="是抽查复核底稿.*--review"):
        load_index(tmp_path / "复核底稿.xlsx", SEED)
