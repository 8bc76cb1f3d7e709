"""Scale-out: several `qa-app serve` replicas over one PostgreSQL and one Chroma server.

Real processes on 127.0.0.1: a throwaway PostgreSQL 15, `chroma run`, and three `qa-app serve`
replicas, each with its own EMPTY local index folder. A report uploaded through replica A is
answered by replica B, for a table question and for a prose question, with citations; a report
removed through B is gone for A; a replica started afterwards answers at once. Nothing that
matters lives on a replica's disk (its BM25 index is rebuilt from the database).
What it does not cover: the speed of this set-up (bench/, docs/benchmarks.md).
"""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from servers import ServerUnavailable, chroma, postgres, qa_serve

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
HQ, WHJ, HGT = "000_aa0ecb1c4df3c9c5.txt", "003_537c1939cbe3baea.txt", "004_a940ca4a84d42417.txt"
TABLE_Q = "红谷滩部分公开了多少件申请？"
PROSE_Q = "文化街街道通过什么平台公开信息？"


def ask(base: str, q: str) -> dict:
    r = httpx.post(base + "/ask", json={"question": q}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def cited(ans: dict) -> set[str]:
    return {c["report"] for c in ans.get("citations") or []}


@pytest.fixture(scope="module")
def shared_servers(tmp_path_factory):
    try:
        with postgres() as url, chroma(tmp_path_factory.mktemp("chroma")) as chroma_url:
            yield {"QA_APP_DATABASE_URL": url, "QA_APP_CHROMA_URL": chroma_url,
                   "QA_APP_EMBEDDING_BACKEND": "hash", "QA_APP_LLM_MODE": "none"}
    except ServerUnavailable as e:
        pytest.skip(str(e))


def test_replicas_share_everything_through_the_servers(shared_servers, tmp_path):
    env = shared_servers
    with qa_serve(tmp_path / "a" / "index", env) as a, qa_serve(tmp_path / "b" / "index", env) as b:
        for name in (HQ, WHJ, HGT):
            with open(SEEDS / name, "rb") as f:
                r = httpx.post(a + "/reports", files={"file": (name, f, "text/plain")}, timeout=300)
            assert r.status_code == 201, r.text
        # B never saw the files: it answers from the database and the Chroma server
        assert sorted(x["file_name"] for x in httpx.get(b + "/reports").json()) == [HQ, WHJ, HGT]
        t = ask(b, TABLE_Q)
        assert t["value"] == 12 and cited(t) == {HGT} and t["citations"][0]["lines"] == [91, 98]
        p = ask(b, PROSE_Q)
        assert p["kind"] == "text" and WHJ in cited(p) and "公众号" in p["answer"]
        # remove through B: A no longer answers from it
        hgt_id = next(x["id"] for x in httpx.get(b + "/reports").json() if x["file_name"] == HGT)
        assert httpx.delete(f"{b}/reports/{hgt_id}").status_code == 200
        gone = ask(a, "红谷滩区政府办2023年部分公开了多少件申请？")
        assert gone.get("value") is None and HGT not in cited(gone) and "库中没有" in gone["answer"]
        assert sorted(x["file_name"] for x in httpx.get(a + "/reports").json()) == [HQ, WHJ]
    # a third replica, started afterwards on an empty folder, answers both kinds at once
    with qa_serve(tmp_path / "c" / "index", env) as c:
        t = ask(c, "红旗区政府办2023年新收了多少件申请？")
        assert t["value"] == 4 and cited(t) == {HQ}
        p = ask(c, PROSE_Q)
        assert WHJ in cited(p) and "公众号" in p["answer"]
    for folder in ("a", "b", "c"):  # nothing of the index on the replicas' disks but caches
        local = tmp_path / folder / "index"
        assert not (local / "facts.sqlite").exists() and not (local / "narrative.sqlite").exists()
        assert not (local / "chroma").exists()


def test_numbers_and_prose_commit_together_on_a_shared_database(shared_servers, tmp_path):
    """With the prose tables in the side store's database, one report's numbers and chunks are one
    transaction, and its vectors go to Chroma only after the commit: a failure at the end of the
    report's transaction leaves no chunk and no vector; a success leaves both."""
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.report import parse_report
    from qa_app.settings import Settings
    from qa_app.store import Store
    url = shared_servers["QA_APP_DATABASE_URL"]
    s = Settings.load(index=tmp_path / "ix", database_url=url, chroma_url=shared_servers["QA_APP_CHROMA_URL"],
                      embedding_backend="hash")
    store, nx = Store(s.db_url), NarrativeIndex(s, progress=False)
    before_chunks, before_vectors = nx.db.count(), nx.vectors.count()
    parsed = parse_report((SEEDS / WHJ).read_text("utf-8"), "commit-test.txt")

    def write_then_fail(conn, rid):
        nx.replace(rid, parsed, conn=conn)
        assert nx.db.count() == before_chunks  # not visible outside the open transaction
        raise RuntimeError("the side store's last write failed")

    with pytest.raises(RuntimeError):
        store.put_report(parsed, "c" * 64, "txt", on_commit=write_then_fail)
    nx.rolled_back()
    assert store.by_name("commit-test.txt") is None
    assert nx.db.count() == before_chunks and nx.vectors.count() == before_vectors
    rid = store.put_report(parsed, "c" * 64, "txt", on_commit=lambda conn, r: nx.replace(r, parsed, conn=conn))
    assert nx.vectors.count() == before_vectors  # nothing in Chroma before the caller says committed
    nx.committed()
    n = len(nx.db.chunk_ids([rid]))
    assert n == 7 and nx.db.count() == before_chunks + n and nx.vectors.count() == before_vectors + n
    assert nx.db.pending_count(nx.model_id) == 0
