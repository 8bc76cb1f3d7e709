"""Scanned reports: text recognised on PDF pages that have no text layer, checked by the template's identities.

What it does:
- `pdf_needs_ocr(data)`: which pages of a PDF are scans (no text layer, or a large picture with
  little text on it: a page whose prose is text and whose tables are images).
- `ocr_pdf(data, path)`: renders those pages (pypdfium2), recognises their text with RapidOCR
  (rapidocr-onnxruntime: PP-OCRv4 models inside the wheel, nothing downloaded), and turns the
  words with their boxes into text lines laid out like `pdftotext -layout` (a word at the
  column of its left edge, two spaces at least between two boxes, rows in reading order after
  the page's skew is measured and taken out). Those lines go to the same table and metadata
  readers as every other layout. A page with a text layer keeps its text: a recognised line
  that lies over text-layer characters is replaced by them (the page is read both ways; the
  text layer wins where it exists).
- Proof-reading (`proofread`): the report is parsed from the recognised text and its 勾稽
  identities are run. When an identity fails, every doubtful digit of the cells it involves
  (a low recognition score, or a digit often confused: 0/8, 1/7, 3/8, 5/6 …) is tried in its
  other readings; a single reading that makes every identity hold is taken (the text is
  changed, the original reading is noted). Otherwise the doubtful cells of a failing identity
  are marked uncertain; a failing identity whose cells were all read with confidence is the
  report's own arithmetic (as on a text PDF), not the reader's doubt.
- Each line keeps its page and one box per character in PDF points, origin at the page's top
  left (the form of pdfpages.PageLine), so a cell's page and box can be cited.

What it does not do: read tables (tables.py), decide what a report is (report.py), store
anything, or download anything: the models are the ones inside the rapidocr-onnxruntime wheel.
onnxruntime, OpenCV and pypdfium2 are imported only when a scanned page is read.
"""
from __future__ import annotations

import math
import os
import re
import statistics
import sys
from dataclasses import dataclass, field

ENGINE = "rapidocr-onnxruntime"

# pairs of digits a recogniser confuses on a scan; CONFUSABLE maps a digit to its other readings
CONFUSED_PAIRS = ("08", "06", "09", "17", "14", "38", "35", "56", "68")
CONFUSABLE = {d: "".join(sorted({p[1 - p.index(d)] for p in CONFUSED_PAIRS if d in p})) for d in "0123456789"}
# a page is a scan when it has fewer text-layer characters than this ...
MIN_TEXT_CHARS = 20
# ... or when a picture with no text on it covers this share of it (a table as an image)
IMAGE_SHARE = 0.08


@dataclass
class Word:
    """One recognised box: its text, score, and box in PDF points [x0, top, x1, bottom]."""
    text: str
    score: float
    box: tuple[float, float, float, float]
    from_text_layer: bool = False


@dataclass
class OcrLine:
    """A line of the recognised text: the fields of pdfpages.PageLine (text, page, one box per
    character, None for white space), plus the words it is made of."""
    text: str
    page: int
    boxes: list = field(default_factory=list)
    words: list = field(default_factory=list)  # [(start, end, Word)] character spans in text


@dataclass
class OcrResult:
    text: str                      # pages separated by a form feed, as loaders.pdf_to_text gives
    lines: list[OcrLine]           # one per line of text (the empty line between pages included)
    pages_ocr: list[int]           # 1-based pages that were recognised
    cells: dict = field(default_factory=dict)  # "table/row/column" -> {status, read, value, page, box}
    notes: list[str] = field(default_factory=list)  # Chinese, for the index summary


# ---------------------------------------------------------------------------------------
# Which pages need it

def pdf_needs_ocr(data: bytes) -> list[int]:
    """1-based pages that are scans: fewer than MIN_TEXT_CHARS text-layer characters, or a
    picture over IMAGE_SHARE of the page with (almost) no text-layer characters on it (a
    table printed as an image beside prose as text; a scan that already carries a text layer
    is not read again). [] for an ordinary text PDF (or one pdfium cannot open: the text
    reader gives that error)."""
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw
        pdf = pdfium.PdfDocument(data)
    except Exception:
        return []
    out = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            chars = len(re.sub(r"\s", "", tp.get_text_range() or ""))
            w, h = page.get_size()
            pictures = []
            for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
                x0, y0, x1, y1 = obj.get_bounds()
                if max(0.0, min(x1, w) - max(x0, 0)) * max(0.0, min(y1, h) - max(y0, 0)) >= IMAGE_SHARE * w * h:
                    pictures.append((x0, y0, x1, y1))
            bare = False
            for x0, y0, x1, y1 in pictures:
                inside = 0
                for k in range(tp.count_chars()):
                    l, b, r, t = tp.get_charbox(k)
                    if x0 <= (l + r) / 2 <= x1 and y0 <= (b + t) / 2 <= y1:
                        inside += 1
                        if inside >= 5:
                            break
                bare = bare or inside < 5
            tp.close()
            page.close()
            if chars < MIN_TEXT_CHARS or bare:
                out.append(i + 1)
    finally:
        pdf.close()
    return out


# ---------------------------------------------------------------------------------------
# The recogniser

_ENGINE = None


def _engine():
    """The RapidOCR engine, built once per process (models from the wheel's own folder)."""
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR
        threads = int(os.environ.get("QA_APP_OCR_THREADS", "2") or 2)
        _ENGINE = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, use_cls=False,
                           text_score=0.05, print_verbose=False)
    return _ENGINE


def recognise(image) -> list[tuple[list, str, float]]:
    """A page image (PIL or numpy RGB) -> [(quad [[x,y]*4] in pixels, text, score)]: the
    detector's boxes, then the cells of ruled tables that hold ink but no detected box (a
    lone small digit in a wide cell is what the detector misses) recognised on their own."""
    import numpy as np
    arr = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)
    res, _ = _engine()(arr)
    found = [(q, t, float(s)) for q, t, s in (res or []) if t and t.strip()]
    return found + missed_cells(arr, found)


def table_cells(gray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, pixels) of the cells of ruled tables on a page image: the regions
    enclosed by long horizontal and vertical strokes (OpenCV morphology)."""
    import cv2
    import numpy as np
    h, w = gray.shape[:2]
    binv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    horiz = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1)))
    vert = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 60))))
    grid = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    if not vert.any() or not horiz.any():
        return []
    n, _, stats, _ = cv2.connectedComponentsWithStats((grid == 0).astype(np.uint8), connectivity=4)
    out = []
    for x, y, cw, ch, area in stats[1:]:
        if x <= 1 or y <= 1 or x + cw >= w - 1 or y + ch >= h - 1:
            continue  # the page around the tables
        if cw < 8 or ch < 8 or cw * ch > 0.2 * w * h or area < 0.5 * cw * ch:
            continue
        out.append((int(x), int(y), int(x + cw), int(y + ch)))
    return out


def _overlapped(ink, boxes) -> bool:
    """Whether a detected box covers a fifth of this ink's box."""
    area = max(1, (ink[2] - ink[0]) * (ink[3] - ink[1]))
    for b in boxes:
        ix = min(ink[2], b[2]) - max(ink[0], b[0])
        iy = min(ink[3], b[3]) - max(ink[1], b[1])
        if ix > 0 and iy > 0 and ix * iy > 0.2 * area:
            return True
    return False


def missed_cells(arr, found: list) -> list[tuple[list, str, float]]:
    """Table cells with ink in them and no detected box over that ink, each recognised alone."""
    import cv2
    import numpy as np
    gray = arr if arr.ndim == 2 else cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    cells = table_cells(gray)
    if not cells:
        return []
    binv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    centres = [((q[0][0] + q[2][0]) / 2, (q[0][1] + q[2][1]) / 2) for q, _, _ in found]
    boxes = [(min(p[0] for p in q), min(p[1] for p in q), max(p[0] for p in q), max(p[1] for p in q)) for q, _, _ in found]
    heights = sorted(abs(q[2][1] - q[0][1]) for q, _, _ in found) or [20]
    line_h = heights[len(heights) // 2]
    crops, where = [], []
    for x0, y0, x1, y1 in cells:
        m = 3
        ink = binv[y0 + m:y1 - m, x0 + m:x1 - m]
        if ink.size == 0 or cv2.countNonZero(ink) < 12:
            continue
        ys, xs = np.nonzero(ink)  # no opening: the one-pixel stroke of a 「1」 is all there is
        ix0, ix1, iy0, iy1 = x0 + m + xs.min(), x0 + m + xs.max() + 1, y0 + m + ys.min(), y0 + m + ys.max() + 1
        if any(x0 <= cx <= x1 and y0 <= cy <= y1 for cx, cy in centres) or _overlapped((ix0, iy0, ix1, iy1), boxes):
            continue  # the detector read something in this cell
        if iy1 - iy0 > 2.5 * line_h and iy1 - iy0 > 2.5 * (ix1 - ix0):
            continue  # a label printed one character per line: not one line of text
        pad = max(4, int(0.3 * (iy1 - iy0)))
        crop = arr[max(0, iy0 - pad):iy1 + pad, max(0, ix0 - pad):ix1 + pad]
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB)
        crops.append(np.ascontiguousarray(crop))
        where.append((ix0, iy0, ix1, iy1))
    if not crops:
        return []
    rec, _ = _engine().text_rec(crops)
    out = []
    for (x0, y0, x1, y1), (t, s) in zip(where, rec):
        if t and t.strip():
            out.append(([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], t, float(s)))
    return out


# ---------------------------------------------------------------------------------------
# Words -> lines (pure)

def skew(quads: list) -> float:
    """The page's skew in radians, from the top edges of wide boxes (median; 0 with none)."""
    angles = []
    for q in quads:
        (x0, y0), (x1, y1) = q[0], q[1]
        if x1 - x0 > 3 * abs(q[3][1] - q[0][1]) and x1 - x0 > 40:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


_NUMLIKE = re.compile(r"^[0-9OoIl|,.，]+$")
_LONE_DIGIT = re.compile(r"^[DOoQIl|]$")
_LETTER_DIGITS = str.maketrans({"D": "0", "O": "0", "o": "0", "Q": "0", "I": "1", "l": "1", "|": "1"})


def clean_word(text: str) -> str:
    """A recognised word as the readers want it: letters read inside a number put back to
    digits (O->0, l/I->1), a lone letter that looks like a digit (a table cell) read as it."""
    t = text.strip()
    if _LONE_DIGIT.match(t):  # a cell recognised alone: 「D」「O」 for 0, 「I」「l」 for 1
        return t.translate(_LETTER_DIGITS)
    if _NUMLIKE.match(t) and any(ch.isdigit() for ch in t):
        t = t.translate(str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "，": ","}))
    return t


_PAGE_NO = re.compile(r"^[-—–一_~]*\s*(\d{1,4})\s*[-—–一_~]*$")


def layout_lines(words: list[Word], page: int, page_height: float) -> list[OcrLine]:
    """Words of one page (boxes already de-skewed, in points) -> lines laid out like
    `pdftotext -layout`: rows by vertical overlap, top to bottom; in a row, each word at the
    column of its left edge (one column a half character wide), two spaces at least between
    two words. A lone number at the foot of the page is written as the marker 「- n -」."""
    if not words:
        return []
    heights = [w.box[3] - w.box[1] for w in words if w.box[3] > w.box[1]]
    ch = statistics.median(heights) if heights else 10.0
    col = max(1.0, ch / 2)  # a digit's width: a Chinese character takes two columns, as in -layout
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        cy = (w.box[1] + w.box[3]) / 2
        if rows:
            last = rows[-1]
            top = statistics.median(x.box[1] for x in last)
            bottom = statistics.median(x.box[3] for x in last)
            overlap = min(bottom, w.box[3]) - max(top, w.box[1])
            if overlap > 0.5 * min(bottom - top, w.box[3] - w.box[1]) or abs(cy - (top + bottom) / 2) < 0.3 * ch:
                last.append(w)
                continue
        rows.append([w])
    out: list[OcrLine] = []
    for k, row in enumerate(rows):
        row.sort(key=lambda w: w.box[0])
        text, boxes, spans = "", [], []
        for w in row:
            t = clean_word(w.text)
            if not t:
                continue
            if t in ("一", "丨") and (w.box[3] - w.box[1]) > 1.3 * (w.box[2] - w.box[0]):
                t = "1"  # a 「1」 read as 「一」: its ink is tall and narrow (a dash 「—」 for a blank is flat)
            at = int(round(w.box[0] / col))
            pad = max(at - len(_width(text)), 2 if text else 0)
            text += " " * pad
            boxes += [None] * pad
            start = len(text)
            text += t
            cw = (w.box[2] - w.box[0]) / max(1, len(t))
            boxes += [None if c.isspace() else (round(w.box[0] + i * cw, 2), round(w.box[1], 2),
                                                round(w.box[0] + (i + 1) * cw, 2), round(w.box[3], 2))
                      for i, c in enumerate(t)]
            spans.append((start, len(text), w))
        m = _PAGE_NO.match(text.strip())
        if m and k == len(rows) - 1 and row[0].box[1] > 0.85 * page_height and len(row) == 1:
            text, boxes, spans = f"- {m.group(1)} -", [None] * len(f"- {m.group(1)} -"), []
        out.append(OcrLine(text, page, boxes, spans))
    return out


def _width(text: str) -> str:
    """`text` with each wide (CJK) character counted twice: the columns it takes."""
    return "".join(c + (" " if ord(c) > 0x2E7F else "") for c in text)


def deskew_words(raw: list, scale: float, size: tuple[float, float]) -> list[Word]:
    """Recogniser output in pixels -> Words in PDF points, rotated about the page centre by
    the page's measured skew so that a row of a table is one line again."""
    a = -skew([q for q, _, _ in raw])
    cx, cy = size[0] * scale / 2, size[1] * scale / 2
    ca, sa = math.cos(a), math.sin(a)
    words = []
    for q, t, s in raw:
        pts = [((x - cx) * ca - (y - cy) * sa + cx, (x - cx) * sa + (y - cy) * ca + cy) for x, y in q]
        xs, ys = [p[0] / scale for p in pts], [p[1] / scale for p in pts]
        words.append(Word(t, s, (min(xs), min(ys), max(xs), max(ys))))
    return words


# ---------------------------------------------------------------------------------------
# Text layer beside the pictures (a page partly scanned)

def text_layer_words(page) -> list[Word]:
    """The text-layer characters of a pypdfium2 page, grouped into words by line and gap, in
    points from the top left."""
    tp = page.get_textpage()
    h = page.get_height()
    chars = []
    for i in range(tp.count_chars()):
        c = tp.get_text_range(i, 1)
        if not c or c.isspace():
            chars.append((" ", None))  # a space in the text layer ends a word
            continue
        l, b, r, t = tp.get_charbox(i, loose=True)
        chars.append((c, (l, h - t, r, h - b)))
    tp.close()
    words: list[Word] = []
    after_space = True
    for c, box in chars:
        if box is None:
            after_space = True
            continue
        joined = False
        if words and not after_space:
            w = words[-1]
            same_line = abs((w.box[1] + w.box[3]) / 2 - (box[1] + box[3]) / 2) < 0.5 * (box[3] - box[1])
            joined = same_line and -1 <= box[0] - w.box[2] < 1.5 * (box[3] - box[1])
        after_space = False
        if joined:
            w = words[-1]
            w.text += c
            w.box = (w.box[0], min(w.box[1], box[1]), box[2], max(w.box[3], box[3]))
            continue
        words.append(Word(c, 1.0, box, from_text_layer=True))
    return words


def merge_layers(ocr_words: list[Word], layer: list[Word]) -> list[Word]:
    """Both readings of one page: every text-layer word, and the recognised words that lie over
    no text-layer character (the pictures)."""
    def covered(w: Word) -> bool:
        for t in layer:
            ix = min(w.box[2], t.box[2]) - max(w.box[0], t.box[0])
            iy = min(w.box[3], t.box[3]) - max(w.box[1], t.box[1])
            if ix > 0 and iy > 0 and ix * iy > 0.3 * (t.box[2] - t.box[0]) * (t.box[3] - t.box[1]):
                return True
        return False
    return list(layer) + [w for w in ocr_words if not covered(w)]


# ---------------------------------------------------------------------------------------
# The whole file

def load_scanned(path, data: bytes, sha: str, pages: list[int]):
    """loaders.load for a PDF with scanned pages: a Loaded of source format "pdf-ocr" whose
    `ocr` holds the engine, the recognised pages, each recognised cell's status, page and box,
    and the notes. Raises loaders.InputError when the recogniser is missing or reads nothing."""
    from pathlib import Path

    from .loaders import InputError, Loaded, pdf_to_text
    from .settings import Settings
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        raise InputError(path, "PDF 没有文字层（扫描件），需要文字识别组件 rapidocr-onnxruntime"
                               "（pip install rapidocr-onnxruntime），或用 --no-ocr 跳过")
    layer = None
    import pypdfium2 as pdfium
    n = len(pdfium.PdfDocument(data))
    if len(pages) < n:  # pages with a text layer are read as every text PDF is
        try:
            layer = pdf_to_text(data, path).split("\n\f")
        except InputError:
            layer = None
    settings = Settings.load()
    result = ocr_pdf(data, pages, dpi=settings.ocr_dpi, name=Path(path).name, layer_pages=layer)
    if len(re.sub(r"\s", "", result.text)) < MIN_TEXT_CHARS:
        raise InputError(path, "PDF 没有文字层（可能是扫描件或图片），文字识别（OCR）也没有认出文字")
    notes = [f"第 {'、'.join(map(str, result.pages_ocr))} 页是扫描件，已用文字识别（OCR）读取"] + result.notes
    info = {"engine": ENGINE, "pages": result.pages_ocr, "cells": result.cells, "notes": notes,
            "line_pages": [l.page for l in result.lines if l.text != "\f"]}
    return Loaded(Path(path), result.text, "pdf-ocr", sha, warnings=notes, ocr=info)


def ocr_pdf(data: bytes, pages: list[int] | None = None, dpi: int = 200, progress: bool | None = None,
            name: str = "", layer_pages: list[str] | None = None, recogniser=None) -> OcrResult:
    """Read a PDF whose `pages` (1-based; all when None) are scans: those pages recognised
    (the text layer of a partly scanned page kept where it exists), the others taken from
    `layer_pages` (their text as loaders.pdf_to_text gives it) or else from their text layer;
    then proof-read by the identities. `progress`: a bar per page on stderr (None: when
    stderr is a terminal). `recogniser`: image -> [(quad, text, score)] (default `recognise`;
    bench/ocr_engines.py passes Tesseract's)."""
    import pypdfium2 as pdfium
    recogniser = recogniser or recognise
    pdf = pdfium.PdfDocument(data)
    todo = set(pages) if pages is not None else set(range(1, len(pdf) + 1))
    bar = None
    if progress is not False:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), desc=f"文字识别 {name}".strip(), unit="页", file=sys.stderr, dynamic_ncols=True,
                   leave=False, disable=None if progress is None else False)
    all_lines: list[OcrLine] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            size = page.get_size()
            if all_lines:
                all_lines.append(OcrLine("\f", 0, [None]))
            if i + 1 not in todo and layer_pages is not None and i < len(layer_pages):
                all_lines += [OcrLine(t, i + 1, [None] * len(t)) for t in layer_pages[i].split("\n")]
                page.close()
                continue
            layer = text_layer_words(page)
            if i + 1 in todo:
                scale = dpi / 72
                image = page.render(scale=scale, grayscale=True).to_pil()
                words = merge_layers(deskew_words(recogniser(image), scale, size), layer)
                if bar is not None:
                    bar.update(1)
            else:
                words = layer
            page.close()
            all_lines += layout_lines(words, i + 1, size[1])
    finally:
        if bar is not None:
            bar.close()
        pdf.close()
    text = "\n".join(l.text for l in all_lines).replace("\n\f\n", "\n\f")
    result = OcrResult(text, all_lines, sorted(todo))
    proofread(result)
    return result


# ---------------------------------------------------------------------------------------
# Proof-reading by the identities

def _alternatives(word: str) -> list[str]:
    """Other readings of a number: one digit at a time swapped for a digit it is confused with."""
    out = []
    for k, ch in enumerate(word):
        for alt in CONFUSABLE.get(ch, ""):
            cand = word[:k] + alt + word[k + 1:]
            if cand != word and not (cand[0] == "0" and len(cand) > 1 and cand[1].isdigit()):
                out.append(cand)
    return out


def _num_words(result: OcrResult, line_no: int) -> list[tuple[int, int, int, Word]]:
    """(line index, start, end, word) of the recognised numbers on a 1-based stored line."""
    out = []
    stored = _stored_lines(result)
    if not 1 <= line_no <= len(stored):
        return out
    li = stored[line_no - 1]
    if li is None:
        return out
    line = result.lines[li]
    for start, end, w in line.words:
        t = line.text[start:end]
        if re.fullmatch(r"\d[\d,]*(\.\d+)?", t) and not w.from_text_layer:
            out.append((li, start, end, w))
    return out


def _stored_lines(result: OcrResult) -> list:
    """Index into result.lines of each line of the stored text (the form feed's line: None)."""
    out = []
    for k, l in enumerate(result.lines):
        out.append(None if l.text == "\f" else k)
    return out


def _value(t: str):
    t = t.replace(",", "")
    return float(t) if "." in t else int(t)


def _failing(text: str) -> tuple[set, list]:
    from .report import parse_report
    parsed = parse_report(text, "ocr")
    return {c.check + "/" + c.subject for c in parsed.checks if not c.ok}, parsed


def _join(result: OcrResult) -> str:
    return "\n".join(l.text for l in result.lines).replace("\n\f\n", "\n\f")


def _instances(parsed) -> list[tuple[str, bool, set]]:
    """(check/subject, ok, printed cells (table, row, column)) of every evaluated identity; a
    group's derived sum stands for the printed sub-rows it adds up."""
    printed = {(c.table, c.row, c.column) for c in parsed.tables.cells if not c.derived and c.value is not None}
    out = []
    for chk in parsed.checks:
        keys = set()
        for cell in chk.cells:
            k = (chk.table, cell["row"], cell["column"])
            if cell.get("derived"):
                keys |= {p for p in printed if p[0] == k[0] and p[2] == k[2] and p[1].startswith(k[1] + ".")}
            elif k in printed:
                keys.add(k)
        out.append((chk.check + "/" + chk.subject, chk.ok, keys))
    return out


def suspects(parsed) -> set:
    """Printed cells that break an identity and are vouched for by none: in a failing identity
    and in no identity that holds."""
    inst = _instances(parsed)
    good = set().union(*[k for _, ok, k in inst if ok]) if inst else set()
    bad = set().union(*[k for _, ok, k in inst if not ok]) if inst else set()
    return bad - good


def _cell_words(result: OcrResult, cell) -> list[tuple[int, int, int, Word]]:
    """The recognised number words that may be `cell`: on its lines, with its value."""
    out = []
    for ln in range(cell.lines[0], cell.lines[1] + 1):
        for li, start, end, w in _num_words(result, ln):
            if _value(result.lines[li].text[start:end]) == cell.value:
                out.append((li, start, end, w))
    return out


MAX_TRIALS = 400  # re-parses per report while proof-reading (each ~10 ms)


def proofread(result: OcrResult) -> None:
    """Check the recognised tables by the identities (see the module docstring): where exactly
    one reading of one doubtful digit of a suspect cell (suspects()) makes the identities it
    breaks hold, and breaks none, that reading is taken (`result.text` and `result.lines`
    change, `result.notes` says so); suspects left are marked uncertain. Fills `result.cells`
    with each recognised cell's page, box and status: "ocr", "corrected" or "uncertain"."""
    from .report import NotAReport
    try:
        failing, parsed = _failing(result.text)
    except NotAReport:
        return
    corrected: dict[tuple[int, int], str] = {}
    trials = 0
    while failing and trials < MAX_TRIALS:
        sus = suspects(parsed)
        cells = [c for c in parsed.tables.cells if (c.table, c.row, c.column) in sus]
        options = []
        for cell in cells:
            for li, start, end, w in _cell_words(result, cell):
                line = result.lines[li]
                read = line.text[start:end]
                for alt in _alternatives(read):
                    trials += 1
                    old = line.text
                    line.text = old[:start] + alt + old[end:]
                    try:
                        still, _ = _failing(_join(result))
                    except NotAReport:
                        still = failing
                    line.text = old
                    if len(still) < len(failing) and not (still - failing):
                        options.append((len(failing) - len(still), li, start, end, read, alt))
        if not options:
            break
        best = max(o[0] for o in options)
        top = [o for o in options if o[0] == best]
        if len({(o[1], o[2]) for o in top}) != 1 or len(top) != 1:
            break  # two readings do as well: the identities cannot tell which, take neither
        _, li, start, end, read, alt = top[0]
        line = result.lines[li]
        line.text = line.text[:start] + alt + line.text[end:]
        result.text = _join(result)
        failing, parsed = _failing(result.text)
        corrected[(li, start)] = read
        result.notes.append(f"第 {line.page} 页识别为「{read}」的数字不满足勾稽关系，按唯一能使其成立的读法取「{alt}」")
    sus = suspects(parsed) if failing else set()
    used: set = set()  # each word is one cell: a row's cells (in column order) take its words left to right
    for c in parsed.tables.cells:
        if c.derived or c.value is None:
            continue
        hits = [h for h in _cell_words(result, c) if (h[0], h[1]) not in used]
        if not hits:
            continue
        li, start, end, w = hits[0]
        used.add((li, start))
        key = (c.table, c.row, c.column)
        status = "corrected" if (li, start) in corrected else "uncertain" if key in sus else "ocr"
        line = result.lines[li]
        boxes = [b for b in line.boxes[start:end] if b]
        box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
        result.cells["/".join(key)] = {
            "status": status, "read": corrected.get((li, start), line.text[start:end]), "value": c.value,
            "score": round(w.score, 3), "page": line.page, "box": [round(x, 2) for x in box]}
    n_unc = sum(1 for v in result.cells.values() if v["status"] == "uncertain")
    if n_unc:
        result.notes.append(f"扫描件中有 {n_unc} 个数字不确定：不满足勾稽关系，也没有唯一的读法能使其成立（可能是识别有误，也可能是报告本身的数字不符，请对照原件）")
