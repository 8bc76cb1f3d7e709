"""The side store (qa_app.store) and indexing into it (qa_app.indexer), facts only.

What it covers: re-indexing is idempotent; a changed file replaces its report whole (old values
gone); one report's writes are one transaction (a failing hook inside `put_report`, or a failing
prose index during `index_paths`, leaves the earlier state whole); the same on a throwaway
PostgreSQL 15 server, through `QA_APP_DATABASE_URL` and the real `qa-app` commands. What it does
not cover: the prose index (narrative/, another engineer's), the reading of tables.
Every test runs with the prose index off (`narrative=False` / `--no-narrative`).
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from qa_app import store as S
from qa_app.cli import main
from qa_app.indexer import index_paths
from qa_app.report import parse_report
from qa_app.settings import Settings
from qa_app.store import Store

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_001 = "001_924043a2ff6d2acf.txt"
SEED_004 = "004_a940ca4a84d42417.txt"


def settings_for(tmp: Path) -> Settings:
    return Settings(index=tmp / "idx", narrative=False)


def counts(store: Store) -> dict:
    with store.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (S.reports, S.report_names, S.facts, S.aliases, S.checks)}


def value(store: Store, report: str, table: str, row: str, column: str):
    rid = store.by_name(report)
    got = [f["value"] for f in store.facts([rid], table=table, row=row, column=column)]
    assert len(got) == 1, got
    return got[0]


def test_reindex_is_idempotent(tmp_path):
    st = settings_for(tmp_path)
    store = Store(st.db_url)
    first = index_paths([SEEDS], st, store=store, progress=False)
    assert [r.status for r in first.results] == ["added"] * 5
    facts_before, reports_before, counts_before = store.facts(), store.reports(), counts(store)
    second = index_paths([SEEDS], st, store=store, progress=False)
    assert [r.status for r in second.results] == ["unchanged"] * 5
    assert second.line() == "新增 0 份，替换 0 份，未变跳过 5 份，同内容另名 0 份，失败 0 份"
    assert store.facts() == facts_before
    assert [r.as_dict() for r in store.reports()] == [r.as_dict() for r in reports_before]
    assert counts(store) == counts_before
    # 5 reports x (200 printed + derived) cells; 1000 printed ones
    assert sum(1 for f in facts_before if not f["derived"]) == 1000


def test_changed_file_replaces_its_facts(tmp_path):
    st = settings_for(tmp_path)
    store = Store(st.db_url)
    src = tmp_path / "in"
    src.mkdir()
    for name in (SEED_001, SEED_004):
        shutil.copy(SEEDS / name, src / name)
    index_paths([src], st, store=store, progress=False)
    assert value(store, SEED_001, "proactive", "administrative_licensing", "decisions") == 28
    before_004 = store.facts([store.by_name(SEED_004)])
    counts_before = counts(store)

    text = (src / SEED_001).read_text(encoding="utf-8")
    assert "行政许可\t28\t\t" in text
    (src / SEED_001).write_text(text.replace("行政许可\t28\t\t", "行政许可\t35\t\t"), encoding="utf-8")
    res = index_paths([src], st, store=store, progress=False)
    assert {Path(r.path).name: r.status for r in res.results} == {SEED_001: "replaced", SEED_004: "unchanged"}
    new_id = store.by_name(SEED_001)
    assert value(store, SEED_001, "proactive", "administrative_licensing", "decisions") == 35
    assert len(store.reports()) == 2
    assert counts(store) == counts_before  # same shape: the old rows went, the new ones came
    with store.engine.connect() as conn:
        ids = set(conn.execute(sa.select(S.facts.c.report_id).distinct()).scalars())
    assert ids == {new_id, store.by_name(SEED_004)}
    assert 28 not in [f["value"] for f in store.facts([new_id], table="proactive")]
    assert len([f for f in store.facts([new_id]) if not f["derived"]]) == 200
    assert store.facts([store.by_name(SEED_004)]) == before_004  # the other report is untouched


def test_failing_hook_leaves_earlier_state_whole(tmp_path):
    st = settings_for(tmp_path)
    store = Store(st.db_url)
    index_paths([SEEDS / SEED_004], st, store=store, progress=False)
    rid = store.by_name(SEED_004)
    facts_before, counts_before = store.facts(), counts(store)

    def boom(conn, report_id):
        # the report's rows are written by now, inside the transaction
        assert conn.execute(sa.select(sa.func.count()).select_from(S.facts)
                            .where(S.facts.c.report_id == report_id)).scalar() > 0
        raise RuntimeError("prose index failed")

    # a new report: nothing of it may remain
    parsed = parse_report((SEEDS / SEED_001).read_text(encoding="utf-8"), SEED_001)
    with pytest.raises(RuntimeError):
        store.put_report(parsed, "f" * 64, "txt", on_commit=boom)
    assert counts(store) == counts_before and store.by_name(SEED_001) is None
    # a replacement: the old report must stay whole (its delete is rolled back too)
    changed = parse_report((SEEDS / SEED_004).read_text(encoding="utf-8").replace("11 |", "12 |", 1), SEED_004)
    with pytest.raises(RuntimeError):
        store.put_report(changed, "e" * 64, "txt", replace_id=rid, on_commit=boom)
    assert store.by_name(SEED_004) == rid
    assert store.facts() == facts_before and counts(store) == counts_before
    assert value(store, SEED_004, "applications", "partially_granted", "natural_person") == 11


def test_failing_prose_index_fails_the_file_and_keeps_the_store(tmp_path):
    st = settings_for(tmp_path)
    store = Store(st.db_url)
    index_paths([SEEDS / SEED_004], st, store=store, progress=False)
    counts_before = counts(store)

    class BrokenNarrative:
        def __init__(self, exc):
            self.exc, self.rolled = exc, 0

        def replace(self, rid, parsed, old_id=None, conn=None):
            raise self.exc

        def rolled_back(self):
            self.rolled += 1

    # the disk is full: said in Chinese, the run stops (fatal), nothing of the file is kept
    full = BrokenNarrative(OSError(errno.ENOSPC, "No space left on device"))
    res = index_paths([SEEDS / SEED_001, SEEDS / SEED_004], st, store=store, narrative=full, progress=False)
    assert len(res.results) == 1 and res.results[0].status == "failed" and res.results[0].fatal
    assert res.results[0].message == "磁盘空间不足，索引写不进去"
    assert "其余 1 个文件未处理" in res.line() and "OSError" not in res.line()
    assert counts(store) == counts_before and store.by_name(SEED_001) is None
    # any other failure: a Chinese line without the class name or the exception's text
    odd = BrokenNarrative(RuntimeError("SELECT * FROM chunks"))
    res = index_paths([SEEDS / SEED_001], st, store=store, narrative=odd, progress=False)
    assert res.results[0].status == "failed" and not res.results[0].fatal
    assert res.results[0].message == "处理时出现内部错误（详情已记入服务器日志）"
    assert odd.rolled == 1  # the prose index is told, so no vector of the failed report is kept
    assert counts(store) == counts_before and store.by_name(SEED_001) is None


# ---------------------------------------------------------------------------------------
# PostgreSQL: a throwaway server on 127.0.0.1, a free port, a temporary data directory

@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server (tests/servers.py) for this module's tests."""
    from servers import ServerUnavailable, postgres
    try:
        with postgres() as url:
            yield url
    except ServerUnavailable as e:
        print(e)
        pytest.skip(str(e))


def qa(*args: str, url: str, in_process: bool = False):
    """`qa-app ARGS` with QA_APP_DATABASE_URL=url (and no other QA_APP_* setting): as a separate
    process, or in this process through click's runner (same command, no interpreter start-up)."""
    if in_process:
        env = {k: None for k in os.environ if k.startswith("QA_APP_")} | {"QA_APP_DATABASE_URL": url}
        r = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    env["QA_APP_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "qa_app.cli", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_postgresql_side_store(postgres_url, tmp_path):
    idx = str(tmp_path / "idx")
    res = qa("index", "--no-narrative", "-q", "--index", idx, str(SEEDS), url=postgres_url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "新增 5 份" in res.stdout and "数据库：postgresql+psycopg://qa@127.0.0.1:" in res.stdout
    assert not (tmp_path / "idx" / "facts.sqlite").exists()  # the facts went to the server

    out = qa("facts", "--json", "--index", idx, url=postgres_url)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    got = {(f["report"], f["table"], f["row"], f["column"]): f["value"] for f in facts if not f["derived"]}
    assert len(got) == 1000
    assert got[(SEED_004, "applications", "partially_granted", "natural_person")] == 11
    assert got[(SEED_004, "applications", "new_received", "total")] == 28
    assert got[(SEED_004, "review_litigation", "litigation_after_review", "total")] is None
    assert got[(SEED_001, "proactive", "administrative_licensing", "decisions")] == 28
    assert got[("000_aa0ecb1c4df3c9c5.txt", "applications", "unavailable.not_held", "natural_person")] == 4

    facts_file = tmp_path / "facts.json"
    facts_file.write_text(out.stdout, encoding="utf-8")
    score = subprocess.run([sys.executable, str(SHARED / "tools" / "score_facts.py"), str(facts_file),
                            str(REPO / "tests" / "data" / "seeds_truth.json")], capture_output=True, text=True)
    if (SHARED / "tools" / "score_facts.py").is_file():
        assert score.returncode == 0 and "(100.0%)" in score.stdout, score.stdout

    reps = json.loads(qa("reports", "--json", "--index", idx, url=postgres_url, in_process=True).stdout)
    assert [(r["agency"], r["year"], r["region"]) for r in reps] == [
        ("红旗区人民政府办公室", 2023, "红旗区"), ("红旗区城乡建设局", 2023, "红旗区"), ("红旗区信访局", 2022, "红旗区"),
        ("红旗区文化街街道办事处", 2023, "新乡市红旗区"), ("红谷滩区政府办", 2023, "红谷滩区")]

    again = qa("index", "--no-narrative", "-q", "--index", idx, str(SEEDS), url=postgres_url, in_process=True)
    assert "新增 0 份，替换 0 份，未变跳过 5 份" in again.stdout
    assert json.loads(qa("facts", "--json", "--index", idx, url=postgres_url, in_process=True).stdout) == facts


def test_postgresql_transaction_rolls_back(postgres_url):
    store = Store(postgres_url)
    rid = store.by_name(SEED_004)
    if rid is None:  # this test alone: index 004 first
        index_paths([SEEDS / SEED_004], Settings(database_url=postgres_url, narrative=False), store=store,
                    progress=False)
        rid = store.by_name(SEED_004)
    before = store.facts([rid])
    changed = parse_report((SEEDS / SEED_004).read_text(encoding="utf-8").replace("11 |", "12 |", 1), SEED_004)

    def boom(conn, report_id):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.put_report(changed, "d" * 64, "txt", replace_id=rid, on_commit=boom)
    assert store.by_name(SEED_004) == rid and store.facts([rid]) == before
    assert value(store, SEED_004, "applications", "partially_granted", "natural_person") == 11
    store.engine.dispose()


def test_resolve_number_or_file_name(tmp_path):
    st = settings_for(tmp_path)
    store = Store(st.db_url)
    index_paths([SEEDS], st, store=store, progress=False)
    ids = {r.file_name: r.id for r in store.reports()}
    assert store.resolve("004") == ids[SEED_004]  # a leading zero: a file-name prefix
    assert store.resolve(str(ids[SEED_001])) == ids[SEED_001]
    assert store.resolve(f"/some/folder/{SEED_001}") == ids[SEED_001]
    assert store.resolve("00") is None  # ambiguous
    assert store.resolve("999") is None
