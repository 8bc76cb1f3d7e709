"""Ops share / share_each: a cell's share of its total in one body's report, or each body's
share from its own report."""
from ..execute import share, share_each


def run(plan, facts):
    return share(plan, facts.store, facts.catalog)


def run_each(plan, facts):
    return share_each(plan, facts.store, facts.catalog)
