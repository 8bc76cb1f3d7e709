"""Schema migrations: a registered, ordered list, each applied once per database and recorded.

As sqlite-utils and llm do it: a migration is a named function of a connection, registered with
`@migration("name")`; `apply(engine)` runs, in one transaction, every registered migration the
database's `qa_app_migrations` table does not list yet, and records them. A new database gets
the current schema from `create_all` first, so migrations are written to be no-ops where their
change is already there (`add_column` checks). On PostgreSQL an advisory lock makes two
replicas starting at once apply each migration once.

What it does not: create the tables (store.py and narrative/db.py own their schemas), or go
backwards.

    @migration("2026-12-facts-uncertain")
    def _(conn):
        add_column(conn, "facts", sa.Column("uncertain", sa.Boolean, nullable=False,
                                            server_default=sa.false()))
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

_LOG = sa.Table("qa_app_migrations", sa.MetaData(), sa.Column("name", sa.String(200), primary_key=True),
                sa.Column("applied_at", sa.String(40), nullable=False))
_LOCK_KEY = 7_020_241  # pg_advisory_xact_lock key of qa-app's schema changes


@dataclass(frozen=True)
class Migration:
    name: str
    run: Callable[[sa.Connection], None]


MIGRATIONS: list[Migration] = []


def migration(name: str):
    """Register the decorated function as the migration `name` (names are unique, order is
    registration order)."""
    def wrap(fn):
        if any(m.name == name for m in MIGRATIONS):
            raise ValueError(f"migration registered twice: {name}")
        MIGRATIONS.append(Migration(name, fn))
        return fn
    return wrap


def add_column(conn: sa.Connection, table: str, column: sa.Column) -> bool:
    """ALTER TABLE … ADD COLUMN unless the table has it (or does not exist); True when added."""
    insp = sa.inspect(conn)
    if not insp.has_table(table) or column.name in {c["name"] for c in insp.get_columns(table)}:
        return False
    ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f'ALTER TABLE {conn.dialect.identifier_preparer.quote(table)} ADD COLUMN {ddl}')
    return True


def create_index(conn: sa.Connection, index: sa.Index) -> None:
    index.create(conn, checkfirst=True)


def applied(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(_LOG.name):
            return []
        return [r[0] for r in conn.execute(sa.select(_LOG.c.name))]


def pending(engine: sa.Engine) -> list[str]:
    done = set(applied(engine))
    return [m.name for m in MIGRATIONS if m.name not in done]


def apply(engine: sa.Engine) -> list[str]:
    """Run the migrations this database has not had, in order, in one transaction; their names."""
    if not pending(engine):
        return []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        _LOG.create(conn, checkfirst=True)
        done = {r[0] for r in conn.execute(sa.select(_LOG.c.name))}
        ran = []
        for m in MIGRATIONS:
            if m.name in done:
                continue
            m.run(conn)
            conn.execute(sa.insert(_LOG).values(name=m.name,
                                                applied_at=dt.datetime.now().isoformat(timespec="seconds")))
            ran.append(m.name)
        return ran
