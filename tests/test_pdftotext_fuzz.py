"""The pdftotext fuzzer: the three tables of random cell values (the template's identities
holding) typeset as a PDF with reportlab, extracted with poppler's `pdftotext` (plain reading
order and `-layout`), and read back through the product's own readers (loaders.load +
report.parse_report); and the same tables in the plain reading orders seen in real pdftotext
output, rendered without poppler (tests/fuzz_poppler.py).

Every cell must come back exactly; where the text leaves a placement open (an empty cell that
pdftotext drops, values of a shape the identities cannot tell apart), the row must be marked
uncertain or named missing. Never a silent misplacement.

Hypothesis runs with a fixed seed (derandomize) and no example database.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuzz_layouts as F
from fuzzing import fuzz
import fuzz_poppler as P

import test_layout_fuzz as TL

TRUTH_VALUES = TL.TRUTH_VALUES  # the seeds' and the real reports' printed values
needs_poppler = pytest.mark.skipif(not P.HAVE_PDFTOTEXT, reason="没有 pdftotext（apt 包 poppler-utils），跳过")




def outcome(v: F.Values, parsed) -> dict:
    """Per printed cell: right, flagged (wrong or lost, but its row uncertain or named missing)
    or silent (wrong, or lost without a word)."""
    got = {(c.table, c.row, c.column): c for c in parsed.tables.cells if not c.derived}
    missing = {(t, r) for t, rows in parsed.tables.missing.items() for r in rows}
    out = {"right": [], "flagged": [], "silent": []}
    for k, want in v.cells.items():
        c = got.get(k)
        if c is not None and (c.value == want if want is None or c.value is None
                              else abs(float(c.value) - float(want)) < 1e-9 and isinstance(c.value, float) == isinstance(want, float)):
            out["right"].append(k)
        elif (c is not None and c.uncertain) or (c is None and ((k[0], k[1]) in missing or (k[0], "*") in missing)):
            out["flagged"].append((k, c.value if c else "missing", want))
        else:
            out["silent"].append((k, c.value if c else "missing", want))
    return out


def _read_txt(text: str):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "report.txt"
        path.write_text(text, encoding="utf-8")
        return F.read(path)


def read_rendered(v, q):
    """The report typeset with quirks q, read back through pdftotext, and how its cells came out."""
    with tempfile.TemporaryDirectory() as d:
        parsed = F.read(P.render(v, q, Path(d)))
    return parsed, outcome(v, parsed)


@needs_poppler
@fuzz(30)
@given(F.consistent_values(), P.pquirks(layout=False))
def test_pdftotext_plain_reading_order(v, q):
    v = P.apply_blanks(v, q)
    parsed, res = read_rendered(v, q)
    assert not res["silent"], (q, res["silent"][:8], parsed.tables.problems[:4])
    if not q.blanks:  # every identity holds: nothing is left open
        assert not res["flagged"], (q, res["flagged"][:8], parsed.tables.problems[:4])


@needs_poppler
@fuzz(20)
@given(st.sampled_from(TRUTH_VALUES), P.pquirks())
def test_pdftotext_real_values(v, q):
    """The real reports' values (large numbers, zeros, a section 四 that does not add up as
    printed), plain and -layout: never a silent misplacement (where the identities cannot
    confirm a reading, the cells are named missing or uncertain)."""
    v = P.apply_blanks(v, q)
    parsed, res = read_rendered(v, q)
    assert not res["silent"], (q, res["silent"][:8], parsed.tables.problems[:4])


@needs_poppler
@fuzz(20)
@given(F.consistent_values(), P.pquirks(layout=True))
def test_pdftotext_layout(v, q):
    v = P.apply_blanks(v, q)
    parsed, res = read_rendered(v, q)
    assert not res["silent"] and not res["flagged"], (q, (res["silent"] + res["flagged"])[:8], parsed.tables.problems[:4])


@fuzz(150)
@given(F.consistent_values(), P.oquirks())
def test_plain_reading_orders_without_poppler(v, q):
    """Blocks of rows emitted row by row or column by column, labels before, after or a block
    away from their numbers, a page number between blocks, a label split around its numbers."""
    cells = dict(v.cells)
    for k in q.blanks:
        cells[k] = None
    v = F.Values(cells)
    parsed = _read_txt(P.plain_order(v, q))
    res = outcome(v, parsed)
    assert not res["silent"], (q, res["silent"][:8], parsed.tables.problems[:4])
    assert not res["flagged"], (q, res["flagged"][:8], parsed.tables.problems[:4])


ROOT = Path(__file__).resolve().parents[1]
_SHARED = [p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "realworld" / "truth").is_dir()]
REALWORLD = _SHARED[0] / "realworld" if _SHARED else None


@needs_poppler
@pytest.mark.parametrize("pdf,layout,right", [
    ("huaian_hongze_2023.pdf", False, 186), ("huaian_hongze_2024.pdf", False, 186),
    ("huaian_city_2024.pdf", False, 185),  # its section 四 comes out in five pieces: named missing
    ("huaian_hongze_2023.pdf", True, 186), ("huaian_hongze_2024.pdf", True, 186), ("huaian_city_2024.pdf", True, 200)])
def test_real_pdfs_through_pdftotext(pdf, layout, right):
    """The real reports' PDFs as pdftotext gives them (the text a user may hand the tool instead
    of the PDF): plain reading order (cells column by column, labels after their numbers, page
    numbers inside section 三) and -layout, against the truth files."""
    if REALWORLD is None or not (REALWORLD / pdf).is_file():
        pytest.skip(f"没有真实报告 {pdf}，跳过")
    import json
    truth = json.loads((REALWORLD / "truth" / pdf.replace(".pdf", ".json")).read_text(encoding="utf-8"))
    want = {(t, r, c): v for t in ("proactive", "applications", "review_litigation")
            for r, cols in (truth.get(t) or {}).items() for c, v in cols.items()}
    parsed = _read_txt(P.extract(REALWORLD / pdf, layout))
    res = outcome(F.Values(want), parsed)
    assert not res["silent"], res["silent"][:8]
    assert len(res["right"]) == right, (len(res["right"]), res["flagged"][:4])
    assert (parsed.meta.agency, parsed.meta.year) == (truth["agency"], truth["year"])
