"""The question engine: `ask(question, history=None) -> Answer`, the one entry point that the
CLI, the chat and the HTTP API call.

Flow: catalog of bodies (from the side store) -> understand (rules; the language model, when
configured, only where rules fail) -> table answer from the side store (execute.py) or prose
answer from retrieved passages (prose.py) -> Answer with citations. Says 「库中没有…」 rather
than guess, and asks which body when a name fits several.
"""
from __future__ import annotations

import re

import threading
import time

from ..answer import Answer
from ..settings import Settings
from .catalog import Catalog
from .aggregate import aggregate
from .execute import lookup, only_years_text, outcomes, several, share, share_each
from .understand import Query, understand

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
                chosen = {r.id for r in reps if r.agency == a or a in r.aliases or a in (r.agency or "")}
                # a body's other reports too, where its name differs between years (catalog.py)
                for b in get_catalog(store).bodies.values():
                    if any(rid in chosen for rid in b.checks_failed):
                        chosen.update(b.checks_failed)
                reps = [r for r in reps if r.id in chosen]
            if filters.get("region"):
                reps = [r for r in reps if filters["region"] in (r.region or "") or filters["region"] in (r.agency or "")]
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
    rules_note = query.year_note
    ans = answer_query(query, settings, store, catalog)
    if rules_note and ans.kind != "clarify" and set(query.years) >= {y for _, y in query.year_words}:
        ans.answer += f"（{rules_note}。）"  # which year 「去年」 was taken to be
    if ans.kind == "table" and isinstance(ans.value, (int, float)) and re.search(YES_NO, question) \
            and not re.search(r"多少|几|how many|超过|不到|以上|以下|[\d零一二两三四五六七八九十百千]+\s*[件个条项份]", question.lower()):
        # (not 「有十件吗」: a number asked about is checked by reading the answer, not by 有/没有)
        ans.answer = ("有。" if ans.value else "没有。") + ans.answer  # 「有没有被申请行政复议」: say it first
    elif ans.kind == "aggregate" and ans.debug.get("op") == "compare" and ans.table and re.search(YES_NO, question) \
            and not re.search(r"多少|几|how many|[\d零一二两三四五六七八九十百千]+\s*[件个条项份]", question.lower()):
        vals = [r.get("值") for r in ans.table]
        if vals and all(isinstance(v, (int, float)) for v in vals) and (all(vals) or not any(vals)):
            ans.answer = ("都有。" if all(vals) else "都没有。") + ans.answer  # 「文化街和城建局有没有收到申请」
    if query.name_note and ans.kind != "none":
        ans.answer += f"（{query.name_note}。）"  # a place name taken despite a wrong character
    if filters and ans.kind in ("none", "clarify"):
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


# A yes/no question about a count (「有没有」, 「收没收到」, 「有…吗」).
YES_NO = r"有没有|有无|是否有|(?P<v>[\u4e00-\u9fa5])没(?P=v)|有[^，。,？?]{0,14}吗[？?]?$"


def _rules_unsure(query: Query) -> bool:
    return query.prose and query.cell is None and not query.bodies and not query.ambiguous


def _bodies_text(bodies) -> str:
    names = sorted(b.agency for b in bodies)
    return "、".join(names[:8]) + (f"等{len(names)}个单位" if len(names) > 8 else "")


def answer_query(query: Query, settings: Settings, store, catalog: Catalog) -> Answer:
    q = query.question
    if query.unknown:
        return _unknown(query, catalog)
    if query.ambiguous:
        opts = [b.agency for b in query.ambiguous]
        return Answer(q, f"「{query.ambiguous_text}」可能指以下单位：{'、'.join(opts)}。请问您问的是哪一个？",
                      "clarify", options=opts, debug=query.describe())
    if query.op == "list_reports":
        return list_reports(query, catalog)
    if query.op == "checks":
        from .audit import audit
        return audit(query, store, catalog)
    if query.bodies and (query.op in ("lookup", "share", "outcomes") or query.prose) and len(query.years) == 1:
        for b in query.bodies:
            if query.years[0] not in b.reports:
                return Answer(q, f"库中没有{b.agency}{query.years[0]}年的报告；{only_years_text(b)}。", "none",
                              debug=query.describe())
    if query.cell is not None and not query.prose:
        if query.cells and query.op in ("lookup", "sum", "compare", "trend"):
            return several(query, store, catalog)  # 「部分公开和不予公开一共多少件」
        if query.op == "share" and len(query.bodies) == 1:
            return share(query, store, catalog)
        if query.op == "share_each":
            return share_each(query, store, catalog)  # 「各单位部分公开占比」
        if query.op == "outcomes" and len(query.bodies) == 1:
            return outcomes(query, store, catalog)
        if query.op in ("lookup", "share", "outcomes") and len(query.bodies) == 1:
            return lookup(query, store, catalog)
        if query.op == "lookup" and len(query.bodies) > 1:
            query.op = "compare"
        return aggregate(query, store, catalog)
    from .prose import answer_prose
    ids = None
    if query.bodies:
        ids = []
        for b in query.bodies:
            ys = [y for y in query.years if y in b.reports] or b.years[-1:]
            ids += [b.reports[y] for y in ys] or list(b.reports.values())[:1]
    elif query.years or query.regions:
        ids = [rid for rid, r in catalog.reports.items()
               if (not query.years or r.year in query.years)
               and (not query.regions or any(x in (r.region or "") or x in (r.agency or "") for x in query.regions))]
        if not ids:
            return Answer(q, "库中没有符合条件（年度/地区）的报告。", "none", debug=query.describe())
    elif len(catalog.reports) != len(store.reports()):
        ids = list(catalog.reports)  # a filter narrowed the catalog
    return answer_prose(query, settings, store, catalog, ids)


def _unknown(query: Query, catalog: Catalog) -> Answer:
    names = "、".join(query.unknown)
    text = f"库中没有{names}的报告。"
    if all(re.fullmatch(r"[A-Za-z -]+", u) for u in query.unknown):  # 「Hongqi District」: names are held in Chinese
        text = f"库中的单位名称都是中文，「{names}」对不上其中任何一个，请用中文名称提问。"
    for u in query.unknown:
        near = list({id(b): b for r in catalog.regions if u.startswith(r) for b in catalog.in_region(r)}.values())
        if near:
            text += f"{near[0].region}的报告有：{_bodies_text(near)}。"
            break
    else:
        text += f"库中现有：{_bodies_text(catalog.bodies.values())}。"
    return Answer(query.question, text, "none", debug=query.describe())


def list_reports(query: Query, catalog: Catalog) -> Answer:
    reps = [r for r in catalog.reports.values()
            if (not query.years or r.year in query.years)
            and (not query.regions or any(x in (r.region or "") for x in query.regions))]
    rows = [{"机关": r.agency, "地区": r.region, "年度": r.year, "报告": r.file_name,
             "勾稽": "通过" if not r.checks_failed else "有未通过"} for r in reps]
    names = "；".join(f"{r.agency}（{r.year}年，{r.file_name}）" for r in reps[:20])
    more = "等" if len(reps) > 20 else ""
    return Answer(query.question, f"库中共有{len(reps)}份报告：{names}{more}。", "aggregate", len(reps), table=rows,
                  debug=query.describe())


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
