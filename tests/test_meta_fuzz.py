"""Fuzz the body/year/region reader (qa_app.metadata.read_meta) with the forms real reports use.

tests/fuzz_meta.py renders the front matter and end of a report around fixed sections: real
body names from the gazetteer's divisions (county, prefecture and province bodies, 街道办事处,
short forms 上海市科委 / 市科委, a county written with a variant character), years 2019–2025,
titles body first or year first, 年/年度, wrapped with stray spaces, page headers, publication
dates of the next year, HTML pages (<h1>, or only the <title> with the site's name), and no title
(year from 统计期限 or 「现将…」, body from that sentence, 「附件：…」, the signature, or 「我厅」 +
「省教育厅」 + the province's regulations). Each case checks the body, the year and the region
(province, prefecture, county, code) against the generator's own inputs, and that the name as
written (short form, variant, township) comes back as an alias; a body named by its level word alone
(区统计局) must come back as written, unplaced, flagged, with the warning saying what to set.
Fixed seed, a few hundred examples (QA_APP_FUZZ=explore for a campaign).
"""
from __future__ import annotations

from hypothesis import given

from fuzzing import fuzz

from fuzz_meta import MIDDLE, front_matters, render
from qa_app.loaders import html_to_text
from qa_app.metadata import read_meta
from qa_app.report import NO_PLACE_HEAD, normalise_text, parse_report


def _text(front):
    raw, kind = render(front, MIDDLE)
    return normalise_text(html_to_text(raw) if kind == "html" else raw)


@fuzz(400)
@given(front_matters())
def test_body_year_region_come_back(front):
    b = front.body
    text = _text(front)
    m = read_meta(text)
    where = f"\n{front}\n---\n{text[:600]}"
    assert m.agency == b.name, where
    assert m.year == front.year, where
    assert (m.province, m.prefecture, m.county, m.region_code) == (b.province, b.prefecture, b.county, b.code), where
    if b.alias and b.alias != b.name:
        assert b.alias in m.aliases, where
    # a body named without its place (区统计局) comes back as written, never placed, and flagged
    assert m.unplaced == (b.kind == "unplaced"), where


@fuzz(60)
@given(front_matters())
def test_a_rendered_report_is_a_report_and_not_flagged(front):
    parsed = parse_report(_text(front), "fuzz.txt")
    unplaced = front.body.kind == "unplaced"
    assert parsed.meta.flagged == unplaced
    assert not any(w.startswith("未能识别") for w in parsed.warnings)
    said = [w for w in parsed.warnings if w.startswith(NO_PLACE_HEAD)]
    assert len(said) == unplaced and all(f"「{front.body.name}」" in w and "set-meta" in w for w in said)
