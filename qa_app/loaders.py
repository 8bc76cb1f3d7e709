"""Turn a report file into text: the one edge where bytes become the lines the reader sees.

What it does: `load(path, max_mb)` reads one file (.txt, .pdf, .html/.htm, .docx, .md) and
returns its text. Every format gives the same kind of text, so every format reaches the one
table reader (tables.read_tables):
- a real table (HTML <table>, Word table, markdown pipe table, a ruled table in a PDF) becomes
  one tab-separated line per table row; rowspan/colspan (and Word's merged cells) are
  expanded so that every value stays in its column: the text sits in the top-left position of
  the span and the positions it covers are empty cells. A blank cell at either end of a row
  is kept by a leading or trailing tab (`tables.tokenize` counts a cell between two tabs);
- text inside one cell is one line: a `<br>` or a new paragraph becomes a space, a line
  wrapped by the PDF layout is joined back (no space between Chinese characters);
- everything else is running text, one paragraph a line; page chrome of web pages
  (script, style, nav, header/footer menus, breadcrumbs) is dropped;
- a PDF is read once with positions (pdfpages.py: pypdfium2's characters and ruling lines laid
  out by pdfplumber's own layout and table finder): a table drawn without ruling lines stays
  pdfplumber's text (the reader reads that layout too, but a blank cell there leaves no trace);
  a bare page number at the foot of a PDF page (「4」) is written as the marker 「- 4 -」 that the
  reader skips; each line keeps its page and its words' boxes (`Loaded.layout`).
Text files are decoded as strict UTF-8 (with or without BOM), UTF-16 (BOM or not), then
GB18030 (a superset of GBK/GB2312), then by detection: short GBK text is never handed to
detection first (it misreads it as cp949). The content decides the format when the
extension lies (a PDF saved as .txt, a web page saved as .pdf).

What it does not do: read tables into numbers (tables.py), decide whether a text is an annual
report (report.py), or touch the index (indexer.py). A file it cannot read raises InputError
with a one-line Chinese message naming the file and what is wrong.

The converters (`html_to_text`, `markdown_to_text`, `rows_to_lines`, `expand_spans`) are pure
functions of their input; `docx_to_text` and `pdf_to_text` take the file's bytes.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".txt", ".pdf", ".html", ".htm", ".docx", ".md", ".markdown")

# Extensions people have that we do not read, with what to do about it.
_UNSUPPORTED_HINTS = {
    ".doc": "旧版 Word（.doc）文件暂不支持，请用 Word 或 WPS 另存为 .docx 或 PDF",
    ".wps": "WPS 文字（.wps）文件暂不支持，请另存为 .docx 或 PDF",
    ".rtf": "RTF 文件暂不支持，请另存为 .docx 或 PDF",
    ".xls": "Excel 表格不是报告全文，暂不支持；请使用报告的 PDF、网页或 Word 版本",
    ".xlsx": "Excel 表格不是报告全文，暂不支持；请使用报告的 PDF、网页或 Word 版本",
    ".ofd": "OFD 版式文件暂不支持，请转换为 PDF",
    ".jpg": "图片文件需要文字识别（OCR），暂不支持",
    ".jpeg": "图片文件需要文字识别（OCR），暂不支持",
    ".png": "图片文件需要文字识别（OCR），暂不支持",
    ".tif": "图片文件需要文字识别（OCR），暂不支持",
    ".tiff": "图片文件需要文字识别（OCR），暂不支持",
    ".zip": "压缩包请先解压，再索引其中的报告文件",
    ".rar": "压缩包请先解压，再索引其中的报告文件",
    ".7z": "压缩包请先解压，再索引其中的报告文件",
}


class InputError(Exception):
    """A file that cannot be indexed: `str(err)` is the one-line message for the user."""

    def __init__(self, path, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{Path(path).name}：{message}")


@dataclass
class Loaded:
    path: Path
    text: str
    source_format: str  # "txt", "pdf", "html", "docx", "md"
    sha256: str         # of the file's bytes
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # PDFs: per line of the stored text, (page, word runs [start, end, x0, top, x1, bottom]); see pdf_layout
    layout: list | None = None
    # scanned PDFs (ocr.py): {"engine", "pages", "cells": {"table/row/column": {status, read, page, box}}, "notes"}
    ocr: dict | None = None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------
# Encodings

def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes of a text file -> (text, encoding). Strict UTF-8 (with or without BOM) and UTF-16
    by its BOM first, then GB18030 (a superset of GBK), then detection. Short GBK text is never
    handed to detection first: it misreads it as cp949. UTF-16 without a BOM is taken only when
    it reads as plainly better text than GB18030 does (GB18030 wins a tie).

    >>> decode_text("红旗区".encode("gbk"))
    ('红旗区', 'gb18030')
    >>> decode_text("红旗区".encode("utf-16-le"))
    ('红旗区', 'utf-16-le')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    for enc in ("gb18030", "utf-16-le", "utf-16-be"):
        if enc.startswith("utf-16") and len(data) % 2:
            continue
        try:
            candidates.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    if candidates:
        scored = [(_plausible(t), -i, t, enc) for i, (t, enc) in enumerate(candidates)]
        score, _, text, enc = max(scored)
        if score >= 0.9:
            return text, enc
        if candidates[0][1] == "gb18030":
            return candidates[0]
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is None:
        raise ValueError("无法识别文本编码")
    return str(best), best.encoding


_PLAUSIBLE = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2150, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF),
              (0x25A0, 0x26FF), (0x3000, 0x303F), (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _plausible(text: str) -> float:
    """Share of characters a Chinese report is made of (CJK, ASCII, punctuation, full-width forms)."""
    sample = text[:20000]
    if not sample:
        return 0.0
    ok = sum(1 for ch in sample if ch in "\t\n\r\f" or any(a <= ord(ch) <= b for a, b in _PLAUSIBLE))
    return ok / len(sample)


# control characters other than \t \n \f \r, the replacement character, and private use
# (what GB18030 makes of junk bytes)
_BINARY_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd\ue000-\uf8ff]")


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    bad = len(_BINARY_CHAR.findall(sample))
    return bad / len(sample) > 0.02


_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "euc-cn", "x-euc-cn", "gb18030"}


def decode_html(data: bytes) -> tuple[str, str]:
    """Bytes of a web page -> (text, encoding): BOM, strict UTF-8, then the charset the page
    declares (gb2312/gbk read as GB18030, their superset), then `decode_text`."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    m = re.search(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        enc = "gb18030" if enc in _GB_ALIASES else enc
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


# ---------------------------------------------------------------------------------------
# Tables -> lines (shared by every format)

_ASCII_WORD = re.compile(r"[0-9A-Za-z.,%]")


def join_wrapped(parts: list[str]) -> str:
    """Join the lines of one cell: no space between Chinese characters (a wrapped label is
    one label), a space between two Latin letters or digits (two numbers stay two numbers).

    >>> join_wrapped(["（二）部分公开（区分处理的，只计这一情", "形，不计其他情形）"])
    '（二）部分公开（区分处理的，只计这一情形，不计其他情形）'
    >>> join_wrapped(["12", "3"])
    '12 3'
    """
    out = ""
    for p in parts:
        p = " ".join(p.split())
        if not p:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(p[0]):
            out += " "
        out += p
    return out


def clean_cell(text: str | None) -> str:
    """One cell's text on one line: white space (incl. &nbsp;, ideographic space, tabs and
    line breaks) collapsed to single spaces, ends stripped."""
    if not text:
        return ""
    return " ".join(text.replace("\xa0", " ").replace("\u3000", " ").split())


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) -> a rectangular-per-row grid of texts. A spanning
    cell's text sits in its top-left position; the positions it covers are empty, so the
    cells after it keep their columns.

    >>> expand_spans([[("a", 2, 1), ("b", 1, 2)], [("c", 1, 1), ("d", 1, 1)]])
    [['a', 'b', ''], ['', 'c', 'd']]
    """
    taken: dict[tuple[int, int], str] = {}
    widths: list[int] = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            rs = max(1, min(int(rs or 1), len(rows) - r))
            cs = max(1, min(int(cs or 1), 200))
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    taken[(rr, cc)] = ""
            taken[(r, c)] = text
            c += cs
    for r in range(len(rows)):
        cols = [c for (rr, c) in taken if rr == r]
        widths.append(max(cols) + 1 if cols else 0)
    return [[taken.get((r, c), "") for c in range(widths[r])] for r in range(len(rows))]


def rows_to_lines(grid: list[list[str]]) -> list[str]:
    """A table's rows as tab-separated lines (what tables.tokenize reads). All-empty rows are
    dropped; a blank first or last cell is kept by an extra tab at that end.

    >>> rows_to_lines([["", "1.属于国家秘密", "0", ""], ["", "", ""]])
    ['\\t\\t1.属于国家秘密\\t0\\t\\t']
    """
    out = []
    for row in grid:
        cells = [clean_cell(c) for c in row]
        if not any(cells):
            continue
        line = "\t".join(cells)
        if cells[0] == "":
            line = "\t" + line
        if cells[-1] == "":
            line += "\t"
        out.append(line)
    return out


# ---------------------------------------------------------------------------------------
# HTML

_DROP_TAGS = {"script", "style", "noscript", "template", "nav", "iframe", "object", "embed", "svg", "canvas",
              "button", "select", "input", "textarea", "option", "head", "title", "meta", "link", "map", "audio",
              "video", "footer"}
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
               "article", "main", "aside", "blockquote", "pre", "center", "caption", "figure", "figcaption",
               "address", "hr", "header", "form", "fieldset", "legend", "details", "summary", "body", "html",
               "tr", "td", "th", "thead", "tbody", "tfoot", "table"}
_CHROME_RE = re.compile(r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menus|topmenu|mainmenu|submenu|footer|foot|"
                        r"header|head|top|topbar|toolbar|breadcrumbs?|crumbs?|bread|sidebar|share|copyright|"
                        r"skip|search|login|weizhi|dqwz|position|location)(?:$|[-_\s\d])", re.I)


def _is_chrome(el) -> bool:
    """Page furniture: a <header> outside the article, or a menu/footer/breadcrumb box by its
    class or id. A box that holds a table or the page's main heading is never dropped."""
    if el.name == "header":
        return el.find_parent(["article", "main"]) is None and el.find("table") is None
    attrs = " ".join([el.get("id") or ""] + list(el.get("class") or []))
    if not attrs or not _CHROME_RE.search(attrs):
        return False
    if el.name in ("body", "html", "table", "tr", "td", "th", "article", "main"):
        return False
    if el.find("table") is not None or el.find("h1") is not None:
        return False
    text = el.get_text()
    return len(text) < 3000 and "年度报告" not in re.sub(r"\s", "", text)


class _Lines:
    """Lines being built from a DOM walk: inline text joins, blocks break lines."""

    def __init__(self):
        self.lines: list[str] = []
        self.cur: list[str] = []

    def text(self, s: str) -> None:
        self.cur.append(s)

    def newline(self) -> None:
        line = " ".join("".join(self.cur).replace("\xa0", " ").replace("\u3000", " ").split())
        if line:
            self.lines.append(line)
        self.cur = []

    def extend(self, lines: list[str]) -> None:
        self.newline()
        self.lines.extend(lines)


def _cell_text(el) -> str:
    """Text of one table cell: <br> and block boundaries become spaces."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
    parts: list[str] = []

    def walk(node):
        for ch in node.children:
            if isinstance(ch, (Comment, Doctype, Declaration, ProcessingInstruction)):
                continue
            if isinstance(ch, NavigableString):
                parts.append(str(ch))
            elif isinstance(ch, Tag):
                if ch.name in _DROP_TAGS:
                    continue
                if ch.name == "br" or ch.name in _BLOCK_TAGS:
                    parts.append(" ")
                walk(ch)
                if ch.name in _BLOCK_TAGS:
                    parts.append(" ")
    walk(el)
    return clean_cell("".join(parts))


def _table_rows(table) -> list:
    """The <tr> elements of this table (not of tables nested in it), in order."""
    rows = []
    for ch in table.find_all(recursive=False):
        if ch.name == "tr":
            rows.append(ch)
        elif ch.name in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in ch.find_all("tr", recursive=False))
    return rows


def _span(cell, attr: str) -> int:
    try:
        return max(1, int(re.sub(r"\D", "", cell.get(attr, "1") or "1") or 1))
    except ValueError:
        return 1


def html_table_lines(table) -> list[str]:
    rows = []
    for tr in _table_rows(table):
        rows.append([(_cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
                     for td in tr.find_all(["td", "th"], recursive=False)])
    return rows_to_lines(expand_spans(rows))


def html_to_text(markup: str) -> str:
    """A web page -> text: tables as tab-separated rows, other blocks one a line, chrome dropped."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
    soup = BeautifulSoup(markup, "lxml")
    page_title = " ".join(soup.title.get_text().split()) if soup.title is not None else ""
    for el in soup.find_all(_DROP_TAGS):
        el.decompose()
    for el in soup.find_all(True):
        if getattr(el, "decomposed", False) or el.parent is None:
            continue
        if _is_chrome(el):
            el.decompose()
    out = _Lines()

    def walk(node):
        for ch in node.children:
            if isinstance(ch, (Comment, Doctype, Declaration, ProcessingInstruction)):
                continue
            if isinstance(ch, NavigableString):
                out.text(str(ch))
                continue
            if not isinstance(ch, Tag):
                continue
            name = ch.name
            if name == "br":
                out.newline()
            elif name == "table" and ch.find("table") is None:
                out.extend(html_table_lines(ch))
            elif name == "pre":
                out.newline()
                out.extend([" ".join(x.split()) for x in ch.get_text().split("\n") if x.strip()])
            elif name in _BLOCK_TAGS:
                out.newline()
                walk(ch)
                out.newline()
            else:
                walk(ch)
    walk(soup)
    out.newline()
    # a page whose report title is only in its <title> (「…年度报告_政府信息公开年报_XX门户网站」):
    # that line first, so the body and year can be read from it
    def titled(line: str) -> bool:
        flat = "".join(line.split())
        return re.search(r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})年度?[^。，；]{0,40}?政(?:府信息|务)公开(?:工作)?"
                         r"(?:年度报告|年报|工作报告|(?:开展|落实)?情况的?报告)", flat) is not None
    if titled(page_title) and not any(titled(l) for l in out.lines[:8]):
        out.lines.insert(0, page_title)
    return "\n".join(out.lines)


# ---------------------------------------------------------------------------------------
# Markdown

_MD_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


_MD_BR = re.compile(r"<br\s*/?>", re.I)
_MD_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_MD_CODE = re.compile(r"`([^`]*)`")
_MD_CELL_SEP = re.compile(r"(?<!\\)\|")


def _md_inline(s: str) -> str:
    # each pattern only where its first character occurs (most cells are a bare number)
    if "<" in s:
        s = _MD_BR.sub(" ", s)
    if "*" in s or "_" in s:
        s = _MD_BOLD.sub(r"\2", s)
    if "`" in s:
        s = _MD_CODE.sub(r"\1", s)
    return _MD_ESCAPE.sub(r"\1", s) if "\\" in s else s


def _md_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = _MD_CELL_SEP.split(s)
    return [_md_inline(c).strip() for c in cells]


def markdown_to_text(text: str) -> str:
    """Markdown -> text: pipe tables (a header row, then a |---| delimiter row) become
    tab-separated rows without the delimiter; raw HTML tables are read as HTML; heading marks,
    bold and escapes are dropped. Other lines stay as they are."""
    text = _HTML_TABLE.sub(lambda m: "\n" + html_to_text(m.group(0)) + "\n", text)
    lines = text.split("\n")
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if "|" in line and i + 1 < n and _MD_DELIM.match(lines[i + 1]) and "-" in lines[i + 1]:
            grid = [_md_cells(line)]
            i += 2
            while i < n and "|" in lines[i] and lines[i].strip():
                grid.append(_md_cells(lines[i]))
                i += 1
            out.extend(rows_to_lines(grid))
            continue
        s = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
        s = re.sub(r"\s+#+\s*$", "", s)
        s = re.sub(r"^\s{0,3}>\s?", "", s)
        out.append(_md_inline(s))
        i += 1
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Word (.docx)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_cell_text(tc) -> str:
    from docx.text.paragraph import Paragraph
    parts = []
    for p in tc.iter(_W + "p"):
        parts.append(Paragraph(p, None).text.replace("\t", " ").replace("\n", " "))
    return join_wrapped(parts)


def _docx_val(el, path: str) -> str | None:
    found = el.find(path)
    if found is None:
        return None
    return found.get(_W + "val", "")


def _docx_table_lines(tbl) -> list[str]:
    rows = []
    for tr in tbl.findall(_W + "tr"):
        row: list[str] = []
        before = _docx_val(tr, f"{_W}trPr/{_W}gridBefore")
        row.extend([""] * int(before or 0))
        for tc in tr.iter(_W + "tc"):
            if tc.getparent() is not tr and tc.getparent().tag != _W + "sdtContent":
                continue  # a cell of a nested table
            span = int(_docx_val(tc, f"{_W}tcPr/{_W}gridSpan") or 1)
            vmerge = _docx_val(tc, f"{_W}tcPr/{_W}vMerge")
            text = "" if vmerge is not None and vmerge != "restart" else _docx_cell_text(tc)
            # a merged cell appears once in the XML, with its width in grid columns: its text in
            # the first column it covers, the others empty (python-docx would repeat it)
            row.extend([text] + [""] * (max(1, span) - 1))
        rows.append(row)
    return rows_to_lines(rows)


def _docx_blocks(container, out: list[str]) -> None:
    from docx.text.paragraph import Paragraph
    for el in container.iterchildren():
        tag = el.tag
        if tag == _W + "p":
            out.extend(Paragraph(el, None).text.split("\n"))
        elif tag == _W + "tbl":
            if el.find(f".//{_W}tc//{_W}tbl") is not None:  # a layout table: read its cells as text
                for tc in el.iter(_W + "tc"):
                    if tc.find(f".//{_W}tbl") is None:
                        _docx_blocks(tc, out)
            else:
                out.extend(_docx_table_lines(el))
        elif tag in (_W + "sdt",):
            content = el.find(_W + "sdtContent")
            if content is not None:
                _docx_blocks(content, out)


def docx_to_text(data: bytes) -> str:
    """A Word document's body -> text: paragraphs and tables in document order (headers,
    footers and text boxes are not read)."""
    from docx import Document
    doc = Document(io.BytesIO(data))
    out: list[str] = []
    _docx_blocks(doc.element.body, out)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# PDF

_CID_RE = re.compile(r"\(cid:\d+\)")


def pdf_page_lines(data: bytes, path: Path | str = ""):
    """Every page of a PDF as lines with their character boxes (pdfpages.PageLine), read in one
    pass (pdfpages.read_pages). The one place a PDF's text comes from: text recognised on a
    scanned page would be given here in the same form. Raises InputError for a PDF that is
    encrypted, corrupt, incomplete or has no pages."""
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF-" not in data[:1024]:
        raise InputError(path, "不是有效的 PDF 文件（文件头不是 %PDF）")
    from .pdfpages import PdfReadError, read_pages
    # cut short (a download that stopped): objects at the start, no end-of-file mark at the end
    incomplete = b"%%EOF" not in data[-4096:] and re.search(rb"\d+\s+\d+\s+obj\b", data[:65536]) is not None
    try:
        pages = read_pages(data)
    except PdfReadError as e:
        if e.kind == "password":
            raise InputError(path, "PDF 已加密（需要密码），无法读取；请提供未加密的版本")
        if incomplete:
            raise InputError(path, "PDF 文件不完整（可能没有下载完），无法读取")
        raise InputError(path, f"PDF 文件已损坏，无法读取（{e.detail or e.kind}）")
    except Exception as e:  # pdfium or the layout failing on a malformed page
        if incomplete:
            raise InputError(path, "PDF 文件不完整（可能没有下载完），无法读取")
        raise InputError(path, f"PDF 文件已损坏，无法读取（{type(e).__name__}）")
    if not pages:
        raise InputError(path, "PDF 文件已损坏（没有可读的页面）")
    if incomplete:
        raise InputError(path, "PDF 文件不完整（可能没有下载完），无法读取")
    return pages


def pdf_layout(pages) -> tuple[str, list]:
    """(text, layout) of pages of PageLines: the text with pages separated by a form feed, and
    for each line of the stored text (report.normalise_text: the form feed becomes an empty
    line) its (page, word runs) (pdfpages.line_runs); (0, []) for the empty line between pages."""
    from .pdfpages import line_runs
    texts, layout = [], []
    for k, lines in enumerate(pages):
        if k:
            layout.append((0, []))
        texts.append("\n".join(l.text for l in lines))
        layout.extend((l.page, line_runs(l)) for l in lines)
    return "\n\f".join(texts), layout


def pdf_read(data: bytes, path: Path | str = "") -> tuple[str, list | None]:
    """A PDF's text (pages separated by a form feed) and its layout (pdf_layout; None when it
    cannot be lined up with the stored text). Raises InputError for an encrypted, corrupt or
    image-only PDF."""
    text, layout = pdf_layout(pdf_page_lines(data, path))
    visible = re.sub(r"\s", "", text)
    if len(visible) < 20:
        raise InputError(path, "PDF 没有文字层（可能是扫描件或图片），文字识别（OCR）已关闭；"
                              "去掉 --no-ocr（或设 QA_APP_OCR=1）后重新索引")
    if len("".join(_CID_RE.findall(visible))) > len(visible) / 2:
        raise InputError(path, "PDF 的文字无法提取（字体缺少 Unicode 映射，显示为 (cid:…)）；暂不支持文字识别（OCR）")
    from .report import normalise_text
    if len(normalise_text(text).split("\n")) != len(layout):
        layout = None  # a character that breaks lines in the stored text: no boxes rather than wrong ones
    return text, layout


def pdf_to_text(data: bytes, path: Path | str = "") -> str:
    """A PDF's text, page by page (pages separated by a form feed). Raises InputError for an
    encrypted, corrupt or image-only PDF."""
    return pdf_read(data, path)[0]


# ---------------------------------------------------------------------------------------
# The edge: a file in, text out

def sniff(data: bytes, suffix: str) -> str:
    """The format the bytes say they are ("pdf", "docx", "ole", "zip", "html", "text"),
    whatever the extension."""
    head = data[:1024]
    if head.lstrip().startswith(b"%PDF") or (suffix == ".pdf" and b"%PDF-" in head):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or suffix == ".docx" else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    low = head.lower()
    probe = low.replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if probe.startswith((b"<!doctype html", b"<html")) or (probe.startswith((b"<?xml", b"<!--")) and b"<html" in low):
        return "html"
    return "text"


def _control_bytes(data: bytes) -> float:
    head = data[:4096]
    return sum(1 for b in head if b < 9 or 13 < b < 32) / max(1, len(head))


def _decode_or_fail(path: Path, data: bytes, html: bool = False) -> tuple[str, str]:
    try:
        text, enc = decode_html(data) if html else decode_text(data)
    except (ValueError, UnicodeDecodeError, LookupError):
        if _control_bytes(data) > 0.05:
            raise InputError(path, "不是文本文件（含二进制内容）")
        raise InputError(path, "无法识别文本编码（不是 UTF-8、UTF-16 或 GBK/GB18030 文本）")
    if _looks_binary(text):
        raise InputError(path, "不是文本文件（含二进制内容）")
    return text, enc


def _size(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def precheck(path: Path, max_mb: float = 50.0) -> None:
    """Refuse, without reading it, a file that is missing, empty, too large or of a kind we do
    not read (raises InputError)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "文件不存在")
    if path.is_dir():
        raise InputError(path, "是文件夹，不是文件")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "文件是空的（0 字节）")
    if size > max_mb * 1024 * 1024:
        raise InputError(path, f"文件大小 {_size(size)}，超过上限 {_size(max_mb * 1024 * 1024)}"
                               f"（上限可用设置 max_file_mb / 环境变量 QA_APP_MAX_FILE_MB 调整，单位 MB）")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = _UNSUPPORTED_HINTS.get(suffix)
        raise InputError(path, hint or f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 {' '.join(SUPPORTED)}")


def load(path: Path, max_mb: float = 50.0, data: bytes | None = None, ocr: bool = True) -> Loaded:
    """Read one file into text. Raises InputError (one Chinese line naming the file) when the
    file is missing, empty, too large, of a kind we do not read, or unreadable. `data`: the
    file's bytes, when the caller has read them already (the indexer hashes them first).
    `ocr`: recognise the text of scanned PDF pages (off: an image-only PDF is refused)."""
    path = Path(path)
    precheck(path, max_mb)
    suffix = path.suffix.lower()
    if data is None:
        data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    kind = sniff(data, suffix)
    if suffix == ".pdf" and kind != "pdf":
        what = {"html": "内容是网页（HTML），可能是下载失败时保存下来的页面", "docx": "内容是 Word 文档",
                "ole": "内容是旧版 Office 文档"}.get(kind, "文件头不是 %PDF")
        raise InputError(path, f"不是有效的 PDF 文件（{what}）")
    if kind == "pdf":
        if ocr:  # scanned pages (no text layer, or tables as pictures) are recognised: ocr.py
            from . import ocr as _ocr
            scanned = _ocr.pdf_needs_ocr(data)
            if scanned:
                return _ocr.load_scanned(path, data, sha, scanned)
        text, layout = pdf_read(data, path)
        return Loaded(path, text, "pdf", sha, layout=layout)
    if kind == "ole":
        raise InputError(path, "是旧版 Office（.doc/.xls）或加密的 Office 文件，暂不支持；请另存为 .docx 或 PDF")
    if kind == "zip":
        raise InputError(path, "是压缩包（zip），不是报告文件；请先解压")
    if kind == "docx" or suffix == ".docx":
        if kind != "docx":
            raise InputError(path, "不是有效的 Word（.docx）文件")
        try:
            text = docx_to_text(data)
        except Exception as e:  # python-docx / zipfile / lxml errors
            raise InputError(path, f"不是有效的 Word（.docx）文件，或文件已损坏（{type(e).__name__}）")
        if not text.strip():
            raise InputError(path, "Word 文件里没有文字")
        return Loaded(path, text, "docx", sha)
    if kind == "html" or suffix in (".html", ".htm"):
        text, enc = _decode_or_fail(path, data, html=True)
        return Loaded(path, html_to_text(text), "html", sha, enc)
    text, enc = _decode_or_fail(path, data)
    if suffix in (".md", ".markdown"):
        return Loaded(path, markdown_to_text(text), "md", sha, enc)
    return Loaded(path, text, "txt", sha, enc)
