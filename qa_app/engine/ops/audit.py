"""Op checks (audit): which reports' 勾稽 identities fail, each failing identity explained."""
from ..audit import audit


def run(plan, facts):
    return audit(plan, facts.store, facts.catalog)
