"""The side store: reports, their text, every table cell with its lines, aliases, checks.

SQLAlchemy Core over SQLite by default (index/facts.sqlite); the same schema runs on
PostgreSQL through `Settings.database_url`. One report's writes happen in one transaction,
so an interrupted `qa-app index` leaves the earlier state whole. A report's many child rows
(cells, checks) go in through INSERTs compiled once for the database, as multi-row statements
on SQLite, rather than row by row through Core. This module knows nothing of file formats or
questions: it stores what report.ParsedReport holds and answers queries.

Many processes, one index (a `qa-app serve`, a chat, a `qa-app index` at once):
- Every write transaction bumps a generation number (table store_state); every read that
  serves from this object's cache (`reports()`, `report()`, `text()`) first compares it (one
  tiny query, `fresh()`), so a report another process added, replaced or removed is seen on
  the next read.
- SQLite runs in WAL mode (readers never wait for a writer) with a busy timeout; a write
  transaction starts with BEGIN IMMEDIATE, and a writer that finds the database busy waits and
  retries with backoff up to `write_timeout` seconds, then raises StoreBusy.
- A database error becomes a StoreError whose message is Chinese and holds no SQL or class
  name (the original goes to the log); `fatal` marks the errors that every following write
  would hit too (disk full, read-only, damaged or unreachable database).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import logging
import math
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import sqlalchemy as sa

from . import migrations
from .report import ParsedReport
from .tables import uncertain_rows
from .template import cell_order, column_label, row_label

log = logging.getLogger("qa_app.store")

meta = sa.MetaData()

# key -> value; "generation" grows by one in every write transaction (see fresh())
store_state = sa.Table(
    "store_state", meta,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
_GENERATION = sa.select(store_state.c.value).where(store_state.c.key == "generation")
_BUMP = store_state.update().where(store_state.c.key == "generation").values(value=store_state.c.value + 1)

reports = sa.Table(
    "reports", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(400), nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),  # of the file's bytes
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("agency", sa.String(200)),
    sa.Column("region", sa.String(200)),
    sa.Column("year", sa.Integer),
    # the body's place from the gazetteer (metadata.Meta); NULL when unknown. Added after the first
    # indexes were built: Store() adds them to an older reports table (a migration below).
    sa.Column("province", sa.String(40)),
    sa.Column("prefecture", sa.String(40)),
    sa.Column("county", sa.String(40)),
    sa.Column("region_code", sa.String(6)),
    # where body and year came from: JSON {"agency": "title"|…|"manual", "year": …}
    sa.Column("meta_source", sa.String(100)),
    sa.Column("format", sa.String(8)),
    sa.Column("source_format", sa.String(16)),
    sa.Column("cells_found", sa.Integer, nullable=False, default=0),
    sa.Column("cells_blank", sa.Integer, nullable=False, default=0),
    sa.Column("checks_passed", sa.Integer, nullable=False, default=0),
    sa.Column("checks_failed", sa.Integer, nullable=False, default=0),
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),  # JSON list of Chinese messages
    sa.Column("tables_found", sa.String(100), nullable=False, default=""),
    sa.Column("text", sa.Text, nullable=False),  # normalised text: citations quote its lines
    sa.Column("indexed_at", sa.String(40), nullable=False),
    # JSON list of 「table.row」 the reader is not sure of; JSON {table: [row keys]} of template rows
    # a table found does not print (["*"]: the table is missing). Added later: see the migration _reader_uncertainty_columns.
    sa.Column("uncertain_rows", sa.Text, server_default="[]"),
    sa.Column("missing_rows", sa.Text, server_default="{}"),
)
sa.Index("ix_reports_agency", reports.c.agency)
sa.Index("ix_reports_year", reports.c.year)
# The question engine asks max(indexed_at) before every question (has the index changed?):
# without this index that scans every report's text, ~25 ms at 10,000 reports.
sa.Index("ix_reports_indexed_at", reports.c.indexed_at)

report_names = sa.Table(
    "report_names", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("file_name", sa.String(400), nullable=False, unique=True),
    sa.Column("path", sa.Text),
)

facts = sa.Table(
    "facts", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("tbl", sa.String(32), nullable=False),
    sa.Column("row", sa.String(64), nullable=False),
    sa.Column("col", sa.String(64), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("derived", sa.Boolean, nullable=False, default=False),
    sa.Column("line_first", sa.Integer, nullable=False),
    sa.Column("line_last", sa.Integer, nullable=False),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    # the reader is not sure this cell is in the right row (tables.Cell.uncertain); added later
    sa.Column("uncertain", sa.Boolean, server_default=sa.false()),
)
# One index, in insertion order (report ids only grow): a report's cells, or one cell across
# many reports (`report_id IN (...) AND tbl = ? AND row IN (...)`, one seek per report). An index
# led by (tbl, row, col) instead touches ~250 scattered pages per report written and halved the
# indexing rate (docs/benchmarks.md).
sa.Index("ix_facts_report_cell", facts.c.report_id, facts.c.tbl, facts.c.row, facts.c.col)

aliases = sa.Table(
    "aliases", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("alias", sa.String(200), nullable=False),
)
sa.Index("ix_aliases_report", aliases.c.report_id)

checks = sa.Table(
    "checks", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("check_key", sa.String(64), nullable=False),
    sa.Column("tbl", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    # JSON [[row, column, value, first line, last line, derived], ...] (_pack_cells; indexes built
    # before that form hold [{row, column, value, lines, derived}]); Store.checks() gives the dicts
    sa.Column("cells", sa.Text, nullable=False),
)
sa.Index("ix_checks_report", checks.c.report_id)



@migrations.migration("2026-12-reports-place-columns")
def _reports_place_columns(conn):
    """Province, prefecture, county, code and where body/year came from (all nullable: NULL until
    the report is indexed again)."""
    for name in ("province", "prefecture", "county", "region_code", "meta_source"):
        migrations.add_column(conn, "reports", sa.Column(name, reports.c[name].type))


@migrations.migration("2026-12-reader-uncertainty-columns")
def _reader_uncertainty_columns(conn):
    """What the reader is not sure of: rows per report, a flag per fact (old rows read as certain,
    nothing missing)."""
    for table, names in ((reports, ("uncertain_rows", "missing_rows")), (facts, ("uncertain",))):
        for name in names:
            col = table.c[name]
            migrations.add_column(conn, table.name, sa.Column(name, col.type, server_default=col.server_default.arg))


@migrations.migration("2026-11-reports-indexes")
def _reports_indexes(conn):
    """Indexes added since the first indexes were built (cheap: one row per report)."""
    for ix in reports.indexes:
        migrations.create_index(conn, ix)


# PDFs only: where each line of the stored text is printed, and each table cell's box (see
# pdfpages.py; boxes are [x0, top, x1, bottom] in PDF points from the page's top left)
line_boxes = sa.Table(
    "line_boxes", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),  # 1-based line of the stored text
    sa.Column("page", sa.Integer, nullable=False),  # 1-based
    sa.Column("runs", sa.Text, nullable=False),     # JSON [[start, end, x0, top, x1, bottom], ...] per word
)
sa.Index("ix_line_boxes_report", line_boxes.c.report_id, line_boxes.c.line)

cell_boxes = sa.Table(
    "cell_boxes", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("tbl", sa.String(32), nullable=False),
    sa.Column("row", sa.String(64), nullable=False),
    sa.Column("col", sa.String(64), nullable=False),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("x0", sa.Float, nullable=False),
    sa.Column("top", sa.Float, nullable=False),
    sa.Column("x1", sa.Float, nullable=False),
    sa.Column("bottom", sa.Float, nullable=False),
)
sa.Index("ix_cell_boxes_report", cell_boxes.c.report_id)

# cells read by OCR from a scanned page (ocr.py): status "ocr" (read), "corrected" (a doubtful
# digit read as the one reading that makes every 勾稽 identity hold; `read` is what was
# recognised) or "uncertain" (breaks an identity the other cells satisfy); page and box
# [x0, top, x1, bottom] in PDF points. A report read by OCR has source_format "pdf-ocr".
ocr_cells = sa.Table(
    "ocr_cells", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("tbl", sa.String(32), nullable=False),
    sa.Column("row", sa.String(64), nullable=False),
    sa.Column("col", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("read", sa.String(64), nullable=False, default=""),
    sa.Column("page", sa.Integer),
    sa.Column("box", sa.String(100), nullable=False, default=""),  # JSON [x0, top, x1, bottom]
)
sa.Index("ix_ocr_cells_report", ocr_cells.c.report_id)

# Facts first (`qa-app index`): a report whose numbers are committed while its prose vectors are
# still to follow (narrative/follow.py) has a row here, written in the report's own transaction
# and deleted once its vectors are in the prose index; ReportInfo.prose_pending reads it.
prose_queue = sa.Table(
    "prose_queue", meta,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True,
              autoincrement=False),
)

CHILD_TABLES = (report_names, facts, aliases, checks, line_boxes, cell_boxes, ocr_cells, prose_queue)
# built once (a statement built per call cost ~100 us): the report with these bytes, the report of this name
_BY_SHA_AND_NAME = sa.select(
    sa.select(reports.c.id).where(reports.c.sha256 == sa.bindparam("sha256")).scalar_subquery(),
    sa.select(report_names.c.report_id).where(report_names.c.file_name == sa.bindparam("file_name")).scalar_subquery())
MAX_ID = 2 ** 31 - 1  # the largest report id (PostgreSQL's INTEGER); a larger number is no report
_SAME_BODY = sa.select(reports.c.id, reports.c.file_name, reports.c.region, reports.c.year) \
    .where(reports.c.agency == sa.bindparam("agency"))
_MAX_PARAMS = 999  # parameters per statement: the smallest limit of SQLite builds (older than 3.32)
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(x, ensure_ascii=False), without a new encoder per call
_JSON_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


_CELL_HEADS: dict[tuple[str, str], str] = {}  # (row, column) -> '["row","column",' (template keys)


# -- errors ------------------------------------------------------------------------------------
class StoreError(Exception):
    """A side-store failure told to people: `message` is Chinese, with no SQL, class name or
    trace (the original exception is chained and logged). `fatal`: every following write
    would fail the same way (disk full, read-only, damaged or unreachable database), so an
    index run stops at once. `retry_after`: seconds after which trying again may succeed."""

    def __init__(self, message: str, fatal: bool = False, retry_after: int | None = None):
        super().__init__(message)
        self.message, self.fatal, self.retry_after = message, fatal, retry_after


class StoreBusy(StoreError):
    """Another writer held the database for longer than `write_timeout`."""


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xff) and PostgreSQL SQLSTATEs
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_FATAL_SQLITE = {
    13: "磁盘空间不足（或数据库已达到大小上限），索引写不进去",  # SQLITE_FULL
    8: "索引数据库是只读的（文件或目录没有写权限，或文件系统只读）",  # SQLITE_READONLY
    10: "读写索引数据库时磁盘出错（I/O 错误）",  # SQLITE_IOERR
    11: "索引数据库文件已损坏",  # SQLITE_CORRUPT
    26: "索引数据库文件已损坏（不是数据库文件）",  # SQLITE_NOTADB
    14: "打不开索引数据库文件（目录不存在或没有权限）",  # SQLITE_CANTOPEN
}
_FATAL_WORDS = (  # the same conditions by their message, for drivers that give no code
    ("database or disk is full", 13), ("disk is full", 13), ("readonly database", 8), ("read-only", 8),
    ("disk i/o error", 10), ("malformed", 11), ("not a database", 26), ("unable to open database", 14),
)
_FATAL_OS = {
    errno.ENOSPC: "磁盘空间不足，索引写不进去",
    errno.EDQUOT: "磁盘配额已用完，索引写不进去",
    errno.EROFS: "文件系统只读，索引写不进去",
    errno.EACCES: "没有写权限，索引写不进去",
    errno.EPERM: "没有写权限，索引写不进去",
    errno.EIO: "读写磁盘出错（I/O 错误）",
}
_FATAL_PG = {"53100": 13, "53200": 10, "25006": 8, "42501": 8}  # disk full, out of memory, read-only, no privilege
_BUSY_PG = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def _codes(exc: BaseException) -> tuple[int | None, str | None, str]:
    """(SQLite result code, PostgreSQL SQLSTATE, lower-case message) of a DBAPI error, plain or
    wrapped by SQLAlchemy."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return (code & 0xFF if isinstance(code, int) else None), state, str(orig).lower()


def is_busy(exc: BaseException) -> bool:
    """The database was busy (locked by another writer): trying again later may succeed."""
    code, state, text = _codes(exc)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or state in _BUSY_PG:
        return True
    return code is None and state is None and ("database is locked" in text or "database is busy" in text)


def as_store_error(exc: BaseException) -> StoreError | None:
    """The StoreError for a failure that is the database's or the disk's (not the report's),
    or None. Fatal ones: every following write would fail too."""
    if isinstance(exc, StoreError):
        return exc
    seen = exc
    for _ in range(5):  # the condition may sit in a chained cause (a hook's OSError, a driver's error)
        if isinstance(seen, OSError) and seen.errno in _FATAL_OS:
            return StoreError(_FATAL_OS[seen.errno] + (f"（{seen.filename}）" if seen.filename else ""), fatal=True)
        if "no space left on device" in str(seen).lower():  # e.g. Chroma's own errors, which carry no errno
            return StoreError(_FATAL_OS[errno.ENOSPC], fatal=True)
        if isinstance(seen, (sa.exc.DBAPIError, sa.exc.OperationalError)) or type(seen).__module__.split(".")[0] in (
                "sqlite3", "psycopg", "psycopg2"):
            code, state, text = _codes(seen)
            if is_busy(seen):
                return StoreBusy("索引正被另一个程序写入，等待超时；请稍后重试", retry_after=5)
            if state in _FATAL_PG:
                code = _FATAL_PG[state]
            if code is None:
                code = next((c for w, c in _FATAL_WORDS if w in text), None)
            if code in _FATAL_SQLITE:
                return StoreError(_FATAL_SQLITE[code], fatal=True)
            if isinstance(seen, sa.exc.DBAPIError) and seen.connection_invalidated or (
                    state is not None and state.startswith("08")):
                return StoreError("连接不上索引数据库（数据库服务没有运行或网络中断）", fatal=True)
            if isinstance(seen, sa.exc.OperationalError) and "connection" in text:
                return StoreError("连接不上索引数据库（数据库服务没有运行或网络中断）", fatal=True)
        nxt = seen.__cause__ or seen.__context__
        if nxt is None:
            break
        seen = nxt
    return None


def _pack_cells(cells: list[dict]) -> str:
    """A check's cells as stored: one compact array per cell, half the size of the dicts (the
    checks table was about half of the side store, and its writes a good part of indexing).
    The usual cell (int or finite float value, int lines, bool derived) is written directly,
    exactly as the JSON encoder writes it; anything else goes through the encoder."""
    parts = []
    for c in cells:
        v, (a, b), d = c["value"], c["lines"], c["derived"]
        if ((type(v) is int or (type(v) is float and math.isfinite(v))) and type(a) is int and type(b) is int
                and type(d) is bool):
            key = (c["row"], c["column"])
            head = _CELL_HEADS.get(key)
            if head is None:
                head = _CELL_HEADS[key] = _JSON_COMPACT.encode(list(key))[:-1] + ","
            parts.append(f"{head}{v!r},{a},{b},{'true' if d else 'false'}]")
        else:
            parts.append(_JSON_COMPACT.encode([c["row"], c["column"], v, a, b, d]))
    return "[" + ",".join(parts) + "]"


def _unpack_cells(stored: str) -> list[dict]:
    """The dicts of a check's cells, from either stored form."""
    return [{"row": x[0], "column": x[1], "value": x[2], "lines": [x[3], x[4]], "derived": x[5]}
            if isinstance(x, list) else x for x in json.loads(stored)]


def _meta_columns(m) -> dict:
    """The reports columns a metadata.Meta fills."""
    return {"agency": m.agency, "region": m.region, "year": m.year, "province": m.province,
            "prefecture": m.prefecture, "county": m.county, "region_code": m.region_code,
            "meta_source": _JSON.encode({"agency": m.agency_source, "year": m.year_source})}


def _num(v):
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


@dataclass
class ReportInfo:
    id: int
    file_name: str
    names: list[str]
    agency: str | None
    region: str | None
    year: int | None
    format: str | None
    source_format: str | None
    cells_found: int
    cells_blank: int
    checks_passed: int
    checks_failed: int
    warnings: list[str]
    tables_found: list[str]
    sha256: str
    aliases: list[str]
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    region_code: str | None = None
    meta_source: dict | None = None  # {"agency": "title", "year": "period"}; "manual" once a person set it
    uncertain_rows: list[str] = dataclasses.field(default_factory=list)  # 「table.row」 the reader is not sure of
    missing_rows: dict = dataclasses.field(default_factory=dict)  # table -> template rows not printed (["*"]: no table)

    # other reports of the same body and year whose printed numbers differ from this one's:
    # [{"id", "file_name"}]; empty when there is none (the same report in another format or
    # encoding with the same numbers is kept as one report with several `names`)
    conflicts: list[dict] = field(default_factory=list)
    # facts first: its numbers answer, its prose vectors are still being computed (「正文向量化中」)
    prose_pending: bool = False

    @property
    def unplaced(self) -> bool:
        """The body is named without its place (区统计局): no question by region reaches it."""
        from .metadata import unplaced
        return unplaced(self.agency, self.region, self.province)

    @property
    def flagged(self) -> bool:
        """Body or year unknown, or the body's place: no question by body or year (by region,
        when unplaced) reaches this report until they are set."""
        return self.agency is None or self.year is None or self.unplaced

    def as_dict(self) -> dict:
        return dict(self.__dict__, flagged=self.flagged, unplaced=self.unplaced)


class Store:
    """The side store. Open it with `Store(settings.db_url)`; tables are created on first use.
    `write_timeout`: seconds a writer waits for a busy database (then StoreBusy);
    `busy_timeout`: seconds SQLite itself waits for a lock within one attempt."""

    def __init__(self, url: str, write_timeout: float = 30.0, busy_timeout: float = 5.0):
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.write_timeout = write_timeout
        self.busy_timeout = busy_timeout
        self.sqlite = url.startswith("sqlite")
        connect_args = {"timeout": busy_timeout} if self.sqlite else {}
        self.engine = sa.create_engine(url, connect_args=connect_args)
        if self.sqlite:
            memory = url.startswith("sqlite:///:memory:") or url == "sqlite://"

            @sa.event.listens_for(self.engine, "connect")
            def _on_connect(dbapi_conn, _):  # noqa: ANN001
                # the driver's own implicit BEGIN is off: _on_begin below says BEGIN IMMEDIATE
                # for a write (the write lock taken at once, waiting for it with the busy
                # timeout, instead of failing when a read turns into a write)
                dbapi_conn.isolation_level = None
                dbapi_conn.execute("PRAGMA foreign_keys=ON")
                dbapi_conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
                # Write-ahead log, synced at checkpoints rather than at every commit: each report
                # is still one atomic transaction, but indexing no longer waits for an fsync per
                # report (see docs/benchmarks.md). A crash of the program loses nothing committed;
                # a power cut may lose the last reports written, never consistency. Readers in
                # other processes never wait for a writer.
                if not memory:
                    dbapi_conn.execute("PRAGMA journal_mode=WAL")
                    dbapi_conn.execute("PRAGMA synchronous=NORMAL")

            @sa.event.listens_for(self.engine, "begin")
            def _on_begin(conn):  # noqa: ANN001
                # reads run statement by statement (as the driver ran them before: no BEGIN, one
                # round trip less per read); a write is one transaction holding the write lock
                if conn.get_execution_options().get("qa_write"):
                    conn.exec_driver_sql("BEGIN IMMEDIATE")

        self._file = (url[len("sqlite:///"):] if self.sqlite and url.startswith("sqlite:///")
                      and not url.startswith("sqlite:///:memory:") and "?" not in url else None)
        self._local = threading.local()
        self._cache: dict = {}
        self._inserts: dict[str, tuple[str, tuple[int, ...] | None]] = {}
        if not self._ready():
            self._write(self._create)
        # what an index built by an older version lacks (a read when there is nothing to do)
        self.migrated = migrations.apply(self.engine) if migrations.pending(self.engine) else []

    def _ready(self) -> bool:
        """Every table, index and the generation row are there already (then opening the store
        writes nothing, and so never waits for a writer in another process)."""
        with self.engine.connect() as conn:
            insp = sa.inspect(conn)
            if not set(meta.tables) <= set(insp.get_table_names()):
                return False
            if not {ix.name for ix in reports.indexes} <= {ix["name"] for ix in insp.get_indexes("reports")}:
                return False
            return conn.execute(sa.select(store_state.c.value).where(store_state.c.key == "generation")).scalar() \
                is not None

    def _create(self, conn) -> None:
        meta.create_all(conn)  # indexes an older index lacks come from the migration below (_reports_indexes)
        if conn.execute(sa.select(store_state.c.value).where(store_state.c.key == "generation")).scalar() is None:
            conn.execute(store_state.insert(), {"key": "generation", "value": 0})

    # -- freshness ----------------------------------------------------------------------
    def fingerprint(self) -> tuple:
        """Changes with every write by any process: the generation, bumped by every write
        transaction (one primary-key lookup). On an SQLite file through a plain connection of
        this thread (~7 us instead of ~130 us through the pool: it runs before every cached read)."""
        if self._file is not None:
            c = getattr(self._local, "conn", None)
            if c is None:
                c = self._local.conn = sqlite3.connect(self._file, timeout=5, isolation_level=None)
            row = c.execute("SELECT value FROM store_state WHERE key = 'generation'").fetchone()
            return (row[0] if row else None,)
        with self.engine.connect() as conn:
            return (conn.execute(_GENERATION).scalar(),)

    def fresh(self) -> tuple:
        """Drop what this object cached when the index changed since (in any process);
        returns the fingerprint. Every cached read calls it first."""
        fp = self.fingerprint()
        if self._cache.get("fingerprint") != fp:
            self._cache.clear()
            self._cache["fingerprint"] = fp
        return fp

    # -- writes -------------------------------------------------------------------------
    def _write(self, fn, what: str = "写入索引"):
        """Run `fn(conn)` in one write transaction and return its result. A busy database is
        waited for (the busy timeout, then retries with backoff) up to `write_timeout` seconds;
        past that StoreBusy. A database or disk failure becomes a StoreError (logged in full)."""
        deadline = time.monotonic() + self.write_timeout
        delay = 0.05
        while True:
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(qa_write=True)
                    with conn.begin():
                        if not self.sqlite:  # PostgreSQL waits for a row lock for ever unless told
                            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(self.busy_timeout * 1000)}ms'")
                        out = fn(conn)
                        conn.execute(_BUMP)
                self._cache.clear()
                return out
            except StoreError:
                raise
            except Exception as e:  # noqa: BLE001
                if is_busy(e) and time.monotonic() + delay < deadline:
                    log.info("database busy (%s), retrying in %.2f s", what, delay)
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 1.0)
                    continue
                err = as_store_error(e)
                if err is None:
                    raise
                log.warning("%s failed: %s", what, err.message, exc_info=e)
                if isinstance(err, StoreBusy):
                    err = StoreBusy(f"索引正被另一个程序写入，等了 {self.write_timeout:g} 秒仍未轮到；请稍后重试",
                                    retry_after=max(1, int(self.write_timeout // 6)))
                raise err from e

    def put_report(self, parsed: ParsedReport, sha256: str, source_format: str, path: str | None = None,
                   replace_id: int | None = None, on_commit=None, ocr: dict | None = None) -> int:
        """Insert `parsed` (replacing report `replace_id` whole) in one transaction; returns its id.
        `on_commit(conn, report_id)` runs inside the transaction (e.g. other stores' writes):
        if it raises, nothing of this report is written. `ocr`: loaders.Loaded.ocr of a scanned
        PDF (its cells go to ocr_cells, its notes to the report's warnings)."""
        t = parsed.tables
        passed = sum(1 for c in parsed.checks if c.ok)
        failed = sum(1 for c in parsed.checks if not c.ok)
        enc = _JSON.encode

        def write(conn):
            if replace_id is not None:
                self._delete(conn, replace_id)
            rid = conn.execute(reports.insert(), {
                "file_name": parsed.file_name, "sha256": sha256, "text_sha256": parsed.sha256,
                **_meta_columns(parsed.meta),
                "format": t.format if t.tables_found else None, "source_format": source_format,
                "cells_found": parsed.cells_found, "cells_blank": parsed.cells_blank,
                "checks_passed": passed, "checks_failed": failed,
                "warnings": enc(parsed.warnings + list((ocr or {}).get("notes", []))),
                "tables_found": ",".join(t.tables_found), "text": parsed.text,
                "indexed_at": dt.datetime.now().isoformat(timespec="seconds"),
                "uncertain_rows": enc(uncertain_rows(t.cells)), "missing_rows": enc(t.missing),
            }).inserted_primary_key[0]
            # the child rows as plain tuples, one executemany per table (see _insert_rows); the
            # name first leaves a report it was another name of
            conn.execute(report_names.delete().where(report_names.c.file_name == parsed.file_name))
            self._insert_rows(conn, report_names, [(rid, parsed.file_name, path)])
            if t.cells:
                self._insert_rows(conn, facts, [(rid, c.table, c.row, c.column, c.value, c.derived, c.lines[0],
                                                 c.lines[1], c.label, c.uncertain) for c in t.cells])
            names = {parsed.meta.agency, *parsed.meta.aliases} - {None, ""}
            if names:
                self._insert_rows(conn, aliases, [(rid, a) for a in sorted(names)])
            if parsed.checks:
                self._insert_rows(conn, checks, [(rid, c.check, c.table, c.subject, c.ok, c.detail, _pack_cells(c.cells))
                                                 for c in parsed.checks])
            layout = getattr(parsed, "layout", None)
            if layout:
                from .pdfpages import cell_boxes as _cell_boxes
                self._insert_rows(conn, line_boxes, [(rid, i, page, _JSON_COMPACT.encode(runs))
                                                     for i, (page, runs) in enumerate(layout, 1) if page])
                boxes = _cell_boxes(t.cells, parsed.lines, layout)
                if boxes:
                    self._insert_rows(conn, cell_boxes, [(rid, c.table, c.row, c.column, page, *box)
                                                         for c, page, box in boxes])
            if ocr and ocr.get("cells"):
                self._insert_rows(conn, ocr_cells, [(rid, *k.split("/", 2), v["status"], str(v.get("read", ""))[:64],
                                                     v.get("page"), enc(v.get("box") or []))
                                                    for k, v in ocr["cells"].items()])
            if on_commit is not None:
                on_commit(conn, rid)
            return rid

        return self._write(write, f"写入 {parsed.file_name}")

    def ocr_cells(self, report_id: int) -> dict[tuple[str, str, str], dict]:
        """(table, row, column) -> {status, read, page, box} of a scanned report's cells ({} for
        a report not read by OCR)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ocr_cells).where(ocr_cells.c.report_id == report_id)).all()
        return {(r.tbl, r.row, r.col): {"status": r.status, "read": r.read, "page": r.page,
                                        "box": json.loads(r.box) if r.box else None} for r in rows}

    def _insert_rows(self, conn, table: sa.Table, rows: list[tuple]) -> None:
        """Insert rows given as tuples of all of `table`'s columns, in the table's order, through
        the INSERT compiled once for this database: on SQLite as multi-row INSERT ... VALUES (...),
        (...) statements, elsewhere with one executemany (SQLAlchemy's per-row handling of
        parameter dicts took about a third of indexing time). The values are plain str, int,
        float, bool and None, which every driver takes as they are."""
        sql, order = self._inserts.get(table.name) or self._compile_insert(table)
        if order is None:  # a named parameter style (psycopg's %(name)s)
            names = [c.name for c in table.columns]
            conn.exec_driver_sql(sql, [dict(zip(names, r)) for r in rows])
            return
        if order != tuple(range(len(table.columns))):
            rows = [tuple(r[i] for i in order) for r in rows]
        if self.engine.dialect.paramstyle != "qmark":
            conn.exec_driver_sql(sql, rows)
            return
        head, _, one = sql.rpartition(" VALUES ")
        per = max(1, _MAX_PARAMS // len(order))
        cursor = conn.connection.cursor()  # the DBAPI cursor, in this transaction (no per-call overhead)
        try:
            for k in range(0, len(rows), per):
                chunk = rows[k:k + per]
                cursor.execute(f"{head} VALUES {','.join([one] * len(chunk))}", tuple(chain.from_iterable(chunk)))
        finally:
            cursor.close()

    def _compile_insert(self, table: sa.Table) -> tuple[str, tuple[int, ...] | None]:
        """(SQL, column positions in the order of its parameters; None for a named style)."""
        compiled = table.insert().compile(dialect=self.engine.dialect)
        names = [c.name for c in table.columns]
        order = tuple(names.index(p) for p in compiled.positiontup) if compiled.positiontup else None
        self._inserts[table.name] = (str(compiled), order)
        return self._inserts[table.name]

    def set_meta(self, report_id: int, m, warnings: list[str]) -> None:
        """Replace report `report_id`'s body, year, region, aliases and warnings with `m`
        (a metadata.Meta), in one transaction: what `qa-app set-meta` writes."""
        def write(conn):
            conn.execute(reports.update().where(reports.c.id == report_id).values(
                **_meta_columns(m), warnings=_JSON.encode(warnings),
                indexed_at=dt.datetime.now().isoformat(timespec="seconds")))
            conn.execute(aliases.delete().where(aliases.c.report_id == report_id))
            names = {m.agency, *m.aliases} - {None, ""}
            if names:
                self._insert_rows(conn, aliases, [(report_id, a) for a in sorted(names)])
        self._write(write, f"设定报告 {report_id} 的机关和年度")

    def add_name(self, report_id: int, file_name: str, path: str | None = None, drop_id: int | None = None,
                 on_commit=None) -> None:
        """Remember `file_name` as another name of report `report_id`; with `drop_id`, report
        `drop_id` (the file's earlier version) goes in the same transaction."""
        def write(conn):
            if drop_id is not None:
                self._delete(conn, drop_id)
            conn.execute(report_names.delete().where(report_names.c.file_name == file_name))
            conn.execute(report_names.insert().values(report_id=report_id, file_name=file_name, path=path))
            if on_commit is not None:
                on_commit(conn, drop_id)
        self._write(write, f"记下文件名 {file_name}")

    def remove(self, report_id: int, on_commit=None) -> None:
        def write(conn):
            self._delete(conn, report_id)
            if on_commit is not None:
                on_commit(conn, report_id)
        self._write(write, "移除报告")

    @staticmethod
    def queue_prose(conn, report_id: int) -> None:
        """Inside a report's write transaction (put_report's on_commit): its prose is to follow."""
        conn.execute(prose_queue.insert(), {"report_id": int(report_id)})

    def clear_prose(self, report_ids) -> None:
        """These reports' prose vectors are in the prose index now (one transaction)."""
        ids = sorted({int(r) for r in report_ids})
        if not ids:
            return

        def write(conn):
            for k in range(0, len(ids), _MAX_PARAMS):
                conn.execute(prose_queue.delete().where(prose_queue.c.report_id.in_(ids[k:k + _MAX_PARAMS])))
        self._write(write, "记下正文已向量化")

    def prose_pending(self) -> list[int]:
        """Ids of the reports whose prose vectors are still to follow, in id order (commit order)."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(prose_queue.c.report_id).order_by(prose_queue.c.report_id)).scalars())

    def remove_name(self, file_name: str) -> None:
        """Forget one name of a report that has several (the report and its other names stay)."""
        self._write(lambda conn: conn.execute(report_names.delete().where(report_names.c.file_name == file_name)),
                    f"移除文件名 {file_name}")

    def _delete(self, conn, report_id: int) -> None:
        for t in CHILD_TABLES:
            conn.execute(t.delete().where(t.c.report_id == report_id))
        conn.execute(reports.delete().where(reports.c.id == report_id))

    # -- reads --------------------------------------------------------------------------
    def paths(self, report_id: int) -> list[tuple[str, str | None]]:
        """(file name, path it was indexed from) of each name of a report."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(report_names.c.file_name, report_names.c.path)
                                                  .where(report_names.c.report_id == report_id)
                                                  .order_by(report_names.c.file_name))]

    def same_body_year(self, agency: str | None, region: str | None, year: int | None) -> list[tuple[int, str]]:
        """(id, file name) of the reports of this body (and region) and year."""
        if not agency or not year:
            return []
        # by the agency index (ORDER BY id would make SQLite walk the whole table in id order)
        with self.engine.connect() as conn:
            rows = conn.execute(_SAME_BODY, {"agency": agency}).all()
        return sorted((r.id, r.file_name) for r in rows if r.year == year and r.region == region)

    def printed_values(self, report_id: int) -> dict[tuple[str, str, str], float | None]:
        """(table, row, column) -> value of every printed (not derived) cell of a report."""
        q = sa.select(facts.c.tbl, facts.c.row, facts.c.col, facts.c.value).where(
            facts.c.report_id == report_id, facts.c.derived == sa.false())
        with self.engine.connect() as conn:
            return {(t, r, c): (None if v is None else float(v)) for t, r, c, v in conn.execute(q)}

    def by_sha(self, sha256: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(reports.c.id).where(reports.c.sha256 == sha256)).scalar()

    def by_sha_and_name(self, sha256: str, file_name: str) -> tuple[int | None, int | None]:
        """(by_sha(sha256), by_name(file_name)) in one query: what the indexer asks per file."""
        with self.engine.connect() as conn:
            return tuple(conn.execute(_BY_SHA_AND_NAME, {"sha256": sha256, "file_name": file_name}).one())

    def by_name(self, file_name: str) -> int | None:
        """Report id for a file name (any name it was indexed under), or None."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(report_names.c.report_id)
                                .where(report_names.c.file_name == file_name)).scalar()

    def resolve(self, ref: str) -> int | None:
        """A report by id, file name (with or without folder) or unique prefix of its file name.
        A number with a leading zero (「004」) is a file-name prefix, not the id 4."""
        ref = str(ref).strip()
        if ref.isdigit() and not (len(ref) > 1 and ref.startswith("0")) and int(ref) <= MAX_ID:
            with self.engine.connect() as conn:
                if conn.execute(sa.select(reports.c.id).where(reports.c.id == int(ref))).scalar():
                    return int(ref)
        name = Path(ref).name
        rid = self.by_name(name)
        if rid is not None:
            return rid
        with self.engine.connect() as conn:
            ids = conn.execute(sa.select(report_names.c.report_id).distinct()
                               .where(report_names.c.file_name.like(name.replace("%", "") + "%"))).scalars().all()
        return ids[0] if len(ids) == 1 else None

    def reports(self) -> list[ReportInfo]:
        """Every report, in id order, as the database holds it now (see fresh())."""
        self.fresh()
        got = self._cache.get("reports")
        if got is not None:
            return got
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*[c for c in reports.c if c.name != "text"]).order_by(reports.c.id)).all()
            names: dict[int, list[str]] = {}
            for rid, fn in conn.execute(sa.select(report_names.c.report_id, report_names.c.file_name)
                                        .order_by(report_names.c.file_name)):
                names.setdefault(rid, []).append(fn)
            al: dict[int, list[str]] = {}
            for rid, a in conn.execute(sa.select(aliases.c.report_id, aliases.c.alias)):
                al.setdefault(rid, []).append(a)
            pending = set(conn.execute(sa.select(prose_queue.c.report_id)).scalars())
        out = [ReportInfo(r.id, r.file_name, names.get(r.id, [r.file_name]), r.agency, r.region, r.year, r.format,
                          r.source_format, r.cells_found, r.cells_blank, r.checks_passed, r.checks_failed,
                          json.loads(r.warnings), [x for x in r.tables_found.split(",") if x], r.sha256,
                          sorted(al.get(r.id, [])), r.province, r.prefecture, r.county, r.region_code,
                          json.loads(r.meta_source) if r.meta_source else None, json.loads(r.uncertain_rows or "[]"),
                          json.loads(r.missing_rows or "{}"), prose_pending=r.id in pending)
               for r in rows]
        groups: dict[tuple, list[ReportInfo]] = {}
        for r in out:
            if r.agency and r.year:
                groups.setdefault((r.agency, r.region, r.year), []).append(r)
        for same in groups.values():
            if len(same) > 1:  # the ingest keeps one report per body and year when the numbers agree
                for r in same:
                    r.conflicts = [{"id": o.id, "file_name": o.file_name} for o in same if o is not r]
        self._cache["reports"] = out
        self._cache["by_id"] = {r.id: r for r in out}
        return out

    def report(self, report_id: int) -> ReportInfo | None:
        reps = self.reports()
        by_id = self._cache.get("by_id")  # (another thread may have just cleared the cache)
        if by_id is None:
            by_id = {r.id: r for r in reps}
        return by_id.get(report_id)

    def text(self, report_id: int) -> str:
        self.fresh()
        key = ("text", report_id)
        got = self._cache.get(key)
        if got is None:
            with self.engine.connect() as conn:
                got = conn.execute(sa.select(reports.c.text).where(reports.c.id == report_id)).scalar() or ""
            self._cache[key] = got
        return got

    def lines(self, report_id: int, first: int, last: int) -> list[str]:
        """Lines first..last (1-based, inclusive) of the stored text."""
        return self.text(report_id).split("\n")[max(0, first - 1):last]

    def cell_boxes(self, report_id: int) -> dict[tuple[str, str, str], tuple[int, list[float]]]:
        """{(table, row, column): (page, [x0, top, x1, bottom])} of a PDF report's printed cells
        (of a scanned one: where the OCR read them)."""
        key = ("cell_boxes", report_id)
        if key not in self._cache:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(cell_boxes).where(cell_boxes.c.report_id == report_id)).all()
            got = {(r.tbl, r.row, r.col): (r.page, [r.x0, r.top, r.x1, r.bottom]) for r in rows}
            if not got:  # a scanned report: the boxes the OCR read its cells in (PDF points, top left)
                got = {k: (v["page"], list(v["box"])) for k, v in self.ocr_cells(report_id).items()
                       if v["page"] and v["box"] and len(v["box"]) == 4}
            self._cache[key] = got
        return self._cache[key]

    def line_boxes(self, report_id: int, first: int, last: int) -> dict[int, tuple[int, list]]:
        """{line: (page, word runs)} of lines first..last (1-based) of a PDF report."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(line_boxes.c.line, line_boxes.c.page, line_boxes.c.runs)
                                .where(line_boxes.c.report_id == report_id, line_boxes.c.line >= first,
                                       line_boxes.c.line <= last)).all()
        return {r.line: (r.page, json.loads(r.runs)) for r in rows}

    def source_paths(self, report_id: int) -> list[str]:
        """The paths a report's file was indexed from (one per name it has)."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(report_names.c.path).where(report_names.c.report_id == report_id,
                                                                          report_names.c.path.is_not(None))).scalars())

    def facts(self, report_ids=None, table=None, row=None, column=None, derived: bool | None = None) -> list[dict]:
        """Fact records in the shape of `qa-app facts --json` (keys of shared/template.md)."""
        q = sa.select(facts, reports.c.file_name, reports.c.agency, reports.c.region, reports.c.year) \
            .join(reports, reports.c.id == facts.c.report_id)
        if report_ids is not None:
            q = q.where(facts.c.report_id.in_(list(report_ids)))
        if table:
            q = q.where(facts.c.tbl == table)
        if row:
            q = q.where(facts.c.row.in_([row] if isinstance(row, str) else list(row)))
        if column:
            q = q.where(facts.c.col.in_([column] if isinstance(column, str) else list(column)))
        if derived is not None:
            q = q.where(facts.c.derived == derived)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(facts.c.report_id)).all()
        # reports in id order, each report's cells in the order the template prints them
        rows.sort(key=lambda r: (r.report_id, cell_order(r.tbl, r.row, r.col)))
        return [{"report": r.file_name, "report_id": r.report_id, "agency": r.agency, "region": r.region,
                 "year": r.year, "table": r.tbl, "row": r.row, "column": r.col, "value": _num(r.value),
                 "derived": bool(r.derived), "lines": [r.line_first, r.line_last], "label": r.label,
                 "uncertain": bool(r.uncertain),
                 "row_label": row_label(r.tbl, r.row), "column_label": column_label(r.tbl, r.col)}
                for r in rows]

    def blanks(self, report_ids=None) -> list[dict]:
        """Printed cells the report left blank (「/」, 「—」, an empty cell): value null, not derived."""
        q = sa.select(facts.c.report_id, facts.c.tbl, facts.c.row, facts.c.col, facts.c.line_first,
                      facts.c.line_last).where(facts.c.value.is_(None), facts.c.derived == sa.false())
        if report_ids is not None:
            q = q.where(facts.c.report_id.in_(list(report_ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        rows.sort(key=lambda r: (r.report_id, cell_order(r.tbl, r.row, r.col)))
        return [{"report_id": r.report_id, "table": r.tbl, "row": r.row, "column": r.col,
                 "lines": [r.line_first, r.line_last]} for r in rows]

    def checks(self, report_ids=None, failed_only: bool = False) -> list[dict]:
        q = sa.select(checks, reports.c.file_name, reports.c.agency, reports.c.year) \
            .join(reports, reports.c.id == checks.c.report_id)
        if report_ids is not None:
            q = q.where(checks.c.report_id.in_(list(report_ids)))
        if failed_only:
            q = q.where(checks.c.ok == sa.false())
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(checks.c.report_id)).all()
        from .checks import check_uncertain, failure_kind
        unsure = {r.id: r.uncertain_rows for r in self.reports() if r.uncertain_rows}
        out = [{"report": r.file_name, "report_id": r.report_id, "agency": r.agency, "year": r.year,
                "check": r.check_key, "table": r.tbl, "subject": r.subject, "ok": bool(r.ok), "detail": r.detail,
                "cells": _unpack_cells(r.cells)} for r in rows]
        for c in out:  # "reader": rests on a row the reader is not sure of; "report": the printed numbers
            c["uncertain"] = check_uncertain(c, unsure.get(c["report_id"]))
            c["kind"] = failure_kind(c["ok"], c["uncertain"])
        return out

    def is_uncertain(self, report_id: int, table: str, row: str, column: str | None = None) -> bool:
        """Whether the reader is not sure of this cell (or, column None, of any cell of this row):
        its numbers were placed by position and the template's identities do not confirm them.
        An answer resting on such a cell must say so (「读取不确定」), never state it as plain fact."""
        unsure = self._cache.get("unsure")
        if unsure is None:  # once per change of the index: report id -> its uncertain rows
            unsure = self._cache["unsure"] = {r.id: frozenset(r.uncertain_rows) for r in self.reports()
                                              if r.uncertain_rows}
        return f"{table}.{row}" in unsure.get(report_id, ())
