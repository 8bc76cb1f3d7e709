"""Op trend: one body's value of one cell in each of its years (每年, 历年, 近两年)."""
from ..aggregate import trend


def run(plan, facts):
    return trend(plan, facts.store, facts.catalog)
