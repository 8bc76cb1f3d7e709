"""Op compare: one cell of two or more bodies side by side, the difference of two said in the
question's own direction (少/多); each body's year is its own (a body of 2022 beside one of
2023 is compared and the years are said)."""
from ..aggregate import compare


def run(plan, facts):
    return compare(plan, facts.store, facts.catalog)
