"""The narrative index's own SQLite file, <index>/narrative.sqlite: chunks, reports, vector cache.

It holds what citations need for each chunk (report file, body, region, year, section path,
lines, text), the passage text that was embedded and its tokens (so BM25 can be rebuilt without
tokenising again), one row per indexed report (its text hash, to notice a report the side store
changed behind our back), the embedding cache keyed by (model id, text hash), the chunks whose
vectors a model's Chroma collection does not hold yet (`pending`: written with the chunks,
cleared when their vectors are added; what a crashed index run leaves there is added by the next
run, from the cache), and a stamp that changes with every write to the chunks (BM25 and
long-lived readers compare it to see whether they are stale).

What it does not: embed, talk to Chroma or read the side store. Standard-library sqlite3 only.
"""
from __future__ import annotations

import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_id INTEGER PRIMARY KEY, text_sha TEXT NOT NULL, file TEXT NOT NULL,
    agency TEXT, region TEXT, year INTEGER, n_chunks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, report_id INTEGER NOT NULL, seq INTEGER NOT NULL, report TEXT NOT NULL,
    agency TEXT, region TEXT, year INTEGER, section TEXT NOT NULL,
    line_first INTEGER NOT NULL, line_last INTEGER NOT NULL, text TEXT NOT NULL,
    passage TEXT NOT NULL, tokens TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_chunks_report ON chunks(report_id);
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,
    PRIMARY KEY (model, hash));
CREATE TABLE IF NOT EXISTS pending (
    id TEXT NOT NULL, model TEXT NOT NULL, PRIMARY KEY (id, model));
"""

# Stamps written by this process: a stamp not among them means another process changed the index.
OWN_STAMPS: set[str] = set()

CHUNK_COLS = ("id", "report_id", "seq", "report", "agency", "region", "year", "section",
              "line_first", "line_last", "text", "passage", "tokens")


@dataclass
class ChunkRow:
    id: str
    report_id: int
    seq: int
    report: str
    agency: str | None
    region: str | None
    year: int | None
    section: str
    line_first: int
    line_last: int
    text: str
    passage: str  # the text the dense model embedded
    tokens: str  # space-separated

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, c) for c in CHUNK_COLS)


class NarrativeDB:
    def __init__(self, path: Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(f"还没有正文检索索引（{self.path}）：先运行 qa-app index")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        if self.get_meta("index_uid") is None:
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('index_uid', ?)", (uuid.uuid4().hex,))
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('stamp', ?)", (uuid.uuid4().hex,))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def stamp(self) -> str:
        return self.get_meta("stamp") or ""

    @staticmethod
    def bump(conn) -> None:
        stamp = uuid.uuid4().hex
        OWN_STAMPS.add(stamp)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))

    # -- chunks --------------------------------------------------------------------------
    def chunk_ids(self, report_ids=None) -> list[str]:
        with self.lock:
            if report_ids is None:
                return [r[0] for r in self.conn.execute("SELECT id FROM chunks ORDER BY report_id, seq")]
            ids = list(report_ids)
            out: list[str] = []
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                q = f"SELECT id FROM chunks WHERE report_id IN ({','.join('?' * len(part))}) ORDER BY report_id, seq"
                out.extend(r[0] for r in self.conn.execute(q, part))
            return out

    def chunks(self, ids) -> dict[str, ChunkRow]:
        ids = list(ids)
        out: dict[str, ChunkRow] = {}
        with self.lock:
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                q = f"SELECT {','.join(CHUNK_COLS)} FROM chunks WHERE id IN ({','.join('?' * len(part))})"
                for r in self.conn.execute(q, part):
                    out[r[0]] = ChunkRow(*r)
        return out

    def report_chunks(self, report_id: int) -> list[ChunkRow]:
        with self.lock:
            rows = self.conn.execute(f"SELECT {','.join(CHUNK_COLS)} FROM chunks WHERE report_id=? ORDER BY seq",
                                     (report_id,)).fetchall()
        return [ChunkRow(*r) for r in rows]

    def all_tokens(self) -> tuple[list[str], list[list[str]]]:
        ids, toks = [], []
        with self.lock:
            for cid, t in self.conn.execute("SELECT id, tokens FROM chunks ORDER BY report_id, seq"):
                ids.append(cid)
                toks.append(t.split(" ") if t else [])
        return ids, toks

    def count(self) -> int:
        with self.lock:
            return self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def reports(self) -> dict[int, str]:
        """report_id -> text hash of every report the narrative index holds."""
        with self.lock:
            return {r[0]: r[1] for r in self.conn.execute("SELECT report_id, text_sha FROM reports")}

    # writes: called with the connection of an open transaction
    @staticmethod
    def insert_chunks(conn, rows: list[ChunkRow]) -> None:
        conn.executemany(f"INSERT INTO chunks ({','.join(CHUNK_COLS)}) VALUES ({','.join('?' * len(CHUNK_COLS))})",
                         [r.as_tuple() for r in rows])

    @staticmethod
    def delete_chunks(conn, ids: list[str]) -> None:
        conn.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in ids])
        conn.executemany("DELETE FROM pending WHERE id=?", [(i,) for i in ids])

    # -- chunks whose vectors are not in a model's collection yet ------------------------
    @staticmethod
    def add_pending(conn, model: str, ids: list[str]) -> None:
        conn.executemany("INSERT OR IGNORE INTO pending (id, model) VALUES (?,?)", [(i, model) for i in ids])

    def clear_pending(self, model: str, ids: list[str]) -> None:
        with self.transaction() as conn:
            conn.executemany("DELETE FROM pending WHERE id=? AND model=?", [(i, model) for i in ids])

    def pending_ids(self, model: str) -> list[str]:
        with self.lock:
            return [r[0] for r in self.conn.execute("SELECT id FROM pending WHERE model=? ORDER BY id", (model,))]

    def pending_count(self, model: str) -> int:
        with self.lock:
            return self.conn.execute("SELECT COUNT(*) FROM pending WHERE model=?", (model,)).fetchone()[0]

    @staticmethod
    def put_report(conn, report_id: int, text_sha: str, file: str, agency, region, year, n_chunks: int) -> None:
        conn.execute("INSERT OR REPLACE INTO reports VALUES (?,?,?,?,?,?,?)",
                     (report_id, text_sha, file, agency, region, year, n_chunks))

    @staticmethod
    def delete_report(conn, report_id: int) -> None:
        conn.execute("DELETE FROM reports WHERE report_id=?", (report_id,))

    # -- vector cache --------------------------------------------------------------------
    def get_vectors(self, model: str, hashes: set[str]) -> dict:
        import numpy as np
        hs = list(hashes)
        out = {}
        with self.lock:
            for i in range(0, len(hs), 500):
                part = hs[i:i + 500]
                q = f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({','.join('?' * len(part))})"
                for h, blob in self.conn.execute(q, [model, *part]):
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_vectors(self, model: str, vecs: dict) -> None:
        import numpy as np
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                             [(model, h, int(len(v)), np.asarray(v, dtype=np.float32).tobytes()) for h, v in vecs.items()])
