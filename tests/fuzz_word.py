"""Renderer for the Word-exported HTML fuzzer: known cell values -> a web page as Word's
「另存为网页」 (or a CMS that pasted it) writes it.

What it does: `word_html(v, q)` returns the page's bytes (UTF-8, or GB2312/GBK declared by a
<meta charset>), with the quirks `WQuirks` draws (`wquirks()`): the mso namespaces, <style> and
conditional comments, <o:p></o:p>, every cell's text in <p class=MsoNormal> with its numbers
split over several <span>s, &nbsp; and full-width-space padding, `mso-spacerun` spans, <br>
inside labels, stray spaces in label cells, header cells in pieces (several <p>), rowspan and
colspan headers, a vertical group label split into two rowspan cells, Word's zero-height last
row of empty cells, the tables nested in a layout table, the report title only in <title> with
the site's name after it, a running page header, a page number and a page break between the
two halves of a table.

What it does not do: judge the reader (tests/test_word_html_fuzz.py does).
"""
from __future__ import annotations

import html as _html
import random
from dataclasses import dataclass

from hypothesis import strategies as st

import fuzz_layouts as F

SITE = "某某市人民政府门户网站"


@dataclass
class WQuirks:
    seed: int = 0
    encoding: str = "utf-8"     # utf-8, gb2312, gbk
    blank_word: str = ""        # how a blank cell is printed ("": an empty cell)
    blanks: tuple = ()
    split_spans: bool = True    # numbers split over several <span>s
    nbsp: bool = True           # &nbsp; / full-width-space padding around cell text
    br_labels: bool = False     # <br> inside long labels
    stray_spaces: bool = False  # spaces inside label cells (「（一） 予以公开」, 「1. 属于国家秘密」)
    header_pieces: bool = False  # header cells as several <p>
    split_group: bool = False   # a vertical group label split into two rowspan cells
    nested: bool = False        # the tables inside a layout table
    title_only: bool = False    # the report title only in <title> (with the site's name)
    page_header: bool = False   # a running header paragraph (the site's name, the report's name)
    page_break: int = -1        # section 三 broken into two tables before this row (page number between)
    spacerun: bool = False      # 「mso-spacerun」 spans of &nbsp; inside labels
    fullwidth: bool = False     # full-width digits


@st.composite
def wquirks(draw) -> WQuirks:
    q = WQuirks(seed=draw(st.integers(0, 10 ** 6)))
    q.encoding = draw(st.sampled_from(["utf-8", "utf-8", "gb2312", "gbk"]))
    if draw(st.booleans()):
        q.blank_word = draw(st.sampled_from(["", "", "/", "—", "无"]))
        rows = draw(st.lists(st.sampled_from(F.APP_KEYS[:23]), min_size=1, max_size=3, unique=True))
        cols = draw(st.lists(st.sampled_from(F.APP_COLS[:6]), min_size=1, max_size=2, unique=True))
        q.blanks = tuple(("applications", r, c) for r in rows for c in cols)
    for name in ("split_spans", "nbsp", "br_labels", "stray_spaces", "header_pieces", "split_group", "nested",
                 "title_only", "page_header", "spacerun", "fullwidth"):
        setattr(q, name, draw(st.booleans()))
    if draw(st.booleans()):
        q.page_break = draw(st.integers(3, 22))
    return q


def apply_blanks(v: F.Values, q: WQuirks) -> F.Values:
    cells = dict(v.cells)
    for k in q.blanks:
        cells[k] = None
    return F.Values(cells)


_NUMBERISH = set("0123456789.,０１２３４５６７８９，")


class _Word:
    def __init__(self, q: WQuirks):
        self.q = q
        self.rng = random.Random(q.seed)

    def runs(self, text: str) -> str:
        """Text as Word's runs: a number split at random places over several spans."""
        q, rng = self.q, self.rng
        esc = _html.escape
        if not text:
            return "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
        if q.split_spans and len(text) > 1 and all(ch in _NUMBERISH for ch in text):
            cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(1, 2))))
            parts = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
        else:
            parts = [text]
        return "".join(f"<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312'>{esc(p)}</span>"
                       for p in parts)

    def label(self, text: str, header: bool) -> str:
        q, rng = self.q, self.rng
        if q.stray_spaces and not header and len(text) > 3 and rng.random() < 0.6:
            k = next((i + 1 for i, ch in enumerate(text) if ch in ".、）)"), 0)
            if 0 < k < len(text):
                if rng.random() < 0.5:  # after the ordinal: 「1. 属于国家秘密」
                    text = text[:k] + rng.choice([" ", "  ", "\u3000"]) + text[k:]
                else:  # inside it: 「1 .属于国家秘密」, 「（ 一 ）予以公开」
                    text = text[:k - 1] + " " + text[k - 1:] if text[0].isdigit() else " ".join(text[:k]) + text[k:]
        if header and q.header_pieces and len(text) >= 4:
            cut = len(text) // 2
            return "".join(f"<p class=MsoNormal align=center style='text-align:center'>{self.runs(p)}</p>"
                           for p in (text[:cut], text[cut:]))
        if q.br_labels and len(text) > 12 and rng.random() < 0.7:
            cut = rng.randint(6, len(text) - 4)
            body = self.runs(text[:cut]) + "<br>\n" + self.runs(text[cut:])
        elif q.spacerun and len(text) > 6 and rng.random() < 0.5:
            cut = rng.randint(2, len(text) - 2)
            body = (self.runs(text[:cut]) + "<span style='mso-spacerun:yes'>&nbsp;&nbsp; </span>"
                    + self.runs(text[cut:]))
        else:
            body = self.runs(text)
        return f"<p class=MsoNormal style='text-align:left;mso-pagination:widow-orphan'>{body}<span lang=EN-US><o:p></o:p></span></p>"

    def value(self, text: str) -> str:
        q, rng = self.q, self.rng
        pad_l = rng.choice(["", "&nbsp;", "\u3000", "&nbsp;&nbsp;"]) if q.nbsp else ""
        pad_r = rng.choice(["", "&nbsp;", "\u3000"]) if q.nbsp else ""
        empty = "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        extra = empty if q.nbsp and rng.random() < 0.2 else ""  # an empty paragraph Word left in the cell
        return (f"{extra}<p class=MsoNormal align=center style='text-align:center'>{pad_l}{self.runs(text)}{pad_r}"
                f"<span lang=EN-US><o:p></o:p></span></p>")

    def cell(self, text: str, rs: int, cs: int, header: bool) -> str:
        is_value = bool(text) and all(ch in _NUMBERISH for ch in text) or text in ("/", "—", "无", "")
        inner = self.value(text) if is_value else self.label(text, header)
        attrs = "".join([f" rowspan={rs}" if rs > 1 else "", f" colspan={cs}" if cs > 1 else ""])
        return (f"<td width={self.rng.choice([40, 57, 85])}{attrs} valign=top style='border:solid windowtext 1.0pt;"
                f"mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'>\n{inner}</td>")

    def table(self, grid, header_rows: int) -> str:
        rows = []
        for r, row in enumerate(grid):
            cells = "\n".join(self.cell(t, rs, cs, r < header_rows) for t, rs, cs in row)
            rows.append(f"<tr style='mso-yfti-irow:{r}'>\n{cells}\n</tr>")
        width = max(sum(cs for _t, _rs, cs in row) for row in grid)
        rows.append("<![if !supportMisalignedColumns]>\n<tr height=0>" + "".join(
            "<td width=57 style='border:none'></td>" for _ in range(width)) + "</tr>\n<![endif]>")
        return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                "border:none;mso-border-alt:solid windowtext .5pt'>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")

    def para(self, text: str, bold: bool = False) -> str:
        t = self.runs(text)
        if bold:
            t = f"<b>{t}</b>"
        return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{t}<span lang=EN-US><o:p></o:p></span></p>"


def word_html(v: F.Values, q: WQuirks) -> bytes:
    w = _Word(q)
    fq = F.Quirks(layout="html_word", blank_word=q.blank_word, fullwidth=q.fullwidth, seed=q.seed * 3)
    parts = []
    if q.page_header:
        parts.append(f"<p class=MsoHeader align=center>{_html.escape(SITE)}<o:p></o:p></p>")
    if not q.title_only:
        parts.append(f"<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt'>"
                     f"{_html.escape(F.TITLE)}</span></b><o:p></o:p></p>")
    parts += [w.para("一、总体情况", True), w.para(F.HEAD[4]), w.para("二、主动公开政府信息情况", True),
              w.table(F.grid_proactive(v, fq), 0), w.para("三、收到和处理政府信息公开申请情况", True)]
    g3 = F.grid_applications(v, fq, split_group=q.split_group)
    if q.page_break > 0 and not q.split_group:
        cut = 3 + q.page_break
        first = [[(t, min(rs, cut - i), cs) for t, rs, cs in row] for i, row in enumerate(g3[:cut])]
        parts += [w.table(first, 3),
                  f"<p class=MsoFooter align=center>- 3 -<o:p></o:p></p>",
                  "<span lang=EN-US style='font-size:16.0pt'><br clear=all style='page-break-before:always'></span>",
                  f"<p class=MsoHeader align=center>{_html.escape(SITE)}<o:p></o:p></p>" if q.page_header else "",
                  w.table(F._fix_spans(g3[:3] + g3[cut:]), 3)]
    else:
        parts.append(w.table(g3, 3))
    parts += [w.para("四、政府信息公开行政复议、行政诉讼情况", True), w.table(F.grid_review(v, fq), 3),
              w.para("五、存在的主要问题及改进情况", True), w.para("一是公开质量有待提高。"),
              w.para("六、其他需要报告的事项", True), w.para("本机关未收取任何费用。")]
    if q.page_header:
        parts.append("<p class=MsoFooter align=center>- 4 -<o:p></o:p></p>")
    body = "\n".join(p for p in parts if p)
    if q.nested:
        body = ("<table width='100%' class=layout><tr><td class=nav>首页 &gt; 政务公开 &gt; 年度报告</td></tr>"
                f"<tr><td class=content>\n{body}\n</td></tr><tr><td>主办：{SITE}</td></tr></table>")
    charset = q.encoding
    page = f"""<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<title>{_html.escape(F.TITLE)}_政府信息公开年报_{SITE}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties><o:Author>admin</o:Author></o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face {{font-family:仿宋_GB2312;}}
p.MsoNormal, li.MsoNormal, div.MsoNormal {{margin:0cm;text-align:justify;font-size:10.5pt;}}
@page WordSection1 {{size:595.3pt 841.9pt;}}
div.WordSection1 {{page:WordSection1;}}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
<div class=WordSection1 style='layout-grid:15.6pt'>
{body}
</div>
</body>
</html>"""
    return page.encode("gb18030" if charset in ("gb2312", "gbk") else "utf-8")
