"""The question engine: `ask(question, history=None) -> Answer`, the one entry point that the
CLI, the chat and the HTTP API call.

Flow: catalog of bodies (from the side store) -> understand (rules; the language model, when
configured, only where rules fail) -> table answer from the side store (execute.py) or prose
answer from retrieved passages (prose.py) -> Answer with citations. Says 「库中没有…」 rather
than guess, and asks which body when a name fits several.
"""
from __future__ import annotations

import threading
import time

from ..answer import Answer
from ..settings import Settings
from . import compose
from .catalog import Catalog, report_in_regions
from .scope import reports_of_body
from .ops import CAN_ASK, Facts, answer
from .plan import PlanError
from .understand import Query, finalize, understand

_lock = threading.Lock()
_stores: dict = {}


def get_store(settings: Settings):
    """One Store (and its engine) per database URL, reused across questions."""
    from ..store import Store
    with _lock:
        st = _stores.get(settings.db_url)
        if st is None:
            st = _stores[settings.db_url] = Store(settings.db_url, write_timeout=settings.write_timeout)
        return st


def get_catalog(store, filters: dict | None = None) -> Catalog:
    store.fresh()  # another process may have changed the index: then the store's cache is dropped
    key = ("catalog", tuple(sorted((filters or {}).items())))
    cat = store._cache.get(key)
    if cat is None:
        reps = store.reports()
        if filters:
            if filters.get("agency"):
                a = filters["agency"]
                chosen = {r.id for r in reps if r.agency == a or a in r.aliases or a in (r.agency or "")} \
                    or {r.id for r in reports_of_body(reps, a)}  # 「红旗区府办」: another standard form
                # a body's other reports too, where its name differs between years (catalog.py)
                for b in get_catalog(store).bodies.values():
                    if any(rid in chosen for rid in b.checks_failed):
                        chosen.update(b.checks_failed)
                reps = [r for r in reps if r.id in chosen]
            if filters.get("region"):
                reps = [r for r in reps if report_in_regions(r, [filters["region"]])]
            if filters.get("year"):
                reps = [r for r in reps if r.year == int(filters["year"])]
        cat = store._cache[key] = Catalog(reps)
    return cat


def conflict_notice(ans: Answer, store) -> str:
    """「……的报告有两个文件，数字不一致：本回答用的是 X（另有 Y）」 for each cited report that
    Store.reports() flags with conflicts; empty when none is."""
    notes, seen = [], set()
    for c in ans.citations:
        rid = c.report_id
        if rid is None or rid in seen:
            continue
        seen.add(rid)
        info = store.report(rid)
        if info is not None and info.conflicts:
            others = "、".join(o["file_name"] for o in info.conflicts)
            notes.append(f"{info.agency} {info.year}年的报告库中有 {len(info.conflicts) + 1} 个文件，表格数字不一致："
                         f"本回答用的是 {info.file_name}（另有 {others}）")
    return "；".join(notes)


def ask(question: str, history: list | None = None, settings: Settings | None = None,
        filters: dict | None = None, store=None, use_llm: bool | None = None) -> Answer:
    """Answer one question. `history`: earlier turns ([{"role": "user", "content": ...}, ...] or
    a list of earlier questions); `filters`: {agency, region, year} that the answer must respect."""
    t0 = time.perf_counter()
    settings = settings or Settings.load()
    question = (question or "").strip()
    if not question:
        return Answer(question, "请输入问题，例如：「红谷滩区政府办2023年部分公开了多少件申请？」", "none")
    store = store or get_store(settings)
    catalog = get_catalog(store, filters)
    if not catalog.reports:  # the same words in the chat, the API and the CLI: no command to run
        if filters and get_catalog(store).reports:
            said = "，".join(f"{name}{filters[k]}" for k, name in (("agency", "机关："), ("region", "地区："), ("year", "年度："))
                            if filters.get(k))
            return Answer(question, f"没有符合筛选条件的报告（{said}）。请放宽或清除筛选条件后再问。", "none")
        return Answer(question, "库中还没有报告。请先读入报告文件（上传或建立索引），再提问。", "none")
    query = understand(question, catalog, history)
    llm_on = (settings.llm_mode != "none") if use_llm is None else use_llm
    llm_notice = ""
    if llm_on:  # the model is asked only where the rules are unsure (llm/route.py decides)
        from ..llm import understand_with_llm
        query, llm_notice = understand_with_llm(question, catalog, history, settings, query, _rules_unsure(query))
    full = get_catalog(store) if filters else catalog
    try:
        plan = finalize(query, catalog, full if filters else None)
    except PlanError:
        plan = None
    if plan is None:
        ans = Answer(question, f"暂不支持这类问题。{CAN_ASK}。", "none")
    else:
        ans = answer(plan, Facts(store, catalog, settings, full, filters))
        ans = compose.notes(plan, ans)
    if filters and ans.kind in ("none", "clarify") and not (plan is not None and plan.outside):
        said = "，".join(f"{name}{filters[k]}" for k, name in (("agency", "机关："), ("region", "地区："), ("year", "年度："))
                        if filters.get(k))
        ans.answer += f"（当前只在筛选范围内回答：{said}）"
    if llm_on and ans.kind == "text":
        from ..llm import phrase_with_llm
        ans = phrase_with_llm(ans, settings, history)
    if llm_notice:
        ans.notice = "；".join(x for x in (llm_notice, ans.notice) if x)
    from .cite import attach_text_boxes
    attach_text_boxes(store, ans)  # PDFs: where the quoted prose is printed
    from .reading import reading_note
    reading = reading_note(ans, store)
    if reading:  # a cell the reader was not sure of, or read from a scan: said, never plain fact
        ans.answer = ans.answer.rstrip() + reading
    conflict = conflict_notice(ans, store)
    if conflict:  # two files of one body and year whose numbers differ: say which one answered
        ans.notice = "；".join(x for x in (ans.notice, conflict) if x)
    ans.debug["ms"] = round((time.perf_counter() - t0) * 1000, 2)
    return ans


def _rules_unsure(query: Query) -> bool:
    return query.prose and query.cell is None and not query.bodies and not query.ambiguous


def ask_stream(question: str, history: list | None = None, settings: Settings | None = None,
               filters: dict | None = None, store=None, use_llm: bool | None = None, on_answer=None):
    """Answer one question as a stream of text pieces, for a chat that shows tokens as they come.

    Contract (a generator; same arguments as `ask`):
    - it yields `str` pieces; with a language model (settings.llm_mode != "none", or use_llm=True)
      a model-written prose answer arrives token by token. Only verified text is yielded: a
      number or [n] marker is held back until it is complete and found in the cited passages.
    - without a model, or for table answers, it yields the whole answer text in one piece.
    - the final `Answer` (citations, value, notice) is the generator's return value
      (`ans = yield from ask_stream(...)`) and is also passed to `on_answer(ans)` before the
      generator ends (for st.write_stream, which discards the return value).
    - after the stream, show `ans.answer`: it is the text that stands. It differs from the
      streamed text only when the model's answer failed verification after part of it was shown;
      then the stream's last piece says so (「（…已改用原文摘录）」) followed by the extractive
      answer, and `ans.notice` gives the reason.
    """
    settings = settings or Settings.load()
    llm_on = (settings.llm_mode != "none") if use_llm is None else use_llm
    if llm_on:
        from ..llm.stream import stream_answer
        return (yield from stream_answer(ask, question, history, settings, filters, store, on_answer))
    ans = ask(question, history, settings, filters, store, use_llm=False)
    yield ans.answer
    if on_answer is not None:
        on_answer(ans)
    return ans
