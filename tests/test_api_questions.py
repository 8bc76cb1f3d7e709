"""The question kinds of the families added in issue 14's outsider round, asked through the HTTP
API (FastAPI's TestClient) as a user's widget would: each number cited to the printed cell it
rests on (report, row and column keys, lines, a quote holding the value), the cited values adding
up to the value answered, and the same JSON as `qa-app ask --json`.

The index: the five seeds plus two real reports of ../shared/realworld (沭阳县 2025, Markdown; the
上海市人民政府办公厅 2019 trial-format HTML whose 总计 column is blank in every result row).
Facts only: no embedding model. Expected values are written out from
../shared/realworld/truth/*.json and the printed tables (never read back from the engine).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from qa_app.api import create_app
from qa_app.cli import main as cli_main
from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REAL = next((p for p in (ROOT.parent.parent / "shared" / "realworld", Path("/work/shared/realworld"))
             if (p / "truth").is_dir()), None)
SY, SH, HGT = "suqian_shuyang_2025.md", "shanghai_gov_office_2019.html", "004_a940ca4a84d42417.txt"


def make_settings(index: Path) -> Settings:
    return Settings.load(index=index, narrative=False, api_token="", cors_origins="", max_file_mb=50.0,
                         llm_mode="none", database_url="")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    if REAL is None:
        pytest.skip("../shared/realworld is not on this machine")
    files = tmp_path_factory.mktemp("api_q_reports")
    for f in sorted((ROOT / "seeds").glob("*.txt")) + [REAL / SY, REAL / SH]:
        shutil.copy(f, files / f.name)
    idx = tmp_path_factory.mktemp("api_q_index")
    assert index_paths([files], make_settings(idx), progress=False).ok
    return idx


@pytest.fixture(scope="module")
def client(index) -> TestClient:
    return TestClient(create_app(make_settings(index)))


def ask(client, question: str, history=None) -> dict:
    r = client.post("/ask", json={"question": question, **({"history": history} if history else {})})
    assert r.status_code == 200, r.text
    return r.json()


def cells(a: dict) -> list[tuple]:
    return [(c["report"], c["row_key"], c["column_key"], c["value"]) for c in a["citations"]]


def test_review_and_litigation_asked_together_are_both_cited(client, index):
    q = "沭阳县2025年复议诉讼情况"
    a = ask(client, q)
    assert "行政复议61件" in a["answer"] and "行政诉讼13件" in a["answer"]
    assert cells(a) == [(SY, "review", "total", 61), (SY, "litigation_direct", "total", 3),
                        (SY, "litigation_after_review", "total", 10)]
    assert all(str(c["value"]) in c["quote"] for c in a["citations"])
    env = {"QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": ""}
    res = CliRunner().invoke(cli_main, ["ask", "--json", q, "--index", str(index)], env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == a  # the same JSON as the CLI


def test_received_and_done_each_cited(client):
    a = ask(client, "沭阳县2025年申请总数和办结数")
    assert "713件" in a["answer"] and "718件" in a["answer"]
    assert cells(a) == [(SY, "new_received", "total", 713), (SY, "total", "total", 718)]


def test_share_of_review_corrected_cites_part_and_whole(client):
    a = ask(client, "沭阳县2025年行政复议纠正的占比")
    assert (a["kind"], a["value"]) == ("aggregate", 16.4)
    assert cells(a) == [(SY, "review", "corrected", 10), (SY, "review", "total", 61)]


def test_blank_total_column_summed_from_printed_cells(client):
    a = ask(client, "上海市政府办公厅2019年不予公开多少件")
    assert a["value"] == 35 and "相加所得" in a["answer"] and "勾稽关系不成立" in a["answer"]
    printed = [c for c in a["citations"] if c["value"] is not None]
    assert sum(c["value"] for c in printed) == 35
    # 自然人 14 + 5 + 3 + 10, 商业企业 1 + 2, on the sub-rows of (三) 不予公开, lines 54-61
    assert sorted((c["column_key"], c["value"]) for c in printed) == \
        [("commercial_enterprise", 1), ("commercial_enterprise", 2), ("natural_person", 3), ("natural_person", 5),
         ("natural_person", 10), ("natural_person", 14)]
    assert all(54 <= c["lines"][0] <= c["lines"][1] <= 61 and str(c["value"]) in c["quote"] for c in printed)
    blank = ask(client, "上海市政府办公厅2019年不予公开总计栏是多少")
    assert blank["value"] is None and "为空" in blank["answer"] and "相加所得" not in blank["answer"]


def test_why_follow_up_is_not_the_number_again(client):
    a = ask(client, "为什么部分公开？", ["红谷滩区政府办2023年部分公开了多少件"])
    assert a["kind"] == "none" and a["value"] is None and "没有找到" in a["answer"] and "12件" not in a["answer"]
    stated = ask(client, "上海市政府办公厅2019年为什么无法提供")
    assert stated["kind"] == "text" and "因本机关不掌握等原因" in stated["answer"]
    assert stated["citations"][0]["report"] == SH and "原因" in stated["citations"][0]["quote"]


def test_unknown_kinds_are_refused(client):
    for q in ("红谷滩区政府办2023年主动公开和依申请公开哪个多", "帮我写一份红谷滩区政府办2024年的年度报告"):
        a = ask(client, q)
        assert a["kind"] == "none" and a["value"] is None and "暂不支持" in a["answer"] and a["citations"] == [], q
    p = ask(client, "红谷滩区政府办2023年主动公开了多少")
    assert p["kind"] == "text" and p["value"] == 994 and "予以公开" not in p["answer"]
    assert p["citations"][0]["report"] == HGT and "994" in p["citations"][0]["quote"]
