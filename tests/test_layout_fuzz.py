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



def _truth_values(formats=("2021",)) -> list:
    vals = []
    seeds = json.loads(SEEDS_TRUTH.read_text(encoding="utf-8"))
    vals += [v for v in (F.values_from_truth(t, formats) for t in seeds.values()) if v is not None]
    if REAL_TRUTH is not None:
        vals += [v for v in (F.values_from_truth(json.loads(p.read_text(encoding="utf-8")), formats)
                             for p in sorted(REAL_TRUTH.glob("*.json"))) if v is not None]
    return vals


TRUTH_VALUES = _truth_values()
TRUTH_VALUES_ANY = _truth_values(("2019", "2021"))


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


# ---------------------------------------------------------------------------------------
# Forms of real report pages as scraped from government sites (docs/tables.md 「Scraped pages」)

def _never_silent(v: F.Values, q: F.Quirks) -> None:
    """Every cell comes back exactly, or its row is marked uncertain or named missing (a blank
    cell beside a row's padding can leave which empty cell is the blank open: said, not
    guessed); with no blank cell, every cell exactly and nothing uncertain."""
    v = F.apply_blanks(v, q)
    with tempfile.TemporaryDirectory() as d:
        parsed = F.read(F.render(v, q, Path(d)))
    got = {(c.table, c.row, c.column): c for c in parsed.tables.cells if not c.derived}
    missing = {(t, r) for t, rows in parsed.tables.missing.items() for r in rows}
    silent = {k: (got[k].value if k in got else "missing", want) for k, (have, want) in F.diff(v, parsed).items()
              if not ((k in got and got[k].uncertain) or (k[0], k[1]) in missing or (k[0], "*") in missing)}
    assert not silent, (q, sorted(silent.items())[:8], parsed.tables.problems[:5])
    if q.extra.get("label_lost") is not None:  # a row printed without its label: named missing, never another row's
        assert "proactive" in parsed.tables.missing, (q, parsed.tables.problems[:5])
    elif None not in v.cells.values():
        assert not F.diff(v, parsed) and parsed.tables.missing == {}, (q, parsed.tables.problems[:5])
        assert not [c for c in parsed.tables.cells if c.uncertain], q

@fuzz(30)
@given(F.consistent_values(), F.scraped_quirks())
def test_scraped_pages(v, q):
    """An HTML table flattened by a crawler: cells ending in 「 |」, a lone 「|」 starting each row
    or standing for an empty cell, colspans as extra 「|」 (on the cell's line or their own), rows
    padded with empty columns, a group label as the first cell of its first row, 「商业 企业」,
    a title row over section 二, label wordings of real reports (「三类内容事务信息」,
    「本年（2023）制发件数」); each cell a paragraph of its own (an empty one for a blank); a row's
    label left out (its numbers under the header, then the next row's label)."""
    _never_silent(v, q)


@fuzz(12)
@given(st.sampled_from(TRUTH_VALUES_ANY), F.scraped_quirks())
def test_scraped_pages_truth_values(v, q):
    """The seeds' and real reports' values (2019 and 2021 templates) in the scraped forms."""
    _never_silent(v, q)


TEMPLATE_2019_LAYOUTS = F.SCRAPED + ("pdf_text", "tabs", "pipes", "cells_nosep")


@fuzz(24)
@given(st.sampled_from([("2019", "2019"), ("2019", "2021"), ("2019+2021", "2021")]).flatmap(lambda f: F.consistent_values(*f)),
       st.one_of(F.scraped_quirks(), F.quirks(layouts=TEMPLATE_2019_LAYOUTS[3:])))
def test_2019_template(v, q):
    """The 2019 trial template (section 二: 本年新制作数量 / 上一年项目数量 / 本年增/减 (negative
    too) / 政府集中采购; section 三: （六）其他处理 one row), and a report of a later year that
    prints the 2019 section 二 over the 2021 section 三 (three rows under （六）), or the 2019 columns
    only under 第二十条第（一）项 (「本年新 制作数量」) and the 2021 blocks after it."""
    q.review_transposed = False  # (the line layouts draw it; kept to the 2021 test)
    _never_silent(v, q)


@fuzz(12)
@given(F.consistent_values(), F.quirks(layouts=("pdf_text",)), st.sampled_from(["split", "vertical"]))
def test_review_header_words_broken(v, q, mode):
    """Section 四's narrow header cells through pdftotext: each word in two halves on two lines
    (「结果」/「维持」, 「总」/「计」) or one character a line, the groups interleaved."""
    q.review_split = q.review_transposed = False
    q.extra["review_head"] = mode
    _roundtrip(v, q, consistent=True)


def _cells(text: str):
    from qa_app.report import parse_report
    t = parse_report(text, "t.txt").tables
    return t, {(c.row, c.column): (c.value, c.uncertain) for c in t.cells if not c.derived}


def test_scraped_row_with_empty_cells_on_both_sides():
    """「label | | 397 | 0 | 0 | 0 | 0 | 397 | |」: the empty cell before the values is the blank
    自然人 cell (then 总计 = 397 holds), the one after is the row's padding."""
    rows = [f"{F.APP_LABEL[k]} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for k in F.APP_KEYS]
    rows[5] = F.APP_LABEL[F.APP_KEYS[5]] + " | | 397 | 0 | 0 | 0 | 0 | 397 | |"
    rows[0] = F.APP_LABEL["new_received"] + " | 0 | 397 | 0 | 0 | 0 | 0 | 397 |"
    rows[-2] = F.APP_LABEL["total"] + " | 0 | 397 | 0 | 0 | 0 | 0 | 397 |"
    text = "\n".join([F.TITLE, "三、收到和处理政府信息公开申请情况"] + rows + ["五、存在的主要问题及改进情况"])
    _t, cells = _cells(text)
    assert cells[("denied.prohibited_by_law", "natural_person")] == (None, False)
    assert cells[("denied.prohibited_by_law", "commercial_enterprise")] == (397, False)
    assert cells[("denied.prohibited_by_law", "total")] == (397, False)


def test_scraped_row_with_undecidable_empty_cells_is_uncertain():
    """「label | | 5 | 0 | 0 | 0 | 0 | 0 | |」 (eight cells for seven; 总计 = the sum holds neither
    way): which empty cell is a blank cannot be told, so the row is marked uncertain."""
    rows = [f"{F.APP_LABEL[k]} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for k in F.APP_KEYS]
    rows[2] = F.APP_LABEL["granted"] + " | | 5 | 0 | 0 | 0 | 0 | 0 | |"
    text = "\n".join([F.TITLE, "三、收到和处理政府信息公开申请情况"] + rows + ["五、存在的主要问题及改进情况"])
    t, cells = _cells(text)
    assert all(cells[("granted", c)][1] for c in F.APP_COLS)
    assert any("空格子多于格数" in p for p in t.problems)


def test_scraped_review_rows_with_row_start_marks():
    """Section 四 as three small tables, each row opened by a lone 「|」 and padded after its
    总计 (「12 | ||」): the marks are no cells."""
    lines = [F.TITLE, "四、政府信息公开行政复议、行政诉讼情况"]
    vals = [[1, 7, 11, 1, 20], [4, 9, 7, 12, 32], [0, 0, 0, 0, 0]]
    for name, row in zip(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"), vals):
        lines += [name, "|"] + [h + " |" for h in F.REV_HEAD[:4]] + ["总计 | |||", "|"]
        lines += [f"{x} |" for x in row[:4]] + [f"{row[4]} | ||"]
    lines += ["五、存在的主要问题及改进情况"]
    _t, cells = _cells("\n".join(lines))
    got = [[cells[(r, c)][0] for c in F.REV_COLS] for r in F.REV_ROWS]
    assert got == [[1, 7, 11, 1, 20], [4, 9, 7, 12, 32], [0, 0, 0, 0, 0]]


def test_renderers_cover_every_family():
    """Each family of template.md's 「Layouts seen in real reports」 has a renderer here."""
    assert set(F.LAYOUTS) == {"pdf_text", "pdf_blocks", "tabs", "pipes", "cells_nosep", "box", "md", "md_llm", "html",
                              "html_word", "docx"}
