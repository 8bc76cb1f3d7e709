"""The 勾稽 checks of the template, run on one report's cells. Pure; nothing is "fixed".

Each identity of template.CHECKS is evaluated per column (or per row); a cell that is blank
(None) makes that instance unevaluable, which is neither a pass nor a failure.
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


def _fmt(v):
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def run_checks(cells: list[Cell]) -> list[CheckResult]:
    have = {(c.table, c.row, c.column): c for c in cells}
    out: list[CheckResult] = []
    for chk in T.CHECKS:
        if chk.by_row:
            rows = chk.over_rows or tuple(r.key for r in T.APPLICATION_ROWS)
            instances = [(r, [(r, c) for c in chk.left], [(r, c) for c in chk.right]) for r in rows]
        else:
            instances = [(c, [(r, c) for r in chk.left], [(r, c) for r in chk.right]) for c in chk.over]
        for subject, left, right in instances:
            lc = [have.get((chk.table, r, c)) for r, c in left]
            rc = [have.get((chk.table, r, c)) for r, c in right]
            if any(x is None or x.value is None for x in lc + rc):
                continue
            ls, rs = sum(x.value for x in lc), sum(x.value for x in rc)
            ok = abs(ls - rs) < 1e-6
            lhs = " + ".join(_fmt(x.value) for x in lc)
            rhs = " + ".join(_fmt(x.value) for x in rc)
            names_l = " + ".join((x.column if chk.by_row else x.row) for x in lc)
            names_r = " + ".join((x.column if chk.by_row else x.row) for x in rc)
            rel = "==" if ok else "!="
            detail = (f"{chk.table} {subject}: {names_l} {lhs} {rel} {names_r} = "
                      f"{rhs}{'' if len(rc) == 1 else ' = ' + _fmt(rs)}")
            cl = [{"row": x.row, "column": x.column, "value": x.value, "lines": list(x.lines), "derived": x.derived}
                  for x in lc + rc]
            out.append(CheckResult(chk.key, chk.table, subject, ok, detail, cl))
    return out
