"""Op change: one cell of one body between two years, absolute and — with the percent modifier
(增幅, 增长了百分之多少) — in percent of the earlier year; 「少了多少」 answered in the question's
own direction (A年比B年少…, or that it is not fewer). With no body named, the change of the
sum over every body having both reports (aggregate.change_all). When the earlier year's report
is not in the library, a change the later report's own text states (「较去年回落12.3%」) is quoted
(prose.stated_change) instead of the refusal.
"""
from __future__ import annotations

from ...answer import Answer
from ..aggregate import change_all, finish
from ..cite import MISSING, cell_value, cite_cell
from ..compose import fmt, marks, unit, what_phrase
from ..plan import Modifier
from ..scope import only_years_text


def years_of(plan, body) -> list[int]:
    """The two years compared: the two named (in order of mention), the one named and the year
    before, or the body's two latest."""
    if len(plan.years) >= 2:
        return list(plan.years[:2])
    if plan.years:
        return [plan.years[0] - 1, plan.years[0]]
    return body.years[-2:] if len(body.years) >= 2 else [body.years[-1] - 1, body.years[-1]] if body.years else []


def percent(d, base):
    return round(d / base * 100, 1) if base else None


def run(plan, facts):
    store, catalog = facts.store, facts.catalog
    if not plan.bodies:
        return change_all(plan, store, catalog)
    cell, b = plan.cell, plan.bodies[0]
    named = years_of(plan, b)
    missing = [y for y in named if y not in b.reports]
    if len(named) == 2 and missing == [min(named)] and max(named) in b.reports:
        # the earlier year is not in the library: the later report may state the change itself
        from ..prose import stated_change
        said = stated_change(plan, store, catalog, b.reports[max(named)], min(named))
        if said is not None:
            return said
    if len(named) < 2 or missing:
        return Answer(plan.question, f"无法比较：{only_years_text(b)}"
                      + (f"，没有{'、'.join(map(str, missing))}年的报告" if missing else "") + "。", "none",
                      debug=plan.describe())
    y1, y2 = sorted(named)
    vals, cits = {}, []
    for y in (y1, y2):
        cv = cell_value(store, b.reports[y], cell)
        if cv.value in (MISSING, None):
            return Answer(plan.question, f"{b.agency}{y}年报告中这一项没有可用的数字，无法比较。", "none",
                          debug=plan.describe())
        new = cite_cell(store, cv, len(cits) + 1, catalog.reports[b.reports[y]].checks_failed)
        cits += new
        vals[y] = (cv.value, marks(new))
    d = vals[y2][0] - vals[y1][0]
    u = unit(cell.table, cell.column)
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    text = f"{b.agency}「{what}」：{y1}年{fmt(vals[y1][0])}{u}{vals[y1][1]}，{y2}年{fmt(vals[y2][0])}{u}{vals[y2][1]}，"
    value = d
    if plan.has(Modifier.FEWER) and len(plan.explicit_years) >= 2:
        a, c = plan.explicit_years[:2]  # 「A年比C年少了多少」: A is the subject
        fewer = vals[c][0] - vals[a][0]
        text += (f"{a}年比{c}年少{fmt(fewer)}{u}。" if fewer > 0 else
                 f"{a}年比{c}年没有减少，反而多{fmt(-fewer)}{u}。" if fewer < 0 else f"{a}年与{c}年相同。")
        value = -fewer  # signed as the subject minus the other, as every change is
    else:
        text += f"{y2}年比{y1}年" + (f"增加{fmt(d)}{u}" if d > 0 else f"减少{fmt(-d)}{u}" if d < 0 else "持平")
        if plan.has(Modifier.PERCENT):
            p = percent(d, vals[y1][0])
            if p is None:
                text += f"；{y1}年为0，无法计算增减的百分比"
            else:
                text += f"，{'增长' if d >= 0 else '下降'}{fmt(abs(p))}%（{fmt(d)}÷{fmt(vals[y1][0])}）"
                value = p
        text += "。"
    return finish(plan, text, value, cits, store, catalog)
