"""The table-layout fuzzer: random cell values rendered in random combinations of real-world
quirks (tests/fuzz_layouts.py) must come back from the product's own readers (loaders.load +
report.parse_report) exactly, every cell, blanks as null.

Hypothesis runs with a fixed seed (derandomize) and no example database, so a run is repeatable;
a few hundred examples in all. The long run is bench/bench_fuzz.py (counts in docs/fuzz.md).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuzz_layouts as F
from fuzzing import fuzz

ROOT = Path(__file__).resolve().parents[1]
SEEDS_TRUTH = ROOT / "tests" / "data" / "seeds_truth.json"
_SHARED = [p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "realworld" / "truth").is_dir()]
REAL_TRUTH = _SHARED[0] / "realworld" / "truth" if _SHARED else None



def _truth_values() -> list:
    vals = []
    seeds = json.loads(SEEDS_TRUTH.read_text(encoding="utf-8"))
    vals += [v for v in (F.values_from_truth(t) for t in seeds.values()) if v is not None]
    if REAL_TRUTH is not None:
        vals += [v for v in (F.truth_values(p) for p in sorted(REAL_TRUTH.glob("*.json"))) if v is not None]
    return vals


TRUTH_VALUES = _truth_values()


def _roundtrip(v: F.Values, q: F.Quirks, consistent: bool = False) -> None:
    v = F.apply_blanks(v, q)
    with tempfile.TemporaryDirectory() as d:
        path = F.render(v, q, Path(d))
        parsed = F.read(path)
    wrong = F.diff(v, parsed)
    assert not wrong, (q, sorted(wrong.items())[:8], parsed.tables.problems[:5])
    assert parsed.tables.missing == {}, parsed.tables.missing
    if consistent:  # values under which every identity holds: no row is left uncertain
        assert not [c for c in parsed.tables.cells if c.uncertain], q


@fuzz(140)
@given(F.consistent_values(), F.quirks())
def test_random_values_every_layout(v, q):
    _roundtrip(v, q, consistent=True)


@fuzz(50)
@given(st.sampled_from(TRUTH_VALUES), F.quirks())
def test_truth_values_every_layout(v, q):
    """The values of the seeds and the real reports (zeros, blanks, large numbers as printed)."""
    _roundtrip(v, q)


@fuzz(8)
@given(F.consistent_values(), F.quirks(layouts=("pdf_text",)))
def test_pdf_files(v, q):
    """PDF files typeset with reportlab, read through loaders.py's PDF path."""
    q.layout = "pdf"
    q.fullwidth = False
    q.footer = -1
    if q.blank_word not in F.BLANK_WORDS["pdf"]:
        q.blank_word, q.blanks = "", ()
    _roundtrip(v, q)


@fuzz(40)
@given(F.consistent_values(), F.quirks(), st.sampled_from([37, 251, 1009]))
def test_large_counts_with_thousands_separators(v, q, k):
    """Section 三 in the thousands and tens of thousands (1,234 / １４，８００ with full-width
    digits), every layout: the separator is part of the number, never a cell break."""
    q.seed -= q.seed % 3  # num() prints separators for numbers of 10,000 and more
    _roundtrip(F.scaled(v, k), q, consistent=True)


def test_renderers_cover_every_family():
    """Each family of template.md's 「Layouts seen in real reports」 has a renderer here."""
    assert set(F.LAYOUTS) == {"pdf_text", "pdf_blocks", "tabs", "pipes", "cells_nosep", "box", "md", "md_llm", "html",
                              "html_word", "docx"}
