"""A report's prose as sentences: each with its lines, its section, its sub-heading and topics.

Headings (「五、存在的主要问题及改进情况」, 「（一）主动公开情况」, 「存在问题：」) are not sentences:
they set the section and topics of the sentences under them, so they guide retrieval but are
never quoted as an answer. Table regions (tables.find_regions) are left out, but not the prose
after a region's last row that the region runs over (`table_end`: 「（一）主要问题」 and its
sentences printed right after the last table of a Markdown conversion). A sentence may wrap
over lines and blank lines (PDF text); its line span covers every line it touches.
Pure over the stored text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import unicodedata

from ..tables import find_regions, is_page_marker
from .understand import PROSE_TOPICS

TOP_HEADING = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]\s*([^。！？，,]{2,30})$")
SUB_HEADING = re.compile(r"^[(（]\s*([一二三四五六七八九十]+)\s*[)）]\s*([^。！？，,；;:：]{2,20})[。:：]?$")
INLINE_SUB = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]\s*([^。！？，,；;:：]{2,15})[。:：]\s*(?=\S)")
LABEL = re.compile(r"^(?:\d+[.、．]\s*)?(要点落实情况|年度工作要点落实情况|存在(?:的)?(?:主要)?问题|主要问题|问题|改进情况|改进措施|整改情况|整改措施|下一步(?:工作)?(?:计划|打算|措施)?"
                   r"|工作计划|改进方向)\s*[:：]\s*")
ENUM = re.compile(r"^(?:[一二三四五六七八九十]是|[(（][一二三四五六七八九十]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[，,、]"
                  r"|[一二三四五六七八九十][、.．]?(?=[\u4e00-\u9fa5]{2,}))")
ENDS = "。！？!?"
# Inside 「存在的主要问题及改进情况」: a sentence that turns from the problems to the plans.
PLANS = (r"下一步|针对(存在|上述|以上|这些)?的?(问题|不足)|(将|进行|如下|以下).{0,12}(改进|整改)|改进(措施|情况|方向)"
         r"|将[^。，,]{0,8}(抓好|做好|加强|推进|落实)以下|(将|拟)从以下")


@dataclass
class Sentence:
    report_id: int
    order: int
    text: str
    lines: tuple[int, int]          # 1-based, inclusive
    section: str                    # 「五、存在的主要问题及改进情况」
    sub: str = ""                   # 「（一）主动公开情况」 or a label 「存在问题」
    topics: frozenset = field(default_factory=frozenset)
    grams: frozenset = field(default_factory=frozenset)        # filled by prose.sentences_of
    head_grams: frozenset = field(default_factory=frozenset)
    low: str = ""                   # the text folded and lower-cased (filled by prose.sentences_of)
    head_low: str = ""

    @property
    def heading(self) -> str:
        return f"{self.section} {self.sub}".strip()

    @property
    def is_enum(self) -> bool:
        return bool(ENUM.match(self.text))

    @property
    def later_item(self) -> bool:
        """「二是…」, 「（三）…」, 「2.…」: an item after the first of a list."""
        return bool(re.match(r"^(?:[二三四五六七八九十]是|[(（][二三四五六七八九十][)）]|[2-9][.、．]"
                             r"|[二三四五六七八九十][、.．]?(?=[\u4e00-\u9fa5]{2,}))", self.text))

    @property
    def opens_list(self) -> bool:
        """「…加强以下工作：一是加大政策解读力度。」, 「…再上新台阶；一是增加解读的形式。」: a list
        starts inside and goes on after."""
        return bool(re.search(r"[:：；;]\s*(一是|[(（]一[)）]|1[.、．])", self.text)) and not re.search(r"二是|[(（]二[)）]", self.text)

    @property
    def announces(self) -> bool:
        """「主要存在以下问题：」, 「仍然存在一些问题。」: a sentence that introduces a list."""
        return bool(re.search(r"[:：]$|(以下|如下|一些|几个|几点)[^。]{0,8}[。:：]?$|(问题|不足|差距|短板)[。:：]?$", self.text))


def _prose_line(line: str) -> bool:
    """A line that reads as prose or a heading, not a table row: no tab, no run of bare numbers,
    and a sentence mark, a heading's form, or a long run of words."""
    t = fold1(line).strip()
    if not t:
        return True
    if "\t" in line or "|" in t or re.fullmatch(r"[-—\s]+", t) or len(re.findall(r"(?<![\d.])\d+(?![\d.])", t)) >= 3:
        return False
    return bool(re.search(r"[。，,；;：:]", t) or SUB_HEADING.match(t) or TOP_HEADING.match(t) or LABEL.match(t)
                or len(re.sub(r"[^\u4e00-\u9fa5]", "", t)) >= 16)


def table_end(lines: list[str], a: int, b: int) -> int:
    """Where a table region [a, b) really ends: the prose after its last row (「（一）主要问题」
    and its sentences, which a region found by content may run over) is not the table's.
    Only a tail holding a full sentence (。) is given back."""
    k = b
    while k > a and _prose_line(lines[k - 1]):
        k -= 1
    return k if k < b and any("。" in lines[i] for i in range(k, b)) else b


def fold1(s: str) -> str:
    """Full-width forms folded character by character (same length, so offsets still hold)."""
    out = []
    for c in s:
        f = unicodedata.normalize("NFKC", c)
        out.append(f if len(f) == 1 else c)
    return "".join(out).replace("\u3000", " ")


# The template's section titles, however a report numbers them (「第五部分」, 「5.」) or ends them (「。」)
SECTION_TITLE = re.compile(r"总体情况|主动公开政府信息|收到和处理|行政复议|存在.{0,8}问题|问题.{0,4}改进|其他需要报告")
WORDY_HEADING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|\d{1,2}\s*[.、．])\s*([^。！？，,]{2,30})$")


def heading_form(line: str) -> str:
    """A line as a heading would read without Markdown marks (「## 五、…」, 「**五、…**」)."""
    t = re.sub(r"^#{1,6}\s*", "", line.strip())
    t = re.sub(r"^\*\*(.+?)\*\*$", r"\1", t).strip()
    # a final 。 only off one of the template's titles (「一、加强学习。」 is a sentence)
    return re.sub(r"。$", "", t) if len(t) <= 32 and SECTION_TITLE.search(t) else t


def _section_heading(head: str):
    """「第五部分 存在的主要问题及改进情况」, 「5. 存在的主要问题及改进情况」: a numbering other than
    「五、」 is a section heading only for one of the template's section titles."""
    m = WORDY_HEADING.match(head)
    return m if m and SECTION_TITLE.search(m.group(1)) else None


def _topics(heading: str) -> set[str]:
    return {t for t, _, hpat in PROSE_TOPICS if re.search(hpat, heading)}


def report_sentences(report_id: int, text: str) -> list[Sentence]:
    lines = text.split("\n")
    skip = set()
    for a, b in find_regions(lines).values():
        skip.update(range(a, table_end(lines, a, b)))
    out: list[Sentence] = []
    section, sub, part = "", "", None   # part: problems/improvements inside a mixed section
    buf, first = "", None
    seen_heading = False
    sub_part = False  # the problems/improvements part was opened by a subsection heading

    def flush(last: int):
        nonlocal buf, first
        s = buf.strip()
        if s and len(re.sub(r"[\W\d]", "", s)) >= 4 and first is not None:
            heading = f"{section} {sub}"
            topics = _topics(heading)
            if {"problems", "improvements"} <= topics or (part and not sub):
                topics = (topics - {"problems", "improvements"}) | ({part} if part else {"problems"})
            out.append(Sentence(report_id, len(out), s, (first, last), section, sub, frozenset(topics)))
        buf, first = "", None

    last_line = 0
    for i, raw in enumerate(lines):
        ln = i + 1
        if i in skip:
            flush(last_line)
            continue
        if is_page_marker(fold1(raw)):
            continue
        orig = re.sub(r"^[-*•·]\s+", "", raw.replace("\u3000", " ").strip())
        line = fold1(orig)
        if not line or re.fullmatch(r"[|\-—\s]+", line):
            continue
        head = heading_form(line)
        top = TOP_HEADING.match(head) or (_section_heading(head) if not buf else None)
        if top:
            flush(last_line)
            section, sub, part, seen_heading = head, "", None, True
            if {"problems", "improvements"} <= _topics(head):
                part = "problems"
            sub_part = False
            continue
        if not seen_heading and "。" not in line:
            continue  # the title, possibly wrapped over lines
        subm = SUB_HEADING.match(head)
        if subm:
            flush(last_line)
            sub = subm.group(2).strip()
            if {"problems", "improvements"} <= _topics(sub):
                part, sub_part = "problems", True  # 「（五）存在的主要问题及改进情况」 numbered as a subsection
            elif sub_part and not re.search(r"问题|不足|改进|整改|措施|下一步|计划", sub):
                part, sub_part = None, False  # the next subsection after it
            else:
                part = _switch(part, sub)
            continue
        inline = INLINE_SUB.match(line) if not buf else None
        if inline:
            sub = inline.group(1).strip()
            part = _switch(part, sub)
            line, orig = line[inline.end():], orig[inline.end():]
        lab = LABEL.match(line) if not buf else None
        if lab:
            flush(last_line)
            sub = lab.group(1)
            part = _switch(part, sub)
            line, orig = line[lab.end():], orig[lab.end():]
            if not line:
                continue
        # accumulate, cutting sentences at 。！？ (and at a colon that ends the line)
        pieces = re.split(r"(?<=[。！？!?])", orig)
        for k, piece in enumerate(pieces):
            if not piece:
                continue
            if first is None:
                first = ln
                if part == "problems" and re.search(PLANS, piece):
                    part = "improvements"
            buf += piece
            if piece[-1] in ENDS:
                flush(ln)
        if buf and line[-1] in ":：":
            flush(ln)
        last_line = ln
    flush(last_line)
    return out


def _switch(part, label: str):
    """Inside a 「问题及改进」 section, a label says which half follows."""
    if part is None:
        return None
    if re.search(r"改进|整改|措施|下一步|计划", label):
        return "improvements"
    if re.search(r"问题|不足", label):
        return "problems"
    return part
