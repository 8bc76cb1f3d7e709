"""NarrativeIndex: the prose of every report as chunks in Chroma (dense) and bm25s (keywords).

The indexer calls, inside the side store's transaction for one report (or, facts first,
follow.py calls after that transaction committed, with the vectors it embedded for many reports
in one model call), `replace(report_id, parsed, old_id=...)` (new chunks first, then the old report's chunks go;
on any failure what was added is taken out again and the error re-raised, so the side store
rolls back with nothing left behind) and `remove(report_id)`; at the end of an `index` run it
calls `finish(store)`, which reconciles with the side store (a report indexed while the
narrative index was off, or left in the prose queue by a killed facts-first run, gets its chunks
now, through follow.resume; chunks of a report the side store no longer has go; the prose queue
loses every report whose prose is in), makes sure the current embedding model's collection holds every chunk (after a model
change it embeds what the cache lacks) and rebuilds the BM25 index once.

Between `begin()` and `finish()` (an index run) new vectors wait in memory and go to Chroma in
a few large adds (`flush`: when FLUSH_AT are waiting, and in `finish`); one Chroma add per
report cost more than the rest of the prose index together. The chunk rows are written at once
as before, with a `pending` row per chunk whose vector is not in Chroma yet (same SQLite
transaction), so a crashed run leaves chunks without vectors, never vectors without chunks:
BM25 finds them, dense search keeps working without them, and the next run's `finish` adds
their vectors from the vector cache (no model call). Old vectors of a replaced or removed
report are deleted at once. Outside an index run (an upload through the API) `replace` writes
to Chroma at once.

`dense()` and `keyword()` are the two retrievers over a set of allowed reports; fusion, filters
and the `Hit` type are in retrieval.py. The chunk table in narrative.sqlite is the truth:
a vector or BM25 entry whose chunk is not there is ignored.

What it does not: parse files, write the side store, or answer questions.
"""
from __future__ import annotations

import sys
import threading
import uuid
from contextlib import nullcontext
from pathlib import Path

from .chunking import chunk_text, embed_text, keyword_text
from .db import OWN_STAMPS, ChunkRow, NarrativeDB


class NarrativeIndex:
    FLUSH_AT = 1024  # buffered vectors go to Chroma in one add once this many wait
    BACKGROUND_BM25_AT = 20_000  # chunks: a stale loaded BM25 index this large is rebuilt in the background

    def __init__(self, settings, store=None, progress: bool | None = None, create: bool = True):
        self.settings = settings
        self.dir = Path(settings.index)
        self.db = NarrativeDB(self.dir / "narrative.sqlite", create=create, url=settings.database_url or None)
        # progress bars while embedding: on when stderr is a terminal, unless told
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.stats = {"embedded": 0, "cached": 0}
        self._store = store
        self._embedder = None
        self._vs = None
        self._bm25 = None
        self._bm25_thread: threading.Thread | None = None
        self._lock = threading.RLock()
        self._seen_stamp = self.db.stamp()
        self._complete_at: str | None = None  # the stamp at which vectors_complete() last held
        self._batch = False  # inside an index run: vectors wait in _buffer
        self._buffer: dict[str, tuple] = {}  # chunk id -> (vector, Chroma metadata), in order
        self._uncommitted: dict[str, tuple] = {}  # the same, of reports whose side-store commit is not known yet

    # -- parts, opened on first use --------------------------------------------------------
    @property
    def store(self):
        if self._store is None:
            from ..store import Store
            self._store = Store(self.settings.db_url)
        return self._store

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from .embeddings import CachedEmbedder, make_embeddings
                emb, model_id = make_embeddings(self.settings)
                self._embedder = CachedEmbedder(emb, model_id, self.db, progress=self.progress, stats=self.stats)
            return self._embedder

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @staticmethod
    def _wait_warm() -> None:
        warm = getattr(NarrativeIndex, "_warm_thread", None)
        if warm is not None and warm.is_alive() and warm is not threading.current_thread():
            warm.join()  # chromadb / jieba / bm25s are being imported there: one importer at a time

    @property
    def vectors(self):
        if self._vs is None:
            self._wait_warm()
            from .vectorstore import VectorStore
            self._vs = VectorStore(self.settings, self.db.get_meta("index_uid"), self.model_id)
        return self._vs

    @property
    def bm25(self):
        if self._bm25 is None:
            self._wait_warm()
            from .bm25 import Bm25Index
            self._bm25 = Bm25Index(self.dir / "bm25")
        return self._bm25

    # -- writes ----------------------------------------------------------------------------
    def rows_for(self, report_id: int, parsed, chunks=None) -> list[ChunkRow]:
        """The chunk rows of a parsed report (pure apart from tokenising); `chunks` when
        `chunk_text` was already run on it."""
        ready = getattr(NarrativeIndex, "_tokenizer_ready", None)
        if ready is not None:
            ready.wait()  # jieba's dictionary is loading in the warm-up thread: one importer at a time
        from .bm25 import tokenize
        meta = parsed.meta
        gen = uuid.uuid4().hex[:8]
        rows = []
        for c in chunk_text(parsed.text, parsed.tables.spans) if chunks is None else chunks:
            rows.append(ChunkRow(f"{report_id}-{gen}-{c.seq}", int(report_id), c.seq, parsed.file_name, meta.agency,
                                 meta.region, meta.year, c.section, c.lines[0], c.lines[1], c.text, embed_text(c),
                                 " ".join(tokenize(keyword_text(c, meta.agency, meta.year)))))
        return rows

    def begin(self) -> None:
        """An index run starts: buffer new vectors until `finish` (or FLUSH_AT of them)."""
        self._batch = True

    def _warm(self) -> None:
        """Once per process, when the first report of a run is to be embedded: import chromadb and
        load jieba's dictionary in a background thread, so these one-off costs (about 4 s and 1 s
        here) overlap the model's encoding (which releases the GIL) instead of following it.
        Only imports: no client, no collection, nothing a failure could leave half-made."""
        if getattr(NarrativeIndex, "_warmed", False) or not self._batch:
            return
        NarrativeIndex._warmed = True
        import numpy  # noqa: F401  (here first: numpy imported for the first time in two threads at once fails)
        ready = NarrativeIndex._tokenizer_ready = threading.Event()

        def work():
            try:
                from .bm25 import load_tokenizer
                try:
                    load_tokenizer()
                finally:
                    ready.set()
                import chromadb  # noqa: F401
                import bm25s  # noqa: F401  (scipy: built once at the end of the run)
            except Exception:  # the real use reports any failure itself
                pass
        NarrativeIndex._warm_thread = t = threading.Thread(target=work, name="qa-app-warm", daemon=True)
        t.start()

    def replace(self, report_id: int, parsed, old_id: int | None = None, conn=None, chunks=None,
                vectors=None) -> int:
        """Index `parsed` as report `report_id`, dropping the chunks of `old_id` (and any earlier
        chunks of `report_id`); returns the number of chunks. All or nothing.

        `conn`: the side store's open transaction (the indexer's hook passes it). When the prose
        tables live in that same database (a shared PostgreSQL), the chunks are written in it:
        the report's numbers and prose commit or roll back together. The new vectors never go
        to Chroma here: every new chunk gets a `pending` row, and its vector waits until the
        caller says the report is committed (`committed()`; `rolled_back()` drops it), so a
        crash or a failed commit leaves chunks without vectors, never vectors without chunks.
        `chunks`, `vectors`: chunk_text's chunks of `parsed` and their vectors, when the caller
        (follow.py, which embeds many reports' chunks in one model call) has them already."""
        from .vectorstore import chunk_metadata
        with self._lock:
            if self._batch and len(self._buffer) >= self.FLUSH_AT:
                self.flush()  # before this report's writes: a Chroma failure leaves nothing of it behind
            shared = conn is not None and self.db.url == self.store_url()
            # an earlier try of this report whose transaction was retried (the store waits out a
            # busy database and runs the write again): its vectors are not to go to Chroma
            for k in [k for k in self._uncommitted if k.startswith(f"{report_id}-")]:
                del self._uncommitted[k]
            if chunks is None:
                chunks = chunk_text(parsed.text, parsed.tables.spans)
            if chunks:
                self._warm()
            embedder = self.embedder
            if vectors is not None:
                vecs = vectors
            else:
                vecs = embedder.embed_passages([embed_text(c) for c in chunks],
                                               conn=conn if shared else None) if chunks else []
            rows = self.rows_for(report_id, parsed, chunks)
            stale = sorted({report_id} | ({old_id} if old_id is not None else set()))
            old_ids = self.db.chunk_ids(stale)
            new_ids = [r.id for r in rows]
            metas = [chunk_metadata(r) for r in rows]
            in_chroma = [i for i in old_ids if i not in self._buffer and i not in self._uncommitted]
            with (nullcontext(conn) if shared else self.db.transaction()) as c:
                self.db.insert_chunks(c, rows)
                self.db.delete_chunks(c, old_ids)
                for rid in stale:
                    self.db.delete_report(c, rid)
                self.db.put_report(c, report_id, parsed.sha256, parsed.file_name, parsed.meta.agency,
                                   parsed.meta.region, parsed.meta.year, len(rows))
                self.db.bump(c)
                if rows:
                    self.db.add_pending(c, embedder.model_id, new_ids)
                if in_chroma:  # old vectors go first: a failure now leaves chunks without vectors
                    self.vectors.delete(in_chroma)
            for i in old_ids:
                self._buffer.pop(i, None)
                self._uncommitted.pop(i, None)
            if rows:
                self._uncommitted.update(zip(new_ids, zip(vecs, metas)))
            return len(rows)

    def store_url(self) -> str:
        return self.settings.db_url

    def committed(self) -> None:
        """The side store committed the reports `replace` wrote since the last call: their vectors
        may go to Chroma now (buffered during an index run, at once otherwise)."""
        with self._lock:
            self._buffer.update(self._uncommitted)
            self._uncommitted.clear()
            if not self._batch:
                self.flush()

    def rolled_back(self) -> None:
        """The side store rolled back: the vectors of what `replace` wrote are dropped (their chunk
        rows, where they were committed apart, are reconciled away by the next `finish`)."""
        with self._lock:
            self._uncommitted.clear()

    def remove(self, report_id: int, conn=None) -> int:
        """Take a report's chunks out; returns how many there were. `conn`: the side store's open
        transaction, used when the prose tables share its database (as in `replace`)."""
        with self._lock:
            ids = self.db.chunk_ids([report_id])
            in_chroma = [i for i in ids if i not in self._buffer and i not in self._uncommitted]
            shared = conn is not None and self.db.url == self.store_url()
            with (nullcontext(conn) if shared else self.db.transaction()) as conn:
                self.db.delete_chunks(conn, ids)
                self.db.delete_report(conn, report_id)
                self.db.bump(conn)
                if in_chroma:
                    self.vectors.delete(in_chroma)
            for i in ids:
                self._buffer.pop(i, None)
                self._uncommitted.pop(i, None)
            return len(ids)

    def flush(self) -> int:
        """Write the buffered vectors to Chroma in one add; returns how many."""
        with self._lock:
            if not self._buffer:
                return 0
            import numpy as np
            ids = list(self._buffer)
            self.vectors.add(ids, np.stack([self._buffer[i][0] for i in ids]), [self._buffer[i][1] for i in ids])
            self.db.clear_pending(self.model_id, ids)
            self._buffer.clear()
            return len(ids)

    def finish(self, store=None) -> dict:
        """End of an index run: reconcile with the side store (the prose of reports it holds and
        this index lacks is embedded now, from their stored text: a killed facts-first run's, or
        ones indexed while the prose index was off), write the buffered vectors, complete the
        current model's vectors, clear the side store's prose queue of every report whose prose
        is in, rebuild BM25. Returns counts of what it did."""
        from sqlalchemy import select

        from ..store import reports as reports_table
        store = store or self.store
        done = {"rebuilt": 0, "dropped": 0, "vectors_added": 0, "vectors_dropped": 0}
        self._batch = True  # a report rebuilt here is buffered too
        try:
            with self._lock:
                # vectors whose commit nobody confirmed: their chunks, if committed, still have their
                # pending rows, and sync_vectors adds them from the cache below
                self._uncommitted.clear()
                with store.engine.connect() as conn:
                    side = {r.id: (r.text_sha256, r.file_name) for r in
                            conn.execute(select(reports_table.c.id, reports_table.c.text_sha256,
                                                reports_table.c.file_name))}
                mine = self.db.reports()
                for rid in sorted(set(mine) - set(side)):
                    self.remove(rid)
                    done["dropped"] += 1
                todo = [rid for rid in sorted(side) if mine.get(rid) != side[rid][0]]
            if todo:  # outside the lock: the follower's thread takes it for each report it writes
                from .follow import resume
                done["rebuilt"], errors = resume(self, store, todo, progress=self.progress)
                for e in errors:
                    print(f"警告：{e}", file=sys.stderr)
            with self._lock:
                self.flush()
                a, d = self.sync_vectors()
                done["vectors_added"], done["vectors_dropped"] = a, d
                # facts first: every report whose prose is in now leaves the queue (a kill may have
                # come between its vectors and its queue row)
                queued = store.prose_pending() if hasattr(store, "prose_pending") else []
                if queued:
                    mine = self.db.reports()
                    store.clear_prose([rid for rid in queued if rid in side and mine.get(rid) == side[rid][0]])
                self.ensure_bm25(force=False, load=False)
        finally:
            self._batch = False
        return done

    def sync_vectors(self) -> tuple[int, int]:
        """Make the current model's collection hold exactly the chunk table's chunks (and clear
        what a crashed run left pending)."""
        from .vectorstore import chunk_metadata
        pending = self.db.pending_ids(self.model_id)
        pending = [i for i in pending if i not in self._buffer]
        if not pending and self.vectors.count() == self.db.count():
            return 0, 0  # replace() and remove() keep the collection in step; only a model change or a crash leaves a gap
        want = set(self.db.chunk_ids())
        have = self.vectors.ids()
        extra = sorted(have - want)
        missing = sorted(want - have)
        if extra:
            self.vectors.delete(extra)
        if missing:
            rows = self.db.chunks(missing)
            rows = [rows[i] for i in missing if i in rows]
            for i in range(0, len(rows), 256):
                part = rows[i:i + 256]
                vecs = self.embedder.embed_passages([r.passage for r in part], desc="补算正文向量")
                self.vectors.add([r.id for r in part], vecs, [chunk_metadata(r) for r in part])
        if pending:
            self.db.clear_pending(self.model_id, pending)
        return len(missing), len(extra)

    def ensure_bm25(self, force: bool = False, load: bool = True, wait: bool = False) -> None:
        """Load the saved BM25 index, or rebuild it when the chunk table changed since.
        `load=False`: only make sure the saved index is current (end of an index run).

        A long-lived reader (an API replica) whose loaded index went stale and is large
        (BACKGROUND_BM25_AT chunks: ~20 s to rebuild at 10,000 reports) keeps answering from it
        while a fresh one is built in a background thread (`wait=True` builds in place): chunks
        removed since are skipped by the search (their rows are gone), chunks added since are
        found by the dense retriever until the new index is swapped in."""
        with self._lock:
            stamp = self.db.stamp()
            if not force and self.bm25.stamp == stamp:
                return
            if not force and self.bm25.saved_stamp() == stamp and (not load or self.bm25.load()):
                return
            if (not force and load and not wait and self.bm25.stamp is not None
                    and len(self.bm25.ids) >= self.BACKGROUND_BM25_AT):
                if self._bm25_thread is None or not self._bm25_thread.is_alive():
                    self._bm25_thread = threading.Thread(target=self._rebuild_bm25, args=(stamp,), daemon=True,
                                                         name="qa-app-bm25")
                    self._bm25_thread.start()
                return
            ids, toks = self.db.all_tokens()
            self.bm25.build(ids, toks, stamp)

    def _rebuild_bm25(self, stamp: str) -> None:
        from .bm25 import Bm25Index
        try:
            ids, toks = self.db.all_tokens()
            fresh = Bm25Index(self.dir / "bm25")
            fresh.build(ids, toks, stamp)
        except Exception as e:  # the stale index keeps serving; the next question tries again
            print(f"警告：后台重建关键词索引失败：{e}", file=sys.stderr)
            return
        with self._lock:
            self._bm25 = fresh

    # -- reads -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Notice writes by another process (a `qa-app index` while the chat runs): re-read the
        side store's report list and reopen Chroma's files. BM25 follows the stamp by itself."""
        stamp = self.db.stamp()
        if stamp == self._seen_stamp:
            return
        if stamp not in OWN_STAMPS:
            from .vectorstore import reload_local
            reload_local(self.settings)
        if self._store is not None:
            self._store._cache.clear()
        self._seen_stamp = stamp

    def vectors_complete(self) -> bool:
        """The current model's collection holds every chunk, apart from those an index run
        has written but not flushed yet (see the module docstring). Once true, remembered until
        the chunk table's stamp changes (two round trips to a Chroma server saved per question)."""
        stamp = self.db.stamp()
        if self._complete_at == stamp:
            return True
        done = self.vectors.count() + self.db.pending_count(self.model_id) >= self.db.count()
        if done:
            self._complete_at = stamp
        return done

    def dense(self, query: str, n: int, report_ids: list[int] | None = None) -> list[tuple[str, float]]:
        if not self.vectors_complete():
            raise LookupError("正文向量索引与当前嵌入模型不一致（换了模型或索引未完成）：请重新运行 qa-app index")
        with self._lock:  # one model call at a time (the API answers from several threads)
            qv = self.embedder.embed_query(query)
        return self.vectors.query(qv, n, report_ids)

    def keyword(self, query: str, n: int, report_ids: list[int] | None = None) -> list[tuple[str, float]]:
        from .bm25 import tokenize
        self.ensure_bm25()
        allowed = set(self.db.chunk_ids(report_ids)) if report_ids is not None else None
        return self.bm25.search(tokenize(query), n, allowed)
