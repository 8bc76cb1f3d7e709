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


# -- names in a question ---------------------------------------------------------------------------
def _names_in_query_by_regex(query, reports):
    """The first implementation: one regex per body name, every call (the reference)."""
    import re

    from qa_app.narrative.retrieval import _region_forms, body_names
    found = []
    by_name: dict[str, set[int]] = {}
    for r in reports:
        for n in body_names(r):
            by_name.setdefault(n, set()).add(r.id)
    for n, ids in by_name.items():
        for m in re.finditer(re.escape(n), query):
            found.append((m.start(), m.end(), n, ids))
    found.sort(key=lambda x: -(x[1] - x[0]))
    taken, bodies, matched = [], set(), []
    for a, b, n, ids in found:
        clash = [t for t in taken if a < t[1] and t[0] < b]
        if clash and any((b - a) < t[2] for t in clash):
            continue
        taken.append((a, b, b - a))
        bodies |= ids
        if n not in matched:
            matched.append(n)
    regions, region_words, rest = set(), [], query
    for n in matched:
        rest = rest.replace(n, " ")
    for r in reports:
        for f in sorted(_region_forms(r.region), key=len, reverse=True):
            if f in rest:
                regions.add(r.id)
                if f not in region_words:
                    region_words.append(f)
                break
    return bodies, matched, regions, region_words


def test_names_in_query_matches_the_regex_reference():
    import random
    from types import SimpleNamespace

    from qa_app.narrative.retrieval import _region_forms, body_names, names_in_query
    rng = random.Random(5)
    bodies = ["人民政府办公室", "城乡建设局", "文化街街道办事处", "信访局", "教育局", "卫生健康委员会", "政府办"]
    places = ["新乡市红旗区", "南昌市红谷滩区", "新乡市", "红旗区", "宁川市仁门县", "仁门县", None]
    reports = []
    for i in range(60):
        region = rng.choice(places)
        agency = (region or "") + rng.choice(bodies)
        aliases = [agency[len(region or ""):]] if rng.random() < 0.5 else []
        reports.append(SimpleNamespace(id=i + 1, agency=agency, aliases=aliases, region=region))
    names = sorted({n for r in reports for n in body_names(r)} | {f for r in reports for f in _region_forms(r.region)})
    queries = ["红旗区城乡建设局收费了吗", "文化街街道的公众号", "红谷滩区政府办和红旗区政府办哪个多", "信访局信访局",
               "仁门县仁门县教育局2023年", "没有名字的问题"]
    for _ in range(400):
        q = "".join(rng.choice(names + ["的", "和", "2023年"]) for _ in range(rng.randint(1, 4)))
        cut = rng.randint(0, len(q) - 1)
        queries.append(q[cut:] + q[:cut] if rng.random() < 0.3 else q)
    for subset in (reports, reports[::4], list(reports)):
        for q in queries:
            assert names_in_query(q, subset) == _names_in_query_by_regex(q, subset), q
