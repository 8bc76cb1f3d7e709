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


def _plain_read_back(v, q):
    v = P.apply_blanks(v, q)
    parsed, res = read_rendered(v, q)
    assert not res["silent"], (q, res["silent"][:8], parsed.tables.problems[:4])
    if not q.blanks:  # every identity holds: nothing is left open
        assert not res["flagged"], (q, res["flagged"][:8], parsed.tables.problems[:4])


@needs_poppler
@fuzz(30)
@given(F.consistent_values(), P.pquirks(layout=False))
def test_pdftotext_plain_reading_order(v, q):
    _plain_read_back(v, q)


@needs_poppler
@fuzz(20)
@given(F.consistent_values(), P.pquirks(layout=False, breaks=True))
def test_pdftotext_plain_page_break_at_any_row(v, q):
    """Section 三 starting a page and breaking before a drawn row (a merged group label over the
    break split in two, its text above). Plain pdftotext then prints, on the page after the
    break, the right-hand cells of rows its other text does not reach as a reading flow of their
    own after the page number (「四、结转下年度继续办理」 0 0 0 0 0 0, then 五、六 and 「- 3 -」,
    then its 总计), and a group label read right after the label of the row above it: every
    cell comes back, or (blanks) its row is flagged."""
    _plain_read_back(v, q)


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


def _orders_read_back(v, q):
    cells = dict(v.cells)
    for k in q.blanks:
        cells[k] = None
    v = F.Values(cells)
    parsed = _read_txt(P.plain_order(v, q))
    res = outcome(v, parsed)
    assert not res["silent"], (q, res["silent"][:8], parsed.tables.problems[:4])
    moved = set(F.APP_KEYS[-q.moved[0]:]) if q.moved else set()
    unconfirmed = {r for _t, r, _c in q.blanks if r in moved}
    flagged = [f for f in res["flagged"] if f[0][1] not in unconfirmed]
    assert not flagged, (q, flagged[:8], parsed.tables.problems[:4])


@fuzz(150)
@given(F.consistent_values(), P.oquirks())
def test_plain_reading_orders_without_poppler(v, q):
    """Blocks of rows emitted row by row or column by column, labels before, after or a block
    away from their numbers, a page number between blocks, a label split around its numbers."""
    _orders_read_back(v, q)


@fuzz(60)
@given(F.consistent_values(), P.oquirks(moved=True))
def test_plain_reading_orders_cells_moved_to_the_page_end(v, q):
    """The same orders, the last 1-4 rows of section 三 at the top of the last page, each short of
    its last 1-2 cells: those printed after the page number (at the end of the text, or before
    the next page's 五), row by row or column by column. Every cell comes back; only a row whose
    moved cells no identity can confirm (a blank in it) may be flagged, never filled silently."""
    _orders_read_back(v, q)


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


def _example_values() -> F.Values:
    """A small report: 3 requests granted (1 from a person, 2 from companies), 2 carried forward
    (other organisations), proactive counts 1…, section 四 all 0."""
    cells = {("applications", r, c): 0 for r in F.APP_KEYS for c in F.APP_COLS}
    for row, vals in (("granted", [1, 2, 0, 0, 0, 0, 3]), ("total", [1, 2, 0, 0, 0, 0, 3]),
                      ("carried_forward", [0, 0, 0, 0, 0, 2, 2]), ("new_received", [1, 2, 0, 0, 0, 2, 5])):
        cells.update({("applications", row, c): x for c, x in zip(F.APP_COLS, vals)})
    for n, (key, _l, _a, cols) in enumerate(F.PRO_ROWS):
        cells.update({("proactive", key, c): n + 1 for c in cols})
    cells.update({("review_litigation", r, c): 0 for r in F.REV_ROWS for c in F.REV_COLS})
    return F.Values(cells)


def test_row_total_printed_after_the_page_number():
    """The CI example's shape written out: 「四、结转下年度继续办理」 0 0 0 0 0 2 at the top of the
    last page, its 总计 2 printed after 五、六 and the page number 「- 3 -」 (plain pdftotext
    reads the page's right edge last). The row comes back whole, 总计 traced to the last line;
    the same text with another number there (7: the identities break) leaves the row named
    missing, never filled with it."""
    q = P.OQuirks(blocks=(1,) * len(F.APP_KEYS), column_major=(False,) * len(F.APP_KEYS),
                  label_at=(0,) * len(F.APP_KEYS), moved=(1, 1, False, "end"))
    text = P.plain_order(_example_values(), q)
    assert text.endswith("- 3 -\n\n2\n")
    parsed = _read_txt(text)
    got = {c.column: c.value for c in parsed.tables.cells if c.row == "carried_forward" and not c.derived}
    assert got == {"natural_person": 0, "commercial_enterprise": 0, "research_institution": 0,
                   "social_welfare_org": 0, "legal_service_org": 0, "other_org": 2, "total": 2}
    last = len(text.split("\n")) - 1  # the 2 on the text's last line (1-based: its number)
    assert parsed.tables.get("applications", "carried_forward", "total").at == (last, 0)
    assert parsed.tables.missing == {} and not [c for c in parsed.tables.cells if c.uncertain]
    assert parsed.tables.get("review_litigation", "review", "total").value == 0

    wrong = _read_txt(text[:-2] + "7\n")
    assert wrong.tables.get("applications", "carried_forward", "total") is None
    assert wrong.tables.missing == {"applications": ["carried_forward"]}


def test_moved_cells_of_two_rows_column_by_column():
    """(七)总计 and 四、结转 both at the top of the page, each short of its last two cells, the four
    printed after the page number column by column (其他 of both rows, then 总计 of both)."""
    n = len(F.APP_KEYS) - 1
    q = P.OQuirks(blocks=(1,) * (n - 1) + (2,), column_major=(False,) * n, label_at=(0,) * n,
                  moved=(2, 2, True, "page"))
    text = P.plain_order(_example_values(), q)
    assert "- 3 -\n\n0\n\n2\n\n3\n\n2\n\n\n五、" in text
    parsed = _read_txt(text)
    for row, want in (("total", [1, 2, 0, 0, 0, 0, 3]), ("carried_forward", [0, 0, 0, 0, 0, 2, 2])):
        assert [parsed.tables.get("applications", row, c).value for c in F.APP_COLS] == want
    assert parsed.tables.missing == {} and not [c for c in parsed.tables.cells if c.uncertain]
