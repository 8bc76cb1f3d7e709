"""Every answer over several reports says which reports it could not count (a report whose year
was not recognised), rankings as well as totals."""
from __future__ import annotations

import shutil
from pathlib import Path

from qa_app import ask
from qa_app.indexer import index_paths
from qa_app.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_rankings_and_totals_name_the_report_without_a_year(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(SEEDS.glob("00[0-2]_*.txt")):
        shutil.copy(f, src / f.name)
    # seed 004 (红谷滩区政府办, 部分公开 12) with every year struck out
    text = (SEEDS / "004_a940ca4a84d42417.txt").read_text("utf-8").replace("2023", "某年")
    (src / "noyear.txt").write_text(text, encoding="utf-8")
    s = Settings.load(index=tmp_path / "idx", narrative=False, database_url="", llm_mode="none")
    assert index_paths([src], s, progress=False).ok
    for q in ("哪个单位部分公开最多", "2023年各单位新收申请一共多少件", "各单位部分公开分别多少"):
        a = ask(q, settings=s)
        assert "另有1份报告未识别年度，未计入：noyear.txt" in a.answer, (q, a.answer)
