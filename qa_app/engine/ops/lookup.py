"""Op lookup: one body's value of one cell, cited (the sentence is execute.value_sentence)."""
from ..execute import lookup


def run(plan, facts):
    return lookup(plan, facts.store, facts.catalog)
