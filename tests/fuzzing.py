"""Hypothesis settings for every fuzz test in the suite, in one place.

What it does: `fuzz(n)` gives the settings a property test runs under. By default (the README's
test command, CI) a test draws its `n` examples from a fixed seed (derandomize), with no example
database and no deadline: the same examples on every machine and every run. For a campaign that
looks for new failures, set

    QA_APP_FUZZ=explore            random seeds (pytest --hypothesis-seed=N picks one)
    QA_APP_FUZZ_SCALE=20           examples × 20 (default 10 when exploring, 1 otherwise)

e.g. `QA_APP_FUZZ=explore .venv/bin/python -m pytest -q tests/test_pdftotext_fuzz.py`. A failure
prints the blob for @reproduce_failure.

What it does not do: choose the strategies (tests/fuzz_*.py) or decide what a test asserts.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXPLORE = os.environ.get("QA_APP_FUZZ", "").strip().lower() == "explore"
SCALE = float(os.environ.get("QA_APP_FUZZ_SCALE") or (10 if EXPLORE else 1))


def fuzz(n: int, **kw) -> settings:
    """Settings for a property test of `n` examples (scaled and unseeded when exploring)."""
    kw.setdefault("suppress_health_check", [HealthCheck.too_slow, HealthCheck.data_too_large])
    return settings(max_examples=max(1, round(n * SCALE)), derandomize=not EXPLORE, database=None,
                    deadline=None, print_blob=True, **kw)
