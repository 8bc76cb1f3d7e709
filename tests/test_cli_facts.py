"""`qa-app index --no-narrative`, `reports`, `facts` as a new user runs them (real subprocesses).

What it covers: `qa-app facts --json` over the five seeds scores 100% with the shared
score_facts.py against tests/data/seeds_truth.json; the JSON/CSV records (keys of the template,
null for a blank, the lines of each cell); `--agency` by full name, part of it or an alias; the
people's tables of `reports` and `facts` (Chinese, aligned); a row whose numbers cannot be
placed is shown by `index` and `reports`. What it does not cover: `check` (test_checks.py),
PostgreSQL (test_store.py), `ask` (the engine's tests).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from qa_app.cli import main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SCORE_FACTS = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_facts.py"
TRUTH = REPO / "tests" / "data" / "seeds_truth.json"
SEED_004 = "004_a940ca4a84d42417.txt"


def qa_process(*args: str) -> subprocess.CompletedProcess:
    """`qa-app ARGS` as a separate process, without QA_APP_* settings from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    return subprocess.run([sys.executable, "-m", "qa_app.cli", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def qa(*args: str) -> SimpleNamespace:
    """`qa-app ARGS` in this process (click's runner: the same command, without a second
    interpreter start-up), with returncode/stdout/stderr like a finished process."""
    env = {k: None for k in os.environ if k.startswith("QA_APP_")}
    r = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr, stdout_bytes=r.stdout_bytes)


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def field_starts(line: str) -> list[int]:
    """Display columns where the fields of a printed table line start (fields are separated by
    two or more spaces; a field may hold single spaces)."""
    starts = [m.start() for m in re.finditer(r"(?:(?<=  )|^)\S", line)]
    return [width(line[:i]) for i in starts]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    idx = tmp_path_factory.mktemp("cli") / "u"
    res = qa_process("index", "--no-narrative", "--index", str(idx), str(SEEDS))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.splitlines()[-1] == f"新增 5 份，替换 0 份，未变跳过 0 份，同内容另名 0 份，失败 0 份。索引：{idx}"
    return str(idx)


def test_facts_json_scores_100_percent(index, tmp_path):
    if not SCORE_FACTS.is_file():
        pytest.skip(f"没有评分脚本 {SCORE_FACTS}（shared/ 不在仓库旁边），跳过")
    res = qa_process("facts", "--json", "--index", index)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "facts.json"
    out.write_text(res.stdout, encoding="utf-8")
    score = subprocess.run([sys.executable, str(SCORE_FACTS), str(out), str(TRUTH)], capture_output=True, text=True)
    assert score.returncode == 0, score.stdout
    assert score.stdout.strip() == "facts: 1000/1000 (100.0%) in 5 report files"


def test_facts_json_records(index):
    facts = json.loads(qa("facts", "--json", "--index", index).stdout)
    assert set(facts[0]) == {"report", "agency", "region", "year", "table", "row", "column", "value", "derived",
                             "lines"}
    by = {(f["report"], f["table"], f["row"], f["column"]): f for f in facts}
    blank = by[(SEED_004, "review_litigation", "litigation_after_review", "total")]
    assert blank["value"] is None and blank["derived"] is False and blank["lines"] == [343, 343]
    cell = by[(SEED_004, "applications", "partially_granted", "natural_person")]
    assert (cell["value"], cell["lines"], cell["agency"], cell["region"], cell["year"]) == (
        11, [91, 92], "红谷滩区政府办", "红谷滩区", 2023)
    derived = by[(SEED_004, "applications", "unavailable", "natural_person")]
    assert (derived["value"], derived["derived"]) == (9, True)
    # cells come in the order the template prints them: 二, 三, 四; rows top down
    mine = [(f["table"], f["row"]) for f in facts if f["report"] == SEED_004]
    assert mine[0] == ("proactive", "regulations") and mine[-1] == ("review_litigation", "litigation_after_review")
    rows = [r for t, r in mine if t == "applications"]
    assert rows.index("granted") < rows.index("denied") < rows.index("denied.state_secret") < rows.index("total")


def test_facts_csv_by_agency_part_and_alias(index):
    res = qa("facts", "--agency", "红谷滩", "--csv", "--index", index)
    assert res.returncode == 0
    # UTF-8 with a BOM (Excel reads the Chinese right), once, at the start; rows end in \r\n
    assert res.stdout_bytes.startswith(b"\xef\xbb\xbfreport,agency,") and res.stdout_bytes.count(b"\xef\xbb\xbf") == 1
    assert res.stdout_bytes.endswith(b"\r\n") and b"\r\n" in res.stdout_bytes[:200]
    rows = list(csv.DictReader(io.StringIO(res.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == ["report", "agency", "region", "year", "table", "row", "column", "value", "derived",
                             "lines", "row_label", "column_label"]
    assert {r["report"] for r in rows} == {SEED_004}
    assert sum(1 for r in rows if r["derived"] == "false") == 200
    got = {(r["table"], r["row"], r["column"]): r for r in rows}
    r = got[("applications", "partially_granted", "total")]
    assert (r["value"], r["lines"], r["column_label"]) == ("12", "91-98", "总计")
    assert r["row_label"].startswith("(二)部分公开")
    assert got[("review_litigation", "litigation_after_review", "total")]["value"] == ""  # blank, not 0
    assert got[("proactive", "administrative_fees", "amount")]["column_label"] == "本年收费金额（单位：万元）"
    # 区城建局 is how seed 001 names 红旗区城乡建设局
    alias = list(csv.DictReader(io.StringIO(qa("facts", "--agency", "区城建局", "--csv", "--index", index)
                                            .stdout_bytes.decode("utf-8-sig"), newline="")))
    assert {r["report"] for r in alias} == {"001_924043a2ff6d2acf.txt"}
    assert [r["value"] for r in alias if r["row"] == "administrative_licensing"] == ["28"]


def test_facts_csv_from_a_real_process_is_utf8_with_a_bom_whatever_the_terminal(index):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    env["PYTHONIOENCODING"] = "ascii"  # a terminal that cannot print Chinese: the CSV is UTF-8 all the same
    p = subprocess.run([sys.executable, "-m", "qa_app.cli", "facts", "--report", SEED_004, "--csv", "--index", index],
                       capture_output=True, env=env, cwd=REPO, timeout=120)
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    assert p.stdout.startswith(b"\xef\xbb\xbfreport,agency,region,year,")
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8-sig"), newline="")))
    r = next(r for r in rows if (r["table"], r["row"], r["column"]) == ("applications", "partially_granted", "total"))
    assert (r["agency"], r["value"], r["lines"]) == ("红谷滩区政府办", "12", "91-98")


def test_facts_table_for_people(index):
    res = qa("facts", "--agency", "红谷滩", "--table", "review_litigation", "--index", index)
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["文件", "机关", "年度", "表格", "行", "列", "值", "原文行号"]
    body = [l for l in lines[2:] if l.startswith(SEED_004)]
    assert len(body) == 15
    assert body[-1].split() == [SEED_004, "红谷滩区政府办", "2023", "四、复议诉讼情况表", "复议后起诉", "总计", "空白", "343"]
    # aligned: every field of every row starts where the header's does (display width)
    for line in body:
        assert field_starts(line) == field_starts(lines[0]), line
    assert "「推算」是由印出的格子相加得到的值" in res.stdout
    none = qa("facts", "--agency", "没有这个机关", "--index", index)
    assert none.returncode == 0
    assert none.stdout.strip() == ("没有符合条件的报告（已索引的机关：红旗区人民政府办公室、红旗区信访局、"
                                   "红旗区城乡建设局、红旗区文化街街道办事处、红谷滩区政府办）。")


def test_reports_table_for_people(index):
    res = qa("reports", "--index", index)
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    header = lines[0]
    assert header.split() == ["编号", "文件", "机关", "地区", "年度", "表格格式", "单元格(有数/空白)", "勾稽(通过/未通过)", "提示"]
    rows = lines[2:7]
    assert [r.split()[:7] for r in rows] == [
        ["1", "000_aa0ecb1c4df3c9c5.txt", "红旗区人民政府办公室", "红旗区", "2023", "2021版", "200/0"],
        ["2", "001_924043a2ff6d2acf.txt", "红旗区城乡建设局", "红旗区", "2023", "2021版", "200/0"],
        ["3", "002_050334ec39756ada.txt", "红旗区信访局", "红旗区", "2022", "2021版", "200/0"],
        ["4", "003_537c1939cbe3baea.txt", "红旗区文化街街道办事处", "新乡市红旗区", "2023", "2021版", "200/0"],
        ["5", SEED_004, "红谷滩区政府办", "红谷滩区", "2023", "2021版", "199/1"],
    ]
    # aligned: the fields of every row start where the header's do (提示 is empty here)
    for r in rows:
        assert field_starts(r) == field_starts(header)[:8], r
    reps = json.loads(qa("reports", "--json", "--index", index).stdout)
    assert "区城建局" in reps[1]["aliases"]


def test_unplaceable_row_is_reported_by_index_and_reports(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = (SEEDS / "000_aa0ecb1c4df3c9c5.txt").read_text(encoding="utf-8")
    assert "\n（七）总计 4 0 0 0 0 0 4\n" in text
    # a row the template does not have, between (六) 3.其他 and (七)总计
    (src / "extra_row.txt").write_text(text.replace("\n（七）总计 4 0 0 0 0 0 4\n",
                                                    "\n转交其他机关办理 2 0 0 0 0 0 2\n（七）总计 4 0 0 0 0 0 4\n"),
                                       encoding="utf-8")
    idx = str(tmp_path / "idx")
    res = qa("index", "--no-narrative", "--index", idx, str(src))
    assert res.returncode == 0, res.stderr
    msg = ("三、收到和处理政府信息公开申请情况：第 178 行的数字 2 0 0 0 0 0 2 无法对应到模板中的行"
           "（前面的文字：「转交其他机关办理」），未采用")
    assert "✓ 新增 extra_row.txt（1 条提示）" in res.stdout
    assert f"    ! {msg}" in res.stdout
    rep = qa("reports", "--index", idx).stdout
    assert f"  [1] extra_row.txt：{msg}" in rep
    assert "1 条，见下" in rep
    # the numbers were not put anywhere: other.other and total are as printed
    facts = json.loads(qa("facts", "--json", "--index", idx).stdout)
    got = {(f["row"], f["column"]): f["value"] for f in facts if f["table"] == "applications" and not f["derived"]}
    assert got[("other.other", "natural_person")] == 0 and got[("total", "natural_person")] == 4
    assert 2 not in got.values()


def test_report_by_file_prefix_or_number(index):
    """「004」 is the start of a file name (as people type it), not the id 4 (which is seed 003)."""
    def reports_of(ref):
        res = qa("facts", "--report", ref, "--json", "--index", index)
        return res.returncode, {f["report"] for f in json.loads(res.stdout)} if res.returncode == 0 else res.stderr

    assert reports_of("004") == (0, {SEED_004})
    assert reports_of("4") == (0, {"003_537c1939cbe3baea.txt"})  # 编号 4 in `qa-app reports`
    assert reports_of("004_a940ca4a84d42417.txt") == (0, {SEED_004})
    code, err = reports_of("00")  # five files start with 00
    assert code == 1 and "不止一份报告的文件名以它开头" in err
