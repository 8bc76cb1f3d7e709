"""Op sum: one cell added over the reports of the scope (scope.resolve), every summand cited."""
from ..aggregate import aggregate


def run(plan, facts):
    return aggregate(plan, facts.store, facts.catalog)
