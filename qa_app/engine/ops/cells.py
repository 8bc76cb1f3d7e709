"""Several cells asked at once (「部分公开和不予公开一共多少件」): the op (lookup, sum, compare,
trend) over each cell, added, listed, or their difference (execute.several)."""
from ..execute import several


def run(plan, facts):
    return several(plan, facts.store, facts.catalog)
