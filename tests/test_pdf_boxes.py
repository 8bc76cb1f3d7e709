"""PDFs read once with positions (qa_app/pdfpages.py): same text as pdfplumber, a box for every cell.

- The one pass over pypdfium2's characters and ruling lines gives, page for page, the text that
  pdfplumber's own parse gives (the reference below is the loader's former pdfplumber code), on
  the real PDFs in ../shared/realworld and on a generated corpus in three table styles
  (bench/pdf_corpus.py: ruled, unruled, wrapped labels): the facts read from PDFs stay the same.
- Every printed cell of those PDFs has a box, and the text pdfplumber finds inside that box is
  the printed number (from the truth files / the generator's values, not from the code).
- The HTTP API cites page and box, draws the page with the box, caches it, 404s what is not
  there; a table question loads no PDF library.
"""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_app.indexer import index_paths
from qa_app.settings import Settings
from qa_app.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_APP_SHARED_DIR") or ROOT.parent / "shared")
REALWORLD = SHARED / "realworld"
sys.path.insert(0, str(ROOT))
from bench import pdf_corpus  # noqa: E402

Q_HUAIAN = "淮安市人民政府2024年部分公开了多少件申请？"


def realworld_pdfs() -> list[Path]:
    pdfs = sorted(REALWORLD.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"没有真实报告目录 {REALWORLD}（可设 QA_APP_SHARED_DIR），跳过")
    return pdfs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Six generated PDFs, two in each table style, with their truth."""
    out = tmp_path_factory.mktemp("pdf_corpus")
    pdf_corpus.generate(6, out, seed=11)
    return out


# ---------------------------------------------------------------------------------------
# The reference: the loader's former pdfplumber path (pdfminer's parse), verbatim

def _ref_join_wrapped(parts):
    out = ""
    for p in parts:
        p = " ".join(p.split())
        if not p:
            continue
        if out and re.match(r"[0-9A-Za-z.,%]", out[-1]) and re.match(r"[0-9A-Za-z.,%]", p[0]):
            out += " "
        out += p
    return out


def _ref_rows_to_lines(grid):
    out = []
    for row in grid:
        cells = [" ".join((c or "").replace("\xa0", " ").replace("\u3000", " ").split()) for c in row]
        if not any(cells):
            continue
        line = "\t".join(cells)
        if cells[0] == "":
            line = "\t" + line
        if cells[-1] == "":
            line += "\t"
        out.append(line)
    return out


def _ref_bare_page_number(page):
    chars = [c for c in page.chars if c.get("text", "").strip()]
    if not chars:
        return None, float("inf")
    low = max(chars, key=lambda c: c["bottom"])
    mid = (low["top"] + low["bottom"]) / 2
    line = sorted((c for c in chars if abs((c["top"] + c["bottom"]) / 2 - mid) < 3), key=lambda c: c["x0"])
    text = "".join(c["text"] for c in line).strip()
    top = min(c["top"] for c in line)
    above = [c["bottom"] for c in chars if c["bottom"] < top]
    height = float(page.bbox[3]) - float(page.bbox[1])
    if (re.fullmatch(r"\d{1,4}", text) and mid > float(page.bbox[3]) - 0.15 * height
            and (not above or top - max(above) >= 8)):
        return text, top - 1
    return None, float("inf")


def _ref_page_text(page) -> str:
    number, foot = _ref_bare_page_number(page)
    marker = [f"- {number} -"] if number else []
    body = page if number is None else page.filter(
        lambda o: o.get("object_type") != "char" or (o["top"] + o["bottom"]) / 2 < foot)
    tables = [t for t in body.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
    if not tables:
        return "\n".join([body.extract_text() or ""] + marker)
    tables.sort(key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def in_box(o):
        cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    def band(lo, hi):
        def keep(o):
            if o.get("object_type") != "char":
                return False
            cy = (o["top"] + o["bottom"]) / 2
            return lo <= cy < min(hi, foot) and not in_box(o)
        txt = page.filter(keep).extract_text() or ""
        return [x for x in txt.split("\n") if x.strip()]

    lines = []
    y = float(page.bbox[1])
    for t in tables:
        lines += band(y, t.bbox[1])
        lines += _ref_rows_to_lines([[_ref_join_wrapped((c or "").split("\n")) for c in row] for row in t.extract()])
        lines += band(t.bbox[1], t.bbox[3])
        y = max(y, t.bbox[3])
    lines += band(y, float(page.bbox[3]) + 1)
    return "\n".join(lines + marker)


def reference_pages(path: Path) -> list[str]:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return [_ref_page_text(p) for p in pdf.pages]


def test_one_pass_gives_pdfplumbers_text_on_real_pdfs():
    """Embedded fonts: pdfium's boxes are pdfminer's to float precision, so the text is the same."""
    from qa_app.pdfpages import read_pages
    for f in realworld_pdfs():
        got = ["\n".join(l.text for l in page) for page in read_pages(f.read_bytes())]
        want = reference_pages(f)
        assert len(got) == len(want), f.name
        for k, (g, w) in enumerate(zip(got, want), 1):
            assert g == w, (f.name, k)


def _cells(text: str, name: str) -> dict:
    from qa_app.report import parse_report
    return {(c.table, c.row, c.column): c.value for c in parse_report(text, name).tables.cells}


def test_one_pass_reads_the_same_facts_as_pdfplumber(corpus):
    """Generated PDFs use a font the file does not embed: pdfium measures its glyphs a hair
    apart from pdfminer (float32), which may regroup a header word at a tolerance's edge; the
    facts read are the same, cell for cell, and every generated PDF reads all 200 cells."""
    from qa_app.loaders import pdf_to_text
    files = realworld_pdfs() + sorted((corpus / "reports").glob("*.pdf"))
    assert len(files) == 9
    for f in files:
        new = _cells(pdf_to_text(f.read_bytes(), f), f.name)
        old = _cells("\n\f".join(reference_pages(f)), f.name)
        assert new == old, f.name
        if f.parent.name == "reports":  # generated: the generator prints 200 cells
            assert len([k for k in new if k[1] not in ("denied", "unavailable", "not_processed", "other")
                        and k[2] != "legal_person_or_org" and new[k] is not None]) == 200, f.name


def test_generated_styles_differ_as_meant(corpus):
    """The three styles reach the reader differently: ruled/wrapped as tab rows, unruled as text."""
    from qa_app.pdfpages import read_pages
    for f in sorted((corpus / "reports").glob("*.pdf")):
        text = "\n".join(l.text for p in read_pages(f.read_bytes()) for l in p)
        style = f.name.split("_")[1]
        assert ("\t" in text) == (style != "unruled"), f.name
        if style == "wrapped":  # a label wrapped in its cell is joined back into one cell
            assert "\t2.其他法律行政法规禁止公开\t" in text or "2.其他法律行政法规禁止公开\t" in text, f.name
        marker = {"ruled": "- 1 -", "unruled": "- 1 -", "wrapped": "第 1 页"}[style]
        assert marker in text.split("\n"), f.name


# ---------------------------------------------------------------------------------------
# Every cell's box holds its number

def _number(text: str):
    import unicodedata
    t = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    return float(t) if re.fullmatch(r"-?\d+(\.\d+)?", t) else None


def _truth_cells(truth: dict):
    for table in ("applications", "proactive", "review_litigation"):
        for row, cols in truth.get(table, {}).items():
            for col, v in cols.items():
                yield table, row, col, v


def _check_boxes(index: Path, files: dict[str, list[tuple]]) -> int:
    """files: {file name: [(table, row, column, printed value), ...]}; returns cells checked."""
    import pdfplumber
    store = Store(f"sqlite:///{index / 'facts.sqlite'}")
    by_name = {r.file_name: r for r in store.reports()}
    checked = 0
    for name, cells in files.items():
        rep = by_name[name]
        boxes = store.cell_boxes(rep.id)
        path = Path(store.source_paths(rep.id)[0])
        with pdfplumber.open(path) as pdf:
            for table, row, col, value in cells:
                if value is None:
                    continue
                assert (table, row, col) in boxes, (name, table, row, col)
                page, (x0, top, x1, bottom) = boxes[(table, row, col)]
                assert x0 < x1 and top < bottom and 1 <= page <= len(pdf.pages)
                crop = pdf.pages[page - 1].crop((x0 + 0.5, top + 0.5, x1 - 0.5, bottom - 0.5))
                text = crop.extract_text() or ""
                assert _number(text) == float(value), (name, table, row, col, value, text)
                checked += 1
    return checked


def test_every_realworld_cell_box_holds_its_number(tmp_path):
    pdfs = realworld_pdfs()
    idx = tmp_path / "idx"
    summary = index_paths(pdfs, Settings.load(index=idx, narrative=False, database_url=""), progress=False)
    assert summary.ok and summary.count("added") == 3
    files = {}
    for t in (REALWORLD / "truth").glob("*.json"):
        truth = json.loads(t.read_text(encoding="utf-8"))
        for f in truth["files"]:
            if f.endswith(".pdf"):
                files[f] = list(_truth_cells(truth))
    assert sorted(files) == sorted(p.name for p in pdfs)
    assert _check_boxes(idx, files) == 572  # every non-blank printed cell of the three PDFs


def test_every_generated_cell_box_holds_its_number(corpus, tmp_path):
    idx = tmp_path / "idx"
    summary = index_paths([corpus / "reports"], Settings.load(index=idx, narrative=False, database_url=""),
                          progress=False)
    assert summary.ok and summary.count("added") == 6
    files = {}
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        files[t["file"]] = [tuple(c) for c in t["cells"]]
    assert _check_boxes(idx, files) == 6 * 200


# ---------------------------------------------------------------------------------------
# The API: page and box in citations, the page image

@pytest.fixture(scope="module")
def huaian(tmp_path_factory):
    pdfs = realworld_pdfs()
    idx = tmp_path_factory.mktemp("huaian")
    s = Settings.load(index=idx, narrative=False, database_url="", api_token="", cors_origins="", llm_mode="none")
    assert index_paths([p for p in pdfs if p.name == "huaian_city_2024.pdf"], s, progress=False).ok
    return s


def test_ask_cites_page_and_box_and_the_png_marks_it(huaian):
    from PIL import Image
    c = TestClient(__import__("qa_app.api", fromlist=["create_app"]).create_app(huaian))
    ans = c.post("/ask", json={"question": Q_HUAIAN}).json()
    assert ans["value"] == 454
    cit = ans["citations"][0]
    assert cit["page"] == 4
    x0, top, x1, bottom = cit["bbox"]
    # the 总计 cell of (二)部分公开 on page 4, as pdfplumber measures the printed 「454」
    assert abs(x0 - 498.24) < 0.1 and abs(top - 544.02) < 0.1 and abs(x1 - 509.40) < 0.1 and abs(bottom - 551.47) < 0.1
    assert cit["boxes"] == [{"page": 4, "bbox": cit["bbox"]}]
    url = f"/reports/{cit['report_id']}/pages/{cit['page']}.png"
    r = c.get(url, params={"highlight": ",".join(str(v) for v in cit["bbox"]), "dpi": 72})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content)).convert("RGB")
    assert img.size == (595, 842)  # A4 at 72 dpi: one pixel per point
    # the red frame runs 2 points outside the box; inside it the page is tinted, outside white
    frame = img.getpixel((int((x0 + x1) / 2), int(top - 2)))
    assert frame[0] > 180 and frame[1] < 80 and frame[2] < 80, frame
    plain = Image.open(io.BytesIO(c.get(url, params={"dpi": 72}).content)).convert("RGB")
    assert plain.getpixel((int((x0 + x1) / 2), int(top - 2)))[1] > 200  # not red without highlight
    cached = list((Path(huaian.index) / "pages").glob("*.png"))
    assert len(cached) == 2
    assert c.get(url, params={"dpi": 5000}).status_code == 200
    big = Image.open(io.BytesIO(c.get(url, params={"dpi": 5000}).content))
    assert big.size[0] == round(595 * 300 / 72) or abs(big.size[0] - 595 * 300 / 72) <= 1  # capped at 300 dpi


def test_page_image_errors_are_chinese_and_404(huaian):
    c = TestClient(__import__("qa_app.api", fromlist=["create_app"]).create_app(huaian))
    rid = c.get("/reports").json()[0]["id"]
    r = c.get(f"/reports/{rid}/pages/7.png")
    assert r.status_code == 404 and "没有第 7 页" in r.json()["message"]
    r = c.get(f"/reports/{rid + 50}/pages/1.png")
    assert r.status_code == 404 and "库中没有编号为" in r.json()["message"]
    r = c.get(f"/reports/{rid}/pages/1.png", params={"highlight": "1,2,3"})
    assert r.status_code == 422 and "x0,top,x1,bottom" in r.json()["message"]
    r = c.get(f"/reports/{rid}/pages/1.png", params={"highlight": "5,5,1,1"})
    assert r.status_code == 422


def test_a_sum_cites_each_printed_cell(huaian):
    from qa_app import engine
    ans = engine.ask("淮安市人民政府2024年不予公开多少件？", settings=huaian)
    assert ans.value == 2 + 31 + 5 + 6 + 8 + 12 + 9 + 105  # the printed sub-rows of (三)不予公开
    boxes = [b for c in ans.citations for b in c.boxes]
    assert len(boxes) == 8 and all(b["page"] == 4 for b in boxes)
    assert sum(c.value for c in ans.citations) == 178


def test_table_question_loads_no_pdf_library(huaian):
    code = (
        "import sys; from qa_app import engine; from qa_app.settings import Settings;"
        f"s = Settings.load(index={str(huaian.index)!r}, narrative=False);"
        f"a = engine.ask({Q_HUAIAN!r}, settings=s); assert a.value == 454 and a.citations[0].page == 4;"
        "bad = [m for m in ('pypdfium2', 'pdfplumber', 'pdfminer', 'PIL', 'torch') if m in sys.modules];"
        "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT),
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_chat_citation_shows_the_page_with_the_box(huaian, monkeypatch):
    """Opening a citation of a PDF in the chat: the page (cut to the box, the whole page in a
    popover) beside the stored lines."""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("QA_APP_INDEX", str(huaian.index))
    monkeypatch.setenv("QA_APP_NARRATIVE", "0")
    monkeypatch.setenv("QA_APP_LLM_MODE", "none")
    monkeypatch.delenv("QA_APP_DATABASE_URL", raising=False)
    at = AppTest.from_file(str(ROOT / "qa_app" / "chat_app.py"), default_timeout=60).run()
    at.chat_input[0].set_value(Q_HUAIAN).run()
    assert not at.exception, at.exception
    exp = at.expander[0]
    assert "huaian_city_2024.pdf" in exp.label
    assert "PDF 第 4 页（红框为所引用的位置）" in [c.value for c in exp.caption]

    def kinds(node):
        for ch in (node.children.values() if isinstance(getattr(node, "children", None), dict) else []):
            yield ch.type
            yield from kinds(ch)
    found = list(kinds(exp))
    assert found.count("image") == 2 and "popover" in found  # the cut, and the whole page
    assert any("qa-source" in m.value for m in exp.markdown)  # the stored lines still beside it
