"""Op median: one cell's median over the reports of the scope, the values listed in order and
every value cited; what was left out is said."""
from __future__ import annotations

import statistics

from .values import number, statistic


def words(v, items, med, ms) -> str:
    listed = "、".join(number(x[3].value) for x in items)
    how = "中间一份的值" if len(items) % 2 else "中间两份的平均"
    return (f"{v.phrase}的{len(items)}份报告，「{v.what}」从小到大为{listed}{v.unit}{ms}，"
            f"中位数为{number(med)}{v.unit}（{how}）。")


def run(plan, facts):
    return statistic(plan, facts, "中位数", statistics.median, True, words)
