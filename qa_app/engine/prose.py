"""Answer a question from the report prose: retrieve, then quote the sentence(s) that answer.

Candidates are the sentences of the reports in scope (passages.py). When the narrative index
is built, its hybrid search (dense + BM25, `qa_app.narrative.search`) ranks passages and the
sentences inside its hits get a bonus; without it (an index built with --no-narrative) the
sentences are ranked on their own. Ranking: character-bigram overlap with the question
weighted by rarity (a bigram across two of the question's words counts only when the sentence
lacks both words), the reports' words for the question's words (prose_words.json: synonym
groups such as 网站~门户网站, app~客户端, 追责~责任追究, 按时~法定期限), the topic of the
sentence's heading (问题, 改进, 平台 …; a problems question is not answered from the plans
and the other way round; headings guide, they are never quoted), and, when a number is asked
for, a number printed in the unit the question counts in (几期 -> 期, 关注人数 -> 人) whose clause
says what is asked. A count question with a unit is refused (「…中没有找到…」) when no sentence
prints such a number, never answered with another number.
The answer is extractive: the sentences as printed, each cited with its lines; the number
asked for (「发布各类信息994条」, 「主动公开率达90.2%」) is read from the sentence that states it
and the quote is cut around it. `stated_change` quotes a change the report states against the
year before (「较去年回落12.3%」) for ops/change.py when that year's report is not in the library.
It does not compute any number, nor read tables.
A report whose prose vectors are still being computed (facts first: ReportInfo.prose_pending)
stays in scope through its stored text, and the answer says so (「…的正文仍在向量化…」):
found there, with a note that it was read by wording alone; not found, that only its table
numbers can be answered yet - never an answer from other reports that keeps quiet about it.
"""
from __future__ import annotations

import importlib.util
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..answer import Answer, Citation
from ..tables import fold
from .cite import text_lines
from .labels import report_label
from .passages import LABEL, Sentence, fold1, report_sentences

GLUE = set("的了吗呢么是在和与及或")
STOP = set("的了吗呢么是在和与及或对从把被给为于以个些这那哪什怎如何多少几年度单位情况方面有没有请问一下都也还要将其")
QWORDS = (r"多少|什么|如何|怎么样|怎么|怎样|哪些|哪个|哪几|是否|有没有|有无|吗|呢|请问|一下|具体|主要|进行|开展|工作|"
          r"政府信息公开|政府信息|信息公开|报告|提到|写了|说了|采取了|采取|做了|做法|情况|一共|总共|共计|合计|累计|总计")
WORDS_PATH = Path(__file__).with_name("prose_words.json")


@lru_cache(maxsize=1)
def words() -> dict:
    """prose_words.json compiled: synonym groups, question expansions, counters (the unit a
    question counts in), unit families, the units a report prints after a count, change verbs,
    the words a sentence states a cause with."""
    d = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    units = sorted(dict.fromkeys(d["number_units"]), key=len, reverse=True)
    alts = "|".join(re.escape(u) for u in units if u not in ("%", "％"))
    return {
        "synonyms": [tuple(dict.fromkeys(w.lower() for w in g)) for g in d["synonyms"]],
        "expand": [(re.compile(pat), tuple(ws.split())) for pat, ws in d["expand"]],
        "counters": [(re.compile(pat), unit) for pat, unit in d["counters"]],
        "unit_family": {k: set(v) for k, v in d["unit_family"].items()},
        "change": tuple(sorted(d["change_words"], key=len, reverse=True)),
        "manner": tuple(d["manner"]),
        "reason": tuple(d["reason"]),
        "prose_units": tuple(d["prose_units"]),
        # a count as printed: 994条, 1016823 人, 7 期, 12场, 3940 元, 1,234件 (number, 多/余, unit)
        "unit_alts": alts,
        "counter_words": re.compile(r"(?:多少|几)\s*个?\s*(?:" + alts + ")"),
        "num_unit": re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(多|余)?\s*(" + alts + ")"),
    }


PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*()(%|％)")  # groups as NUM_UNIT's: number, -, unit
MIN_SCORE = 0.9


def _grams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]+", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def name_pattern(catalog) -> re.Pattern:
    """One pattern for every body and region name of the catalog (built once per catalog)."""
    pat = getattr(catalog, "_name_pattern", None)
    if pat is None:
        names = {n for b in catalog.bodies.values() for n in b.names if n} | \
                {b.region_short for b in catalog.bodies.values() if b.region_short} | set(catalog.regions)
        alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pat = re.compile(f"(?:{alts})[省市区县]?" if alts else r"(?!x)x")
        catalog._name_pattern = pat
    return pat


def query_terms(question: str, names: re.Pattern | None = None) -> tuple[list[str], list[tuple[str, ...]]]:
    """(terms, groups): Chinese bigrams of the question's content words (names, years, question
    words left out), and groups of the words reports use for them (prose_words.json: a synonym
    group the question writes a word of, an expansion its words call for). A group matches a
    sentence that holds any one of its words."""
    q = fold(question)
    if names is not None:
        q = names.sub(" ", q)
    q = re.sub(r"(19|20)\d{2}\s*年?度?|\d{2}年", " ", q)
    ql = q.lower()
    groups: list[tuple[str, ...]] = []
    for pat, ws in words()["expand"]:
        if pat.search(ql):
            groups.append(tuple(w.lower() for w in ws))
    said: list[tuple[list[str], tuple[str, ...]]] = []  # (the question's words of a synonym group, group)
    for g in words()["synonyms"]:
        if any(w in ql for w in g):
            groups.append(g)
            said.append(([w for w in g if w in ql and re.search(r"[\u4e00-\u9fa5]", w)], g))
    q = words()["counter_words"].sub(" ", q)  # 「多少条」, 「几期」: the unit is asked (wanted_units), no topic
    q = re.sub(QWORDS, " ", q)
    q = re.sub(r"[A-Za-z]+", " ", q)
    bridges: dict[str, tuple[str, str]] = {}
    def grams_of(text: str) -> list[str]:
        out = []
        for w in (w for w in re.split(r"[^\u4e00-\u9fa5]+", text) if w):
            seq = [w[i:i + 2] for i in range(len(w) - 1)]
            keep = [g for g in seq if not (g[0] in STOP and g[1] in STOP) and not set(g) & GLUE]
            grams = [w] if len(w) == 1 and w not in STOP else keep
            for i, g in enumerate(seq):
                if 0 < i < len(seq) - 1 and g in keep and seq[i - 1] in keep and seq[i + 1] in keep:
                    bridges.setdefault(g, (seq[i - 1], seq[i + 1]))
            for g in grams:
                if g not in out:
                    out.append(g)
        return out
    terms = grams_of(q)
    out: list[tuple[str, ...]] = []
    for g in groups:  # the words the question does not write itself (its Latin words are no terms)
        rest = tuple(w for w in g if w not in ql or not re.search(r"[\u4e00-\u9fa5]", w))
        if not rest:
            continue
        for k, o in enumerate(out):
            if set(o) & set(rest):  # groups sharing a word are one group
                out[k] = tuple(dict.fromkeys(o + rest))
                break
        else:
            out.append(rest)
    covers: dict[str, tuple[str, ...]] = {}
    for ws, g in said:
        grp = next((o for o in out if set(o) & set(g)), None)
        for w in ws if grp else ():
            for gram in _grams(w):
                covers.setdefault(gram, grp)
    return Terms(terms, out, bridges, covers)


class Terms(tuple):
    """(bigrams, groups) of a question; its bridges: a bigram across two words of the question
    (「平台公开」 -> 台公) with the bigrams either side of it (平台, 公开); and covers: a bigram of
    a word the question writes of a synonym group (「官网」) -> the group's other words."""
    def __new__(cls, own, groups, bridges=None, covers=None):
        t = super().__new__(cls, (own, groups))
        t.bridges = bridges or {}
        t.covers = covers or {}
        return t


def _without(question: str, names: list[str]) -> str:
    """The question with the names it wrote (「文化街街道」) taken out: they are not topic words."""
    q = re.sub(r"\s+", "", fold(question))
    for n in sorted(names, key=len, reverse=True):
        if n:  # with the rest of a place or body word the name stopped short of (淮安|市, 政府办|公厅)
            q = re.sub(re.escape(n) + r"[省市区县]?(?:公厅|公室|事处|员会)?", " ", q)
    return q


def sentences_of(store, report_id: int) -> list[Sentence]:
    key = ("sentences", report_id)
    got = store._cache.get(key)
    if got is None:
        got = report_sentences(report_id, store.text(report_id))
        for x in got:
            x.grams, x.head_grams = frozenset(_grams(fold1(x.text))), frozenset(_grams(fold1(x.heading)))
            x.low, x.head_low = fold1(x.text).lower(), fold1(x.heading).lower()
        store._cache[key] = got
    return got


def doc_freq(store, scope: list[int], pool: list[Sentence]) -> dict[str, int]:
    """In how many sentences of the scope each bigram occurs (cached per scope)."""
    key = ("df", tuple(scope))
    df = store._cache.get(key)
    if df is None:
        df = {}
        for x in pool:
            for g in x.grams:
                df[g] = df.get(g, 0) + 1
        store._cache[key] = df
    return df


def narrative_hits(question: str, settings, report_ids, k: int) -> tuple[list, str]:
    """(hits, note) from the narrative index's hybrid search, or ([], why not)."""
    if importlib.util.find_spec("qa_app.narrative") is None:
        return [], "no narrative module"
    if not settings.chroma_url and not (Path(settings.index) / "narrative.sqlite").exists():
        return [], "narrative index not built"  # (qa-app index --no-narrative): skip the imports
    try:
        from .. import narrative
        return list(narrative.search(question, settings, k=k, report_ids=report_ids)), "narrative"
    except Exception as e:  # the prose answer still works from the stored text
        return [], f"narrative search failed: {type(e).__name__}: {e}"


def asks_manner(question: str) -> bool:
    """Does the question ask how something was done (按时, 及时, 逾期: prose_words.json manner)?"""
    q = fold(question)
    return any(w in q for w in words()["manner"])


def asks_reason(question: str) -> bool:
    """Does the question ask why (lexicon ASKS_REASON: 为什么, 原因, 理由)?"""
    from .lexicon import lexicon
    return lexicon().has("ASKS_REASON", fold(question).lower())


def counts_in_prose_unit(question: str) -> bool:
    """Does the question count in a unit no table of the template counts in (「几期」, 「几场」,
    「多少篇」: prose_words.json prose_units)? Then the text answers it, not a table cell."""
    return counted_unit(question) in words()["prose_units"]


def _counter(question: str):
    """(unit, the counter's match) of the first counter of prose_words.json the question holds."""
    q = fold(question)
    for pat, unit in words()["counters"]:
        m = pat.search(q)
        if m:
            return (m.group(1) if unit == "$1" else unit), m
    return None, None


def counted_unit(question: str) -> str | None:
    """The unit the question counts in, as it says it (「几期」 -> 期, 「关注人数」 -> 人)."""
    return _counter(question)[0]


@dataclass(frozen=True)
class Count:
    """What a number question asks for: the units its number may print (「几期」 -> {期}; {"%"}
    for a rate), the noun it counts when written after the counter (「几次培训」 -> 培训), and a
    measure word a number may follow with no unit (「粉丝数54373」 for 「粉丝多少」)."""
    units: frozenset
    noun: str = ""
    measure: str = ""


def count_asked(question: str) -> Count | None:
    q = fold(question)
    if re.search(r"率|比例|占比|百分", q):
        return Count(frozenset({"%"}))
    unit, m = _counter(q)
    if unit is None:
        return None
    measure = "" if "$1" in m.re.pattern or not re.fullmatch(r"[\u4e00-\u9fa5]{2,}", m.group(0)) \
        or re.search(r"多少|几", m.group(0)) else m.group(0)
    after = re.match(r"\s*[万千百]?\s*个?\s*(?:" + words()["unit_alts"] + r")?\s*的?([\u4e00-\u9fa5]{2,})",
                     q[m.end():]) if re.search(r"多少|几", m.group(0)) else None
    noun = re.sub(r"[呢吗啊呀了]+$", "", after.group(1)) if after else ""
    return Count(frozenset(words()["unit_family"].get(unit, {unit})), noun if len(noun) >= 2 else "", measure)


def wanted_units(question: str) -> set[str] | None:
    """The units a number must be printed with to answer the question: {"%"} for a rate or a
    share, the unit the question counts in (「几期」 -> 期, 「关注人数」 -> 人 and its kin,
    prose_words.json counters), None when the question names none."""
    c = count_asked(question)
    return None if c is None else set(c.units)


def numbers(text: str) -> list[tuple[str, str, int, int]]:
    """Every count or percentage the text prints: (number as printed, unit, start, end)."""
    out = [(m.group(1), m.group(3), m.start(), m.end()) for m in words()["num_unit"].finditer(text)]
    out += [(m.group(1), "%", m.start(), m.end()) for m in PERCENT.finditer(text)]
    return sorted(out, key=lambda x: x[2])


CLAUSE_END = "，,。；;：:！？!?"


def _around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The words of a number's clause before it, the rest of its part of the sentence before
    that clause (back to a 「；」 or 「。」), and the few words after it."""
    i = max(text.rfind(c, 0, start) for c in CLAUSE_END) + 1
    j = max(text.rfind(c, 0, start) for c in "。；;！？!?") + 1
    ends = [k for k in (text.find(c, end) for c in CLAUSE_END) if k >= 0]
    return text[i:start], text[j:i], text[end:min(ends + [len(text), end + 10])]


def _fit(text: str, start: int, end: int, terms, idf: dict, heading: str = "") -> float:
    """How much of the question the clause of a number says (0..1): its words before the
    number count fully, the clauses before it in its part of the sentence 0.6 (「视频号共制作…，
    粉丝数54373」), a few words after it and the sentence's heading half (「公开政府常务会议7期」,
    「994条信息」, 「（一）主动公开方面」)."""
    own, groups = terms
    before, part, after = _around(text, start, end)
    bg, pg, ag = _grams(fold1(before)), _grams(fold1(part)), _grams(fold1(after)) | _grams(fold1(heading))
    bl, pl, al = fold1(before).lower(), fold1(part).lower(), fold1(after).lower() + " " + fold1(heading).lower()
    total = sum(idf.get(t, 1.0) for t in own) + 0.5 * sum(idf.get(g, 1.0) for g in groups)
    if not total:
        return 0.0
    got = sum(idf.get(t, 1.0) * (1.0 if t in bg else 0.6 if t in pg else 0.5 if t in ag else 0.0) for t in own)
    got += 0.5 * sum(idf.get(g, 1.0) * (1.0 if any(w in bl for w in g) else 0.6 if any(w in pl for w in g)
                                        else 0.5 if any(w in al for w in g) else 0.0) for g in groups)
    return got / total


def _noun_ok(text: str, start: int, end: int, count: Count, heading: str = "") -> bool:
    """The noun a question counts (「几次培训」 -> 培训) stands in the number's part of the sentence
    or its heading (half its bigrams, or a word of its synonym group): 「全年组织 4 次…栏目检查」
    does not count trainings."""
    if not count.noun:
        return True
    before, part, _ = _around(text, start, end)
    ends = [k for k in (text.find(c, end) for c in CLAUSE_END) if k >= 0]
    after = text[end:min(ends + [len(text)])]  # the whole clause: 「4 次政府信息公开栏目全覆盖检查」
    ctx = fold1(part + before + after + " " + heading).lower()
    grams = _grams(count.noun)
    if grams and sum(1 for g in grams if g in ctx) * 2 >= len(grams):
        return True
    return any(w in ctx for g in words()["synonyms"] if any(x in count.noun for x in g) for w in g)


def candidates(text: str, count: Count, heading: str = "") -> list[tuple[str, str, int, int]]:
    """The numbers of a sentence that may answer a count: printed in a unit asked, or right
    after the measure word asked with none (「粉丝数54373」), with the noun counted around them."""
    nums = numbers(text)
    out = [x for x in nums if x[1] in count.units]
    if count.measure:
        for m in re.finditer(re.escape(count.measure) + r"[^，。；;,\d]{0,4}?(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])", text):
            if not any(a <= m.start(1) < b for _, _, a, b in nums):
                out.append((m.group(1), "", m.start(1), m.end(1)))
    return sorted((x for x in out if _noun_ok(text, x[2], x[3], count, heading)), key=lambda x: x[2])


def _rate_stems(question: str) -> list[str]:
    """The rates a question names (「主动公开率」 -> 公开率, 公开): the word, then its stem."""
    out = []
    for word in re.findall(r"[\u4e00-\u9fa5]{2}率", fold(question)):
        out += [word, word[:-1]]
    return out


def rate_at(text: str, stems: list[str]) -> tuple[str, int, int] | None:
    """(number, start, end) of the rate stated right after its name: 「主动公开率达90.2%」,
    「瞒报率为 0」, or after its stem with a percent sign 「好评数占评价总数99.58%」."""
    t = fold1(text)
    for stem in stems:
        pct = "" if stem.endswith("率") else r"(?=\s*[%％])"
        m = re.search(re.escape(stem) + r"[^，。；;,\d%]{0,8}?(?<![\d.])(\d+(?:\.\d+)?)" + pct, t)
        if m:
            return m.group(1), m.start(1), m.end(1)
    return None


def states_rate(rate_word: str, text: str) -> bool:
    """Does the text state the rate asked (its name or stem, then the number)?"""
    return rate_at(text, _rate_stems(rate_word) or [rate_word]) is not None


MIN_FIT = 0.15  # a number whose clause says less of the question than this does not answer it


def _counts(text: str, count: Count, terms, idf: dict, heading: str = "") -> bool:
    return any(_fit(text, a, b, terms, idf, heading) >= MIN_FIT for _, _, a, b in candidates(text, count, heading))


def pick_number(sents: list[Sentence], terms, idf: dict, question: str):
    """(value as printed, sentence, start, end) of the number the question asks for in the
    sentences, or None. The number must print the unit the question counts in (几期 -> 期);
    among those, the one whose clause says most of the question."""
    count = count_asked(question)
    if count is not None and count.units == {"%"}:
        stems = _rate_stems(question)
        for s in sents:
            got = rate_at(s.text, stems) if stems else None
            if got:
                return got[0], s, got[1], got[2]
    best, best_key = None, None
    for rank, s in enumerate(sents):
        cands = candidates(s.text, count, s.heading) if count else [x for x in numbers(s.text) if x[1] != "%"]
        for num, unit, a, b in cands:  # (with no unit asked, a count, not a rate)
            fit = _fit(s.text, a, b, terms, idf, s.heading)
            if count is not None and fit < MIN_FIT:
                continue
            # a number in the clause of the measure word asked (「累计观看量 303855 次」 for 观看量)
            # before one that only shares the unit (「直播 118 场」)
            measured = bool(count and count.measure and count.measure in _around(s.text, a, b)[0])
            key = (measured, round(fit, 3), -rank, -a)
            if best_key is None or key > best_key:
                best, best_key = (num, s, a, b), key
    return best


def to_number(printed: str):
    v = printed.replace(",", "")
    return float(v) if "." in v else int(v)


def _group_match(group: tuple[str, ...], low: str, head: str) -> float:
    """How well a sentence holds one of a group's words: its text 1, its heading 0.6, a word
    further down the group a little less (the data lists the closest words first)."""
    for k, w in enumerate(group):
        if w in low:
            return 1.0 - 0.04 * min(k, 5)
    return 0.6 if any(w in head for w in group) else 0.0


def score(sent: Sentence, terms, idf: dict, query, bonus: float = 0.0, count: Count | None = None) -> float:
    """Rank of one sentence for a question (higher is better)."""
    own, groups = terms
    g, hg = sent.grams, sent.head_grams  # headings guide: their words count, a little less
    low, head = sent.low or fold1(sent.text).lower(), sent.head_low or fold1(sent.heading).lower()
    lex = 0.0
    if own:
        bridges = getattr(terms, "bridges", {})
        # a bigram across two of the question's words counts only when the sentence does not
        # hold both words on their own (「通过微信公众号平台主动公开各类信息」 for 「平台公开信息」)
        counted = [t for t in own if t in g or not (t in bridges and bridges[t][0] in g and bridges[t][1] in g)]
        lex = sum(idf.get(t, 1.0) * (1.0 if t in g else 0.6 if t in hg else 0.0) for t in counted) \
            / sum(idf.get(t, 1.0) for t in counted)
    if groups:  # the reports' words for the question's words count half (more when only they match)
        got = sum(idf.get(x, 1.0) * _group_match(x, low, head) for x in groups) / sum(idf.get(x, 1.0) for x in groups)
        lex += (0.5 if own else 0.7) * got
    s = 2.0 * min(lex, 1.2) + bonus
    if query.topics and sent.topics & set(query.topics) and (lex > 0 or not (own or groups)):
        s += 0.9  # (a heading's topic alone, with none of the question's words, answers nothing)
    elif sent.topics & {"problems", "improvements"} and not set(query.topics) & {"problems", "improvements"}:
        s -= 0.3  # a shortcoming or a plan does not say what was done
    if set(query.topics) & {"problems", "improvements"} and sent.topics & {"problems", "improvements"} \
            and not sent.topics & set(query.topics):
        s -= 0.4  # a plan does not say what the problem is (nor a problem what is planned)
    if query.wants_number or count:
        if count is not None and count.units == {"%"}:
            stems = _rate_stems(query.prose_question or query.question)
            if stems and rate_at(sent.text, stems):
                s += 0.8
        else:
            cands = candidates(sent.text, count, sent.heading) if count else \
                [x for x in numbers(sent.text) if x[1] != "%"]
            if cands:
                s += 0.3 + (0.3 if count else 0.0) + 0.6 * max(_fit(sent.text, a, b, terms, idf, sent.heading)
                                                               for _, _, a, b in cands)
    if (sent.is_enum or sent.announces or sent.opens_list) and not sent.later_item \
            and re.search(r"哪些|什么|如何|怎么|措施|问题|what|how", query.prose_question.lower()):
        s += 0.1
    if len(re.sub(r"\W", "", sent.text)) < 10:
        s -= 0.2
    return s


def answer_prose(query, settings, store, catalog, report_ids: list[int] | None) -> Answer:
    question = query.prose_question or query.question
    terms = query_terms(_without(question, getattr(query, "said", [])), name_pattern(catalog))
    if not (terms[0] or terms[1] or query.topics):
        return Answer(query.question, "没有看懂要问的内容。请说明单位、年度和要问的事项，例如：「红谷滩区政府办2023年部分公开了多少件申请？」"
                      "「文化街街道办事处存在哪些问题？」。", "none", debug=query.describe())
    scope = list(report_ids) if report_ids is not None else list(catalog.reports)
    pending = [r for r in scope if getattr(catalog.reports.get(r), "prose_pending", False)]
    hits, how = narrative_hits(question, settings, report_ids, k=max(settings.top_k, 6))
    if hits and report_ids is None and len(scope) > 30:  # the hits' reports, and those search cannot see yet
        scope = list(dict.fromkeys([h.report_id for h in hits] + pending))
    pool = [s for rid in scope for s in sentences_of(store, rid)]
    if not pool:
        return _pending_note(_nothing(query, terms, catalog, report_ids, how), pending, catalog, report_ids)
    df = dict(doc_freq(store, scope, pool))
    for grp in terms[1]:
        df[grp] = sum(1 for s in pool if any(w in s.low for w in grp))
    n = len(pool)
    idf = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in terms[0] + terms[1]}
    # a number's clause is measured on the question's words, but a word printed nowhere in scope
    # whose synonym group is printed (「官网」 -> 政府网站) is measured by its group alone
    count = count_asked(question)
    # nor on the measure word asked (「粉丝」 in 「政务微博粉丝多少」: whose fans is what must match)
    measure = _grams(count.measure) if count is not None else set()
    covers = getattr(terms, "covers", {})
    held = Terms([t for t in terms[0] if t not in measure and (df.get(t, 0) or not df.get(covers.get(t), 0))],
                 [g for g in terms[1] if df.get(g, 0)], getattr(terms, "bridges", {}), covers)
    hit_bonus = {}
    for rank, h in enumerate(hits):
        lo, hi = (list(h.lines) + [0, 0])[:2]
        for s in sentences_of(store, h.report_id) if h.report_id in set(scope) else []:
            if s.lines[0] <= hi and s.lines[1] >= lo:
                hit_bonus[(s.report_id, s.order)] = max(hit_bonus.get((s.report_id, s.order), 0), 0.5 / (1 + rank))
    ranked = sorted(((score(s, terms, idf, query, hit_bonus.get((s.report_id, s.order), 0.0), count), s) for s in pool),
                    key=lambda x: -x[0])
    if count is not None and count.units != {"%"}:
        # a count asked in its unit (「几期」, 「多少人」): only a sentence printing a number in it,
        # in a clause that says something of what is asked, answers
        ranked = [(sc, s) for sc, s in ranked if _counts(s.text, count, held, idf, s.heading)]
    if asks_reason(question):
        # a reason asked (「为什么部分公开」): only a sentence that states a cause answers
        ranked = [(sc, s) for sc, s in ranked if any(w in s.text for w in words()["reason"])]
    named = list(dict.fromkeys(report_ids or [])) if len(getattr(query, "bodies", ()) or ()) > 1 else []
    if len(named) > 1:
        # several bodies named (「淮安市和洪泽区一共召开了几场…」): each one's report answers for
        # itself, and one that does not say so is named; no total is made of the text
        per_report, lacking = [], []
        for rid in named:
            mine = [(sc, s) for sc, s in ranked if s.report_id == rid]
            if mine and mine[0][0] >= MIN_SCORE:
                per_report += _choose(mine, query, store)
            else:
                lacking.append(rid)
        if not per_report:
            return _pending_note(_nothing(query, terms, catalog, report_ids, how), pending, catalog, report_ids)
        ans = _compose(query, per_report, store, catalog, how, held, idf)
        ans.value = None  # what one of several bodies' reports says is no answer for all of them
        if lacking:
            ans.answer += "；" + "、".join(report_label(catalog.reports.get(r)) for r in lacking) + "中没有找到相关内容"
        return ans
    if not ranked or ranked[0][0] < MIN_SCORE:
        return _pending_note(_nothing(query, terms, catalog, report_ids, how), pending, catalog, report_ids)
    per_report = _choose(ranked, query, store)
    return _pending_note(_compose(query, per_report, store, catalog, how, held, idf), pending, catalog, report_ids)


def _pending_note(ans: Answer, pending: list[int], catalog, report_ids) -> Answer:
    """`ans` told that reports in scope have no prose vectors yet (facts first)."""
    if not pending:
        return ans
    if report_ids is not None and len(pending) <= 3:
        who = "、".join(report_label(catalog.reports.get(r)) for r in pending)
    else:
        who = f"{len(pending)} 份报告"
    ans.debug["prose_pending"] = list(pending)
    if ans.kind == "none":
        ans.answer = f"{who}的正文仍在向量化，暂时只能回答表格数字；按原文字面也没有找到能回答这个问题的内容，请稍后再问。"
    else:
        ans.answer += f"\n（注意：{who}的正文仍在向量化，这次只按原文字面查找，可能不全；表格数字不受影响。）"
    return ans


def _choose(ranked, query, store) -> list[list[Sentence]]:
    """The sentences to quote, grouped by report: the best one, the list it opens or continues,
    and, for a question about several bodies, the best of up to three reports."""
    best_score, best = ranked[0]
    collective = not query.bodies and re.search(r"各单位|哪些单位|哪个单位|哪家|各部门|which (bodies|agencies)",
                                               query.question.lower())
    groups = [best]
    if collective:
        seen = {best.report_id}
        for sc, s in ranked[1:]:
            if s.report_id not in seen and sc >= 0.8 * best_score:
                groups.append(s)
                seen.add(s.report_id)
            if len(groups) == 3:
                break
    out = []
    listy = re.search(r"哪些|什么|如何|怎么|怎样|措施|问题|做法|what|how|which", query.prose_question.lower())
    for best in groups:
        chosen = [best]
        if not query.wants_number:
            sents = sentences_of(store, best.report_id)
            head = best
            # a list answer starts at its first item (or the sentence that opens it)
            k = head.order
            while head.later_item and k > 0 and head.order - k < 4:
                k -= 1
                prev = sents[k]
                if prev.section != head.section or prev.topics != head.topics:
                    break
                if _opener(prev):
                    head = prev
                    break
            chosen = _list_from(head, sents, listy)
            if listy and head is best and not _opener(best) and set(query.topics) & {"problems", "improvements"}:
                # the best sentence inside a list of problems or plans (an item's body): the list
                # from its opener, when the quote still holds the best sentence
                for k in range(best.order - 1, max(-1, best.order - 7), -1):
                    prev = sents[k]
                    if prev.section != best.section or prev.topics != best.topics:
                        break
                    if _opener(prev):
                        longer = _list_from(prev, sents, listy)
                        if best in longer:
                            chosen = longer
                        break
        out.append(chosen)
    return out


def _opener(s: Sentence) -> bool:
    """A sentence a list starts at: its first item, or one that opens or announces it."""
    return (s.is_enum and not s.later_item) or s.opens_list or s.announces


def _list_from(head: Sentence, sents: list[Sentence], listy) -> list[Sentence]:
    """The sentences quoted from `head`: the list it opens or starts (following items of the
    same part, up to 4 sentences / 260 characters), else it alone (and, when it announces,
    the sentence after it)."""
    chosen = [head]
    i = head.order
    if listy and (head.announces or head.is_enum or head.opens_list):
        j = i + 1
        while j < len(sents) and len(chosen) < 4 and sum(len(c.text) for c in chosen) < 260:
            nxt = sents[j]
            if nxt.section != head.section or nxt.topics != head.topics:
                break
            if nxt.is_enum or re.search(r"[；;]\s*[二三四五六七八九]是", nxt.text) or chosen[-1].announces \
                    or (chosen[-1].is_enum and len(chosen[-1].text) < 30):
                chosen.append(nxt)
                j += 1
            else:
                break
    if len(chosen) > 1 and chosen[-1].is_enum and len(chosen[-1].text) < 30:
        chosen.pop()  # a list item's title without its content
    if head.announces and len(chosen) == 1 and i + 1 < len(sents) and sents[i + 1].section == head.section:
        chosen.append(sents[i + 1])
    return chosen


def _latin_next_to(text: str, a: int, b: int) -> bool:
    """Is a run of spaces text[a:b] next to a Latin letter or a digit (kept: 「7 期」, 「APP 平台」)?
    The focus marks (\\x01, \\x02) are looked through."""
    i, j = a - 1, b
    while i >= 0 and text[i] in "\x01\x02":
        i -= 1
    while j < len(text) and text[j] in "\x01\x02":
        j += 1
    return bool(re.match(r"[A-Za-z0-9]", text[i] if i >= 0 else "")) or bool(re.match(r"[A-Za-z0-9]", text[j:j + 1]))


def _display(s: Sentence, wants_number: bool, terms, focus: tuple[int, int] | None = None) -> str:
    """The sentence as quoted: spaces of the PDF text closed up, a leading label dropped, and a
    long one cut to its clauses around `focus` (the number answered) or its opening."""
    raw = s.text.strip()
    lead = len(s.text) - len(s.text.lstrip())
    if focus is not None:
        fa, fb = focus[0] - lead, focus[1] - lead
        if 0 <= fa < fb <= len(raw):
            raw = raw[:fa] + "\x01" + raw[fa:fb] + "\x02" + raw[fb:]
    t = re.sub(r"\s+", lambda m: " " if _latin_next_to(m.string, m.start(), m.end()) else "", raw)
    lab = LABEL.match(fold1(t))
    if lab and "\x01" not in t[:lab.end()]:
        t = t[lab.end():]
    parts = re.split(r"(?<=[；;])", t)
    if "\x01" in t and len(parts) > 1 and len(t) > 80:
        # the part of the sentence that states the number (「“上海科技”视频号…，粉丝数54373」), not
        # the other parts' numbers
        k = next(i for i, x in enumerate(parts) if "\x01" in x)
        t = ("…" if k else "") + parts[k].rstrip("；;") + ("…" if k < len(parts) - 1 else "")
    if len(t) > 160:
        clauses = re.split(r"(?<=[，,；;：:])", t)
        if wants_number:
            hit = next((k for k, c in enumerate(clauses) if "\x01" in c), None)
            best = hit if hit is not None else \
                max(range(len(clauses)), key=lambda k: (bool(words()["num_unit"].search(clauses[k])),
                                                         sum(1 for g in terms[0] if g in _grams(fold1(clauses[k])))))
            lo, hi = max(0, best - 1), min(len(clauses), best + 2)
            t = ("…" if lo else "") + "".join(clauses[lo:hi]).rstrip("，,；;") + ("…" if hi < len(clauses) else "")
        else:
            acc = ""
            for c in clauses:
                if len(acc) + len(c) > 160:
                    break
                acc += c
            t = (acc or t[:160]).rstrip("，,；;：:") + "…"
    return t.replace("\x01", "").replace("\x02", "")


def _compose(query, per_report: list[list[Sentence]], store, catalog, how: str, terms, idf: dict | None = None) -> Answer:
    question = query.prose_question or query.question
    asks = bool(query.wants_number or count_asked(question))
    value = None
    cits: list[Citation] = []
    parts = []
    for sents in per_report:
        rep = catalog.reports.get(sents[0].report_id)
        picked = pick_number(sents, terms, idf or {}, question) if asks else None
        if picked is not None and len(per_report) == 1:
            value = to_number(picked[0])  # (the numbers of several reports are quoted, not added up)
        quoted = []
        for run in _runs(sents):
            n = len(cits) + 1
            cits.append(_citation(store, rep, run, n))
            shown = "".join(_display(s, query.wants_number or picked is not None, terms,
                                     (picked[2], picked[3]) if picked is not None and picked[1] is s else None)
                            for s in run)
            quoted.append(f"「{shown}」[{n}]")
        parts.append(f"据{report_label(rep)}：" + "".join(quoted))
    text = "；".join(parts)
    debug = query.describe()
    debug["retrieval"] = how
    return Answer(query.question, text, "text", value, cits, debug=debug)


def _citation(store, rep, run: list[Sentence], n: int) -> Citation:
    """Citation [n] of consecutive sentences of one report: their lines as printed."""
    a, b = run[0].lines[0], run[-1].lines[1]
    quote = "\n".join(l.rstrip() for l in text_lines(store, run[0].report_id, a, b) if l.strip())
    return Citation(n=n, report=rep.file_name if rep else str(run[0].report_id),
                    agency=rep.agency if rep else None, year=rep.year if rep else None,
                    section=" · ".join(x for x in (run[0].section, run[0].sub) if x) or "正文",
                    quote=quote, lines=[a, b], report_id=run[0].report_id,
                    checks_failed=rep.checks_failed if rep else 0)


DOWN = re.compile(r"下降|减少|降低|回落|下滑|少|减|降")


def stated_change(plan, store, catalog, report_id: int, base_year: int) -> Answer | None:
    """A change against the year before as the report's own text states it (「申请数量较去年回落
    12.3%」), for a change question whose earlier year is not in the library; None when no
    sentence states a change of what is asked. The value is the printed number, signed in the
    question's direction (negative when the report says the opposite)."""
    question = plan.prose_question or plan.question
    verbs = "|".join(re.escape(w) for w in words()["change"])
    # what changed (「受理申请」) is matched around the statement; the comparison words are the pattern's
    subject = re.sub(r"同比|相比|较|比|去年|上一?年度?|前一年|[增降涨跌减]幅|幅度|变化|变动|增减|" + verbs
                     + r"|了|多少|百分之几|百分比|几个?百分点",
                     " ", _without(question, list(getattr(plan, "said", []))))
    terms = query_terms(subject, name_pattern(catalog))
    pat = re.compile(r"(?:较|比|同比|与)(?:上一?年度?|去年|前一年|(?:19|20)\d{2}\s*年)?(?:同期)?(?:相比)?[^，。；;\d]{0,6}?"
                     r"(" + verbs + r")了?\s*(?:约|近|超过)?\s*(?<![\d.])(\d+(?:\.\d+)?)\s*(%|％|个百分点|件|条|个|次|项|人次|场|篇)")
    best = None
    for s in sentences_of(store, report_id):
        t = fold1(s.text)
        for m in pat.finditer(t):
            fit = _fit(t, m.start(), m.end(), terms, {})
            if fit >= 0.25 and (best is None or fit > best[0]):
                best = (fit, s, m)
    if best is None:
        return None
    _, sent, m = best
    rep = catalog.reports.get(report_id)
    said_down = bool(DOWN.search(m.group(1)))
    asked = re.search(r"增长|增加|上升|提高|提升|多了|增幅|涨幅|下降|减少|降低|回落|下滑|少了|降幅|跌幅|减幅", fold(question))
    asked_down = bool(asked and DOWN.search(asked.group(0)))
    value = to_number(m.group(2)) * (1 if said_down == asked_down or (not asked and not said_down) else -1)
    who = report_label(rep) if rep else ""
    opposite = f"报告写的是「{m.group(1)}」，不是「{asked.group(0)}」。" if asked and said_down != asked_down else ""
    text = (f"库中没有{rep.agency if rep else ''}{base_year}年的报告，无法用两年的表格计算；"
            f"据{who}正文：「{_display(sent, True, terms, (m.start(), m.end()))}」[1]{opposite}")
    debug = plan.describe()
    debug["retrieval"] = "stated change"
    return Answer(plan.question, text, "text", value, [_citation(store, rep, [sent], 1)], debug=debug)


def _runs(sents: list[Sentence]) -> list[list[Sentence]]:
    """Consecutive sentences (by order) merged into one citation."""
    runs: list[list[Sentence]] = []
    for s in sorted(sents, key=lambda s: s.order):
        if runs and runs[-1][-1].order + 1 == s.order:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def _nothing(query, terms, catalog, report_ids, how) -> Answer:
    where = ""
    if report_ids and len(report_ids) <= 3:
        where = "在" + "、".join(report_label(catalog.reports[r]) for r in report_ids if r in catalog.reports) + "中"
    where = where or "报告中"
    debug = query.describe()
    debug["retrieval"] = how
    count = count_asked(query.prose_question or query.question)
    what = f"写明「{count.noun}」数量的内容" if count is not None and count.noun and count.units != {"%"} \
        else "能回答这个问题的内容"
    return Answer(query.question, f"{where}没有找到{what}。可以换个说法，或问表格中的数字（如申请数量、办理结果）。",
                  "none", debug=debug)
