"""The 勾稽 checks (qa_app.checks) and `qa-app check`.

What it covers: a seed copy with one number changed fails exactly the identities that number
is in (and `qa-app check` exits 1 and names them in Chinese with their lines); the untouched
seeds pass; a blank cell makes its checks unevaluable, not failed; the real reports fail exactly
the identities their truth files list. What it does not cover: reading the tables
(test_tables.py). Expected details are written out by hand.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from qa_app.checks import explain, run_checks, unevaluable
from qa_app.cli import main
from qa_app.report import parse_report
from qa_app.tables import Cell

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
SEED_004 = "004_a940ca4a84d42417.txt"


def qa_process(*args: str) -> subprocess.CompletedProcess:
    """`qa-app ARGS` as a separate process, without QA_APP_* settings from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    return subprocess.run([sys.executable, "-m", "qa_app.cli", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def qa(*args: str) -> SimpleNamespace:
    """`qa-app ARGS` in this process (click's runner), with returncode/stdout/stderr."""
    env = {k: None for k in os.environ if k.startswith("QA_APP_")}
    r = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


@pytest.fixture(scope="module")
def changed_004(tmp_path_factory):
    """Seed 004 with 部分公开 · 自然人 changed from 11 to 12 (line 92), indexed alone."""
    tmp = tmp_path_factory.mktemp("changed")
    lines = (SEEDS / SEED_004).read_text(encoding="utf-8").split("\n")
    assert lines[91] == "11 |" and lines[90].startswith("(二)部分公开")
    lines[91] = "12 |"
    (tmp / "in").mkdir()
    (tmp / "in" / SEED_004).write_text("\n".join(lines), encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", str(tmp / "idx"), str(tmp / "in"))
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp / "idx"


def test_one_changed_number_fails_exactly_its_identities(changed_004):
    res = qa_process("check", "--json", "--index", str(changed_004))
    assert res.returncode == 1
    failed = json.loads(res.stdout)
    assert [(c["check"], c["subject"], c["detail"]) for c in failed] == [
        # column 自然人: 办理结果总计 27 = 6 + 11 + 0 + 9 + 0 + 1 no longer holds
        ("applications.outcomes", "natural_person",
         "applications natural_person: total 27 != 6 + 12 + 0 + 9 + 0 + 1 = 28"),
        # row 部分公开: 总计 12 = 11 + 1 no longer holds
        ("applications.row_total", "partially_granted",
         "applications partially_granted: total 12 != 12 + 1 + 0 + 0 + 0 + 0 = 13"),
    ]
    assert failed[0]["explanation"] == ("三、申请处理情况表「自然人」列：办理结果总计 27 ≠ 予以公开 6 + 部分公开 12 + "
                                        "不予公开 0 + 无法提供 9 + 不予处理 0 + 其他处理 1 = 28")
    assert failed[1]["explanation"] == ("三、申请处理情况表「部分公开」行：总计 12 ≠ 自然人 12 + 商业企业 1 + 科研机构 0 + "
                                        "社会公益组织 0 + 法律服务机构 0 + 其他 0 = 13")
    changed = [x for x in failed[1]["cells"] if x["column"] == "natural_person"]
    assert changed == [{"row": "partially_granted", "column": "natural_person", "value": 12, "lines": [91, 92],
                        "derived": False}]
    # the balance (新收 + 结转 = 总计 + 结转下年) does not involve 部分公开: it still passes
    everything = json.loads(qa("check", "--json", "--all", "--index", str(changed_004)).stdout)
    assert sum(1 for c in everything if c["ok"]) == 43
    assert all(c["ok"] for c in everything if c["check"] == "applications.balance")


def test_check_text_output_names_cells_and_lines_in_chinese(changed_004):
    res = qa("check", "--index", str(changed_004))
    assert res.returncode == 1
    out = res.stdout
    assert f"✗ [1] {SEED_004}（红谷滩区政府办，2023年）：通过 43 项，未通过 2 项；1 项因空白单元格无法核对" in out
    assert "    ✗ 三、申请处理情况表「自然人」列：办理结果总计 27 ≠ 予以公开 6 + 部分公开 12 +" in out
    assert "部分公开 第91–92行" in out
    assert "不予公开 第101–165行（推算）" in out  # a derived group total cites the rows it sums
    assert "    · 空白：复议后起诉 · 总计（第343行），涉及它的核对未做" in out
    assert out.rstrip().endswith("共 1 份报告，1 份有勾稽关系未通过。报告印出的数字相互对不上时只如实指出，不作修改。")


def test_untouched_seeds_pass(tmp_path):
    assert qa("index", "--no-narrative", "-q", "--index", str(tmp_path), str(SEEDS)).returncode == 0
    res = qa("check", "--json", "--index", str(tmp_path))
    assert res.returncode == 0 and json.loads(res.stdout) == []
    text = qa("check", "--index", str(tmp_path))
    assert text.returncode == 0
    assert "✓ [5] 004_a940ca4a84d42417.txt（红谷滩区政府办，2023年）：45 项全部通过；1 项因空白单元格无法核对" in text.stdout
    assert "✓ [1] 000_aa0ecb1c4df3c9c5.txt（红旗区人民政府办公室，2023年）：46 项全部通过" in text.stdout
    assert "共 5 份报告，0 份有勾稽关系未通过。" in text.stdout


def test_blank_cell_is_neither_pass_nor_failure():
    parsed = parse_report((SEEDS / SEED_004).read_text(encoding="utf-8"), SEED_004)
    subjects = [(c.check, c.subject) for c in parsed.checks]
    assert ("review_litigation.row_total", "review") in subjects
    assert ("review_litigation.row_total", "litigation_after_review") not in subjects
    assert len(parsed.checks) == 45 and all(c.ok for c in parsed.checks)
    blank = [(c.table, c.row, c.column) for c in parsed.tables.cells if c.value is None and not c.derived]
    assert unevaluable(blank) == [
        ("review_litigation.row_total", "litigation_after_review", [("litigation_after_review", "total")])]


def test_blank_sub_row_blocks_the_group_checks():
    # a blank in 「1.属于国家秘密 · 自然人」 leaves 不予公开 · 自然人 unknown: the 自然人 column's
    # outcome check and the row check of 国家秘密 cannot be made
    got = unevaluable([("applications", "denied.state_secret", "natural_person")])
    assert [(k, s) for k, s, _ in got] == [("applications.outcomes", "natural_person"),
                                           ("applications.row_total", "denied"),
                                           ("applications.row_total", "denied.state_secret")]


def test_balance_detail_and_explanation():
    def cell(row, col, v):
        return Cell("applications", row, col, v, (1, 1))
    cells = [cell("new_received", "total", 4), cell("carried_over", "total", 0),
             cell("total", "total", 4), cell("carried_forward", "total", 1)]
    res = [c for c in run_checks(cells) if c.check == "applications.balance"]
    assert [(c.subject, c.ok, c.detail) for c in res] == [
        ("total", False, "applications total: new_received + carried_over 4 + 0 = 4 != 4 + 1 = 5")]
    assert explain(res[0].check, res[0].table, res[0].subject, res[0].cells) == (
        "三、申请处理情况表「总计」列：本年新收 4 + 上年结转 0 = 4 ≠ 办理结果总计 4 + 结转下年度继续办理 1 = 5")


@pytest.mark.parametrize("pdf", ["huaian_hongze_2023.pdf", "huaian_hongze_2024.pdf", "huaian_city_2024.pdf"])
def test_realworld_failures_are_those_the_truth_lists(pdf):
    if not (REALWORLD / pdf).is_file():
        pytest.skip(f"没有真实报告 {REALWORLD / pdf}，跳过")
    if shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext（apt 包 poppler-utils），跳过")
    truth = json.loads((REALWORLD / "truth" / pdf.replace(".pdf", ".json")).read_text(encoding="utf-8"))
    text = subprocess.run(["pdftotext", "-layout", str(REALWORLD / pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    parsed = parse_report(text, pdf)
    assert [c.detail for c in parsed.checks if not c.ok] == truth["checks_failing_in_source"]
    if pdf == "huaian_hongze_2023.pdf":  # written out, so that a change of the truth file shows
        assert [c.detail for c in parsed.checks if not c.ok] == [
            "review_litigation review: total 0 != 10 + 1 + 0 + 0 = 11",
            "review_litigation litigation_after_review: total 0 != 5 + 0 + 0 + 0 = 5"]


def _row(table, row, values, cols, blank_total=True):
    cells = [Cell(table, row, c, v, (7,)) for c, v in zip(cols, values)]
    return cells + [Cell(table, row, "total", None if blank_total else sum(values), (7,))]


def test_blank_total_over_printed_numbers_breaks_the_report_check():
    # 「结转下年度继续办理」 printing 1 0 0 0 0 0 and a blank 总计 (as shanghai_kewei_2024 does):
    # judged by the report's checks, the blank total does not add up; the reader's strict form skips it
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org"]
    # the 总计 column is printed elsewhere (本年新收 has its 总计 2), so the blank is the report's
    cells = (_row("applications", "carried_forward", [1, 0, 0, 0, 0, 0], cols)
             + _row("applications", "new_received", [2, 0, 0, 0, 0, 0], cols, blank_total=False))
    assert [c.ok for c in run_checks(cells)] == [True]  # the strict form: only 本年新收's row check
    got = [c for c in run_checks(cells, blank_breaks=True) if not c.ok]
    assert [(c.check, c.subject, c.ok, c.kind) for c in got] == [
        ("applications.row_total", "carried_forward", False, "report")]
    assert got[0].detail == "applications carried_forward: total blank != 1 + 0 + 0 + 0 + 0 + 0 = 1"
    text = explain(got[0].check, got[0].table, got[0].subject, got[0].cells)
    assert text == ("三、申请处理情况表「结转下年度继续办理」行：总计 空白 ≠ 自然人 1 + 商业企业 0 + 科研机构 0 + "
                    "社会公益组织 0 + 法律服务机构 0 + 其他 0 = 1")


def test_blank_that_would_hold_stays_unevaluable():
    # a blank total over a row of zeros (or of blanks) is consistent: no failure, no pass
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org"]
    cells = _row("applications", "carried_forward", [0, 0, 0, 0, 0, 0], cols)
    assert run_checks(cells, blank_breaks=True) == []


def test_a_total_column_printed_nowhere_is_not_a_blank_total():
    # a section 三 printed without its 总计 column: every total is blank, nothing is the report's fault
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org"]
    cells = _row("applications", "carried_forward", [1, 0, 0, 0, 0, 0], cols)
    assert run_checks(cells, blank_breaks=True) == []
