"""The values of one cell over the reports of a plan's scope, for the statistics ops (average,
median): each value with its report, blanks and unread cells set apart, each value cited on use.

Reads the side store through cite.py; says nothing itself beyond what the scope left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..cite import MISSING, cell_value, cite_cell, needed_rows, prefetch
from ..compose import fmt, marks, unit, what_phrase
from ..scope import resolve


@dataclass
class Values:
    known: list            # [(body, year, report id, CellValue)] with a number
    blank: list            # the same, cell printed blank
    phrase: str            # the scope's phrase
    notes: list            # what the scope left out
    what: str
    unit: str
    cits: list = field(default_factory=list)

    def cite(self, store, catalog, items) -> str:
        new = []
        for _, _, rid, cv in items:
            new += cite_cell(store, cv, len(self.cits) + len(new) + 1, catalog.reports[rid].checks_failed)
        self.cits += new
        return marks(new)

    def tail(self, store, catalog) -> str:
        """「另有…该项为空，未计入。」 and the scope's notes, as sentences."""
        out = "".join(n + "。" for n in self.notes)
        if self.blank:
            names = "、".join(f"{b.agency}{y or ''}年" for b, y, _, _ in self.blank[:5])
            out += f"另有{names}该项为空（报告未填写），未计入{self.cite(store, catalog, self.blank[:5])}。"
        return out


def gather(plan, facts) -> Values:
    cell, store, catalog = plan.cell, facts.store, facts.catalog
    sc = resolve(plan, catalog)
    prefetch(store, sc.report_ids, cell.table, needed_rows(cell))
    known, blank = [], []
    for b, y, rid in sc.targets:
        cv = cell_value(store, rid, cell)
        if cv.value == MISSING:
            continue
        (blank if cv.value is None else known).append((b, y, rid, cv))
    return Values(known, blank, sc.phrase, list(sc.notes), what_phrase(cell.table, cell.row, cell.column, cell.column_named),
                  unit(cell.table, cell.column))


def number(v) -> str:
    return fmt(v)


def statistic(plan, facts, noun: str, compute, order: bool, words):
    """The frame average and median share: gather the values, say 「算不出{noun}」 when there are
    none, else `words(values, items, marks) -> text` over the items (sorted by value when `order`),
    its value `compute(list of numbers)`, then the scope's tail and the audit note."""
    from ...answer import Answer
    from ..aggregate import finish
    v = gather(plan, facts)
    store, catalog = facts.store, facts.catalog
    if not v.known:
        return Answer(plan.question, f"{v.phrase}的报告中没有「{v.what}」的数字，算不出{noun}。" + v.tail(store, catalog),
                      "none", debug=plan.describe())
    items = sorted(v.known, key=lambda x: x[3].value) if order else v.known
    value = compute([x[3].value for x in items])
    value = round(value, 2) if isinstance(value, float) else value
    text = words(v, items, value, v.cite(store, catalog, items)) + v.tail(store, catalog)
    return finish(plan, text, value, v.cits, store, catalog)
