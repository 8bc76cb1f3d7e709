"""Renderers for the pdftotext fuzzer: known cell values -> a PDF typeset with reportlab -> the text
poppler's `pdftotext` extracts from it (plain reading order, or `-layout`).

What it does: `typeset(v, q, path)` prints the three tables of `Values` (tests/fuzz_layouts.py)
as ruled reportlab tables with merged cells, wrapped labels in narrow columns, a page break at a
random row (prose of random length before the table), a page number and maybe a running page
header on every page; `extract(pdf, layout)` runs pdftotext; `render(v, q, folder)` does both and
returns the .txt a user would give the product. `PQuirks` are the typesetting choices drawn by
`pquirks()`. The text keeps what poppler does to a table: cells of a column emitted as one block
(a column of numbers read top to bottom before the next column), labels apart from their
numbers, a wrapped label split around its numbers, header blocks before the data, page numbers
and headers in the middle of a table.

What it does not do: judge the reader (tests/test_pdftotext_fuzz.py does), or simulate reading
orders without poppler (that is `plain_order` in this module: a pure-Python family drawing the
orders seen in real pdftotext output, for shapes reportlab's geometry does not produce).
"""
from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

import fuzz_layouts as F

FONT = "STSong-Light"
HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None
PAGE_NUMBERS = ("- {n} -", "— {n} —", "第 {n} 页", "第 {n} 页 共 6 页", "{n} / 6", "-{n}-")
PAGE_HEADERS = ("", "", "某某市人民政府门户网站", "政府信息公开专栏 · 年度报告")


@dataclass
class PQuirks:
    layout: bool = False       # pdftotext -layout (else the plain reading order)
    blank_word: str = "/"      # how a blank cell is printed ("" : an empty cell)
    blanks: tuple = ()         # (table, row, column) cells left blank
    label_width: float = 112   # width of section 三's sub-row label column (narrow: labels wrap)
    pad: float = 3             # cell padding above and below (small: a column's cells read as one block)
    font: float = 7.5
    lead_lines: int = 10       # prose paragraphs before section 三 (where its page break falls)
    page_number: str = "- {n} -"
    page_header: str = ""
    review_split: bool = False  # section 四 as three tables, one per row
    valign: str = "MIDDLE"
    seed: int = 0
    break_before: int = -1     # section 三 starts a page and breaks before this data row (-1: where it falls)


@st.composite
def pquirks(draw, layout: bool | None = None, pads=(2, 3, 5), breaks: bool = False) -> PQuirks:
    """Typesetting choices; `breaks`: section 三 always breaks at a drawn row (else one time in four)."""
    q = PQuirks(layout=draw(st.booleans()) if layout is None else layout, seed=draw(st.integers(0, 10 ** 6)))
    if draw(st.booleans()):
        q.blank_word = draw(st.sampled_from(["/", "—", "/"]))
        rows = draw(st.lists(st.sampled_from(F.APP_KEYS[:23]), min_size=1, max_size=3, unique=True))
        cols = draw(st.lists(st.sampled_from(F.APP_COLS[:6]), min_size=1, max_size=2, unique=True))
        q.blanks = tuple(("applications", r, c) for r in rows for c in cols)
    q.label_width = draw(st.sampled_from([64, 80, 112, 150]))
    q.pad = draw(st.sampled_from(pads))
    q.font = draw(st.sampled_from([7, 7.5, 9]))
    q.lead_lines = draw(st.integers(0, 40))
    q.page_number = draw(st.sampled_from(PAGE_NUMBERS))
    q.page_header = draw(st.sampled_from(PAGE_HEADERS))
    q.review_split = draw(st.booleans())
    q.valign = draw(st.sampled_from(["MIDDLE", "TOP", "MIDDLE"]))
    if breaks or draw(st.integers(0, 3)) == 0:
        q.break_before = draw(st.integers(2, len(F.APP_KEYS) - 1))
    return q


def apply_blanks(v: F.Values, q: PQuirks) -> F.Values:
    cells = dict(v.cells)
    for k in q.blanks:
        cells[k] = None
    return F.Values(cells)


def _fq(q: PQuirks) -> F.Quirks:
    """The fuzz_layouts quirks its grid builders read (blank word; no units, no full width)."""
    return F.Quirks(layout="html", blank_word=q.blank_word, seed=q.seed)


def _grid(rows) -> tuple[list[list[str]], list[tuple]]:
    """(text,rowspan,colspan) rows -> (plain grid with merged places empty, reportlab SPANs)."""
    taken: dict[tuple[int, int], str] = {}
    spans = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    taken[(rr, cc)] = ""
            taken[(r, c)] = text
            if rs > 1 or cs > 1:
                spans.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
            c += cs
    width = max(c for _, c in taken) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))], spans


_REGISTERED = False
PROSE = "本机关认真贯彻落实政府信息公开条例，持续推进决策、执行、管理、服务、结果公开，不断提升公开质量和实效。"


def typeset(v: F.Values, q: PQuirks, path: Path) -> None:
    global _REGISTERED
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    if not _REGISTERED:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _REGISTERED = True
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, wordWrap="CJK", alignment=1)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=q.font, leading=q.font + 2, wordWrap="CJK")
    width = A4[0] - 2 * 56
    fq = _fq(q)

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def table(rows, widths, cut=-1):
        g, spans = _grid(rows)
        if cut >= 0:
            # reportlab breaks a table only between rows no merged cell spans: a cell over grid
            # row `cut` and the row above it is split in two, its text in the upper part (what
            # Word does with a merged cell at a page break)
            spans = [sp for _s, (c0, r0), (c1, r1) in spans
                     for sp in ([("SPAN", (c0, r0), (c1, cut - 1)), ("SPAN", (c0, cut), (c1, r1))]
                                if r0 < cut <= r1 else [("SPAN", (c0, r0), (c1, r1))])]
        data = [[Paragraph(esc(t), cell) if t else "" for t in row] for row in g]
        cmds = [("FONT", (0, 0), (-1, -1), FONT, q.font), ("VALIGN", (0, 0), (-1, -1), q.valign),
                ("TOPPADDING", (0, 0), (-1, -1), q.pad), ("BOTTOMPADDING", (0, 0), (-1, -1), q.pad),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black)] + spans
        return Table(data, colWidths=widths, style=TableStyle(cmds), repeatRows=0)

    def page(canvas, doc):
        canvas.setFont(FONT, 10)
        canvas.drawCentredString(A4[0] / 2, 30, q.page_number.format(n=doc.page))
        if q.page_header:
            canvas.drawCentredString(A4[0] / 2, A4[1] - 36, q.page_header)

    rest = width - 34 - 48 - q.label_width
    story = [Paragraph(esc(F.TITLE), title), Paragraph("一、总体情况", head)]
    story += [Paragraph(esc(PROSE), body) for _ in range(q.lead_lines // 3)]
    story += [Paragraph("二、主动公开政府信息情况", head),
              table(F.grid_proactive(v, fq), [width * 0.4] + [width * 0.2] * 3)]
    story += [Paragraph(esc(PROSE), body) for _ in range(q.lead_lines % 3)]
    heading = Paragraph("三、收到和处理政府信息公开申请情况", head)
    apps = table(F.grid_applications(v, fq), [34, 48, q.label_width] + [rest / 7] * 7,
                 3 + q.break_before if q.break_before >= 0 else -1)
    if q.break_before >= 0:
        # section 三 at the top of a page, the page breaking right before data row break_before
        # (an invisible spacer fills what the rows above it leave of the page)
        apps.wrap(width, 10 ** 6)
        need = sum(apps._rowHeights[:3 + q.break_before])
        room = A4[1] - 2 * 56 - 12 - heading.wrap(width, 10 ** 6)[1]
        story += [PageBreak(), heading, Spacer(1, max(0.0, room - need - 0.5)), apps]
    else:
        story += [heading, apps]
    story.append(Paragraph("四、政府信息公开行政复议、行政诉讼情况", head))
    vals = [F.num(x, fq, unit=False) for x in v.rev()]
    if q.review_split:
        for i, name in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
            # a small table kept on one page (a page break inside it can put its last cell after
            # the next section in pdftotext's reading order: not generated)
            story.append(KeepTogether([Paragraph(name, head), table(
                [[(h, 1, 1) for h in F.REV_HEAD], [(x, 1, 1) for x in vals[i * 5:i * 5 + 5]]], [width / 5] * 5)]))
    else:
        story.append(KeepTogether([table(F.grid_review(v, fq), [width / 15] * 15)]))
    story += [Paragraph("五、存在的主要问题及改进情况", head), Paragraph("一是公开质量有待提高。", body),
              Paragraph("六、其他需要报告的事项", head), Paragraph("本机关未收取任何费用。", body)]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=56, rightMargin=56, topMargin=56, bottomMargin=56,
                      title=F.TITLE).build(story, onFirstPage=page, onLaterPages=page)


def extract(pdf: Path, layout: bool) -> str:
    args = ["pdftotext"] + (["-layout"] if layout else []) + ["-enc", "UTF-8", str(pdf), "-"]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode("utf-8")


def render(v: F.Values, q: PQuirks, folder: Path, name: str = "report") -> Path:
    """The PDF typeset from `v` (blanks applied), then its pdftotext text as NAME.txt."""
    from reportlab.platypus.doctemplate import LayoutError
    folder = Path(folder)
    pdf = folder / (name + ".pdf")
    try:
        typeset(v, q, pdf)
    except LayoutError:  # a table row taller than a page (tiny label column, big font): a smaller font
        q.font, q.label_width = 7, max(q.label_width, 112)
        typeset(v, q, pdf)
    out = folder / (name + ".txt")
    out.write_text(extract(pdf, q.layout), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------------
# Plain reading orders without poppler

@dataclass
class OQuirks:
    """How `plain_order` emits section 三 (and 二, 四): see its docstring."""
    seed: int = 0
    blocks: tuple = ()        # row counts of consecutive blocks of section 三, summing to its rows
    column_major: tuple = ()  # per block: its cells emitted column by column
    label_at: tuple = ()      # per block: 0 label before each row, 1 labels of the block after its numbers,
    #                           2 labels of the block before its numbers, 3 labels of the block after the next block
    page_at: int = -1         # a page number line before this block (-1: none)
    page_text: str = "- 3 -"
    split_label: bool = False  # a wrapped label split around its numbers (first line, numbers, second line)
    review_plain: bool = True  # section 四 one number a paragraph, 「总计」 before its last number
    blank_word: str = "/"
    blanks: tuple = ()
    # (n, d, by_column, at): the last d cells of section 三's last n rows printed at the end of
    # their page instead, after its page number: at the end of the text ("end") or before the
    # next page's text ("page", after section 四); row by row or column by column
    moved: tuple = ()


@st.composite
def oquirks(draw, moved: bool = False) -> OQuirks:
    """Reading orders of `plain_order`; `moved`: the last rows' last cells at the page's end."""
    q = OQuirks(seed=draw(st.integers(0, 10 ** 6)))
    n = len(F.APP_KEYS)
    sizes, left = [], n
    while left:
        k = draw(st.sampled_from([1, 1, 1, 2, 3, 4, 5, 9, 10]))
        k = min(k, left)
        sizes.append(k)
        left -= k
    q.blocks = tuple(sizes)
    q.column_major = tuple(draw(st.booleans()) if k > 1 else False for k in sizes)
    q.label_at = tuple(draw(st.sampled_from([0, 0, 1, 2, 3])) for _ in sizes)
    if draw(st.booleans()):
        q.page_at = draw(st.integers(1, len(sizes) - 1)) if len(sizes) > 1 else -1
        q.page_text = draw(st.sampled_from(["- 3 -", "-3-", "第 3 页", "3 / 6", "— 3 —"]))
    q.split_label = draw(st.booleans())
    q.review_plain = draw(st.booleans())
    if draw(st.booleans()):
        q.blank_word = draw(st.sampled_from(["/", "—"]))
        rows = draw(st.lists(st.sampled_from(F.APP_KEYS[:23]), min_size=1, max_size=3, unique=True))
        cols = draw(st.lists(st.sampled_from(F.APP_COLS[:6]), min_size=1, max_size=2, unique=True))
        q.blanks = tuple(("applications", r, c) for r in rows for c in cols)
    if moved:
        m = draw(st.integers(1, 4))
        q.moved = (m, draw(st.integers(1, 2)), draw(st.booleans()), draw(st.sampled_from(["end", "page"])))
        # the moved rows (the top of a page) a block of their own, printed row by row
        keep, left = [], n - m
        for k in q.blocks:
            if left <= 0:
                break
            keep.append(min(k, left))
            left -= k
        q.blocks = tuple(keep) + (m,)
        q.column_major = q.column_major[:len(keep)] + (False,)
        # their labels before each row; the block before them keeps its labels off their page
        q.label_at = tuple(x if x != 3 else 1 for x in q.label_at[:len(keep)]) + (0,)
        if q.page_at >= len(q.blocks):
            q.page_at = -1
    return q


def plain_order(v: F.Values, q: OQuirks) -> str:
    """Section 三 as plain pdftotext emits a ruled table: consecutive rows in blocks; a block's
    cells one a line, row by row (a blank line between cells) or column by column (a column's
    cells on consecutive lines, a blank line between columns); the labels of a block before its
    numbers, after them, row by row, or after the next block; the header words in a block of
    their own before the data; a page number between two blocks; the wrapped label of
    (二)部分公开 split around its numbers. Section 二 row by row with its header words between a
    label and its number; section 四 one number a paragraph, 「总计」 before its last."""
    fq = F.Quirks(layout="pdf_blocks", blank_word=q.blank_word, seed=q.seed)
    out = list(F.HEAD) + ["二、主动公开政府信息情况", ""]
    last = None
    for key, label, art, cols in F.PRO_ROWS:
        if art != last:
            out += [art, F.PRO_HEAD[art][0], ""]
            if len(cols) == 3:
                out += [h for x in F.PRO_HEAD[art][1:] for h in (x, "")]
            last = art
        vals = [F.num(x, fq, unit=False) for x in v.pro(key, cols)]
        if len(cols) == 1:
            out += [label, "", F.PRO_HEAD[art][1], vals[0], ""]
        else:
            out += [label, ""] + [h for x in vals for h in (x, "")]
    out += ["三、收到和处理政府信息公开申请情况", "申请人情况", "", F.APP_HEAD_NOTE[:20], F.APP_HEAD_NOTE[20:], "",
            "法人或其他组织", "自然人", "", "社会 法律", "商业 科研", "公益 服务 其他", "企业 机构", "组织 机构", "", "总计", ""]
    keys = list(F.APP_KEYS)
    blocks, at = [], 0
    for k in q.blocks:
        blocks.append(keys[at:at + k])
        at += k
    pending: list[str] = []  # labels to print after the next block
    rng = random.Random(q.seed)

    def labels(ks):
        res = []
        for key in ks:
            if key in F.GROUP_BEFORE:
                res.append(F.GROUP_BEFORE[key])
            res.append(F.APP_LABEL[key])
        return res
    for b, ks in enumerate(blocks):
        if b == q.page_at:
            out += ["", q.page_text, ""]
        mode = q.label_at[b]
        cm = q.column_major[b]
        if mode == 2 or (mode == 0 and cm):
            out += labels(ks) + [""]
        grid = [[F.num(x, fq) for x in v.app(key)] for key in ks]
        if q.moved and b == len(blocks) - 1:
            d = q.moved[1]
            moved = ([g[c] for c in range(7 - d, 7) for g in grid] if q.moved[2]
                     else [x for g in grid for x in g[7 - d:]])
            grid = [g[:7 - d] for g in grid]
        if cm:
            for c in range(len(grid[0])):
                out += [grid[r][c] for r in range(len(ks))] + [""]
        else:
            for r, key in enumerate(ks):
                if mode == 0:
                    lab = labels([key])
                    if q.split_label and key == "partially_granted":
                        cut = len(lab[-1]) // 2 + rng.randint(-3, 3)
                        out += lab[:-1] + [lab[-1][:cut], ""] + [h for x in grid[r] for h in (x, "")] + [lab[-1][cut:], ""]
                        continue
                    out += lab + [""]
                out += [h for x in grid[r] for h in (x, "")]
        if pending:
            out += pending + [""]
            pending = []
        if mode == 1:
            out += labels(ks) + [""]
        elif mode == 3:
            pending = labels(ks)
    out += pending + ([""] if pending else [])
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "", "行政诉讼", "未经复议直接起诉", "", "复议后起诉", "",
            "结果", "维持", "", "结果", "纠正", "", "其他", "结果", "", "尚未", "总 计 结果 结果 其他 尚未",
            "结果 结果 其他 尚未", "审结", "总 计", "维持 纠正 结果 审结", "维持 纠正 结果 审结", ""]
    rev = [F.num(x, fq, unit=False) for x in v.rev()]
    if q.review_plain:
        out += [h for x in rev[:14] for h in (x, "")] + ["总计", "", rev[14], ""]
    else:
        out += [" ".join(rev), ""]
    if not q.moved:
        return "\n".join(out + F.TAIL)
    page_end = ["", q.page_text, ""] + [h for x in moved for h in (x, "")]
    return "\n".join(out + (F.TAIL + page_end if q.moved[3] == "end" else page_end + F.TAIL))
