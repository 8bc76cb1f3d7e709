"""Op compare: one cell of two or more bodies side by side. Each body is read at its own year
when the question gives one per body (「信访局2022年和红谷滩2023年」: plan.body_years), else at
the year asked or its latest; the years are said whenever they differ. The difference of two
is said in the question's own direction (A比B少…)."""
from __future__ import annotations

import re

from ...answer import Answer
from ..aggregate import _done
from ..cite import MISSING, cell_value, cite_cell
from ..compose import fmt, marks, unit, what_phrase, who
from ..scope import only_years_text, report_for


def run(plan, facts):
    store, catalog, cell = facts.store, facts.catalog, plan.cell
    u = unit(cell.table, cell.column)
    own = dict(plan.body_years)
    rows, cits, parts = [], [], []
    for b in plan.bodies[:6]:
        years = [own[b.agency]] if b.agency in own else plan.years
        rid, year, _ = report_for(b, years)
        if rid is None:
            parts.append(f"{only_years_text(b)}，没有{years[0]}年的数字")
            continue
        cv = cell_value(store, rid, cell)
        if cv.value == MISSING:
            parts.append(f"{who(b.agency, year)}的报告中没有读到这一项")
            continue
        new = cite_cell(store, cv, len(cits) + 1, catalog.reports[rid].checks_failed)
        cits += new
        parts.append(f"{who(b.agency, year)}{fmt(cv.value)}{u}{marks(new)}" if cv.value is not None
                     else f"{who(b.agency, year)}该项为空{marks(new)}")
        rows.append((b, year, cv.value))
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    text = f"「{what}」对比：" + "；".join(parts) + "。"
    value = None
    nums = [r for r in rows if isinstance(r[2], (int, float))]
    if len(nums) == 2 and len(rows) == 2:
        (b1, y1, v1), (b2, y2, v2) = nums
        n1, n2 = (f"{b1.agency}（{y1}年）", f"{b2.agency}（{y2}年）") if y1 != y2 else (b1.agency, b2.agency)
        diff = v1 - v2
        if diff and diff < 0 and re.search(r"比[^，。,？?]{0,14}少|少多少|少几|少了", plan.question):
            text += f"{n1}比{n2}少{fmt(abs(diff))}{u}。"  # the question's own direction
        elif diff:
            (more, less) = (n1, n2) if diff > 0 else (n2, n1)
            text += f"{more}比{less}多{fmt(abs(diff))}{u}。"
        else:
            text += "两者相同。"
        if y1 != y2:
            text += f"（两者是不同年度的报告：{y1}年与{y2}年。）"
        value = diff
    if not cits:
        return Answer(plan.question, text, "none", debug=plan.describe())
    return _done(plan.question, text, value, cits, [{"机关": b.agency, "年度": y, "值": v} for b, y, v in rows],
                 plan, store, catalog)
