"""Op prose: a question answered from the reports' text (engine/prose.py retrieves and quotes);
the reports read come from scope.prose_reports. A rate asked (「办结率」) that no sentence of the
reports states (its name or stem, then the number: prose.states_rate) is said to be held neither
by the tables nor by the text, never answered with another number."""
from __future__ import annotations

from ...answer import Answer
from ..scope import prose_reports


def run(plan, facts):
    from ..prose import answer_prose, states_rate
    ids, refusal = prose_reports(plan, facts.catalog)
    if refusal:
        return Answer(plan.question, refusal, "none", debug=plan.describe())
    if ids is None and facts.full_catalog is not None and len(facts.catalog.reports) != len(facts.full_catalog.reports):
        ids = list(facts.catalog.reports)  # a filter narrowed the catalog
    ans = answer_prose(plan, facts.settings, facts.store, facts.catalog, ids)
    if plan.rate_word and (ans.kind != "text" or not any(states_rate(plan.rate_word, c.quote) for c in ans.citations)):
        return Answer(plan.question, f"暂不支持回答「{plan.rate_word}」：报告的表格只有件数（收到、办理结果、结转），"
                      f"没有「{plan.rate_word}」这一项，所问报告的正文中也没有写明。可以问各项办理结果的件数或占比"
                      "（如「予以公开占比多少」）。", "none", debug=plan.describe())
    return ans
