"""Smoke test of the benchmark (bench/): the generator, both systems and the judge at N=5.

Runs in-process with the "hash" embedding backend (no model), so it takes seconds. It checks
that the generated questions carry expected answers from the generator's own numbers, that
every printed cell of the synthetic reports is read back exactly, that qa-app answers the
generated table and aggregate questions, and that the baseline runs and is scored.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gen_corpus, judge  # noqa: E402
from bench.run import run_baseline, run_ours  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("bench5")
    reports = gen_corpus.generate(5, d, seed=3, counts=(10, 3, 6, 4))
    return d, reports


def test_generator_writes_reports_and_questions_with_known_answers(corpus):
    d, reports = corpus
    files = sorted((d / "reports").iterdir())
    assert len(files) == len(reports) == 5
    assert {f.suffix for f in files} <= {".txt", ".md"}
    qs = [json.loads(x) for x in (d / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = {q["kind"] for q in qs}
    assert {"table", "text", "refuse"} <= kinds
    by_file = {r.file: r for r in reports}
    for q in qs:
        assert q["id"] and q["q"]
        if q["kind"] in ("table", "aggregate"):
            assert set(q["source"]) <= set(by_file)
            assert isinstance(q.get("value", 0), (int, float))
        if q["kind"] == "text":
            text = (d / "reports" / q["source"][0]).read_text(encoding="utf-8")
            assert any(s in text.replace("\n", "") for s in q["any"])
        if q["kind"] == "refuse":
            assert "value" not in q and "any" not in q


def test_generated_tables_satisfy_the_checks_except_the_broken_cell():
    for r in gen_corpus.make_reports(60, seed=5):
        bal = all(r.app[("new_received", c)] + r.app[("carried_over", c)]
                  == r.app[("total", c)] + r.app[("carried_forward", c)] for c in gen_corpus.APP_COLS)
        if r.broken is None:
            assert bal, r.file
            for row in gen_corpus.PRINTED_ROWS:
                assert r.app[(row, "total")] == sum(r.app[(row, c)] for c in gen_corpus.PERSON_COLS)


def test_judge_is_the_shared_one():
    shared = ROOT.parent / "shared" / "tools" / "score_questions.py"
    if not shared.exists():
        pytest.skip("shared/ not beside the checkout")
    import importlib.util
    spec = importlib.util.spec_from_file_location("score_questions", shared)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cases = [({"kind": "table", "value": 12, "source": ["a.txt"]}, {"answer": "12件", "value": 12,
                                                                    "citations": [{"report": "a.txt"}]}),
             ({"kind": "table", "value": 12, "source": ["a.txt"]}, {"answer": "12件", "value": 11,
                                                                    "citations": [{"report": "a.txt"}]}),
             ({"kind": "text", "any": ["994"], "source": ["a.txt"]}, {"answer": "发布994条", "citations": []}),
             ({"kind": "refuse"}, {"answer": "库中没有海淀区的报告", "value": None, "kind": "none"}),
             ({"kind": "refuse"}, {"answer": "4件", "value": 4, "kind": "table"})]
    for g, a in cases:
        assert judge.judge(g, a)[0] == mod.judge(g, a)[0]


def test_both_systems_run_and_are_scored(corpus, tmp_path):
    d, _ = corpus
    ours = run_ours(d, tmp_path / "ours", "hash")
    q = ours["questions"]["by_kind"]
    assert q["table"]["n"] == 10 and q["table"]["ok"] == 10, ours["questions"]["misses"]
    assert q["aggregate"]["ok"] == q["aggregate"]["n"], ours["questions"]["misses"]
    assert q["refuse"]["ok"] == q["refuse"]["n"]
    assert ours["cells"]["wrong"] == 0, ours["cells"]["examples"]
    assert ours["reindex"]["embedded"] == 0
    assert ours["index"]["chunks"] > 0 and ours["facts"]["reports_per_s"] > 0
    base = run_baseline(d, tmp_path / "baseline", "hash")
    bq = base["questions"]["by_kind"]
    assert sum(v["n"] for v in bq.values()) == sum(v["n"] for v in q.values())
    assert base["index"]["chunks"] > 0
