"""A long-lived reader's BM25 index after another writer changed the chunk table: small indexes
are rebuilt at once; large ones keep serving while a fresh one is built in the background."""
from __future__ import annotations

import shutil
from pathlib import Path

from qa_app.indexer import index_paths
from qa_app.narrative.index import NarrativeIndex
from qa_app.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
WHJ = "003_537c1939cbe3baea.txt"


def test_a_large_stale_index_serves_while_it_is_rebuilt(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        if f.name != WHJ:
            shutil.copy(f, src / f.name)
    # two replicas' folders over one database (SQLite here; PostgreSQL in a deployment)
    shared = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    s = Settings.load(index=tmp_path / "writer", embedding_backend="hash", database_url=shared, chroma_url="")
    assert index_paths([src], s, progress=False).ok
    reader = NarrativeIndex(s.replace(index=tmp_path / "reader"), create=False, progress=False)
    reader.BACKGROUND_BM25_AT = 1  # every index counts as large here
    reader.keyword("微信公众号平台", 5)  # loads the index (文化街's report is not in it yet)
    old_bm25 = reader.bm25
    shutil.copy(SEEDS / WHJ, src / WHJ)
    assert index_paths([src], s, progress=False).ok  # another writer (its own NarrativeIndex)
    first = {c for c, _ in reader.keyword("微信公众号平台", 20)}  # from the stale index, no wait
    reader._bm25_thread.join(timeout=60)
    assert reader.bm25 is not old_bm25 and reader.bm25.stamp == reader.db.stamp()
    whj_ids = set(reader.db.chunk_ids([reader.store.by_name(WHJ)]))
    assert whj_ids and not first & whj_ids and {c for c, _ in reader.keyword("微信公众号平台", 20)} & whj_ids


def test_a_small_stale_index_is_rebuilt_at_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash", database_url="", chroma_url="")
    shutil.copy(SEEDS / "000_aa0ecb1c4df3c9c5.txt", src)
    assert index_paths([src], s, progress=False).ok
    reader = NarrativeIndex(s, create=False, progress=False)
    reader.keyword("微信公众号平台", 5)
    shutil.copy(SEEDS / WHJ, src / WHJ)
    assert index_paths([src], s, progress=False).ok
    whj_ids = set(reader.db.chunk_ids([reader.store.by_name(WHJ)]))
    assert {c for c, _ in reader.keyword("微信公众号平台", 20)} & whj_ids and reader._bm25_thread is None


def test_removal_on_a_shared_sqlite_database_does_not_wait_for_itself(tmp_path):
    """The prose tables in the side store's SQLite file: remove writes in the store's transaction
    (a second writer on the same file would wait for the first for ever)."""
    from qa_app.indexer import remove_report
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / WHJ, src / WHJ)
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash", chroma_url="",
                      database_url=f"sqlite:///{tmp_path / 'shared.sqlite'}")
    assert index_paths([src], s, progress=False).ok
    nx = NarrativeIndex(s, create=False, progress=False)
    assert nx.db.count() == 7
    assert remove_report(WHJ, s) is not None
    assert nx.db.count() == 0
