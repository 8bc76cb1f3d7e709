"""The Word-exported HTML fuzzer: the three tables of random cell values (the template's
identities holding) written as a web page the way Word's 「另存为网页」 or a CMS that pasted it
writes it (tests/fuzz_word.py), in UTF-8 or GB2312/GBK with a <meta charset>, read back through
the product's own readers (loaders.load + report.parse_report): every cell exactly, blanks as
null, and the body and year from the page.

Hypothesis runs with a fixed seed (derandomize) and no example database.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import fuzz_layouts as F
from fuzzing import fuzz
import fuzz_word as W




def _roundtrip(v: F.Values, q: W.WQuirks):
    v = W.apply_blanks(v, q)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "report.html"
        path.write_bytes(W.word_html(v, q))
        parsed = F.read(path)
    wrong = F.diff(v, parsed)
    assert not wrong, (q, sorted(wrong.items())[:8], parsed.tables.problems[:5])
    assert parsed.tables.missing == {}, parsed.tables.missing
    assert not [c for c in parsed.tables.cells if c.uncertain], q
    assert (parsed.meta.agency, parsed.meta.year) == ("某某市某某局", 2023), (q, parsed.meta)


@fuzz(120)
@given(F.consistent_values(), W.wquirks())
def test_word_html_every_quirk(v, q):
    _roundtrip(v, q)


@fuzz(30)
@given(F.consistent_values(), W.wquirks(), st.sampled_from([37, 251, 1009]))
def test_word_html_large_counts(v, q, k):
    """Counts in the thousands: a number split over spans keeps its separator and digits."""
    _roundtrip(F.scaled(v, k), q)
