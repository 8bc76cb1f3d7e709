"""Which template cell a question asks for, from the words people use (template.Row.words).

Pure. `find_cell("红谷滩部分公开了多少件申请")` -> CellQuery(table="applications",
row="partially_granted", column="total"). The most specific words win: a sub-row (国家秘密)
over its group (不予公开), any named outcome over the generic 「申请」 of new_received.
Returns None when no cell is named: the question is then about the prose. The plain words
people use for a cell (「找不到信息」, 「转到下一年」, 「罚了」) are the lexicon's cell records:
`_norm` rewrites them to the template's word first (lexicon.Lexicon.rewrite_cells).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import template as T
from ..tables import fold
from .lexicon import lexicon

# Words that name new_received only weakly: any other row named wins over them.
WEAK_NEW = ("申请数量", "申请数", "多少件申请", "多少申请", "requests", "applications", "request")


@dataclass
class CellQuery:
    table: str
    row: str                   # a template row key, or "litigation" (both litigation rows summed)
    column: str
    column_named: bool = False  # the question named the column (else the default: total/decisions)
    words: tuple[str, ...] = ()
    weak: bool = False          # named only by a generic word (「申请」): prose cues may win
    row_named: bool = True      # False: only a column was named (「其中自然人多少」)

    @property
    def rows(self) -> tuple[str, ...]:
        if self.row == "litigation":
            return ("litigation_direct", "litigation_after_review")
        return (self.row,)


# Words for rows beyond template.Row.words (English 「partly granted」 is partially_granted, not granted).
EXTRA_WORDS = {"partially_granted": ("partly granted", "partly disclosed", "partly")}
# 「没有公开的申请」, 「未予公开」: the row 不予公开 (not 「有没有公开」, a yes/no question)
NOT_DISCLOSED = re.compile(r"(?<!有)(?:没有|没|未予|未)公开")


def _norm(q: str) -> str:
    q = re.sub(r"\s+", " ", fold(q)).lower()
    q = re.sub(r"[“”\"‘’'「」『』]", "", q)  # 「“其他”处理」 is 其他处理
    q = re.sub(r"第三方(?=评估|机构|测评|评价|评议)", "", q)  # 第三方评估 is prose, not 保护第三方合法权益
    # 「法人和其他组织」 is the column 法人或其他组织, not two things joined
    q = re.sub(r"法人(?:以及|和|及|与|、|或者)其他组织", "法人或其他组织", q)
    return lexicon().rewrite_cells(q)[0]  # plain words (「找不到信息」) as the template's (不掌握)


def mask_cell_words(q: str) -> str:
    """The question with the plain words of a cell blanked (「从上一年带过来」 names a row, not a
    year): for readers of other things (relative years) that must not see them."""
    for h in lexicon().rewrite_cells(fold(q).lower())[1]:
        q = h.record.regex.sub(lambda m: "|" * len(m.group(0)), q)
    return q


def _hits(q: str, words) -> list[str]:
    qn = q.replace(" ", "")
    out = []
    for w in words:
        wl = w.lower()
        if (wl.replace(" ", "") in qn) if re.search(r"[\u4e00-\u9fa5]", wl) else re.search(r"(?<![a-z])" + re.escape(wl), q):
            out.append(w)
    return out


def _app_row(q: str) -> tuple[str | None, list[str], bool]:
    best, best_words, best_score = None, [], 0
    for r in T.APPLICATION_ROWS:
        words = [w for w in r.words if not (r.key == "new_received" and w in WEAK_NEW)] + list(EXTRA_WORDS.get(r.key, ()))
        if r.key == "denied":
            words += [m.group(0) for m in NOT_DISCLOSED.finditer(q)]
        hits = _hits(q, words)
        if not hits:
            continue
        score = max(len(h) for h in hits) + (3 if "." in r.key else 0)
        if r.key == "new_received":
            score -= 1
        if score > best_score:
            best, best_words, best_score = r.key, hits, score
    weak = False
    # 「结转」 alone: carried over from last year unless 下年/转入 is said
    if best is None and "结转" in q:
        best = "carried_forward" if re.search(r"下年|明年|转入|继续办理|转到", q) else "carried_over"
    if best is None and _hits(q, WEAK_NEW + ("申请",)):
        best, best_words, weak = "new_received", _hits(q, WEAK_NEW + ("申请",)), True
    return best, best_words, weak


def _column(q: str, table: str, row: str | None) -> tuple[str, bool]:
    if table == "applications":
        # the longest word wins: 「其他组织」 over 「组织」, 「法人或其他组织」 over 「其他组织」
        best, best_len = None, 0
        for col in T.APPLICATION_COLUMNS:
            if col.key == "total":
                continue
            hits = _hits(q, col.words)
            if hits and max(len(h) for h in hits) > best_len:
                best, best_len = col.key, max(len(h) for h in hits)
        if re.search(r"法人或其他组织(?:中|里|当中|里面)?的?其他(?!组织)", q):
            best = "other_org"  # 「法人或其他组织中的其他」: the column 其他 of that group
        if best:
            return best, True
        return "total", False
    if table == "review_litigation":
        for c in T.REVIEW_COLUMNS[:4]:
            if _hits(q, c.words):
                return c.key, True
        return "total", False
    # proactive
    # the row's columns in either format (2021: 本年制发…; 2019 trial: 本年新制作…, 上一年项目数量…)
    cols = tuple(dict.fromkeys(c for x in T.PROACTIVE_ROWS_2021 + T.PROACTIVE_ROWS_2019 if x.key == row
                               for c in x.columns)) or ("decisions",)
    best, best_len = None, 0
    for c in T.PROACTIVE_COLUMNS:
        hits = _hits(q, c.words) if c.key in cols else []
        if hits and max(len(h) for h in hits) > best_len:
            best, best_len = c.key, max(len(h) for h in hits)
    if best:
        return best, True
    default = {"regulations": "in_force", "normative_documents": "in_force", "administrative_fees": "amount",
               "centralized_procurement": "amount"}.get(row or "", "decisions")
    if default not in cols:
        default = cols[-1]
    return default, False


def find_cell(question: str) -> CellQuery | None:
    q = _norm(question)
    qn = q.replace(" ", "")
    head, among, tail = q.partition("其中")
    if among and head.strip() and tail.strip():
        # 「办理结果总计多少？其中予以公开有几件？」: the part asked after 其中 is the cell (the
        # whole before it is said too: execute._asked_parent); 「其中自然人」 names only a column
        whole, part = find_cell(head), find_cell(tail)
        if whole is not None and part is not None and part.row_named and not part.weak and part.table == whole.table:
            return part
    head, of, tail = q.partition("占")
    if of and head.strip() and re.match(r"[^，。,？?]{0,16}?(?:比例|比重|百分|多少|几成|多大|份额)", tail):
        # 「予以公开占办理结果总计的比例」: the share is of the cell before 占 (the whole after it)
        part, whole = find_cell(head), find_cell(tail)
        if part is not None and whole is not None and part.row_named and not part.weak and part.table == whole.table:
            return part
    # Section 四: administrative review and litigation
    if re.search(r"复议|诉讼|起诉|review|litigation|lawsuit|sued", q):
        if re.search(r"复议后起诉|复议后诉讼|after review", q):
            row = "litigation_after_review"
        elif re.search(r"直接起诉|未经复议|direct", q):
            row = "litigation_direct"
        elif re.search(r"(?<!经)复议(?!后)[与和及、跟/]{1,2}(?:行政)?诉讼", q):
            row = "review"  # both rows joined (「行政复议与行政诉讼」): the first named; find_cells takes each
        elif re.search(r"诉讼|起诉|litigation|lawsuit|sued", q):
            row = "litigation"
        else:
            row = "review"
        col, named = _column(q, "review_litigation", row)
        return CellQuery("review_litigation", row, col, named)
    # Section 二: proactive disclosure
    for r in T.PROACTIVE_ROWS_2021 + T.PROACTIVE_ROWS_2019[3:4] + T.PROACTIVE_ROWS_2019[7:]:
        words = r.words
        if r.key == "administrative_fees":
            # plain 「收费」 is usually about fees for applications (prose, section 六)
            words = ("行政事业性收费", "事业性收费", "收费金额", "administrative fee")
        hits = _hits(q, words)
        if hits:
            if r.key in ("regulations", "normative_documents") and "规范性文件" in qn and r.key == "regulations":
                continue
            col, named = _column(q, "proactive", r.key)
            return CellQuery("proactive", r.key, col, named, tuple(hits))
    # Section 三: applications. 「依申请公开」 names the procedure, not the outcome 「公开」.
    q = re.sub(r"依申请公开", "依申请", q)
    row, words, weak = _app_row(q)
    column_only = False
    if row is None:
        if re.search(r"自然人|法人或其他组织|商业企业|法人|企业|公司|科研机构|公益组织|法律服务机构", q) \
                and (re.search(r"申请|多少|几|其中|how many", q)  # 「其中企业的呢」: a part of the row asked before
                     or re.search(r"自然人|法人或其他组织|商业企业|科研机构|社会公益组织|法律服务机构", q)):
            # a column named on its own: the template's own words (「科研机构」) need no 「申请」 or 「多少」
            row, weak, column_only = "new_received", True, True
        else:
            return None
    # the words that named the row do not name a column too (「个人隐私」 is not 「个人」)
    rest = q
    for w in sorted(words, key=len, reverse=True):
        if re.search(r"[\u4e00-\u9fa5]", w):
            rest = rest.replace(w, " ")
    col, named = _column(rest, "applications", row)
    return CellQuery("applications", row, col, named, tuple(words), weak and not named, row_named=not column_only)


# ---------------------------------------------------------------------------------------
# Several cells in one question: 「部分公开和不予公开一共多少件」, 「自然人和商业企业分别多少」.

# Words that join two cells. Not 「危及」, 「及时」, 「参与」, 「增加」, 「加强」 (lookarounds), nor a
# separator inside a template word or label (「法人或其他组织」, 「行政复议、行政诉讼情况」: PROTECTED).
JOIN_RE = re.compile(r"以及|加上|或者|(?<![危普涉以])及(?!时)|(?<![参给])与|和|(?<![增追参附更施])加(?![强快大以])"
                     r"|、|或|(?<![a-z])(?:and|or|plus)(?![a-z])")
# A sum asked for; 「办理结果总计」 is a row, not a sum.
SUM_CUES = re.compile(r"一共|合计|总共|总计|共计|加起来|合起来|加在一起|总和|之和|相加|累计|(?<![公])共(?!同)"
                      r"|in total|altogether|combined|together|sum of|(?<![a-z])or(?![a-z])|或")
# A difference asked of two cells (「无法提供比予以公开多几件」, 「部分公开和予以公开哪个多」).
DIFF_CUES = re.compile(r"比[^，。,？?]{0,14}(?:多|少)|哪个多|哪个少|哪项多|哪项少|哪个更多|哪个更少|谁多|谁少"
                       r"|多还是少|差多少|差几|相差|差距|difference between")
DIFF_JOIN = re.compile(r"比(?![例重较上去前同])")
ASKS_COUNT = re.compile(r"多少|几[件个项次条]?|how many")
LIST_CUES = re.compile(r"分别|各自|各(?:是|为|有|多少|几|申请|收到|办理|公开)|respectively|(?<![a-z])each(?![a-z])")


def _protected_phrases() -> tuple[str, ...]:
    words = set()
    for t in T.TABLES.values():
        for r in t.rows:
            words.update(r.words)
            words.add(re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]|^\d+[.、]", "", r.label))
        for c in t.columns:
            words.update(c.words)
    for r in T.PROACTIVE_ROWS_2019:
        words.update(r.words)
    for title in T.TABLE_TITLES.values():
        words.add(re.sub(r"^[一二三四五六七八九十]+、", "", title))
    words.update(("行政复议、行政诉讼情况", "行政复议、行政诉讼", "收到和处理", "复议和诉讼情况"))
    return tuple(sorted((w.lower() for w in words if JOIN_RE.search(w.lower())), key=len, reverse=True))


PROTECTED = _protected_phrases()
STRONG_NEW = tuple(w for r in T.APPLICATION_ROWS if r.key == "new_received" for w in r.words
                   if w not in WEAK_NEW + ("申请",))


def join_points(q: str) -> list[tuple[int, int]]:
    """Spans of the joining words of `q` that may split it into cells (none inside a protected phrase)."""
    inside = set()
    for w in PROTECTED:
        for m in re.finditer(re.escape(w), q):
            inside.update(range(m.start(), m.end()))
    return [(m.start(), m.end()) for m in JOIN_RE.finditer(q) if not inside & set(range(m.start(), m.end()))]


def find_cells(question: str) -> tuple[list[CellQuery], str] | None:
    """The cells of a question that joins several (「部分公开和不予公开一共多少件」) and what is
    asked of them: "sum" (一共, 合计, …, joined by 加/加上, or 「或」), "list" (分别, or no cue), or
    "apart" (a sum asked of cells not to be added: a group and its sub-row, an amount and a
    count). None when the question names fewer than two different cells."""
    q = _norm(question)
    points = join_points(q)
    # two questions in one (「办理结果总计多少？予以公开有几件？」): each answered, never added;
    # after 「其中」 the second is a part of the first (find_cell takes it, the whole is said too)
    asked = [] if "其中" in q else [(m.start(), m.end()) for m in re.finditer(r"[？?；;](?=\s*\S)", q)]
    if "其中" not in q:  # 「受理多少申请，办结多少」: a comma between two clauses that each ask a count
        asked += [(m.start(), m.end()) for m in re.finditer(r"[，,](?=\s*\S)", q)
                  if ASKS_COUNT.search(q[:m.start()].split("？")[-1]) and ASKS_COUNT.search(q[m.end():])]
    points = sorted(points + asked)
    diff = bool(DIFF_CUES.search(q))
    if diff:  # 「X比Y多几件」: 「比」 joins the two cells
        points = sorted(points + [(m.start(), m.end()) for m in DIFF_JOIN.finditer(q)
                                  if not any(a <= m.start() < b for a, b in points)])
    if not points:
        return None
    whole = find_cell(question)
    if whole is None:
        return None
    segs, start = [], 0
    for a, b in points:
        segs.append(q[start:a])
        start = b
    segs.append(q[start:])
    parts: list[tuple[CellQuery | None, str | None]] = []  # (a cell with its row, or a named column only)
    for s in segs:
        if not s.strip():
            continue
        c = find_cell(s)
        if c is not None and c.table == whole.table and not c.row_named:
            parts.append((None, c.column))
        elif c is not None and c.table == "applications" and c.row == "new_received" and not _hits(s, STRONG_NEW):
            # only 「申请」 named the row (「商业企业一共申请了多少」): a column, the row from elsewhere
            parts.append((None, c.column if c.column_named else None))
        elif c is not None:
            parts.append((c, None))
        else:
            col, named = _column(s, whole.table, whole.row)
            parts.append((None, col if named else None))
    parts = [p for p in parts if p != (None, None)]
    if len(parts) < 2:
        return None
    # a named column alone takes the row of the cell before it (or after, or the whole question's)
    cells: list[CellQuery] = []
    for i, (c, col) in enumerate(parts):
        if c is None:
            before = [x for x, _ in parts[:i] if x is not None]
            after = [x for x, _ in parts[i + 1:] if x is not None]
            base = (before[-1:] or after[:1] or [whole])[0]
            c = CellQuery(base.table, base.row, col, True, base.words, False)
        cells.append(c)
    # one column named for several rows (「予以公开和部分公开的自然人」): it applies to each of them
    named = {c.column for c in cells if c.column_named}
    if len(named) == 1 and len({c.row for c in cells}) == len(cells) and len({c.table for c in cells}) == 1:
        col = named.pop()
        cells = [c if c.column_named else CellQuery(c.table, c.row, col, True, c.words, c.weak) for c in cells]
    uniq = []
    for c in cells:
        if all((c.table, c.row, c.column) != (u.table, u.row, u.column) for u in uniq):
            uniq.append(c)
    if len(uniq) < 2:
        return None
    kinds = {"amount" if c.table == "proactive" and c.column == "amount" else
             "items" if c.table == "proactive" and c.column in ("change", "items", "previous_year_items") else "count"
             for c in uniq}
    qs = re.sub(r"办理结果总计|处理结果总计|结果总计", " ", q)
    if re.search(LIST_CUES, qs) and not re.search(r"一共|合计|总共|共计|加起来|合起来|总和|之和|in total|altogether|combined", qs):
        mode = "list"
    elif re.search(SUM_CUES, qs) or any(q[a:b] in ("加", "加上", "plus") for a, b in points):
        mode = "sum"  # 「予以公开加上部分公开是多少」: the joining word itself adds
    else:
        mode = "list"
    # counts are not added to amounts; a group is not added to its own sub-row (「不予公开和国家秘密」)
    nested = any(a.table == b.table and a.column == b.column and a.row != b.row and a.row.startswith(b.row + ".")
                 for a in uniq for b in uniq)
    if mode == "sum" and (len(kinds) > 1 or nested):
        mode = "apart"  # a sum asked that is not made: each value, and why
    if diff and len(uniq) == 2 and len(kinds) == 1 and not nested:
        mode = "diff"  # the first named less the second
    if asked and mode != "diff":
        mode = "list"  # several questions: each value, not a sum
    return uniq, mode


# A column of 第二十条第（一）项 named without its row (「本年废止件数」, 「现行有效件数」): both rows.
DOC_COLUMN_ONLY = (("issued", r"本年制发|制发件数|制发了?(?:多少|几)"), ("repealed", r"废止|本年度止"),
                   ("in_force", r"现行有效"), ("made", r"新制作"), ("published", r"本年新公开|新公开数"))


def document_columns(question: str, cell: CellQuery | None = None) -> list[CellQuery] | None:
    """「文化街街道本年废止件数」: 规章 and 行政规范性文件 in the column named; with `cell` one of
    those rows (「规范性文件制发、废止、现行有效各多少」), each column named of it (two or more).
    None otherwise."""
    q = _norm(question)
    if cell is not None:
        if cell.table != "proactive" or cell.row not in ("regulations", "normative_documents"):
            return None
        keys = [k for k, pat in (("issued", r"制发"), ("repealed", r"废止|度止"), ("in_force", r"现行有效"))
                if re.search(pat, q)]
        if len(keys) < 2:
            return None
        return [CellQuery("proactive", cell.row, k, True, cell.words) for k in keys]
    for key, pat in DOC_COLUMN_ONLY:
        if re.search(pat, q):
            return [CellQuery("proactive", "regulations", key, True, ()),
                    CellQuery("proactive", "normative_documents", key, True, ())]
    return None
