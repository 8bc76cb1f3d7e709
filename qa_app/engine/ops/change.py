"""Op change: one cell between two years, absolute and, with the percent modifier, in percent
(增幅); over every body of the scope when no body is named."""
from ..aggregate import change


def run(plan, facts):
    return change(plan, facts.store, facts.catalog)
