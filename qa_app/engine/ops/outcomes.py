"""Op outcomes: the outcomes total of one body's applications and each outcome (予以公开, …)."""
from ..execute import outcomes


def run(plan, facts):
    return outcomes(plan, facts.store, facts.catalog)
