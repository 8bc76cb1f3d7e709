"""`qa-app` errors and help as a user sees them: Chinese (「错误：…」, 「用法：…」), Click's exit codes
kept (2 for a usage error, 1 for the others), `--index` before the command as well as after it.

Run in-process through Click's runner (the same `main` the console script calls), plus one real
process for the exit code and the streams.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_app.cli import main
from qa_app.indexer import index_paths
from qa_app.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def qa(*args: str):
    env = {k: None for k in os.environ if k.startswith("QA_APP_")}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False, prog_name="qa-app")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    idx = tmp_path_factory.mktemp("idx")
    s = Settings.load(index=idx, narrative=False, database_url="")
    assert index_paths([REPO / "seeds"], s, progress=False).ok
    return str(idx)


@pytest.mark.parametrize("args, code, says", [
    (["ask"], 2, ["用法：qa-app ask [选项] 问题...", "帮助：qa-app ask --help", "错误：缺少参数「问题」"]),
    (["ask", "--year", "abc", "问题"], 2, ["错误：--year 的值无效：「abc」不是整数"]),
    (["ask", "--year"], 2, ["错误：选项 --year 后面要跟一个值"]),
    (["ask", "--jsn", "问题"], 2, ["错误：没有选项 --jsn（是不是要用 --json？）"]),
    (["facts", "--table", "foo"], 2,
     ["错误：--table 的值无效：「foo」不是可选的值（可选：proactive、applications、review_litigation）"]),
    (["eval", "/nonexistent/q.jsonl"], 2, ["用法：qa-app eval [选项] 问题集文件", "错误：「问题集文件」的值无效：「/nonexistent/q.jsonl」不存在"]),
    (["eval", "--min", "x", "q.jsonl"], 2, ["错误：--min 的值无效：「x」不是数字"]),
    (["idx"], 2, ["用法：qa-app [选项] 命令 [参数]...", "错误：没有命令 idx（是不是要用 index？）"]),
    (["--bogus"], 2, ["错误：没有选项 --bogus"]),
    (["remove", "a", "b"], 2, ["用法：qa-app remove [选项] 报告", "错误：多余的参数：b"]),
    (["index", "--index", "/etc/hostname"], 2, ["错误：--index 的值无效：「/etc/hostname」是文件，这里要的是文件夹"]),
])
def test_usage_errors_are_chinese_and_exit_2(args, code, says):
    r = qa(*args)
    assert r.exit_code == code, r.stderr
    for s in says:
        assert s in r.stderr, r.stderr
    assert "Error" not in r.stderr and "Usage" not in r.stderr and "Try '" not in r.stderr, r.stderr
    assert r.stdout == ""


def test_a_command_error_is_chinese_and_exits_1(tmp_path):
    r = qa("facts", "--index", str(tmp_path / "empty"))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：索引目录 {tmp_path / 'empty'} 里还没有索引。"), r.stderr
    assert "Error" not in r.stderr
    r = qa("remove", "no_such_report.txt", "--index", str(tmp_path / "empty"))
    assert r.exit_code == 1 and r.stderr.startswith("错误："), r.stderr


def test_an_interrupted_command_says_so_in_chinese(index, monkeypatch):
    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr("qa_app.engine.ask", interrupted)
    r = qa("ask", "红谷滩部分公开多少件", "--index", index)
    assert r.exit_code == 1 and "已中止。" in r.stderr and "Aborted" not in r.stderr, r.stderr


def test_help_is_chinese():
    r = qa("--help")
    assert r.exit_code == 0
    for s in ("用法：qa-app [选项] 命令 [参数]...", "\n选项：\n", "\n命令：\n", "显示本帮助并退出。", "--index"):
        assert s in r.stdout, r.stdout
    r = qa("chat", "--help")
    assert "用法：qa-app chat [选项]" in r.stdout and "[默认：8501]" in r.stdout, r.stdout
    r = qa()  # no command: the help, as Click does (exit code 2)
    assert r.exit_code == 2 and "命令：" in (r.stdout + r.stderr)


def test_index_before_or_after_the_command(index):
    before = qa("--index", index, "ask", "红谷滩部分公开了多少件申请？", "--json")
    after = qa("ask", "红谷滩部分公开了多少件申请？", "--json", "--index", index)
    assert before.exit_code == after.exit_code == 0, before.stderr + after.stderr
    assert '"value": 12' in before.stdout and before.stdout == after.stdout


def test_a_real_process_prints_the_chinese_error_on_stderr():
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    p = subprocess.run([sys.executable, "-m", "qa_app.cli", "ask", "--year", "二〇二三", "问题"], capture_output=True,
                       text=True, env=env, cwd=REPO, timeout=60)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().endswith("错误：--year 的值无效：「二〇二三」不是整数"), p.stderr
