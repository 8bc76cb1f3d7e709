"""A first question on a new checkout: `qa-app ask` with no index at the default place reads
seeds/ into ./index first (as the chat does on its first run), then answers; an index named
explicitly that does not exist is still an error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    env["QA_APP_EMBEDDING_BACKEND"] = "hash"  # the table answer needs no semantic model; keep it quick
    return subprocess.run([sys.executable, "-m", "qa_app.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_first_ask_indexes_the_seeds_then_answers(tmp_path):
    r = run(["ask", "--json", "红谷滩部分公开了多少件申请？"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "首次运行" in r.stderr and "新增 5 份" in r.stderr
    ans = json.loads(r.stdout)  # stdout holds the JSON answer only
    assert ans["value"] == 12 and ans["kind"] == "table"
    assert ans["citations"][0]["report"] == "004_a940ca4a84d42417.txt"
    assert (tmp_path / "index" / "facts.sqlite").exists()
    again = run(["ask", "--json", "红旗区信访局2022年收到多少申请"], tmp_path)  # the index is there now
    assert again.returncode == 0 and "首次运行" not in again.stderr
    assert json.loads(again.stdout)["value"] == 0


def test_an_explicit_index_that_does_not_exist_is_still_an_error(tmp_path):
    r = run(["ask", "--index", str(tmp_path / "elsewhere"), "红谷滩部分公开了多少件申请？"], tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith(f"错误：索引目录 {tmp_path / 'elsewhere'} 里还没有索引。"), r.stderr
    assert not (tmp_path / "index").exists() and not (tmp_path / "elsewhere" / "facts.sqlite").exists()
