"""Op by_region: one cell summed per region (哪个区最多), every summand cited."""
from ..aggregate import by_region


def run(plan, facts):
    return by_region(plan, facts.store, facts.catalog)
