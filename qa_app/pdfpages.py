"""PDF pages read once, with positions: the lines of text every reader sees, and each character's box.

What it does:
- `read_pages(data, path)` is the one pass over a PDF (pypdfium2): for every page the
  characters with their boxes and the ruling lines, laid out into the same lines of text that
  pdfplumber gives (its own layout and table-finding functions run over pypdfium2's objects,
  so no second parse through pdfminer): ruled tables (two or more columns) as tab-separated
  rows, the text between them as pdfplumber lays it out, a bare page number at the foot of a
  page written as the marker 「- n -」. It returns `PageLine`s: text, 1-based page, and one box
  per character (None for white space and markers). Text from OCR (a scanned page) can feed
  the same structure: `PageLine`s are all the loader needs.
- `line_runs(lines)` packs each line's boxes into word runs [start, end, x0, top, x1, bottom]
  (what the side store keeps; a cell's box is its word's run, a sentence's the runs it spans).
- `render_page(path, page, dpi, highlights)` draws one page as PNG with boxes drawn on it.

Boxes are [x0, top, x1, bottom] in PDF points, origin at the page's top left, as pdfplumber
measures (a character's top is its bottom minus the font size).

What it does not do: read tables into numbers (tables.py), decide what is a report, or store
anything. pypdfium2 is imported only here and only when a PDF is read or a page drawn.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Callable

Box = tuple[float, float, float, float]


@dataclass
class PageLine:
    text: str
    page: int                                   # 1-based; 0 for a line that belongs to no page
    boxes: list[Box | None] = field(default_factory=list)  # one per character of text


class PdfReadError(Exception):
    """The PDF cannot be opened or read: `kind` is "password", "truncated" or "corrupt"."""

    def __init__(self, kind: str, detail: str = ""):
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")


# ---------------------------------------------------------------------------------------
# A page as pdfplumber's table finder and text layout want it (duck-typed Page)

class _Page:
    """The part of pdfplumber's Page that its TableFinder, Table.extract and text layout use:
    chars, edges, bbox, filter, extract_text, find_tables."""

    def __init__(self, chars: list[dict], edges: list[dict], bbox: tuple[float, float, float, float]):
        self.chars = chars
        self.edges = edges
        self.bbox = bbox
        self.width = bbox[2] - bbox[0]
        self.height = bbox[3] - bbox[1]

    def filter(self, keep: Callable[[dict], bool]) -> "_Page":
        return _Page([c for c in self.chars if keep(c)], [e for e in self.edges if keep(e)], self.bbox)

    def textmap(self) -> list[tuple[str, dict | None]]:
        """page.extract_text() of pdfplumber, character by character with the char it came from."""
        if not self.chars:
            return []
        from pdfplumber.utils.text import chars_to_textmap
        tm = chars_to_textmap(self.chars, layout_bbox=self.bbox, layout_width=self.width, layout_height=self.height)
        return tm.tuples

    def find_tables(self) -> list:
        if not self.edges:
            return []
        from pdfplumber.table import TableFinder
        return TableFinder(self).tables


def _cell_chars_text(chars: list[dict]) -> list[tuple[str, dict | None]]:
    """pdfplumber.utils.extract_text(chars) (the text of one table cell), character by character."""
    from pdfplumber.utils.text import (DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, WordExtractor, cluster_objects,
                                       get_line_cluster_key)
    ex = WordExtractor()
    words = ex.extract_words(chars, return_chars=True)
    lines = cluster_objects(words, get_line_cluster_key(ex.line_dir),
                            DEFAULT_Y_TOLERANCE if ex.line_dir in ("ttb", "btt") else DEFAULT_X_TOLERANCE)
    out: list[tuple[str, dict | None]] = []
    for li, line in enumerate(lines):
        if li:
            out.append(("\n", None))
        for wi, w in enumerate(line):
            if wi:
                out.append((" ", None))
            wchars = w.get("chars") or []
            if "".join(c["text"] for c in wchars) == w["text"]:
                out.extend((c["text"], c) for c in wchars)
            else:  # expanded ligatures and the like: the word's box for each character
                box = {"x0": w["x0"], "top": w["top"], "x1": w["x1"], "bottom": w["bottom"]}
                out.extend((ch, box) for ch in w["text"])
    return out


def _box(c: dict | None) -> Box | None:
    if c is None:
        return None
    return (round(c["x0"], 2), round(c["top"], 2), round(c["x1"], 2), round(c["bottom"], 2))


def _split_lines(pairs: list[tuple[str, dict | None]], page: int) -> list[PageLine]:
    out: list[PageLine] = []
    text: list[str] = []
    boxes: list[Box | None] = []
    for ch, c in pairs:
        if ch == "\n":
            out.append(PageLine("".join(text), page, boxes))
            text, boxes = [], []
            continue
        text.append(ch)
        boxes.append(_box(c) if not ch.isspace() else None)
    out.append(PageLine("".join(text), page, boxes))
    return out


# ---------------------------------------------------------------------------------------
# Joining a wrapped cell (loaders.join_wrapped, character by character)

_ASCII_WORD = re.compile(r"[0-9A-Za-z.,%]")


def _join_wrapped(pairs: list[tuple[str, dict | None]]) -> list[tuple[str, Box | None]]:
    """loaders.join_wrapped(cell_text.split("\\n")) with each character's box kept."""
    parts: list[list[tuple[str, Box | None]]] = [[]]
    for ch, c in pairs:
        if ch == "\n":
            parts.append([])
        else:
            parts[-1].append((ch, _box(c) if not ch.isspace() else None))
    out: list[tuple[str, Box | None]] = []
    for p in parts:
        # " ".join(p.split()): runs of white space to one space, ends stripped
        words: list[list[tuple[str, Box | None]]] = [[]]
        for ch, b in p:
            if ch.isspace():
                if words[-1]:
                    words.append([])
            else:
                words[-1].append((ch, b))
        words = [w for w in words if w]
        if not words:
            continue
        q: list[tuple[str, Box | None]] = []
        for k, w in enumerate(words):
            if k:
                q.append((" ", None))
            q.extend(w)
        if out and _ASCII_WORD.match(out[-1][0]) and _ASCII_WORD.match(q[0][0]):
            out.append((" ", None))
        out.extend(q)
    return out


def _row_line(cells: list[list[tuple[str, Box | None]]]) -> tuple[str, list[Box | None]] | None:
    """loaders.rows_to_lines for one row, with boxes: cells joined by tabs, a blank first or last
    cell kept by an extra tab; None for an all-empty row."""
    # clean_cell: white space collapsed (the joined cell has single spaces and no ends already)
    if not any(cells):
        return None
    text: list[str] = []
    boxes: list[Box | None] = []
    if not cells[0]:
        text.append("\t")
        boxes.append(None)
    for k, cell in enumerate(cells):
        if k:
            text.append("\t")
            boxes.append(None)
        for ch, b in cell:
            text.append(ch)
            boxes.append(b)
    if not cells[-1]:
        text.append("\t")
        boxes.append(None)
    return "".join(text), boxes


def _clean(cell: list[tuple[str, Box | None]]) -> list[tuple[str, Box | None]]:
    """loaders.clean_cell with boxes: \\xa0 and \\u3000 are white space, collapsed."""
    words: list[list[tuple[str, Box | None]]] = [[]]
    for ch, b in cell:
        if ch.isspace() or ch in "\xa0\u3000":
            if words[-1]:
                words.append([])
        else:
            words[-1].append((ch, b))
    out: list[tuple[str, Box | None]] = []
    for w in (w for w in words if w):
        if out:
            out.append((" ", None))
        out.extend(w)
    return out


def _table_lines(page: _Page, table, page_no: int) -> list[PageLine]:
    """Table.extract() as tab-separated lines (loaders' form), boxes kept."""
    from bisect import bisect_left
    # Table.extract's test (a char's middle inside the row, then inside the cell), with the
    # chars sorted by their vertical middle once instead of every char tried against every row
    tb = table.bbox
    mids = []
    for k, c in enumerate(page.chars):
        h, v = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if tb[0] <= h < tb[2] and tb[1] <= v < tb[3]:
            mids.append((v, h, k, c))
    mids.sort(key=lambda m: m[0])
    vs = [m[0] for m in mids]

    out: list[PageLine] = []
    for row in table.rows:
        rb = row.bbox
        band = [m for m in mids[bisect_left(vs, rb[1]):bisect_left(vs, rb[3])] if rb[0] <= m[1] < rb[2]]
        band.sort(key=lambda m: m[2])  # the page's order, as Table.extract keeps it
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append([])
                continue
            cc = [m[3] for m in band if cell[0] <= m[1] < cell[2] and cell[1] <= m[0] < cell[3]]
            cells.append(_clean(_join_wrapped(_cell_chars_text(cc))) if cc else [])
        got = _row_line(cells)
        if got is not None:
            out.append(PageLine(got[0], page_no, got[1]))
    return out


# ---------------------------------------------------------------------------------------
# One page

def _bare_page_number(page: _Page) -> tuple[str | None, float]:
    """A page number printed as bare digits (「4」) on the page's lowest line, set apart from the
    text above it, in the bottom 15% of the page: (number, top of that line) or (None, inf).
    Left in the text, such a line would sit between two rows of a table as a stray value."""
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


def layout_page(page: _Page, page_no: int) -> list[PageLine]:
    """One page's lines: ruled tables (two or more columns) as tab-separated rows, the text
    between them as pdfplumber lays it out. A page without such tables is pdfplumber's
    `extract_text()` as is. A bare page number at the foot of the page is written as a page
    marker 「- n -」."""
    number, foot = _bare_page_number(page)
    marker = [PageLine(f"- {number} -", page_no, [None] * len(f"- {number} -"))] if number else []
    body = page if number is None else page.filter(
        lambda o: o.get("object_type") != "char" or (o["top"] + o["bottom"]) / 2 < foot)
    try:
        tables = [t for t in body.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
    except Exception:  # a page whose drawing the table finder cannot follow: plain text
        tables = []
    if not tables:
        return _split_lines(body.textmap(), page_no) + marker
    tables.sort(key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def in_box(o) -> bool:
        cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    def band(lo: float, hi: float) -> list[PageLine]:
        def keep(o):
            if o.get("object_type") != "char":
                return False
            cy = (o["top"] + o["bottom"]) / 2
            return lo <= cy < min(hi, foot) and not in_box(o)
        return [x for x in _split_lines(page.filter(keep).textmap(), page_no) if x.text.strip()]

    lines: list[PageLine] = []
    y = float(page.bbox[1])
    for t in tables:
        lines += band(y, t.bbox[1])
        lines += _table_lines(body, t, page_no)
        lines += band(t.bbox[1], t.bbox[3])  # text beside the table, if any
        y = max(y, t.bbox[3])
    lines += band(y, float(page.bbox[3]) + 1)
    return lines + marker


# ---------------------------------------------------------------------------------------
# pypdfium2: characters and ruling lines of a page

def _page_objects(page) -> tuple[list[dict], list[dict]]:
    """(chars, edges) of a pypdfium2 page in pdfplumber's form."""
    import ctypes

    import pypdfium2.raw as R
    left, bottom_, right, top_ = page.get_mediabox()
    width, height = right - left, top_ - bottom_
    tp = page.get_textpage()
    chars: list[dict] = []
    try:
        n = tp.count_chars()
        raw = tp.raw
        text = tp.get_text_range(0, n) if n else ""
        l, b, r, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        rect = R.FS_RECTF()
        get_unicode, is_gen, loose = R.FPDFText_GetUnicode, R.FPDFText_IsGenerated, R.FPDFText_GetLooseCharBox
        font_size, char_matrix = R.FPDFText_GetFontSize, R.FPDFText_GetMatrix
        cm = R.FS_MATRIX()
        same = len(text) == n
        text_object = R.FPDFText_GetTextObject
        order: list[int] = []  # per char kept: its text object (to restore the content stream's order)
        last_obj, size, upright = None, 0.0, True
        for i in range(n):
            if is_gen(raw, i) == 1:
                continue
            ch = text[i] if same else chr(get_unicode(raw, i))
            if ch in "\r\n\x00\ufffe\uffff" or (0xD800 <= ord(ch) <= 0xDFFF):
                if 0xD800 <= ord(ch) <= 0xDBFF and i + 1 < n and same:
                    ch = (ch + text[i + 1]).encode("utf-16", "surrogatepass").decode("utf-16")
                else:
                    continue
            if not loose(raw, i, rect):
                continue
            obj = ctypes.cast(text_object(raw, i), ctypes.c_void_p).value or 0
            if obj != last_obj or not obj:
                # pdfminer's char: its height is the font size scaled by the text matrix, upright
                # when the matrix neither turns nor mirrors it (the same for a text object's chars)
                char_matrix(raw, i, cm)
                size = font_size(raw, i) * ((cm.c * cm.c + cm.d * cm.d) ** 0.5)
                upright = cm.a * cm.d > 0 and cm.b * cm.c <= 0
                last_obj = obj
            x0, x1 = rect.left - left, rect.right - left
            bot = top_ - rect.bottom
            if x1 - x0 > 1.5 * size + 1 or rect.top - rect.bottom > 2 * size + 1:
                # a loose box far larger than the glyph (seen with a vertical-writing font):
                # pdfminer's box for it, the em square standing on the origin
                R.FPDFText_GetCharOrigin(raw, i, l, b)
                x0, bot = l.value - left, top_ - b.value
                x1 = x0 + size
            top = bot - size if upright else top_ - rect.top
            chars.append({"object_type": "char", "text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bot,
                          "doctop": top, "width": x1 - x0, "height": bot - top, "upright": upright, "size": size})
            order.append(obj)
    finally:
        tp.close()
    edges: list[dict] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    m = R.FS_MATRIX()

    def walk(count, get, parent):
        for k in range(count):
            obj = get(k)
            kind = R.FPDFPageObj_GetType(obj)
            if kind == R.FPDF_PAGEOBJ_TEXT:
                place.setdefault(ctypes.cast(obj, ctypes.c_void_p).value or 0, len(place))
                continue
            if kind not in (R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM):
                continue
            if not R.FPDFPageObj_GetMatrix(obj, m):
                continue
            own = (m.a, m.b, m.c, m.d, m.e, m.f)
            mat = _mul(own, parent) if parent is not None else own
            if kind == R.FPDF_PAGEOBJ_FORM:
                walk(R.FPDFFormObj_CountObjects(obj), lambda j, o=obj: R.FPDFFormObj_GetObject(o, j), mat)
                continue
            _path_edges(obj, mat, R, x, y, left, top_, edges)

    place: dict[int, int] = {}  # text object -> its place in the content stream
    walk(R.FPDFPage_CountObjects(page.raw), lambda j: R.FPDFPage_GetObject(page.raw, j), None)
    # pdfium's text page may move a text object before an earlier one; pdfminer (and so
    # pdfplumber's layout, which takes the characters as sorted) keeps the content stream's order
    keys = [place.get(o, len(place)) for o in order]
    if any(a > b for a, b in zip(keys, keys[1:])):
        chars = [c for _, _, c in sorted(zip(keys, range(len(chars)), chars))]
    return chars, edges


def _mul(m1, m2):
    """m1 then m2 (PDF matrices [a b c d e f])."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _path_edges(obj, mat, R, x, y, left, top_, edges: list[dict]) -> None:
    """The straight pieces of a path as pdfplumber's edges (lines, rectangle sides, curve pieces)."""
    a, b, c, d, e, f = mat
    n = R.FPDFPath_CountSegments(obj)
    subpaths: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    for k in range(n):
        seg = R.FPDFPath_GetPathSegment(obj, k)
        if not R.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = x.value, y.value
        pt = (a * px + c * py + e - left, top_ - (b * px + d * py + f))
        if R.FPDFPathSegment_GetType(seg) == R.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([pt])
            closed.append(False)
        else:
            subpaths[-1].append(pt)
        if R.FPDFPathSegment_GetClose(seg):
            closed[-1] = True
    for pts, cl in zip(subpaths, closed):
        if cl and len(pts) > 2 and pts[0] != pts[-1]:
            pts = pts + [pts[0]]
        if len(pts) == 2:  # a line: pdfplumber calls it horizontal when flat, else vertical
            (x0, y0), (x1, y1) = pts
            orient = "h" if abs(y0 - y1) < 1e-6 else "v"
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if len(pts) != 2:
                orient = "v" if abs(x0 - x1) < 1e-6 else ("h" if abs(y0 - y1) < 1e-6 else None)
            if orient is None:
                continue
            edges.append({"object_type": "line" if len(pts) == 2 else "rect_edge",
                          "x0": min(x0, x1), "x1": max(x0, x1), "top": min(y0, y1), "bottom": max(y0, y1),
                          "doctop": min(y0, y1), "width": abs(x1 - x0), "height": abs(y1 - y0),
                          "orientation": orient})


def read_pages(data: bytes) -> list[list[PageLine]]:
    """Every page of a PDF as lines with boxes (the one pass; see the module docstring).
    Raises PdfReadError for a PDF that cannot be opened."""
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise PdfReadError("password", str(e))
        raise PdfReadError("corrupt", str(e))
    try:
        out: list[list[PageLine]] = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                chars, edges = _page_objects(page)
                l, b, r, t = page.get_mediabox()
                out.append(layout_page(_Page(chars, edges, (0.0, 0.0, r - l, t - b)), i + 1))
            finally:
                page.close()
        return out
    finally:
        pdf.close()


# ---------------------------------------------------------------------------------------
# Boxes for the store

_RUN_SPLIT = re.compile(r"[^\s|｜│┃║┆┇┊┋╎╏]+")  # the table reader's word separators (before and after NFKC)


def line_runs(line: PageLine) -> list[list[float]]:
    """The words of a line (split at white space and 「|」, as the table reader splits them) as
    [start, end, x0, top, x1, bottom]: character offsets in the line and the union of their
    boxes. Words without a box (a page marker) are left out."""
    out = []
    for m in _RUN_SPLIT.finditer(line.text):
        bs = [b for b in line.boxes[m.start():m.end()] if b is not None]
        if not bs:
            continue
        out.append([m.start(), m.end(), min(b[0] for b in bs), min(b[1] for b in bs),
                    max(b[2] for b in bs), max(b[3] for b in bs)])
    return out


def word_box(runs: list[list[float]], text: str, word: int) -> Box | None:
    """The box of the `word`-th word (0-based, words as line_runs splits them) of a line."""
    words = list(_RUN_SPLIT.finditer(text))
    if not 0 <= word < len(words):
        return None
    m = words[word]
    for r in runs:
        if r[0] == m.start() and r[1] == m.end():
            return (r[2], r[3], r[4], r[5])
    return None


def cell_boxes(cells, lines: list[str], layout: list) -> list[tuple[object, int, Box]]:
    """(cell, page, box) for each printed cell (tables.Cell with a value and a word place,
    `at`) whose word's box is known and holds the cell's number as printed: a box that does not
    hold its number is left out, never stored."""
    from .tables import NUM, Token, fold
    out = []
    for c in cells:
        if c.derived or c.at is None or c.value is None:
            continue
        line, word = c.at
        if not 1 <= line <= len(layout) or line > len(lines):
            continue
        page, runs = layout[line - 1]
        if not page:
            continue
        text = lines[line - 1]
        words = list(_RUN_SPLIT.finditer(text))
        if not 0 <= word < len(words):
            continue
        box = word_box(runs, text, word)
        try:
            printed = Token(NUM, fold(words[word].group()), line).value
        except (ValueError, IndexError):
            continue
        if box is not None and printed == c.value:
            out.append((c, page, box))
    return out


def span_box(runs: list[list[float]], start: int, end: int) -> Box | None:
    """The box covering characters start..end of a line: whole runs inside, parts of a run by
    the share of its characters (a line of Chinese is set in one width per character)."""
    xs0, tops, xs1, bottoms = [], [], [], []
    for r in runs:
        a, b = int(r[0]), int(r[1])
        lo, hi = max(a, start), min(b, end)
        if lo >= hi:
            continue
        w = (r[4] - r[2]) / max(1, b - a)
        xs0.append(r[2] + (lo - a) * w)
        xs1.append(r[2] + (hi - a) * w)
        tops.append(r[3])
        bottoms.append(r[5])
    if not xs0:
        return None
    return (round(min(xs0), 2), min(tops), round(max(xs1), 2), max(bottoms))


# ---------------------------------------------------------------------------------------
# Drawing a page

MAX_DPI = 300  # renders asked at a higher resolution are drawn at this one
DEFAULT_DPI = 110


def page_count(path) -> int:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def render_page(path, page: int, dpi: int = 110, highlights: list[Box] | None = None) -> bytes:
    """PNG of page `page` (1-based) of a PDF at `dpi`, each highlight box drawn as a red frame
    over a light fill. Raises IndexError for a page the PDF does not have."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw
    dpi = max(36, min(int(dpi), MAX_DPI))
    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            raise IndexError(page)
        p = pdf[page - 1]
        try:
            scale = dpi / 72
            img = p.render(scale=scale).to_pil().convert("RGB")
        finally:
            p.close()
    finally:
        pdf.close()
    if highlights:
        over = img.copy()
        draw = ImageDraw.Draw(over)
        for x0, top, x1, bottom in highlights:
            pad = 2
            draw.rectangle([x0 * scale - pad, top * scale - pad, x1 * scale + pad, bottom * scale + pad],
                           fill=(255, 230, 0))
        from PIL import Image
        img = Image.blend(img, over, 0.35)
        draw = ImageDraw.Draw(img)
        for x0, top, x1, bottom in highlights:
            pad = 2
            draw.rectangle([x0 * scale - pad, top * scale - pad, x1 * scale + pad, bottom * scale + pad],
                           outline=(220, 0, 0), width=max(2, int(scale)))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def parse_highlight(value: str) -> Box:
    """「x0,top,x1,bottom」 -> a box; ValueError for anything else (four finite numbers, x0 <= x1,
    top <= bottom)."""
    parts = [float(x) for x in value.split(",")]
    if len(parts) != 4 or any(p != p or abs(p) > 1e5 for p in parts):
        raise ValueError(value)
    x0, top, x1, bottom = parts
    if x1 < x0 or bottom < top:
        raise ValueError(value)
    return (x0, top, x1, bottom)


def page_png(path, cache_dir, key: str, page: int, dpi: int | None = None,
             highlights: list[Box] | None = None) -> bytes:
    """render_page with renders cached in `cache_dir` under `key` (the file's sha256): the page
    itself once per resolution, and each set of highlights drawn on it once. Raises IndexError
    for a page the PDF does not have."""
    import hashlib
    from pathlib import Path
    dpi = max(36, min(int(dpi or DEFAULT_DPI), MAX_DPI))
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    stem = f"{key[:32]}-p{page}-d{dpi}"
    if highlights:
        h = hashlib.sha1(";".join(",".join(f"{v:.2f}" for v in b) for b in highlights).encode()).hexdigest()[:16]
        stem += f"-h{h}"
    target = cache / f"{stem}.png"
    if target.exists():
        return target.read_bytes()
    png = render_page(path, page, dpi, highlights)
    tmp = target.with_suffix(f".{id(png)}.tmp")
    tmp.write_bytes(png)
    tmp.replace(target)  # atomic: a reader never sees half a file
    return png


_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, mtime_ns, size) -> sha256 of the bytes


def source_pdf(store, report_id: int, sha256: str):
    """The report's file as it was indexed (a path it was indexed from whose bytes still hash
    to `sha256`), or None when it has moved or changed."""
    from pathlib import Path
    from .loaders import file_sha256
    for path in store.source_paths(report_id):
        p = Path(path)
        if not p.is_file():
            continue
        st = p.stat()
        key = (str(p), st.st_mtime_ns, st.st_size)
        if key not in _VERIFIED:
            _VERIFIED[key] = file_sha256(p)
        if _VERIFIED[key] == sha256:
            return p
    return None


def crop_png(png: bytes, boxes: list[Box], dpi: int, margin: float = 110) -> bytes:
    """The part of a page image around `boxes` (PDF points, the image drawn at `dpi`): the full
    width, `margin` points above the first box and below the last."""
    from PIL import Image
    img = Image.open(io.BytesIO(png))
    scale = dpi / 72
    top = max(0, int((min(b[1] for b in boxes) - margin) * scale))
    bottom = min(img.height, int((max(b[3] for b in boxes) + margin) * scale))
    buf = io.BytesIO()
    img.crop((0, top, img.width, max(bottom, top + 1))).save(buf, format="PNG")
    return buf.getvalue()
