"""Aggregates over the side store: sums across bodies or years, the most / the least, rankings,
comparisons of bodies, change between years, which bodies have a value above zero, averages.

Each value taken into an aggregate is cited (cite.py), so the cited values add up to any sum
stated; a report whose 勾稽 checks fail is flagged. Reads fact records only: no model.
"""
from __future__ import annotations

import re

from ..answer import Answer, Citation
from .catalog import Body, Catalog, body_in_regions
from .cite import MISSING, cell_value, cite_cell, needed_rows, prefetch
from .compose import compress, fmt, unit, what_phrase, who
from .execute import check_note, marks
from .plan import Modifier
from .scope import UNKNOWN_BODY, only_years_text, place_name, report_for, resolve
from .understand import Query

MAX_CITED = 30   # bodies named in a ranking or a list of the most / the least
LISTED = 8       # summands named in the text of a sum (every summand is cited)


def _scope(query, catalog: Catalog) -> tuple[list[tuple[Body, int, int]], str, list[str]]:
    """scope.resolve as (targets, phrase, notes)."""
    sc = resolve(query, catalog)
    return list(sc.targets), sc.phrase, list(sc.notes)


def _label(body: Body, year, years_vary: bool, one_body: bool = False) -> str:
    if one_body:
        return f"{year}年"
    return f"{body.agency}（{year}年）" if years_vary else body.agency


def aggregate(query: Query, store, catalog: Catalog) -> Answer:
    if query.op == "trend":
        return trend(query, store, catalog)
    if query.op == "by_region":
        return by_region(query, store, catalog)
    if query.op == "compare":
        return compare(query, store, catalog)
    cell = query.cell
    items, scope, notes = _scope(query, catalog)
    q = query.question
    if not items:
        if query.years:
            ys = sorted({y for b in catalog.bodies.values() for y in b.years})
            return Answer(q, f"库中没有{'、'.join(f'{y}年' for y in query.years)}的报告；库中报告的年度为"
                          f"{'、'.join(f'{y}年' for y in ys)}。", "none", debug=query.describe())
        return Answer(q, "库中没有符合条件的报告。", "none", debug=query.describe())
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    u = unit(cell.table, cell.column)
    years_vary = len({y for _, y, _ in items}) > 1 and not (query.bodies and len(query.bodies) == 1)
    per = []
    prefetch(store, [rid for _, _, rid in items], cell.table, needed_rows(cell))
    for b, y, rid in items:
        cv = cell_value(store, rid, cell)
        if cv.value != MISSING:
            per.append((b, y, rid, cv))
    if not per:
        return Answer(q, f"{scope}的报告中都没有读到「{what}」这一项。", "none", debug=query.describe())
    known = [x for x in per if x[3].value is not None]
    blank = [x for x in per if x[3].value is None]
    table_rows = [{"机关": b.agency, "年度": y, "值": cv.value, "报告": catalog.reports[rid].file_name}
                  for b, y, rid, cv in per]
    cits: list[Citation] = []

    def cite(x) -> str:
        new = cite_cell(store, x[3], len(cits) + 1, catalog.reports[x[2]].checks_failed)
        cits.extend(new)
        return marks(new)

    blank_text = ""
    if blank:
        blank_text = "另有" + "、".join(_label(b, y, years_vary) + cite((b, y, rid, cv)) for b, y, rid, cv in blank[:5]) \
                     + "该项为空（报告未填写），未计入。"
    # what the scope could not count (reports without a recognised body or year) is said by every
    # branch below, the ranking ones as well as the sum
    blank_text = "".join(n + "。" for n in notes) + blank_text
    if not known:
        return Answer(q, f"{scope}的报告中「{what}」一项都为空。{blank_text}", "none", debug=query.describe())
    op = query.op
    if op in ("max", "min", "rank", "positive", "zero"):
        ordered = sorted(known, key=lambda x: x[3].value, reverse=(op != "min"))
        if op in ("positive", "zero"):
            t = query.threshold if op == "positive" and query.threshold is not None else 0
            incl = query.threshold_inclusive and op == "positive"
            if op == "zero":
                chosen, cond = [x for x in ordered if x[3].value == 0], "为零"
            else:
                below = getattr(query, "threshold_below", False) and query.threshold is not None
                if below:
                    chosen = [x for x in ordered if (x[3].value <= t if incl else x[3].value < t)]
                    cond = f"{'不超过' if incl else '少于'}{fmt(t)}{u}"
                else:
                    chosen = [x for x in ordered if (x[3].value >= t if incl else x[3].value > t)]
                    cond = "不为零" if query.threshold is None else f"{'不少于' if incl else '超过'}{fmt(t)}{u}"
            if not chosen:
                ms = "".join(cite(x) for x in ordered)
                text = f"{scope}中，没有单位的「{what}」{cond}{ms}。"
                return _done(q, text + blank_text, 0, cits, table_rows, query, store, catalog)
            parts = [f"{_label(b, y, years_vary)}{'' if op == 'zero' else fmt(cv.value) + u}{cite((b, y, rid, cv))}"
                     for b, y, rid, cv in chosen]
            text = f"{scope}中「{what}」{cond}的单位有{len(chosen)}家：" + "、".join(parts) + "。"
            return _done(q, text + blank_text, len(chosen), cits, table_rows, query, store, catalog)
        if op == "rank":
            ranked = sorted(known, key=lambda x: x[3].value, reverse=not query.ascending)
            chosen = ranked[: query.limit or MAX_CITED]
            parts = [f"{_label(b, y, years_vary)}{fmt(cv.value)}{u}{cite((b, y, rid, cv))}" for b, y, rid, cv in chosen]
            order = "从少到多" if query.ascending else "从多到少"
            nth = getattr(query, "nth", None)
            if nth and len(ranked) < nth:
                text = f"{scope}只有{len(ranked)}份报告填了「{what}」，没有第{nth}名：" + "、".join(parts) + "。"
                return _done(q, text + blank_text, None, cits, table_rows, query, store, catalog)
            if nth:
                b, y, rid, cv = ranked[nth - 1]
                tie = [x for x in ranked if x[3].value == cv.value]
                same = f"（与{'、'.join(_label(x[0], x[1], years_vary) for x in tie if x is not ranked[nth - 1])}并列）" \
                    if len(tie) > 1 else ""
                text = (f"{scope}「{what}」{'从少到多' if query.ascending else '从多到少'}排第{nth}的是"
                        f"{_label(b, y, years_vary)}，{fmt(cv.value)}{u}{same}。前{nth}名依次为：" + "、".join(parts) + "。")
                return _done(q, text + blank_text, cv.value, cits, table_rows, query, store, catalog)
            text = f"{scope}「{what}」{order}依次为：" + "、".join(parts) + "。"
            return _done(q, text + blank_text, None, cits, table_rows, query, store, catalog)
        best = ordered[0][3].value
        chosen = [x for x in ordered if x[3].value == best]
        word = ("最多" if op == "max" else "最少") if u == "件" else ("最高" if op == "max" else "最低")
        if len(chosen) == len(known) and len(known) > 1:
            ms = "".join(cite(x) for x in chosen[:MAX_CITED])
            text = f"{scope}中，各单位的「{what}」都是{fmt(best)}{u}，没有{word}的单位{ms}。"
            return _done(q, text + blank_text, best, cits, table_rows, query, store, catalog)
        tie = "并列" if len(chosen) > 1 else ""
        if tie:
            names = "、".join(_label(b, y, years_vary) + cite((b, y, rid, cv)) for b, y, rid, cv in chosen[:MAX_CITED])
            text = f"{scope}中，「{what}」并列{word}的是{names}，各{fmt(best)}{u}。"
        else:
            b, y, rid, cv = chosen[0]
            text = f"{scope}中，「{what}」{word}的是{_label(b, y, years_vary)}，{fmt(best)}{u}{cite(chosen[0])}。"
        return _done(q, text + blank_text, best, cits, table_rows, query, store, catalog)
    if len(per) == 1 and len(known) == 1 and op == "sum":
        # one report in the scope: said as a lookup (「红旗区信访局2022年行政诉讼0件」), not a sum of one
        from .execute import most_part, value_sentence
        b, y, rid, cv = known[0]
        cits = cite_cell(store, cv, 1, catalog.reports[rid].checks_failed)
        text = value_sentence(b.agency, y, cell, cv, cits) + "。"
        value = cv.value
        if (part := most_part(query.question, store, rid, cell, cv)) is not None:
            text, value = text + part[0], part[1]  # 「沭阳县不予公开里哪一类最多」
        if not query.bodies:
            text += f"（所问范围内只有{who(b.agency, y)}这一份报告。）"
        return _done(q, text + blank_text, value, cits, table_rows, query, store, catalog)
    total = sum(x[3].value for x in known)
    nonzero = sorted((x for x in known if x[3].value), key=lambda x: -x[3].value)
    zeros = [x for x in known if not x[3].value]
    one_body = len({b.agency for b, _, _, _ in known}) == 1
    shown = nonzero[:LISTED]
    detail = "、".join(f"{_label(b, y, years_vary or len(query.years) > 1, one_body)}{fmt(cv.value)}{u}"
                       f"{cite((b, y, rid, cv))}" for b, y, rid, cv in shown)
    text = (f"{scope}的{len(known)}份报告" if one_body else f"{scope}共{len(known)}份报告") + f"，「{what}」合计{fmt(total)}{u}"
    if detail:
        text += "：" + detail
    if len(nonzero) > LISTED:
        ms = "".join(cite(x) for x in nonzero[LISTED:])
        text += f"，另有{len(nonzero) - LISTED}份报告不为零{ms}"
    if zeros:
        zm = "".join(cite(x) for x in zeros)
        text += ("；其余均为0" if nonzero else "，各份均为0") + zm
    among = [x for x in known if x[0] in getattr(query, "among", ())]
    if among:  # 「…一共多少，其中信访局多少」: the part of the bodies asked, each cited above
        text += "；其中" + "、".join(f"{_label(b, y, years_vary)}{fmt(cv.value)}{u}" for b, y, rid, cv in among)
        total = sum(x[3].value for x in among)
    elif getattr(query, "among", ()):  # the part asked lies outside the total: said, no number for it
        text += "；所问的" + "、".join(b.agency for b in query.among) + "不在这一范围内"
        total = None
    text = compress(text) + "。" + blank_text
    return _done(q, text, total, cits, table_rows, query, store, catalog)


def _done(q, text, value, cits, table_rows, query, store, catalog) -> Answer:
    text = compress(text) + check_note(store, catalog, [c.report_id for c in cits])
    return Answer(q, text, "aggregate", value, cits, table=table_rows, debug=query.describe())


def finish(plan, text: str, value, cits, store, catalog) -> Answer:
    """An aggregate answer of an op module: markers compressed, the 勾稽 note, a row per value."""
    rows = [{"机关": c.agency, "年度": c.year, "值": c.value, "报告": c.report} for c in cits]
    return _done(plan.question, text, value, cits, rows, plan, store, catalog)


def by_region(query: Query, store, catalog: Catalog) -> Answer:
    """Sums per region (「红旗区和红谷滩区哪个区收到的申请多」), every summand cited."""
    from dataclasses import replace
    cell = query.cell
    items, scope, _ = _scope(replace(query, regions=[]), catalog)
    if query.regions:
        items = [x for x in items if x[0].region_short in query.regions
                 or any(r in (x[0].region or "") for r in query.regions)]
    if not items:
        return Answer(query.question, "库中没有符合条件的报告。", "none", debug=query.describe())
    prefetch(store, [rid for _, _, rid in items], cell.table, needed_rows(cell))
    groups: dict[str, list] = {}
    for b, y, rid in items:
        cv = cell_value(store, rid, cell)
        if cv.value not in (MISSING, None):
            key = b.region_short or b.region or "未识别地区"
            groups.setdefault(key, []).append((b, y, rid, cv))
    if not groups:
        return Answer(query.question, "所问范围内的报告中没有读到这一项。", "none", debug=query.describe())
    u = unit(cell.table, cell.column)
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    totals = {k: sum(x[3].value for x in v) for k, v in groups.items()}
    order = sorted(groups, key=lambda k: totals[k], reverse=not query.ascending)
    cits: list[Citation] = []
    parts, rows = [], []
    for k in order:
        name = place_name(k, catalog)
        seg = []
        for b, y, rid, cv in sorted(groups[k], key=lambda x: -x[3].value):
            new = cite_cell(store, cv, len(cits) + 1, catalog.reports[rid].checks_failed)
            cits += new
            seg.append(f"{b.agency}{fmt(cv.value)}{u}{marks(new)}")
            rows.append({"地区": name, "机关": b.agency, "年度": y, "值": cv.value})
        parts.append(f"{name}{fmt(totals[k])}{u}（{'、'.join(seg)}）")
    top = order[0]
    word = "最少" if query.ascending else "最多"
    when = "、".join(f"{y}年" for y in sorted(query.years))
    text = f"{when}按地区合计「{what}」{'' if when else '（各单位取最新年度报告）'}：" + "；".join(parts) + "。"
    which = re.search(r"哪|谁|最多|最少|更多|更少|多还是少|which|most|least", query.question.lower())
    if which and len(order) > 1 and totals[order[0]] != totals[order[1]]:
        text += f"{place_name(top, catalog)}{word}。"
    return _done(query.question, text, totals[top] if which else None, cits, rows, query, store, catalog)


def _years_of(b, years, cell, store, catalog, cits: list, rows: list) -> list[str]:
    """「2022年20件[1]」 for each year of one body, the citations and table rows appended."""
    u, out = unit(cell.table, cell.column), []
    for y in years:
        cv = cell_value(store, b.reports[y], cell)
        if cv.value == MISSING:
            out.append(f"{y}年报告中没有读到这一项")
            continue
        new = cite_cell(store, cv, len(cits) + 1, catalog.reports[b.reports[y]].checks_failed)
        cits += new
        out.append(f"{y}年{fmt(cv.value)}{u}{marks(new)}" if cv.value is not None else f"{y}年该项为空{marks(new)}")
        rows.append({"机关": b.agency, "年度": y, "值": cv.value})
    return out


def trend_all(query: Query, store, catalog: Catalog) -> Answer:
    """Every body (of the regions asked) in each of its years (「各单位历年新收申请」), by body."""
    cell = query.cell
    bodies = sorted((b for b in catalog.bodies.values() if b.years and not b.agency.startswith(UNKNOWN_BODY)
                     and body_in_regions(b, query.regions)),
                    key=lambda b: b.agency)
    if not bodies:
        return Answer(query.question, "所问范围内没有报告。", "none", debug=query.describe())
    cits, parts, rows = [], [], []
    for b in bodies:
        parts.append(f"{b.agency}：" + "、".join(_years_of(b, b.years, cell, store, catalog, cits, rows)))
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    where = "、".join(place_name(r, catalog) for r in query.regions)
    text = f"{where}各单位历年「{what}」（{len(bodies)}个单位，{len(rows)}份报告）：" + "；".join(parts) + "。"
    return _done(query.question, text, None, cits, rows, query, store, catalog)


def trend(query: Query, store, catalog: Catalog) -> Answer:
    """One body's value in each of its years (「红谷滩区政府办每年收到多少申请」); with no body named,
    every body's (trend_all)."""
    if not query.bodies:
        return trend_all(query, store, catalog)
    cell, b = query.cell, query.bodies[0]
    years = [y for y in sorted(query.years or b.years) if y in b.reports]
    missing = [y for y in sorted(query.years) if y not in b.reports]
    if not years:
        return Answer(query.question, f"{only_years_text(b)}，没有{'、'.join(f'{y}年' for y in missing)}的报告。", "none",
                      debug=query.describe())
    cits, rows = [], []
    parts = _years_of(b, years, cell, store, catalog, cits, rows)
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    text = f"{b.agency}「{what}」：" + "，".join(parts) + "。"
    if missing:
        text += f"库中没有{'、'.join(f'{y}年' for y in missing)}的报告。"
    return _done(query.question, text, None, cits, rows, query, store, catalog)


def _change_ranked(query, changes, years, u, cits, store, catalog) -> Answer:
    """「哪个单位…增加最多」: the bodies that have both years, ranked by their change (in percent
    of the earlier year when 增幅/增长率 is asked; a body with 0 the earlier year has no percent)."""
    y1, y2 = years
    pct = query.has(Modifier.PERCENT)
    key = (lambda c: (c[2] - c[1]) / c[1] * 100 if c[1] else None) if pct else (lambda c: c[2] - c[1])
    ranked = [c for c in changes if key(c) is not None]
    if not ranked:
        return Answer(query.question, f"两年都有报告的单位在{y1}年该项均为0，无法按百分比比较增幅。", "none",
                      debug=query.describe())
    ranked.sort(key=key, reverse=not query.ascending)
    top = ranked[0]
    d = key(top)
    word = ("降幅最大" if pct else "减少最多") if query.ascending else ("增幅最大" if pct else "增加最多")
    if (query.ascending and d >= 0) or (not query.ascending and d <= 0):
        word = "没有单位减少；增加最少" if query.ascending and d > 0 else \
            "没有单位增加；减少最少" if not query.ascending and d < 0 else "没有单位增减；持平"
    size = (f"{'增长' if d >= 0 else '下降'}{fmt(round(abs(d), 1))}%" if pct
            else f"{'增加' if d >= 0 else '减少'}{fmt(abs(d))}{u}" if d else "持平")
    what = what_phrase(query.cell.table, query.cell.row, query.cell.column, query.cell.column_named)
    text = (f"{y1}年到{y2}年，「{what}」{word}的是{top[0]}：{top[3][len(top[0]):]}，{size}。"
            f"（比较了两年都有报告的{len(changes)}个单位：" + "；".join(c[3] for c in ranked) + "。）")
    return _done(query.question, text, round(d, 1) if pct else d, cits, [], query, store, catalog)


def change_all(query: Query, store, catalog: Catalog) -> Answer:
    """Change between two years over every body (of the regions asked) that has both reports."""
    cell = query.cell
    ys = sorted(query.years)
    if len(ys) == 1:
        ys = [ys[0] - 1, ys[0]]
    if len(ys) < 2:
        # no year named: the latest two consecutive years some body (of the regions asked) has both of
        held = [set(b.years) for b in catalog.bodies.values()
                if body_in_regions(b, query.regions)]
        pairs = sorted({y for ys_ in held for y in ys_ if y - 1 in ys_})
        all_years = sorted({y for ys_ in held for y in ys_})
        ys = [pairs[-1] - 1, pairs[-1]] if pairs else all_years[-2:]
    if len(ys) < 2:
        return Answer(query.question, "库中只有一个年度的报告，无法比较年度变化。", "none", debug=query.describe())
    y1, y2 = ys[0], ys[-1]
    bodies = [b for b in catalog.bodies.values()
              if body_in_regions(b, query.regions)
              and y1 in b.reports and y2 in b.reports]
    if not bodies:
        return Answer(query.question, f"库中没有同时有{y1}年和{y2}年报告的单位，无法比较。", "none",
                      debug=query.describe())
    cits, parts, sums, changes = [], [], {y1: 0, y2: 0}, []
    for b in sorted(bodies, key=lambda b: b.agency):
        seg, vals = [], []
        for y in (y1, y2):
            cv = cell_value(store, b.reports[y], cell)
            if cv.value in (MISSING, None):
                seg = None
                break
            new = cite_cell(store, cv, len(cits) + 1, catalog.reports[b.reports[y]].checks_failed)
            cits += new
            sums[y] += cv.value
            vals.append(cv.value)
            seg.append(f"{y}年{fmt(cv.value)}{unit(cell.table, cell.column)}{marks(new)}")
        if seg:
            parts.append(f"{b.agency}" + "→".join(seg))
            changes.append((b.agency, vals[0], vals[1], parts[-1]))
    u = unit(cell.table, cell.column)
    if query.limit and changes:
        return _change_ranked(query, changes, (y1, y2), u, cits, store, catalog)
    d = sums[y2] - sums[y1]
    trend = f"增加{fmt(d)}{u}" if d > 0 else f"减少{fmt(-d)}{u}" if d < 0 else "持平"
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    text = (f"两年都有报告的{len(parts)}个单位，「{what}」合计{y1}年{fmt(sums[y1])}{u}、{y2}年{fmt(sums[y2])}{u}，"
            f"{trend}：" + "；".join(parts) + "。")
    return _done(query.question, text, d, cits, [], query, store, catalog)
