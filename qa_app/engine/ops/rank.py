"""Ops max / min / rank / positive / zero: the reports of the scope ordered or filtered by one
cell (aggregate.aggregate holds the wording of each)."""
from ..aggregate import aggregate


def run(plan, facts):
    return aggregate(plan, facts.store, facts.catalog)
