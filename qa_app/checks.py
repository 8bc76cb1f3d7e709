"""The 勾稽 checks of the template, run on one report's cells. Pure; nothing is "fixed".

Each identity of template.CHECKS is evaluated per column (or per row); a cell that is blank
(None) makes that instance unevaluable, which is neither a pass nor a failure (`unevaluable`
lists them). `detail` is the machine-readable form used by the truth files
(「review_litigation review: total 0 != 10 + 1 + 0 + 0 = 11」); `explain` says the same in
Chinese with the template's labels, for people. This module does not read or store anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import template as T
from .tables import Cell


@dataclass
class CheckResult:
    check: str          # template check key, e.g. "applications.balance"
    table: str
    subject: str        # the column (column-wise checks) or row (row-wise checks) it ran on
    ok: bool
    detail: str         # e.g. "review_litigation review: total 0 != 10 + 1 + 0 + 0 = 11"
    cells: list[dict] = field(default_factory=list)  # [{row, column, value, lines}]
    # a cell it rests on is one the reader is not sure of (tables.Cell.uncertain): a failure then
    # says "the reader is not sure", not "the report's numbers do not add up"
    uncertain: bool = False

    @property
    def kind(self) -> str:
        return failure_kind(self.ok, self.uncertain)


def _fmt(v):
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _instances(chk: T.Check):
    """(subject, left cells, right cells) of one check, cells as (row, column) keys."""
    if chk.by_row:
        rows = chk.over_rows or tuple(r.key for r in T.APPLICATION_ROWS)
        return [(r, [(r, c) for c in chk.left], [(r, c) for c in chk.right]) for r in rows]
    return [(c, [(r, c) for r in chk.left], [(r, c) for r in chk.right]) for c in chk.over]


def _sum(values) -> float:
    return sum(v for v in values if v is not None)


def _side(values: list) -> str:
    vals = " + ".join("blank" if v is None else _fmt(v) for v in values)
    if len(values) == 1:
        return vals
    return f"{vals} = {_fmt(_sum(values))}"


_PLAN: list[tuple] = []


def _plan() -> list[tuple]:
    """Every instance of every check, worked out once: (check key, table, subject, left cell keys,
    right cell keys, the left side's names as `detail` prints them)."""
    if not _PLAN:
        _PLAN.extend((chk.key, chk.table, subject, tuple((chk.table, r, c) for r, c in left),
                      tuple((chk.table, r, c) for r, c in right),
                      " + ".join((c if chk.by_row else r) for r, c in left))
                     for chk in T.CHECKS for subject, left, right in _instances(chk))
    return _PLAN


def run_checks(cells: list[Cell], blank_breaks: bool = False) -> list[CheckResult]:
    """Every evaluable instance of every check. `detail` reads like
    「applications natural_person: total 27 != 6 + 12 + 0 + 9 + 0 + 1 = 28」 or, for a check with
    two cells on the left, 「applications total: new_received + carried_over 28 + 0 = 28 != 27 + 0 = 27」.

    A printed blank (value None) makes an instance unevaluable. With `blank_breaks` (the checks a
    report is judged by) a blank counts as nothing printed: an instance that fails even so is a
    failure of the report (a blank 总计 over a row printing 1 0 0 0 0 0 does not add up), one that
    would hold stays unevaluable. A derived cell that is blank, a missing cell, or a blank total standing
    alone on its side in a column the table prints nowhere (no 总计 column at all) always skips.
    The reader's placement search (tables.realign) keeps the strict form."""
    have = {(c.table, c.row, c.column): c for c in cells}
    # a total column the table does not print at all (every total blank) is not a blank total
    printed = {(c.table, c.column) for c in cells if c.value is not None and not c.derived}
    out: list[CheckResult] = []
    for key, table, subject, left, right, names_l in _plan():
        both = [have.get(k) for k in left + right]
        alone = {k for side in (left, right) if len(side) == 1 for k in side}  # a total standing alone
        if any(x is None or (x.value is None and (x.derived or not blank_breaks or (
                k in alone and (x.table, x.column) not in printed))) for k, x in zip(left + right, both)):
            continue
        lv = [x.value for x in both[:len(left)]]
        rv = [x.value for x in both[len(left):]]
        ok = abs(_sum(lv) - _sum(rv)) < 1e-6
        if ok and None in lv + rv:
            continue
        rel = "==" if ok else "!="
        detail = f"{table} {subject}: {names_l} {_side(lv)} {rel} {_side(rv)}"
        cl = [{"row": x.row, "column": x.column, "value": x.value, "lines": list(x.lines), "derived": x.derived}
              for x in both]
        out.append(CheckResult(key, table, subject, ok, detail, cl, any(x.uncertain for x in both)))
    return out


# How a check came out, for people and programs: it holds; the report's own numbers do not add
# up (every cell placed with confidence); or the reader is not sure of a row it rests on.
PASSED, REPORT_MISMATCH, READER_UNSURE = "passed", "report", "reader"
KIND_WORDS = {PASSED: "通过", REPORT_MISMATCH: "报告自身数字对不上",
              READER_UNSURE: "读取不确定（有行的位置没有把握，不能断定是报告的错）"}


def failure_kind(ok: bool, uncertain: bool) -> str:
    """PASSED, REPORT_MISMATCH (all its cells read with confidence, the printed numbers break the
    identity) or READER_UNSURE (a cell it rests on is marked uncertain by the reader)."""
    if ok:
        return PASSED
    return READER_UNSURE if uncertain else REPORT_MISMATCH


def check_uncertain(check: dict, uncertain_rows) -> bool:
    """Whether a stored check (Store.checks() dict) rests on a row the reader is not sure of;
    `uncertain_rows`: the report's 「table.row」 keys (ReportInfo.uncertain_rows)."""
    rows = set(uncertain_rows or ())
    return any(f"{check['table']}.{c['row']}" in rows for c in check["cells"])


def unevaluable(blank) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(check key, subject, blank cells as (row, column)) for each check instance that cannot be
    evaluated because the report left a cell it needs blank. `blank`: (table, row, column) keys of
    the blank printed cells (value None), e.g. from `Store.blanks()`.

    >>> unevaluable([("review_litigation", "litigation_after_review", "total")])
    [('review_litigation.row_total', 'litigation_after_review', [('litigation_after_review', 'total')])]
    """
    blank = set(blank)
    for group, subs in T.GROUP_ROWS.items():  # a derived group total is blank when a sub-row is
        for col in T.APP_COLS:
            if any(("applications", sub, col) in blank for sub in subs):
                blank.add(("applications", group, col))
    out = []
    for chk in T.CHECKS:
        for subject, left, right in _instances(chk):
            hit = [(r, c) for r, c in left + right if (chk.table, r, c) in blank]
            if hit:
                out.append((chk.key, subject, hit))
    return out


# ---------------------------------------------------------------------------------------
# Chinese wording for people

SHORT_TABLE = {"proactive": "二、主动公开情况表", "applications": "三、申请处理情况表",
               "review_litigation": "四、复议诉讼情况表"}


def cell_name(table: str, row: str, column: str | None = None) -> str:
    """「部分公开 · 自然人」, 「不予公开 · 1.属于国家秘密 · 总计」, 「复议后起诉 · 总计」."""
    name = T.short_row_label(table, row)
    return name if column is None else f"{name} · {T.column_label(table, column)}"


def explain(check: str, table: str, subject: str, cells: list[dict]) -> str:
    """A failed (or passed) check in Chinese, with the printed values, e.g.
    「三、申请处理情况表「自然人」列：办理结果总计 27 ≠ 予以公开 6 + 部分公开 12 + … = 28」."""
    chk = next((c for c in T.CHECKS if c.key == check), None)
    if chk is None:
        return f"{SHORT_TABLE.get(table, table)}：{check} {subject}"
    n_left = len(chk.left)
    left, right = cells[:n_left], cells[n_left:]

    def part(x):
        name = T.column_label(table, x["column"]) if chk.by_row else T.short_row_label(table, x["row"])
        return f"{name} {'空白' if x['value'] is None else _fmt(x['value'])}"

    def side(xs):
        s = " + ".join(part(x) for x in xs)
        return s if len(xs) == 1 else f"{s} = {_fmt(_sum(x['value'] for x in xs))}"

    ok = abs(_sum(x["value"] for x in left) - _sum(x["value"] for x in right)) < 1e-6
    where = (f"「{T.short_row_label(table, subject)}」行" if chk.by_row
             else f"「{T.column_label(table, subject)}」列")
    return f"{SHORT_TABLE.get(table, table)}{where}：{side(left)} {'=' if ok else '≠'} {side(right)}"
