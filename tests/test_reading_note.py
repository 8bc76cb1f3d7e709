"""Answers from cells the reader was not sure of say so in words (qa_app/engine/reading.py)."""
from __future__ import annotations

import test_layout_variants as V
from test_table_flags import BROKEN, _blocks

from qa_app import ask
from qa_app.indexer import index_paths
from qa_app.settings import Settings


def test_an_uncertain_row_is_said_and_a_certain_one_is_not(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    # numbers printed apart from their labels, and a 总计 the rows do not add up to: the reader
    # cannot confirm where the rows go
    (src / "unsure.txt").write_text(_blocks(BROKEN).replace("某某市某某局", "新乡市牧野区教育局"), encoding="utf-8")
    # the same layout whose identities hold: placed with confidence
    (src / "sure.txt").write_text(_blocks(V.APP_ROWS).replace("某某市某某局", "新乡市牧野区民政局"), encoding="utf-8")
    s = Settings.load(index=tmp_path / "idx", narrative=False, database_url="", llm_mode="none")
    assert index_paths([src], s, progress=False).ok
    unsure = ask("新乡市牧野区教育局2023年予以公开了多少件？", settings=s)
    assert unsure.value == 13 and "读取不确定" in unsure.answer and "请对照原文" in unsure.answer
    sure = ask("新乡市牧野区民政局2023年予以公开了多少件？", settings=s)
    assert sure.value == 13 and "读取不确定" not in sure.answer
