"""A question, understood: which bodies, years, regions, which cell, which operation.

Pure rules over the catalog (catalog.py) and the template's words (cells.py); no model. The
language-model mode (llm.py) produces the same `Query` when these rules cannot. Follow-ups
(「那2022年呢？」) take what they leave out from the previous question in the history.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..tables import fold
from .catalog import GENERIC_BODIES, Body, Catalog
from .cells import CellQuery, find_cell

OPS = ("lookup", "sum", "max", "min", "rank", "compare", "change", "positive", "list_reports")


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
    ambiguous: list[Body] = field(default_factory=list)  # bodies to choose from (clarify)
    limit: int | None = None
    inherited: list[str] = field(default_factory=list)   # what came from the history

    def describe(self) -> dict:
        return {"op": self.op, "bodies": [b.agency for b in self.bodies], "years": self.years,
                "regions": self.regions, "unknown": self.unknown, "prose": self.prose,
                "cell": None if self.cell is None else {"table": self.cell.table, "row": self.cell.row,
                                                        "column": self.cell.column},
                "inherited": self.inherited}


_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def find_years(q: str) -> list[int]:
    """「2023年」, 「2023」, 「23年」, 「2022到2023年」 -> years, in order of mention.

    >>> find_years("红谷滩23年和2022年比")
    [2023, 2022]
    """
    q = fold(q)
    out = []
    for m in re.finditer(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)|(?<!\d)(\d{2})\s*年(?!度?止)", q):
        y = int(m.group(1)) if m.group(1) else 2000 + int(m.group(2))
        if 2000 <= y <= 2100 and y not in out:
            out.append(y)
    return out


def _op(q: str, n_bodies: int, n_years: int) -> str:
    ql = q.lower()
    if re.search(r"哪些单位|哪些机关|哪些部门|哪几个|哪些报告.*(有|大于|超过)|which (bodies|agencies|offices).*(any|more than|>)", ql) \
            and not re.search(r"最多|最少|最高|最低", q):
        return "positive"
    if re.search(r"最多|最高|最大|most|highest|largest", ql):
        return "max"
    if re.search(r"最少|最低|最小|least|fewest|lowest", ql):
        return "min"
    if re.search(r"排名|排序|排行|rank|前\d+|前[一二两三四五六七八九十]+[名个位]", ql):
        return "rank"
    if re.search(r"变化|增加|减少|增长|下降|增减|比上年|同比|较上年|比去年|change|increase|decrease", ql) and n_bodies <= 1:
        return "change"
    if n_bodies >= 2 and re.search(r"和|与|跟|比|对比|比较|相比|compare|vs|versus|and", ql):
        return "compare"
    if re.search(r"多少份报告|几份报告|哪些报告|有哪些单位|收录了哪些|库里有", q):
        return "list_reports"
    if n_bodies == 0 or n_years >= 2 or re.search(r"各单位|各机关|所有单位|全部单位|一共|合计|总共|加起来|累计|总和|in total|altogether|all bodies", ql):
        if n_bodies == 1 and n_years <= 1:
            return "lookup"
        return "sum"
    return "lookup"


PROSE_CUES = r"如何|怎么|怎样|什么|哪些问题|问题|措施|做法|平台|渠道|改进|计划|下一步|是否|有没有|收取|费用|多少条|条信息|网站|公众号|微信|开展|举措|经验|特色|情况如何|为什么|how|what|why|which platform"


def understand(question: str, catalog: Catalog, history: list | None = None) -> Query:
    q = fold(question).strip()
    bodies, regions, unknown, rest = catalog.match_spans(q)
    years = find_years(q)
    cell = find_cell(rest)  # body names (红旗区信访局) must not read as cell words (信访)
    query = Query(question, bodies=bodies, years=years, regions=regions, unknown=unknown, cell=cell)
    # region named alone (红谷滩): its bodies
    if not bodies and regions:
        in_region = [b for r in regions for b in catalog.in_region(r)]
        query.op = _op(q, 0, len(years))
        if query.op in ("lookup", "sum") and not re.search(r"各|哪|所有|全部|一共|合计|总共", q):
            if len(in_region) == 1:
                query.bodies = in_region
                query.regions = []
            elif len(in_region) > 1 and (cell is None or query.op == "lookup"):
                query.ambiguous = in_region
    # a generic body word (区政府办) with no region: every body it fits
    if not query.bodies and not regions and not unknown:
        generic = [g for g in sorted(GENERIC_BODIES, key=len, reverse=True) if g in q]
        if generic:
            cands = [b for b in catalog.bodies.values() if any(generic[0] in n for n in b.names)]
            if len(cands) == 1:
                query.bodies = cands
            elif len(cands) > 1:
                query.ambiguous = cands
    if len(query.bodies) > 1 and not query.ambiguous:
        op = _op(q, len(query.bodies), len(years))
        if op in ("lookup",):
            query.ambiguous = query.bodies
    if not query.ambiguous:
        query.op = _op(q, len(query.bodies), len(years))
    m = re.search(r"前\s*(\d+|[一二两三四五六七八九十])\s*[名个位]?", q)
    if m:
        query.limit = int(m.group(1)) if m.group(1).isdigit() else _CN_NUM.get(m.group(1), 3)
    # prose or table?
    if cell is None:
        query.prose = True
    elif re.search(r"多少条|条信息|公示了|发布了|网站|公众号|平台", q) and cell.table != "review_litigation" \
            and not re.search(r"申请|决定", q):
        query.prose = True
    if history:
        query = _follow_up(query, q, catalog, history)
    return query


def _previous_questions(history) -> list[str]:
    out = []
    for h in history:
        if isinstance(h, str):
            out.append(h)
        elif isinstance(h, dict) and h.get("role", "user") == "user":
            out.append(str(h.get("content", "")))
        elif isinstance(h, (list, tuple)) and h and h[0] == "user":
            out.append(str(h[1]))
    return out


def _follow_up(query: Query, q: str, catalog: Catalog, history) -> Query:
    """Fill what a short follow-up leaves out from the latest previous question."""
    prev_qs = _previous_questions(history)
    if not prev_qs:
        return query
    short = len(q) <= 20 or re.match(r"^(那|那么|还有|再|换成|和|与|跟|比|如果是)", q) or q.endswith(("呢", "呢?", "呢？"))
    if not short:
        return query
    prev = None
    for pq in reversed(prev_qs):
        cand = understand(pq, catalog, None)
        if cand.bodies or cand.cell or cand.prose:
            prev = cand
            break
    if prev is None:
        return query
    inherited = []
    new = query
    if new.cell is None and prev.cell is not None and not re.search(PROSE_CUES, q):
        new = replace(new, cell=prev.cell, prose=prev.prose)
        inherited.append("cell")
    elif new.cell is None and prev.prose and not new.prose:
        new = replace(new, prose=True)
    if new.cell is None and prev.cell is None and prev.prose:
        new = replace(new, prose=True)
        if len(q) <= 12:
            new = replace(new, question=prev.question)
            inherited.append("question")
    if not new.bodies and not new.ambiguous and not new.unknown and not new.regions and prev.bodies:
        new = replace(new, bodies=list(prev.bodies))
        inherited.append("bodies")
    elif new.bodies and prev.bodies and re.search(r"^(和|与|跟|比|对比)|相比|比呢|比较", q):
        new = replace(new, bodies=list(prev.bodies) + [b for b in new.bodies if b not in prev.bodies], op="compare")
        inherited.append("bodies")
    if not new.years and prev.years and "bodies" in inherited:
        new = replace(new, years=list(prev.years))
        inherited.append("years")
    if inherited and new.op != "compare":
        new = replace(new, op=_op(q, len(new.bodies), len(new.years)))
    if new.op == "lookup" and len(new.bodies) > 1:
        new = replace(new, op="compare")
    new.inherited = inherited
    if new.ambiguous and new.op == "compare":
        new.ambiguous = []
    return new
