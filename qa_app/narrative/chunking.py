"""Cut a report's prose into readable chunks along the report's own structure. Pure; no I/O.

What it does: walks the stored (normalised) text line by line, follows the headings the
national template uses — sections 一、…六、, subsections (一)…(五), labels such as 「存在问题：」
or 「2.要点落实情况：」 — groups the lines under each heading into paragraphs (a PDF's hard-wrapped
lines are joined back; a line that ends a sentence, an indented line or an item such as
「一是…」「1.」「- （一）…」 starts a new one) and packs consecutive paragraphs of one section
into chunks of roughly 100-400 characters. A paragraph longer than that is cut between
sentences, preferably before an item marker (二是、三是…). Every chunk knows its section path
and its 1-based line span [first, last] in the text, the numbering the side store uses.

What it does not: read tables. Lines inside a table span (`ParsedReport.tables.spans`) are
left out, and so are lines outside any span that look like table rows or column headers
(number soup, no sentence punctuation): numbers are answered from the side store. It knows
nothing of the report's body or year and does not embed anything (see embeddings.py).

Worked example (lines 5-10 are a table the table reader found):

>>> text = "\\n".join([
...     "某区城乡建设局2023年政府信息公开工作年度报告",   # 1: title, not prose: dropped
...     "一、总体情况",                                     # 2
...     "（一）主动公开",                                   # 3
...     "全年通过门户网站公开信息120条。",                  # 4
...     "二、主动公开政府信息情况",                         # 5  (table span 5-7)
...     "信息内容 本年制发件数 本年废止件数 现行有效件数",    # 6
...     "规章 0 0 0",                                       # 7
...     "五、存在的主要问题及改进情况",                     # 8
...     "一是信息公开内容不够全面；二是更新不够及时。",      # 9
...     "六、其他需要报告的事项",                           # 10
...     "本年度未收取任何费用。",                           # 11
... ])
>>> for c in chunk_text(text, {"proactive": (5, 7)}):
...     print(c.seq, c.section, c.lines, c.text.replace("\\n", "/"))
0 一、总体情况 > （一）主动公开 (3, 4) （一）主动公开/全年通过门户网站公开信息120条。
1 五、存在的主要问题及改进情况 (8, 9) 五、存在的主要问题及改进情况/一是信息公开内容不够全面；二是更新不够及时。
2 六、其他需要报告的事项 (10, 11) 六、其他需要报告的事项/本年度未收取任何费用。

The first chunk of a section starts at its heading line, so a quoted chunk reads as the
report prints it. `embed_text` gives the form the dense model embeds (wrapped lines joined),
`keyword_text` the form BM25 indexes (body, year and section path in front).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

# Chunk size in characters (CJK characters count one each).
TARGET_MAX = 400      # pack paragraphs up to this size
HARD_MAX = 420        # a single paragraph above this is cut between sentences
SOFT_ITEM_CUT = 220   # inside a long paragraph, cut before an item marker once this long
MIN_TAIL = 80         # a cut-off remainder shorter than this joins the piece before it

_CN_NUM = "一二三四五六七八九十"
_L1_RE = re.compile(rf"^\s*([{_CN_NUM}]{{1,3}})\s*[、.．]\s*(.*)$")
_L2_RE = re.compile(rf"^\s*(?:[-•·*]\s*)?([(（]\s*[{_CN_NUM}]{{1,3}}\s*[)）])\s*(.*)$")
_L3_RE = re.compile(r"^\s*(\d{1,2}\s*[.．、])\s*(.*)$")
_LABEL_RE = re.compile(r"^\s*([\u4e00-\u9fa5]{2,10})\s*[:：]\s*$")  # 「存在问题：」 on its own line
_ITEM_START_RE = re.compile(rf"^\s*(?:[-•·*]\s+|[{_CN_NUM}]是|[{_CN_NUM}](?=[\u4e00-\u9fa5]{{3}}[，,])|\d{{1,2}}\s*[.．、](?!\d)|[(（]\s*\d{{1,2}}\s*[)）])")
_INLINE_ITEM_RE = re.compile(rf"(?:[{_CN_NUM}]是|[(（][{_CN_NUM}][)）]|\d{{1,2}}[.．、](?!\d))")
_END_PUNCT = "。！？!?；;：:"
_SENT_SPLIT_RE = re.compile(r"(?<=[。！？!?；;])")
_PROSE_PUNCT_RE = re.compile(r"[。，；,;！？!?、]")
_SENTENCE_END_RE = re.compile(r"[。！？!?；;]|[：:]\s*$")
_LABEL_BAD_RE = re.compile(r"[。，；,;！？!?]")  # a heading may hold 「、」 (行政复议、行政诉讼), not these
_CJK_RE = re.compile(r"[\u4e00-\u9fa5]")
# three or more numbers separated by spaces: a table row, not a sentence
_NUMBER_RUN_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:[ \u3000]+\d+(?:\.\d+)?){2,}(?![\d.])")
_BOILERPLATE_RE = re.compile(r"本列数据的勾稽关系")
# A heading label ends at the first of these, when it comes early in the line.
_LABEL_END_RE = re.compile(r"[。：:；;]")
_LABEL_MAX = 22
# A paragraph that announces what follows (「下一步,我办将围绕以下几点进行改进:」) opens a new chunk.
_LEAD_IN_RE = re.compile(r"[:：]\s*$")


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit of prose: its order in the report, section path, lines and text."""
    seq: int
    section: str
    lines: tuple[int, int]
    text: str


@dataclass
class _Para:
    section: str
    segs: list[tuple[int, str]]   # (line number, text of that line)
    heading: bool = False         # the paragraph is (or starts with) the section's heading line
    head_only: int = 0            # leading lines that are a bare heading (not prose themselves)


def _is_table_line(s: str) -> bool:
    """A row or cell of a table the table reader did not claim: a scraped cell (「行政许可 |」),
    tab-separated cells, numbers."""
    raw = s.strip()
    if raw.endswith("|") or raw.startswith("|") or "||" in raw or raw.count("\t") >= 2:
        return True
    t = raw.strip("|").strip()
    if not t:
        return True
    if not _CJK_RE.search(t):
        return True  # 「0 |」, 「---------」, 「|||」
    digits = sum(ch.isdigit() for ch in t)
    if _NUMBER_RUN_RE.search(t):
        return True  # 「一、本年新收政府信息公开申请数量 4 0 0 0 0 0 4」
    if digits > 0.4 * len(re.sub(r"\s", "", t)):
        return True
    return False


def _cn_int(s: str) -> int:
    """一 -> 1 ... 十 -> 10, 十二 -> 12, 二十 -> 20."""
    d = {ch: i + 1 for i, ch in enumerate("一二三四五六七八九")}
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return (d.get(a, 1) if a else 1) * 10 + (d.get(b, 0) if b else 0)
    return d.get(s, 0)


def _split_heading(rest: str) -> tuple[str, str] | None:
    """(label, content) when `rest` starts with a short label: 「主动公开方面。2023年…」 ->
    ("主动公开方面", "2023年…"); None when the line is an item of prose instead."""
    rest = rest.strip()
    if not rest:
        return "", ""
    m = _LABEL_END_RE.search(rest)
    if m and m.start() <= _LABEL_MAX:
        label, content = rest[:m.start()].strip(), rest[m.end():].strip()
        if _LABEL_BAD_RE.search(label):
            return None
        return label, content
    if len(rest) <= _LABEL_MAX and not _LABEL_BAD_RE.search(rest):
        return rest, ""
    return None


def _collapse(label: str) -> str:
    return re.sub(r"\s+", "", label)


def _table_lines(table_spans) -> set[int]:
    spans = table_spans.values() if isinstance(table_spans, Mapping) else (table_spans or ())
    out: set[int] = set()
    for a, b in spans:
        out.update(range(int(a), int(b) + 1))
    return out


def _paragraphs(lines: list[str], skip: set[int]) -> list[_Para]:
    paras: list[_Para] = []
    l1 = l2 = l3 = ""
    l1_no = 0
    cur: _Para | None = None
    pending_heading: tuple[int, str] | None = None  # heading line not yet attached to prose
    seen_heading = False

    def section() -> str:
        parts = [p for p in (l1, l2, l3) if p]
        if not parts:
            return "正文" if seen_heading else "前言"
        return " > ".join(parts)

    def close():
        nonlocal cur
        if cur is not None and cur.segs:
            paras.append(cur)
        cur = None

    for idx, raw in enumerate(lines):
        ln = idx + 1
        if ln in skip:
            close()
            pending_heading = None
            continue
        s = raw.strip()
        if not s:
            continue
        if _BOILERPLATE_RE.search(s):
            close()
            continue
        heading = None  # (level, label, content)
        m1, m2, m3, ml = _L1_RE.match(s), _L2_RE.match(s), _L3_RE.match(s), _LABEL_RE.match(s)
        if m1 and not _is_table_line(s) and _cn_int(m1.group(1)) > l1_no:
            # sections count up: a table's 「一、本年新收…」 after 「三、…」 is not a section
            sp = _split_heading(m1.group(2))
            if sp is not None and len(_collapse(sp[0])) >= 2:
                heading = (1, f"{m1.group(1)}、{_collapse(sp[0])}", sp[1])
                l1_no = _cn_int(m1.group(1))
        elif m2 and not _is_table_line(s):
            sp = _split_heading(m2.group(2))
            if sp is not None and sp[0]:
                heading = (2, _collapse(m2.group(1)) + _collapse(sp[0]), sp[1])
        elif m3 and not _is_table_line(s):
            rest = m3.group(2)
            colon = re.search(r"[:：]", rest)
            if colon and 2 <= colon.start() <= 12 and not _PROSE_PUNCT_RE.search(rest[:colon.start()]):
                heading = (3, _collapse(m3.group(1)) + _collapse(rest[:colon.start()]), rest[colon.end():].strip())
        elif ml:
            heading = (2 if not l2 or l2 and not re.match(r"[(（]", l2) else 3, _collapse(ml.group(1)), "")
        if heading is not None:
            close()
            level, label, content = heading
            if level == 1:
                l1, l2, l3 = label, "", ""
            elif level == 2:
                l2, l3 = label, ""
            else:
                l3 = label
            seen_heading = True
            if content:
                cur = _Para(section(), [(ln, raw.rstrip())], heading=True)
                pending_heading = None
                if content[-1] in _END_PUNCT:
                    close()
            else:
                pending_heading = (ln, raw.rstrip())
            continue
        if _is_table_line(s):
            close()
            continue
        starts_new = (cur is None or bool(_ITEM_START_RE.match(s)) or raw[:1] in ("\u3000", " ", "\t")
                      and raw[:2].strip() == "")
        if cur is not None and not starts_new:
            last = cur.segs[-1][1].rstrip()
            if last and last[-1] in _END_PUNCT:
                starts_new = True
        if starts_new:
            close()
            if pending_heading is not None:
                cur = _Para(section(), [pending_heading, (ln, raw.rstrip())], heading=True, head_only=1)
                pending_heading = None
            else:
                cur = _Para(section(), [(ln, raw.rstrip())])
        else:
            cur.segs.append((ln, raw.rstrip()))
    close()
    return [p for p in paras if _is_prose(p)]


def _is_prose(p: _Para) -> bool:
    """At least one sentence: a title, a stray column header or a wrapped row label is not."""
    body = "".join(t for _, t in p.segs[p.head_only:])
    cjk = len(_CJK_RE.findall(body))
    if cjk < 4:
        return False
    return bool(_SENTENCE_END_RE.search(body)) or (cjk >= 60 and bool(_PROSE_PUNCT_RE.search(body)))


@dataclass
class _Piece:
    """A stretch of the text: from (first, col_a) to (last, col_b), lines 1-based, columns
    0-based (col_b exclusive; None = to the end of the line)."""
    section: str
    first: int
    col_a: int
    last: int
    col_b: int | None

    def text(self, lines: list[str]) -> str:
        if self.first == self.last:
            return lines[self.first - 1][self.col_a:self.col_b].rstrip()
        out = [lines[self.first - 1][self.col_a:]] + lines[self.first:self.last - 1] \
            + [lines[self.last - 1][:self.col_b]]
        return "\n".join(x.rstrip() for x in out)

    def size(self, lines: list[str]) -> int:
        return len(re.sub(r"\s", "", self.text(lines)))


def _para_pieces(p: _Para, lines: list[str]) -> list[_Piece]:
    """The paragraph whole, or cut between sentences when it is too long."""
    first, last = p.segs[0][0], p.segs[-1][0]
    whole = _Piece(p.section, first, 0, last, None)
    if whole.size(lines) <= HARD_MAX:
        return [whole]
    block = lines[first - 1:last]
    joined = "\n".join(block)
    starts, off = [], 0
    for t in block:
        starts.append(off)
        off += len(t) + 1

    def at(pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(starts, pos) - 1
        return first + i, pos - starts[i]

    sents, pos = [], 0
    for s in _SENT_SPLIT_RE.split(joined):
        if s:
            sents.append((pos, pos + len(s)))
            pos += len(s)
    # inline items (「二是」) inside a long sentence also allow a cut before them
    fine = []
    for a, b in sents:
        cuts = [a] + [a + m.start() for m in _INLINE_ITEM_RE.finditer(joined[a:b])
                      if m.start() > 0 and joined[a + m.start() - 1] in "，,。；;：: \n\u3000"]
        cuts.append(b)
        fine.extend((cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1))

    def size(a, b):
        return len(re.sub(r"\s", "", joined[a:b]))

    groups: list[list[int]] = []  # [start, end) character ranges of `joined`
    for a, b in fine:
        if groups:
            ga, gb = groups[-1]
            cur_size = size(ga, gb)
            item = bool(_INLINE_ITEM_RE.match(joined[a:b].lstrip()))
            if cur_size + size(a, b) <= TARGET_MAX and not (item and cur_size >= SOFT_ITEM_CUT):
                groups[-1][1] = b
                continue
        groups.append([a, b])
    if len(groups) > 1 and size(*groups[-1]) < MIN_TAIL:
        tail = groups.pop()
        groups[-1][1] = tail[1]
    out = []
    for a, b in groups:
        while a < b and joined[a].isspace():
            a += 1
        while b > a and joined[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        (la, ca), (lb, cb) = at(a), at(b - 1)
        out.append(_Piece(p.section, la, ca, lb, cb + 1))
    if out:
        out[0].col_a = 0 if not lines[first - 1][:out[0].col_a].strip() else out[0].col_a
        if lines[out[-1].last - 1][out[-1].col_b:].strip() == "":
            out[-1].col_b = None
    return out


def chunk_text(text: str, table_spans: Mapping[str, tuple[int, int]] | Iterable[tuple[int, int]] | None = None) -> list[Chunk]:
    """The prose chunks of a report's stored text, in reading order (see the module docstring)."""
    lines = text.split("\n")
    paras = _paragraphs(lines, _table_lines(table_spans))
    pieces: list[_Piece] = []
    for p in paras:
        for pc in _para_pieces(p, lines):
            prev = pieces[-1] if pieces else None
            if prev is not None and prev.section == pc.section \
                    and prev.size(lines) + pc.size(lines) <= TARGET_MAX and _adjacent(prev, pc, lines) \
                    and not _LEAD_IN_RE.search(pc.text(lines)):
                pieces[-1] = _Piece(prev.section, prev.first, prev.col_a, pc.last, pc.col_b)
                continue
            pieces.append(pc)
    return [Chunk(i, pc.section, (pc.first, pc.last), pc.text(lines)) for i, pc in enumerate(pieces)]


def _adjacent(a: _Piece, b: _Piece, lines: list[str]) -> bool:
    """Nothing but blank space lies between the two pieces (no dropped table line, no heading)."""
    if a.last == b.first:
        return a.col_b is not None and not lines[a.last - 1][a.col_b:b.col_a].strip()
    if a.col_b is not None and lines[a.last - 1][a.col_b:].strip():
        return False
    if lines[b.first - 1][:b.col_a].strip():
        return False
    return all(not l.strip() for l in lines[a.last:b.first - 1])


def flat(text: str) -> str:
    """A chunk's text with hard line wraps joined (for embedding and keyword indexing)."""
    t = re.sub(r"\n\s*", "", text)
    return re.sub(r"[ \t\u3000]+", " ", t).strip()


def embed_text(chunk: Chunk) -> str:
    """What the dense model embeds: the chunk's own words, wrapped lines joined. No body, year
    or section header: filters take care of who and when, and a header shared by every chunk
    of a report only makes them look alike to the model."""
    return flat(chunk.text)


def keyword_text(chunk: Chunk, agency: str | None = None, year: int | None = None) -> str:
    """What BM25 indexes: body, year and section path in front, then the text (a section title
    such as 「政府信息公开平台建设」 is a strong keyword for the chunks under it)."""
    head = " ".join(x for x in (agency or "", f"{year}年" if year else "", chunk.section) if x)
    return f"{head}\n{flat(chunk.text)}" if head else flat(chunk.text)
