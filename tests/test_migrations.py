"""Schema migrations (qa_app.migrations): an index built by an older version is upgraded once,
by any command that opens it or by `qa-app migrate`; a new one records every migration as done."""
from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from qa_app import migrations as M
from qa_app.cli import main
from qa_app.store import Store


def test_an_old_index_is_upgraded_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'facts.sqlite'}"
    store = Store(url)
    assert store.migrated == ["2026-12-reports-place-columns", "2026-12-reader-uncertainty-columns",
                              "2026-11-reports-indexes"]
    assert Store(url).migrated == []  # recorded: not run again
    # an index from before the migrations table, the indexed_at index and the place columns
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE qa_app_migrations")
        conn.exec_driver_sql("DROP INDEX ix_reports_indexed_at")
        conn.exec_driver_sql("ALTER TABLE reports DROP COLUMN region_code")
    assert "ix_reports_indexed_at" not in {i["name"] for i in sa.inspect(store.engine).get_indexes("reports")}
    res = CliRunner().invoke(main, ["migrate", "--index", str(tmp_path)], env={"QA_APP_DATABASE_URL": ""})
    assert res.exit_code == 0, res.output
    assert "本次升级 3 项（2026-12-reports-place-columns、2026-12-reader-uncertainty-columns、2026-11-reports-indexes）" in res.output
    assert "待升级 0 项" in res.output
    assert "ix_reports_indexed_at" in {i["name"] for i in sa.inspect(store.engine).get_indexes("reports")}
    assert "region_code" in {c["name"] for c in sa.inspect(store.engine).get_columns("reports")}


def test_add_column_is_a_no_op_where_the_column_is(tmp_path):
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
        assert M.add_column(conn, "t", sa.Column("b", sa.Integer, nullable=False, server_default="0")) is True
        assert M.add_column(conn, "t", sa.Column("b", sa.Integer)) is False
        assert M.add_column(conn, "missing", sa.Column("b", sa.Integer)) is False
        conn.exec_driver_sql("INSERT INTO t (a) VALUES (1)")
        assert conn.exec_driver_sql("SELECT a, b FROM t").fetchall() == [(1, 0)]


def test_a_name_registers_once():
    import pytest
    with pytest.raises(ValueError):
        M.migration("2026-11-reports-indexes")(lambda conn: None)
