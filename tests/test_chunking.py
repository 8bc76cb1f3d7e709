"""The prose chunker on the five seeds and on small texts: sections, line spans, tables left out.

Expected chunks are written out here (section path and 1-based line span of the stored text).
The table spans are written out too, so these tests exercise the chunker alone; one test also
checks that the chunker leaves the tables out when it is given no spans at all.
"""
from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from qa_app.narrative import chunking
from qa_app.narrative.chunking import chunk_text, embed_text, keyword_text
from qa_app.report import normalise_text

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

SPANS = {
    "000_aa0ecb1c4df3c9c5.txt": {"proactive": (43, 67), "applications": (73, 180), "review_litigation": (184, 230)},
    "001_924043a2ff6d2acf.txt": {"proactive": (29, 44), "applications": (48, 75), "review_litigation": (77, 82)},
    "002_050334ec39756ada.txt": {"proactive": (29, 44), "applications": (48, 75), "review_litigation": (77, 82)},
    "003_537c1939cbe3baea.txt": {"proactive": (27, 43), "applications": (48, 75), "review_litigation": (77, 82)},
    "004_a940ca4a84d42417.txt": {"proactive": (8, 48), "applications": (50, 291), "review_litigation": (292, 343)},
}

EXPECTED = {
    "000_aa0ecb1c4df3c9c5.txt": [  # PDF text: hard-wrapped lines, blank lines inside sentences
        ("一、总体情况", (5, 9)),
        ("一、总体情况 > （一）主动公开情况", (11, 15)),
        ("一、总体情况 > （二）依申请公开办理情况", (17, 20)),
        ("一、总体情况 > （三）政府信息管理", (21, 25)),
        ("一、总体情况 > （四）政府信息公开平台建设", (27, 33)),
        ("一、总体情况 > （五）监督保障情况", (35, 39)),
        ("五、存在的主要问题及改进情况 > 存在问题", (234, 238)),
        ("五、存在的主要问题及改进情况 > 改进情况", (240, 246)),
        ("六、其他需要报告的事项", (248, 250)),
    ],
    "001_924043a2ff6d2acf.txt": [
        ("一、总体情况", (5, 7)),
        ("一、总体情况 > （一）主动公开", (9, 11)),
        ("一、总体情况 > （二）依申请公开情况", (13, 15)),
        ("一、总体情况 > （三）政府信息管理情况", (17, 19)),
        ("一、总体情况 > （四）政府信息公开平台建设", (21, 23)),
        ("一、总体情况 > （五）监督保障", (25, 27)),
        ("五、存在的主要问题及改进情况 > (一)存在的主要问题", (86, 88)),
        ("五、存在的主要问题及改进情况 > (二)改进措施", (90, 96)),
        ("六、其他需要报告的事项", (98, 100)),
    ],
    "002_050334ec39756ada.txt": [
        ("一、总体情况", (5, 7)),
        ("一、总体情况 > （一）主动公开情况", (9, 11)),
        ("一、总体情况 > （二）依申请公开办理情况", (13, 15)),
        ("一、总体情况 > （三）政府信息管理", (17, 19)),
        ("一、总体情况 > （四）政府信息公开平台建设", (21, 23)),
        ("一、总体情况 > （五）监督保障情况", (25, 27)),
        ("五、存在的主要问题及改进情况 > 存在问题", (86, 89)),
        ("五、存在的主要问题及改进情况 > 改进情况", (91, 94)),
        ("六、其他需要报告的事项", (96, 98)),
    ],
    "003_537c1939cbe3baea.txt": [
        ("一、总体情况 > (一)主动公开", (7, 9)),
        ("一、总体情况 > (二)依申请公开", (11, 13)),
        ("一、总体情况 > (三)政府信息管理", (15, 17)),
        ("一、总体情况 > (四)政府信息公开平台建设", (19, 21)),
        ("一、总体情况 > (五)监督保障", (23, 25)),
        ("五、存在的主要问题及改进情况", (84, 86)),
        ("六、其他需要报告的事项", (88, 90)),
    ],
    "004_a940ca4a84d42417.txt": [  # one paragraph per line, heading and text on the same line
        ("前言", (1, 1)),
        ("一、总体情况 > (一)主动公开方面", (3, 3)),
        ("一、总体情况 > (二)依申请公开方面", (4, 4)),
        ("一、总体情况 > (三)政府信息管理方面", (5, 5)),
        ("一、总体情况 > (四)政府信息公开平台建设方面", (6, 6)),
        ("一、总体情况 > (五)监督保障方面", (7, 7)),
        ("五、存在的主要问题及改进情况", (344, 345)),
        ("五、存在的主要问题及改进情况", (346, 349)),
        ("六、其他需要报告的事项", (350, 351)),
        ("六、其他需要报告的事项 > 2.要点落实情况", (352, 352)),
        ("六、其他需要报告的事项 > 2.要点落实情况", (352, 352)),
    ],
}


def seed_text(name: str) -> str:
    return normalise_text((SEEDS / name).read_text("utf-8"))


def test_docstring_example_holds():
    res = doctest.testmod(chunking, verbose=False)
    assert res.attempted >= 2 and res.failed == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_chunks_follow_the_reports_structure(name):
    chunks = chunk_text(seed_text(name), SPANS[name])
    assert [(c.section, c.lines) for c in chunks] == EXPECTED[name]
    assert [c.seq for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_chunk_text_lines_are_the_stored_lines(name):
    """Line i of a chunk's text is (part of) line first+i of the stored text: citations and
    the engine's sentence spans rely on it."""
    lines = seed_text(name).split("\n")
    for c in chunk_text(seed_text(name), SPANS[name]):
        shown = c.text.split("\n")
        assert len(shown) == c.lines[1] - c.lines[0] + 1
        for i, s in enumerate(shown):
            assert s.strip() in lines[c.lines[0] - 1 + i]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tables_are_left_out_even_without_spans(name):
    text = seed_text(name)
    with_spans = chunk_text(text, SPANS[name])
    for c in with_spans:
        for a, b in SPANS[name].values():
            assert c.lines[1] < a or c.lines[0] > b
        assert not re.search(r"\d+ \d+ \d+|\|\s*$|\t", c.text, re.M)
    # a report whose tables the reader did not find: the same prose chunks, no number soup
    assert [(c.section, c.lines) for c in chunk_text(text, {})] == [(c.section, c.lines) for c in with_spans]


def test_wrapped_pdf_lines_are_joined_for_the_model_but_cited_as_printed():
    c = chunk_text(seed_text("000_aa0ecb1c4df3c9c5.txt"), SPANS["000_aa0ecb1c4df3c9c5.txt"])[1]
    assert c.text.split("\n")[2] == ""  # the blank line 13 inside the sentence stays, for the line numbers
    assert "发布依法应主动公开信息。在区政府网站及时规范公开政务信息 900多条。" in embed_text(c)
    assert keyword_text(c, "红旗区人民政府办公室", 2023).startswith("红旗区人民政府办公室 2023年 一、总体情况 > （一）主动公开情况\n")


def test_a_long_paragraph_is_cut_before_an_item():
    chunks = chunk_text(seed_text("004_a940ca4a84d42417.txt"), SPANS["004_a940ca4a84d42417.txt"])
    first, second = chunks[9], chunks[10]
    assert first.text.startswith("2.要点落实情况:2023年,我办紧紧围绕")
    assert first.text.endswith("同时探索政务公开新形式、新渠道。")
    assert second.text.startswith("三是以群众需求为中心")
    assert second.text.endswith("加大培训指导力度。")
    for c in chunks:
        assert len(re.sub(r"\s", "", c.text)) <= 420


def test_a_lead_in_sentence_opens_a_new_chunk():
    chunks = chunk_text(seed_text("004_a940ca4a84d42417.txt"), SPANS["004_a940ca4a84d42417.txt"])
    assert chunks[6].text.endswith("还存在错敏字等情况。")
    assert chunks[7].text.startswith("下一步,我办将围绕以下几点进行改进:")


def test_small_texts():
    text = "\n".join([
        "某县财政局2023年政府信息公开工作年度报告",            # 1 title: dropped
        "一、总体情况",                                      # 2
        "（一）主动公开情况。全年公开信息45条。",             # 3 heading and text on one line
        "（二）依申请公开",                                  # 4
        "全年收到申请3件，",                                 # 5 a sentence wrapped over two lines
        "均已按时答复。",                                    # 6
        "二、主动公开政府信息情况",                          # 7 a table the reader did not find
        "规章 0 0 0",                                        # 8
        "行政许可 | ",                                       # 9
        "五、存在的主要问题及改进情况",                      # 10
        "存在问题：",                                        # 11 a label on its own line
        "一是公开不及时；二是解读不够。",                    # 12
        "改进情况：",                                        # 13
        "加强培训。",                                        # 14
    ])
    got = [(c.section, c.lines, c.text) for c in chunk_text(text)]
    assert got == [
        ("一、总体情况 > （一）主动公开情况", (3, 3), "（一）主动公开情况。全年公开信息45条。"),
        ("一、总体情况 > （二）依申请公开", (4, 6), "（二）依申请公开\n全年收到申请3件，\n均已按时答复。"),
        ("五、存在的主要问题及改进情况 > 存在问题", (11, 12), "存在问题：\n一是公开不及时；二是解读不够。"),
        ("五、存在的主要问题及改进情况 > 改进情况", (13, 14), "改进情况：\n加强培训。"),
    ]
    assert chunk_text("") == []
    assert chunk_text(text) == chunk_text(text)  # pure: same input, same chunks
