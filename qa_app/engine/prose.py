"""Answer a question from the report prose: retrieve passages, then quote the sentence(s) that answer.

Retrieval is the narrative index's hybrid search (dense + BM25) when it is built; without it
(an index built with --no-narrative) the paragraphs of the stored report text are scored by
keyword overlap. The answer is extractive: sentences as printed, each cited with its lines.
Numbers in prose (「发布各类信息994条」) are answered from the sentence that states them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..answer import Answer, Citation
from ..tables import fold

STOP = set("的了吗呢么是在和与及或对从把被给为于以个些这那哪什怎如何多少几年度单位情况方面有没有请问一下")
QWORDS = r"多少|什么|如何|怎么|怎样|哪些|哪个|是否|有没有|吗|呢|请问|一下|情况|方面|主要|进行|开展|工作|政府信息公开|政府信息|信息公开"


@dataclass
class Passage:
    report_id: int
    report: str
    agency: str | None
    year: int | None
    section: str
    text: str
    lines: tuple[int, int]
    score: float = 0.0


def keywords(question: str, names: list[str]) -> list[str]:
    q = fold(question)
    for n in sorted(names, key=len, reverse=True):
        q = q.replace(n, " ")
    q = re.sub(r"(19|20)\d{2}\s*年?|\d{2}年", " ", q)
    q = re.sub(QWORDS, " ", q)
    q = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]+", " ", q)
    return [w for w in q.split() if w and not all(ch in STOP for ch in w)]


def _grams(s: str) -> set[str]:
    s = re.sub(r"\s+", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)} | {ch for ch in s if ch not in STOP and re.match(r"[\u4e00-\u9fa5]", ch)}


def sentences(p: Passage) -> list[tuple[str, tuple[int, int]]]:
    """Sentences of a passage with their line spans (a sentence may wrap over lines)."""
    out = []
    lines = p.text.split("\n")
    buf, start = "", p.lines[0]
    for i, line in enumerate(lines):
        ln = p.lines[0] + i
        if not buf:
            start = ln
        if re.match(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])[^。]{0,30}$", line):
            if buf.strip():
                out.append((buf.strip(), (start, ln - 1)))
            out.append((line.strip(), (ln, ln)))
            buf = ""
            continue
        for piece in re.split(r"(?<=[。！？])", line):
            if not piece:
                continue
            if not buf:
                start = ln
            buf += piece
            if re.search(r"[。！？]$", piece):
                out.append((buf.strip(), (start, ln)))
                buf = ""
        if buf and (not line.strip() or i == len(lines) - 1):
            out.append((buf.strip(), (start, ln)))
            buf = ""
    if buf.strip():
        out.append((buf.strip(), (start, p.lines[0] + len(lines) - 1)))
    return [(s, span) for s, span in out if len(re.sub(r"\W", "", s)) >= 4]


def score_sentence(sent: str, kws: list[str], wants_number: bool) -> float:
    g = _grams(sent)
    s = 0.0
    for k in kws:
        kg = _grams(k)
        if not kg:
            continue
        if k in sent:
            s += 2.0 + len(k) * 0.3
        else:
            s += len(kg & g) / len(kg)
    if wants_number and re.search(r"\d", sent):
        s += 1.0
    if re.match(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）][^。]{0,12}$", sent) \
            or ("年度报告" in sent and not re.search(r"[，。,]", sent)):
        s -= 3.0  # a bare heading or the title
    return s


def fallback_passages(store, report_ids: list[int], catalog) -> list[Passage]:
    """Paragraphs of the stored texts (used when the narrative index was not built)."""
    out = []
    for rid in report_ids:
        rep = catalog.reports.get(rid)
        text = store.text(rid)
        lines = text.split("\n")
        spans = []
        start = None
        for i, l in enumerate(lines + [""]):
            if l.strip() and start is None:
                start = i
            elif not l.strip() and start is not None:
                spans.append((start, i - 1))
                start = None
        section = ""
        # split further at headings (一、 (一) 1.) so sections are tracked in texts without blank lines
        fine = []
        for a, b in spans:
            cut = a
            for i in range(a + 1, b + 1):
                if re.match(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])", lines[i]):
                    fine.append((cut, i - 1))
                    cut = i
            fine.append((cut, b))
        for a, b in fine:
            chunk = "\n".join(lines[a:b + 1])
            head = re.match(r"^\s*([一二三四五六七八九十]+、[^\n]{2,30})", chunk)
            if head:
                section = head.group(1).strip()
            if len(re.findall(r"\d", chunk)) > len(chunk) * 0.3:
                continue  # table soup
            out.append(Passage(rid, rep.file_name if rep else str(rid), rep.agency if rep else None,
                               rep.year if rep else None, section, chunk, (a + 1, b + 1)))
    return out


def retrieve(question: str, settings, store, catalog, report_ids: list[int] | None, k: int = 6) -> list[Passage]:
    try:
        from ..narrative import search as nsearch
        hits = nsearch(question, settings, k=k, report_ids=report_ids)
        return [Passage(h.report_id, h.report, h.agency, h.year, h.section, h.text, tuple(h.lines), h.score)
                for h in hits]
    except (ImportError, FileNotFoundError, LookupError):
        ids = report_ids if report_ids else list(catalog.reports)
        return fallback_passages(store, ids, catalog)


def answer_prose(query, settings, store, catalog, report_ids: list[int] | None, scope_note: str = "") -> Answer:
    names = [n for b in catalog.bodies.values() for n in b.names] + [b.region_short for b in catalog.bodies.values()]
    kws = keywords(query.question, [n for n in names if n])
    wants_number = bool(re.search(r"多少|几|数量|how many|how much", query.question))
    passages = retrieve(query.question, settings, store, catalog, report_ids)
    cands = []
    for rank, p in enumerate(passages):
        for sent, span in sentences(p):
            sc = score_sentence(sent, kws, wants_number) + (0.6 / (rank + 1))
            sc += sum(0.8 for k in kws if len(k) >= 2 and k in (p.section or ""))
            cands.append((sc, sent, span, p))
    cands.sort(key=lambda x: -x[0])
    if not cands or cands[0][0] < 1.2:
        what = "、".join(kws[:4]) or query.question
        return Answer(query.question, f"库中没有找到能回答这个问题的内容（{what}）。{scope_note}", "none",
                      debug=query.describe())
    best = cands[0]
    chosen = [best]
    # a second sentence from the same passage when it adds to the first
    for c in cands[1:4]:
        if c[3] is best[3] and c[0] >= best[0] * 0.75 and c[1] != best[1] and len(best[1]) < 120:
            chosen.append(c)
            break
    if re.search(r"(以下|如下|一些|几个|主要)(问题|方面|工作|措施|不足)[。:：]?$|[:：]$", best[1]):
        nxt = [c for c in cands if c[3] is best[3] and c[2][0] >= best[2][1] and c[1] != best[1]]
        nxt.sort(key=lambda c: c[2][0])
        if nxt and nxt[0] not in chosen:
            chosen.append(nxt[0])
    chosen.sort(key=lambda c: c[2][0])
    cits = []
    for i, (sc, sent, span, p) in enumerate(chosen):
        quote = "\n".join(store.lines(p.report_id, span[0], span[1])) or sent
        cits.append(Citation(n=i + 1, report=p.report, agency=p.agency, year=p.year, section=p.section or "正文",
                             quote=quote.strip(), lines=list(span), report_id=p.report_id,
                             checks_failed=catalog.reports[p.report_id].checks_failed if p.report_id in catalog.reports else 0))
    who = f"{chosen[0][3].agency or ''}{chosen[0][3].year or ''}年报告" if chosen[0][3].year else (chosen[0][3].agency or "报告")
    body = "".join(f"「{sent}」[{i + 1}]" for i, (sc, sent, span, p) in enumerate(chosen))
    text = f"据{who}：{body}{scope_note}"
    value = None
    if wants_number:
        nums = re.findall(r"(\d+(?:\.\d+)?)\s*(?:多)?(条|件|个|次|篇|项|万元|元)", chosen[0][1])
        if len(nums) == 1:
            v = nums[0][0]
            value = float(v) if "." in v else int(v)
    return Answer(query.question, text, "text", value, cits, debug=query.describe())
