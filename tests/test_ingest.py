"""The one ingest service (qa_app/ingest.py) that `qa-app index`, POST /reports and the chat's
uploader share: the same report in another encoding kept as one report, a report of the same
body and year with other numbers flagged (and answers naming the file they used), clean-up
after a killed upload, a bad file under a good file's name, removal of the uploaded copy by
`qa-app remove`, and two uploads of one name at once.

Facts only (narrative=False); expected values are the seeds' printed numbers.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_app import ask
from qa_app.cli import main as cli_main
from qa_app.ingest import remove, safe_name, save_upload
from qa_app.indexer import index_paths
from qa_app.settings import Settings
from qa_app.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HGT = "004_a940ca4a84d42417.txt"  # 红谷滩区政府办 2023: 部分公开 natural_person 11, total 12


def settings_for(index: Path) -> Settings:
    return Settings.load(index=index, narrative=False, database_url="", llm_mode="none", max_file_mb=50.0)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory) -> Path:
    idx = tmp_path_factory.mktemp("ingest_seed")
    assert index_paths([SEEDS], settings_for(idx), progress=False).count("added") == 5
    return idx


@pytest.fixture()
def index(seed_index, tmp_path) -> Path:
    idx = tmp_path / "index"
    shutil.copytree(seed_index, idx)
    return idx


def qingshanhu(extra: str = "") -> bytes:
    return ((SEEDS / HGT).read_text("utf-8").replace("红谷滩", "青山湖") + extra).encode("utf-8")


def test_same_report_in_another_encoding_is_one_report(index, tmp_path):
    s = settings_for(index)
    gbk = tmp_path / "红谷滩年报_GB18030.txt"
    gbk.write_bytes((SEEDS / HGT).read_text("utf-8").encode("gb18030"))
    res = index_paths([gbk], s, progress=False).results[0]
    assert res.status == "same-content"
    assert res.message == f"与已索引的 {HGT} 是同一份报告（红谷滩区政府办 2023年，表格数字相同），只记下文件名"
    store = Store(s.db_url)
    assert len(store.reports()) == 5
    info = store.report(res.report_id)
    assert info.file_name == HGT and info.names == sorted([HGT, "红谷滩年报_GB18030.txt"]) and info.conflicts == []
    # indexing it again: unchanged
    assert index_paths([gbk], s, progress=False).results[0].status == "unchanged"


def test_same_body_and_year_with_other_numbers_is_flagged(index, tmp_path):
    s = settings_for(index)
    other = tmp_path / "红谷滩年报_另一版.txt"
    text = (SEEDS / HGT).read_text("utf-8")
    assert "11 |" in text
    other.write_text(text.replace("11 |", "10 |", 1), encoding="utf-8")
    res = index_paths([other], s, progress=False).results[0]
    assert res.status == "added"
    assert res.warnings[-1] == (f"库中已有同一机关同一年度的报告 {HGT}，表格数字与它不一致；回答会注明用的是哪个文件")
    store = Store(s.db_url)
    reps = {r.file_name: r for r in store.reports()}
    assert reps[HGT].conflicts == [{"id": res.report_id, "file_name": "红谷滩年报_另一版.txt"}]
    assert reps["红谷滩年报_另一版.txt"].conflicts == [{"id": reps[HGT].id, "file_name": HGT}]
    ans = ask("红谷滩区政府办2023年自然人部分公开了多少件申请？", settings=s, store=store)
    used = ans.citations[0].report
    assert used in (HGT, "红谷滩年报_另一版.txt")
    other_name = HGT if used != HGT else "红谷滩年报_另一版.txt"
    assert ans.value == (10 if used == "红谷滩年报_另一版.txt" else 11)
    assert (f"红谷滩区政府办 2023年的报告库中有 2 个文件，表格数字不一致：本回答用的是 {used}（另有 {other_name}）"
            in (ans.notice or ""))


def test_cleanup_after_a_killed_upload(index):
    s = settings_for(index)
    store = Store(s.db_url)
    assert save_upload("q.txt", qingshanhu(), s, store).status == "added"
    up = index / "uploads"
    # killed while indexing a new version: the good copy sits in a backup, the new bytes (never
    # indexed) in its place, a temporary file beside them
    (up / "q.txt").replace(up / ".previous-0123456789ab-q.txt")
    (up / "q.txt").write_bytes(qingshanhu("\n新版本，没有读完。"))
    (up / ".incoming-0123456789ab-q.txt").write_bytes(b"half")
    # killed after another file's new version was indexed: its backup is stale
    assert save_upload("r.txt", qingshanhu().replace("青山湖".encode(), "东湖".encode()), s, store).status == "added"
    (up / ".previous-ba9876543210-r.txt").write_bytes(b"an old version")
    # the next upload (any name) first cleans up
    res = save_upload("s.txt", qingshanhu().replace("青山湖".encode(), "西湖".encode()), s, store)
    assert res.status == "added"
    assert sorted(p.name for p in up.iterdir()) == ["q.txt", "r.txt", "s.txt"]
    assert (up / "q.txt").read_bytes() == qingshanhu()  # the indexed version came back
    assert store.report(store.by_name("q.txt")).sha256 == __import__("hashlib").sha256(qingshanhu()).hexdigest()


def test_bad_file_under_a_good_name_keeps_the_good_copy(index):
    s = settings_for(index)
    store = Store(s.db_url)
    assert save_upload("q.txt", qingshanhu(), s, store).status == "added"
    bad = save_upload("q.txt", "不是年报的内容。".encode() * 20, s, store)
    assert bad.status == "failed" and bad.message.startswith("不是政府信息公开工作年度报告")
    assert bad.message.endswith("（索引中保留此文件上次成功索引的版本）")
    assert (index / "uploads" / "q.txt").read_bytes() == qingshanhu()
    assert sorted(p.name for p in (index / "uploads").iterdir()) == ["q.txt"]
    assert ask("青山湖区政府办部分公开了多少件申请？", settings=s, store=store).value == 12


def test_cli_remove_deletes_the_uploaded_copy_only(index):
    s = settings_for(index)
    store = Store(s.db_url)
    assert save_upload("../青山湖 年报.txt", qingshanhu(), s, store).status == "added"
    saved = index / "uploads" / "青山湖_年报.txt"
    assert saved.exists() and safe_name("../青山湖 年报.txt") == "青山湖_年报.txt"
    env = {"QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": ""}
    res = CliRunner().invoke(cli_main, ["remove", "青山湖_年报.txt", "--index", str(index)], env=env)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == ("已移除 青山湖_年报.txt（青山湖区政府办 2023）：数字、正文片段、别名；"
                                  "删除了上传的文件 青山湖_年报.txt")
    assert not saved.exists()
    # a report indexed from elsewhere: its file is never touched
    done = remove(HGT, s, store)
    assert done.deleted_uploads == [] and (SEEDS / HGT).exists()
    assert len(store.reports()) == 4


def test_two_uploads_of_one_name_at_once(index):
    s = settings_for(index)
    versions = [qingshanhu(f"\n附注：第{i}版。") for i in range(4)]
    results = []

    def go(data):
        results.append(save_upload("same.txt", data, s, Store(s.db_url)))

    threads = [threading.Thread(target=go, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["added", "replaced", "replaced", "replaced"]
    store = Store(s.db_url)
    final = (index / "uploads" / "same.txt").read_bytes()
    assert final in versions and sorted(p.name for p in (index / "uploads").iterdir()) == ["same.txt"]
    import hashlib
    assert store.report(store.by_name("same.txt")).sha256 == hashlib.sha256(final).hexdigest()
    assert len(store.reports()) == 6
