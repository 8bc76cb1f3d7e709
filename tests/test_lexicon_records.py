"""Every record of qa_app/lexicon.json held to its own examples: its pattern matches each of its
`examples` and none of its `not_examples` (one test per record; the cell records are also asked
through the engine in test_lexicon_cells.py), the loader refuses a record without examples, and
a few records' matches are checked for what they capture (the numbers a rank or threshold reads).
"""
from __future__ import annotations

import pytest

from qa_app.engine.lexicon import Lexicon, LexiconError, lexicon, read_records

RECORDS = [r for r in read_records() if r.get("pattern")]


@pytest.mark.parametrize("rec", RECORDS, ids=[r["label"] for r in RECORDS])
def test_each_record_matches_its_examples_and_not_its_counter_examples(rec):
    lex = lexicon()
    assert rec["examples"], rec["label"]
    for ex in rec["examples"]:
        assert lex.has(rec["label"], ex), (rec["label"], ex)
    for ex in rec.get("not_examples", []):
        assert not lex.has(rec["label"], ex), (rec["label"], ex)


def test_every_record_with_a_pattern_has_examples():
    # the default ops (no pattern: they match any question) are the only records without
    without = sorted(r["label"] for r in read_records() if not r.get("examples"))
    assert without == ["OP_COMPARE_BODIES", "OP_LOOKUP", "OP_SUM_NO_BODY", "OP_SUM_ONE_BODY_YEARS"]


def test_a_record_without_examples_is_refused():
    with pytest.raises(LexiconError, match="gives examples"):
        Lexicon([{"label": "OP_X", "kind": "modifier", "pattern": "合计", "modifier": "total"}])


@pytest.mark.parametrize("label, text, groups", [
    ("OP_RANK_WHICH_N", "2023年哪三个单位收到的申请最多", ("三", "最多")),
    ("OP_RANK_WHICH_N", "哪2个单位2023年收到的申请最少", ("2", "最少")),
    ("MOD_THRESHOLD", "收到申请超过5件的单位", ("超过", "5", None, None)),
    ("MOD_THRESHOLD_BELOW", "不到3件的单位有哪些", ("不到", "3", None, None)),
    ("MOD_RECENT_N", "洪泽区近两年行政处罚", ("两",)),
])
def test_what_a_record_captures(label, text, groups):
    assert lexicon().search(label, text).groups() == groups


def test_the_year_span_says_when_it_asks_a_sum():
    rx = lexicon().regex("YEAR_SPAN")
    assert rx.search("红谷滩区政府办两年行政复议共几件").group("sum") == "共"
    assert rx.search("红谷滩区政府办两年平均多少").group("sum") == "平均"
    assert rx.search("红谷滩区政府办历年部分公开").group("sum") is None
