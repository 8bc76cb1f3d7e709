"""The narrative index's tables: chunks, reports, vector cache, pending vectors, a stamp.

Where they live: by default in the index folder's own SQLite file, <index>/narrative.sqlite
(as before, unprefixed table names, so old indexes read as they are); when the side store is a
shared database (`Settings.database_url`, e.g. PostgreSQL), in that database, as tables named
narrative_*, so that several `qa-app serve` replicas on different machines see the same prose
index and nothing that matters is on a replica's local disk (the BM25 index each replica keeps
locally is rebuilt from the `tokens` column whenever the stamp changes; see index.py).

It holds what citations need for each chunk (report file, body, region, year, section path,
lines, text), the passage text that was embedded and its tokens (so BM25 can be rebuilt without
tokenising again), one row per indexed report (its text hash, to notice a report the side store
changed behind our back), the embedding cache keyed by (model id, text hash), the chunks whose
vectors a model's Chroma collection does not hold yet (`pending`: written with the chunks,
cleared when their vectors are added; what a crashed index run leaves there is added by the next
run, from the cache), and a stamp that changes with every write to the chunks (BM25 and
long-lived readers compare it to see whether they are stale).

What it does not: embed, talk to Chroma or read the side store. SQLAlchemy Core, one schema
for SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

# Stamps written by this process: a stamp not among them means another process changed the index.
OWN_STAMPS: set[str] = set()

CHUNK_COLS = ("id", "report_id", "seq", "report", "agency", "region", "year", "section",
              "line_first", "line_last", "text", "passage", "tokens")
_PART = 500  # ids per IN (...) list


def _tables(prefix: str) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The schema, its tables named `prefix` + name ("" in narrative.sqlite, "narrative_" in a
    shared database, where `reports` is the side store's)."""
    md = sa.MetaData()
    t = {
        "meta": sa.Table(prefix + "meta", md, sa.Column("key", sa.String(64), primary_key=True),
                         sa.Column("value", sa.Text, nullable=False)),
        "reports": sa.Table(prefix + "reports", md, sa.Column("report_id", sa.Integer, primary_key=True,
                                                              autoincrement=False),
                            sa.Column("text_sha", sa.Text, nullable=False), sa.Column("file", sa.Text, nullable=False),
                            sa.Column("agency", sa.Text), sa.Column("region", sa.Text), sa.Column("year", sa.Integer),
                            sa.Column("n_chunks", sa.Integer, nullable=False)),
        "chunks": sa.Table(prefix + "chunks", md, sa.Column("id", sa.String(80), primary_key=True),
                           sa.Column("report_id", sa.Integer, nullable=False), sa.Column("seq", sa.Integer, nullable=False),
                           sa.Column("report", sa.Text, nullable=False), sa.Column("agency", sa.Text),
                           sa.Column("region", sa.Text), sa.Column("year", sa.Integer),
                           sa.Column("section", sa.Text, nullable=False),
                           sa.Column("line_first", sa.Integer, nullable=False),
                           sa.Column("line_last", sa.Integer, nullable=False), sa.Column("text", sa.Text, nullable=False),
                           sa.Column("passage", sa.Text, nullable=False), sa.Column("tokens", sa.Text, nullable=False)),
        "vectors": sa.Table(prefix + "vectors", md, sa.Column("model", sa.String(200), primary_key=True),
                            sa.Column("hash", sa.String(64), primary_key=True), sa.Column("dim", sa.Integer, nullable=False),
                            sa.Column("vec", sa.LargeBinary, nullable=False)),
        "pending": sa.Table(prefix + "pending", md, sa.Column("id", sa.String(80), primary_key=True),
                            sa.Column("model", sa.String(200), primary_key=True)),
    }
    sa.Index(("ix_" if not prefix else f"ix_{prefix}") + "chunks_report", t["chunks"].c.report_id)
    return md, t


def _upsert(conn, table: sa.Table, rows: list[dict], keys: list[str], update: bool):
    """INSERT … ON CONFLICT (keys) DO NOTHING / DO UPDATE, in the connection's dialect."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=keys,
                                          set_={c: stmt.excluded[c] for c in rows[0] if c not in keys})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


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

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in CHUNK_COLS}


class NarrativeDB:
    """Open with a folder's file (`NarrativeDB(path)`) or a shared database (`url=`)."""

    def __init__(self, path: Path | None = None, create: bool = True, url: str | None = None):
        self.path = Path(path) if path is not None else None
        if url:
            self.url, prefix = url, "narrative_"
        else:
            if not create and not self.path.exists():
                raise FileNotFoundError(f"还没有正文检索索引（{self.path}）：先运行 qa-app index")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.url, prefix = f"sqlite:///{self.path}", ""
        self.lock = threading.RLock()
        self.md, self.t = _tables(prefix)
        self._sqlite = sqlite = self.url.startswith("sqlite")
        self.engine = sa.create_engine(self.url, connect_args={"timeout": 60, "check_same_thread": False}
                                       if sqlite else {}, pool_pre_ping=not sqlite)
        if sqlite:
            @sa.event.listens_for(self.engine, "connect")
            def _connect(dbapi_conn, _):  # noqa: ANN001
                dbapi_conn.isolation_level = None  # reads autocommit; transaction() begins IMMEDIATE
                if self.url != "sqlite://" and ":memory:" not in self.url:
                    dbapi_conn.execute("PRAGMA journal_mode=WAL")
                    dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        self.md.create_all(self.engine)
        if self.get_meta("index_uid") is None:
            with self.transaction() as conn:
                _upsert(conn, self.t["meta"], [{"key": "index_uid", "value": uuid.uuid4().hex},
                                               {"key": "stamp", "value": uuid.uuid4().hex}], ["key"], update=False)

    def close(self) -> None:
        self.engine.dispose()

    def present(self) -> bool:
        """False once the folder's file is gone (the index folder was deleted under us); a shared
        database is always there."""
        return self.path is None or not self.url.endswith(str(self.path)) or self.path.exists()

    @contextmanager
    def transaction(self):
        """One transaction (BEGIN IMMEDIATE on SQLite): COMMIT, or ROLLBACK when the block raises."""
        with self.lock, self.engine.connect() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now, not at the first write
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _read(self, stmt, params=None):
        with self.lock, self.engine.connect() as conn:
            return conn.execute(stmt, params or {}).fetchall()

    def _in(self, stmt_for, items) -> list:
        """Rows of `stmt_for(part)` over `items` in parts of _PART (the IN list limit)."""
        items = list(items)
        out: list = []
        with self.lock, self.engine.connect() as conn:
            for i in range(0, len(items), _PART):
                out.extend(conn.execute(stmt_for(items[i:i + _PART])).fetchall())
        return out

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        m = self.t["meta"]
        rows = self._read(sa.select(m.c.value).where(m.c.key == key))
        return rows[0][0] if rows else None

    def stamp(self) -> str:
        return self.get_meta("stamp") or ""

    def bump(self, conn) -> None:
        stamp = uuid.uuid4().hex
        OWN_STAMPS.add(stamp)
        _upsert(conn, self.t["meta"], [{"key": "stamp", "value": stamp}], ["key"], update=True)

    # -- chunks --------------------------------------------------------------------------
    def _cols(self):
        c = self.t["chunks"].c
        return [c[n] for n in CHUNK_COLS]

    def chunk_ids(self, report_ids=None) -> list[str]:
        c = self.t["chunks"].c
        order = (c.report_id, c.seq)
        if report_ids is None:
            return [r[0] for r in self._read(sa.select(c.id).order_by(*order))]
        rows = self._in(lambda part: sa.select(c.id, c.report_id, c.seq).where(c.report_id.in_(part)), report_ids)
        return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[2]))]

    def chunks(self, ids) -> dict[str, ChunkRow]:
        c = self.t["chunks"].c
        rows = self._in(lambda part: sa.select(*self._cols()).where(c.id.in_(part)), ids)
        return {r[0]: ChunkRow(*r) for r in rows}

    def report_chunks(self, report_id: int) -> list[ChunkRow]:
        c = self.t["chunks"].c
        rows = self._read(sa.select(*self._cols()).where(c.report_id == report_id).order_by(c.seq))
        return [ChunkRow(*r) for r in rows]

    def all_tokens(self) -> tuple[list[str], list[list[str]]]:
        c = self.t["chunks"].c
        ids, toks = [], []
        for cid, t in self._read(sa.select(c.id, c.tokens).order_by(c.report_id, c.seq)):
            ids.append(cid)
            toks.append(t.split(" ") if t else [])
        return ids, toks

    def count(self) -> int:
        return self._read(sa.select(sa.func.count()).select_from(self.t["chunks"]))[0][0]

    def reports(self) -> dict[int, str]:
        """report_id -> text hash of every report the narrative index holds."""
        r = self.t["reports"].c
        return {a: b for a, b in self._read(sa.select(r.report_id, r.text_sha))}

    # writes: called with the connection of an open transaction
    def insert_chunks(self, conn, rows: list[ChunkRow]) -> None:
        if rows:
            conn.execute(sa.insert(self.t["chunks"]), [r.as_dict() for r in rows])

    def delete_chunks(self, conn, ids: list[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), _PART):
            part = ids[i:i + _PART]
            conn.execute(sa.delete(self.t["chunks"]).where(self.t["chunks"].c.id.in_(part)))
            conn.execute(sa.delete(self.t["pending"]).where(self.t["pending"].c.id.in_(part)))

    # -- chunks whose vectors are not in a model's collection yet ------------------------
    def add_pending(self, conn, model: str, ids: list[str]) -> None:
        _upsert(conn, self.t["pending"], [{"id": i, "model": model} for i in ids], ["id", "model"], update=False)

    def clear_pending(self, model: str, ids: list[str]) -> None:
        p = self.t["pending"]
        ids = list(ids)
        with self.transaction() as conn:
            for i in range(0, len(ids), _PART):
                conn.execute(sa.delete(p).where(p.c.model == model, p.c.id.in_(ids[i:i + _PART])))

    def pending_ids(self, model: str) -> list[str]:
        p = self.t["pending"].c
        return [r[0] for r in self._read(sa.select(p.id).where(p.model == model).order_by(p.id))]

    def pending_count(self, model: str) -> int:
        p = self.t["pending"]
        return self._read(sa.select(sa.func.count()).select_from(p).where(p.c.model == model))[0][0]

    def put_report(self, conn, report_id: int, text_sha: str, file: str, agency, region, year, n_chunks: int) -> None:
        _upsert(conn, self.t["reports"], [{"report_id": report_id, "text_sha": text_sha, "file": file, "agency": agency,
                                           "region": region, "year": year, "n_chunks": n_chunks}],
                ["report_id"], update=True)

    def delete_report(self, conn, report_id: int) -> None:
        conn.execute(sa.delete(self.t["reports"]).where(self.t["reports"].c.report_id == report_id))

    # -- vector cache --------------------------------------------------------------------
    def get_vectors(self, model: str, hashes: set[str]) -> dict:
        import numpy as np
        v = self.t["vectors"].c
        rows = self._in(lambda part: sa.select(v.hash, v.vec).where(v.model == model, v.hash.in_(part)), hashes)
        return {h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows}

    def put_vectors(self, model: str, vecs: dict, conn=None) -> None:
        """Cache vectors, in their own transaction or in `conn`'s."""
        import numpy as np
        rows = [{"model": model, "hash": h, "dim": int(len(x)), "vec": np.asarray(x, dtype=np.float32).tobytes()}
                for h, x in vecs.items()]
        with (nullcontext(conn) if conn is not None else self.transaction()) as c:
            _upsert(c, self.t["vectors"], rows, ["model", "hash"], update=True)
