"""The prose index's buffered vector writes during an index run (narrative/index.py), and the
cache of body names retrieval.py matches a question against. Hash backend, seed reports, no mocks
of the parts under test: a crash is a real process that dies in the middle of its run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
D = "003_537c1939cbe3baea.txt"  # 红旗区文化街街道办事处 2023, 7 chunks
E = "004_a940ca4a84d42417.txt"  # 红谷滩区政府办 2023, 11 chunks
ENV = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}


def _copy(dst: Path, names=None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.iterdir()):
        if names is None or p.name in names:
            shutil.copy(p, dst / p.name)
    return dst


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, env=ENV)


def test_vectors_wait_for_finish_and_go_in_few_adds(tmp_path, monkeypatch):
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.narrative.vectorstore import VectorStore
    calls = []
    real_add = VectorStore.add

    def add(self, ids, vectors, metadatas):
        calls.append(len(ids))
        return real_add(self, ids, vectors, metadatas)
    monkeypatch.setattr(VectorStore, "add", add)
    monkeypatch.setattr(NarrativeIndex, "FLUSH_AT", 20)
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    nx = NarrativeIndex(s)
    assert index_paths([_copy(tmp_path / "in")], s, narrative=nx, progress=False).ok
    # 45 chunks in 5 reports (9, 9, 9, 7, 11): flushed before the report that finds 20 or more
    # waiting, and the rest in finish()
    assert calls == [27, 18]
    assert sorted(nx.vectors.ids()) == sorted(nx.db.chunk_ids())
    assert nx.db.pending_count(nx.model_id) == 0 and not nx._buffer
    # outside an index run (an upload through the API) a report's vectors are written at once
    p = tmp_path / "in" / D
    p.write_text(p.read_text("utf-8").replace("553 条", "554 条"), "utf-8")
    from qa_app.indexer import index_file
    from qa_app.store import Store
    assert index_file(p, s, Store(s.db_url), nx).status == "replaced"
    assert calls[-1] == 7 and nx.vectors.count() == nx.db.count() == 45


def test_a_run_that_dies_midway_leaves_the_index_usable_and_the_next_run_completes_it(tmp_path):
    """Reports indexed by an earlier run keep their vectors; the dead run's chunks are in the
    chunk table (so BM25 finds them) with their vectors pending; dense search still works; the
    next run adds the pending vectors from the cache without calling the model."""
    from qa_app.narrative import search
    from qa_app.narrative.index import NarrativeIndex
    src = _copy(tmp_path / "in", [D])
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    assert index_paths([src], s, progress=False).ok
    before = [(h.chunk_id, h.score) for h in search("微信公众号平台", s, k=3, mode="dense")]
    _copy(src, [E])
    code = ("import os\nfrom qa_app.settings import Settings\nfrom qa_app.indexer import index_paths\n"
            "from qa_app.narrative.index import NarrativeIndex\n"
            "NarrativeIndex.finish = lambda self, store=None: os._exit(3)  # dies before its vectors are written\n"
            f"s = Settings.load(index={str(s.index)!r}, embedding_backend='hash')\n"
            f"index_paths([{str(src)!r}], s, progress=False)\n")
    out = _run(code)
    assert out.returncode == 3, out.stderr
    nx = NarrativeIndex(s, create=False)
    assert nx.db.count() == 7 + 11 and nx.vectors.count() == 7
    assert nx.db.pending_count(nx.model_id) == 11 and nx.vectors_complete()
    # a fresh process: dense search works and gives what it gave before; BM25 sees the new report
    code = ("import json\nfrom qa_app.settings import Settings\nfrom qa_app.narrative import search\n"
            f"s = Settings.load(index={str(s.index)!r}, embedding_backend='hash')\n"
            "print(json.dumps([[(h.chunk_id, h.score) for h in search('微信公众号平台', s, k=3, mode='dense')],"
            " sorted({h.report for h in search('红谷滩区政府办收了信息处理费吗', s, k=5, mode='bm25')})]))\n")
    out = _run(code)
    assert out.returncode == 0, out.stderr
    import json
    dense, bm25_reports = json.loads(out.stdout.strip().splitlines()[-1])
    assert [tuple(x) for x in dense] == before
    assert E in bm25_reports
    # the next run: nothing to parse again, nothing to embed, every vector in place
    nx2 = NarrativeIndex(s)
    summary = index_paths([src], s, narrative=nx2, progress=False)
    assert summary.count("unchanged") == 2 and summary.ok
    assert nx2.stats["embedded"] == 0
    assert sorted(nx2.vectors.ids()) == sorted(nx2.db.chunk_ids()) and nx2.db.pending_count(nx2.model_id) == 0
    assert search("红谷滩区政府办收了信息处理费吗", s, k=1, mode="dense")[0].report == E


def test_a_report_replaced_twice_in_one_run_leaves_only_its_last_chunks(tmp_path):
    """The second version's chunks replace the first's while the first's vectors still wait in
    the buffer: neither they nor their pending rows survive the run."""
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.report import parse_report
    from qa_app.store import Store
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    nx = NarrativeIndex(s)
    store = Store(s.db_url)
    text = (SEEDS / D).read_text("utf-8")
    nx.begin()
    first = parse_report(text, D)
    rid = store.put_report(first, "a" * 64, "txt", on_commit=lambda conn, r: nx.replace(r, first))
    first_ids = set(nx.db.chunk_ids([rid]))
    second = parse_report(text.replace("553 条", "600 条"), D)
    rid2 = store.put_report(second, "b" * 64, "txt", replace_id=rid,
                            on_commit=lambda conn, r: nx.replace(r, second, old_id=rid))
    nx.finish(store)
    ids = set(nx.db.chunk_ids())
    assert ids == set(nx.db.chunk_ids([rid2])) and not ids & first_ids
    assert nx.vectors.ids() == ids and nx.db.pending_count(nx.model_id) == 0
    rows = nx.db.chunks(sorted(ids))
    assert any("600 条" in r.text for r in rows.values())
