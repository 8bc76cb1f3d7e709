"""Answer a question from the report prose: retrieve, then quote the sentence(s) that answer.

Candidates are the sentences of the reports in scope (passages.py). When the narrative index
is built, its hybrid search (dense + BM25, `qa_app.narrative.search`) ranks passages and the
sentences inside its hits get a bonus; without it (an index built with --no-narrative) the
sentences are ranked on their own. Ranking: character-bigram overlap with the question
weighted by rarity, the topic of the sentence's heading (问题, 改进, 平台 …; headings guide,
they are never quoted), and, when a number is asked for, a number with a unit.
The answer is extractive: the sentences as printed, each cited with its lines; a number
asked for (「发布各类信息994条」) is read from the sentence that states it.
A report whose prose vectors are still being computed (facts first: ReportInfo.prose_pending)
stays in scope through its stored text, and the answer says so (「…的正文仍在向量化…」):
found there, with a note that it was read by wording alone; not found, that only its table
numbers can be answered yet - never an answer from other reports that keeps quiet about it.
"""
from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

from ..answer import Answer, Citation
from ..tables import fold
from .cite import text_lines
from .labels import report_label
from .passages import LABEL, Sentence, fold1, report_sentences

GLUE = set("的了吗呢么是在和与及或")
STOP = set("的了吗呢么是在和与及或对从把被给为于以个些这那哪什怎如何多少几年度单位情况方面有没有请问一下都也还要将其")
QWORDS = (r"多少|什么|如何|怎么样|怎么|怎样|哪些|哪个|哪几|是否|有没有|有无|吗|呢|请问|一下|具体|主要|进行|开展|工作|"
          r"政府信息公开|政府信息|信息公开|报告|提到|写了|说了|采取了|采取|做了|做法|情况")
# Question words that reports phrase differently (the question's words -> the reports' words).
EXPANSIONS = (
    (r"安全", "保密 泄密 审核"), (r"收费|费用|fee|charge", "收取 费用 收费 处理费"),
    (r"website|网站", "网站 政府网站"), (r"wechat|微信|公众号", "微信 公众号"), (r"training|培训", "培训"),
    (r"problem|不足|短板|weakness|issue", "问题 不足"), (r"improve|改进|下一步|plan", "改进 下一步 整改"),
    (r"publish|发布", "发布 公开"), (r"information|信息", "信息"), (r"assessment|考核", "考核"),
    (r"platform|平台|渠道|channel", "平台 渠道"), (r"notice board|公开栏|公示栏", "公开栏 公示栏"),
    (r"applications?|requests?|依申请", "申请 依申请"), (r"interpret|解读", "解读"),
    (r"confidential|保密", "保密"), (r"open day|开放日", "开放日"),
)
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*()(%|％)")  # groups as NUM_UNIT's: number, -, unit
NUM_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(多)?\s*(条|件|个|次|篇|项|期|万元|元|场|人次|家|份|余条|余件)")
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


def query_terms(question: str, names: re.Pattern | None = None) -> tuple[list[str], list[str]]:
    """(terms, extra): Chinese bigrams of the question's content words (names, years, question
    words left out), and bigrams of the words reports use for them (EXPANSIONS)."""
    q = fold(question)
    if names is not None:
        q = names.sub(" ", q)
    q = re.sub(r"(19|20)\d{2}\s*年?度?|\d{2}年", " ", q)
    extra = " ".join(words for pat, words in EXPANSIONS if re.search(pat, q.lower()))
    q = re.sub(QWORDS, " ", q)
    q = re.sub(r"[A-Za-z]+", " ", q)
    def grams_of(text: str) -> list[str]:
        out = []
        for w in (w for w in re.split(r"[^\u4e00-\u9fa5]+", text) if w):
            grams = [g for g in _grams(w) if not (g[0] in STOP and g[1] in STOP) and not set(g) & GLUE]
            if len(w) == 1 and w not in STOP:
                grams = [w]
            for g in grams:
                if g not in out:
                    out.append(g)
        return out
    terms = grams_of(q)
    return terms, [w for w in dict.fromkeys(extra.split()) if w not in q]


def _without(question: str, names: list[str]) -> str:
    """The question with the names it wrote (「文化街街道」) taken out: they are not topic words."""
    q = re.sub(r"\s+", "", fold(question))
    for n in sorted(names, key=len, reverse=True):
        if n:
            q = q.replace(n, " ")
    return q


def sentences_of(store, report_id: int) -> list[Sentence]:
    key = ("sentences", report_id)
    got = store._cache.get(key)
    if got is None:
        got = report_sentences(report_id, store.text(report_id))
        for x in got:
            x.grams, x.head_grams = frozenset(_grams(fold1(x.text))), frozenset(_grams(fold1(x.heading)))
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


def score(sent: Sentence, terms: tuple[list[str], list[str]], idf: dict, query, bonus: float = 0.0) -> float:
    """Rank of one sentence for a question (higher is better)."""
    own, extra = terms
    g, hg = sent.grams, sent.head_grams  # headings guide: their words count, a little less
    text, head = sent.text, sent.heading
    lex = 0.0
    if own:
        lex = sum(idf.get(t, 1.0) * (1.0 if t in g else 0.6 if t in hg else 0.0) for t in own) \
            / sum(idf.get(t, 1.0) for t in own)
    if extra:  # the reports' words for the question's words count half (all of it when only they match)
        got = sum(idf.get(w, 1.0) * (1.0 if w in text else 0.6 if w in head else 0.0) for w in extra) \
            / sum(idf.get(w, 1.0) for w in extra)
        lex += (0.5 if own else 0.7) * got
    s = 2.0 * min(lex, 1.2) + bonus
    if query.topics and sent.topics & set(query.topics):
        s += 0.9
    elif sent.topics & {"problems", "improvements"} and not set(query.topics) & {"problems", "improvements"}:
        s -= 0.3  # a shortcoming or a plan does not say what was done
    if query.wants_number:
        nums = NUM_UNIT.findall(sent.text)
        if nums:
            s += 0.4
            unit = re.search(r"多少\s*(条|件|个|次|篇|项|期|场|家|份)|几\s*(条|件|个|次|篇|项|期|场|家|份)", query.prose_question)
            if unit and any(u == (unit.group(1) or unit.group(2)) or u.endswith(unit.group(1) or unit.group(2) or "")
                            for _, _, u in nums):
                s += 0.3
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
    for w in terms[1]:
        df[w] = sum(1 for s in pool if w in s.text)
    n = len(pool)
    idf = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in terms[0] + terms[1]}
    hit_bonus = {}
    for rank, h in enumerate(hits):
        lo, hi = (list(h.lines) + [0, 0])[:2]
        for s in sentences_of(store, h.report_id) if h.report_id in set(scope) else []:
            if s.lines[0] <= hi and s.lines[1] >= lo:
                hit_bonus[(s.report_id, s.order)] = max(hit_bonus.get((s.report_id, s.order), 0), 0.5 / (1 + rank))
    ranked = sorted(((score(s, terms, idf, query, hit_bonus.get((s.report_id, s.order), 0.0)), s) for s in pool),
                    key=lambda x: -x[0])
    if not ranked or ranked[0][0] < MIN_SCORE:
        return _pending_note(_nothing(query, terms, catalog, report_ids, how), pending, catalog, report_ids)
    per_report = _choose(ranked, query, store)
    return _pending_note(_compose(query, per_report, store, catalog, how, terms), pending, catalog, report_ids)


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
    for head in groups:
        chosen = [head]
        if not query.wants_number:
            sents = sentences_of(store, head.report_id)
            # a list answer starts at its first item (or the sentence that opens it)
            k = head.order
            while head.later_item and k > 0 and head.order - k < 4:
                k -= 1
                prev = sents[k]
                if prev.section != head.section or prev.topics != head.topics:
                    break
                if (prev.is_enum and not prev.later_item) or prev.opens_list or prev.announces:
                    head = prev
                    chosen = [head]
                    break
            listy = re.search(r"哪些|什么|如何|怎么|怎样|措施|问题|做法|what|how|which", query.prose_question.lower())
            i = head.order
            if listy and (head.announces or head.is_enum or head.opens_list):
                # the list the best sentence opens or starts: following items of the same part
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
            if head.announces and len(chosen) == 1 and i + 1 < len(sents) \
                    and sents[i + 1].section == head.section:
                chosen.append(sents[i + 1])
        out.append(chosen)
    return out


def _display(s: Sentence, wants_number: bool, terms: list[str]) -> str:
    t = re.sub(r"\s+", lambda m: " " if re.search(r"[A-Za-z0-9]", m.string[max(0, m.start() - 1):m.end() + 1]) else "",
               s.text.strip())
    lab = LABEL.match(fold1(t))
    if lab:
        t = t[lab.end():]
    if len(t) > 160:
        clauses = re.split(r"(?<=[，,；;：:])", t)
        if wants_number:
            best = max(range(len(clauses)), key=lambda k: (bool(NUM_UNIT.search(clauses[k])),
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
    return t


def _value(sents: list[Sentence], terms: list[str], question: str):
    """The number a 「多少」 question asks for, from the sentence that states it."""
    unit_m = re.search(r"多少\s*(条|件|个|次|篇|项|期|场|家|份)|几\s*(条|件|个|次|篇|项|期|场|家|份)", question)
    want_unit = (unit_m.group(1) or unit_m.group(2)) if unit_m else None
    if re.search(r"[率]|比例|占比|百分", question):
        want_unit = "%"  # a rate asked (「公开率」): only a percentage the report states answers it
    if want_unit == "%":
        # the rate named in the question, stated right after its name (「瞒报率为 0」, 「合格率均达到 100%」)
        for word in re.findall(r"[\u4e00-\u9fa5]{2}率", question):
            for s in sents:
                m = re.search(re.escape(word) + r"[^，。；;,\d%]{0,6}?(\d+(?:\.\d+)?)\s*(%|％)?", s.text)
                if m:
                    return float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    best, best_key = None, None
    pattern = PERCENT if want_unit == "%" else NUM_UNIT
    for s in sents:
        for m in pattern.finditer(s.text):
            before = s.text[max(0, m.start() - 14):m.start()]
            overlap = sum(1 for g in terms[0] if g in _grams(fold1(before)))
            key = (want_unit is None or m.group(3).endswith(want_unit), overlap, -m.start())
            if best_key is None or key > best_key:
                best, best_key = m.group(1), key
    if best is None:
        return None  # a count is not the rate asked for
    return float(best) if "." in best else int(best)


def _compose(query, per_report: list[list[Sentence]], store, catalog, how: str, terms) -> Answer:
    question = query.prose_question or query.question
    cits: list[Citation] = []
    parts = []
    for sents in per_report:
        rep = catalog.reports.get(sents[0].report_id)
        quoted = []
        for run in _runs(sents):
            a, b = run[0].lines[0], run[-1].lines[1]
            quote = "\n".join(l.rstrip() for l in text_lines(store, run[0].report_id, a, b) if l.strip())
            n = len(cits) + 1
            cits.append(Citation(n=n, report=rep.file_name if rep else str(run[0].report_id),
                                 agency=rep.agency if rep else None, year=rep.year if rep else None,
                                 section=" · ".join(x for x in (run[0].section, run[0].sub) if x) or "正文",
                                 quote=quote, lines=[a, b], report_id=run[0].report_id,
                                 checks_failed=rep.checks_failed if rep else 0))
            quoted.append(f"「{''.join(_display(s, query.wants_number, terms) for s in run)}」[{n}]")
        parts.append(f"据{report_label(rep)}：" + "".join(quoted))
    text = "；".join(parts)
    value = _value([s for g in per_report for s in g], terms, question) if query.wants_number else None
    debug = query.describe()
    debug["retrieval"] = how
    return Answer(query.question, text, "text", value, cits, debug=debug)


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
    debug = query.describe()
    debug["retrieval"] = how
    return Answer(query.question, f"{where}没有找到能回答这个问题的内容。可以换个说法，或问表格中的数字（如申请数量、办理结果）。",
                  "none", debug=debug)
