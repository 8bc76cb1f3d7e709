"""One table of a report as an HTML page, rows and columns as the report printed them (the
stored cells of that report, in the template's order and with its Chinese labels), the cited
cells marked. For citations of HTML, DOCX, markdown and text reports, which have no page image.

Pure: takes fact records (Store.facts) and gives a string. Every text from a report is escaped;
the page is self-contained (inline CSS, no script, no image, no link to another host).
Does not read files, load a PDF library or draw PDF pages (pdfpages.py does that)."""
from __future__ import annotations

import html

from . import template as T

HIT_BG = "#fff3bf"


def parse_highlight(spec: str) -> tuple[str, str]:
    """'row:column' (template keys, e.g. partially_granted:total) -> (row, column); ValueError."""
    row, sep, col = spec.partition(":")
    if not sep or not row or not col or len(spec) > 130:
        raise ValueError(spec)
    return row, col


def value_text(v) -> str:
    """A cell's value as printed: 「空」 for a blank, 12 for 12.0."""
    if v is None:
        return "空"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _rows_for(table: str, fmt: str | None):
    rows = T.TABLES[table].rows
    if table == "proactive":
        first = T.proactive_rows(fmt or "2021")
        rows = first + tuple(r for r in rows if r.key not in {x.key for x in first})
    return rows


def blocks(recs: list[dict], table: str, fmt: str | None = None) -> list[dict]:
    """The table's blocks: rows that print the same columns form one block (section 二's 规章 /
    行政许可 / 收费 print different columns). Each {"columns": [key], "rows": [key]}."""
    cells = {(f["row"], f["column"]) for f in recs}
    tmpl = {r.key: r for r in _rows_for(table, fmt)}
    present = list(dict.fromkeys(f["row"] for f in recs))
    order = [k for k in tmpl if k in present] + [k for k in present if k not in tmpl]
    col_order = [c.key for c in T.TABLES[table].columns]
    groups: dict[tuple, list[str]] = {}
    for rk in order:
        key = tmpl[rk].columns if rk in tmpl else tuple(c for (r, c) in cells if r == rk)
        groups.setdefault(tuple(key), []).append(rk)
    out = []
    for key, rks in groups.items():
        cols = sorted({c for (r, c) in cells if r in rks} | set(key),
                      key=lambda c: col_order.index(c) if c in col_order else len(col_order))
        out.append({"columns": cols, "rows": rks})
    return out


def table_html(recs: list[dict], table: str, highlight: set[tuple[str, str]] = frozenset(),
               title: str = "", fmt: str | None = None, page: bool = True) -> str:
    """The table as HTML; cells in `highlight` ((row, column) keys) get class qa-hit and a yellow
    background. page=False gives the <table> elements only (for embedding in the chat)."""
    cells = {(f["row"], f["column"]): f for f in recs}
    derived_cols = {c.key for c in T.TABLES[table].columns if c.derived}
    parts = []
    for b in blocks(recs, table, fmt):
        head = "".join(f"<th>{html.escape(T.column_label(table, ck))}"
                       f"{'（推算）' if ck in derived_cols else ''}</th>" for ck in b["columns"])
        body = []
        for rk in b["rows"]:
            row_derived = all(f["derived"] for f in recs if f["row"] == rk)
            tds = []
            for ck in b["columns"]:
                f = cells.get((rk, ck))
                hit = (rk, ck) in highlight
                attrs = f' class="qa-hit" style="background:{HIT_BG};font-weight:700;outline:2px solid #f08c00"' if hit else ""
                tds.append(f'<td data-row="{html.escape(rk)}" data-col="{html.escape(ck)}"{attrs}>'
                           f"{html.escape(value_text(f['value'] if f else None))}</td>")
            label = html.escape(T.row_label(table, rk)) + ("（推算）" if row_derived else "")
            body.append(f"<tr><th scope=\"row\">{label}</th>{''.join(tds)}</tr>")
        parts.append(f'<table class="qa-table"><thead><tr><th>项目</th>{head}</tr></thead>'
                     f"<tbody>{''.join(body)}</tbody></table>")
    style = ("<style>.qa-table{border-collapse:collapse;margin:0 0 1em;font-size:14px}"
             ".qa-table th,.qa-table td{border:1px solid #bbb;padding:3px 8px}"
             ".qa-table td{text-align:right}.qa-table tbody th{text-align:left;font-weight:normal}.qa-table thead th{background:#f1f3f5}</style>")
    inner = style + "".join(parts)
    if not page:
        return inner
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<h3>{html.escape(title)}</h3>{inner}"
            "<p style=\"color:#666;font-size:12px\">标黄的是所引用的格子；表格按报告所载的行和列排列。</p></body></html>")
