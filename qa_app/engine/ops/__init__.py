"""The registry of operations: each op of plan.Op is one module here with one function
`run(plan, facts) -> Answer`; `answer(plan, facts)` runs a plan.

Before any op runs, the plan's own refusals and questions back are answered here, in one place:
a kind of question the lexicon marks unsupported (暂不支持…, with what can be asked), a bare
follow-up with nothing to follow (which question?), names outside the filter, names the index
does not hold, a name that fits several bodies (which one?), a body lacking the year asked.
An op the registry does not hold is 「暂不支持」, never another op. The ops' wording lives in
their modules and compose.py; which reports they read comes from scope.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...answer import Answer
from ..plan import Op, QueryPlan
from . import (audit, average, by_region, cells, change, compare, list_reports, lookup, median, outcomes, prose, rank,
               share, sum, trend)

REGISTRY = {
    Op.LOOKUP: lookup.run, Op.SUM: sum.run, Op.AVERAGE: average.run, Op.MEDIAN: median.run,
    Op.MAX: rank.run, Op.MIN: rank.run, Op.RANK: rank.run, Op.POSITIVE: rank.run, Op.ZERO: rank.run,
    Op.COMPARE: compare.run, Op.CHANGE: change.run, Op.TREND: trend.run, Op.OUTCOMES: outcomes.run,
    Op.SHARE: share.run, Op.SHARE_EACH: share.run_each, Op.AUDIT: audit.run, Op.BY_REGION: by_region.run,
    Op.LIST_REPORTS: list_reports.run, Op.PROSE: prose.run,
}
# Ops under which several cells joined in a question are each answered (ops/cells.py).
MULTI_CELL_OPS = (Op.LOOKUP, Op.SUM, Op.TREND, Op.COMPARE)
# What can be asked, said with a refusal.
CAN_ASK = ("可以问：某单位某年收到/办理了多少件申请（如「红谷滩区政府办2023年部分公开了多少件」）、各单位合计、平均值、"
           "中位数、最多/最少、排名、占比、两年间的变化（件数和百分比），或报告正文里的做法和问题")


@dataclass
class Facts:
    store: object
    catalog: object
    settings: object = None
    full_catalog: object = None     # the catalog before a filter narrowed it
    filters: dict | None = None


def supported(op) -> bool:
    return op in REGISTRY


def answer(plan: QueryPlan, facts: Facts) -> Answer:
    q = plan.question
    catalog = facts.catalog
    if plan.unsupported:
        return unsupported(plan)
    if plan.needs_context:
        return Answer(q, "这句话接着上文问，但没有上文：请说明要问哪个单位（和年度）的哪一项，"
                      "例如「红谷滩区政府办2023年部分公开了多少件？」", "clarify", debug=plan.describe())
    if plan.outside:
        return outside(plan, facts)
    if plan.unknown:
        from ..compose import unknown_names
        return Answer(q, unknown_names(plan.unknown, catalog), "none", debug=plan.describe())
    if plan.ambiguous:
        opts = [b.agency for b in plan.ambiguous]
        return Answer(q, f"「{plan.ambiguous_text}」可能指以下单位：{'、'.join(opts)}。请问您问的是哪一个？",
                      "clarify", options=opts, debug=plan.describe())
    run = REGISTRY.get(plan.op)
    if run is None:
        return unsupported(plan)
    if plan.bodies and plan.op in (Op.LOOKUP, Op.SHARE, Op.OUTCOMES, Op.PROSE) and len(plan.years) == 1:
        from ..scope import only_years_text
        for b in plan.bodies:
            if plan.years[0] not in b.reports:
                return Answer(q, f"库中没有{b.agency}{plan.years[0]}年的报告；{only_years_text(b)}。", "none",
                              debug=plan.describe())
    if plan.cells and plan.op in MULTI_CELL_OPS and plan.is_cell_op:
        return cells.run(plan, facts)
    return run(plan, facts)


def unsupported(plan: QueryPlan) -> Answer:
    from ..lexicon import lexicon
    rec = lexicon().by_label.get(plan.unsupported)
    if rec is None:
        text = f"暂不支持这类问题（{plan.op.value}）。{CAN_ASK}。"
    else:
        text = f"暂不支持：{rec.get('reason')}。{rec.get('can_ask')}。"
    return Answer(plan.question, text, "none", debug=plan.describe())


def outside(plan: QueryPlan, facts: Facts) -> Answer:
    f = facts.filters or {}
    said = "，".join(f"{name}{f[k]}" for k, name in (("agency", "机关："), ("region", "地区："), ("year", "年度："))
                    if f.get(k))
    names = "、".join(f"「{n}」" for n in plan.outside)
    return Answer(plan.question, f"{names}不在当前筛选范围（{said}）内，没有按筛选范围内的其他单位作答。"
                  "请清除或改变筛选条件后再问。", "none", debug=plan.describe())
