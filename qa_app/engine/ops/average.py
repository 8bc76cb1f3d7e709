"""Op avg (average): one cell's mean over the reports of the scope — over bodies (各单位平均),
or one body's years (平均每年) — with every value cited and what was left out said."""
from __future__ import annotations

from .values import number, statistic


def words(v, items, avg, ms) -> str:
    one_body = len({x[0].agency for x in items}) == 1
    per = "每年" if one_body and len(items) > 1 else "每份"
    total = sum(x[3].value for x in items)
    return (f"{v.phrase}的{len(items)}份报告，「{v.what}」合计{number(total)}{v.unit}，"
            f"平均{per}{number(avg)}{v.unit}{ms}。")


def run(plan, facts):
    return statistic(plan, facts, "平均值", lambda xs: sum(xs) / len(xs), False, words)
