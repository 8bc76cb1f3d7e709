"""The prose families of issue 14 as a fuzzer: a question is put together from the ways people
name the body, the year, the channel, the verb and the thing counted (网站~门户网站~官网,
发~发布~公开, 追责~问责~责任追究, 按时~按期~规定期限 …), and asked in-process over the index
test_ask.py uses (tests/ask_corpus.py: the five seeds and three edited reports, no narrative
index). Each fact's answer is written out here from the seed texts (seeds/004: 「通过区政府网站
发布各类信息994条」, seeds/003: 「通过微信公众号平台主动公开各类信息 553 条」, …), never read
back through the engine. A count the report does not print must be refused, whatever the
wording. Hypothesis runs with a fixed seed and no example database, so a run is repeatable.
"""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from fuzzing import fuzz

from qa_app import ask

FUZZ = fuzz(40)


@pytest.fixture(scope="module")
def cfg(corpus_settings):
    return corpus_settings


def answered(cfg, q, value=None, says=()):
    a = ask(q, settings=cfg)
    assert a.kind == "text", f"{q} -> {a.answer}"
    if value is not None:
        assert a.value == value, f"{q} -> {a.value}: {a.answer}"
    assert any(s in a.answer for s in says), f"{q} -> {a.answer}"
    assert all(c.quote for c in a.citations) and a.citations, q
    return a


YEAR = st.sampled_from(["2023年", "23年", ""])
VERB = st.sampled_from(["发布", "发", "公开"])


@FUZZ
@given(YEAR, st.sampled_from(["网站", "门户网站", "区政府网站", "官网", "政府网站"]), VERB,
       st.sampled_from(["信息", "政府信息", "各类信息"]))
def test_items_published_on_the_website(cfg, year, site, verb, obj):
    a = answered(cfg, f"红谷滩区政府办{year}在{site}上{verb}了多少条{obj}", 994, ["994条"])
    assert a.citations[0].report == "004_a940ca4a84d42417.txt"


@FUZZ
@given(st.sampled_from(["文化街街道", "文化街街道办事处", "红旗区文化街街道办事处"]), st.sampled_from(["2023年", ""]),
       st.sampled_from(["公众号", "微信公众号", "微信"]), VERB)
def test_items_published_on_the_wechat_account(cfg, body, year, channel, verb):
    answered(cfg, f"{body}{year}在{channel}上{verb}了多少条信息", 553, ["553 条", "553条"])


@FUZZ
@given(st.sampled_from(["红旗区信访局", "信访局"]), VERB, st.sampled_from(["政务信息", "信息"]),
       st.sampled_from(["几条", "多少条"]))
def test_items_published_by_the_petition_office_in_2022(cfg, body, verb, obj, counter):
    answered(cfg, f"{body}2022年{verb}了{counter}{obj}", 28, ["28 条", "28条"])


@FUZZ
@given(st.sampled_from(["被追责的", "被问责的", "责任追究", "因公开工作不力被追责", "追究责任的情况", "人被问责"]))
def test_accountability(cfg, what):
    answered(cfg, f"红谷滩区政府办2023年有没有{what}", says=["没有出现因政府信息公开工作不力"])


@FUZZ
@given(st.sampled_from(["红旗区信访局", "信访局"]),
       st.sampled_from(["收到的申请按时答复了吗", "的申请都按期答复了吗", "有没有逾期答复的申请", "申请是否在规定期限内答复",
                        "的申请有没有超期"]))
def test_answered_in_time(cfg, body, how):
    answered(cfg, f"{body}2023年{how}", says=["均已按时答复"])


@FUZZ
@given(st.sampled_from(["红谷滩区政府办", "红旗区人民政府办公室", "文化街街道"]), st.sampled_from(["召开", "举办", "开"]),
       st.sampled_from([("场", "新闻发布会"), ("期", "培训班"), ("期", "政府公报"), ("场", "听证会")]))
def test_a_count_the_report_does_not_print_is_refused(cfg, body, verb, what):
    unit, noun = what
    a = ask(f"{body}2023年{verb}了几{unit}{noun}", settings=cfg)
    assert a.kind == "none" and a.value is None and not a.citations, a.answer
    assert "没有找到" in a.answer and f"「{noun}」" in a.answer, a.answer
