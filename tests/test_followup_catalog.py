"""A question about the library itself (「库里有哪些报告？」) stands on its own in a conversation:
it takes no body and no year from the questions before it (the widget, asked it after a 2022
question, used to list only the 2022 reports). Index: the five seed reports, facts only."""
from __future__ import annotations


import pytest

from qa_app import engine


EARLIER = [
    "红旗区信访局2022年收到多少件申请？",       # a body and a year
    "2022年各单位部分公开多少件？",             # a year only
    "红谷滩部分公开了多少件申请？",             # a body only
    "红旗区2023年行政复议多少件？",             # a region and a year
]
CATALOG_QUESTIONS = ["库里有哪些报告？", "库中有几份报告？", "收录了哪些报告？", "有多少份报告", "库里有哪些报告"]


@pytest.fixture(scope="module")
def settings(seed_settings):
    return seed_settings


@pytest.mark.parametrize("earlier", EARLIER)
@pytest.mark.parametrize("question", CATALOG_QUESTIONS)
def test_catalog_question_after_any_question_lists_every_report(settings, earlier, question):
    ans = engine.ask(question, history=[earlier], settings=settings)
    assert ans.answer.startswith("库中共有5份报告"), ans.answer
    assert len(ans.table) == 5


def test_a_year_named_in_the_catalog_question_itself_still_counts(settings):
    ans = engine.ask("库里有2023年的哪些报告？", history=["红旗区信访局2022年收到多少件申请？"], settings=settings)
    assert ans.answer.startswith("库中2023年的报告共4份"), ans.answer


def test_a_real_follow_up_still_inherits(settings):
    ans = engine.ask("那2022年呢？", history=["红谷滩部分公开了多少件申请？"], settings=settings)
    assert "2022" in ans.answer and "红谷滩" in ans.answer


@pytest.mark.parametrize("question, head, n", [
    ("红旗区的报告有几份", "库中红旗区的报告共4份", 4),
    ("红旗区信访局的报告一共有多少份", "库中红旗区信访局的报告共1份", 1),
    ("2023年的报告有几个", "库中2023年的报告共4份", 4),
    ("报告的数量", "库中共有5份报告", 5),
])
def test_a_count_of_reports_names_its_scope(settings, question, head, n):
    ans = engine.ask(question, settings=settings)
    assert ans.answer.startswith(head), ans.answer
    assert ans.value == n and len(ans.table) == n


@pytest.mark.parametrize("question, said", [
    ("2020年的报告有几份", "库中没有2020年的报告。库中现有2022年、2023年的报告。"),
    ("浙江的报告有几份", "库中没有浙江的报告"),
])
def test_no_report_of_the_scope_says_so(settings, question, said):
    ans = engine.ask(question, settings=settings)
    assert ans.answer.startswith(said) and ans.value is None, ans.answer
