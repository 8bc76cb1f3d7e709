"""Scanned reports (qa_app/ocr.py): image-only PDFs made from ../shared/realworld read back by OCR.

What it covers:
- the pure parts on hand-made words: a row of numbers stays one line with every number apart,
  a page turned 1 degree is put straight, a page number becomes a page marker, readings of a
  digit;
- proof-reading by the 勾稽 identities on a real report's -layout text given as recognised
  words: a doubtful digit read as the one reading that makes the identities hold (noted), a
  misreading no single reading fixes marked uncertain, a report that adds up left alone;
- end to end, through `qa-app index` (the loader's hook, the indexer, the side store): scans at
  150 dpi (all pages), 300 dpi (the section 三 page) and 150 dpi turned 1 degree with noise
  (sections 三 and 四), each giving body, year and at least 98% of the cells right with every
  miss marked uncertain; each cell's page and box; the report flagged "pdf-ocr"; `--no-ocr`
  refusing the file; a page whose prose is text and whose table is a picture read both ways.
OCR is slow on two cores: the scans cover 9 pages in all (about a minute and a half).
What it does not cover: engine comparison and speed (bench/ocr_engines.py, docs/ocr.md).
"""
from __future__ import annotations

import io
import json
import math
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime")
pytest.importorskip("pypdfium2")

from click.testing import CliRunner  # noqa: E402

from qa_app import ocr  # noqa: E402
from qa_app.cli import main  # noqa: E402
from qa_app.report import parse_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "realworld").is_dir()),
              ROOT.parent / "shared")
REAL = SHARED / "realworld"
H2024 = REAL / "huaian_hongze_2024.pdf"


def need_real():
    if not H2024.exists():
        pytest.skip(f"没有真实报告 {H2024}（shared/realworld 不在仓库旁边），跳过")


def truth_cells(name: str) -> dict:
    truth = json.loads((REAL / "truth" / f"{name}.json").read_text(encoding="utf-8"))
    return {(t, r, c): v for t in ("proactive", "applications", "review_litigation")
            for r, cols in truth.get(t, {}).items() for c, v in cols.items()}


def scan(src: Path, pages: list[int], dpi: int, rotate: float = 0.0, noise: float = 0.0) -> bytes:
    """An image-only PDF of `src`'s pages as a scanner makes it: grey pictures at `dpi`."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image
    pdf = pdfium.PdfDocument(str(src))
    imgs = []
    for i in pages:
        img = pdf[i - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        if rotate:
            img = img.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor=255)
        if noise:
            rng = np.random.default_rng(i)
            a = np.asarray(img).astype("int16") + rng.normal(0, noise, (img.height, img.width)).astype("int16")
            img = Image.fromarray(a.clip(0, 255).astype("uint8"))
        imgs.append(img)
    out = io.BytesIO()
    imgs[0].save(out, format="PDF", save_all=True, append_images=imgs[1:], resolution=dpi)
    return out.getvalue()


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"QA_APP_NARRATIVE": "0"}, catch_exceptions=False)


# ---------------------------------------------------------------------------------------
# Pure parts

def W(text, x0, top, x1, bottom, score=1.0):
    return ocr.Word(text, score, (x0, top, x1, bottom))


def test_a_row_of_numbers_is_one_line_with_every_number_apart():
    words = [W("（一）予以公开", 60, 100, 150, 112), W("1288", 260, 101, 280, 111), W("21", 300, 100, 310, 112),
             W("0", 340, 102, 345, 110), W("0", 378, 101, 383, 111), W("50", 420, 100, 430, 112),
             W("3", 462, 101, 467, 111), W("1362", 495, 100, 515, 112),
             W("二、上年结转政府信息公开申请数量", 60, 130, 200, 142), W("34", 260, 131, 270, 141)]
    lines = ocr.layout_lines(words, 4, 842)
    assert [l.text.split() for l in lines] == [["（一）予以公开", "1288", "21", "0", "0", "50", "3", "1362"],
                                               ["二、上年结转政府信息公开申请数量", "34"]]
    # each character keeps its box, on page 4
    first = lines[0]
    at = first.text.index("1362")
    assert first.page == 4
    assert first.boxes[at][0] == 495 and first.boxes[at + 3][2] == 515
    assert first.boxes[at - 1] is None


def test_a_page_turned_one_degree_is_put_straight():
    a = math.radians(1.0)
    # three cells of one table row 400 points apart, the page turned 1 degree about its centre
    raw = []
    cx, cy = 297.5, 421
    for x, t in ((60, "（七）总计"), (260, "95"), (480, "95")):
        quad = []
        for px, py in ((x, 500), (x + 60, 500), (x + 60, 512), (x, 512)):
            dx, dy = px - cx, py - cy
            quad.append([dx * math.cos(a) - dy * math.sin(a) + cx, dx * math.sin(a) + dy * math.cos(a) + cy])
        raw.append((quad, t, 0.99))
    # a long prose line gives the skew
    quad = []
    for px, py in ((60, 200), (540, 200), (540, 212), (60, 212)):
        dx, dy = px - cx, py - cy
        quad.append([dx * math.cos(a) - dy * math.sin(a) + cx, dx * math.sin(a) + dy * math.cos(a) + cy])
    raw.append((quad, "全年共收到政府信息公开申请九十五件", 0.99))
    assert abs(math.degrees(ocr.skew([q for q, _, _ in raw])) - 1.0) < 0.05
    lines = ocr.layout_lines(ocr.deskew_words(raw, 1.0, (595, 842)), 1, 842)
    assert [l.text.split() for l in lines] == [["全年共收到政府信息公开申请九十五件"], ["（七）总计", "95", "95"]]


def test_page_number_at_the_foot_is_a_marker_and_letters_in_numbers_are_digits():
    words = [W("3O1", 260, 400, 280, 412), W("-4-", 290, 800, 305, 812)]
    assert [l.text.strip() for l in ocr.layout_lines(words, 1, 842)] == ["3O1".replace("O", "0"), "- 4 -"]
    assert ocr.clean_word("l2") == "12" and ocr.clean_word("自然人") == "自然人"
    # a 「1」 alone in a cell read as 「一」 (tall ink) is 1; a flat 「一」 (a dash for a blank) is not
    row = [W("5.要求行政机关确认", 60, 100, 150, 112), W("1", 260, 100, 264, 112), W("一", 495, 100, 499, 112),
           W("一", 530, 105, 542, 107)]
    assert ocr.layout_lines(row, 1, 842)[0].text.split() == ["5.要求行政机关确认", "1", "1", "一"]


def test_readings_of_a_digit():
    assert ocr.CONFUSABLE["0"] == "689" and ocr.CONFUSABLE["2"] == ""
    assert set(ocr._alternatives("95")) == {"93", "96"}  # 9 -> 0 would give 05: no number starts with 0
    assert "08" not in ocr._alternatives("00")  # no number with a leading zero
    assert set(ocr._alternatives("0")) == {"8", "6", "9"}


# ---------------------------------------------------------------------------------------
# Proof-reading on a real report's text, given as recognised words

def as_recognised(text: str, read: dict[tuple[int, int], tuple[str, float]] | None = None) -> ocr.OcrResult:
    """A -layout text as an OcrResult: each run of non-spaces one word (score 0.99, a box from
    its columns); `read` replaces the k-th word of a line (0-based line, word) by another reading."""
    import re
    lines = []
    for i, t in enumerate(text.split("\n")):
        if t == "\f":
            lines.append(ocr.OcrLine("\f", 0, [None]))
            continue
        words = []
        out = t
        for k, m in enumerate(re.finditer(r"\S+", t)):
            s = m.group(0)
            score = 0.99
            if read and (i, k) in read:
                s, score = read[(i, k)]
                out = out[:m.start()] + s + out[m.end():]
            words.append((m.start(), m.start() + len(s), ocr.Word(s, score, (m.start() * 5.0, i * 10.0, m.end() * 5.0, i * 10.0 + 8))))
        boxes = [None if c == " " else (0.0, i * 10.0, 1.0, i * 10.0 + 8) for c in out]
        lines.append(ocr.OcrLine(out, 1, boxes, words))
    return ocr.OcrResult("\n".join(l.text for l in lines).replace("\n\f\n", "\n\f"), lines, [1])


def layout_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext（apt 包 poppler-utils）")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()


def find_word(text: str, line_start: str, k: int) -> tuple[int, int]:
    for i, t in enumerate(text.split("\n")):
        if t.strip().startswith(line_start):
            return i, k
    raise AssertionError(line_start)


def test_a_doubtful_digit_is_read_as_the_one_reading_that_adds_up():
    need_real()
    text = layout_text(H2024).replace("\f", "\n\f\n")
    # (七)总计 自然人 is 95: recognised as 96
    at = find_word(text, "（七）总计", 1)
    res = as_recognised(text, {at: ("96", 0.71)})
    assert parse_report(res.text, "x").tables.get("applications", "total", "natural_person").value == 96
    ocr.proofread(res)
    cells = parse_report(res.text, "x").tables
    assert cells.get("applications", "total", "natural_person").value == 95
    assert res.cells["applications/total/natural_person"]["status"] == "corrected"
    assert res.cells["applications/total/natural_person"]["read"] == "96"
    assert any("「96」" in n and "「95」" in n for n in res.notes)
    assert all(v["status"] != "uncertain" for v in res.cells.values())


def test_a_misreading_no_single_reading_fixes_is_marked_uncertain():
    need_real()
    text = layout_text(H2024).replace("\f", "\n\f\n")
    at = find_word(text, "（七）总计", 1)
    res = as_recognised(text, {at: ("92", 0.6)})  # 2 is confused with nothing: no reading of one digit gives 95
    ocr.proofread(res)
    assert parse_report(res.text, "x").tables.get("applications", "total", "natural_person").value == 92
    assert res.cells["applications/total/natural_person"]["status"] == "uncertain"
    assert res.cells["applications/granted/natural_person"]["status"] == "ocr"
    assert any("不确定" in n for n in res.notes)


def test_a_report_that_adds_up_is_left_alone():
    need_real()
    text = layout_text(H2024).replace("\f", "\n\f\n")
    res = as_recognised(text)
    before = res.text
    ocr.proofread(res)
    assert res.text == before and res.notes == []
    assert len(res.cells) == 186 and {v["status"] for v in res.cells.values()} == {"ocr"}


# ---------------------------------------------------------------------------------------
# End to end: image-only PDFs through `qa-app index`

def index_scan(tmp_path: Path, name: str, data: bytes, *extra) -> tuple[Path, object]:
    pdf = tmp_path / name
    pdf.write_bytes(data)
    index = tmp_path / "index"
    res = cli("index", "--no-narrative", "-q", "--index", index, *extra, pdf)
    return index, res


def stored(index: Path, name: str):
    db = sqlite3.connect(index / "facts.sqlite")
    rid, agency, year, fmt, warnings = db.execute(
        "select id, agency, year, source_format, warnings from reports where file_name = ?", (name,)).fetchone()
    facts = {(t, r, c): v for t, r, c, v in db.execute(
        "select tbl, row, col, value from facts where report_id = ? and not derived", (rid,))}
    facts = {k: (int(v) if v is not None and float(v).is_integer() else v) for k, v in facts.items()}
    ocr_cells = {(t, r, c): (s, p, json.loads(b)) for t, r, c, s, p, b in db.execute(
        "select tbl, row, col, status, page, box from ocr_cells where report_id = ?", (rid,))}
    return agency, year, fmt, json.loads(warnings), facts, ocr_cells


def score(expected: dict, facts: dict, ocr_cells: dict) -> tuple[int, list]:
    """(cells right, misses not marked uncertain) of the expected cells."""
    right = sum(1 for k, v in expected.items() if facts.get(k, "missing") == v)
    unmarked = [k for k, v in expected.items() if k in facts and facts[k] != v and ocr_cells.get(k, ("",))[0] != "uncertain"]
    return right, unmarked


def test_scan_at_150_dpi_reads_body_year_and_cells(tmp_path):
    need_real()
    index, res = index_scan(tmp_path, "洪泽区2024扫描件.pdf", scan(H2024, [1, 2, 3, 4], 150))  # page 5 holds prose only
    assert res.exit_code == 0, res.output
    agency, year, fmt, warnings, facts, cells = stored(index, "洪泽区2024扫描件.pdf")
    assert (agency, year, fmt) == ("淮安市洪泽区人民政府", 2024, "pdf-ocr")
    expected = truth_cells("huaian_hongze_2024")
    right, unmarked = score(expected, facts, cells)
    assert right >= 0.98 * len(expected) and unmarked == [], (right, unmarked)
    assert any("扫描件" in w for w in warnings)
    # each cell's page and box: (七)总计 自然人 (95) is on page 4, in the table's left half
    status, page, box = cells[("applications", "total", "natural_person")]
    assert page == 4 and status in ("ocr", "corrected")
    assert 300 < box[0] < box[2] < 345 and 0 < box[1] < box[3] < 842  # the 自然人 column at x ≈ 320-332
    status, page, box = cells[("review_litigation", "review", "upheld")]
    assert page == 4
    # an answer from these cells says they were read from a scan
    from qa_app import ask
    from qa_app.settings import Settings
    ans = ask("洪泽区2024年本年新收政府信息公开申请多少件？",
              settings=Settings.load(index=index, narrative=False, database_url="", llm_mode="none"))
    assert ans.value == 95 and "数字来自扫描件的文字识别（OCR）：洪泽区2024扫描件.pdf" in ans.answer


def test_no_ocr_refuses_the_scan(tmp_path):
    need_real()
    index, res = index_scan(tmp_path, "扫描件.pdf", scan(H2024, [1], 100), "--no-ocr")
    assert res.exit_code == 1
    assert "没有文字层" in res.stderr and "--no-ocr" in res.stderr


def test_scan_at_300_dpi_of_the_section_three_page(tmp_path):
    need_real()
    index, res = index_scan(tmp_path, "洪泽区2023第3页.pdf", scan(REAL / "huaian_hongze_2023.pdf", [3], 300))
    assert res.exit_code == 0, res.output
    _, _, fmt, _, facts, cells = stored(index, "洪泽区2023第3页.pdf")
    assert fmt == "pdf-ocr"
    expected = {k: v for k, v in truth_cells("huaian_hongze_2023").items() if k in facts}
    # page 3 holds section 三 from its header to 不予处理: 14 rows of 7 at least
    assert len(expected) >= 98
    right, unmarked = score(expected, facts, cells)
    assert right >= 0.98 * len(expected) and unmarked == [], (right, unmarked)


def test_scan_turned_one_degree_with_noise(tmp_path):
    need_real()
    index, res = index_scan(tmp_path, "洪泽区2024歪斜.pdf", scan(H2024, [3, 4], 150, rotate=1.0, noise=12.0))
    assert res.exit_code == 0, res.output
    _, _, _, _, facts, cells = stored(index, "洪泽区2024歪斜.pdf")
    expected = {k: v for k, v in truth_cells("huaian_hongze_2024").items() if k[0] != "proactive"}
    assert len(expected) == 186 - 10  # section 二 (10 cells) is on page 2
    right, unmarked = score(expected, facts, cells)
    assert right >= 0.98 * len(expected) and unmarked == [], (right, unmarked)


def test_a_page_with_prose_as_text_and_the_table_as_a_picture(tmp_path):
    """Page 4 of the 2024 report rebuilt: its prose as a text layer, its section 四 table as a picture."""
    need_real()
    pytest.importorskip("reportlab")
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    page = pdfium.PdfDocument(str(H2024))[3]
    # the section 四 table: between its heading and section 五 (found in the text layer)
    tp = page.get_textpage()
    text = tp.get_text_range()
    h = page.get_height()

    def top_of(word):
        i = text.index(word)
        return h - tp.get_charbox(i)[3]
    t0, t1 = top_of("四、政府信息公开行政复议") + 14, top_of("五、存在的主要问题") - 4
    img = page.render(scale=200 / 72, grayscale=True).to_pil().crop((0, int(t0 * 200 / 72), int(595 * 200 / 72),
                                                                        int(t1 * 200 / 72)))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = tmp_path / "半扫描.pdf"
    c = canvas.Canvas(str(out), pagesize=(595, 842))
    c.setFont("STSong-Light", 14)
    c.drawString(60, 800, "淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    c.drawString(60, 770, "四、政府信息公开行政复议、行政诉讼情况")
    c.drawImage(ImageReader(img), 0, 842 - t1 + (t0 - 100), width=595, height=t1 - t0)
    c.drawString(60, 842 - t1 + (t0 - 100) - 30, "五、存在的主要问题及改进情况")
    c.drawString(60, 842 - t1 + (t0 - 100) - 55, "全区政府信息公开工作虽取得一定成绩。")
    c.save()
    assert ocr.pdf_needs_ocr(out.read_bytes()) == [1]
    index, res = index_scan(tmp_path, out.name, out.read_bytes())
    assert res.exit_code == 0, res.output
    agency, year, fmt, _, facts, cells = stored(index, out.name)
    assert (agency, year, fmt) == ("淮安市洪泽区人民政府", 2024, "pdf-ocr")
    review = {k: v for k, v in truth_cells("huaian_hongze_2024").items() if k[0] == "review_litigation"}
    assert {k: facts.get(k) for k in review} == review
    db = sqlite3.connect(index / "facts.sqlite")
    stored_text = db.execute("select text from reports").fetchone()[0]
    assert "全区政府信息公开工作虽取得一定成绩。" in stored_text  # the prose from its text layer, exactly


def test_recognition_needs_no_network(tmp_path):
    """The models are inside the wheel: recognition runs in a network namespace with no
    network at all (unshare -n), on a picture of a table row."""
    import os
    import sys
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("unshare -n 不可用（需要 root 或用户命名空间），跳过断网测试")
    from PIL import Image, ImageDraw, ImageFont
    font = next((p for p in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") if Path(p).exists()), None)
    if font is None:
        pytest.skip("没有可用的字体")
    img = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(img).text((20, 30), "1288   21   0   50   1362", fill=0, font=ImageFont.truetype(font, 40))
    img.save(tmp_path / "row.png")
    code = ("import sys, json; from PIL import Image; from qa_app import ocr; "
            f"print(json.dumps([t for _, t, _ in ocr.recognise(Image.open({str(tmp_path / 'row.png')!r}))]))")
    res = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert "".join(json.loads(res.stdout.strip().splitlines()[-1])).replace(" ", "") == "128821050" "1362"
