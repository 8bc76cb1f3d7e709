"""Disk full while indexing: the run stops at the first file that cannot be written, says so
once in Chinese (no SQL, no traceback on the terminal), and the index holds exactly the
reports written before, whole; after space is freed the same command completes the run.

Two ways to fill the disk: a real small tmpfs under `qa-app index` in a subprocess (needs root
to mount; skipped otherwise), and a side store with a size limit (SQLite max_page_count), in
process, which runs everywhere.
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import gen_corpus  # noqa: E402

from qa_app.indexer import index_paths  # noqa: E402
from qa_app.settings import Settings  # noqa: E402
from qa_app.store import Store  # noqa: E402

FULL = "磁盘空间不足（或数据库已达到大小上限），索引写不进去"


def consistent(db: Path) -> int:
    """Integrity check passes and every report has its names and cells; returns the count."""
    c = sqlite3.connect(db)
    try:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = c.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert c.execute("SELECT count(DISTINCT report_id) FROM facts").fetchone()[0] == n
        assert c.execute("SELECT count(DISTINCT report_id) FROM report_names").fetchone()[0] == n
        assert c.execute("SELECT count(*) FROM facts WHERE report_id NOT IN (SELECT id FROM reports)").fetchone()[0] == 0
        return n
    finally:
        c.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full_corpus")
    gen_corpus.generate(120, out, seed=5, counts=(1, 0, 0, 0))
    return out / "reports"


@pytest.fixture()
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("挂载 tmpfs 需要 root；改用有大小上限的数据库的测试")
    mnt = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("这台机器上不能挂载 tmpfs")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def run_index(folder: Path, index: Path):
    env = {**os.environ, "QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": "",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "qa_app.cli", "index", str(folder), "--no-narrative", "-q",
                           "--index", str(index)], env=env, capture_output=True, text=True, timeout=300)


def test_cli_on_a_full_tmpfs_stops_at_once_and_resumes(corpus, small_disk):
    index = small_disk / "index"
    res = run_index(corpus, index)
    assert res.returncode == 1
    errors = res.stderr.strip().split("\n")
    assert len(errors) == 1 and re.fullmatch(rf"✗ \d{{5}}_[0-9a-f]{{16}}\.(txt|md)：{re.escape(FULL)}", errors[0]), res.stderr
    added = res.stdout.count("✓ 新增")
    assert 0 < added < 120
    last = res.stdout.strip().split("\n")[-1]
    assert f"失败 1 份。索引已停止：{FULL}。" in last and f"其余 {120 - added - 1} 个文件未处理" in last
    assert "Traceback" not in res.stdout + res.stderr and "sqlite" not in (res.stdout + res.stderr).lower()
    assert consistent(index / "facts.sqlite") == added
    # more room: the same command indexes the rest
    assert subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)]).returncode == 0
    again = run_index(corpus, index)
    assert again.returncode == 0, again.stderr
    assert f"新增 {120 - added} 份，替换 0 份，未变跳过 {added} 份" in again.stdout
    assert consistent(index / "facts.sqlite") == 120


def test_size_limited_database_stops_the_run(corpus, tmp_path):
    s = Settings.load(index=tmp_path / "index", narrative=False, database_url="")
    store = Store(s.db_url)

    @sa.event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn, _):  # a database that cannot grow past 60 pages of 4 KiB
        dbapi_conn.execute("PRAGMA max_page_count=60")
    store.engine.dispose()
    summary = index_paths([corpus], s, store=store, progress=False)
    failed = summary.failed
    assert len(failed) == 1 and failed[0].fatal and failed[0].message == FULL
    added = summary.count("added")
    assert 0 < added < 120 and len(summary.results) == added + 1  # nothing tried after the failure
    assert summary.stopped.startswith(f"索引已停止：{FULL}") and f"其余 {120 - added - 1} 个文件未处理" in summary.stopped
    assert len(store.reports()) == added
    assert consistent(tmp_path / "index" / "facts.sqlite") == added
