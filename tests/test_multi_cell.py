"""Questions that join several cells of one body's table: 「部分公开和不予公开一共多少件」 adds
them, 「…分别是多少」 lists them; each value is cited by the printed cells that hold it.

Expected numbers are written out from the seed files (seeds/004: 予以公开 6, 部分公开 12 (自然人
11, 商业企业 1), 不予公开 all zero, 新收 28 (自然人 27, 商业企业 1), 复议后起诉 total blank;
seeds/000: 无法提供·本机关不掌握 4, review and litigation all zero; seeds/001: 行政许可 28,
行政处罚 0) and from tests/ask_corpus.py (红旗区信访局 2023, 红谷滩区政府办 2022).
"""
from __future__ import annotations

import re

import pytest

from qa_app import ask
from qa_app.engine.cells import find_cell, find_cells


@pytest.fixture(scope="module")
def settings(corpus_settings):
    return corpus_settings


# ---------------------------------------------------------------------------------------
# Which cells a question joins (pure)

@pytest.mark.parametrize("q, cells, mode", [
    ("部分公开和不予公开一共多少件", [("partially_granted", "total"), ("denied", "total")], "sum"),
    ("予以公开加部分公开共多少件", [("granted", "total"), ("partially_granted", "total")], "sum"),
    ("予以公开加上部分公开是多少", [("granted", "total"), ("partially_granted", "total")], "sum"),
    ("予以公开和部分公开是多少", [("granted", "total"), ("partially_granted", "total")], "list"),
    ("不予公开以及无法提供合计多少", [("denied", "total"), ("unavailable", "total")], "sum"),
    ("自然人和商业企业一共申请了多少", [("new_received", "natural_person"), ("new_received", "commercial_enterprise")],
     "sum"),
    ("部分公开的自然人和商业企业分别多少", [("partially_granted", "natural_person"),
                                 ("partially_granted", "commercial_enterprise")], "list"),
    ("予以公开和部分公开的自然人一共多少", [("granted", "natural_person"), ("partially_granted", "natural_person")], "sum"),
    ("行政复议和行政诉讼总共多少件", [("review", "total"), ("litigation", "total")], "sum"),
    ("未经复议直接起诉与复议后起诉加起来多少", [("litigation_direct", "total"), ("litigation_after_review", "total")], "sum"),
    ("行政复议结果维持和结果纠正分别多少", [("review", "upheld"), ("review", "corrected")], "list"),
    ("部分公开和不予公开分别是多少", [("partially_granted", "total"), ("denied", "total")], "list"),
    ("自然人及法人或其他组织各申请了多少", [("new_received", "natural_person"), ("new_received", "legal_person_or_org")],
     "list"),
    ("行政处罚和行政强制一共多少件", [("administrative_punishment", "decisions"), ("administrative_coercion", "decisions")],
     "sum"),
    # a group and its own sub-row are listed, not added; amounts are not added to counts
    ("不予公开和属于国家秘密一共多少件", [("denied", "total"), ("denied.state_secret", "total")], "apart"),
    ("行政许可和行政事业性收费一共多少", [("administrative_licensing", "decisions"), ("administrative_fees", "amount")],
     "apart"),
    ("how many were granted or partly granted", [("granted", "total"), ("partially_granted", "total")], "sum"),
    ("how many were granted and partly granted in total", [("granted", "total"), ("partially_granted", "total")], "sum"),
])
def test_cells_joined(q, cells, mode):
    got = find_cells(q)
    assert got is not None, q
    assert [(c.row, c.column) for c in got[0]] == cells and got[1] == mode


@pytest.mark.parametrize("q", [
    "红旗区政府办和城建局收到申请比较",        # two bodies, one cell
    "其他法律行政法规禁止公开多少件",
    "危及三安全一稳定的有几件",
    "没有现成信息需要另行制作多少件",
    "属于国家秘密的有几件",
    "法人或其他组织申请多少",
    "要求行政机关确认或重新出具已获取信息多少件",
    "收到和处理政府信息公开申请情况",
    "2022年和2023年部分公开多少",             # two years, one cell
    "部分公开及时答复了多少件",
    "how many requests were partly granted",
])
def test_one_cell_is_not_split(q):
    assert find_cells(q) is None, q


@pytest.mark.parametrize("q, mode", [
    ("行政复议、行政诉讼情况", "list"),          # the section's title names both of its rows
    ("行政复议、行政诉讼情况一共多少件", "sum"),
    ("复议诉讼情况", "list"),                    # no joining word
    ("行政复议行政诉讼各多少", "list"),
    ("复议跟诉讼一共几件", "sum"),
])
def test_review_and_litigation_named_together_are_both_rows(q, mode):
    cells, got = find_cells(q)
    assert [(c.table, c.row) for c in cells] == [("review_litigation", "review"), ("review_litigation", "litigation")], q
    assert got == mode, q


def test_one_review_row_is_not_split():
    for q in ("复议后起诉的有几件", "未经复议直接起诉多少件", "行政复议纠正了几件"):
        assert find_cells(q) is None, q


def test_partly_granted_is_partially_granted():
    assert find_cell("how many requests were partly granted").row == "partially_granted"
    assert find_cell("how many requests were granted").row == "granted"


# ---------------------------------------------------------------------------------------
# Answers, end to end

def _cited_cells_hold_their_values(a):
    for c in a.citations:
        nums = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", c.quote)}
        assert c.value is None or float(c.value) in nums, (c.n, c.value, c.quote)


@pytest.mark.parametrize("q, text, value, rows", [
    ("红谷滩区政府办2023年部分公开和不予公开一共多少件",
     "红谷滩区政府办2023年部分公开12件[1]、不予公开0件[2]，合计12件。", 12,
     ["(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(三)不予公开：各分项"]),
    ("红谷滩2023年部分公开和不予公开一共多少件",  # a region with one body, named with 「一共」
     "红谷滩区政府办2023年部分公开12件[1]、不予公开0件[2]，合计12件。", 12,
     ["(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(三)不予公开：各分项"]),
    ("红谷滩区政府办2023年予以公开加部分公开共多少件",
     "红谷滩区政府办2023年予以公开6件[1]、部分公开12件[2]，合计18件。", 18,
     ["(一)予以公开", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"]),
    ("How many requests were granted or partly granted by 红谷滩区政府办 in 2023?",
     "红谷滩区政府办2023年予以公开6件[1]、部分公开12件[2]，合计18件。", 18,
     ["(一)予以公开", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"]),
    ("红谷滩区政府办2023年自然人和商业企业一共申请了多少",
     "红谷滩区政府办2023年新收政府信息公开申请中，自然人27件[1]、商业企业1件[2]，合计28件。", 28,
     ["一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"]),
    ("红旗区人民政府办公室2023年行政复议和行政诉讼总共多少件",
     "红旗区人民政府办公室2023年行政复议0件[1]、行政诉讼0件[2][3]，合计0件。", 0,
     ["行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉"]),
    ("红旗区信访局2023年行政复议和行政诉讼一共多少件",
     "红旗区信访局2023年行政复议1件[1]，行政诉讼1件（未经复议直接起诉1件[2]、复议后起诉0件[3]），合计2件。", 2,
     ["行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉"]),
    ("红旗区信访局2023年不予公开和无法提供一共多少件",
     "红旗区信访局2023年不予公开1件（保护第三方合法权益1件[1]、其余为0[2]），"
     "无法提供1件（本机关不掌握相关政府信息1件[3]、其余为0[4]），合计2件。", 2,
     ["4.保护第三方合法权益", "(三)不予公开：其余分项", "1.本机关不掌握相关政府信息", "(四)无法提供：其余分项"]),
    ("红旗区城乡建设局2023年行政许可和行政处罚一共多少件",
     "红旗区城乡建设局2023年行政许可处理决定28件[1]、行政处罚处理决定0件[2]，合计28件。", 28,
     ["行政许可", "行政处罚"]),
])
def test_sum_of_cells(settings, q, text, value, rows):
    a = ask(q, settings=settings)
    assert a.answer == text and a.value == value and a.kind == "aggregate", a.answer
    assert [c.row for c in a.citations] == rows
    assert sum(c.value for c in a.citations) == value  # each summand cited, nothing else
    _cited_cells_hold_their_values(a)


def test_sum_cites_each_cell_with_its_own_value(settings):
    a = ask("红谷滩区政府办2023年自然人和商业企业一共申请了多少", settings=settings)
    assert [(c.column, c.value) for c in a.citations] == [("自然人", 27), ("商业企业", 1)]
    assert all(c.report == "004_a940ca4a84d42417.txt" for c in a.citations)


@pytest.mark.parametrize("q, text", [
    ("红谷滩区政府办2023年部分公开和不予公开分别是多少", "红谷滩区政府办2023年部分公开12件[1]、不予公开0件[2]。"),
    ("红旗区城乡建设局2023年行政许可和行政处罚各多少", "红旗区城乡建设局2023年行政许可处理决定28件[1]、行政处罚处理决定0件[2]。"),
    ("红谷滩区政府办2023年部分公开的自然人和商业企业分别多少",
     "红谷滩区政府办2023年部分公开中，自然人11件[1]、商业企业1件[2]。"),
])
def test_each_of_cells(settings, q, text):
    """「分别」: both values, no sum; two numbers asked, so no single value."""
    a = ask(q, settings=settings)
    assert a.answer == text and a.value is None and a.kind == "table", a.answer
    assert "合计" not in a.answer
    _cited_cells_hold_their_values(a)


def test_cells_not_to_be_added(settings):
    a = ask("红谷滩区政府办2023年不予公开和属于国家秘密一共多少件", settings=settings)
    assert a.answer == ("红谷滩区政府办2023年不予公开0件[1]、不予公开（属于国家秘密）0件[2]"
                        "（所问各项互相包含或单位不同，不相加）。") and a.value is None and a.kind == "table"


def test_a_blank_summand_gives_no_sum(settings):
    a = ask("红谷滩区政府办2023年行政复议和行政诉讼一共多少件", settings=settings)
    assert a.answer == ("红谷滩区政府办2023年行政复议0件[1]，行政诉讼：未经复议直接起诉0件[2]、"
                        "复议后起诉一栏为空（报告未填写）[3]，合计无法得出（有一项为空或没有读到，空白不等于0）。")
    assert a.value is None and a.kind == "table"
    assert [c.value for c in a.citations] == [0, 0, None]


def test_several_years_and_bodies(settings):
    a = ask("红谷滩区政府办2022年和2023年部分公开和不予公开一共多少件", settings=settings)
    assert a.answer == ("红谷滩区政府办2022年部分公开5件[1]、不予公开0件[2]；"
                        "红谷滩区政府办2023年部分公开12件[3]、不予公开0件[4]。以上合计17件。")
    assert a.value == 17 and [c.report for c in a.citations] == ["hgt_2022.txt"] * 2 + ["004_a940ca4a84d42417.txt"] * 2
    a = ask("红旗区人民政府办公室和红旗区信访局2023年部分公开和不予公开一共多少件", settings=settings)
    assert a.value == 2 and a.answer.endswith("以上合计2件。"), a.answer
    assert "红旗区信访局2023年部分公开1件" in a.answer
    # a body named without a report of the year asked: said, not silently left out
    a = ask("红旗区城乡建设局和红谷滩区政府办2022年部分公开和不予公开一共多少件", settings=settings)
    assert a.answer == ("红谷滩区政府办2022年部分公开5件[1]、不予公开0件[2]，合计5件。"
                        "（库中没有红旗区城乡建设局2022年的报告。）") and a.value == 5


def test_a_report_that_does_not_add_up_is_flagged(settings):
    a = ask("红旗区市场监督管理局2023年予以公开和无法提供一共多少件", settings=settings)
    assert a.value == 4 and "予以公开3件" in a.answer and "合计4件" in a.answer, a.answer
    assert "勾稽关系不成立" in a.answer


def test_follow_up_keeps_the_cells(settings):
    a = ask("那2022年呢？", ["红谷滩区政府办2023年部分公开和不予公开一共多少件"], settings=settings)
    assert a.answer == "红谷滩区政府办2022年部分公开5件[1]、不予公开0件[2]，合计5件。" and a.value == 5
    # 「其中自然人多少？」: the column, for each of the cells asked before
    a = ask("其中自然人多少？", ["红谷滩区政府办2023年部分公开和予以公开一共多少件"], settings=settings)
    assert a.answer == "红谷滩区政府办2023年部分公开（自然人）11件[1]、予以公开（自然人）6件[2]，合计17件。"
    assert a.value == 17


@pytest.mark.parametrize("q, kind, value, says", [
    # two bodies, one cell: still a comparison
    ("红旗区政府办和城建局收到申请比较", "aggregate", 4, "红旗区人民政府办公室比红旗区城乡建设局多4件"),
    # labels holding 和/、/或/及 are one cell
    ("红谷滩区政府办2023年其他法律行政法规禁止公开多少件", "table", 0, "不予公开（其他法律行政法规禁止公开）0件[1]"),
    ("红谷滩区政府办2023年没有现成信息需要另行制作多少件", "table", 0, "无法提供（没有现成信息需要另行制作）0件[1]"),
    ("红谷滩区政府办2023年属于国家秘密的有几件", "table", 0, "不予公开（属于国家秘密）0件[1]"),
    ("红谷滩区政府办2023年危及三安全一稳定的有几件", "table", 0, "0件[1]"),
    ("红谷滩区政府办2023年法人或其他组织申请多少", "table", 1, "其中法人或其他组织1件"),
    ("红谷滩区政府办2023年部分公开多少件", "table", 12, "部分公开12件（自然人11件、商业企业1件）[1]"),
])
def test_one_cell_questions_unchanged(settings, q, kind, value, says):
    a = ask(q, settings=settings)
    assert a.kind == kind and a.value == value and says in a.answer, a.answer
    assert "合计" not in a.answer or kind == "aggregate"
