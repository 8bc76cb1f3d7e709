"""Op median: one cell's median over the reports of the scope, the values listed in order and
every value cited; what was left out is said."""
from __future__ import annotations

import statistics

from ...answer import Answer
from .values import gather, number


def run(plan, facts):
    v = gather(plan, facts)
    store, catalog = facts.store, facts.catalog
    if not v.known:
        return Answer(plan.question, f"{v.phrase}的报告中没有「{v.what}」的数字，算不出中位数。" + v.tail(store, catalog),
                      "none", debug=plan.describe())
    ordered = sorted(v.known, key=lambda x: x[3].value)
    med = statistics.median(x[3].value for x in ordered)
    med = round(med, 2) if isinstance(med, float) else med
    listed = "、".join(f"{number(x[3].value)}" for x in ordered)
    ms = v.cite(store, catalog, ordered)
    how = "中间一份的值" if len(ordered) % 2 else "中间两份的平均"
    text = (f"{v.phrase}的{len(ordered)}份报告，「{v.what}」从小到大为{listed}{v.unit}{ms}，"
            f"中位数为{number(med)}{v.unit}（{how}）。" + v.tail(store, catalog))
    from ..aggregate import finish
    return finish(plan, text, med, v.cits, store, catalog)
