"""Op avg (average): one cell's mean over the reports of the scope — over bodies (各单位平均),
or one body's years (平均每年) — with every value cited and what was left out said."""
from __future__ import annotations

from ...answer import Answer
from .values import gather, number


def run(plan, facts):
    v = gather(plan, facts)
    store, catalog = facts.store, facts.catalog
    if not v.known:
        return Answer(plan.question, f"{v.phrase}的报告中没有「{v.what}」的数字，算不出平均值。" + v.tail(store, catalog),
                      "none", debug=plan.describe())
    total = sum(x[3].value for x in v.known)
    avg = round(total / len(v.known), 2)
    one_body = len({x[0].agency for x in v.known}) == 1
    per = "每年" if one_body and len(v.known) > 1 else "每份"
    ms = v.cite(store, catalog, v.known)
    text = (f"{v.phrase}的{len(v.known)}份报告，「{v.what}」合计{number(total)}{v.unit}，"
            f"平均{per}{number(avg)}{v.unit}{ms}。" + v.tail(store, catalog))
    from ..aggregate import finish
    return finish(plan, text, avg, v.cits, store, catalog)
