"""Read the three template tables out of a report's text: one reader for every layout.

What it does: given the report's lines (as stored, 1-based numbering), find each table by its
content, turn the lines into a stream of tokens (label text, numbers, explicit blanks), and
walk the stream: label text accumulates until numbers arrive; the numbers then belong to the
template row whose label pattern (template.Row.match) ends last in that text, taken in
template order. A row collects exactly as many values as the template gives it, across line
breaks, so wrapped labels, numbers pushed to the next line, tab-separated rows and
one-cell-per-line pipes all read the same way.

When the walk leaves numbers unplaced or template rows empty (labels printed apart from their
numbers: PDFs converted to markdown, plain pdftotext reading order), `realign` places the rows of
numbers in template order by the labels around them and the template's identities; rows so
placed that the identities do not confirm are marked `Cell.uncertain`. Section 四 printed
transposed is read in the order under which its identity holds. Rows a table lacks (a section
三 cut off) are listed in `TableRead.missing` and warned about. Layout shapes handled on the way:
markdown delimiter and column-header rows inside a table (类别 | 数据1 … 数据6), a label row of
empty cells with its numbers on the next row, colspan pads, one cell per line with blanks as
empty lines, section 三 columns in another order (a one-line header).
Web pages as scraped (docs/tables.md): a lone 「|」 opening each row, colspan pipes, rows padded
with empty columns — a row's surplus empty cells are cut by its identity (`_window`,
`_review_block`), uncertain where it cannot tell; every cell a paragraph of its own
(`_cells_as_paragraphs`); the 2019 template's section 二 over the 2021 section 三, or its columns
under 第二十条第（一）项 only (`TableRead.app_format`, `pro_format`).

Plain pdftotext reading order (no -layout) is read by the same walk after three steps: blocks of
cells emitted column by column are put back in row order (`column_blocks`, the order the row
identities like); empty lines that end every paragraph are told from empty lines that are blank
cells (`_paragraph_share`, and which reading of each table holds better); running page headers
and footers near page numbers are page markers (`_running_lines`). Inside a row still short of
values, column headers, a page header or the row's own wrapped label are read through
(`_mid_row_text`); a label split around its numbers is read on below them. `realign` tries
(六)其他处理 as one row and as three, and every row of numbers in its template place when their
count is the template's.

What it does not do: decode files (loaders.py), guess a number it cannot place (such rows are
reported in `TableRead.problems` and left out), or judge whether the numbers add up (checks.py).

Worked example (seed 000, PDF-text layout)::

    （二）部分公开（区分处理的，只计这一情      <- label text
    形，不计其他情形）                           <- label text (wrapped)
    0 0 0 0 0 0                                  <- six values
    0                                            <- the seventh, pushed down

gives partially_granted = {natural_person: 0, ..., total: 0}, lines (label line, last value line).
"""
from __future__ import annotations

import dataclasses
import re
from itertools import islice, product, repeat
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from . import template as T

# ---------------------------------------------------------------------------------------
# Tokens

NUM, NULL, EMPTY, TEXT = "num", "null", "empty", "text"

_NUM_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元|件|条|个|项)?$")
_NULL_RE = re.compile(r"^(?:/|-|—|–|－|——|—-|\\|…|／)$")
_NULLS = frozenset(("/", "-", "—", "–", "－", "——", "—-", "\\", "…", "／"))  # what _NULL_RE matches (a word)
_PAGE_RE = re.compile(r"^\s*(?:[-—–－]+\s*\d+\s*[-—–－]+|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
_UNIT_RE = re.compile(r"(万元|元|件|条|个|项)$")
_SEP_RE = re.compile(r"(\||\t)")
_WS_RE = re.compile(r"\s+")
_SPACES_RE = re.compile(r"[^\S\n]+")  # white space other than line breaks
_ORDINAL_RE = re.compile(r"^[\d.、()一二三四五六七八九十]+")
_REVIEW_RE = re.compile(r"行政复议.{0,3}行政诉讼")
_AFTER_REVIEW_RE = re.compile(r"^(五|六)[、.]")


# box-drawing characters (U+2500-U+257F; text tables drawn by some converters): the vertical
# bars separate cells like 「|」, the rest (borders, corners) are white space
_BOX = {c: (" " if chr(c) not in "│┃║┆┇┊┋╎╏" else "|") for c in range(0x2500, 0x2580)}


class Token(NamedTuple):
    kind: str
    text: str
    line: int  # 1-based line number in the stored text
    word: int = -1  # 0-based place among the line's words (split at white space, | and tabs); -1: none

    @property
    def value(self):
        if self.kind != NUM:
            return None
        t = self.text
        if t[-1] in "元件条个项":  # (万元|元|件|条|个|项)$
            t = _UNIT_RE.sub("", t)
        t = t.replace(",", "")
        return float(t) if "." in t else int(t)


def fold(s: str) -> str:
    """NFKC (full-width digits and brackets to ASCII) and curly-quote folding."""
    return unicodedata.normalize("NFKC", s).replace("\u3000", " ")


def is_page_marker(line: str) -> bool:
    return bool(_PAGE_RE.match(fold(line)))


def tokenize(lines: list[str], start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of lines[start:end]. `|` and tab separate cells; two separators with only white
    space between them (for `|`, even across lines) make an EMPTY cell.

    >>> [(t.kind, t.text) for t in tokenize(["规章 |", "0 |", "|", "2 |"])]
    [('text', '规章'), ('num', '0'), ('empty', ''), ('num', '2')]
    >>> [(t.kind, t.text) for t in tokenize(["本年增 / 减", "规章 3 / 12"])]
    [('text', '本年增'), ('text', '/'), ('text', '减'), ('text', '规章'), ('num', '3'), ('null', '/'), ('num', '12')]
    """
    end = len(lines) if end is None else end
    return _tokenize([fold(x) for x in lines[start:end]], start)


def _tokenize(folded: list[str], start: int, gaps: bool = False) -> list[Token]:
    """tokenize() of lines already folded; folded[0] is line `start` (0-based).
    `gaps`: the table prints one cell per line with no separator, so an empty line is an EMPTY
    token (a blank cell, or nothing: the walk decides by the row it is reading)."""
    out: list[Token] = []
    last_sep = None  # "|" or "\t" when only white space has been seen since that separator
    num_match = _NUM_RE.match
    for i, s in enumerate(folded, start + 1):
        if _PAGE_RE.match(s):  # is_page_marker
            continue
        w0 = 0  # words of this line so far (Token.word)
        if "\f" in s:
            s = s.replace("\f", " ")
        if gaps and not s.strip():
            out.append(Token(EMPTY, "", i))
            continue
        sep = "|" in s or "\t" in s
        if sep and (("---" in s and _DELIM_RE.match(s)) or (not _DIGIT_RE.search(s) and _is_header_line(s))):
            continue  # a markdown delimiter row the converter left, or a column-header row
        wu = "无" in s
        for piece in (_SEP_RE.split(s) if sep else (s,)):
            if piece in ("|", "\t"):
                if last_sep is not None:
                    out.append(Token(EMPTY, "", i))
                last_sep = piece
                continue
            words = piece.split()
            if not words:
                continue
            # a number starts with a sign or a digit (\d: str.isdecimal); a blank is one of _NULLS
            kinds = [NUM if w.isdecimal() or ((w[0] in "+-" or w[0].isdecimal()) and num_match(w))
                     else NULL if w in _NULLS else TEXT for w in words]
            if wu and "无" in words:
                kinds = _none_words(words, kinds, piece is not s)
            if NULL in kinds:
                # a slash between words of a label: 「本年增 / 减」
                kinds = [TEXT if kind == NULL and 0 < k < len(words) - 1 and kinds[k - 1] == kinds[k + 1] == TEXT
                         else kind for k, kind in enumerate(kinds)]
            out.extend(map(Token, kinds, words, repeat(i), range(w0, w0 + len(words))))
            w0 += len(words)
            last_sep = None
        if last_sep == "\t":
            if s.endswith("\t") and out and out[-1].line == i and out[-1].kind in (NUM, NULL, EMPTY):
                # 「…\t0\t」: a tab after the line's last cell opens an empty last cell
                # (tab-separated text copied from a sheet); a grid pad beyond the row is trimmed later
                out.append(Token(EMPTY, "", i))
            last_sep = None
    return out


_DIGIT_RE = re.compile(r"(?<!数据)(?<!数据\d)\d")  # a digit that is not in 「数据1」…「数据12」
_DELIM_RE = re.compile(r"^[\s|:\t-]*-{3,}[\s|:\t-]*$")
# words of column headers (section 三's applicant columns, converters' 数据1…数据6 and 类别/项目,
# section 二's and 四's column heads): a separated line of such cells holds no row label
_HEADER_CELL_RE = re.compile(r"^(?:数据\d{1,2}|类别|项目|(?:\(|（)?数据项目(?:\)|）)?|数量|信息内容|申请人情况|自然人|法人或其他组织|"
                             r"商业企业|科研机构|社会公益(?:组织)?|法律服务机构|其他|总计|合计|结果维持|结果纠正|其他结果|"
                             r"尚未审结|本年(?:新收|制发|废止)?件数|.{0,6}件数|本年处理决定数量|现行有效件数|本年收费金额.*)$")


def _is_header_line(s: str) -> bool:
    """A row of table cells (tab- or pipe-separated, no digit in it) that is a column header: at
    least two of its cells are column-header words (「类别 | 数据1 | … | 总计」, 「项目 | 本年新收件数 |
    … | 总计」 repeated inside a table). Row labels in it (「本年新收件数」) must not name a row."""
    cells = [c.strip() for c in _SEP_RE.split(s) if c not in ("|", "\t") and c.strip()]
    if len(cells) < 3:
        return False
    heads = 0
    for c in cells:
        if _HEADER_CELL_RE.match(c.replace(" ", "")):
            heads += 1
    return heads >= 2


def _none_words(words: list[str], kinds: list[str], in_cell: bool) -> list[str]:
    """「无」 written in a cell of numbers (「3.要求提供公开出版物 无 无 …」, 「行政强制 无」, a
    table cell holding just 「无」) is a blank, like 「/」. A 「无」 alone on its line, or followed
    by label text, is a character of a label printed one character per line (「（四）/无/法/提/
    供」): text."""
    out = list(kinds)
    others = sum(1 for w, k in zip(words, kinds) if k != TEXT or w == "无")
    for k, w in enumerate(words):
        if w != "无":
            continue
        if k + 1 < len(words) and kinds[k + 1] == TEXT and words[k + 1] != "无":
            continue  # a label goes on after it: 「无 2.没有现成信息…」 (a vertical group label)
        if (in_cell and len(words) == 1) or others >= 2 or (k == len(words) - 1 and k > 0 and len(words[k - 1]) >= 4):
            out[k] = NULL
    return out


# ---------------------------------------------------------------------------------------
# Results

@dataclass
class Cell:
    table: str
    row: str
    column: str
    value: int | float | None
    lines: tuple[int, int]
    derived: bool = False
    label: str = ""  # the row label as printed (white space removed)
    at: tuple[int, int] | None = None  # (line, word) where the value is printed (Token.word); None: no word
    # the reader is not sure this cell is in the right row (placed by position among rows whose
    # labels were printed apart from their numbers, and the template's identities do not confirm it)
    uncertain: bool = False


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows that could not be placed, in Chinese
    format: str = "2021"
    # section 三's own template where it differs from the report's (a 2019-format section 二
    # printed with the 2021 section 三, three rows under （六）其他处理); "" = `format`
    app_format: str = ""
    # section 二's rows where they mix the templates: "2019+2021" = the 2019 columns under
    # 第二十条第（一）项 (本年新制作数量 …), the 2021 blocks after it (本年处理决定数量); "" = `format`
    pro_format: str = ""
    tables_found: list[str] = field(default_factory=list)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (first, last) line
    missing: dict[str, list[str]] = field(default_factory=dict)  # table -> template rows not printed (missing_rows)

    def get(self, table: str, row: str, column: str):
        for c in self.cells:
            if (c.table, c.row, c.column) == (table, row, column):
                return c
        return None


# ---------------------------------------------------------------------------------------
# Finding the tables

def _compact(line: str) -> str:
    return _WS_RE.sub("", fold(line))


def find_regions(lines: list[str]) -> dict[str, tuple[int, int]]:
    """0-based [start, end) line ranges of each table found, by content, not by ordinal.

    A table starts at its heading when the heading stands just above its first row (prose
    may use the same words earlier), else at its first row.
    """
    return _find_regions([_compact(x) for x in lines])


def _find_regions(comp: list[str]) -> dict[str, tuple[int, int]]:
    """find_regions() of lines already compacted (`_compact`)."""
    n = len(comp)

    def first(pred, frm=0):
        return next((i for i in range(frm, n) if pred(comp[i])), None)

    def heading_before(row_line, words, within=40):
        hits = [i for i in range(max(0, row_line - within), row_line + 1) if any(w in comp[i] for w in words)]
        return hits[-1] if hits else row_line

    starts: dict[str, int] = {}
    p20 = first(lambda c: "第二十条" in c)
    if p20 is None:  # printed without the 「第二十条第（X）项」 lines: its first column header
        p20 = first(lambda c: "制发件数" in c or "新制作数量" in c)
    if p20 is not None:
        starts["proactive"] = heading_before(p20, ("主动公开政府信息情况",), 8)
    new = first(lambda c: "本年新收" in c or "新收政府信息公开申请" in c)
    if new is not None:
        words = ("收到和处理政府信息公开申请", "勾稽关系")
        # after section 二's table the heading is section 三's own, however far above its first
        # row label (plain pdftotext prints that label after the first rows of numbers)
        within = new - starts["proactive"] if "proactive" in starts and starts["proactive"] < new else 40
        starts["applications"] = heading_before(new, words, max(within, 40))
    rev = first(lambda c: bool(_REVIEW_RE.search(c)) or c.startswith("行政复议"),
                (new if new is not None else (p20 or 0)) + 1)
    if rev is not None:
        starts["review_litigation"] = rev
    regions: dict[str, tuple[int, int]] = {}
    bounds = sorted((i, k) for k, i in starts.items())
    for j, (i, k) in enumerate(bounds):
        stop = bounds[j + 1][0] if j + 1 < len(bounds) else n
        if k == "review_litigation":
            nxt = first(lambda c: bool(_AFTER_REVIEW_RE.match(c)) or "存在的主要问题" in c, i + 1)
            stop = min(stop, nxt) if nxt is not None else stop
        regions[k] = (i, stop)
    return regions


# ---------------------------------------------------------------------------------------
# Placing numbers into rows

# Row.match -> (literal, None) for a plain word that cannot overlap itself (its last match is
# its last occurrence: str.rfind), else (None, compiled pattern); filled on first use.
_ROW_PATTERNS: dict[tuple[str, ...], tuple[tuple[str | None, re.Pattern | None], ...]] = {}
_LABEL_BIGRAMS: dict[str, set[str]] = {}  # Row.label -> bigrams of its words (choose_row's fuzzy match)


def _match_end(row: T.Row, text: str) -> tuple[int, int] | None:
    pats = _ROW_PATTERNS.get(row.match)
    if pats is None:
        pats = _ROW_PATTERNS[row.match] = tuple(_matcher(p) for p in row.match)
    best = None
    for lit, pat in pats:
        if lit is not None:
            at = text.rfind(lit)
            if at >= 0:
                cand = (at + len(lit), len(lit))
                if best is None or cand > best:
                    best = cand
            continue
        for m in pat.finditer(text):
            cand = (m.end(), m.end() - m.start())
            if best is None or cand > best:
                best = cand
    return best


def _matcher(pattern: str) -> tuple[str | None, re.Pattern | None]:
    if pattern and re.escape(pattern) == pattern and not any(pattern[:k] == pattern[-k:] for k in range(1, len(pattern))):
        return pattern, None
    return None, re.compile(pattern)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _label_bigrams(row: T.Row) -> set[str]:
    lab = _LABEL_BIGRAMS.get(row.label)
    if lab is None:
        lab = _LABEL_BIGRAMS[row.label] = _bigrams(_ORDINAL_RE.sub("", fold(row.label)))
    return lab


def choose_row(text: str, candidates: list[T.Row]) -> T.Row | None:
    """The candidate whose label pattern ends last in `text` (ties: the longer match, then the
    earlier row). Failing that, a fuzzy match of the text's tail on the next few labels, for
    typos (「保护地三方合法权益」); only labels of four character pairs or more take part: a short
    label such as 「3.其他」 is too common a word to place numbers by resemblance.

    >>> rows = [T.APPLICATIONS.row(k) for k in ("denied.state_secret", "denied.prohibited_by_law")]
    >>> choose_row("形，不计其他情形）1.属于国家秘密", rows).key
    'denied.state_secret'
    """
    return _choose(text, candidates)[0]


def _choose(text: str, candidates: list[T.Row]) -> tuple[T.Row | None, tuple[int, int] | None]:
    """choose_row() with the (end, length) of the label match; None for a fuzzy choice."""
    best, best_key = None, None
    for row in candidates:
        m = _match_end(row, text)
        if m is not None and (best_key is None or m > best_key):
            best, best_key = row, m
    if best is not None:
        return best, best_key
    return _choose_fuzzy(text, candidates), None


def _choose_fuzzy(text: str, candidates: list[T.Row]) -> T.Row | None:
    tail = _bigrams(_ORDINAL_RE.sub("", text[-24:]))
    scored = []
    for row in candidates[:4]:
        lab = _label_bigrams(row)
        if len(lab) >= 4 and tail:
            scored.append((len(lab & tail) / len(lab), row))
    scored.sort(key=lambda x: -x[0])
    if scored and scored[0][0] >= 0.6:
        return scored[0][1]
    return None


def _is_junk(tok: Token) -> bool:
    """A stray fragment inside a row of numbers: one character of a vertical label, 「、」."""
    return tok.kind == TEXT and len(tok.text) <= 2 and not any(ch.isdigit() for ch in tok.text)


def read_rows(tokens: list[Token], rows: list[T.Row], table: str,
              has_empty: bool | None = None, gaps: bool = False,
              trace: dict | None = None) -> tuple[list[Cell], list[str], set[str]]:
    """Walk tokens, assigning runs of values to rows (see module docstring).

    A run's row is read from the label text before it; when that text names no row, from
    label-only lines right after the run (PDF text often prints a tall label below its
    numbers); as a last resort from a printed group-total row (「（三）不予公开」), then from an
    earlier row not read yet (rows printed out of template order). A label that starts on the
    numbers' line and goes on below is read with the lines below (_label_continues_below); in
    tab-separated rows (HTML, Word) an empty cell holds its value's place (_cell_run,
    _blank_row).
    """
    cells: list[Cell] = []
    problems: list[str] = []
    placed: set[str] = set()
    primary = [r for r in rows if not (r.derived_from and r.key != "other")]
    groups = [r for r in rows if r.derived_from and r.key != "other"]
    where = {id(r): k for k, r in enumerate(primary)}  # (template rows are distinct by key)
    buf: list[Token] = []
    consumed: set[int] = set()
    pos = 0  # index into `primary` after the last placed row
    from_below: dict[str, set[int]] = {}  # rows placed by a label below their numbers: its tokens
    if has_empty is None:  # whether there are empty cells (tab- or pipe-separated layouts)
        has_empty = any(t.kind == EMPTY for t in tokens)
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if i in consumed:
            i += 1
            continue
        if tok.kind == TEXT:
            buf.append(tok)
            i += 1
            continue
        forced = None
        alone = tok.kind == EMPTY and buf and tokens[i - 1].kind is TEXT and tokens[i - 1].line != tok.line and (
            i + 1 == n or tokens[i + 1].line != tok.line)  # 「|」 on a line of its own: one cell per line
        if tok.kind == EMPTY and (gaps or alone) and buf:
            # one cell per line: an empty line right after a row's label is that row's blank cell
            forced = _choose("".join(t.text for t in buf), primary[pos:])[0]
        if tok.kind == EMPTY and forced is None:
            if buf and tokens[i - 1].kind is TEXT and tokens[i - 1].line == tok.line and (
                    i + 1 == n or tokens[i + 1].kind is EMPTY or tokens[i + 1].line != tok.line):
                blank = _blank_row(tokens, i, buf, primary[pos:pos + 3], placed)
                if blank is not None:
                    row, vals = blank
                    pos = where[id(row)] + 1
                    label = "".join(t.text for t in buf if t.line == tok.line)[-40:]
                    for col, v in zip(row.columns, vals):
                        cells.append(Cell(table, row.key, col, None, (tok.line, tok.line), label=label))
                    placed.add(row.key)
                    buf = []
                    i += len(vals)
                    continue
            i += 1
            continue
        text = "".join(t.text for t in buf)
        label_toks = list(buf)
        row, end = (forced, None) if forced is not None else _choose(text, primary[pos:])
        if row is not None and row.derived_from and end is not None and any(
                r.key in row.derived_from for r in primary[pos:]):
            # a group label that may be a row of its own (「（六）其他处理」) printed right after the
            # label of a row still without values: the heading of the sub-rows below (pdftotext
            # reads the group's merged cell after the label beside it), not these values' label
            row = _label_before_group(text, end, row, primary[pos:], placed) or row
        if row is None and forced is None and tok.kind == NULL and _placeholders(tokens, i):
            # 「- | -」 under a converter's header table (申请人情况 (自然人) | 数量): no cells
            while i < n and tokens[i].kind in (NULL, EMPTY):
                i += 1
            buf = []
            continue
        if forced is None and buf and buf[-1].line == tok.line and (
                row is None or (end is not None and end[0] < len(text))):
            k = len(buf)
            while k and buf[k - 1].line == tok.line:
                k -= 1
            head = buf[k:]
            # the label on the numbers' line does not name the row chosen (its match lies above)
            if row is None or end[0] <= len(text) - sum(len(t.text) for t in head):
                below, used = _label_continues_below(tokens, i, head, primary[pos:])
                if below is not None:
                    row = below
                    consumed |= used
                    label_toks = head + [tokens[k] for k in sorted(used)]
        ahead = row is None  # a label read below its numbers is weaker evidence (realign)
        if row is None and buf:
            # a label split around its numbers (「5.属于三类内部」 above them, 「事务信息」 below):
            # its start, from the last ordinal before the numbers, read on with the lines below
            k = len(buf)
            while k and not _LABEL_START_RE.match(buf[k - 1].text):
                k -= 1
            if k and len(buf) - k <= 2:
                head = buf[k - 1:]
                below, used = _look_ahead(tokens, i, primary[pos:], "".join(t.text for t in head))
                if below is not None:
                    row = below
                    consumed |= used
                    label_toks = head + [tokens[k] for k in sorted(used)]
        below_used: set[int] = set()
        if row is None:
            row, used = _look_ahead(tokens, i, primary[pos:])
            if row is not None:
                consumed |= used
                below_used = used
                label_toks = [tokens[k] for k in sorted(used)]
        if row is None:
            row = choose_row(text, groups)
        if row is None and pos:
            # a row printed out of template order (「二、上年结转」 above 「一、本年新收」): an
            # earlier row not placed yet, by its label pattern only (no fuzzy match going back)
            row = _choose_back(text, primary[:pos], placed)
        if row is None and from_below:
            # the label of a row given numbers read above it (its label below them) stands right
            # before these: they are its numbers (a row whose label was left out, 「  」 then
            # 「0 0 0」 then 「行政规范性文件 2 0 7」); the numbers above belong to no row we can name
            k = i - 1
            while k >= 0 and tokens[k].kind == EMPTY:
                k -= 1
            back = next((r for r in primary if k in from_below.get(r.key, ())), None) if k >= 0 else None
            if back is not None:
                gone = [c for c in cells if c.row == back.key]
                cells = [c for c in cells if c.row != back.key]
                placed.discard(back.key)
                del from_below[back.key]
                problems.append(f"{T.TABLE_TITLES[table]}：第 {gone[0].lines[0]} 行的数字 "
                                f"{' '.join('' if c.value is None else str(c.value) for c in gone)} 无法对应到模板中的行"
                                "（它们下面的文字属于后面的数字），未采用")
                row = back
        if row is None:
            skipped = []
            while i < n and (tokens[i].kind != TEXT or _is_junk(tokens[i])):
                if tokens[i].kind in (NUM, NULL) and i not in consumed:
                    skipped.append(tokens[i].text)
                i += 1
            if any(_NUM_RE.match(x) for x in skipped):  # a run of 「-」 placeholders loses nothing
                problems.append(f"{T.TABLE_TITLES[table]}：第 {tok.line} 行的数字 {' '.join(skipped)} 无法对应到模板中的行"
                                f"（前面的文字：「{text[-20:] or '无'}」），未采用")
            buf = []
            continue
        if id(row) in where:
            pos = where[id(row)] + 1
        label_text = "".join(t.text for t in label_toks)
        label_line = _label_line(label_toks, row) or tok.line
        buf = []
        vals: list[Token] = []
        across = False  # the values were read across text (headers, a page header) inside the row
        window_open = False  # which empty cells are the row's blanks was left open (_cell_window)
        start = i
        while i < n and len(vals) < len(row.columns):
            t = tokens[i]
            if i in consumed:
                i += 1
                continue
            if t.kind == TEXT:
                if not _is_junk(t):
                    if not has_empty and not gaps and vals and len(vals) < len(row.columns):
                        after = _mid_row_text(tokens, i, row, primary)
                        if after is not None:  # column headers, a page header, the label's own wrap
                            i = after
                            across = True
                            continue
                    break
                if (t.text == "无" and vals and len(vals) == len(row.columns) - 1 and t.line != vals[-1].line
                        and (i + 1 == n or tokens[i + 1].line != t.line)):
                    # the row's last blank 「无」 pushed to a line of its own (else a character of
                    # a label printed one per line): the row is short of exactly this cell
                    vals.append(Token(NULL, t.text, t.line))
                    i += 1
                    continue
                buf.append(t)
            else:
                vals.append(t)
            i += 1
        if has_empty and vals and (len(vals) < len(row.columns) or any(v.kind is EMPTY for v in vals)):
            # blank cells of a tab-separated row (HTML, Word) hold the place of their value
            cell_run = _cell_run(tokens, start, len(row.columns), row.columns[-1] == "total")
            if cell_run is not None:
                vals, i = cell_run[:2]
                window_open = len(cell_run) > 2 and cell_run[2]
                buf = []
        lead: list[Token] = []  # empty cells between the label and the row's values, not in them
        k = start - 1
        while has_empty and k >= 0 and tokens[k].kind == EMPTY and k not in consumed:
            if not any(tokens[k] is v for v in vals):
                lead.insert(0, tokens[k])
            k -= 1
        if has_empty and len(vals) == len(row.columns) and ((i < n and tokens[i].kind != TEXT and i not in consumed)
                                                             or (lead and vals[-1].kind == EMPTY)):
            # more cells before the next label than the row has (one cell per line: a label's
            # colspan 「|」 reads like a blank cell; empty cells before and after the values): the
            # row's cells among them (_window)
            j = i
            while j < n and tokens[j].kind != TEXT and j not in consumed:
                j += 1
            full = lead + vals + tokens[i:j]
            if (any(t.kind != EMPTY for t in tokens[i:j]) or full[0].kind == EMPTY) and any(
                    t.kind != EMPTY for t in full):
                kept = [k for k, t in enumerate(full) if t.kind != EMPTY]
                if kept[-1] - kept[0] < len(row.columns):
                    a, window_open = _window(full, len(row.columns), row.columns[-1] == "total")
                    vals, i = full[a:a + len(row.columns)], j
        if len(vals) == len(row.columns):
            label = label_text[-40:]
            # read across text, and its 总计 is not the sum of the rest: the reader is not sure of
            # this row (the report's own numbers are not blamed for an order the text scrambled)
            unsure = across and row.columns == T.APP_COLS and _row_breaks([v.value for v in vals])
            if window_open:
                unsure = True
                problems.append(f"{T.TABLE_TITLES[table]}「{fold(row.label)}」行：空格子多于格数，无法确认哪些是空白格，"
                                "这一行标为「不确定」")
            elif unsure:
                problems.append(f"{T.TABLE_TITLES[table]}「{fold(row.label)}」行：数字中间夹着表头或页眉文字，"
                                "总计与各项之和对不上，无法确认数字的位置，这一行标为「不确定」")
            for col, v in zip(row.columns, vals):
                line = v.line
                cells.append(Cell(table, row.key, col, v.value,
                                  (label_line, line) if label_line <= line else (line, label_line), label=label,
                                  at=(line, v.word) if v.word >= 0 else None, uncertain=unsure))
                if trace is not None:
                    trace[id(v)] = (row.key, 1 if unsure else 6 if ahead else 10)
            placed.add(row.key)
            if below_used:
                from_below[row.key] = below_used
        else:
            problems.append(f"{T.TABLE_TITLES[table]}「{fold(row.label)}」行：只读到 {len(vals)} 个数，"
                            f"应有 {len(row.columns)} 个（第 {vals[0].line} 行），未采用")
    return cells, problems, placed


def _label_before_group(text: str, end: tuple[int, int], group: T.Row, candidates: list[T.Row],
                        placed: set[str]) -> T.Row | None:
    """The row before `group` in `candidates`, without values yet, whose label stands right
    before the group's label (matched at `end`, its ordinal 「（六）」 included): nothing but the
    rest of that label between them."""
    head = _GROUP_ORDINAL_RE.sub("", text[:end[0] - end[1]])
    for row in candidates:
        if row is group:
            return None
        m = _match_end(row, head)
        if row.key not in placed and m is not None and len(head) - m[0] <= 8 and not _ORDINAL_IN_RE.search(head[m[0]:]):
            return row
    return None


_GROUP_ORDINAL_RE = re.compile(r"\(?[一二三四五六七八九十]{1,2}[)、]?$")
_ORDINAL_IN_RE = re.compile(r"\d{1,2}[.、]|\(?[一二三四五六七八九十]{1,2}[)、]")


def _row_breaks(values: list) -> bool:
    """Whether a section 三 row's 总计 (last value) is not the sum of the six before it (rows
    with a blank cannot say)."""
    return None not in values and abs(values[-1] - sum(values[:-1])) > 1e-6


def _mid_row_text(tokens: list[Token], i: int, row: T.Row, rows: list[T.Row]) -> int | None:
    """Text inside the values of a row that is still short (plain pdftotext prints column
    headers, a page header or the rest of the row's own wrapped label between them): the index
    of the value after it, when it names no other row, starts no label (「2.」「（三）」) and
    values follow; None otherwise (the next row's label: the row stops here)."""
    n, j = len(tokens), i
    while j < n and tokens[j].kind == TEXT:
        j += 1
    if j == n or tokens[j].kind == EMPTY:
        return None
    parts = [tokens[k].text for k in range(i, j)]
    text = "".join(parts)
    if _LABEL_START_RE.match(text):
        return None
    if all(_HEADER_CELL_RE.match(p) for p in parts):
        return j
    if any(_match_end(r, text) for r in rows if r is not row):
        return None
    return j


def _placeholders(tokens: list[Token], i: int) -> bool:
    """Whether the run of values at tokens[i] is blanks only (「-」, 「/」) on one line, with label
    text after it: a placeholder row of a header table, not a row of the template."""
    line, n, j = tokens[i].line, len(tokens), i
    while j < n and tokens[j].kind in (NULL, EMPTY) and tokens[j].line == line:
        j += 1
    return j < n and tokens[j].line != line and tokens[j].kind == TEXT


def _cell_run(tokens: list[Token], i: int, ncols: int, summed: bool = False) -> tuple[list[Token], int] | None:
    """A row of table cells on one line (tab-separated: HTML, Word) with blank cells in it:
    (its `ncols` value tokens, blanks included as EMPTY (value None), index after them), or None
    when the line's cells are not short of values (then the usual walk reads them).

    The empty positions right after the label may be the label's colspan (「（一）予以公开」
    over two columns) or a blank first value; only as many as the row lacks count as blanks.
    `summed`: the row's last column is the sum of the others (section 三, 四), which decides
    between empty cells before and after the values (_cell_window).
    """
    line, n = tokens[i].line, len(tokens)
    before = 0
    k = i - 1
    while k >= 0 and tokens[k].kind == EMPTY and tokens[k].line == line:
        before += 1
        k -= 1
    j = i
    while j < n and tokens[j].line == line and tokens[j].kind != TEXT:
        j += 1
    seq = tokens[i:j]
    filled = sum(1 for t in seq if t.kind != EMPTY)
    if filled == ncols and len(seq) > ncols:
        # exactly the row's values, with empty cells between them: a value cell spanning two
        # grid columns (colspan) leaves an empty one beside it, not a blank
        return [t for t in seq if t.kind != EMPTY], j
    if filled >= ncols:
        return None
    if before and seq[-1].kind == EMPTY and len(seq) + before > ncols and all(t.kind == EMPTY for t in seq[ncols:]):
        # empty cells on both sides of the values: the label's colspan or a blank first cell
        # before them, a blank last cell or the grid's padding after them
        return _cell_window(tokens, i, before, seq, ncols, summed)
    if len(seq) > ncols and all(t.kind == EMPTY for t in seq[ncols:]):
        seq = seq[:ncols]  # cells after the row's last one: empty columns of the grid
    if len(seq) == ncols:
        return list(seq), i + ncols
    if len(seq) < ncols <= len(seq) + before:
        lead = tokens[i - (ncols - len(seq)):i]
        return lead + list(seq), i + len(seq)
    return None


def _cell_window(tokens: list[Token], i: int, before: int, seq: list[Token], ncols: int,
                 summed: bool) -> tuple[list[Token], int, bool]:
    """A row's `ncols` cells where empty cells stand both before its values (`before` of them)
    and after (in `seq`, which starts at tokens[i]): _window(); (cells, index after, uncertain)."""
    full = tokens[i - before:i] + list(seq)
    a, open_ = _window(full, ncols, summed)
    return full[a:a + ncols], i - before + a + ncols, open_


def _window(full: list[Token], ncols: int, summed: bool) -> tuple[int, bool]:
    """Where a row's `ncols` cells start in `full`, a run of cells with more empty ones than the
    row has room for (a label's colspan, a blank cell, a row's padding): of the windows holding
    every value, the one under which the row's 总计 (last cell) is the sum of the others, where
    only one is (`summed` rows); else the last one, uncertain. (start, uncertain)"""
    first = min(k for k, t in enumerate(full) if t.kind != EMPTY)
    last = max(k for k, t in enumerate(full) if t.kind != EMPTY)
    starts = [a for a in range(max(0, last + 1 - ncols), first + 1) if a + ncols <= len(full)]
    if summed and len(starts) > 1:
        def holds(w):
            *parts, total = [t.value for t in w]
            return total is not None and abs(total - sum(x for x in parts if x is not None)) < 1e-6
        good = [a for a in starts if holds(full[a:a + ncols])]
        if len(good) == 1:
            return good[0], False
    return starts[-1], len(starts) > 1


def _blank_row(tokens: list[Token], i: int, label: list[Token], candidates: list[T.Row],
               placed: set[str]) -> tuple[T.Row, list[Token]] | None:
    """A tab-separated row whose value cells are all empty (「行政强制\t\t\t」): the row its
    label (the text tokens of `label` on this line) names and its blank cells, when the line holds nothing but that label and
    at least as many empty cells as the row has columns."""
    line, n = tokens[i].line, len(tokens)
    j = i
    while j < n and tokens[j].line == line and tokens[j].kind == EMPTY:
        j += 1
    if j < n and tokens[j].line == line:
        return None  # more on this line: a header, or cells that are not all blank
    if j < n and tokens[j].kind != TEXT:
        nxt, k = tokens[j].line, j
        while k < n and tokens[k].line == nxt and tokens[k].kind != TEXT:
            k += 1
        if (k == n or tokens[k].line != nxt) and any(t.kind == NUM for t in tokens[j:k]):
            return None  # the label in one row, its numbers in the next (converter markdown)
    row = _choose_back("".join(t.text for t in label if t.line == line), candidates, placed)
    if row is None or j - i < len(row.columns):
        return None
    return row, tokens[i:i + len(row.columns)]


def _choose_back(text: str, candidates: list[T.Row], placed: set[str]) -> T.Row | None:
    """choose_row() among rows before the reading position that have no values yet, without
    the fuzzy fallback."""
    best, best_key = None, None
    for row in candidates:
        if row.key in placed:
            continue
        m = _match_end(row, text)
        if m is not None and (best_key is None or m > best_key):
            best, best_key = row, m
    return best


_LABEL_START_RE = re.compile(r"^(?:\d{1,2}[.、．]|\(?[一二三四五六七八九十]{1,2}[)、])")


def _label_continues_below(tokens: list[Token], i: int, head: list[Token],
                           candidates: list[T.Row]) -> tuple[T.Row | None, set[int]]:
    """A label that starts on the line of its numbers (with its ordinal: 「1.申请人无正当理」) and
    goes on below them (pdftotext -layout of a narrow label column): the row it names with the
    label-only lines after the run, when its first line alone names none. The text above it
    belongs to the rows and groups before (「（六）其他处理」 must not take this row's numbers)."""
    text = "".join(t.text for t in head)
    if not _LABEL_START_RE.match(text) or any(_match_end(r, text) for r in candidates):
        return None, set()
    return _look_ahead(tokens, i, candidates, text)


def _look_ahead(tokens: list[Token], i: int, candidates: list[T.Row],
                prefix: str = "") -> tuple[T.Row | None, set[int]]:
    """Row named by the label-only lines right after the run of values starting at tokens[i]
    (after `prefix`, the start of the label printed before the run)."""
    n = len(tokens)
    j = i
    while j < n and (tokens[j].kind != TEXT or _is_junk(tokens[j])):
        j += 1
    acc, used, lines_seen = prefix, set(), 0
    while j < n and lines_seen < 3:
        line = tokens[j].line
        k = j
        while k < n and tokens[k].line == line:
            k += 1
        if any(t.kind != TEXT for t in tokens[j:k]):
            break
        acc += "".join(t.text for t in tokens[j:k])
        used |= set(range(j, k))
        lines_seen += 1
        row = choose_row(acc, candidates)
        if row is not None and row.derived_from and lines_seen < 3:
            # a group's own label (「（六）其他处理」) above the label of its first sub-row
            more = _look_ahead_line(tokens, k)
            if more is not None:
                sub = choose_row(acc + more[0], candidates)
                if sub is not None and sub is not row:
                    return sub, used | more[1]
        if row is not None:
            return row, used
        j = k
    return None, set()


def _look_ahead_line(tokens: list[Token], j: int) -> tuple[str, set[int]] | None:
    """The text and token indexes of the label-only line starting at tokens[j], if it is one."""
    n = len(tokens)
    if j >= n:
        return None
    line, k = tokens[j].line, j
    while k < n and tokens[k].line == line:
        if tokens[k].kind != TEXT:
            return None
        k += 1
    return "".join(t.text for t in tokens[j:k]), set(range(j, k))


def _label_line(buf: list[Token], row: T.Row) -> int | None:
    """Line where the matched label starts: walk back from the end until the pattern appears."""
    acc = ""
    for t in reversed(buf):
        acc = t.text + acc
        if _match_end(row, acc) is not None:
            return t.line
    return buf[0].line if buf else None


_SUB_OTHER_RE = re.compile(r"逾期不补正|缴纳费用|收费通知")  # the 2021 template's rows under （六）其他处理


def detect_format(lines: list[str], regions: dict[str, tuple[int, int]]) -> str:
    return _detect_format([_compact(x) for x in lines], regions)


def _detect_format(comp: list[str], regions: dict[str, tuple[int, int]]) -> str:
    if "proactive" in regions:
        a, b = regions["proactive"]
        txt = "".join(comp[a:b])
        if "新制作" in txt or "上一年项目" in txt or "对外公开总数" in txt or "集中采购" in txt:
            return "2019"
    return "2021"


def read_tables(lines: list[str], folded_text: str | None = None) -> TableRead:
    """Every printed cell of the three tables, derived values, and the rows that could not be placed.
    `folded_text`: fold("\n".join(lines)), when the caller has it already."""
    res = TableRead()
    # each line folded and compacted once, for every step; the text at once (NFKC never joins
    # or makes a line break), line by line only when a "line" holds a line break of its own
    whole = fold("\n".join(lines)) if folded_text is None else folded_text
    if "│" in whole or "┃" in whole or "║" in whole:
        whole = whole.translate(_BOX)  # a table drawn with box-drawing characters
    folded = whole.split("\n")
    if len(folded) == len(lines):
        comp = _SPACES_RE.sub("", whole).split("\n")
    else:
        folded = [fold(x) for x in lines]
        comp = [_WS_RE.sub("", x) for x in folded]
    furniture = _running_lines(comp)
    if furniture:  # a running page header or footer is a page marker, wherever a page breaks
        folded, comp = list(folded), list(comp)
        for k in furniture:
            folded[k] = comp[k] = _PAGE_LINE
    regions = _find_regions(comp)
    res.format = _detect_format(comp, regions)
    # empty cells come only from `|` and tab separators: without any, no table has one
    seps = "\t" in whole or "|" in whole
    # one cell per line: decided per table, and a small table (section 四) follows the others
    shape = {key: _one_cell_per_line(folded, a, b) for key, (a, b) in regions.items()} if not seps else {}
    doc_gaps = any(single >= 12 and multi * 10 <= single for single, multi in shape.values())
    # every cell a paragraph of its own (a web page's <p> per <td>): decided by the tables with
    # enough cells to tell, and then for a small table (section 四, blanks in it) as well
    shares = {key: _paragraph_share(folded, a, b) for key, (a, b) in regions.items()} if doc_gaps else {}
    para_cells = {key for key, (single, multi) in shape.items() if single >= 12 and multi * 10 <= single
                  and shares.get(key, 0) >= 0.95}
    if para_cells:
        para_cells |= {key for key, (single, multi) in shape.items() if not multi and shares.get(key, 0) >= 0.95}
    read: dict[str, tuple[list[Cell], list[str]]] = {}
    paragraphs = False  # empty lines separate cells (plain pdftotext), they are no blank cells
    # section 三 first: its identities decide whether an empty line is a blank cell
    for key in sorted(regions, key=lambda k: k != "applications"):
        a, b = regions[key]
        single, multi = shape.get(key, (0, 1))
        if key in para_cells:
            _cells_as_paragraphs(folded, a, b)
        gaps = not seps and not paragraphs and (
            (single >= 12 and multi * 10 <= single) or (doc_gaps and single and not multi))
        toks = _tokenize(folded[a:b], a, gaps)
        if key == "proactive":
            rows = list(T.proactive_rows(res.format))
            txt = "".join(comp[a:b])
            if res.format == "2019" and "上一年项目" not in txt and ("本年处理决定数量" in txt or "收费金额" in txt):
                res.pro_format = "2019+2021"  # the 2019 header over 第二十条第（一）项 only
                rows = list(T.PROACTIVE_ROWS_2019[:2] + T.PROACTIVE_ROWS_2021[2:])
            cells, probs, placed = read_rows(toks, rows, key, seps, gaps)
            if gaps:  # an empty line may end a paragraph rather than hold a blank cell
                alt = read_rows(_tokenize(folded[a:b], a, False), rows, key, seps, False)
                if _rows_quality(alt[0], alt[1], alt[2]) > _rows_quality(cells, probs, placed):
                    cells, probs, placed = alt
        elif key == "applications":
            if res.format == "2019" and any(_SUB_OTHER_RE.search(x) for x in comp[a:b]):
                res.app_format = "2021"
            rows = [r for r in T.APPLICATION_ROWS if (res.app_format or res.format) in r.formats]
            total = _has_total_column(comp, a, b, folded)
            cells, probs, placed = _read_applications(toks, rows, seps, gaps, total)
            if not total:  # the header said no 总计 column: read with one too, keep what holds better
                alt = _read_applications(toks, rows, seps, gaps, True)
                if _quality(alt) > _quality((cells, probs, placed)):
                    cells, probs, placed, total = *alt, True
            taken: list[int] = []  # lines of cells moved to the end of their page (plain pdftotext)
            if not seps:
                # plain pdftotext: a paragraph per cell, some blocks of cells column by column;
                # the reading the identities like best
                plain = _tokenize(folded[a:b], a, False) if gaps else toks
                cols, blocks = column_blocks(plain, 7 if total else 6, sums=total)
                if not gaps:
                    (cells, probs, placed), taken = _with_page_end(folded, a, b, rows, (cells, probs, placed), total)
                if gaps or blocks:
                    alt = _read_applications(cols, rows, seps, False, total)
                    alt, alt_taken = _with_page_end(folded, a, b, rows, alt, total)
                    better, now = _quality(alt), _quality((cells, probs, placed))
                    share = _paragraph_share(folded, a, b) if gaps else 0.0
                    para = share >= 0.3
                    # nearly every cell followed by an empty line: paragraphs, whatever the empty
                    # lines read as blank cells would fill (rows the paragraphs leave short)
                    if better > now or (better == now and para) or share >= _PARAGRAPHS:
                        cells, probs, placed = alt
                        paragraphs = gaps
                        taken = alt_taken
            if taken:
                folded = list(folded)
                for k in taken:  # those lines are no cells of the tables read after this one
                    folded[k] = ""
            if total:
                order = _column_order(comp, a, b)
                if order is not None:  # the header prints the applicant columns in another order
                    remap = dict(zip(T.APP_COLS, order))
                    for c in cells:
                        c.column = remap.get(c.column, c.column)
        else:
            cells, probs = _read_review(toks, gaps)
            if probs and not gaps and _paragraph_share(folded, a, b) >= 0.3:
                # header words among the values (plain pdftotext): taken only where the rows add up
                alt = _read_review(toks, False, loose=True)
                rows_alt: dict[str, list] = {}
                for c in alt[0]:
                    rows_alt.setdefault(c.row, []).append(c.value)
                broken = [v for v in rows_alt.values() if None not in v and abs(v[-1] - sum(v[:-1])) > 1e-6]
                if alt[0] and not broken:
                    if not _review_quality(*alt)[0]:  # nothing to confirm the order: not sure
                        for c in alt[0]:
                            c.uncertain = True
                    cells, probs = alt
            if gaps:
                alt = _read_review(_tokenize(folded[a:b], a, False), False)
                if _review_quality(*alt) > _review_quality(cells, probs):
                    cells, probs = alt
        read[key] = (cells, probs)
    for key, (a, b) in regions.items():  # in the order the report prints them
        cells, probs = read[key]
        if cells:
            res.tables_found.append(key)
            res.spans[key] = (a + 1, max(c.lines[1] for c in cells))
        res.cells.extend(cells)
        res.problems.extend(probs)
    if "applications" in res.tables_found:
        printed_other = any(c.row == "other" for c in res.cells if c.table == "applications")
        sub_other = any(c.row.startswith("other.") for c in res.cells if c.table == "applications")
        if printed_other and not sub_other and res.format == "2021" and "proactive" not in regions:
            res.format = "2019"
    res.cells.extend(derive(res.cells))
    res.missing = missing_rows(res)
    said = "".join(res.problems)
    for t, rows in res.missing.items():
        if t == "applications" and rows == ["*"]:
            continue  # report.py says that one
        # a row whose numbers were found but could not be taken is named by its problem already
        rows = [r for r in rows
                if not (T.TABLE_TITLES[t] in said if r == "*" else f"「{fold(T.row_label(t, r))}」行" in said)]
        if rows:
            res.problems.append(missing_message(t, rows))
    return res


def _read_applications(toks: list[Token], rows: list[T.Row], seps: bool, gaps: bool,
                       total: bool) -> tuple[list[Cell], list[str], set[str]]:
    """Section 三 from its tokens: the walk, then `realign` when the walk leaves numbers or rows
    unplaced; without a 总计 column, `_read_without_total`."""
    if not total:
        return _read_without_total(toks, rows, seps, gaps)
    trace: dict = {}
    cells, probs, placed = read_rows(toks, rows, "applications", seps, gaps, trace)
    if probs or _rows_lacking(rows, placed):
        better = realign(toks, rows, cells, trace)
        if better is not None:
            cells, probs, placed = better
    return cells, probs, placed


def _rows_lacking(rows: list[T.Row], placed: set[str]) -> bool:
    """Whether a printed row of section 三 (not a group total, not optional) has no values;
    (六)其他处理 printed as one row stands for its three sub-rows."""
    return any(not r.optional and r.key not in placed for r in rows
               if not r.derived_from and not (r.key.startswith("other.") and "other" in placed))


# ---------------------------------------------------------------------------------------
# A row's last cells printed at the end of its page (plain pdftotext reading order)

def _unplaced_runs(tokens: list[Token], cells: list[Cell], ncols: int) -> list[tuple[int, int]]:
    """[start, end) token indexes of each run of values that no cell took and that is no whole
    number of rows: consecutive value tokens between label text, none of them placed (a run of
    n rows each short of d cells holds n * (ncols - d) values)."""
    placed = {c.at for c in cells if c.at is not None}
    out, i, n = [], 0, len(tokens)
    while i < n:
        if tokens[i].kind not in (NUM, NULL):
            i += 1
            continue
        j = i
        while j < n and (tokens[j].kind in (NUM, NULL) or (_is_junk(tokens[j]) and j + 1 < n
                                                          and tokens[j + 1].kind in (NUM, NULL))):
            j += 1
        vals = [t for t in tokens[i:j] if t.kind in (NUM, NULL)]
        if vals and not any((t.line, t.word) in placed for t in vals) and len(vals) % ncols:
            out.append((i, j))
        i = j
    return out


def _page_strays(folded: list[str], m: int, lo: int) -> list[Token]:
    """Value tokens on the lines right after the page-number line folded[m] (empty lines
    skipped, up to the first line holding anything else), or, when there are none, right before
    it (not above line `lo`): cells plain pdftotext moved to the end of their page."""
    n = len(folded)
    for step in (1, -1):
        got: list[Token] = []
        k = m + step
        while lo <= k < n:
            s = folded[k]
            if not s.strip():
                k += step
                continue
            if _PAGE_RE.match(s):
                break
            toks = _tokenize([s], k)
            if not toks or any(t.kind not in (NUM, NULL) for t in toks):
                break
            got = got + toks if step == 1 else toks + got
            k += step
        if got:
            return got
    return []


def _with_page_end(folded: list[str], a: int, b: int, rows: list[T.Row],
                   read: tuple[list[Cell], list[str], set[str]], total: bool):
    """`read` completed by `_page_end_cells` where it leaves numbers unplaced, and the lines of
    the cells so taken (none: `read` as it was)."""
    if not total or not read[1]:
        return read, []
    moved = _page_end_cells(folded, a, b, rows, read)
    if moved is None:
        return read, []
    return moved[:3], moved[3]


def _page_end_cells(folded: list[str], a: int, b: int, rows: list[T.Row],
                    read: tuple[list[Cell], list[str], set[str]]):
    """Section 三 rows that plain pdftotext printed short because their last cells went to the
    end of the page (a column at the right edge of a page whose other text is narrower is a
    reading flow of its own, read after the page number): `(cells, problems, placed, lines
    taken)` with the rows completed, or None.

    Each run of values in the table that no row took and that is short of whole rows is given
    the values found right after (or before) the next page-number line, outside the table, when
    their count is what the run lacks; a run of several short rows is cut into rows of equal
    width, the moved cells given row by row or column by column. The completed reading is kept
    only when it places more rows and breaks no identity that rests on a completed row; a moved
    cell that no identity can confirm (a blank in its row and column) leaves its row uncertain.
    The completed reading must do better than `read` (more rows placed, or fewer identities
    broken, fewer rows uncertain: `_quality`)."""
    cells0 = read[0]
    ncols = len(T.APP_COLS)
    toks = _tokenize(folded[a:b], a, False)
    runs = _unplaced_runs(toks, cells0, ncols)
    if not runs:
        return None
    markers = [k for k in range(b, len(folded)) if _PAGE_RE.match(folded[k])]
    found: dict[int, list[Token]] = {}  # page-marker line -> the values next to it
    for k in markers:
        found[k] = _page_strays(folded, k, b)
    # per page: its short runs and the values moved to its end; the page ends at the first page
    # number after the run (a running header, or a line taken for one, may stand before it)
    pages: dict[tuple[int, ...], list] = {}  # the page lines a run's moved cells may follow -> runs
    for i, j in runs:
        near = []
        for k in markers:
            if k < toks[j - 1].line:  # (Token.line is 1-based)
                continue
            if found[k]:
                near.append(k)
            if folded[k] != _PAGE_LINE:
                break
        if near:
            pages.setdefault(tuple(near), []).append((i, j))
    options: list[list[dict[int, list[Token]]]] = []  # per page: ways to give its runs the moved cells
    taken: list[int] = []
    for near, page_runs in pages.items():
        ways = _stray_ways(toks, page_runs, [found[m] for m in near], ncols)
        if ways:
            options.append(ways[1])
            taken += sorted({t.line - 1 for t in ways[0]})
    if not options or len(options) > 3:
        return None
    return _complete_rows(toks, rows, read, options, taken)


def _stray_ways(toks: list[Token], page_runs: list[tuple[int, int]], near: list[list[Token]], ncols: int):
    """(the values used, the ways to give them to the short rows of `page_runs`: token index ->
    values to insert after it), from the first list of `near` whose count fits; None if none does."""
    for strays in near:
        ways = []
        for d in range(1, 4):  # each short row lacks its d last cells
            cuts = []  # (index of the token after which cells go, the run's row)
            for i, j in page_runs:
                vals = [k for k in range(i, j) if toks[k].kind in (NUM, NULL)]
                if len(vals) % (ncols - d):
                    break
                cuts += [vals[(r + 1) * (ncols - d) - 1] for r in range(len(vals) // (ncols - d))]
            else:
                if len(cuts) * d != len(strays):
                    continue
                by_row = {at: strays[r * d:(r + 1) * d] for r, at in enumerate(cuts)}
                by_col = {at: [strays[c * len(cuts) + r] for c in range(d)] for r, at in enumerate(cuts)}
                ways += [by_row] + ([by_col] if by_col != by_row else [])
        if ways:
            return strays, ways
    return None


def _complete_rows(toks: list[Token], rows: list[T.Row], read: tuple[list[Cell], list[str], set[str]],
                   options: list[list[dict[int, list[Token]]]], taken: list[int]):
    """_page_end_cells' reading of `toks` with the moved cells put back, one way per page of
    `options`, checked by the identities (see there)."""
    from .checks import run_checks
    ncols = len(T.APP_COLS)
    best = None
    for combo in islice(product(*options), 8):
        insert: dict[int, list[Token]] = {}
        for way in combo:
            insert.update(way)
        cand = []
        for k, t in enumerate(toks):
            cand.append(t)
            cand += insert.get(k, [])
        got = _read_applications(cand, rows, False, False, True)
        cols, blocks = column_blocks(cand, ncols)
        if blocks:
            alt = _read_applications(cols, rows, False, False, True)
            if _quality(alt) > _quality(got):
                got = alt
        moved = {(t.line, t.word) for way in combo for ts in way.values() for t in ts}
        filled = [c for c in got[0] if c.at in moved]
        if len(filled) != len(moved) or _quality(got) <= _quality(read):
            continue
        rows_filled = {c.row for c in filled}
        groups = {g for g, subs in T.GROUP_ROWS.items() if rows_filled & set(subs)}
        confirmed: set[tuple[str, str]] = set()
        broken = False
        for chk in run_checks(got[0] + derive(got[0])):
            on = [(x["row"], x["column"]) for x in chk.cells]
            if not any(r in rows_filled or r in groups for r, _c in on):
                continue
            if not chk.ok:
                broken = True
                break
            confirmed.update(on)
            confirmed.update((r, c) for g, c in on if g in groups for r in T.GROUP_ROWS[g])
        if broken:
            continue
        unsure = {c.row for c in filled if (c.row, c.column) not in confirmed}
        if best is not None:
            if _values(best[0][0]) != _values(got[0]):
                return None  # two ways to complete the rows both hold: not for the reader to choose
            continue
        best = (got, unsure)
    if best is None:
        return None
    (cells, probs, placed), unsure = best
    if unsure:
        for c in cells:
            if c.row in unsure:
                c.uncertain = True
        probs = probs + [f"{T.TABLE_TITLES['applications']}：{'、'.join(T.short_row_label('applications', r) for r in sorted(unsure))}"
                         "行的最后几格印在页末（页码之后），勾稽关系无法确认，这些行标为「不确定」"]
    return cells, probs, placed, taken


def _values(cells: list[Cell]) -> dict[tuple[str, str], object]:
    return {(c.row, c.column): c.value for c in cells}


def _rows_quality(cells: list[Cell], probs: list[str], placed: set[str]) -> tuple[int, int, int]:
    """Rows placed, values read (not blank), fewer problems: for choosing between two readings."""
    return len(placed), sum(1 for c in cells if c.value is not None), -len(probs)


def _review_quality(cells: list[Cell], probs: list[str]) -> tuple[int, int, int]:
    """Section 四's rows whose 总计 is the sum of the four results, values read, fewer problems."""
    by_row: dict[str, list] = {}
    for c in cells:
        by_row.setdefault(c.row, []).append(c.value)
    held = sum(1 for v in by_row.values() if None not in v and any(v) and abs(v[-1] - sum(v[:-1])) < 1e-6)
    return held, sum(1 for c in cells if c.value is not None), -len(probs)


def _quality(read: tuple[list[Cell], list[str], set[str]]) -> tuple[int, int, int, int]:
    """How good one reading of section 三 is, for choosing between readings of the same text:
    rows placed, then fewer broken identities, fewer uncertain cells, fewer problems."""
    from .checks import run_checks
    cells, probs, placed = read
    failed = sum(1 for r in run_checks(cells + derive(cells)) if not r.ok)
    return len(placed), -failed, -sum(1 for c in cells if c.uncertain), -len(probs)


_CJK4_RE = re.compile(r"[\u4e00-\u9fff]{4}")
_PAGE_LINE = "- 0 -"  # what a line of page furniture is read as (matches _PAGE_RE)
_SECTION_WORDS_RE = re.compile(r"总体情况|主动公开政府信息|收到和处理|行政诉讼情况|存在的主要问题|其他需要报告")
_ALL_ROWS = T.APPLICATION_ROWS + T.PROACTIVE.rows + T.REVIEW_ROWS


def _running_lines(comp: list[str]) -> set[int]:
    """0-based indexes of running page headers and footers: a short line printed again and
    again (at least twice), once at least within two lines of a page number, that names no row
    or column of the template and is no section heading (「某某市人民政府门户网站」, 「政府信息公开
    专栏 年度报告」 at the top of every page)."""
    at: dict[str, list[int]] = {}
    for k, c in enumerate(comp):
        if c and len(c) <= 40 and not _PAGE_RE.match(c):
            at.setdefault(c, []).append(k)
    filled = [k for k, c in enumerate(comp) if c]  # lines holding something (distance counts these)
    rank = {k: n for n, k in enumerate(filled)}
    pages = {rank[k] for k in filled if _PAGE_RE.match(comp[k])}
    if not pages:
        return set()
    out: set[int] = set()
    for c, ks in at.items():
        if len(ks) < 2 or not any(p in pages for k in ks for p in range(rank[k] - 2, rank[k] + 3)):
            continue
        if not _CJK4_RE.search(c):
            continue  # numbers, blanks (「/」), one character of a vertical label: cells
        if _HEADER_CELL_RE.match(c) or _SECTION_WORDS_RE.search(c) or any(_match_end(r, c) for r in _ALL_ROWS):
            continue
        if "政府信息公开工作年度报告" in c or "政务公开工作年度报告" in c:
            continue  # the report's title repeated as a running header is left to the metadata
        out.update(ks)
    return out


def missing_rows(res: TableRead) -> dict[str, list[str]]:
    """Rows of the template that a table found in the report does not print (a section 三 cut
    off in the middle, rows dropped by a converter): table -> row keys, in template order. A
    table the report does not have at all is listed as ["*"] when another table was found.
    (六)其他处理 printed as one row stands for its three sub-rows, and the reverse."""
    out: dict[str, list[str]] = {}
    have: dict[str, set[str]] = {}
    for c in res.cells:
        if not c.derived:
            have.setdefault(c.table, set()).add(c.row)
    if not have:
        return out
    for table in ("proactive", "applications", "review_litigation"):
        rows = have.get(table)
        if not rows:
            out[table] = ["*"]
            continue
        if table == "proactive":
            want = [r.key for r in T.proactive_rows(res.format)]
            if res.pro_format == "2019+2021":
                want = [r.key for r in T.PROACTIVE_ROWS_2019[:2] + T.PROACTIVE_ROWS_2021[2:]]
        elif table == "applications":
            fmt = res.app_format or res.format
            want = [r.key for r in T.APPLICATION_ROWS if fmt in r.formats and not r.optional]
            if "other" in rows or fmt == "2019":
                want = [k for k in want if not k.startswith("other.")] + (["other"] if fmt == "2019" else [])
        else:
            want = [r.key for r in T.REVIEW_ROWS]
        lost = [k for k in want if k not in rows]
        if lost:
            out[table] = lost
    return out


def uncertain_rows(cells: list[Cell]) -> list[str]:
    """「table.row」 of every row (printed or derived) holding a cell the reader is not sure of."""
    seen: dict[str, None] = {}
    for c in cells:
        if c.uncertain:
            seen.setdefault(f"{c.table}.{c.row}", None)
    return list(seen)


def missing_message(table: str, rows: list[str]) -> str:
    """The Chinese warning for a table with rows missing (or not found at all)."""
    if rows == ["*"]:
        return f"没有找到「{T.TABLE_TITLES[table]}」表格，表格不完整"
    names = "、".join(T.short_row_label(table, r) for r in rows)
    return f"{T.TABLE_TITLES[table]}：表格不完整，缺少 {len(rows)} 行（{names}）"


_PARAGRAPHS = 0.7  # _paragraph_share above which empty lines end paragraphs, never blank cells


def _paragraph_share(folded: list[str], a: int, b: int) -> float:
    """Share of the lines in [a, b) holding something that an empty line follows: plain
    pdftotext ends every text block (a cell, a label) with one, so the share is high; one cell
    per line with blanks as empty lines has an empty line only where a cell is blank."""
    held = ended = 0
    for k in range(a, min(b, len(folded)) - 1):
        s = folded[k]
        if not s.strip() or _PAGE_RE.match(s):
            continue
        held += 1
        if not folded[k + 1].strip():
            ended += 1
    return ended / held if held else 0.0


def _cells_as_paragraphs(folded: list[str], a: int, b: int) -> None:
    """A table whose every cell is a paragraph of its own (a web page's <p> in each <td>, as
    scraped: every line followed by an empty one): the empty line ending each cell is no cell;
    an empty cell is an empty paragraph, so a run of k empty lines holds (k - 1) // 2 blank cells.
    In place: the separating empty lines become page-furniture lines (read as nothing), the
    blank cells stay empty lines (one cell per line with blanks as empty lines, read as such)."""
    k = a
    end = min(b, len(folded))
    while k < end:
        if folded[k].strip() and not _PAGE_RE.match(folded[k]):
            k += 1
            continue
        j = k
        while j < len(folded) and (not folded[j].strip() or _PAGE_RE.match(folded[j])):
            j += 1  # (the run may go on past the table: the next heading closes it)
        empties = [m for m in range(k, j) if not folded[m].strip()]
        keep = (len(empties) - 1) // 2 if k > a and j < len(folded) else 0
        for m in empties[keep:]:
            if m < end:
                folded[m] = _PAGE_LINE
        k = j


def _one_cell_per_line(folded: list[str], a: int, b: int) -> tuple[int, int]:
    """(lines holding one number and nothing else, lines holding numbers and more) in lines
    [a, b): a table printing one cell per line with no separator has nearly only the first kind,
    and then an empty line may be a blank cell."""
    single = multi = 0
    for s in folded[a:b]:
        if not _DIGIT_RE.search(s) or _PAGE_RE.match(s):
            continue
        words = s.split()
        nums = sum(1 for w in words if w.isdecimal() or _NUM_RE.match(w))
        if nums == 1 and len(words) == 1:
            single += 1
        elif nums:
            multi += 1
    return single, multi


# ---------------------------------------------------------------------------------------
# Cells emitted column by column (plain pdftotext reading order)

def _value_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """(index of the first token, length) of each run of values printed one a line on
    consecutive lines (no empty line between them), each alone on its line."""
    n = len(tokens)
    alone = [t.kind in (NUM, NULL) and (i == 0 or tokens[i - 1].line != t.line) and (i + 1 == n or tokens[i + 1].line != t.line)
             for i, t in enumerate(tokens)]
    runs, i = [], 0
    while i < n:
        if not alone[i]:
            i += 1
            continue
        j = i + 1
        while j < n and alone[j] and tokens[j].line == tokens[j - 1].line + 1:
            j += 1
        runs.append((i, j - i))
        i = j
    return runs


def _rows_holding(rows: list[list[Token]]) -> int:
    """Rows of section 三 whose 总计 (last value) is the sum of the others; rows with a blank
    or of zeros only do not count (they hold under any order)."""
    held = 0
    for r in rows:
        vals = [t.value for t in r]
        if None in vals or not any(vals):
            continue
        if abs(vals[-1] - sum(vals[:-1])) < 1e-6:
            held += 1
    return held


def column_blocks(tokens: list[Token], ncols: int, sums: bool = True) -> tuple[list[Token], int]:
    """Tokens with every block of cells emitted column by column put back in row order, and
    how many blocks were so read.

    Plain pdftotext reads a ruled table by text blocks: the cells of a column in a stretch of
    single-line rows form one block (their values on consecutive lines), and each column's
    block follows the one before it after an empty line. A block is `ncols` such runs of equal
    length k >= 2, one right after another in the stream, nothing but empty lines between them;
    it holds k rows. With `sums` (section 三: 总计 is the last column), the block is read
    column by column only when at least as many rows add up so as in line order.

    >>> toks = tokenize(["1", "2", "", "3", "4"])
    >>> [t.text for t in column_blocks(toks, 2, sums=False)[0]]
    ['1', '3', '2', '4']
    """
    runs = _value_runs(tokens)
    out: list[Token] | None = None
    done = r = 0
    while r + ncols <= len(runs):
        s, k = runs[r]
        if k >= 2 and all(runs[r + c][1] == k and runs[r + c][0] == s + c * k for c in range(ncols)):
            block = tokens[s:s + ncols * k]
            by_col = [[block[c * k + i] for c in range(ncols)] for i in range(k)]
            as_is = [block[i * ncols:(i + 1) * ncols] for i in range(k)] if k * ncols == len(block) else []
            if not sums or _rows_holding(by_col) >= _rows_holding(as_is):
                if out is None:
                    out = list(tokens)
                out[s:s + ncols * k] = [t for row in by_col for t in row]
                done += 1
            r += ncols
            continue
        r += 1
    return (tokens if out is None else out), done


# ---------------------------------------------------------------------------------------
# Placing rows whose labels are printed apart from their numbers (converted PDFs)

def _line_runs(tokens: list[Token], ncols: int, rows: list[T.Row] = (),
               trace: dict | None = None) -> tuple[list[tuple[int, int, list[Token]]], list[Token]]:
    """Rows of values cut by lines: (index of the first token, index after the last, the row's
    `ncols` value tokens) in reading order, and the stray values that make no row. A line of
    exactly `ncols` values is a row; shorter lines are joined with the next while they fill one
    (a number pushed to the next line); trailing empty cells beyond `ncols` are grid padding."""
    runs, stray = [], []
    n, i = len(tokens), 0
    pend: list[Token] = []
    pend_start = 0
    while i < n:
        if tokens[i].kind == TEXT:
            if not _is_junk(tokens[i]):
                after = None
                if rows and pend and len(pend) < ncols:
                    # the walk's row for these values: its own wrapped label may stand among them
                    key = (trace or {}).get(id(pend[0]), (None,))[0]
                    after = _mid_row_text(tokens, i, next((r for r in rows if r.key == key), None), rows)
                if after is not None:  # column headers or a page header inside a row (plain pdftotext)
                    i = after
                    continue
                stray.extend(t for t in pend if t.kind != EMPTY)
                pend = []
            i += 1
            continue
        line, j = tokens[i].line, i
        while j < n and tokens[j].line == line and tokens[j].kind != TEXT:
            j += 1
        vals = list(tokens[i:j])
        while len(vals) > ncols and vals[-1].kind == EMPTY:
            vals.pop()
        while len(vals) > ncols and vals[0].kind == EMPTY:
            vals.pop(0)
        if not any(t.kind != EMPTY for t in vals):
            i = j
            continue
        if len(vals) == ncols:
            stray.extend(t for t in pend if t.kind != EMPTY)
            pend = []
            runs.append((i, j, vals))
        elif len(vals) < ncols:
            if not pend:
                pend_start = i
            pend = pend + vals
            if len(pend) == ncols:
                runs.append((pend_start, j, pend))
                pend = []
            elif len(pend) > ncols:
                stray.extend(t for t in pend[:len(pend) - len(vals)] if t.kind != EMPTY)
                pend, pend_start = vals, i
        else:
            stray.extend(t for t in vals if t.kind != EMPTY)
        i = j
    stray.extend(t for t in pend if t.kind != EMPTY)
    return runs, stray


def realign(tokens: list[Token], rows: list[T.Row], greedy: list[Cell],
            trace: dict) -> tuple[list[Cell], list[str], set[str]] | None:
    """Section 三 when the walk left numbers unplaced or rows empty: every row of values (cut by
    lines) is given a template row, in template order, so as to agree best with the labels
    around it. A row keeps the walk's choice where the walk placed it (score 10), else it goes
    to a row whose label is printed in the text between its neighbours (6), else to the next row
    in order (1, template rows only, never an optional group row); leaving a row of numbers
    unplaced costs 10. (六)其他处理 is tried both ways, as one row and as its three sub-rows:
    the placement that places more rows, then leaves fewer template rows empty, then breaks
    fewer identities, wins. The placement is taken over the walk's only when it places more
    rows, or as many with fewer broken identities; rows not placed by the walk's label-before
    choice are marked uncertain unless every identity that can be evaluated holds then.
    Returns None when this does not do better than the walk."""
    from .checks import run_checks
    ncols = len(T.APP_COLS)
    order = [r for r in rows if not r.derived_from or r.key == "other" or r.optional]
    runs, stray = _line_runs(tokens, ncols, order if not any(t.kind == EMPTY for t in tokens) else (), trace)
    if not runs:
        return None
    # the label text around each run: from the end of the run before to the start of the next
    texts = []
    for k, (a, b, _v) in enumerate(runs):
        lo = runs[k - 1][1] if k else 0
        hi = runs[k + 1][0] if k + 1 < len(runs) else len(tokens)
        before = "".join(t.text for t in tokens[lo:a] if t.kind == TEXT)
        after = "".join(t.text for t in tokens[b:hi] if t.kind == TEXT)
        texts.append((before, after))
    keys = [r.key for r in order]
    variants = [order]
    if "other" in keys and any(k.startswith("other.") for k in keys):
        variants = [[r for r in order if r.key != "other"], [r for r in order if not r.key.startswith("other.")]]
    chosen = None
    plans = []
    for var in variants:
        plans.append((var, _realign_plan(runs, texts, var, trace)))
        printed = _printed_rows(var)
        if len(printed) == len(runs):
            # as many rows of numbers as the template has rows: each in its place, in order (the
            # identities cannot tell outcome rows apart, the count and the order can)
            plans.append((var, ({k: (row, 6) for k, row in enumerate(printed)}, 0)))
    for var, (plan, total) in plans:
        cells: list[Cell] = []
        placed: set[str] = set()
        unsure: set[str] = set()
        for k, (_a, _b, vals) in enumerate(runs):
            if k not in plan:
                continue
            row, sc = plan[k]
            first = min(t.line for t in vals)
            last = max(t.line for t in vals)
            for col, v in zip(row.columns, vals):
                cells.append(Cell("applications", row.key, col, v.value, (first, last), label=fold(row.label),
                                  at=(v.line, v.word) if v.word >= 0 else None))
            placed.add(row.key)
            if sc < 10:
                unsure.add(row.key)
        failed = sum(1 for r in run_checks(cells + derive(cells)) if not r.ok)
        empty = sum(1 for r in _printed_rows(var) if r.key not in placed)
        rank = (len(placed), -empty, -failed, total)
        if chosen is None or rank > chosen[0]:
            chosen = (rank, var, plan, cells, placed, unsure, failed)
    _rank, order, plan, cells, placed, unsure, failed = chosen
    for k, (_a, _b, vals) in enumerate(runs):
        if k not in plan:
            stray.extend(t for t in vals if t.kind != EMPTY)
    problems: list[str] = []
    greedy_failed = sum(1 for r in run_checks(greedy + derive(greedy)) if not r.ok)
    greedy_rows = {c.row for c in greedy}
    if len(placed) < len(greedy_rows) or (len(placed) == len(greedy_rows) and failed >= greedy_failed):
        return None
    if failed and unsure:
        for c in cells:
            if c.row in unsure:
                c.uncertain = True
        problems.append(f"{T.TABLE_TITLES['applications']}：{len(unsure)} 行的数字与行名分开印出，按模板行序放入"
                        f"（{'、'.join(T.short_row_label('applications', r) for r in sorted(unsure, key=lambda r: [o.key for o in order].index(r)))}），"
                        "勾稽关系未能确认，这些行标为「不确定」")
    nums = [t for t in stray if t.kind == NUM]
    if nums:
        problems.append(f"{T.TABLE_TITLES['applications']}：第 {nums[0].line} 行的数字 {' '.join(t.text for t in nums)} "
                        "无法对应到模板中的行，未采用")
    return cells, problems, placed


def _printed_rows(rows: list[T.Row]) -> list[T.Row]:
    """The rows a report prints (group totals are optional), (六)其他处理 among them when its
    sub-rows are not in `rows`."""
    one_other = not any(r.key.startswith("other.") for r in rows)
    return [r for r in rows if not (r.optional or r.derived_from) or (r.key == "other" and one_other)]


def _realign_plan(runs: list, texts: list[tuple[str, str]], order: list[T.Row],
                  trace: dict) -> tuple[dict[int, tuple[T.Row, int]], int]:
    """realign's dynamic programme over one list of template rows: run index -> (row, score),
    and the plan's total score. (六)其他处理 is an ordinary row when its sub-rows are not in
    `order`; other group rows take a run only with their own label right before it."""
    alone = {r.key for r in order}
    plain_other = "other" in alone and not any(k.startswith("other.") for k in alone)

    def score(k: int, row: T.Row) -> int:
        vals = runs[k][2]
        keys = [trace.get(id(t)) for t in vals]
        if keys and all(x is not None and x[0] == row.key for x in keys):
            return min(x[1] for x in keys)
        before, after = texts[k]
        if (row.optional or row.derived_from) and not (plain_other and row.key == "other"):
            # a printed group total (「（三）不予公开」 row) has its own label right before its
            # numbers: the label that ends last there; elsewhere a group label is a heading
            return 6 if _choose(before, order)[0] is row else -100
        if _match_end(row, before) or _match_end(row, after):
            return 6
        return 1

    nr, nm = len(runs), len(order)
    NEG = -10 ** 9
    # best[k][j]: best score of runs[:k] using rows order[:j] (row j-1 the last one usable)
    best = [[NEG] * (nm + 1) for _ in range(nr + 1)]
    back: dict = {}
    for j in range(nm + 1):
        best[0][j] = 0
    for k in range(1, nr + 1):
        for j in range(nm + 1):
            cand = best[k - 1][j] - 10, ("drop", j)  # run k-1 left unplaced
            if j:
                if best[k][j - 1] > cand[0]:
                    cand = best[k][j - 1], ("skip", j - 1)
                sc = score(k - 1, order[j - 1])
                if sc > -100 and best[k - 1][j - 1] + sc > cand[0]:
                    cand = best[k - 1][j - 1] + sc, ("take", j - 1)
            best[k][j], back[(k, j)] = cand
    k, j = nr, nm
    plan: dict[int, tuple[T.Row, int]] = {}
    while k > 0:
        how, jj = back[(k, j)]
        if how == "take":
            plan[k - 1] = (order[jj], score(k - 1, order[jj]))
            k, j = k - 1, jj
        elif how == "skip":
            j = jj
        else:
            k, j = k - 1, jj
    return plan, best[nr][nm]


_COLUMN_WORDS = tuple((key, re.compile(pat)) for key, pat in (
    ("natural_person", r"自然人"), ("commercial_enterprise", r"商业企业"), ("research_institution", r"科研机构"),
    ("social_welfare_org", r"社会公益"), ("legal_service_org", r"法律服务"), ("other_org", r"(?<!或)其他(?!组织)"),
    ("total", r"总计|合计")))


def _column_order(comp: list[str], a: int, b: int) -> tuple[str, ...] | None:
    """The applicant columns in the order section 三's header prints them, when that header is
    one line naming all seven (a markdown or HTML header row) in an order other than the
    template's; None otherwise (two-line headers, 「自然人 法人或其他组织 总计」 over the five org
    columns, cannot be ordered from text)."""
    for k in range(a, b):
        c = comp[k]
        if "本年新收" in c or "新收政府信息公开申请" in c:
            return None
        if "自然人" not in c or "商业企业" not in c:
            continue
        at = []
        for key, pat in _COLUMN_WORDS:
            m = pat.search(c)
            if m is None:
                return None
            at.append((m.start(), key))
        order = tuple(key for _p, key in sorted(at))
        return None if order == T.APP_COLS else order
    return None


def _has_total_column(comp: list[str], a: int, b: int, folded: list[str] | None = None) -> bool:
    """Whether section 三's column header (the text above its first row) prints 「总计」; when
    no header is in sight (no 「自然人」 above the first row), the template's columns are assumed."""
    head = ""
    for k in range(a, b):
        c = comp[k]
        if "本年新收" in c or "新收政府信息公开申请" in c:
            if folded is not None:
                decided = _row_width(folded, k, b)
                if decided is not None:
                    return decided
            break
        head += c
    return "总计" in head or "合计" in head or "自然人" not in head


def _row_width(folded: list[str], k: int, b: int) -> bool | None:
    """Whether section 三's rows print seven numbers (True) or six (False), from the first rows
    from line k on: the first row's numbers beside its label or just below it (pdf text), or
    the first separated row with no empty cell among its values (a blank cell there, or a
    colspan pad after the label, leaves the width undecided); None when no row decides."""
    got = 0
    for s in folded[k:min(b, k + 5)]:  # the first row, unseparated, its numbers maybe below
        if "|" in s or "\t" in s:
            break
        words = s.split()
        vals = sum(1 for w in words if _NUM_RE.match(w) or w in _NULLS or w == "无")
        if got and vals < len(words):
            break  # the next row's label
        got += vals
    if got >= 6:
        return got >= 7
    got, prev = 0, "text"
    for s in folded[k + 1:min(b, k + 20)]:  # plain pdftotext: one value a paragraph, up to the next label
        words = s.split()
        if _PAGE_RE.match(s):
            continue
        if "|" in s or "\t" in s or (words and not all(_NUM_RE.match(w) or w in _NULLS or w == "无" for w in words)):
            break
        kind = "value" if words else "empty"
        if kind == prev:  # two values, or two empty lines, in a row: not a paragraph a value
            got = -1
            break
        got += len(words)
        prev = kind
    if got in (6, 7):
        return got == 7
    for s in folded[k:min(b, k + 40)]:
        if "|" not in s and "\t" not in s:
            continue
        cells = [c.strip() for c in _SEP_RE.split(s) if c not in ("|", "\t")]
        value = [bool(c) and bool(_NUM_RE.match(c) or c in _NULLS or c == "无") for c in cells]
        if sum(value) < 6:
            continue
        label = max([i for i, c in enumerate(cells) if c and not value[i]], default=-1)
        last = max(i for i, v in enumerate(value) if v)
        if any(not c for c in cells[label + 1:last]):
            continue  # undecided: try the next row
        return sum(value) >= 7
    return None


def _read_without_total(tokens: list[Token], rows: list[T.Row], has_empty: bool | None = None,
                        gaps: bool = False) -> tuple[list[Cell], list[str], set[str]]:
    """Section 三 printed without its 总计 column: each row has the six applicant columns; the
    total is stored blank (null), as a cell the report does not print, and said so."""
    six = [dataclasses.replace(r, columns=r.columns[:-1]) if r.columns == T.APP_COLS else r for r in rows]
    cells, probs, placed = read_rows(tokens, six, "applications", has_empty, gaps)
    for row in [r for r in six if r.key in placed]:
        last = [c for c in cells if c.row == row.key][-1]
        cells.append(Cell("applications", row.key, "total", None, last.lines, label=last.label))
    if placed:
        probs.insert(0, f"{T.TABLE_TITLES['applications']}：表中没有「总计」列，各行的总计记为空白")
    return cells, probs, placed


# words of section 四's own headers and captions (「表2 行政诉讼情况」, 「(二)行政诉讼情况」)
_REVIEW_HEADER_CHARS = set("行政复议诉讼结果维持纠正其他尚未审结总计经直接起后()（）、·:：表情况一二三0123456789.")


def _review_gaps(tokens: list[Token], vals: list[Token]) -> list[Token]:
    """One cell per line, blanks as empty lines, some cells not printed at all (only the three
    总计 cells): the run's cells are the empty lines just before its first value and the values
    after, up to 15, the empty lines next to the first value counted first (a row printing only
    its last cell puts it by position); the empty lines after the run fill what is left."""
    first = next(k for k, t in enumerate(tokens) if t is vals[0])
    lead = 0
    while first - lead - 1 >= 0 and tokens[first - lead - 1].kind == EMPTY:
        lead += 1
    core = list(vals)
    while core and core[-1].kind == EMPTY:
        core.pop()
    k = next(k for k, t in enumerate(tokens) if t is core[-1]) + 1
    trail = 0
    while k + trail < len(tokens) and tokens[k + trail].kind == EMPTY:
        trail += 1
    need = 15 - len(core)
    if need < 0 or lead + trail < need:
        return vals
    take_lead = min(lead, need)
    return tokens[first - take_lead:first] + core + tokens[k:k + need - take_lead]


def _read_review(tokens: list[Token], gaps: bool = False, loose: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 四: the first run of 15 values after the header, read as three rows of five.
    Some reports print the three rows one under another, each under its own labels: a run may
    pause for label text after 5 or 10 values (only the table's own header words: prose with
    numbers in it must not be read as cells), never in the middle of a row."""
    vals: list[Token] = []
    pauses: list[int] = []  # how many values stood before each stretch of header words
    block = 0  # where the values after the last text start (in vals)
    unsure_block = False  # which empty cells of a run are cells was left open (_review_block)
    for tok in tokens:
        if tok.kind == TEXT:
            if loose and vals and set(tok.text) <= _REVIEW_HEADER_CHARS:
                continue  # plain pdftotext: the header words of each column among its values
            if vals and block < len(vals):
                vals[block:], open_ = _review_block(vals[block:], 3 if block and block % 5 else 5)
                unsure_block |= open_
            block = len(vals)
            if vals and not _is_junk(tok) and ((len(vals) % 5 and len(vals) % 3)
                                               or not set(tok.text) <= _REVIEW_HEADER_CHARS):
                break
            if vals and not _is_junk(tok) and (not pauses or pauses[-1] != len(vals)):
                pauses.append(len(vals))
            continue
        if tok.kind == EMPTY and not vals:
            continue
        vals.append(tok)
        lead = 0  # empty cells opening the run since the last text: a scraped row's 「|」, not cells yet
        while block + lead < len(vals) and vals[block + lead].kind == EMPTY:
            lead += 1
        if len(vals) - lead >= 15:
            break
    if block < len(vals):
        vals[block:], open_ = _review_block(vals[block:], 3 if block and block % 5 else 5, 15 - block)
        unsure_block |= open_
    vals = vals[:15]
    if pauses and any(p % 5 for p in pauses) and len(vals) < 15:
        return [], [f"{T.TABLE_TITLES['review_litigation']}：只读到 {len(vals)} 个数，应有 15 个"
                    f"（第 {vals[0].line} 行），未采用"]
    if gaps and vals and (len(vals) < 15 or vals[-1].kind == EMPTY):
        vals = _review_gaps(tokens, vals)
    if len(vals) < 15:
        if vals:
            return [], [f"{T.TABLE_TITLES['review_litigation']}：只读到 {len(vals)} 个数，应有 15 个"
                        f"（第 {vals[0].line} 行），未采用"]
        return [], []
    # the three rows of five as printed, or transposed (a row per result, 结果维持 … 总计, of
    # three numbers: 复议, 直接起诉, 复议后起诉): the order under which 总计 = the sum of the four
    # results holds; when the printing itself says transposed (label text after every third
    # number) and neither order holds, the cells are kept transposed and marked uncertain
    rows_major = [vals[i * 5:i * 5 + 5] for i in range(3)]
    transposed = [[vals[j * 3 + i] for j in range(5)] for i in range(3)]
    looks_transposed = bool(pauses) and all(p % 3 == 0 for p in pauses) and any(p % 5 for p in pauses)
    holds_rows, holds_cols = _review_holds(rows_major), _review_holds(transposed)
    unsure = False
    if looks_transposed:
        chosen = transposed if holds_cols or not holds_rows else rows_major
        unsure = not holds_cols and not holds_rows
    else:
        # labels and numbers in separate blocks: transposed only when the identities say so
        # clearly (two rows or more break as printed, every transposed row holds, not all zero);
        # a report's own slip breaks one row
        broken = sum(1 for r in rows_major if None not in [t.value for t in r]
                     and abs(r[4].value - sum(t.value for t in r[:4])) > 1e-6)
        clear = broken >= 2 and holds_cols is True and any(t.value for t in vals)
        chosen = transposed if clear else rows_major
    unsure = unsure or unsure_block
    cells = []
    for i, row in enumerate(T.REVIEW_ROWS):
        for j, col in enumerate(T.REVIEW_COLS):
            tok = chosen[i][j]
            cells.append(Cell("review_litigation", row.key, col, tok.value, (tok.line, tok.line), label=row.label,
                              uncertain=unsure, at=(tok.line, tok.word) if tok.word >= 0 else None))
    probs = [f"{T.TABLE_TITLES['review_litigation']}：表格按列印出（每行是一种结果），总计与各项之和对不上，"
             "无法确认数字的位置，这些格标为「不确定」"] if unsure and not unsure_block else []
    if unsure_block:
        probs.append(f"{T.TABLE_TITLES['review_litigation']}：一行里空格子多于格数，无法确认哪些是空白格，"
                     "这些格标为「不确定」")
    return cells, probs


def _review_block(block: list[Token], unit: int = 5, target: int | None = None) -> tuple[list[Token], bool]:
    """The cells of a run of section 四 values between two stretches of text, without the empty
    cells that are no cells of the table: a scraped page's row-start 「|」, colspan pipes and the
    empty columns padding a row. A run holds whole rows (`unit` cells each: 5, or 3 for the rows
    of a table printed transposed): the fewest that hold its values, or `target` cells (what
    the table still lacks, for its last run). Where that leaves a choice of which empty cells to
    keep, the one under which 总计 = the four results holds; (cells, whether the choice stayed
    open: then they are uncertain)."""
    n = len(block)
    if not n or not any(t.kind == EMPTY for t in (block[0], block[-1])):
        return block, False
    lead = 0
    while lead < n and block[lead].kind == EMPTY:
        lead += 1
    if lead == n:  # empty cells only: blank rows, or nothing but pipes
        keep = n - n % unit if target is None else min(n, target)
        return block[n - keep:], n % unit != 0 and keep > 0
    trail = 0
    while block[n - 1 - trail].kind == EMPTY:
        trail += 1
    core = n - lead - trail
    size = -(-core // unit) * unit
    if target is not None and core <= target <= n:
        size = target
    if size >= n:
        return block, False
    ways = [block[a:a + size] for a in range(max(0, lead - (size - core)), lead + 1) if a + size <= n]
    if len(ways) == 1:
        return ways[0], False
    if unit == 5:
        holding = [w for w in ways if _review_holds([w[i:i + 5] for i in range(0, size, 5)])]
        if len(holding) == 1:
            return holding[0], False
    return ways[-1], True


def _review_holds(rows: list[list[Token]]) -> bool | None:
    """Whether 总计 = 维持 + 纠正 + 其他 + 尚未审结 in every row that has no blank (None: none
    can be evaluated)."""
    seen = False
    for r in rows:
        v = [t.value for t in r]
        if any(x is None for x in v):
            continue
        seen = True
        if abs(v[4] - sum(v[:4])) > 1e-6:
            return False
    return True if seen else None


# ---------------------------------------------------------------------------------------
# Derived values

def _sum(vals):
    if not vals or any(v is None for v in vals):
        return None
    s = sum(vals)
    return round(s, 6) if isinstance(s, float) else s


def derive(cells: list[Cell]) -> list[Cell]:
    """Group rows (不予公开, 无法提供, 不予处理, 其他处理) from their printed sub-rows, and the
    法人或其他组织 column from the five org columns. Printed cells are never overridden."""
    have = {(c.table, c.row, c.column): c for c in cells}
    out: list[Cell] = []
    for group, subs in T.GROUP_ROWS.items():
        if any(("applications", group, col) in have for col in T.APP_COLS):
            continue  # printed
        if not all(("applications", s, "total") in have for s in subs):
            continue
        label = fold(T.APPLICATIONS.row(group).label)
        for col in T.APP_COLS:
            parts = [have[("applications", s, col)] for s in subs]
            lines = (min([p.lines[0] for p in parts]), max([p.lines[1] for p in parts]))
            c = Cell("applications", group, col, _sum([p.value for p in parts]), lines, derived=True, label=label,
                     uncertain=any(p.uncertain for p in parts))
            out.append(c)
            have[("applications", group, col)] = c
    for row in T.APPLICATION_ROWS:
        parts = [have.get(("applications", row.key, col)) for col in T.ORG_COLS]
        if all(parts):
            lines = (min([p.lines[0] for p in parts]), max([p.lines[1] for p in parts]))
            out.append(Cell("applications", row.key, "legal_person_or_org", _sum([p.value for p in parts]),
                            lines, derived=True, label=parts[0].label, uncertain=any(p.uncertain for p in parts)))
    return out
