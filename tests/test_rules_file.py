"""A rules file is read exactly as meant or refused with what to fix."""
from __future__ import annotations

import hashlib
import os
from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from selfeval_xlsx.cli import main
from selfeval_xlsx.rules import NATIONAL, SEED, RulesError, dump_rules, load_rules, parse_rules, resolve_rules

BASE = dump_rules(NATIONAL)


def with_line(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


@pytest.mark.parametrize("written", ["0.9", "90", '"90%"', '"90 %"', '"90％"', "90.0", '"0.9"'])
def test_a_rate_threshold_means_90_percent_however_it_is_written(written):
    rules = parse_rules(with_line('"执行率下限" = 0.9', f'"执行率下限" = {written}'))
    assert rules.rate_threshold == D("0.9")


@pytest.mark.parametrize("key, written, fraction", [
    ("偏高执行率", "80", D("0.8")), ("偏高项目占比", '"75%"', D("0.75")), ("偏高执行率", "1", D(1)),
    ("偏高项目占比", "0", D(0)), ("执行率下限", "100", D(1)), ("执行率下限", "1.5", D("0.015")),
])
def test_every_share_reads_percentages(key, written, fraction):
    old = next(line for line in BASE.splitlines() if line.startswith(f'"{key}"'))
    rules = parse_rules(BASE.replace(old, f'"{key}" = {written}'))
    attr = {"偏高执行率": "suspicious_rate", "偏高项目占比": "bunching_share", "执行率下限": "rate_threshold"}[key]
    assert getattr(rules, attr) == fraction


def test_bands_in_percent_or_fraction_mean_the_same():
    percent = parse_rules(with_line('"部分达成" = [0.6, 0.8]', '"部分达成" = [60, 80]'))
    mixed = parse_rules(with_line('"未达成" = [0, 0.6]', '"未达成" = [0, 60]'))   # 0 and 60: both percent
    assert percent.qualitative_bands["部分达成"] == (D("0.6"), D("0.8"))
    assert mixed.qualitative_bands["未达成"] == (D(0), D("0.6"))


@pytest.mark.parametrize("old, new, message", [
    ('"执行率下限" = 0.9', '"执行率下限" = 9000',
     'x.toml 的 [阈值] 执行率下限 是比例，应在 0～100% 之间（可写 0.9、90 或 "90%"），现为 9000'),
    ('"执行率下限" = 0.9', '"执行率下限" = "150%"',
     'x.toml 的 [阈值] 执行率下限 是比例，应在 0～100% 之间（可写 0.9、90 或 "90%"），现为 "150%"'),
    ('"执行率下限" = 0.9', '"执行率下限" = -0.1', "x.toml 的 [阈值] 执行率下限 不能为负数，现为 -0.1"),
    ('"执行率下限" = 0.9', '"执行率下限" = true', "x.toml 的 [阈值] 执行率下限 必须是数字，现为 true"),
    ('"执行率下限" = 0.9', '"执行率下限" = "九成"', 'x.toml 的 [阈值] 执行率下限 必须是数字，现为 "九成"'),
    ('"执行率下限" = 0.9', '"执行率下限" = nan', "x.toml 的 [阈值] 执行率下限 必须是数字，现为 nan"),
    ('"偏高总分" = 90', '"偏高总分" = 900', "x.toml 的 [阈值] 偏高总分 是百分制分数，应在 0～100 之间，现为 900"),
    ('"优" = 90', '"优" = 190', "x.toml 的 [等级] 优 是百分制分数，应在 0～100 之间，现为 190"),
    ('"元万元阈值" = 10000', '"元万元阈值" = 0', "x.toml 的 [阈值] 元万元阈值 应大于 0"),
    ('"达成" = [0.8, 1]', '"达成" = [1, 0.8]', "x.toml 的 [定性指标得分区间] 达成 须满足 下限 ≤ 上限，现为 [1, 0.8]"),
    ('"达成" = [0.8, 1]', '"达成" = 0.8', "x.toml 的 [定性指标得分区间] 达成 应为 [下限, 上限]，如 [0.8, 1] 或 [80, 100]"),
    ('"名称" = "全国（财预〔2020〕10号）"', '"名称" = 3', "x.toml 的“名称”应是一段文字，现为 3"),
])
def test_values_out_of_range_or_of_the_wrong_type_are_refused(old, new, message):
    with pytest.raises(RulesError) as e:
        parse_rules(with_line(old, new), "x.toml")
    assert str(e.value) == message


@pytest.mark.parametrize("old, new, message", [
    ('"执行率下限" = 0.9', '"执行率下线" = 0.9',
     ("x.toml 的 [阈值] 有未知项“执行率下线”；是否想写“执行率下限”？"
     "（可用的键：分差容差、执行率下限、偏高总分、偏高执行率、偏高项目占比、元万元阈值、部门项目支出容差、"
     "目标偏低倍数、目标偏低百分点、预算调减比例、接近全额执行率、满意度佐证线、得分率执行率差距、原因最少字数、雷同指标行数、雷同比例、沿用目标超额比例）")),
    ('["阈值"]', '["阀值"]', "x.toml：顶层有未知项“阀值”；是否想写“阈值”？（可用的键：名称、权重、等级、阈值、成本指标、定性指标得分区间、指标体系、审核用语、关闭的审核、抽查复核）"),
    ('"产出指标" = 50', '"产出指标" = 50\n"效益" = 0',
     "x.toml 的 [权重] 有未知项“效益”；是否想写“效益指标”？（可用的键：预算执行率、产出指标、效益指标、满意度指标）"),
    ('"达成" = [0.8, 1]', '"已达成" = [0.8, 1]',
     "x.toml 的 [定性指标得分区间] 有未知项“已达成”；是否想写“达成”？（可用的键：达成、部分达成、未达成）"),
])
def test_unknown_keys_are_refused_with_the_closest_valid_key(old, new, message):
    with pytest.raises(RulesError) as e:
        parse_rules(with_line(old, new), "x.toml")
    assert str(e.value) == message


def test_a_threshold_outside_its_section_says_where_it_belongs():
    with pytest.raises(RulesError) as e:
        parse_rules('"执行率下限" = 0.9\n' + BASE, "x.toml")
    assert str(e.value).startswith("x.toml：顶层有未知项“执行率下限”；它应写在 [阈值] 一节之下")


def test_the_printed_rules_read_back_as_they_were():
    for preset in (SEED, NATIONAL):
        back = parse_rules(dump_rules(preset), "p.toml")
        assert (back.weights, back.grades, back.qualitative_bands) == (preset.weights, preset.grades,
                                                                     preset.qualitative_bands)
        assert (back.rate_threshold, back.suspicious_rate, back.bunching_share, back.tolerance,
                back.suspicious_score, back.yuan_threshold) == (
            preset.rate_threshold, preset.suspicious_rate, preset.bunching_share, preset.tolerance,
            preset.suspicious_score, preset.yuan_threshold)


def test_a_loaded_rules_file_carries_its_path_and_sha256(tmp_path):
    path = tmp_path / "我区规则.toml"
    text = with_line('"执行率下限" = 0.9', '"执行率下限" = 85')
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    assert rules.source == str(path) and os.path.isabs(rules.source)
    assert rules.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rules.rate_threshold == D("0.85")
    assert (resolve_rules("national").source, resolve_rules("national").sha256) == ("", "")


def test_a_rules_file_that_is_a_pipe_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "规则.toml")
    with pytest.raises(RulesError, match="不是普通文件"):
        load_rules(tmp_path / "规则.toml")


def test_the_command_line_refuses_a_bad_rules_file_before_reading(tmp_path):
    (tmp_path / "r.toml").write_text(with_line('"执行率下限" = 0.9', '"执行率下线" = 0.9'), encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(tmp_path / "没有这个目录"), "--rules", str(tmp_path / "r.toml")])
    assert res.exit_code == 2
    assert res.output.startswith(f"错误：{tmp_path / 'r.toml'} 的 [阈值] 有未知项“执行率下线”；是否想写“执行率下限”？")


def test_grades_with_one_floor_twice_are_refused():
    with pytest.raises(RulesError) as e:
        parse_rules(with_line('"良" = 80', '"良" = 90'), "x.toml")
    assert str(e.value) == "x.toml 的 [等级] 中有两个等级的最低分相同，无法区分"


def test_grades_named_in_full_words_do_not_flag_every_project(tmp_path):
    """A rules file naming its grades 优秀/良好/合格 (as many provinces do). SPECIAL spends
    15 of 25 (rate score 6); 6 of ≥10 活动 scores 6 of 10, the rest full (80): total 92, 优秀. A form that
    writes 优秀 is right; one that writes 良好 is flagged (P110)."""
    import openpyxl

    from selfeval_xlsx.api import evaluate
    from tests.forms import SPECIAL, national_sheet
    text = dump_rules(NATIONAL)
    for short, full in (('"优"', '"优秀"'), ('"良"', '"良好"'), ('"中"', '"合格"')):
        text = text.replace(short + " =", full + " =")
    rules = parse_rules(text, "grades.toml")
    assert [g for g, _ in rules.grades] == ["优秀", "良好", "合格"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    national_sheet(wb.create_sheet("甲"), dict(SPECIAL, name="甲"), total=92, grade="优秀")
    national_sheet(wb.create_sheet("乙"), dict(SPECIAL, name="乙"), total=92, grade="良好")
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "u.xlsx")
    with evaluate(tmp_path / "in", rules=rules, isolate=False) as res:
        assert [p.total for p in res.projects] == [D(92), D(92)]
        flagged = [f for f in res.all_findings() if f.code == "P110"]
    assert [f.project for f in flagged] == ["乙"]
    assert flagged[0].message.endswith("请按总分确定等级：优秀≥90，良好80–90，合格60–80，差<60。")


def test_the_catalogue_fix_texts_are_the_presets_words():
    """docs/checks.md quotes the default grade lines and bands; a run words them from its rules."""
    from selfeval_xlsx.checks import bands_fix, grade_fix
    from selfeval_xlsx.findings import CATALOGUE
    for rules in (NATIONAL, SEED):
        assert grade_fix(rules) == CATALOGUE["P110"].fix
        assert bands_fix(rules) == CATALOGUE["I110"].fix
