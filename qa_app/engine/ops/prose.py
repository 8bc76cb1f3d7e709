"""Op prose: a question answered from the reports' text (engine/prose.py retrieves and quotes);
the reports read come from scope.prose_reports. A rate asked (「办结率」) is answered by the
sentence of those reports that states it (the rate word, or its subject's share 「好评数占…%」,
followed by a percentage), quoted and cited with that percentage as the value; when no sentence
states it, the answer says the rate is held neither by the tables nor by the text, never another
number."""
from __future__ import annotations

import re

from ...answer import Answer
from ..scope import prose_reports


def run(plan, facts):
    from ..prose import answer_prose
    ids, refusal = prose_reports(plan, facts.catalog)
    if refusal:
        return Answer(plan.question, refusal, "none", debug=plan.describe())
    if ids is None and facts.full_catalog is not None and len(facts.catalog.reports) != len(facts.full_catalog.reports):
        ids = list(facts.catalog.reports)  # a filter narrowed the catalog
    ans = answer_prose(plan, facts.settings, facts.store, facts.catalog, ids)
    if plan.rate_word and (ans.kind != "text" or not any(plan.rate_word in c.quote for c in ans.citations)):
        stated = stated_rate(plan, facts, ids)
        if stated is not None:
            return stated
        return Answer(plan.question, f"暂不支持回答「{plan.rate_word}」：报告的表格只有件数（收到、办理结果、结转），"
                      f"没有「{plan.rate_word}」这一项，所问报告的正文中也没有写明。可以问各项办理结果的件数或占比"
                      "（如「予以公开占比多少」）。", "none", debug=plan.describe())
    if plan.rate_word and ans.value is None:  # the rate as the quoted sentence states it
        m = next((m for c in ans.citations for rx in _rate_patterns(plan.rate_word) for m in [rx.search(c.quote)] if m), None)
        if m is not None:
            ans.value = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return ans


def _rate_patterns(word: str) -> list[re.Pattern]:
    """「合格率」 stated as 「合格率达100%」, or its subject's share 「好评数占评价总数99.58%」."""
    stem = re.escape(word[:-1])
    pct = r"[^。；;%]{0,12}?(\d+(?:\.\d+)?)\s*[%％]"
    return [re.compile(re.escape(word) + pct), re.compile(stem + r"[^。；;，,]{0,4}占" + pct)]


def stated_rate(plan, facts, ids) -> Answer | None:
    """The sentence of the reports read that states the rate asked, quoted; None when none does.
    Of several, the one sharing most words with the question."""
    from ..prose import _compose, _without, name_pattern, query_terms, sentences_of
    store, catalog = facts.store, facts.catalog
    pool = [s for rid in (ids if ids is not None else list(catalog.reports)) for s in sentences_of(store, rid)]
    terms = query_terms(_without(plan.prose_question or plan.question, list(plan.said)), name_pattern(catalog))
    words = terms[0] + terms[1]
    found = []
    for rx in _rate_patterns(plan.rate_word):
        found = [(sum(w in s.text for w in words), s, m) for s in pool for m in [rx.search(s.text)] if m]
        if found:
            break
    if not found:
        return None
    _, best, m = max(found, key=lambda x: x[0])
    ans = _compose(plan, [[best]], store, catalog, "lexical", terms)
    v = m.group(1)
    ans.value = float(v) if "." in v else int(v)  # the rate as the text states it, in percent
    return ans
