"""Run an understood table question against the side store and write the answer.

Lookups (one body, one cell), and aggregates over many reports: sum, max/min, ranking,
comparison of bodies, change between years, which bodies have a value above zero. Every number
in an answer comes from a fact record and is cited with the printed lines it came from; a sum
cites each cell summed. No model, no embeddings: this path imports neither.
"""
from __future__ import annotations

from ..answer import Answer, Citation
from .catalog import Body, Catalog
from .compose import (breakdown_text, cell_sentence, column_phrase, fmt, row_phrase, table_citation, unit)
from .understand import Query

MAX_CITED = 30


def _report_for(body: Body, years: list[int]) -> tuple[int | None, int | None, str]:
    """(report id, year, note) of the body's report for the asked year, or its latest."""
    if years:
        y = years[0]
        return body.reports.get(y), y, ""
    if not body.years:
        rid = next(iter(body.reports.values()), None)
        return rid, None, ""
    y = body.years[-1]
    note = f"（未指定年度，按最新的{y}年报告）" if len(body.years) > 1 else ""
    return body.reports[y], y, note


def only_years_text(body: Body) -> str:
    ys = "、".join(f"{y}年" for y in body.years) or "未标年度"
    return f"库中只有{body.agency}{ys}的报告"


def _cell_facts(store, report_ids, cell):
    rows = cell.rows
    recs = store.facts(report_ids, table=cell.table, row=rows)
    return recs


def _value_of(recs_for_report: list[dict], cell) -> tuple[object, list[dict], list[dict]]:
    """(value, cited facts, facts of the cited rows) for one report."""
    vals, cited, row_facts = [], [], []
    for row in cell.rows:
        f = next((r for r in recs_for_report if r["row"] == row and r["column"] == cell.column), None)
        if f is None:
            return "missing", [], []
        vals.append(f["value"])
        cited.append(f)
        row_facts.append([r for r in recs_for_report if r["row"] == row])
    if any(v is None for v in vals):
        return None, cited, row_facts
    return (sum(vals) if len(vals) > 1 else vals[0]), cited, row_facts


def _check_note(catalog: Catalog, report_ids) -> str:
    bad = [(rid, catalog.reports[rid]) for rid in report_ids if rid in catalog.reports and catalog.reports[rid].checks_failed]
    if not bad:
        return ""
    names = "、".join(f"{r.agency}{r.year}年" for _, r in bad[:3])
    return f"（注意：{names}报告有勾稽关系未通过，相关数字以报告原文为准，可用 qa-app check 查看）"


def _cite(store, catalog, facts_for_value: list[dict], row_facts: list[list[dict]], start: int) -> list[Citation]:
    cits = []
    for i, (f, rf) in enumerate(zip(facts_for_value, row_facts)):
        if f["derived"]:
            # a derived value cites the printed cells it sums: the sub-rows' lines
            rf = [f]
        cits.append(table_citation(start + i, store, rf or [f], f, catalog.reports[f["report_id"]].checks_failed
                                   if f["report_id"] in catalog.reports else 0))
    return cits


def lookup(query: Query, store, catalog: Catalog) -> Answer:
    body = query.bodies[0]
    cell = query.cell
    rid, year, note = _report_for(body, query.years)
    if rid is None:
        return Answer(query.question, f"库中没有{body.agency}{year}年的报告；{only_years_text(body)}。", "none")
    recs = _cell_facts(store, [rid], cell)
    value, cited, row_facts = _value_of(recs, cell)
    report = catalog.reports[rid]
    if value == "missing":
        what = row_phrase(cell.table, cell.row)
        return Answer(query.question, f"{body.agency}{year or ''}年的报告中没有读到「{what}」这一项的数字"
                      f"（该表格缺失或无法可靠读取）。", "none", debug=query.describe())
    cits = _cite(store, catalog, cited, row_facts, 1)
    marks = "".join(f"[{c.n}]" for c in cits)
    if value is None:
        text = (f"{body.agency}{year}年报告中「{row_phrase(cell.table, cell.row)}·{column_phrase(cell.table, cell.column)}」"
                f"一栏为空（报告未填写），不等于0{marks}。")
        return Answer(query.question, text, "table", None, cits, debug=query.describe())
    bd = ""
    if cell.table == "applications" and not cell.column_named and cell.column == "total" and len(cell.rows) == 1:
        by_col = {f["column"]: f for f in recs if f["row"] == cell.row}
        bd = breakdown_text(by_col, cell.table, cell.row)
    text = cell_sentence(body.agency, year, cell.table, cell.row, cell.column, value, cell.column_named, bd)
    text += marks + note + "。" + _check_note(catalog, [rid])
    return Answer(query.question, text, "table", value, cits, debug=query.describe())


def _scope(query: Query, catalog: Catalog) -> tuple[list[int], str]:
    """Report ids an aggregate runs over, and a Chinese phrase for that scope."""
    bodies = query.bodies or [b for b in catalog.bodies.values()
                              if not query.regions or any(r in (b.region or "") for r in query.regions)]
    ids, years_used = [], set()
    for b in bodies:
        if query.years:
            for y in query.years:
                if y in b.reports:
                    ids.append(b.reports[y])
                    years_used.add(y)
        elif b.years:
            ids.append(b.reports[b.years[-1]])
            years_used.add(b.years[-1])
    where = "、".join(query.regions) + ("区" if query.regions and not query.regions[0].endswith(("区", "市", "县")) else "")
    yt = "、".join(f"{y}年" for y in sorted(years_used)) if query.years else "各单位最新年度"
    return ids, f"{yt}{where}"


def aggregate(query: Query, store, catalog: Catalog) -> Answer:
    cell = query.cell
    op = query.op
    if op == "change":
        return change(query, store, catalog)
    if op == "compare":
        return compare(query, store, catalog)
    ids, scope = _scope(query, catalog)
    if not ids:
        if query.years:
            ys = sorted({y for b in catalog.bodies.values() for y in b.years})
            return Answer(query.question, f"库中没有{'、'.join(map(str, query.years))}年的报告；库中报告的年度为"
                          f"{'、'.join(map(str, ys))}年。", "none", debug=query.describe())
        return Answer(query.question, "库中没有符合条件的报告。", "none", debug=query.describe())
    recs = _cell_facts(store, ids, cell)
    per = []
    for rid in ids:
        mine = [r for r in recs if r["report_id"] == rid]
        v, cited, rf = _value_of(mine, cell)
        if v == "missing":
            continue
        per.append((rid, v, cited, rf))
    what = row_phrase(cell.table, cell.row)
    colp = "" if cell.column in ("total", "decisions", "amount") else f"（{column_phrase(cell.table, cell.column)}）"
    u = unit(cell.table, cell.column)
    table_rows = [{"机关": catalog.reports[rid].agency, "年度": catalog.reports[rid].year, "值": v,
                   "报告": catalog.reports[rid].file_name} for rid, v, _, _ in per]
    known = [(rid, v, c, rf) for rid, v, c, rf in per if v is not None]
    blanks = len(per) - len(known)
    blank_note = f"另有{blanks}份报告该项为空。" if blanks else ""
    if not known:
        return Answer(query.question, f"{scope}的报告中，「{what}」一项都没有可用的数字。", "none", debug=query.describe())
    if op in ("max", "min", "rank", "positive"):
        ordered = sorted(known, key=lambda x: x[1], reverse=(op != "min"))
        if op == "positive":
            chosen = [x for x in ordered if x[1] and x[1] > 0]
            if not chosen:
                cits = []
                for rid, v, c, rf in ordered[:MAX_CITED]:
                    cits += _cite(store, catalog, c, rf, len(cits) + 1)
                marks = "".join(f"[{c.n}]" for c in cits)
                return Answer(query.question, f"{scope}的{len(known)}份报告中，没有单位的「{what}」{colp}大于0{marks}。",
                              "aggregate", 0, cits, table=table_rows, debug=query.describe())
        elif op == "rank":
            chosen = ordered[: query.limit or 10]
        else:
            best = ordered[0][1]
            chosen = [x for x in ordered if x[1] == best]
        cits = []
        for rid, v, c, rf in chosen[:MAX_CITED]:
            cits += _cite(store, catalog, c, rf, len(cits) + 1)
        parts = [f"{catalog.reports[rid].agency}（{catalog.reports[rid].year}年）{fmt(v)}{u}[{i + 1}]"
                 for i, (rid, v, _, _) in enumerate(chosen[:MAX_CITED])]
        if op in ("max", "min"):
            word = "最多" if op == "max" else "最少"
            if cell.table == "proactive" and cell.column == "amount":
                word = "最高" if op == "max" else "最低"
            head = f"{scope}的{len(known)}份报告中，「{what}」{colp}{word}的是"
            tie = "（并列）" if len(chosen) > 1 else ""
            text = head + "、".join(parts) + tie + "。"
            value = chosen[0][1]
        elif op == "rank":
            text = f"{scope}「{what}」{colp}排名（共{len(known)}份报告）：" + "；".join(
                f"{i + 1}. {p}" for i, p in enumerate(parts)) + "。"
            value = None
        else:
            text = f"{scope}「{what}」{colp}大于0的有{len(chosen)}家：" + "、".join(parts) + "。"
            value = len(chosen)
        text += blank_note + _check_note(catalog, [x[0] for x in chosen])
        return Answer(query.question, text, "aggregate", value, cits, table=table_rows, debug=query.describe())
    # sum
    total = sum(v for _, v, _, _ in known)
    cited_set = known if len(known) <= MAX_CITED else [x for x in known if x[1]][:MAX_CITED]
    cits = []
    for rid, v, c, rf in cited_set:
        cits += _cite(store, catalog, c, rf, len(cits) + 1)
    nonzero = [(rid, v) for rid, v, _, _ in known if v]
    idx = {rid: i for i, (rid, *_rest) in enumerate(cited_set)}
    detail = "、".join(f"{catalog.reports[rid].agency}{fmt(v)}{u}[{idx[rid] + 1}]" for rid, v in nonzero[:8] if rid in idx)
    zeros = len(known) - len(nonzero)
    zero_marks = "".join(f"[{idx[rid] + 1}]" for rid, v, _, _ in known if not v and rid in idx)
    text = f"{scope}共{len(known)}份报告，「{what}」{colp}合计{fmt(total)}{u}"
    if detail:
        text += f"：{detail}"
        if len(nonzero) > 8:
            text += f"等{len(nonzero)}家"
    if zeros:
        text += f"；其余{zeros}份为0{zero_marks}"
    text += "。" + blank_note + _check_note(catalog, [x[0] for x in known])
    return Answer(query.question, text, "aggregate", total, cits, table=table_rows, debug=query.describe())


def compare(query: Query, store, catalog: Catalog) -> Answer:
    cell = query.cell
    rows, cits, parts = [], [], []
    for b in query.bodies[:6]:
        rid, year, _ = _report_for(b, query.years)
        if rid is None:
            parts.append(f"{only_years_text(b)}，没有{query.years[0]}年的数字")
            continue
        v, cited, rf = _value_of(_cell_facts(store, [rid], cell), cell)
        if v == "missing":
            parts.append(f"{b.agency}{year}年的报告中没有读到这一项")
            continue
        new = _cite(store, catalog, cited, rf, len(cits) + 1)
        cits += new
        parts.append(f"{b.agency}{year}年{fmt(v)}{unit(cell.table, cell.column)}" + "".join(f"[{c.n}]" for c in new))
        rows.append((b, year, v))
    what = row_phrase(cell.table, cell.row)
    text = f"「{what}」对比：" + "；".join(parts) + "。"
    value = None
    if len(rows) == 2 and all(isinstance(r[2], (int, float)) for r in rows):
        (b1, _, v1), (b2, _, v2) = rows
        diff = v1 - v2
        if diff:
            more, less = (b1, b2) if diff > 0 else (b2, b1)
            text += f"{more.agency}比{less.agency}多{fmt(abs(diff))}{unit(cell.table, cell.column)}。"
        else:
            text += "两者相同。"
        value = diff
    text += _check_note(catalog, [c.report_id for c in cits])
    return Answer(query.question, text, "aggregate", value, cits,
                  table=[{"机关": b.agency, "年度": y, "值": v} for b, y, v in rows], debug=query.describe())


def change(query: Query, store, catalog: Catalog) -> Answer:
    cell = query.cell
    if not query.bodies:
        return aggregate_change_all(query, store, catalog)
    b = query.bodies[0]
    years = sorted(query.years) if len(query.years) >= 2 else (
        [query.years[0] - 1, query.years[0]] if query.years else b.years[-2:])
    if len(years) < 2 or any(y not in b.reports for y in years[:2]):
        missing = [y for y in years if y not in b.reports]
        return Answer(query.question, f"无法比较：{only_years_text(b)}" +
                      (f"，没有{'、'.join(map(str, missing))}年的报告" if missing else "") + "。", "none",
                      debug=query.describe())
    y1, y2 = years[0], years[-1]
    vals, cits = [], []
    for y in (y1, y2):
        v, cited, rf = _value_of(_cell_facts(store, [b.reports[y]], cell), cell)
        if v in ("missing", None):
            return Answer(query.question, f"{b.agency}{y}年报告中这一项没有可用的数字，无法比较。", "none")
        cits += _cite(store, catalog, cited, rf, len(cits) + 1)
        vals.append(v)
    d = vals[1] - vals[0]
    u = unit(cell.table, cell.column)
    trend = "增加" if d > 0 else "减少" if d < 0 else "持平"
    what = row_phrase(cell.table, cell.row)
    text = (f"{b.agency}「{what}」：{y1}年{fmt(vals[0])}{u}[1]，{y2}年{fmt(vals[1])}{u}[2]，"
            f"{trend}{'' if d == 0 else fmt(abs(d)) + u}。") + _check_note(catalog, [c.report_id for c in cits])
    return Answer(query.question, text, "aggregate", d, cits,
                  table=[{"机关": b.agency, "年度": y1, "值": vals[0]}, {"机关": b.agency, "年度": y2, "值": vals[1]}],
                  debug=query.describe())


def aggregate_change_all(query: Query, store, catalog: Catalog) -> Answer:
    q2 = Query(query.question, op="sum", years=query.years, regions=query.regions, cell=query.cell)
    return aggregate(q2, store, catalog)
