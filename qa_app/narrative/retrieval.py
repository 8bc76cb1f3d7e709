"""Hybrid retrieval over the narrative index: filters first, then dense + BM25 fused by rank.

`search(query, settings, k=5, agency=None, region=None, year=None, report_ids=None,
mode="hybrid")` returns `Hits` (a list of `Hit`, best first, with `.filters` telling which
filters applied). Filters (body, region, year, report ids) become a set of report ids before
anything is ranked: Chroma searches only those reports' vectors, BM25 masks every other chunk.
When the caller gives no filter, the query's own words are used: a body it names (full name,
an alias the reports use, the name without its region prefix, 「文化街街道」 for
「…文化街街道办事处」), else a region it names, and a year it names when the index holds a report
of that year. Bodies are matched against the side store's report list (agency, aliases, region);
the names of a set of reports are collected once and kept while the set is unchanged, and a
question is scanned for them position by position (a dictionary look-up per name length), not
with one pattern per name.

Fusion is reciprocal rank fusion (RRF_K = 60) of the dense and BM25 rankings, each taken
`CANDIDATES` deep; "bm25" and "dense" modes return one ranking alone (score = BM25 score or
cosine similarity).

What it does not: answer the question (engine/prose.py picks sentences from the hits) or
write anything but a stale BM25 index.
"""
from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

RRF_K = 60
CANDIDATES = 50
MODES = ("hybrid", "bm25", "dense")

_GENERIC = {"人民政府办公室", "政府办公室", "政府办", "人民政府", "政府", "办公室", "街道办事处", "办事处", "街道",
            "人民政府办", "政府办事处", "委员会", "局", "管理局", "区政府办", "区政府办公室", "区人民政府办公室",
            "区人民政府", "区政府", "县政府", "市政府", "街道办"}
_REGION_SUFFIX_RE = re.compile(r"(?:省|自治区|市|州|盟|地区|区|县|旗)$")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class Hit:
    text: str
    score: float
    report: str
    report_id: int
    agency: str | None
    year: int | None
    region: str | None
    section: str
    lines: tuple[int, int]
    chunk_id: str = ""
    ranks: dict = field(default_factory=dict)  # {"dense": rank or None, "bm25": rank or None}, 1-based

    def to_json(self) -> dict:
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d


class Hits(list):
    """A list of Hit; `.filters` says which filters applied and where they came from."""
    filters: dict

    def __init__(self, items=(), filters=None):
        super().__init__(items)
        self.filters = filters or {}


# -- bodies and years named in a query ----------------------------------------------------
def _region_forms(region: str | None) -> set[str]:
    if not region:
        return set()
    parts = re.findall(r".+?(?:省|自治区|市|州|盟|地区|区|县|旗)", region)
    last = parts[-1] if parts else region
    forms = {region, last}
    core = _REGION_SUFFIX_RE.sub("", last)
    if len(core) >= 2:
        forms.add(core)
    return forms


def body_names(rep) -> set[str]:
    """Names a question may use for the body of report `rep` (a store.ReportInfo)."""
    names = {n for n in [rep.agency, *rep.aliases] if n and len(n) >= 3}
    prefixes = sorted(_region_forms(rep.region), key=len, reverse=True)
    for _ in range(2):  # strip the region, then shorten the suffix (and the other way round)
        for n in list(names):
            for pre in prefixes:
                if n.startswith(pre):
                    rest = n[len(pre):]
                    names.add(rest[1:] if rest[:1] in "省市区县旗" else rest)
            if n[:1] in "市区县":
                names.add(n[1:])
            for long, short in (("街道办事处", "街道"), ("街道办事处", "街道办"), ("办事处", ""),
                                ("人民政府办公室", "政府办"), ("人民政府", "政府"), ("委员会", "委")):
                if n.endswith(long) and len(n) > len(long):
                    names.add(n[:-len(long)] + short)
    return {n for n in names if len(n) >= 3 and n not in _GENERIC}


class _Names:
    """What `names_in_query` needs of one set of reports, built once: every body name with the
    reports it names (in the order the reports give them) and the name lengths there are, and
    each distinct region with its forms longest first and its reports."""

    def __init__(self, reports):
        self.body: dict[int, set[str]] = {}
        self.by_name: dict[str, set[int]] = {}
        regions: dict[str | None, tuple[list[str], list[int]]] = {}
        for r in reports:
            names = self.body[r.id] = body_names(r)
            for n in names:
                self.by_name.setdefault(n, set()).add(r.id)
            if r.region not in regions:
                regions[r.region] = (sorted(_region_forms(r.region), key=len, reverse=True), [])
            regions[r.region][1].append(r.id)
        self.rank = {n: i for i, n in enumerate(self.by_name)}
        self.lengths = sorted({len(n) for n in self.by_name})
        self.regions = [v for v in regions.values() if v[0]]
        self.n_reports = len(reports)


_NAMES: list = [None, None, None]  # [the reports list, its signature, _Names]
_NAMES_LOCK = threading.Lock()


def _signature(reports) -> tuple:
    return tuple((r.id, r.agency, r.region, tuple(r.aliases)) for r in reports)


def _names_of(reports) -> _Names:
    """The _Names of `reports`, kept while the same set of reports is asked about (the side
    store hands out one list until it changes; an equal list built anew is recognised too)."""
    with _NAMES_LOCK:
        ref, sig, names = _NAMES
        if ref is reports and names.n_reports == len(reports):
            return names
    new_sig = _signature(reports)
    if new_sig != sig:
        names = _Names(reports)
    with _NAMES_LOCK:
        _NAMES[:] = [reports, new_sig, names]
    return names


def names_in_query(query: str, reports) -> tuple[set[int], list[str], set[int], list[str]]:
    """(report ids of the bodies named, names matched, report ids of the regions named, regions matched).
    Longer names win where matches overlap; a name several bodies share names all of them."""
    nm = _names_of(reports)
    by_name = nm.by_name
    found = []  # (start, end, name, report ids)
    last_end: dict[str, int] = {}  # each name's matches do not overlap one another (as re.finditer's)
    for a in range(len(query)):
        for ln in nm.lengths:
            b = a + ln
            if b > len(query):
                break
            n = query[a:b]
            ids = by_name.get(n)
            if ids is not None and a >= last_end.get(n, 0):
                found.append((a, b, n, ids))
                last_end[n] = b
    # longest first; among equals, in the order the names were collected, then left to right
    found.sort(key=lambda x: (-(x[1] - x[0]), nm.rank[x[2]], x[0]))
    taken: list[tuple[int, int, int]] = []
    bodies: set[int] = set()
    matched: list[str] = []
    for a, b, n, ids in found:
        clash = [t for t in taken if a < t[1] and t[0] < b]
        if clash and any((b - a) < t[2] for t in clash):
            continue
        taken.append((a, b, b - a))
        bodies |= ids
        if n not in matched:
            matched.append(n)
    regions: set[int] = set()
    region_words: list[str] = []
    rest = query
    for n in matched:
        rest = rest.replace(n, " ")
    for forms, ids in nm.regions:
        for f in forms:
            if f in rest:
                regions.update(ids)
                if f not in region_words:
                    region_words.append(f)
                break
    return bodies, matched, regions, region_words


def resolve_filters(reports, query: str, agency=None, region=None, year=None, report_ids=None,
                    auto: bool = True) -> tuple[list[int] | None, dict, list[str]]:
    """(report ids allowed, or None for all; the filters applied, for display; the words of the
    query that name what the filters already select)."""
    applied: dict = {}
    ids = {r.id for r in reports}
    explicit = any(v not in (None, "", []) for v in (agency, region, year)) or report_ids is not None
    if report_ids is not None:
        ids &= {int(x) for x in report_ids}
        applied["report_ids"] = sorted(ids)
    if agency:
        a = agency.strip()
        body = _names_of(reports).body
        ids &= {r.id for r in reports if a in (r.agency or "") or any(a in x for x in r.aliases)
                or any(n in a for n in body[r.id])}
        applied["agency"] = a
    if region:
        ids &= {r.id for r in reports if region in (r.region or "")}
        applied["region"] = region
    if year:
        ids &= {r.id for r in reports if r.year == int(year)}
        applied["year"] = int(year)
    bodies, names, regions, region_words = names_in_query(query, reports) if auto or explicit else (set(), [], set(), [])
    if explicit:
        # the caller chose; the query's own names still go from the ranking words when they name
        # reports inside that choice
        words = names if bodies & ids else []
        if year and str(int(year)) in query:
            words = words + [str(int(year))]
        return sorted(ids), applied, words
    if not auto:
        return None, applied, []
    words: list[str] = []
    if bodies:
        ids &= bodies
        applied["agency"] = "、".join(names)
        words += names
    elif regions and len(regions) < len(reports):
        ids &= regions
        applied["region"] = "、".join(region_words)
        words += region_words
    for y in dict.fromkeys(int(m) for m in _YEAR_RE.findall(query)):
        with_year = {r.id for r in reports if r.year == y and r.id in ids}
        if with_year:
            ids = with_year
            applied["year"] = y
            words.append(str(y))
            break
    if not applied:
        return None, applied, []
    applied["from_query"] = True
    return sorted(ids), applied, words


def topic_query(query: str, matched: list[str]) -> str:
    """The query without the body, region and year words that became filters: once they
    filter, they carry no ranking information (and a chunk that happens to spell the body's
    name would win on the name alone)."""
    q = query
    for w in sorted(matched, key=len, reverse=True):
        q = re.sub(re.escape(w) + (r"\s*年度?" if w.isdigit() else ""), " ", q)
    q = re.sub(r"^\s*的", " ", q)
    q = re.sub(r"\s+", " ", q).strip()
    return q if len(re.sub(r"[\W的了吗呢]", "", q)) >= 2 else query


# -- fusion -------------------------------------------------------------------------------
def rrf(rankings: dict[str, list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = sum over rankings of 1 / (k + rank), rank from 1.
    Equal scores (ranks 1+2 against 2+1) go to the better keyword rank: on report prose BM25
    is the steadier of the two (see tests/test_retrieval.py)."""
    score: dict[str, float] = {}
    for ranking in rankings.values():
        for rank, cid in enumerate(ranking, 1):
            score[cid] = score.get(cid, 0.0) + 1.0 / (k + rank)
    kw = {cid: i for i, cid in enumerate(rankings.get("bm25", []))}
    return sorted(score.items(), key=lambda x: (-round(x[1], 12), kw.get(x[0], len(kw)), x[0]))


# -- open indexes, cached per process -------------------------------------------------------
_OPEN: dict[tuple, object] = {}
_OPEN_LOCK = threading.Lock()


def open_index(settings):
    """The NarrativeIndex for `settings`, kept open between searches (FileNotFoundError when
    the index was never built)."""
    from .index import NarrativeIndex
    key = (str(Path(settings.index).resolve()), settings.db_url, settings.embedding_backend, settings.embedding_model,
           settings.embedding_base_url, settings.chroma_url)
    with _OPEN_LOCK:
        nx = _OPEN.get(key)
        if nx is None or not nx.db.present():
            nx = _OPEN[key] = NarrativeIndex(settings, progress=False, create=False)
        else:
            nx.refresh()
        return nx


def close_all() -> None:
    with _OPEN_LOCK:
        for nx in _OPEN.values():
            nx.db.close()
        _OPEN.clear()


def search(query: str, settings, k: int = 5, agency: str | None = None, region: str | None = None,
           year: int | None = None, report_ids=None, mode: str = "hybrid", auto_filter: bool = True,
           index=None) -> Hits:
    """Ranked prose chunks for `query` (see the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"未知的检索方式：{mode}（可选 hybrid、bm25、dense）")
    nx = index if index is not None else open_index(settings)
    reports = nx.store.reports()
    allowed, applied, matched = resolve_filters(reports, query, agency, region, year, report_ids, auto_filter)
    if not query.strip() or allowed == [] or k <= 0:
        return Hits([], applied)
    # both retrievers rank on the topic words alone: the names that became filters are gone
    topic = topic_query(query, matched) if matched else query
    depth = max(CANDIDATES, k * 4)
    rankings: dict[str, list[str]] = {}
    scores: dict[str, dict[str, float]] = {}
    if mode in ("hybrid", "bm25"):
        got = nx.keyword(topic, depth, allowed)
        rankings["bm25"] = [c for c, _ in got]
        scores["bm25"] = dict(got)
    if mode in ("hybrid", "dense"):
        got = nx.dense(topic, depth, allowed)
        rankings["dense"] = [c for c, _ in got]
        scores["dense"] = dict(got)
    fused = rrf(rankings) if mode == "hybrid" else [(c, scores[mode][c]) for c in rankings[mode]]
    live = {r.id for r in reports}
    rows = nx.db.chunks([c for c, _ in fused[:depth]])
    out = Hits([], applied)
    for cid, sc in fused:
        row = rows.get(cid)
        if row is None or row.report_id not in live:
            continue  # a vector or BM25 entry whose chunk is gone
        ranks = {m: (rankings[m].index(cid) + 1 if cid in scores[m] else None) for m in rankings}
        out.append(Hit(row.text, round(float(sc), 6), row.report, row.report_id, row.agency, row.year, row.region,
                       row.section, (row.line_first, row.line_last), cid, ranks))
        if len(out) >= k:
            break
    return out
