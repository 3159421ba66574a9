"""Numbers, targets and actuals as clerks type them."""
import datetime as dt
from decimal import Decimal as D

import pytest

from selfeval_xlsx.numbers import fmt, fmt_pct, parse_number, round_half_up
from selfeval_xlsx.targets import parse_actual, parse_target


@pytest.mark.parametrize("raw, value, suffix, normalised", [
    (8.94, D("8.94"), "", False),
    (5.0, D("5.0"), "", False),
    ("８.９４", D("8.94"), "", True),           # full-width digits
    ("8.94万元", D("8.94"), "万元", True),
    ("1,234.5", D("1234.5"), "", True),
    ("１，２３４.５", D("1234.5"), "", True),     # full-width comma
    (" 72.59 ", D("72.59"), "", True),
    ("95%", D(95), "%", True),
])
def test_numbers_clerks_type(raw, value, suffix, normalised):
    p = parse_number(raw)
    assert (p.value, p.suffix, p.normalised, p.error) == (value, suffix, normalised, None)


@pytest.mark.parametrize("raw", ["八点九四", "12,34", "٨.٩٤", "1.2.3", True, "--5", "5万元3"])
def test_numbers_that_are_not(raw):
    p = parse_number(raw)
    assert p.value is None and p.error


def test_blank_is_no_number_and_no_error():
    for raw in ("", "   ", None):
        assert parse_number(raw).value is None and parse_number(raw).error is None


def test_round_half_up_when_displaying():
    assert round_half_up(D("94.685")) == D("94.69")     # bankers' rounding would give 94.68
    assert round_half_up(D("0.125")) == D("0.13")
    assert fmt(D(6)) == "6.00"
    assert fmt_pct(D("62.59") / D("72.59")) == "86.22%"


@pytest.mark.parametrize("raw, kind, value, unit", [
    ("≥95%", "positive", D(95), "%"),
    (">=95%", "positive", D(95), "%"),
    ("≤24.65万元", "reverse", D("24.65"), "万元"),
    ("=6个", "exact", D(6), "个"),
    ("＝6个", "exact", D(6), "个"),
    ("100%", "positive", D(100), "%"),
    ("≥11528户", "positive", D(11528), "户"),
    ("不低于90%", "positive", D(90), "%"),
    ("不超过30天", "reverse", D(30), "天"),
    ("控制在50万元以内", "reverse", D(50), "万元"),
    ("90%以上", "positive", D(90), "%"),
    (12, "positive", D(12), ""),
])
def test_quantitative_targets(raw, kind, value, unit):
    t = parse_target(raw)
    assert (t.kind, t.value, t.unit) == (kind, value, unit)


@pytest.mark.parametrize("raw, date", [
    ("2020年12月31日前", dt.date(2020, 12, 31)),
    ("2020年6月底前", dt.date(2020, 6, 30)),
    ("2020年底前", dt.date(2020, 12, 31)),
    ("2020-11-30前", dt.date(2020, 11, 30)),
    ("12月底前", dt.date(2020, 12, 31)),
])
def test_date_targets(raw, date):
    t = parse_target(raw, year=2020)
    assert (t.kind, t.date) == ("date", date)


@pytest.mark.parametrize("raw", ["有效提升", "明显改善", "建立并持续运行"])
def test_qualitative_targets(raw):
    assert parse_target(raw).kind == "qualitative"


def test_nature_column_wins():
    assert parse_target("95", nature="反向").kind == "reverse"
    assert parse_target("6", nature="等于").kind == "exact"


def test_actuals():
    assert parse_actual("98%").value == D(98) and parse_actual("98%").percent
    assert parse_actual(0.98).from_number_cell
    assert parse_actual("2021年1月15日").date == dt.date(2021, 1, 15)
    assert parse_actual(dt.datetime(2020, 12, 20)).date == dt.date(2020, 12, 20)
    assert parse_actual("部分达成").achievement == "部分达成"
    assert parse_actual("未完成").achievement == "未达成"
    assert parse_actual("已完成").achievement == "达成"
    assert parse_actual("≥96%").value == D(96)


# --- the read path's fast NFKC (form.nfkc) must be NFKC exactly ----------------------

def test_fast_nfkc_replacements_are_what_nfkc_makes_of_them():
    import unicodedata

    from selfeval_xlsx.form import _WIDE
    for wide, narrow in _WIDE:
        assert unicodedata.normalize("NFKC", wide) == narrow


@pytest.mark.parametrize("text", [
    "项目资金（万元）", "其中：当年财政拨款", "因施工进度滞后，部分工程未能按期完工。", "≥９５％",
    "Ａ\u0301（ｘ）", "（\u0301", "　单位：元　", "ﬁ，①", "plain ascii", "", "e\u0301，",
])
def test_fast_nfkc_equals_unicodedata(text):
    import unicodedata

    from selfeval_xlsx.form import nfkc
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_fast_nfkc_equals_unicodedata_on_any_text():
    import unicodedata

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from selfeval_xlsx.form import nfkc
    # Full-width punctuation next to combining marks, compatibility characters and CJK.
    alphabet = st.sampled_from("，：（）；％\u3000,:()a1Ａ１\u0301\u0308\u309aカｶﬁ①项目元")

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet) | st.text())
    def check(text):
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
    check()
