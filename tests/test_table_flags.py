"""What the reader says about the tables it could not read whole: incomplete tables (rows
missing, a section 三 cut off) and rows it is not sure of (numbers printed apart from their labels
and placed by position, unconfirmed by the template's identities), and how checks, the side
store and the CLI tell "the report's own numbers do not add up" from "the reader is not sure".

Real parts: the product's parse_report, the SQLite side store, `qa-app` in a real process.
Expected values are written out here.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qa_app.report import parse_report
from qa_app.settings import Settings
from qa_app.store import Store

import test_layout_variants as V

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_aa0ecb1c4df3c9c5.txt"
_SHARED = [p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "realworld").is_dir()]
REAL = _SHARED[0] / "realworld" if _SHARED else None


def qa(*args, cwd: Path):
    return subprocess.run([sys.executable, "-m", "qa_app.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)})


# ---------------------------------------------------------------------------------------
# Incomplete tables

CUT_MISSING = ["not_processed.petition_complaint", "not_processed.duplicate", "not_processed.publication",
               "not_processed.excessive", "not_processed.confirm_or_reissue", "other.no_correction",
               "other.unpaid_fee", "other.other", "total", "carried_forward"]
CUT_MESSAGE = ("三、收到和处理政府信息公开申请情况：表格不完整，缺少 10 行（不予处理 · 1.信访举报投诉类申请、"
               "不予处理 · 2.重复申请、不予处理 · 3.要求提供公开出版物、不予处理 · 4.无正当理由大量反复申请、"
               "不予处理 · 5.要求行政机关确认或重新出具已获取信息、其他处理 · 1.逾期不补正、其他处理 · 2.逾期未缴纳费用、"
               "其他处理 · 3.其他、办理结果总计、结转下年度继续办理）")


def _cut_seed() -> str:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith("3.补正后申请内容仍不明确"))
    return "\n".join(lines[:at + 1]) + "\n"  # the file ends in the middle of section 三


def test_section_three_cut_in_half_names_the_missing_rows():
    parsed = parse_report(_cut_seed(), "cut.txt")
    assert parsed.tables.missing == {"applications": CUT_MISSING, "review_litigation": ["*"]}
    assert CUT_MESSAGE in parsed.warnings
    assert "没有找到「四、政府信息公开行政复议、行政诉讼情况」表格，表格不完整" in parsed.warnings
    # what was printed is still read
    got = {(c.row, c.column): c.value for c in parsed.tables.cells if c.table == "applications" and not c.derived}
    assert got[("unavailable.not_held", "natural_person")] == 4
    assert len(got) == 15 * 7


def test_whole_report_is_not_flagged():
    parsed = parse_report(SEED.read_text(encoding="utf-8"), SEED.name)
    assert parsed.tables.missing == {}
    assert not any("不完整" in w for w in parsed.warnings)


def test_cut_report_flagged_in_index_summary_and_reports(tmp_path):
    (tmp_path / "cut.txt").write_text(_cut_seed(), encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", "idx", "cut.txt", str(SEED), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 份表格不完整（缺少的行见提示）" in res.stdout
    assert "    ! " + CUT_MESSAGE in res.stdout
    res = qa("reports", "--index", "idx", cwd=tmp_path)
    assert "表格读取：" in res.stdout
    assert "cut.txt：" + CUT_MESSAGE in res.stdout
    assert "表格不完整；" in [line for line in res.stdout.split("\n") if line.startswith("1 ")][0]
    res = qa("reports", "--json", "--index", "idx", cwd=tmp_path)
    reps = {r["file_name"]: r for r in json.loads(res.stdout)}
    assert reps["cut.txt"]["missing_rows"] == {"applications": CUT_MISSING, "review_litigation": ["*"]}
    assert reps[SEED.name]["missing_rows"] == {}


@pytest.mark.skipif(REAL is None, reason="shared/realworld not on this machine")
def test_real_report_cut_in_half(tmp_path):
    """suqian_shuyang_2025.md (LLM-restructured markdown) cut after its 无法提供 row 2."""
    lines = (REAL / "suqian_shuyang_2025.md").read_text(encoding="utf-8").split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith("| 2. 没有现成信息需要另行制作"))
    (tmp_path / "suqian_cut.md").write_text("\n".join(lines[:at + 1]) + "\n", encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", "idx", "suqian_cut.md", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert ("三、收到和处理政府信息公开申请情况：表格不完整，缺少 11 行（无法提供 · 3.补正后申请内容仍不明确、"
            "不予处理 · 1.信访举报投诉类申请、不予处理 · 2.重复申请、不予处理 · 3.要求提供公开出版物、"
            "不予处理 · 4.无正当理由大量反复申请、不予处理 · 5.要求行政机关确认或重新出具已获取信息、"
            "其他处理 · 1.逾期不补正、其他处理 · 2.逾期未缴纳费用、其他处理 · 3.其他、办理结果总计、结转下年度继续办理）"
            ) in res.stdout
    res = qa("facts", "--json", "--index", "idx", cwd=tmp_path)
    got = {(f["row"], f["column"]): f["value"] for f in json.loads(res.stdout) if f["table"] == "applications"
           and not f["derived"]}
    assert got[("unavailable.needs_creation", "natural_person")] == 2
    assert got[("unavailable.not_held", "total")] == 111
    assert ("total", "total") not in got


# ---------------------------------------------------------------------------------------
# Rows the reader is not sure of

def _blocks(rows) -> str:
    """Section 三 in plain pdftotext reading order: all labels, then all rows of numbers."""
    labels, numbers = [], []
    for label, key, vals in rows:
        if key in V.GROUP_BEFORE:
            labels.append(V.GROUP_BEFORE[key])
        labels.append(label)
        numbers.append(" ".join(map(str, vals)))
    return V.HEAD + V.PROACTIVE_PDF + "\n" + V.APP_HEAD_PDF + "\n".join(labels + numbers) + "\n\n" + V.REVIEW_PDF + V.TAIL


# the report prints 29 / 32 as its 办理结果总计 where its rows sum to 28 / 31
BROKEN = [(label, key, (29, 2, 0, 1, 0, 0, 32) if key == "total" else vals) for label, key, vals in V.APP_ROWS]


def test_detached_labels_identities_hold_rows_certain():
    parsed = V.check(_blocks(V.APP_ROWS), V.want())
    assert not any(c.uncertain for c in parsed.tables.cells)
    assert all(c.ok for c in parsed.checks)


def test_detached_labels_identities_broken_rows_uncertain():
    parsed = V.check(_blocks(BROKEN), V.want(app_rows_=BROKEN))
    unsure = {c.row for c in parsed.tables.cells if c.uncertain and not c.derived}
    assert unsure == {key for _l, key, _v in V.APP_ROWS}  # every row was placed by position
    assert not any(c.uncertain for c in parsed.tables.cells if c.table != "applications")
    failed = [c for c in parsed.checks if not c.ok]
    assert {(c.check, c.subject) for c in failed} == {
        ("applications.outcomes", "natural_person"), ("applications.outcomes", "total"),
        ("applications.balance", "natural_person"), ("applications.balance", "total")}
    assert {c.kind for c in failed} == {"reader"}
    assert any("勾稽关系未能确认，这些行标为「不确定」" in w for w in parsed.warnings)


def test_report_mismatch_with_labels_beside_numbers_is_the_reports():
    """The same wrong 总计 printed beside its label: every row is placed with confidence, so the
    failure is the report's own."""
    text = V.HEAD + V.PROACTIVE_PDF + "\n" + V.APP_HEAD_PDF + V.app_rows(rows=BROKEN) + "\n" + V.REVIEW_PDF + V.TAIL
    parsed = V.check(text, V.want(app_rows_=BROKEN))
    failed = [c for c in parsed.checks if not c.ok]
    assert failed and {c.kind for c in failed} == {"report"}
    assert not any(c.uncertain for c in parsed.tables.cells)


def test_uncertainty_in_store_and_cli(tmp_path):
    (tmp_path / "unsure.txt").write_text(_blocks(BROKEN), encoding="utf-8")
    (tmp_path / "mismatch.txt").write_text(
        # another body: the same numbers under the same body and year would be one report in two files
        V.HEAD.replace("某某局", "某某委") + V.PROACTIVE_PDF + "\n" + V.APP_HEAD_PDF + V.app_rows(rows=BROKEN) + "\n"
        + V.REVIEW_PDF + V.TAIL,
        encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", "idx", "unsure.txt", "mismatch.txt", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 份有读取不确定的行（不是报告的错，请对照原文）" in res.stdout
    store = Store(Settings.load(index=tmp_path / "idx").db_url)
    unsure = store.resolve("unsure.txt")
    mismatch = store.resolve("mismatch.txt")
    assert store.is_uncertain(unsure, "applications", "total", "natural_person") is True
    assert store.is_uncertain(unsure, "review_litigation", "review", "total") is False  # read beside its header
    assert store.is_uncertain(unsure, "applications", "unavailable") is True  # derived from uncertain rows
    assert store.is_uncertain(mismatch, "applications", "total", "natural_person") is False
    facts = {(f["report"], f["row"], f["column"]): f for f in store.facts()}
    assert facts[("unsure.txt", "total", "natural_person")]["uncertain"] is True
    assert facts[("unsure.txt", "total", "natural_person")]["value"] == 29
    assert facts[("mismatch.txt", "total", "natural_person")]["uncertain"] is False
    kinds = {(c["report"], c["kind"]) for c in store.checks(failed_only=True)}
    assert kinds == {("unsure.txt", "reader"), ("mismatch.txt", "report")}

    res = qa("check", "--index", "idx", cwd=tmp_path)
    out = res.stdout
    assert res.returncode == 1
    unsure_block = out[out.index("unsure.txt"):out.index("mismatch.txt")]
    mismatch_block = out[out.index("mismatch.txt"):]
    assert unsure_block.startswith("unsure.txt") and "读取不确定" in unsure_block
    assert "（未通过的其中 4 项读取不确定，不能断定是报告的错）" in unsure_block
    assert "报告自身数字对不上" in mismatch_block and "读取不确定" not in mismatch_block.split("共 ")[0]
    assert "（其中 1 份是读取不确定，不能断定是报告的错）" in out
    res = qa("check", "--json", "--index", "idx", cwd=tmp_path)
    by = {(c["report"], c["kind"]) for c in json.loads(res.stdout)}
    assert by == {("unsure.txt", "reader"), ("mismatch.txt", "report")}
    res = qa("reports", "--json", "--index", "idx", cwd=tmp_path)
    reps = {r["file_name"]: r for r in json.loads(res.stdout)}
    assert "applications.total" in reps["unsure.txt"]["uncertain_rows"]
    assert reps["mismatch.txt"]["uncertain_rows"] == []
    assert {f["uncertain"] for f in store.facts([unsure], table="review_litigation")} == {False}


def test_index_built_before_the_flags_stays_readable(tmp_path):
    """An index written before the uncertain / missing columns existed opens, reads, and reads
    its old rows as certain and complete."""
    settings = Settings.load(index=tmp_path / "idx")
    store = Store(settings.db_url)
    store.put_report(parse_report(SEED.read_text(encoding="utf-8"), SEED.name), "0" * 64, "txt")
    del store
    db = sqlite3.connect(tmp_path / "idx" / "facts.sqlite")
    db.execute("ALTER TABLE facts DROP COLUMN uncertain")
    db.execute("ALTER TABLE reports DROP COLUMN uncertain_rows")
    db.execute("ALTER TABLE reports DROP COLUMN missing_rows")
    db.execute("DROP TABLE qa_app_migrations")  # such an index predates the migration log too
    db.commit()
    db.close()
    store = Store(settings.db_url)
    rep = store.reports()[0]
    assert (rep.uncertain_rows, rep.missing_rows) == ([], {})
    facts = store.facts()
    assert len(facts) > 200 and {f["uncertain"] for f in facts} == {False}
    assert {c["kind"] for c in store.checks()} == {"passed"}
    # and new reports go in beside the old ones
    store.put_report(parse_report(_cut_seed(), "cut.txt"), "1" * 64, "txt")
    assert store.report(store.resolve("cut.txt")).missing_rows["applications"] == CUT_MISSING
