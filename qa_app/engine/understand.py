"""A question, understood: which bodies, years, regions, which cell, which operation, which topic.

Pure rules over the catalog (catalog.py) and the template's words (cells.py); no model. The
language-model mode (llm.py) produces the same `Query` when these rules cannot. Follow-ups
(「那2022年呢？」, 「和红旗区政府办比呢？」) take what they leave out from the earlier questions
in the history, each of which is itself resolved against the turns before it. A follow-up that
asks across bodies (「哪个单位最多？」) does not narrow to the previous answer's one body.
Relative years (「去年」, 「前年」, 「今年」, 「上一年」, 「上年度」) are counted from the calendar on
their own and from the year just talked about in a conversation; the answer says which year was
taken (Query.year_note).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..tables import fold
from .catalog import BOUNDARY, Body, Catalog, Mention, body_in_regions, is_subsequence
from .cells import CellQuery, document_columns, find_cell, find_cells, mask_cell_words
from .lexicon import lexicon
from .names import correct as correct_names, correct_unknown, plain as plain_forms
from .variants import simplify
from .plan import Modifier, QueryPlan
from .scope import place_bodies, place_note

_L = lexicon()

OPS = ("lookup", "sum", "avg", "max", "min", "rank", "compare", "change", "trend", "outcomes", "positive", "zero", "share",
       "checks", "by_region", "list_reports")
BY_REGION = _L.regex("BY_REGION")
CHECK_WORDS = _L.regex("OP_CHECKS")
# A question over all bodies (「哪个单位最多」, 「各单位排名」): a follow-up asking it does not
# narrow to the one body of the previous answer.
ACROSS_BODIES = _L.regex("ACROSS_BODIES")
TREND = _L.regex("MOD_TREND")
# Prose topics: what a question is about (its words), and the report headings that hold it.
# (topic, question pattern, heading pattern)
PROSE_TOPICS = (
    ("problems", r"问题|不足|短板|差距|薄弱|欠缺|problem|weakness|shortcoming|issue",
     r"存在.{0,6}问题|问题|不足"),
    ("improvements", r"改进|整改|措施|下一步|计划|打算|将如何|怎么改|improve|plan|next step|measure",
     r"改进|措施|下一步|计划|整改"),
    ("fees", r"收费|费用|收取|处理费|缴费|fee|charge", r"其他需要报告|收费|费用"),
    ("proactive", r"主动公开|发布.{0,8}(信息|条)|公开.{0,6}条|信息.{0,4}条|proactive|publish",
     r"主动公开"),
    ("on_request", r"依申请|申请.{0,6}(办理|答复|受理)|on request", r"依申请"),
    ("management", r"信息管理|审核|保密|安全|泄密|归档|management|security|confidential|review process",
     r"政府信息管理|信息管理"),
    ("platform", r"平台|网站|公众号|新媒体|渠道|公开栏|公示栏|专栏|栏目|platform|website|wechat|channel",
     r"平台建设|平台"),
    ("oversight", r"监督|保障|考核|评议|培训|责任追究|问责|oversight|supervision|training|assessment",
     r"监督保障|监督"),
    ("key_points", r"要点|落实情况|key task", r"要点"),
    ("overview", r"总体情况|整体情况|总体上|概况|总的来说|overview|overall", r"总体情况"),
)

NUMBER_CUES = _L.regex("NUMBER_CUES")
PROSE_CUES = _L.regex("PROSE_CUES")
COLLECTIVE = _L.regex("COLLECTIVE")
FOLLOW_START = _L.regex("FOLLOW_START")
COMPARE_WORDS = _L.regex("FOLLOW_COMPARE")
GENERIC_RE = (r"(?:区|市|县)?(?:人民)?政府办(?:公室)?|(?:区|市|县)?人民政府办公室|街道办(?:事处)?|办事处|办公室"
              r"|(?:区|市|县)(?:人民)?政府(?![信网门公办])|(?<!政)(?:区|市|县)?府办")


@dataclass
class Query:
    question: str
    op: str = "lookup"                      # one of OPS
    bodies: list[Body] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)   # names not in the index
    cell: CellQuery | None = None
    prose: bool = False                     # answer from the report text
    topics: list[str] = field(default_factory=list)    # prose topics (PROSE_TOPICS)
    wants_number: bool = False
    prose_question: str = ""                # the words to retrieve with (a follow-up borrows them)
    ambiguous: list[Body] = field(default_factory=list)  # bodies to choose from (clarify)
    ambiguous_text: str = ""                # the words that fit several bodies
    limit: int | None = None
    nth: int | None = None             # 「第二名」: the N-th of the ranking
    ascending: bool = False
    threshold: float | None = None          # 「超过5件的单位」: positive means above this
    threshold_inclusive: bool = False       # 「不少于5件」
    threshold_below: bool = False           # 「少于5件的单位」: below the threshold, not above
    inherited: list[str] = field(default_factory=list)   # what came from the history
    said: list[str] = field(default_factory=list)        # the names as the question wrote them
    year_words: list[tuple[str, int]] = field(default_factory=list)  # 「去年」 etc. and the year taken for each
    explicit_years: list[int] = field(default_factory=list)          # years written as numbers
    anchor_year: int | None = None          # the year 「今年/去年/前年」 were counted from
    year_note: str = ""                     # 「「去年」按2025年理解」: said in the answer
    name_note: str = ""                     # 「「红谷摊」按「红谷滩」理解」: a place name corrected, said too
    scope_note: str = ""                    # 「「淮安市」按淮安市人民政府本级的报告回答…」: scope.place_bodies
    cells: list[CellQuery] = field(default_factory=list)  # several cells asked at once (cell is the first)
    multi: str = ""                         # what is asked of them: "sum" (一共), "list" (分别), "apart" (cells.find_cells)
    modifiers: set = field(default_factory=set)          # plan.Modifier values the lexicon found
    dropped: list[str] = field(default_factory=list)     # instruction words taken off the question
    body_years: list = field(default_factory=list)       # [(agency, year)]: a year written for each body
    among: list = field(default_factory=list)            # 「各单位一共…，其中信访局多少」: the part asked of a sum

    def describe(self) -> dict:
        return {"op": self.op, "bodies": [b.agency for b in self.bodies], "years": self.years,
                "regions": self.regions, "unknown": self.unknown, "prose": self.prose, "topics": self.topics,
                "cell": None if self.cell is None else {"table": self.cell.table, "row": self.cell.row,
                                                        "column": self.cell.column},
                "inherited": self.inherited,
                **({"cells": [{"table": c.table, "row": c.row, "column": c.column} for c in self.cells],
                    "multi": self.multi} if self.cells else {}),
                **({"relative_years": dict(self.year_words)} if self.year_words else {})}


_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _described_body(m, q: str, catalog: Catalog):
    """「管教育的那个局」, 「负责城乡建设的部门」: a body described by what it handles, where no name
    was matched. The one body whose name holds that word is it (and the answer says so); several
    are asked about; none makes the description an unknown name, so that no answer is given over
    every body (a language model, when on, may still read it)."""
    d = _L.search("DESCRIBED_BODY", q)
    if d is None or m.bodies or m.ambiguous:
        return m, ""
    said = d.group(0)
    if any(u not in said for u in m.unknown):
        return m, ""  # another name the index does not hold is said as such
    what = d.group("what")
    hits = [b for b in catalog.bodies.values() if any(what in n for n in b.names)]
    r = _L.search("DESCRIBED_BODY", m.rest)
    rest = m.rest[:r.start()] + "|" * (r.end() - r.start()) + m.rest[r.end():] if r else m.rest
    if len(hits) == 1:
        return replace(m, bodies=[hits[0]], unknown=[], rest=rest), f"「{said}」按「{hits[0].agency}」理解"
    if hits:
        return replace(m, ambiguous=[Mention(said, d.start(), d.end(), hits)], unknown=[], rest=rest), ""
    return replace(m, unknown=[said], rest=rest), ""


def _place_of_level(bodies, level: str) -> str | None:
    """The place of `level` (市, 区, 县, 省) all of `bodies` lie in, from their regions
    (「江苏省淮安市洪泽区」, 市 -> 淮安市); None when they have none or several."""
    found = set()
    for b in bodies:
        parts = re.findall(r"[^省市区县]+?(?:自治区|省|市|区|县)", b.region or "")
        found |= {p for p in parts if p.endswith(level)}
    return found.pop() if len(found) == 1 else None


def _notes(*notes: str) -> str:
    """The notes said in an answer, joined (empty ones left out)."""
    return "；".join(n for n in notes if n)


def _count_word(n: str) -> int:
    """「3」 or 「三」 as 3."""
    return int(n) if n.isdigit() else _CN_NUM.get(n, 3)


def find_years(q: str) -> list[int]:
    """「2023年」, 「2023」, 「23年」, 「2022到2023年」 -> years, in order of mention.

    >>> find_years("红谷滩23年和2022年比")
    [2023, 2022]
    """
    q = fold(q)
    out = []
    # 「22、23年」, 「22和23年」: a short year listed before another carries the other's 年
    q = re.sub(r"(?<![\d.])(\d{2})\s*(?=[、，,和与及]\s*\d{2}\s*年)", r"\1年", q)
    for m in re.finditer(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)|(?<![\d.])(\d{2})\s*年(?!度?止)", q):
        y = int(m.group(1)) if m.group(1) else 2000 + int(m.group(2))
        if 2000 <= y <= 2100 and y not in out:
            out.append(y)
    return out


# Years named relative to another (「去年」, 「前年」, 「今年」, 「上一年」, 「上年度」) and how far back.
# Not: a row of the table (「上年结转」, 「去年结转」, 2019's 「上一年项目数量」) or the year a change is
# measured against (「比去年」, 「较上年」, 「和去年比」: change() takes the year before the one asked).
RELATIVE_YEAR = re.compile(r"(?<![比较和与跟同])(今年|去年|前年|上一年|上年度|上年)(?!度?结转|度?项目|度?的项目)")
RELATIVE_OFFSET = {"今年": 0, "去年": -1, "前年": -2, "上一年": -1, "上年度": -1, "上年": -1}
STEP_BACK = ("上一年", "上年度", "上年")  # the year before the one just talked about


def current_year() -> int:
    """The calendar year 「今年」 is (tests replace this)."""
    import datetime
    return datetime.date.today().year


def find_relative_years(q: str) -> list[str]:
    """「红谷滩去年和前年收到多少申请」 -> ["去年", "前年"]: relative year words, in order."""
    return [m.group(1) for m in RELATIVE_YEAR.finditer(mask_cell_words(fold(q)))]


def _resolve_relative(query: "Query", anchor: int, step_from: int | None = None, said_before: int | None = None) -> None:
    """Years for the relative words of `query`, counted from `anchor` (「今年」 always the calendar
    year; 「上一年」 from `step_from`, the year of the previous answer, in a follow-up); sets years
    and the note the answer carries."""
    words = [w for w, _ in query.year_words] or find_relative_years(query.question)
    taken, notes = [], []
    for w in dict.fromkeys(words):
        if w == "今年":
            y = current_year()
        elif w in STEP_BACK and step_from is not None:
            y = step_from - 1
        else:
            y = anchor + RELATIVE_OFFSET[w]
        taken.append((w, y))
        ref = step_from if (w in STEP_BACK and step_from is not None) else said_before
        notes.append(f"「{w}」按{y}年理解" + (f"，相对于上文的{ref}年" if ref is not None and w != "今年" else ""))
    query.year_words = taken
    query.anchor_year = anchor
    query.years = list(query.explicit_years) + [y for _, y in taken if y not in query.explicit_years]
    query.year_note = "；".join(notes)


RANK_N = _L.regex("OP_RANK_N")
THRESHOLD = _L.regex("MOD_THRESHOLD")
THRESHOLD_BELOW = _L.regex("MOD_THRESHOLD_BELOW")
def find_op(q: str, n_bodies: int, n_years: int) -> str:
    """The op the lexicon's op records give (the first by priority that matches and fits)."""
    return lexicon().choose_op(q.lower(), n_bodies, n_years).get("op")


def find_topics(q: str) -> list[str]:
    ql = q.lower()
    return [t for t, pat, _ in PROSE_TOPICS if re.search(pat, ql)]


def understand(question: str, catalog: Catalog, history: list | None = None) -> Query:
    query = understand_one(question, catalog)
    if history:
        prev = resolve_history(history, catalog)
        if prev is not None:
            query = relative_to(query, prev, catalog)
        if prev is not None and is_follow_up(query):
            query = follow_up(query, prev, catalog)
    return query


def understand_one(question: str, catalog: Catalog) -> Query:
    """One question on its own."""
    question = simplify(question)  # 紅旗區信訪局 -> 红旗区信访局, char for char
    q, dropped = _L.strip(fold(question).strip(), "instruction")  # 「请帮我查一下」, 「估算一下」
    m = catalog.match(q)
    name_note = ""
    # one wrong character in a name held (「红旗区信访居」); a name matched as written is kept whole
    fixed, fixes = correct_names(q, catalog, keep=[x.text for x in m.mentions
                                                      if len(x.bodies) == 1 and x.how in ("name", "form")])
    if fixes:
        m2 = catalog.match(fixed)
        better = len(m2.unknown) < len(m.unknown) or len(m2.ambiguous) < len(m.ambiguous) \
            or len(m2.bodies) > len(m.bodies) or len(m2.regions) > len(m.regions) or (m2.bodies == m.bodies and m2.bodies) \
            or any(_level_fix(a, b, q) for a, b in fixes)  # 「洪泽去2024年」: the place's level char misspelt
        if (m2.bodies or m2.regions or m2.ambiguous) and not (set(m2.unknown) - set(m.unknown)) and better:
            q, m = fixed, m2
            name_note = "；".join(f"「{a}」按「{b}」理解" for a, b in fixes)
    if m.unknown and not m.bodies:  # one character too many or too few: 「红旗区信访访局」
        fixed, fixes = correct_unknown(q, m.unknown, catalog)
        m2 = catalog.match(fixed) if fixes else m
        if fixes and m2.bodies and len(m2.unknown) < len(m.unknown):
            q, m = fixed, m2
            name_note = _notes(name_note, *(f"「{a}」按「{b}」理解" for a, b in fixes))
    renamed = [f"「{x.text}」按「{x.bodies[0].agency}」理解" for x in m.mentions
               if x.how == "form" and len(x.bodies) == 1 and not is_subsequence(x.text.replace("的", ""), x.bodies[0].agency)
               and not is_subsequence(x.bodies[0].agency, x.text)]  # 「仁门县环保局」 for 仁门县生态环境局: said
    if renamed:
        name_note = _notes(name_note, *renamed)
    m = _nested_places(m, q, catalog)
    m, described = _described_body(m, q, catalog)
    if described:
        name_note = _notes(name_note, described)
    m, among = _among_bodies(m, q, catalog)
    if m.unknown and any(_L.has("ANAPHOR", u) for u in m.unknown):  # 「该街道」 points back, names nothing
        m = replace(m, unknown=[u for u in m.unknown if not _L.has("ANAPHOR", u)])
    years = find_years(q)
    cell = find_cell(m.rest)  # body names (红旗区信访局) must not read as cell words (信访)
    query = Query(question, bodies=list(m.bodies), years=years, regions=list(m.regions), unknown=list(m.unknown),
                  cell=cell, topics=find_topics(m.rest), prose_question=question,
                  said=[x.text for x in m.mentions] + list(m.regions) + list(m.unknown))
    query.explicit_years = list(years)
    query.name_note = name_note
    query.among = among
    query.dropped = dropped
    if find_relative_years(q):  # on its own, 「去年」 is the calendar's
        _resolve_relative(query, current_year())
        years = query.years
    query.wants_number = bool(re.search(NUMBER_CUES, q.lower()))
    collective = bool(re.search(COLLECTIVE, q.lower()))
    if cell is None and collective and not _L.has("ACROSS_BODIES", q) and not _L.has("EACH_WORDS", q) \
            and not re.search(CHECK_WORDS, q.lower()):  # 「红旗区哪份报告有问题」 audits every report there
        collective = False  # 「区政府办存在哪些问题」: 哪些 asks of the text, not of every body (ask which)
    if _L.has("OP_LIST_REPORTS", q) or (cell is None and re.search(CHECK_WORDS, q.lower())
                                         and _L.has("WHICH_OR_EACH", q)):
        collective = True  # 「江苏的报告有哪些」, 「上海的报告都对得上吗」: every report of the place, not one to choose
    _resolve_names(query, m, catalog, q, collective)
    cell = query.cell  # a body read from the words after a region may have taken a cell word
    if cell is None and (docs := document_columns(m.rest)):
        query.cell = cell = docs[0]  # a column of 规章/规范性文件 named without its row: both rows
        query.cells, query.multi = docs, "list"
    elif cell is not None and (docs := document_columns(m.rest, cell)):
        query.cell = cell = docs[0]  # several columns of one of them: each
        query.cells, query.multi = docs, "list"
    query.body_years = _body_years(q, query, m)
    query.op = find_op(q, len(query.bodies), len(years))
    _refine_op(query, q)
    if query.op == "sum" and not query.bodies and query.cell is not None and not query.years \
            and _L.has("EACH_YEAR", q.lower()) and _L.has("MOD_SUM", q.lower()):
        query.years = sorted({y for b in catalog.bodies.values() for y in b.years  # 「各单位历年…一共」: every report
                              if body_in_regions(b, query.regions)})
    if query.op == "outcomes":
        return query
    _several_cells(query, m.rest)
    query.prose = is_prose(q, cell, query)
    if cell is not None and not query.prose and not query.bodies and not query.unknown \
            and (re.search(BY_REGION, q.lower())
                 or (len(query.regions) >= 2 and _L.has("COMPARE_PLACES", q))):
        query.op = "by_region"
        query.ascending = _L.has("LEAST", q.lower())
    if re.search(CHECK_WORDS, q.lower()) or (query.cell is None and _L.has("OP_CHECKS_REPORT", fold(question))):
        query.op, query.prose = "checks", False  # 「数字对得上吗」, 「检查一下…的报告」 (before its lead-in went)
    return query


def _level_fix(written: str, taken: str, q: str) -> bool:
    """A correction of a place's level character only (「洪泽去2024年」 -> 「洪泽区」): the place reads
    the same without it, but the answer still says how the name was taken. Not where the
    character starts the next word (「红谷滩部分公开」)."""
    diff = [i for i, (a, b) in enumerate(zip(written, taken)) if a != b]
    at = q.find(written)
    after = q[at + len(written):at + len(written) + 1] if at >= 0 else ""
    return len(written) == len(taken) and len(diff) == 1 and taken[diff[0]] in "省市区县" \
        and written[diff[0]] not in "省市区县" and not (re.fullmatch(r"[\u4e00-\u9fa5]", after) and after not in BOUNDARY)


# Ops under which several cells joined in a question (「部分公开和不予公开」) are each answered; under
# the others (最多, 排名, 占比, 变化, …) the first cell is taken, as before.
MULTI_OPS = ("lookup", "sum", "trend", "compare")


YEAR_AT = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|(?<![\d.])\d{2}\s*年(?!度?止)")


def _nested_places(m, q: str, catalog: Catalog):
    """「淮安市洪泽区」: a place written right before a place inside it only qualifies it, so the
    city's own body is not a second body asked (unless the question joins or compares them)."""
    if _L.has("JOIN_PLACES", q):
        return m
    if len(m.regions) >= 2:
        inner_of = {}
        for r1 in m.regions:
            for r2 in m.regions:
                if r1 != r2 and re.search(re.escape(r1) + "[省市区县]?" + re.escape(r2), q):
                    inside = catalog.in_region(r2)
                    if inside and all(b in catalog.in_region(r1) for b in inside):
                        inner_of[r1] = r2
        if inner_of:
            m = replace(m, regions=[r for r in m.regions if r not in inner_of])
    ms = [x for x in m.mentions if len(x.bodies) == 1]
    if len(ms) < 2:
        return m
    drop = []
    for a, b in zip(ms, ms[1:]):
        outer, inner = a.bodies[0], b.bodies[0]
        if a.end == b.start and outer.region and inner.region and inner.region != outer.region \
                and inner.region.startswith(outer.region) and outer not in drop:
            drop.append(outer)
    if not drop:
        return m
    return replace(m, bodies=[x for x in m.bodies if x not in drop],
                   mentions=[x for x in m.mentions if not (len(x.bodies) == 1 and x.bodies[0] in drop)])


def _among_bodies(m, q: str, catalog: Catalog):
    """「2023年红旗区各单位一共收到多少申请，其中信访局多少」: a total over a place or every body,
    then the part of some bodies in it. The bodies named after 「其中」 are that part (returned),
    not the scope: the scope is what the words before it name. Else (m, [])."""
    at = q.find("其中")
    if at <= 0:
        return m, []
    head, tail = catalog.match(q[:at]), catalog.match(q[at:])
    if head.bodies or head.ambiguous or not tail.bodies or tail.ambiguous \
            or not (head.regions or re.search(COLLECTIVE, q[:at].lower()) or _L.has("ACROSS_BODIES", q[:at])):
        return m, []
    return replace(m, bodies=[], regions=list(head.regions), ambiguous=[],
                   mentions=[x for x in m.mentions if not any(x.bodies == [b] for b in tail.bodies)]), list(tail.bodies)


def _body_years(q: str, query: Query, m) -> list:
    """「红旗区信访局2022年和红谷滩区政府办2023年…」: each body with the year written after it
    (before the next body) or right before it (「2022年的红谷滩区政府办」), when every body named
    has its own and they differ."""
    if len(query.bodies) < 2 or len(query.explicit_years) < 2:
        return []
    at = []
    for b in query.bodies:
        words = [x.text for x in m.mentions if x.bodies == [b]] + [b.region_short] + sorted(b.names, key=len)
        pos = next((q.find(w) for w in words if w and q.find(w) >= 0), -1)
        if pos < 0:
            return []
        at.append((pos, b))
    at.sort(key=lambda x: x[0])
    out = {}
    for ym in YEAR_AT.finditer(q):
        y = find_years(ym.group(0))
        after = [(pos, b) for pos, b in at if pos >= ym.end()]
        lead = not any(pos < ym.start() for pos, _ in at) or q[ym.start() - 1] in "和与跟同及、，, "  # opens a part
        if after and re.fullmatch(r"\s*年?度?\s*的?\s*", q[ym.end():after[0][0]]) and lead:
            owner = [after[0][1]]  # 「2022年的红谷滩区政府办」: the year written before its body
        else:
            owner = [b for pos, b in at if pos < ym.start()]
        if y and owner and owner[-1].agency not in out:
            out[owner[-1].agency] = y[0]
    if len(out) == len(query.bodies) and len(set(out.values())) > 1:
        return list(out.items())
    return []


def _several_cells(query: Query, rest: str) -> None:
    """「部分公开和不予公开一共多少件」: the cells joined (cells.find_cells) and sum or list."""
    if query.cell is None or query.op not in MULTI_OPS + ("share", "share_each"):
        return
    got = find_cells(rest)
    if query.op in ("share", "share_each"):  # 「予以公开加部分公开的比例」: the rows' sum over the total (execute.share)
        if got is not None:
            query.cells, query.multi = got
        return
    if got is None:
        return
    query.cells, query.multi = got
    query.cell = got[0][0]
    query.op = "sum" if query.multi == "sum" else "lookup"


# A span of one body's years (「两年一共」, 「两年行政复议共几件」, 「近三年合计」, 「平均每年」, 「历年」): lexicon YEAR_SPAN.
YEAR_SPAN = _L.regex("YEAR_SPAN")


def _resolve_names(query: Query, m, catalog: Catalog, q: str, collective: bool) -> None:
    """Bodies from what the question named: one ambiguous mention -> clarify; a region alone ->
    its only body (or clarify); a generic word (区政府办) -> the bodies it fits."""
    if m.ambiguous:
        # one mention fits several bodies (区政府办): ask which, unless the question is about all of them
        amb = [b for b in m.ambiguous[0].bodies if b not in query.bodies]
        if collective:
            query.bodies += amb
        else:
            query.ambiguous, query.ambiguous_text = amb, m.ambiguous[0].text
    # 「淮安市一共…」 adds cells of one report; 「淮安市各单位一共」, 「最多」, 「平均」 ask across bodies
    across = collective and (bool(re.search(COLLECTIVE, _L.regex("MOD_SUM").sub("", q.lower())))
                             or _L.has("OP_LIST_REPORTS", q) or _L.has("OP_LIST_REPORTS_OF_BODIES", q))
    places, noted = {}, []
    for r in query.regions:
        places[r] = place_bodies(r, catalog, across)
    # a place standing for one body first: 「淮安市和洪泽区一共」 names two bodies, not one and a region
    for r in sorted(query.regions, key=lambda r: not places[r][1]):
        in_region = [b for b in catalog.in_region(r)]
        own, left_out = places[r]
        narrowed = bool(left_out)
        if narrowed:  # 「淮安市」: the city's own body, not the districts inside it (scope.place_bodies)
            in_region = own
            said = re.search(re.escape(r) + "[省市区县]?", q)
            noted.append((said.group(0) if said else r, own[0], left_out))
        if collective and not narrowed and not query.bodies \
                and not (len(in_region) == 1 and not query.years and re.search(YEAR_SPAN, q)):
            continue  # 「红旗区一共…」: every body of the region; but 「洪泽区两年一共…」 is its one body's years
        if len(in_region) == 1:
            if in_region[0] not in query.bodies:
                query.bodies.append(in_region[0])
                m.positions.setdefault(in_region[0].agency, m.positions.get(r, 0))
            query.regions.remove(r)
        elif query.bodies and any(b in in_region for b in query.bodies):
            query.regions.remove(r)  # 「红旗区的城建局」: the region only qualifies the body
        elif len(in_region) > 1 and not query.bodies and not query.ambiguous and not query.unknown \
                and _body_after_region(q, r, in_region) is not None:
            # 「红旗区信访2022年…」: the word right after the region names one of its bodies
            b = _body_after_region(q, r, in_region)
            query.bodies.append(b)
            word = re.search(re.escape(r) + r"[省市区县]?([\u4e00-\u9fa5]{2,4}?)(?=$|[^\u4e00-\u9fa5]|[的在和与年])", q).group(1)
            m.rest = m.rest.replace(word, "|" * len(word), 1)  # the body's word is no cell word (信访)
            query.cell, query.topics = find_cell(m.rest), find_topics(m.rest)
            m.positions.setdefault(b.agency, m.positions.get(r, 0))
            query.regions.remove(r)
        elif len(in_region) > 1 and not query.bodies and not query.ambiguous and not query.unknown:
            said = re.search(re.escape(r) + "[省市区县]?", q)
            query.ambiguous, query.ambiguous_text = in_region, said.group(0) if said else r
    if not query.bodies and not query.regions and not query.unknown and not query.ambiguous:
        g = re.search(GENERIC_RE, m.rest)
        if g:
            word = g.group(0)
            cands = [b for b in catalog.bodies.values() if any(_generic_fits(word, n) for n in b.names)]
            if g.group(0) == "办公室":  # 「办公室」 alone: a government office, not a 街道办事处
                cands = [b for b in catalog.bodies.values() if any("办公室" in n or "政府办" in n for n in b.names)]
            if len(cands) > 1 and not collective:
                query.ambiguous, query.ambiguous_text = cands, g.group(0)
            else:
                query.bodies = cands
    elif query.bodies and not query.regions and not query.unknown and not query.ambiguous:
        # 「政府办和城建局谁多」: a generic word joined to a named body names a second body
        g = re.search(r"(?:^|[和与跟同比、及]|\|)(" + GENERIC_RE + r")(?=$|[和与跟同比、及谁哪的|]|\|)", m.rest)
        if g and re.search(r"和|与|跟|同|比|、|及|谁|哪个", q):
            word = g.group(1)
            cands = [b for b in catalog.bodies.values() if b not in query.bodies
                     and any(_generic_fits(word, n) for n in b.names)]
            same = [b for b in cands if any(b.region_short and b.region_short == x.region_short for x in query.bodies)]
            if g.group(1)[0] in "区市县" and len(same) == 1:
                cands = same  # 「城建局和区政府办」: the 区 of the body named
            if len(cands) > 1 and not collective:
                query.ambiguous, query.ambiguous_text = cands, g.group(1)
            elif len(cands) == 1:
                query.bodies.append(cands[0])
                m.positions.setdefault(cands[0].agency, g.start(1))
    notes = [place_note(said, b, [x for x in out if x not in query.bodies]) for said, b, out in noted
             if b in query.bodies and any(x not in query.bodies for x in out)]
    query.scope_note = "；".join(notes)  # what a place taken as its own body leaves out
    # one body in the catalog (a filter chose it): a question that names none is about it
    if not (query.bodies or query.regions or query.unknown or query.ambiguous) and len(catalog.bodies) == 1 \
            and not collective:
        query.bodies = list(catalog.bodies.values())
    query.bodies.sort(key=lambda b: m.positions.get(b.agency, 10 ** 6))


def _body_after_region(q: str, region: str, bodies) -> "Body | None":
    """The one body of `bodies` named by the 2-4 Chinese characters written right after the region
    (「红旗区信访」 -> 红旗区信访局, 「红旗区城建」 -> 红旗区城乡建设局): they start its name, less the
    region, and appear in it in order; the word must end there (a year, 的, or no more Chinese
    follows), so that 「红旗区信访举报投诉类申请」 is not read as a body."""
    g = re.search(re.escape(region) + r"[省市区县]?([\u4e00-\u9fa5]{2,4}?)(?=$|[^\u4e00-\u9fa5]|[的在和与年])", q)
    if not g:
        return None
    word = g.group(1)
    hits = []
    for b in bodies:
        for n in b.names:
            tail = n.split(region, 1)[-1].lstrip("省市区县") if region in n else ""
            if tail and tail[0] == word[0] and is_subsequence(word, tail) and tail != word:
                hits.append(b)
                break
    return hits[0] if len(hits) == 1 else None


def _plain(name: str) -> str:
    """「红旗区人民政府办公室」 -> 「红旗区政府办」: the forms a generic word is compared in."""
    return name.replace("人民", "").replace("办公室", "办").replace("办事处", "办")


def _generic_fits(word: str, name: str) -> bool:
    """Does a generic word (「区政府办」, 「区府办」) fit a body's name, compared plainly or with both
    in the canonical forms of body_names.json (names.plain)?"""
    return _plain(word) in _plain(name) or any(w in p for w in plain_forms(word) for p in plain_forms(name))


def _refine_op(query: Query, q: str) -> None:
    """What find_op cannot see alone: limits, thresholds, one body over its years, outcomes."""
    cell, years, ql = query.cell, query.years, q.lower()
    if query.op == "change" and cell is not None and cell.column == "change" and cell.column_named:
        query.op = "lookup"  # 「本年增/减」 is a printed column of the 2019 format
    if query.op in ("rank", "max", "min") and len(query.bodies) == 1 and not query.regions:
        query.op = "lookup"
    elif query.op in ("rank", "max", "min") and len(query.bodies) <= 1 and cell is not None \
            and cell.table == "applications" and _L.has("WHICH_KIND", ql) and not _L.has("ACROSS_BODIES", ql):
        query.op = "lookup"  # 「沭阳县不予公开里哪一类最多」: the parts of one report's cell (lookup names the most)
    if query.op == "share_each":  # 「哪个单位部分公开比例最高」: the top share; else each
        if _L.has("MOST_ASKED", ql):
            query.limit = 1
        elif _L.has("LEAST", ql):
            query.limit, query.ascending = 1, True
    query.ascending = _L.has("MOD_ASCENDING", ql)
    lm = _L.search("MOD_TOP_N", ql)
    rn = re.search(RANK_N, ql)
    if lm:
        n = lm.group(1) or lm.group(2)
        query.limit = _count_word(n)
    elif rn:
        query.limit = _count_word(rn.group(2))
        query.ascending = rn.group(1) in ("最少", "最低", "最小")
    elif query.op == "change" and (cm := _L.search("OP_CHANGE_MOST", ql)) and not query.bodies:
        query.limit = 1  # 「哪个单位…增加最多」: the bodies ranked by their change
        query.ascending = bool(cm.group("down") or cm.group("downp"))
    elif nm := _L.search("OP_RANK_NTH", ql):  # 「收到申请第二多的是哪个单位」
        query.nth = query.limit = _count_word(nm.group(1) or nm.group(2))
        query.ascending = _L.has("LEAST", ql)
    elif wn := _L.search("OP_RANK_WHICH_N", ql):  # 「哪三个单位…最多」
        query.limit = _count_word(wn.group(1))
        query.ascending = wn.group(2) in ("最少", "最低", "最小")
    th = re.search(THRESHOLD, ql)
    below = re.search(THRESHOLD_BELOW, ql)
    if below and not (th and th.start() <= below.start()) and query.op in ("sum", "positive", "lookup", "min") \
            and len(query.bodies) != 1:
        query.threshold = float(below.group(2) or below.group(3))
        query.threshold_inclusive = _L.has("MOD_THRESHOLD_BELOW_INCLUSIVE", below.group(0))
        query.threshold_below = True
        query.op = "positive"
    elif th and query.op in ("sum", "positive", "lookup") and len(query.bodies) != 1:
        query.threshold = float(th.group(2) or th.group(3))
        query.threshold_inclusive = _L.has("MOD_THRESHOLD_INCLUSIVE", th.group(0))
        query.op = "positive"
    # one body over its years (「每年」, 「近两年」, 「2022年和2023年分别」)
    # two years or more named without a sum asked (「2023和2022年收到申请」) are listed, not added
    added = _L.has("MOD_SUM", ql) or (len(query.explicit_years) >= 2 and _L.has("TOTAL_WORDS", q)
                                       and not _L.has("SEPARATELY", ql))  # 「22、23年予以公开总数」
    listed = len(query.explicit_years) >= 2 and query.op == "sum" and not added
    span = re.search(YEAR_SPAN, q)
    added = added or bool(span and span.group("sum") and span.group("sum") != "平均")  # 「两年…共几件」
    if len(query.bodies) == 1 and cell is not None and not years and span \
            and (query.op in ("avg", "median") or (added and query.op in ("lookup", "sum", "change"))):
        # 「两年一共」, 「近三年合计」, 「平均每年」: one body over its latest N years (all: 历年/每年)
        b = query.bodies[0]
        n = next((g for i, g in enumerate(span.groups(), 1) if g and i != YEAR_SPAN.groupindex["sum"]), None)
        n = _count_word(n) if n else len(b.years)
        query.years = list(range(b.years[-1] - n + 1, b.years[-1] + 1)) if b.years else []
        if query.op not in ("avg", "median"):
            query.op = "sum"
        return
    if len(query.bodies) == 1 and cell is not None and (re.search(TREND, ql) or listed) \
            and query.op in ("lookup", "sum", "change") and len(years) != 1:
        near = _L.search("MOD_RECENT_N", q)
        if not years:
            n = _count_word(near.group(1)) if near else 0
            b = query.bodies[0]
            # 「近两年」: the two years up to its latest report, so that a year without one is said
            query.years = list(range(b.years[-1] - n + 1, b.years[-1] + 1)) if n and b.years else list(b.years)
        query.op = "trend"
    # every body in each of its years (「各单位历年新收申请」): not the latest year of each, not added up
    if not query.bodies and cell is not None and query.op in ("sum", "lookup") and not years \
            and _L.has("EACH_YEAR", ql) and not _L.has("MOD_SUM", ql):
        query.op = "trend"
    # the outcomes of a body's applications (「办理结果」, 「申请是怎么处理的」)
    if cell is not None and cell.table == "applications" and cell.row in ("total", "new_received") \
            and query.op == "lookup" and not cell.column_named \
            and _L.has("OUTCOMES_ASKED", q) \
            and (_L.has("OUTCOMES_EACH", q) or not _L.has("HOW_MANY_TOTAL", ql)) \
            and not _joins_rows(q, query.said):
        query.op, query.cell = "outcomes", replace(cell, row="total", weak=False)


def _joins_rows(q: str, names: list[str]) -> bool:
    """「新收申请数和办理结果总计分别是多少」: two rows named and joined, each asked (not the outcomes)."""
    for name in sorted(names, key=len, reverse=True):
        q = q.replace(name, " ")  # a body's name is no cell word (红旗区信访局 is not 信访)
    got = find_cells(q)
    return got is not None and len({(c.table, c.row) for c in got[0]}) > 1


def is_prose(q: str, cell: CellQuery | None, query: Query) -> bool:
    """Answer from the text rather than the tables?"""
    if cell is None:
        return True
    ql = q.lower()
    from .prose import asks_manner, counts_in_prose_unit
    if not query.wants_number and asks_manner(q):
        return True  # 「收到的申请按时答复了吗」: how it was done, which the text says
    if _L.has("ASKS_REASON", ql) and not query.wants_number:
        return True  # 「为什么部分公开」: the tables hold counts, a reason only the text can give
    if counts_in_prose_unit(q) and (cell.weak or not cell.row_named or cell.table != "review_litigation"):
        return True  # 「公开了几期政府常务会议」: no table counts in 期, 场, 篇 (but 「打了几场官司」 is 行政诉讼)
    if cell.table == "review_litigation":
        return False
    # items of information published (「多少条」) are counted in the prose, not the tables
    if _L.has("ITEMS_PUBLISHED", q):
        return True
    # 「依申请公开工作是怎么做的」: a how/what question that names a cell only through a weak word
    if cell.weak and not query.wants_number and re.search(PROSE_CUES, ql):
        return True
    return False


# ---------------------------------------------------------------------------------------
# Follow-ups

def previous_questions(history) -> list[str]:
    out = []
    for h in history or []:
        if isinstance(h, str):
            out.append(h)
        elif isinstance(h, dict) and h.get("role", "user") == "user":
            out.append(str(h.get("content", "")))
        elif isinstance(h, (list, tuple)) and h and h[0] == "user":
            out.append(str(h[1]))
    return out


def resolve_history(history, catalog: Catalog) -> Query | None:
    """The latest meaningful earlier question, itself completed by the turns before it."""
    prev = None
    for pq in previous_questions(history)[-6:]:
        cur = understand_one(pq, catalog)
        if prev is not None:
            cur = relative_to(cur, prev, catalog)
        if prev is not None and is_follow_up(cur):
            cur = follow_up(cur, prev, catalog)
        if cur.bodies or cur.cell or cur.prose or cur.regions:
            prev = cur
    return prev


def is_follow_up(query: Query) -> bool:
    if query.op == "list_reports":
        return False  # 「库里有哪些报告？」 is about the whole library: it takes no body or year from before
    q = fold(query.question).strip().lower()
    short = len(q) <= 20 or re.match(FOLLOW_START, q) or _L.has("FOLLOW_END", q)
    missing = query.cell is None or not query.cell.row_named \
        or not (query.bodies or query.regions or query.ambiguous or query.unknown)
    return bool(short and missing)


def answered_year(query: Query, catalog: Catalog | None) -> int | None:
    """The year an answer to `query` is about: its year (the latest, if several), else the latest
    report of its bodies, else the latest year in the catalog."""
    if query.years:
        return max(query.years)
    ys = [b.years[-1] for b in query.bodies if b.years]
    if not ys and catalog is not None:
        ys = [y for b in catalog.bodies.values() for y in b.years]
    return max(ys) if ys else None


def relative_to(new: Query, prev: Query, catalog: Catalog | None) -> Query:
    """Relative years in a conversation: 「红谷滩2023年…？」「那去年呢？」 -> 2022, the year before
    the one just talked about; a chain counts 「去年/前年」 from the same year (2023 -> 去年 2022 ->
    前年 2021), 「上一年」 steps back from the last answer's year; 「今年」 stays the calendar's."""
    last = answered_year(prev, catalog)
    if not new.year_words or last is None:
        return new
    anchor = prev.anchor_year if prev.anchor_year is not None else last
    new = replace(new, inherited=new.inherited + ["relative years"])
    _resolve_relative(new, anchor, step_from=last, said_before=anchor)
    return new


def follow_up(new: Query, prev: Query, catalog: Catalog | None = None) -> Query:
    """Fill what a short follow-up leaves out from the previous (resolved) question."""
    q = fold(new.question).strip()
    inherited = ["relative years"] if "relative years" in new.inherited else []
    own_cell = new.cell is not None and new.cell.row_named
    # a question of its own about the prose: long enough, or a topic of its own (「怎么改进的」 after
    # 「存在什么问题」), which then is asked, not the question before it
    from .prose import counts_in_prose_unit  # 「那淮安市召开了几场新闻发布会」: a count only the text holds
    own_prose_words = new.cell is None and ((re.search(PROSE_CUES, q.lower()) and len(q) > 8)
                                            or (new.topics and set(new.topics) != set(prev.topics))
                                            or counts_in_prose_unit(q))
    # a new body with words of its own, not a bare 「那X呢」 (「淮安市召开了多少场新闻发布会」 after a
    # question on 洪泽区 2023): a question of its own, which takes neither the cell nor the year
    bare = re.match(FOLLOW_START, q.lower()) or _L.has("FOLLOW_END", q) \
        or _L.has("FOLLOW_BARE", q.lower())  # 「其中红谷滩区政府办多少」 asks the cell before
    other_names = (new.bodies or new.regions or new.unknown or new.ambiguous) \
        and not (new.bodies and set(b.agency for b in new.bodies) <= set(b.agency for b in prev.bodies))
    if other_names and not bare and new.cell is None and len(q) > 8:
        own_prose_words = True
    if new.cell is not None and not new.cell.row_named and prev.cell is not None and prev.cell.table == new.cell.table:
        # 「其中自然人多少？」: the row asked before, the column named now
        new = replace(new, cell=replace(prev.cell, column=new.cell.column, column_named=True),
                      cells=[replace(c, column=new.cell.column, column_named=True) for c in prev.cells
                             if c.table == new.cell.table], multi=prev.multi)
        if len(new.cells) < 2:
            new.cells, new.multi = [], ""
        inherited.append("row")
    elif new.cell is None and not own_prose_words:
        new = replace(new, cell=prev.cell, prose=prev.prose, topics=new.topics or prev.topics,
                      wants_number=new.wants_number or prev.wants_number, cells=list(prev.cells), multi=prev.multi)
        inherited.append("cell")
        if prev.prose:
            new.prose_question = prev.prose_question
            new.said = new.said + prev.said
            inherited.append("question")
    names_given = new.bodies or new.ambiguous or new.unknown or new.regions
    across = bool(re.search(ACROSS_BODIES, q.lower()))
    whole = _L.search("WHOLE_PLACE", q)
    place = _place_of_level(prev.bodies, whole.group("level")) if whole and not names_given and prev.bodies else None
    if place:
        # 「淮安市洪泽区人民政府2024年收到多少申请」「全市一共多少」: every body of that city
        new = replace(new, bodies=[], regions=[place], op="sum")
        names_given = True
        inherited.append("place")
    elif not names_given and across and len(prev.bodies) == 1:
        # 「红谷滩区政府办收到多少申请？」「哪个单位收到的最多？」: all bodies (of the regions asked before)
        if prev.regions:
            new = replace(new, regions=list(prev.regions))
            inherited.append("regions")
    elif not names_given and (prev.bodies or prev.regions):
        new = replace(new, bodies=list(prev.bodies), regions=list(prev.regions))
        inherited.append("bodies")
    elif new.bodies and prev.bodies and re.search(COMPARE_WORDS, q.lower()):
        added = [b for b in new.bodies if b not in prev.bodies]
        new = replace(new, bodies=list(prev.bodies) + added, op="compare")
        inherited.append("bodies")
        if len(new.explicit_years) == 1 and len(prev.years) == 1 and new.explicit_years != prev.years and added:
            # 「红旗区信访局2023年…」「跟红谷滩区政府办2022年比呢」: the year written is the new body's;
            # the body before keeps its own
            new.body_years = [(b.agency, prev.years[0]) for b in prev.bodies] \
                + [(b.agency, new.explicit_years[0]) for b in added]
    complete = names_given and (own_prose_words or own_cell)
    if not new.years and prev.years and not complete:
        # (a question complete on its own — a body and what is asked of it — keeps its own years:
        # 「信访局2022年存在哪些问题？」「文化街街道通过什么平台公开信息？」 asks of 文化街's latest)
        new = replace(new, years=list(prev.years))
        inherited.append("years")
    if new.op != "compare" or "bodies" not in inherited:
        op = find_op(q, len(new.bodies), len(new.years))
        if op in ("lookup", "sum") and prev.op not in ("lookup", "compare", "change") and not names_given \
                and not (op == "sum" and _L.has("MOD_SUM", q.lower())):  # 「两年一共多少」 adds what was listed
            op = prev.op  # 「2023年哪个单位最多？」「那2022年呢？」
            new.limit, new.ascending = prev.limit, prev.ascending
        elif op == "sum" and len(new.bodies) >= 2 and not re.search(COLLECTIVE, q):
            op = "compare"
        if op in ("rank", "max", "min") and len(new.bodies) == 1 and not new.regions:
            op = "lookup"
        if across and re.search(BY_REGION, q.lower()) and new.cell is not None and not new.prose and not new.bodies:
            op = "by_region"
            new.ascending = _L.has("LEAST", q.lower())
        new = replace(new, op=op)
        if op == "rank" and (nm := _L.search("OP_RANK_NTH", q.lower())):  # 「第二名是谁」 after 「哪个…最多」
            new.nth = new.limit = _count_word(nm.group(1) or nm.group(2))
            new.ascending = _L.has("LEAST", q.lower()) or (prev.op == "min" or prev.ascending)
    against = _L.search("FOLLOW_AGAINST_YEAR", q)
    if against and not new.explicit_years and new.cell is not None and new.cell.row_named and not new.prose \
            and (y := answered_year(prev, catalog)) is not None:
        # 「部分公开多少件」「和去年比呢」: the change from that earlier year to the year answered
        back = 2 if against.group("rel") == "前年" else 1
        new = replace(new, years=[y - back, y], op="change")
    if new.ambiguous and new.op == "compare":
        new.ambiguous = []
    new.inherited = inherited
    return new


# ---------------------------------------------------------------------------------------
# The plan: the draft settled and frozen

def finalize(query: Query, catalog: Catalog, full: Catalog | None = None) -> QueryPlan:
    """The frozen plan of a draft: the op settled from what was named (a lookup over several
    bodies compares them; a cell over no body sums it), the lexicon's refusal and rate cues,
    names outside the filter (`full`: the catalog before the filter), a bare follow-up with
    nothing to follow. Raises PlanError for a plan that cannot run."""
    q = _L.strip(fold(query.question).strip(), "instruction")[0].lower()
    extra: dict = {"modifiers": {h.record.get("modifier") for h in _L.find(q, "modifier")} - {None}}
    op = query.op
    rate = _L.search("MOD_RATE", q)
    growth = op == "change" and _L.has("OP_PERCENT_CHANGE", q)  # 增长率 is the change op's percent, not a rate
    if rate and not growth and not query.inherited and op not in ("share", "share_each", "checks", "list_reports"):
        extra["rate_word"] = rate.group(0)
        extra["cell"], extra["cells"], extra["prose"] = None, [], True
    cell_none = extra.get("cell", query.cell) is None
    if op not in ("list_reports", "checks") and (cell_none or extra.get("prose", query.prose)):
        op = "prose"
    elif op in ("lookup", "share", "outcomes") and len(query.bodies) != 1:
        op = "compare" if op == "lookup" and len(query.bodies) > 1 else \
            "share_each" if op == "share" and len(query.bodies) > 1 else "sum"
    extra["op"] = op
    # a refusal cue; one marked "when": "cell" (按月, 环比) only where a table cell is asked
    refuse = [h for h in _L.find(q, "refuse")
              if h.record.get("when") != "cell" or op not in ("prose", "list_reports", "checks")]
    if refuse:
        extra["unsupported"] = refuse[0].label
    if full is not None and full is not catalog:
        fm = full.match(q)
        if not (fm.bodies or fm.regions):  # 「红谷摊」 under a filter on 红旗区: the corrected name lies outside
            fixed, fixes = correct_names(q, full)
            fm = full.match(fixed) if fixes else fm
        extra["outside"] = [b.agency for b in fm.bodies if b.agency not in catalog.bodies and b not in query.bodies] \
            + [r for r in fm.regions if r not in catalog.regions]
    if not query.inherited and not (query.bodies or query.regions or query.unknown or query.ambiguous) \
            and _L.has("FOLLOW_BARE", q):
        extra["needs_context"] = True
    if "percent" in {h.record.get("modifiers", [None])[0] for h in _L.find(q, "op")} and op == "change":
        extra["modifiers"].add("percent")
    return replace(QueryPlan.build(query), **{k: v for k, v in extra.items() if k != "modifiers"},
                   modifiers=frozenset(Modifier(m) for m in extra["modifiers"]))
