"""Answer a table question about one body's report from the side store: value, sentence, citations.

Every number in the answer comes from a fact record and is cited with the printed lines it
came from (cite.py); a derived value cites the printed cells it sums. A report whose 勾稽
checks fail is flagged in the answer. No model, no embeddings: this path imports neither.
Aggregates over many reports live in aggregate.py.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .. import template as T
from ..answer import Answer, Citation
from .catalog import Body, Catalog
from .cite import MISSING, CellValue, cell_value, cite_cell
from .compose import (APP_COLUMN_SHORT, marks, PROACTIVE_VERB, breakdown, column_phrase, fmt, review_breakdown, row_phrase,
                      sub_row_phrase, unit, what_phrase, who)
from .cells import CellQuery
from .labels import report_label
from .understand import Query
from .scope import only_years_text, report_for  # noqa: F401  (used here and by the ops)


LITIGATION_KIND = {"litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}


def check_note(store, catalog: Catalog, report_ids) -> str:
    """「（注意：…报告的勾稽关系不成立：…）」 for the reports among `report_ids` whose checks fail."""
    bad = [rid for rid in dict.fromkeys(report_ids) if rid in catalog.reports and catalog.reports[rid].checks_failed]
    if not bad:
        return ""
    desc = {c.key: c.description for c in T.CHECKS}
    parts = []
    for rid in bad[:3]:
        r = catalog.reports[rid]
        failed: dict[str, list[str]] = {}
        for c in store.checks([rid], failed_only=True):
            failed.setdefault(c["check"], []).append(_check_subject(c["table"], c["subject"]))
        what = "；".join(f"「{desc.get(k, k)}」在{'、'.join(dict.fromkeys(v))}对不上" for k, v in failed.items())
        parts.append(f"{report_label(r)}的勾稽关系不成立：{what}")
    more = "等" if len(bad) > 3 else ""
    return f"（注意：{'；'.join(parts)}{more}。数字按报告原文引用，可对照所附出处核对原文。）"


def _check_subject(table: str, subject: str) -> str:
    if subject in APP_COLUMN_SHORT:
        return f"{APP_COLUMN_SHORT[subject]}列"
    try:
        return f"「{row_phrase(table, subject)}」行"
    except KeyError:
        return subject


def lookup(query: Query, store, catalog: Catalog) -> Answer:
    body = query.bodies[0]
    cell = query.cell
    rid, year, note = report_for(body, query.years)
    if rid is None:
        return Answer(query.question, f"库中没有{body.agency}{year}年的报告；{only_years_text(body)}。", "none",
                      debug=query.describe())
    cv = cell_value(store, rid, cell)
    if cv.value == MISSING:
        return Answer(query.question, f"{who(body.agency, year)}的报告中没有读到「{what_phrase(cell.table, cell.row, cell.column, True)}」"
                      f"这一项的数字（该表格缺失或无法可靠读取）。", "none", debug=query.describe())
    parent = _asked_parent(query.question, cell, query.said)
    pv = cell_value(store, rid, replace(cell, row=parent, weak=False)) if parent else None
    if pv is not None and isinstance(pv.value, (int, float)):
        # 「不予公开多少件，其中属于行政查询事项的几件」: the whole asked first, then its part
        pc = cite_cell(store, pv, 1, catalog.reports[rid].checks_failed)
        cits = pc + cite_cell(store, cv, len(pc) + 1, catalog.reports[rid].checks_failed)
        w = who(body.agency, year)
        part = value_sentence(body.agency, year, cell, cv, cits[len(pc):])
        text = (f"{w}{row_phrase('applications', parent)}{fmt(pv.value)}件{marks(pc)}，其中"
                f"{part[len(w):] if part.startswith(w) else part}。")
    else:
        cits = cite_cell(store, cv, 1, catalog.reports[rid].checks_failed)
        text = value_sentence(body.agency, year, cell, cv, cits) + "。"
    value = cv.value
    if cv.value is None and cell.table == "applications" and cell.column == "total" and not cell.column_named \
            and not re.search(r"总计|总数栏|合计栏", query.question.replace("办理结果总计", "")) \
            and (cols := _printed_columns(store, rid, cell, catalog.reports[rid].checks_failed, len(cits) + 1)):
        # the 总计 column printed blank, the applicant columns printed (a 2019-format report): their sum, said so
        said, ccits, total, blank = cols
        rest = "其余列为空" if blank else "其余列为0"
        text += f"各申请人列印出的数字相加为{fmt(total)}件（{'、'.join(said)}），{rest}；这是相加所得，不是报告印出的总计。"
        cits, value = cits + ccits, total
    most = re.search(MOST, query.question)
    if most and cell.table == "applications" and not cell.column_named and isinstance(cv.value, (int, float)) \
            and re.search(r"申请人|哪类人|什么人|谁", query.question):
        # 「哪类申请人最多」: the column that is, from the row just cited
        cols = [(c.key, cell_value(store, rid, replace(cell, column=c.key, column_named=True)).value)
                for c in T.APPLICATION_COLUMNS if c.key not in ("total", "legal_person_or_org")]
        cols = [(k, v) for k, v in cols if isinstance(v, (int, float))]
        if cols and cv.value:
            low = most.group(0) in ("最少", "最低")
            best = (min if low else max)(v for _, v in cols)
            names = "、".join(column_phrase("applications", k) for k, v in cols if v == best)
            text += f"申请人中{names}{'最少' if low else '最多'}（{fmt(best)}件）。"
            value = best
    elif (part := most_part(query.question, store, rid, cell, cv)) is not None:
        text += part[0]
        value = part[1]
    text += note + check_note(store, catalog, [rid])
    return Answer(query.question, text, "table", value, cits, debug=query.describe())


MOST = r"最多|最少|最高|最低|主要"


def most_part(question: str, store, rid: int, cell, cv: CellValue) -> tuple[str, object] | None:
    """「不予公开里哪一类最多」: (「其中「…」最多（N件）。」, N) of a group row's sub-rows in one
    report (lexicon WHICH_KIND); None when the question asks no such thing."""
    from .lexicon import lexicon
    most = re.search(MOST, question)
    if most and cell.table == "applications" and not cell.column_named and isinstance(cv.value, (int, float)) \
            and cv.value and re.search(r"申请人|哪类人|什么人|谁", question):
        # 「申请人主要是哪类」: the applicant column that is most (as lookup says it)
        cols = [(c.key, cell_value(store, rid, replace(cell, column=c.key, column_named=True)).value)
                for c in T.APPLICATION_COLUMNS if c.key not in ("total", "legal_person_or_org")]
        cols = [(k, v) for k, v in cols if isinstance(v, (int, float))]
        if cols:
            low = most.group(0) in ("最少", "最低")
            best = (min if low else max)(v for _, v in cols)
            names = "、".join(column_phrase("applications", k) for k, v in cols if v == best)
            return f"申请人中{names}{'最少' if low else '最多'}（{fmt(best)}件）。", best
    if not (most and cell.table == "applications" and cell.row in T.GROUP_ROWS and isinstance(cv.value, (int, float))
            and cv.value and lexicon().has("WHICH_KIND", question)):
        return None
    subs = [(r, cell_value(store, rid, replace(cell, row=r)).value) for r in T.GROUP_ROWS[cell.row]]
    subs = [(r, v) for r, v in subs if isinstance(v, (int, float))]
    if not subs:
        return None
    low = most.group(0) in ("最少", "最低")
    best = (min if low else max)(v for _, v in subs)
    names = "、".join(f"「{sub_row_phrase('applications', r)}」" for r, v in subs if v == best)
    return f"其中{names}{'最少' if low else '最多'}（{fmt(best)}件）。", best


def _printed_columns(store, rid: int, cell, checks_failed: int, start: int):
    """(「自然人32件[n]」…, their citations, their sum, whether a cell was blank) of a row's applicant
    columns when its total is blank and at least one of them is printed; None when none is."""
    said, cits, total, blank = [], [], 0, False
    rows = [r for row in cell.rows for r in (T.GROUP_ROWS.get(row) or (row,))]  # a group: its printed sub-rows
    for key in ("natural_person",) + tuple(T.ORG_COLS):
        col_cits, col_total = [], 0
        for r in rows:
            v = cell_value(store, rid, replace(cell, row=r, column=key, column_named=True))
            if not isinstance(v.value, (int, float)) or v.value == MISSING:
                blank = True
                continue  # blank: not printed, not read as 0
            col_cits += cite_cell(store, v, start + len(cits) + len(col_cits), checks_failed)
            col_total += v.value
        cits += col_cits
        total += col_total
        if col_total:
            said.append(f"{column_phrase('applications', key)}{fmt(col_total)}件{marks(col_cits)}")
    return (said, cits, total, blank) if cits and said else None


def _asked_parent(question: str, cell, names=()) -> str | None:
    """The row a 「其中…」 part is of, when the question asked that whole first (「…多少，其中…几件」):
    a sub-row's group (不予公开 of 属于行政查询事项), an outcome's 办理结果总计. None otherwise."""
    if cell.table != "applications" or cell.column != "total" or "其中" not in question:
        return None
    head = question.split("其中", 1)[0]
    if not re.search(r"多少|几|总计|合计|一共|共", head):
        return None
    from .cells import find_cell
    for n in sorted(names, key=len, reverse=True):  # a body's name is no cell word (信访局)
        head = head.replace(n, " ")
    asked = find_cell(head)  # the whole the question named first (「收到几件？其中重复申请几件」: 新收)
    if asked is not None and asked.table == "applications" and asked.row != cell.row and not asked.weak \
            and asked.row in T.GROUP_ROWS.keys() | {"total", "new_received", "carried_over"}:
        return asked.row
    if "." in cell.row:
        return cell.row.split(".", 1)[0]
    return "total" if cell.row in OUTCOME_ROWS else None


OUTCOME_ROWS = ("granted", "partially_granted", "denied", "unavailable", "not_processed", "other")


def share(query: Query, store, catalog: Catalog) -> Answer:
    """「部分公开占比多少」: a row's share of the outcomes total, or a column's share of its row."""
    from dataclasses import replace
    body, cell = query.bodies[0], query.cell
    rid, year, note = report_for(body, query.years)
    if rid is not None and re.search(ALL_BODIES, query.question):
        return _share_of_all(query, store, catalog, body, rid, year, note)
    if rid is not None and cell.table == "review_litigation" and cell.column_named and cell.column != "total":
        return _share_of_review(query, store, catalog, body, rid, year, note)
    if rid is None or cell.table != "applications":
        return lookup(replace(query, op="lookup"), store, catalog)
    parts = [c for c in query.cells if c.table == "applications"] if len(query.cells) > 1 else []
    if parts and all(c.column == cell.column and c.row.split(".")[0] in OUTCOME_ROWS for c in parts) \
            and len({c.row.split(".")[0] for c in parts}) == len(parts):
        return _share_of_rows(query, store, catalog, body, rid, year, note, parts)
    group = cell.row.split(".")[0]
    after = query.question.split("占", 1)[1] if "占" in query.question else ""
    if "." in cell.row and row_phrase("applications", group) in after:
        whole_cell = replace(cell, row=group)  # 「不掌握的占无法提供的多少」: the share of its group
    elif cell.column_named and cell.column != "total":
        whole_cell = replace(cell, column="total", column_named=False)
    elif cell.row.split(".")[0] in OUTCOME_ROWS:
        whole_cell = replace(cell, row="total")
    else:  # 「结转下年度的占比」: no total it is a part of; the count is said, no share made up
        return _no_share(query, lookup(replace(query, op="lookup"), store, catalog))
    part, whole = cell_value(store, rid, cell), cell_value(store, rid, whole_cell)
    if MISSING in (part.value, whole.value) or None in (part.value, whole.value) or not whole.value:
        return lookup(replace(query, op="lookup"), store, catalog)
    checks = catalog.reports[rid].checks_failed
    c_part = cite_cell(store, part, 1, checks)
    c_whole = cite_cell(store, whole, len(c_part) + 1, checks)
    pct = round(part.value / whole.value * 100, 1)
    w = who(body.agency, year)
    if whole_cell.row == "total":
        text = (f"{w}{row_phrase('applications', cell.row)}{fmt(part.value)}件{marks(c_part)}，"
                f"占办理结果总计{fmt(whole.value)}件{marks(c_whole)}的{fmt(pct)}%")
    elif whole_cell.row == group and whole_cell.column == cell.column:
        text = (f"{w}{row_phrase('applications', group)}{fmt(whole.value)}件{marks(c_whole)}中，"
                f"{row_phrase('applications', cell.row).split('（')[-1].rstrip('）')}{fmt(part.value)}件{marks(c_part)}，"
                f"占{fmt(pct)}%")
    else:
        text = (f"{w}{row_phrase('applications', cell.row)}{fmt(whole.value)}件{marks(c_whole)}中，"
                f"{column_phrase('applications', cell.column)}{fmt(part.value)}件{marks(c_part)}，占{fmt(pct)}%")
    text += "。" + note + check_note(store, catalog, [rid])
    return Answer(query.question, text, "aggregate", pct, c_part + c_whole, debug=query.describe())


def _no_share(query: Query, count: Answer, why: str = "") -> Answer:
    """A share asked that cannot be made (a cell no part of a total, or a total of 0): said so,
    with the count as printed (no value)."""
    what = what_phrase(query.cell.table, query.cell.row, query.cell.column, query.cell.column_named)
    text = (f"算不出「{what}」的占比：{why}。" if why else
            f"暂不支持算「{what}」的占比：它不是办理结果或某一总数的一部分，没有可以相除的总数。") + count.answer
    return Answer(query.question, text, "none", None, count.citations, debug=query.describe())


def _share_of_review(query: Query, store, catalog: Catalog, body: Body, rid: int, year, note: str) -> Answer:
    """「行政复议纠正的占比」: a result column's share of its row's total (行政复议, 行政诉讼)."""
    from dataclasses import replace
    cell = query.cell
    whole_cell = replace(cell, column="total", column_named=False)
    part, whole = cell_value(store, rid, cell), cell_value(store, rid, whole_cell)
    if MISSING in (part.value, whole.value) or None in (part.value, whole.value):
        return lookup(replace(query, op="lookup"), store, catalog)  # a blank cell: said blank
    if not whole.value:
        return _no_share(query, lookup(replace(query, op="lookup"), store, catalog),
                         f"报告中{row_phrase('review_litigation', cell.row)}总计为0件")
    checks = catalog.reports[rid].checks_failed
    c_part = cite_cell(store, part, 1, checks)
    c_whole = cite_cell(store, whole, len(c_part) + 1, checks)
    pct = round(part.value / whole.value * 100, 1)
    text = (f"{who(body.agency, year)}{row_phrase('review_litigation', cell.row)}{fmt(whole.value)}件{marks(c_whole)}中，"
            f"{column_phrase('review_litigation', cell.column)}{fmt(part.value)}件{marks(c_part)}，占{fmt(pct)}%")
    text += "。" + note + check_note(store, catalog, [rid])
    return Answer(query.question, text, "aggregate", pct, c_part + c_whole, debug=query.describe())


def _share_of_rows(query: Query, store, catalog: Catalog, body: Body, rid: int, year, note: str, parts) -> Answer:
    """「予以公开加部分公开占办理总数的比例」: several outcome rows summed, over the outcomes total."""
    from dataclasses import replace
    checks = catalog.reports[rid].checks_failed
    vals = [cell_value(store, rid, c) for c in parts]
    whole = cell_value(store, rid, replace(parts[0], row="total"))
    if any(v.value in (MISSING, None) for v in vals + [whole]) or not whole.value:
        return lookup(replace(query, op="lookup", cells=[], multi=""), store, catalog)
    cits, said = [], []
    each = re.search(r"分别|各自|各占|各是", query.question) \
        or len(re.findall(r"占比|比例|比重|百分比|百分之", query.question)) >= 2
    for c, v in zip(parts, vals):
        new = cite_cell(store, v, len(cits) + 1, checks)
        cits += new
        said.append(f"{row_phrase('applications', c.row)}{fmt(v.value)}件{marks(new)}"
                    + (f"，占{fmt(round(v.value / whole.value * 100, 1))}%" if each else ""))
    c_whole = cite_cell(store, whole, len(cits) + 1, checks)
    if each:  # 「部分公开占比和予以公开占比」: each share, not the share of their sum
        text = (f"{who(body.agency, year)}办理结果总计{fmt(whole.value)}件{marks(c_whole)}，其中" + "；".join(said)
                + "。" + note + check_note(store, catalog, [rid]))
        debug = query.describe()
        debug["op"] = "share_each"
        return Answer(query.question, text, "aggregate", None, cits + c_whole, debug=debug)
    total = sum(v.value for v in vals)
    pct = round(total / whole.value * 100, 1)
    text = (f"{who(body.agency, year)}" + "、".join(said) + f"，合计{fmt(total)}件，"
            f"占办理结果总计{fmt(whole.value)}件{marks(c_whole)}的{fmt(pct)}%。" + note + check_note(store, catalog, [rid]))
    debug = query.describe()
    debug["op"] = "share_of_sum"
    return Answer(query.question, text, "aggregate", pct, cits + c_whole, debug=debug)


def _share_cells(cell: CellQuery):
    """The cell a share is taken of: a row over the outcomes total, or a column over its row's total."""
    from dataclasses import replace
    if cell.table != "applications":
        return None
    if cell.column_named and cell.column != "total":
        return replace(cell, column="total", column_named=False)
    if cell.row.split(".")[0] in OUTCOME_ROWS:
        return replace(cell, row="total")
    return None


def share_each(query: Query, store, catalog: Catalog) -> Answer:
    """「各单位部分公开占比」, 「哪个单位部分公开比例最高」: each body's share, from its own report."""
    from .aggregate import _scope
    cell = query.cell
    whole_cell = _share_cells(cell)
    if whole_cell is None:
        return Answer(query.question, f"「{what_phrase(cell.table, cell.row, cell.column, cell.column_named)}」"
                      "没有可以相除的总数，算不出比例。", "none", debug=query.describe())
    targets, scope, notes = _scope(query, catalog)
    if len(targets) == 1 and len(query.cells) > 1 and not query.bodies:
        # a place with one report (「沭阳县予以公开和部分公开合计占比」): that body's share of the rows joined
        b, y, _ = targets[0]
        ans = share(replace(query, bodies=[b], years=[y], op="share"), store, catalog)
        ans.answer += f"（所问范围内只有{who(b.agency, y)}这一份报告。）"
        return ans
    joined = [c for c in query.cells if c.table == "applications" and c.column == cell.column
              and c.row.split(".")[0] in OUTCOME_ROWS] if len(query.cells) > 1 else []
    if len(joined) > 1 and (len(joined) != len(query.cells) or len({c.row.split(".")[0] for c in joined}) != len(joined)
                            or whole_cell.row != "total"):
        return Answer(query.question, "暂不支持：几项合在一起在各单位的占比，只能对同一列里不相交的几项办理结果计算。"
                      "可以分别问每一项的占比，或问某一个单位。", "none", debug=query.describe())
    rows, skipped, cits = [], [], []
    for b, y, rid in targets:
        if len(joined) > 1:  # 「各单位予以公开和部分公开合计占比」: the rows added in each report
            vals = [cell_value(store, rid, c) for c in joined]
            merged = {k: v for x in vals for k, v in x.row_facts.items()}
            bad = any(v.value in (MISSING, None) for v in vals)
            part = CellValue(rid, None if bad else sum(v.value for v in vals), [f for v in vals for f in v.facts], merged)
        else:
            part = cell_value(store, rid, cell)
        whole = cell_value(store, rid, whole_cell)
        if MISSING in (part.value, whole.value) or None in (part.value, whole.value):
            skipped.append(f"{b.agency}（该项为空或没有读到）")
            continue
        if not whole.value:
            skipped.append(b.agency)
            continue
        rows.append((round(part.value / whole.value * 100, 1), b, y, rid, part, whole))
    if not rows:
        return Answer(query.question, f"{scope}没有一份报告算得出这一比例（总数为0或为空）。", "none",
                      debug=query.describe())
    rows.sort(key=lambda r: (r[0], -r[4].value) if query.ascending else (-r[0], -r[4].value))
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named) if len(joined) < 2 else \
        "与".join(what_phrase(c.table, c.row, c.column, c.column_named) for c in joined) + "合计"
    of = "办理结果总计" if whole_cell.row == "total" and whole_cell.column == cell.column else \
        f"{row_phrase('applications', cell.row)}总数"
    parts = []
    for pct, b, y, rid, part, whole in rows[:10]:
        checks = catalog.reports[rid].checks_failed
        c1 = cite_cell(store, part, len(cits) + 1, checks)
        c2 = cite_cell(store, whole, len(cits) + len(c1) + 1, checks)
        cits += c1 + c2
        parts.append(f"{b.agency}{fmt(pct)}%（{fmt(part.value)}/{fmt(whole.value)}件{marks(c1 + c2)}）")
    value = None
    if query.limit == 1:
        top = rows[0]
        tie = [r for r in rows if r[0] == top[0]]
        word = "最低" if query.ascending else "最高"
        text = (f"{scope}中，「{what}」占{of}的比例{word}的是" + ("、".join(parts[:len(tie)]) if len(tie) > 1
                                                                   else parts[0]) + "。")
        value = top[0]
    else:
        text = f"{scope}「{what}」占{of}的比例：" + "；".join(parts) + \
            (f"；另有{len(rows) - 10}份未列出" if len(rows) > 10 else "") + "。"
    if skipped:
        text += f"{'、'.join(skipped)}的总数为0或为空，算不出比例。"
    text += "".join(n + "。" for n in notes) + check_note(store, catalog, [c.report_id for c in cits])
    debug = query.describe()
    debug["op"] = "share_each"
    return Answer(query.question, text, "aggregate", value, cits, debug=debug)


# 「占所有单位的比例」: a body's share of the same cell summed over every body of that year
ALL_BODIES = r"所有单位|全部单位|各单位|所有机关|全部机关|全部报告|所有报告|all bodies|all agencies"


def _share_of_all(query: Query, store, catalog: Catalog, body: Body, rid: int, year, note: str) -> Answer:
    from dataclasses import replace
    cell = query.cell
    u = unit(cell.table, cell.column)
    others = [b.reports[year] for b in catalog.bodies.values() if year in b.reports and b.reports[year] != rid]
    mine = cell_value(store, rid, cell)
    vals = [cell_value(store, r, cell) for r in others]
    if mine.value in (MISSING, None) or any(v.value in (MISSING, None) for v in vals):
        return lookup(replace(query, op="lookup"), store, catalog)  # a blank is not a zero: no share
    total = mine.value + sum(v.value for v in vals)
    if not total:
        return lookup(replace(query, op="lookup"), store, catalog)
    cits = cite_cell(store, mine, 1, catalog.reports[rid].checks_failed)
    first = len(cits)
    for v in vals:
        if len(cits) - first >= 12:
            break
        cits += cite_cell(store, v, len(cits) + 1, catalog.reports[v.report_id].checks_failed)
    pct = round(mine.value / total * 100, 1)
    what = what_phrase(cell.table, cell.row, cell.column, cell.column_named)
    rest = marks(cits[first:]) if len(cits) > first else ""
    more = "" if len(cits) - first >= len(vals) else f"（另{len(vals) - (len(cits) - first)}份报告未逐一标注）"
    text = (f"{who(body.agency, year)}「{what}」{fmt(mine.value)}{u}{marks(cits[:first])}，"
            f"{year}年库中{len(vals) + 1}份报告合计{fmt(total)}{u}{rest}{more}，占{fmt(pct)}%。" + note
            + check_note(store, catalog, [rid] + others))
    debug = query.describe()
    debug["op"] = "share_of_all"
    return Answer(query.question, text, "aggregate", pct, cits, debug=debug)


def outcomes(query: Query, store, catalog: Catalog) -> Answer:
    """「办理结果有哪些」: the outcomes total and each outcome (予以公开, 部分公开, 不予公开, …)."""
    from dataclasses import replace
    body, cell = query.bodies[0], query.cell
    rid, year, note = report_for(body, query.years)
    if rid is None:
        return lookup(replace(query, op="lookup"), store, catalog)
    checks = catalog.reports[rid].checks_failed
    total = cell_value(store, rid, cell)
    if total.value in (MISSING, None):
        return lookup(replace(query, op="lookup"), store, catalog)
    cits = cite_cell(store, total, 1, checks)
    total_marks = marks(cits)
    parts, zeros = [], []
    vals: dict[str, float] = {}  # outcome -> count, for 「哪种最多」
    for row in OUTCOME_ROWS:
        cv = cell_value(store, rid, replace(cell, row=row))
        if cv.value == MISSING:
            continue
        new = cite_cell(store, cv, len(cits) + 1, checks)
        cits += new
        name = row_phrase("applications", row)
        if isinstance(cv.value, (int, float)):
            vals[name] = cv.value
        if cv.value:
            parts.append(f"{name}{fmt(cv.value)}件{marks(new)}")
        else:
            zeros.append((name, new))
    text = f"{who(body.agency, year)}办理结果总计{fmt(total.value)}件{total_marks}"
    if parts:
        text += "：" + "、".join(parts)
    if zeros:
        text += ("；" if parts else "：") + "、".join(n for n, _ in zeros) + ("均为0" if len(zeros) > 1 else "为0") \
            + marks([c for _, cs in zeros for c in cs])
    value = total.value
    most = re.search(MOST, query.question)
    if most and vals and total.value:  # 「哪种办理结果最多」: say which
        low = most.group(0) in ("最少", "最低")
        best = (min if low else max)(vals.values())
        text += f"。各项中{'、'.join(n for n, v in vals.items() if v == best)}{'最少' if low else '最多'}（{fmt(best)}件）"
        value = best
    text += "。" + note + check_note(store, catalog, [rid])
    return Answer(query.question, text, "table", value, cits, debug=query.describe())


def value_sentence(agency: str, year, cell, cv: CellValue, cits: list[Citation]) -> str:
    """The sentence for one body's value, with its [n] markers (no final full stop)."""
    w = who(agency, year)
    v, rf, table = cv.value, cv.row_facts, cell.table
    if v is None and cell.row == "litigation":
        parts = [f"{LITIGATION_KIND.get(c.row_key, c.row)}{fmt(c.value)}件[{c.n}]" if c.value is not None
                 else f"{LITIGATION_KIND.get(c.row_key, c.row)}一栏为空（报告未填写）[{c.n}]" for c in cits]
        return f"{w}行政诉讼：" + "；".join(parts) + "，合计无法得出"
    if v is None:
        blank = [c for c in cits if c.value is None]
        return (f"{w}报告中「{what_phrase(table, cell.row, cell.column, True)}」一栏为空（报告未填写），不等于0"
                + marks(blank or cits))
    u = unit(table, cell.column)
    if table == "applications":
        return _app_sentence(w, cell, cv, cits)
    if table == "review_litigation":
        if cell.row == "litigation":
            colw = "" if cell.column == "total" else f"中{column_phrase(table, cell.column)}的"
            parts = [f"{LITIGATION_KIND.get(c.row_key, c.row)}{fmt(c.value)}件[{c.n}]" for c in cits]
            return f"{w}行政诉讼{colw}共{fmt(v)}件：" + "、".join(parts)
        if cell.column == "total":
            return f"{w}{row_phrase(table, cell.row)}{fmt(v)}件{review_breakdown(rf, cell.row)}{marks(cits)}"
        tot = rf.get(cell.row, {}).get("total", {}).get("value")
        extra = f"（{row_phrase(table, cell.row)}共{fmt(tot)}件）" if tot is not None else ""
        return f"{w}{row_phrase(table, cell.row)}{column_phrase(table, cell.column)}{fmt(v)}件{extra}{marks(cits)}"
    # proactive: the column the report printed (a 2019 report has 本年新制作…, 上一年项目数量…)
    col = cv.facts[0]["column"] if cv.facts else cell.column
    u = printed_unit(cits, v) if col == "amount" and cell.row != "administrative_fees" else unit(table, col)
    if cell.row in ("regulations", "normative_documents") and not cell.column_named:
        cols = rf.get(cell.row, {})
        parts = [f"{PROACTIVE_VERB.get(c, column_phrase(table, c))}{fmt(f['value'])}{u}"
                 for c, f in cols.items() if not f["derived"]]
        if len(parts) > 1:
            return f"{w}{T.row_label(table, cell.row)}：" + "、".join(parts) + marks(cits)
    if col in ("previous_year_items", "change", "items"):
        sign = "+" if col == "change" and isinstance(v, (int, float)) and v > 0 else ""
        label = T.column_label(table, col)
        row_label = T.row_label(table, cell.row)
        if row_label.endswith("采购") and label.startswith("采购"):
            label = label[2:]  # 政府集中采购 · 采购项目数量 -> 政府集中采购项目数量
        return f"{w}{row_label}{label}为{sign}{fmt(v)}{u}{marks(cits)}"
    return f"{w}{what_phrase(table, cell.row, col, cell.column_named)}{fmt(v)}{u}{marks(cits)}"


def printed_unit(cits: list[Citation], v) -> str:
    """The unit printed with an amount (「251000元」 in a 2019 政府集中采购 cell), else none."""
    for c in cits:
        m = re.search(re.escape(fmt(v)) + r"\s*(万元|元)", c.quote)
        if m:
            return m.group(1)
    return ""


def _app_sentence(w: str, cell, cv: CellValue, cits: list[Citation]) -> str:
    v, rf, row = cv.value, cv.row_facts, cell.row
    derived_row = bool(cv.facts and cv.facts[0]["derived"] and row in T.GROUP_ROWS)
    what = row_phrase("applications", row)
    if cell.column != "total":
        col = column_phrase("applications", cell.column)
        tot = rf.get(row, {}).get("total", {})
        if not derived_row and tot and tot.get("value") is not None:
            if v and v == tot["value"]:
                return f"{w}{what}{fmt(tot['value'])}件，均来自{col}{marks(cits)}"
            detail = ""
            if cell.column == "legal_person_or_org" and len(cits) > 1:
                detail = "（" + "、".join(f"{APP_COLUMN_SHORT.get(c.column_key, c.column)}{fmt(c.value)}件[{c.n}]"
                                          for c in cits if c.value) + "）"
                return f"{w}{what}{fmt(tot['value'])}件，其中{col}{fmt(v)}件{detail}"
            return f"{w}{what}{fmt(tot['value'])}件，其中{col}{fmt(v)}件{marks(cits)}"
        return f"{w}{what}中，{col}{fmt(v)}件{marks(cits)}"
    bd = breakdown(rf, "applications", row, v)
    if derived_row and len(cits) > 1:
        parts = []
        for c in cits:
            if c.value:
                parts.append(f"{sub_row_phrase('applications', c.row_key)}{fmt(c.value)}件[{c.n}]")
            else:
                parts.append(f"其余各项为0[{c.n}]")
        return f"{w}{what}{fmt(v)}件{bd}：" + "，".join(parts)
    if derived_row and not v:
        return f"{w}{what}0件（各分项均为0）{marks(cits)}"
    return f"{w}{what}{fmt(v)}件{bd}{marks(cits)}"


# ---------------------------------------------------------------------------------------
# Several cells asked at once: 「部分公开和不予公开一共多少件」 (sum), 「…分别是多少」 (list).

MAX_MULTI_TARGETS = 8


def _multi_bodies(query: Query, catalog: Catalog) -> list[Body]:
    """The bodies a several-cells question is about: those named, else those of the regions
    named, else every body (with a report of the years asked)."""
    if query.bodies:
        return list(query.bodies)
    if query.regions:
        out = []
        for r in query.regions:
            out += [b for b in catalog.in_region(r) if b not in out]
    else:
        out = list(catalog.bodies.values())
    if query.years:
        out = [b for b in out if any(y in b.reports for y in query.years)]
    return sorted(out, key=lambda b: b.agency)


def _piece_label(cell, c: Citation) -> str:
    if c.row_key in LITIGATION_KIND:
        return LITIGATION_KIND[c.row_key]
    if cell.column == "legal_person_or_org":
        return APP_COLUMN_SHORT.get(c.column_key, c.column)
    return sub_row_phrase(c.table, c.row_key) if c.table == "applications" else c.row


def _part_text(cell, cv: CellValue, cits: list[Citation], what: str) -> str:
    """「部分公开12件[1]」, 「不予公开3件（保护第三方合法权益1件[2]、…）」, 「行政诉讼一栏为空…」."""
    v = cv.value
    if v is None:
        shown = [f"{_piece_label(cell, c)}{fmt(c.value)}件[{c.n}]" if c.value is not None
                 else f"{_piece_label(cell, c)}一栏为空（报告未填写）[{c.n}]" for c in cits]
        if len(cits) > 1 and any(c.row_key in LITIGATION_KIND for c in cits):
            return f"{what}：" + "、".join(shown)
        blank = [c for c in cits if c.value is None]
        return f"{what}一栏为空（报告未填写）{marks(blank or cits)}"
    col = cv.facts[0]["column"] if cv.facts else cell.column
    u = printed_unit(cits, v) if col == "amount" and cell.row != "administrative_fees" else unit(cell.table, col)
    if len(cits) > 1 and any(c.value for c in cits):
        inner = [f"{_piece_label(cell, c)}{fmt(c.value)}{u}[{c.n}]" if (c.value or c.row_key in LITIGATION_KIND)
                 else f"其余为0[{c.n}]" for c in cits]
        return f"{what}{fmt(v)}{u}（" + "、".join(inner) + "）"
    return f"{what}{fmt(v)}{u}{marks(cits)}"


def several(query: Query, store, catalog: Catalog) -> Answer:
    """Several cells of each body's report: each value cited, and their sum when one is asked."""
    q, cells, want_sum = query.question, query.cells, query.multi == "sum"
    bodies = _multi_bodies(query, catalog)
    if not bodies:
        return Answer(q, "库中没有符合条件（年度/地区）的报告。", "none", debug=query.describe())
    targets, note, absent = [], "", []
    for b in bodies:
        if query.years:
            for y in query.years:
                if y in b.reports:
                    targets.append((b, b.reports[y], y))
                elif len(bodies) == 1:
                    return Answer(q, f"库中没有{b.agency}{y}年的报告；{only_years_text(b)}。", "none",
                                  debug=query.describe())
                elif query.bodies:
                    absent.append(f"{b.agency}{y}年")
        else:
            rid, y, n = report_for(b, [])
            if rid is not None:
                targets.append((b, rid, y))
                note = n if len(bodies) == 1 else ""
    if not targets:
        return Answer(q, "库中没有符合条件（年度/地区）的报告。", "none", debug=query.describe())
    if len(targets) > MAX_MULTI_TARGETS:
        return Answer(q, f"这个问题涉及{len(targets)}份报告的多项数字，一次最多回答{MAX_MULTI_TARGETS}份。"
                      "请指定单位、地区或年度，或把各项分开提问。", "none", debug=query.describe())
    same_row = len({(c.table, c.row) for c in cells}) == 1 and cells[0].table != "proactive"
    cits: list[Citation] = []
    sentences, total, complete, read_any = [], 0, True, False
    vals: list = []  # each cell's value (one report): for a difference
    for b, rid, y in targets:
        checks = catalog.reports[rid].checks_failed
        parts = []
        for c in cells:
            cv = cell_value(store, rid, c)
            what = column_phrase(c.table, c.column) if same_row else what_phrase(c.table, c.row, c.column, c.column_named)
            if cv.value == MISSING:
                parts.append(f"「{what_phrase(c.table, c.row, c.column, True)}」没有读到（该表格缺失或无法可靠读取）")
                complete = False
                continue
            read_any = True
            vals.append(cv.value)
            new = cite_cell(store, cv, len(cits) + 1, checks)
            cits += new
            parts.append(_part_text(c, cv, new, what))
            if cv.value is None:
                complete = False
            else:
                total += cv.value
        head = who(b.agency, y) + (f"{row_phrase(cells[0].table, cells[0].row)}中，" if same_row else "")
        sentences.append(head + ("，" if any("、" in p for p in parts) else "、").join(parts))
    if not read_any:
        return Answer(q, "；".join(sentences) + "。", "none", debug=query.describe())
    u = unit(cells[0].table, cells[0].column)
    text = "；".join(sentences)
    value = None
    if want_sum and complete:
        value = total
        text += (f"，合计{fmt(total)}{u}" if len(targets) == 1 else f"。以上合计{fmt(total)}{u}")
    elif want_sum:
        text += "，合计无法得出（有一项为空或没有读到，空白不等于0）"
    elif query.multi == "apart":
        text += "（所问各项互相包含或单位不同，不相加）"
    if query.multi == "diff" and len(targets) == 1 and len(vals) == 2 and None not in vals:
        a, b = vals
        names = [column_phrase(c.table, c.column) if same_row else what_phrase(c.table, c.row, c.column, c.column_named)
                 for c in cells]
        value = abs(a - b)
        text += (f"，两者相同" if a == b else
                 f"，{names[0]}比{names[1]}{'多' if a > b else '少'}{fmt(value)}{u}")
    elif query.multi == "diff":
        text += "，差额无法得出（有一项为空或没有读到，空白不等于0）" if len(targets) == 1 else ""
    text += "。" + note + (f"（库中没有{'、'.join(absent)}的报告。）" if absent else "") \
        + check_note(store, catalog, [rid for _, rid, _ in targets])
    debug = query.describe()
    debug["op"] = ("difference" if query.multi == "diff" else "sum") if value is not None else "lookup"
    return Answer(q, text, "aggregate" if value is not None else "table", value, cits, debug=debug)
