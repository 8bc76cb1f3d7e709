"""Questions by province: the gazetteer's province and prefecture of each report reach the engine
(a report writes 「淮安市洪泽区」 and never 江苏; 「红旗区」 and never 河南)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa_app import ask
from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realworld"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    if not REAL.is_dir():
        pytest.skip(f"没有真实报告目录 {REAL}")
    src = tmp_path_factory.mktemp("in")
    for name in ("huaian_city_2024.pdf", "huaian_hongze_2024.pdf", "shanghai_kewei_2024.md"):
        shutil.copy(REAL / name, src / name)
    shutil.copy(ROOT / "seeds" / "000_aa0ecb1c4df3c9c5.txt", src)
    s = Settings.load(index=tmp_path_factory.mktemp("idx"), narrative=False, database_url="", llm_mode="none")
    assert index_paths([src], s, progress=False).ok
    return s


def test_a_total_over_a_province_counts_its_reports_only(settings):
    a = ask("江苏省2024年各单位新收申请一共多少件", settings=settings)
    # 淮安市人民政府 3119 + 淮安市洪泽区人民政府 95; 上海市科委 (34) is not in 江苏
    assert a.value == 3214 and {c.report for c in a.citations} == {"huaian_city_2024.pdf", "huaian_hongze_2024.pdf"}
    h = ask("河南省2023年各单位新收申请一共多少件", settings=settings)
    assert h.value == 4 and {c.report for c in h.citations} == {"000_aa0ecb1c4df3c9c5.txt"}


def test_a_listing_by_place_lists_every_report_of_it(settings):
    # issue 13: 「江苏的报告有哪些」 lists the two Jiangsu reports (with the count), it does not ask
    # which body; 「列出」 is an instruction word, never glued into a name (「列出江苏省」)
    for q in ("江苏的报告有哪些", "列出江苏省的报告", "江苏省有哪些报告？", "请列出江苏的年度报告"):
        a = ask(q, settings=settings)
        assert a.kind == "aggregate" and a.value == 2, (q, a.answer)
        assert "huaian_city_2024.pdf" in a.answer and "huaian_hongze_2024.pdf" in a.answer, q
        assert "shanghai_kewei_2024.md" not in a.answer and "2份" in a.answer, q
    a = ask("红旗区的报告有哪些", settings=settings)
    assert a.kind == "aggregate" and a.value == 1 and "000_aa0ecb1c4df3c9c5.txt" in a.answer


def test_a_lookup_naming_a_place_of_several_bodies_asks_which(settings):
    a = ask("江苏2024年收到多少申请", settings=settings)
    assert a.kind == "clarify" and "淮安市人民政府" in a.answer and "淮安市洪泽区人民政府" in a.answer, a.answer
