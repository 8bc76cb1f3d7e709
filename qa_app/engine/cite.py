"""Citations for table numbers: which printed cells a value rests on, and their quoted lines.

A printed cell is cited with the row it stands in, as printed. A derived value (a group row
such as (三)不予公开, the 法人或其他组织 column) is cited through the printed cells it sums:
one citation for each non-zero printed cell, and one citation that quotes the remaining
zero cells together, so that the values cited add up to the value answered and every cited
value stands in its quote. Pure over fact records (store.Store.facts) and the stored text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import template as T
from ..answer import Citation

ORG_COLS = T.ORG_COLS
MAX_ROW_LINES = 16


@dataclass
class CellValue:
    """The value of one question cell in one report, with the facts it comes from."""
    report_id: int
    value: object                      # a number, None (blank in the report) or MISSING
    facts: list[dict] = field(default_factory=list)     # one fact per template row asked
    row_facts: dict = field(default_factory=dict)       # (row) -> {column: fact} of the report


MISSING = "missing"
# Section 二 columns that count the same thing in the 2021 format and the 2019 trial format.
SAME_COLUMN = {"in_force": ("total_public",), "total_public": ("in_force",), "issued": ("made",), "made": ("issued",),
               "amount": (), "decisions": ()}
PROACTIVE_DEFAULTS = ("in_force", "total_public", "decisions", "amount", "previous_year_items", "items")


def needed_rows(cell) -> tuple[str, ...]:
    """The rows a question cell rests on: its rows and, for a group row, the printed sub-rows."""
    rows = []
    for r in cell.rows:
        rows.append(r)
        rows.extend(T.GROUP_ROWS.get(r, ()))
    return tuple(dict.fromkeys(rows))


def report_facts(store, report_id: int, table: str, rows: tuple[str, ...]) -> dict:
    """{row: {column: fact}} of some rows of one table of one report (cached per store generation)."""
    key = ("facts", report_id, table, rows)
    got = store._cache.get(key)
    if got is None:
        prefetch(store, [report_id], table, rows)
        got = store._cache[key]
    return got


def prefetch(store, report_ids, table: str, rows: tuple[str, ...]) -> None:
    """Load the facts of many reports in one query (an aggregate over hundreds of reports)."""
    todo = [rid for rid in report_ids if ("facts", rid, table, rows) not in store._cache]
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        got: dict[int, dict] = {rid: {} for rid in chunk}
        for f in store.facts(chunk, table=table, row=list(rows)):
            got[f["report_id"]].setdefault(f["row"], {})[f["column"]] = f
        for rid, by_row in got.items():
            store._cache[("facts", rid, table, rows)] = by_row


def cell_value(store, report_id: int, cell) -> CellValue:
    """Value of `cell` (a cells.CellQuery) in a report: one row, or the sum of its rows."""
    by_row = report_facts(store, report_id, cell.table, needed_rows(cell))
    facts = []
    for row in cell.rows:
        have = by_row.get(row, {})
        f = have.get(cell.column)
        if f is None and cell.table == "proactive":
            # the other format's column for the same thing (2021 现行有效 ~ 2019 对外公开总数量, …)
            alt = next((c for c in SAME_COLUMN.get(cell.column, ()) if c in have), None)
            if alt is None and not cell.column_named:
                alt = next((c for c in PROACTIVE_DEFAULTS if c in have), None)
            f = have.get(alt) if alt else None
        if f is None:
            return CellValue(report_id, MISSING, [], by_row)
        facts.append(f)
    vals = [f["value"] for f in facts]
    if any(v is None for v in vals):
        value = None
    else:
        value = sum(vals) if len(vals) > 1 else vals[0]
    return CellValue(report_id, value, facts, by_row)


def printed_parts(fact: dict, by_row: dict) -> list[dict]:
    """The printed cells a fact rests on: itself when printed, its summands when derived."""
    if not fact["derived"]:
        return [fact]
    row, col = fact["row"], fact["column"]
    sub_rows = T.GROUP_ROWS.get(row) if row in T.GROUP_ROWS else None
    rows = list(sub_rows) if sub_rows and any(r in by_row for r in sub_rows) else [row]
    cols = list(ORG_COLS) if col == "legal_person_or_org" else [col]
    parts = []
    for r in rows:
        for c in cols:
            f = by_row.get(r, {}).get(c)
            if f is not None and (not f["derived"] or (r, c) == (row, col)):
                parts.append(f)
            elif f is not None:
                parts.extend(printed_parts(f, by_row))
    return parts or [fact]


def row_span(by_row: dict, row: str) -> tuple[int, int]:
    """First and last line of a printed row (its label and all its values)."""
    fs = [f for f in by_row.get(row, {}).values() if not f["derived"]]
    if not fs:
        fs = list(by_row.get(row, {}).values())
    return min(f["lines"][0] for f in fs), max(f["lines"][1] for f in fs)


def compact(lines: list[str]) -> str:
    """A printed row as one readable quote: empty lines dropped; a row printed one cell per
    line (「部分公开 |」「11 |」「1 |」…, a scraped HTML table) joined on one line."""
    lines = [l.strip() for l in lines if l.strip() and not re.fullmatch(r"\|+", l.strip())]
    if len(lines) >= 3 and (sum(1 for l in lines if l.endswith("|")) >= 0.6 * len(lines)
                            or all(re.fullmatch(r"[\d.,/—\-|\s]{1,8}", l) for l in lines)):
        return " ".join(lines)
    return "\n".join(lines)


def text_lines(store, report_id: int, first: int, last: int) -> list[str]:
    """Lines first..last (1-based) of a report's stored text, the split kept per store generation."""
    key = ("lines", report_id)
    lines = store._cache.get(key)
    if lines is None:
        lines = store._cache[key] = store.text(report_id).split("\n")
    return lines[max(0, first - 1):last]


def quote_rows(store, report_id: int, spans: list[tuple[int, int]]) -> str:
    out = []
    for a, b in sorted(set(spans)):
        if b - a + 1 > MAX_ROW_LINES:
            a = b - MAX_ROW_LINES + 1
        out.append(compact(text_lines(store, report_id, a, b)))
    return "\n".join(out)


def _citation(n: int, store, facts: list[dict], by_row: dict, value, checks_failed: int, label: str = "") -> Citation:
    f0 = facts[0]
    spans = [row_span(by_row, f["row"]) for f in facts]
    quote = quote_rows(store, f0["report_id"], spans)
    if f0["table"] == "review_litigation":
        # its numbers stand on a line of their own: quote the column headings above them too
        head = review_header(store, f0["report_id"], min(sp[0] for sp in spans))
        if head:
            quote = head[1] + "\n" + quote
            spans.append((head[0], head[0]))
    rows = sorted({f["row"] for f in facts}, key=lambda r: spans[[g["row"] for g in facts].index(r)])
    cols = sorted({f["column"] for f in facts})
    row_label = label or (f0["row_label"] if len(rows) == 1 else "、".join(T.row_label(f0["table"], r) for r in rows))
    col_label = f0["column_label"] if len(cols) == 1 else "、".join(T.column_label(f0["table"], c) for c in cols)
    cit = Citation(n=n, report=f0["report"], agency=f0["agency"], year=f0["year"],
                   section=T.TABLE_TITLES[f0["table"]], row=row_label, column=col_label, quote=quote,
                   lines=[min(s[0] for s in spans), max(s[1] for s in spans)], value=value,
                   report_id=f0["report_id"], table=f0["table"], row_key=",".join(rows),
                   column_key=",".join(cols), checks_failed=checks_failed)
    set_boxes(cit, cell_boxes(store, facts))
    return cit


def cell_boxes(store, facts: list[dict]) -> list[dict]:
    """[{page, bbox}] of the printed cells of a PDF report, one per fact that has a box."""
    out = []
    for f in facts:
        got = store.cell_boxes(f["report_id"]).get((f["table"], f["row"], f["column"])) \
            if hasattr(store, "cell_boxes") else None
        if got is not None:
            out.append({"page": got[0], "bbox": list(got[1])})
    return out


def set_boxes(cit: Citation, boxes: list[dict]) -> None:
    if boxes:
        cit.boxes = boxes
        cit.page, cit.bbox = boxes[0]["page"], boxes[0]["bbox"]


def text_boxes(store, report_id: int, first: int, last: int, head: str = "", tail: str = "") -> list[dict]:
    """[{page, bbox}] of lines first..last of a PDF report: one box per printed line, the first
    from where `head` starts in it, the last up to where `tail` ends (a sentence that starts or
    ends inside a line)."""
    from ..pdfpages import span_box
    got = store.line_boxes(report_id, first, last)
    if not got:
        return []
    lines = text_lines(store, report_id, first, last)
    out = []
    for ln in range(first, last + 1):
        if ln not in got:
            continue
        page, runs = got[ln]
        text = lines[ln - first] if ln - first < len(lines) else ""
        start, end = 0, len(text)
        if ln == first and head:
            at = text.find(head[:6])
            start = at if at >= 0 else 0
        if ln == last and tail:
            at = text.rfind(tail[-6:])
            end = at + len(tail[-6:]) if at >= 0 else end
        box = span_box(runs, start, end)
        if box is not None:
            out.append({"page": page, "bbox": list(box)})
    return out


def attach_text_boxes(store, answer) -> None:
    """Boxes for the prose citations of an answer (lines of a PDF report), where none are set."""
    if not hasattr(store, "line_boxes"):
        return
    for c in answer.citations:
        if c.boxes or c.table or c.report_id is None:
            continue
        rep = store.report(c.report_id)
        if rep is None or rep.source_format != "pdf":
            continue
        quote = [l for l in (c.quote or "").split("\n") if l.strip()]
        set_boxes(c, text_boxes(store, c.report_id, c.lines[0], c.lines[1],
                                quote[0].strip() if quote else "", quote[-1].strip() if quote else ""))


def review_header(store, report_id: int, first_value_line: int, max_lines: int = 6) -> tuple[int, str] | None:
    """(first line, text) of the printed column headings of section 四 above its numbers, when
    they are short enough to quote (tab or Markdown layouts); None otherwise."""
    from ..tables import find_regions
    key = ("review_region", report_id)
    region = store._cache.get(key, "unset")
    if region == "unset":
        region = store._cache[key] = find_regions(text_lines(store, report_id, 1, 10 ** 9)).get("review_litigation")
    if not region:
        return None
    start = region[0] + 1  # 1-based
    lines = [(i, l) for i, l in enumerate(text_lines(store, report_id, start, first_value_line - 1), start) if l.strip()]
    if not lines or len(lines) > max_lines:
        return None
    return lines[0][0], compact([l for _, l in lines])


def cite_cell(store, cv: CellValue, start: int, checks_failed: int = 0) -> list[Citation]:
    """Citations for a CellValue: their values add up to cv.value, each value stands in its quote."""
    cits: list[Citation] = []
    for fact in cv.facts:
        parts = printed_parts(fact, cv.row_facts)
        if len(parts) == 1:
            cits.append(_citation(start + len(cits), store, parts, cv.row_facts, parts[0]["value"], checks_failed))
            continue
        nonzero = [p for p in parts if p["value"]]
        zeros = [p for p in parts if p["value"] == 0]
        blanks = [p for p in parts if p["value"] is None]
        for p in nonzero:
            cits.append(_citation(start + len(cits), store, [p], cv.row_facts, p["value"], checks_failed))
        if zeros:
            cits.append(_citation(start + len(cits), store, zeros, cv.row_facts, 0, checks_failed,
                                  label=_group_label(fact, zeros, nonzero)))
        if blanks:
            cits.append(_citation(start + len(cits), store, blanks, cv.row_facts, None, checks_failed))
    return cits


def _group_label(fact: dict, zeros: list[dict], nonzero: list[dict]) -> str:
    rows = {z["row"] for z in zeros}
    if len(rows) == 1 and len(zeros) > 1:
        return zeros[0]["row_label"]
    what = T.row_label(fact["table"], fact["row"])
    return f"{what}：{'其余' if nonzero else '各'}分项" if len(rows) > 1 else zeros[0]["row_label"]
