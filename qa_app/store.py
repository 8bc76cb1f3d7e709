"""The side store: reports, their text, every table cell with its lines, aliases, checks.

SQLAlchemy Core over SQLite by default (index/facts.sqlite); the same schema runs on
PostgreSQL through `Settings.database_url`. One report's writes happen in one transaction,
so an interrupted `qa-app index` leaves the earlier state whole. A report's many child rows
(cells, checks) go in through INSERTs compiled once for the database, as multi-row statements
on SQLite, rather than row by row through Core. This module knows nothing of file formats or
questions: it stores what report.ParsedReport holds and answers queries.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import sqlalchemy as sa

from . import migrations
from .report import ParsedReport
from .tables import uncertain_rows
from .template import cell_order, column_label, row_label

meta = sa.MetaData()

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

CHILD_TABLES = (report_names, facts, aliases, checks, line_boxes, cell_boxes, ocr_cells)
# built once (a statement built per call cost ~100 us): the report with these bytes, the report of this name
_BY_SHA_AND_NAME = sa.select(
    sa.select(reports.c.id).where(reports.c.sha256 == sa.bindparam("sha256")).scalar_subquery(),
    sa.select(report_names.c.report_id).where(report_names.c.file_name == sa.bindparam("file_name")).scalar_subquery())
_MAX_PARAMS = 999  # parameters per statement: the smallest limit of SQLite builds (older than 3.32)
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(x, ensure_ascii=False), without a new encoder per call
_JSON_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


_CELL_HEADS: dict[tuple[str, str], str] = {}  # (row, column) -> '["row","column",' (template keys)


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

    @property
    def flagged(self) -> bool:
        """Body or year unknown: no question by body or year reaches this report until they are set."""
        return self.agency is None or self.year is None

    def as_dict(self) -> dict:
        return dict(self.__dict__, flagged=self.flagged)


class Store:
    """The side store. Open it with `Store(settings.db_url)`; tables are created on first use."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine = sa.create_engine(url)
        if url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _fk(dbapi_conn, _):  # noqa: ANN001
                dbapi_conn.execute("PRAGMA foreign_keys=ON")
                # Write-ahead log, synced at checkpoints rather than at every commit: each report
                # is still one atomic transaction, but indexing no longer waits for an fsync per
                # report (see docs/benchmarks.md). A crash of the program loses nothing committed;
                # a power cut may lose the last reports written, never consistency.
                if not url.startswith("sqlite:///:memory:") and url != "sqlite://":
                    dbapi_conn.execute("PRAGMA journal_mode=WAL")
                    dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        meta.create_all(self.engine)
        self.migrated = migrations.apply(self.engine)  # what an index built by an older version lacks
        self._cache: dict = {}
        self._inserts: dict[str, tuple[str, tuple[int, ...] | None]] = {}

    # -- writes -------------------------------------------------------------------------
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
        with self.engine.begin() as conn:
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
            # the child rows as plain tuples, one executemany per table (see _insert_rows)
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
        self._cache.clear()
        return rid

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
        with self.engine.begin() as conn:
            conn.execute(reports.update().where(reports.c.id == report_id).values(
                **_meta_columns(m), warnings=_JSON.encode(warnings),
                indexed_at=dt.datetime.now().isoformat(timespec="seconds")))
            conn.execute(aliases.delete().where(aliases.c.report_id == report_id))
            names = {m.agency, *m.aliases} - {None, ""}
            if names:
                self._insert_rows(conn, aliases, [(report_id, a) for a in sorted(names)])
        self._cache.clear()

    def add_name(self, report_id: int, file_name: str, path: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(report_names.insert().values(report_id=report_id, file_name=file_name, path=path))
        self._cache.clear()

    def remove(self, report_id: int, on_commit=None) -> None:
        with self.engine.begin() as conn:
            self._delete(conn, report_id)
            if on_commit is not None:
                on_commit(conn, report_id)
        self._cache.clear()

    def _delete(self, conn, report_id: int) -> None:
        for t in CHILD_TABLES:
            conn.execute(t.delete().where(t.c.report_id == report_id))
        conn.execute(reports.delete().where(reports.c.id == report_id))

    # -- reads --------------------------------------------------------------------------
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
        if ref.isdigit() and not (len(ref) > 1 and ref.startswith("0")):
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
        if "reports" in self._cache:
            return self._cache["reports"]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*[c for c in reports.c if c.name != "text"]).order_by(reports.c.id)).all()
            names: dict[int, list[str]] = {}
            for rid, fn in conn.execute(sa.select(report_names.c.report_id, report_names.c.file_name)
                                        .order_by(report_names.c.file_name)):
                names.setdefault(rid, []).append(fn)
            al: dict[int, list[str]] = {}
            for rid, a in conn.execute(sa.select(aliases.c.report_id, aliases.c.alias)):
                al.setdefault(rid, []).append(a)
        out = [ReportInfo(r.id, r.file_name, names.get(r.id, [r.file_name]), r.agency, r.region, r.year, r.format,
                          r.source_format, r.cells_found, r.cells_blank, r.checks_passed, r.checks_failed,
                          json.loads(r.warnings), [x for x in r.tables_found.split(",") if x], r.sha256,
                          sorted(al.get(r.id, [])), r.province, r.prefecture, r.county, r.region_code,
                          json.loads(r.meta_source) if r.meta_source else None, json.loads(r.uncertain_rows or "[]"),
                          json.loads(r.missing_rows or "{}"))
               for r in rows]
        self._cache["reports"] = out
        return out

    def report(self, report_id: int) -> ReportInfo | None:
        return next((r for r in self.reports() if r.id == report_id), None)

    def text(self, report_id: int) -> str:
        key = ("text", report_id)
        if key not in self._cache:
            with self.engine.connect() as conn:
                self._cache[key] = conn.execute(sa.select(reports.c.text).where(reports.c.id == report_id)).scalar() or ""
        return self._cache[key]

    def lines(self, report_id: int, first: int, last: int) -> list[str]:
        """Lines first..last (1-based, inclusive) of the stored text."""
        return self.text(report_id).split("\n")[max(0, first - 1):last]

    def cell_boxes(self, report_id: int) -> dict[tuple[str, str, str], tuple[int, list[float]]]:
        """{(table, row, column): (page, [x0, top, x1, bottom])} of a PDF report's printed cells."""
        key = ("cell_boxes", report_id)
        if key not in self._cache:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(cell_boxes).where(cell_boxes.c.report_id == report_id)).all()
            self._cache[key] = {(r.tbl, r.row, r.col): (r.page, [r.x0, r.top, r.x1, r.bottom]) for r in rows}
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
