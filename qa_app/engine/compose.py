"""Words and citations for answers: how a cell is named in Chinese, its unit, and a citation
that quotes the printed row it came from. Pure helpers over fact records (store.Store.facts).
"""
from __future__ import annotations

import re

from .. import template as T
from ..answer import Citation

APP_COLUMN_SHORT = {"natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
                    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他组织",
                    "total": "总计", "legal_person_or_org": "法人或其他组织"}


def clean_label(label: str) -> str:
    """「(二)部分公开(区分处理的,只计这一情形,不计其他情形)」 -> 「部分公开」."""
    s = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]|^\d+[.、]", "", label)
    s = re.sub(r"[(（].*?[)）]$", "", s)
    return s.replace("“", "").replace("”", "")


def row_phrase(table: str, row: str) -> str:
    if table == "applications":
        if row == "new_received":
            return "新收政府信息公开申请"
        if row == "carried_over":
            return "上年结转的政府信息公开申请"
        if row == "total":
            return "本年度办理结果总计"
        if row == "carried_forward":
            return "结转下年度继续办理的申请"
        label = clean_label(T.row_label(table, row))
        if "." in row:
            group = clean_label(T.row_label(table, row.split(".")[0]))
            return f"{group}（{label}）"
        return label
    if table == "review_litigation":
        return {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after_review": "行政诉讼（复议后起诉）", "litigation": "行政诉讼"}[row]
    return T.row_label(table, row)


def column_phrase(table: str, column: str) -> str:
    if table == "applications":
        return APP_COLUMN_SHORT.get(column, column)
    if table == "review_litigation":
        return {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                "total": "总计"}[column]
    return T.column_label(table, column)


def unit(table: str, column: str) -> str:
    if table == "proactive" and column == "amount":
        return "万元"
    if table == "proactive" and column in ("change",):
        return ""
    return "件"


def fmt(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def cell_sentence(agency: str, year, table: str, row: str, column: str, value, column_named: bool,
                  breakdown: str = "") -> str:
    """「红谷滩区政府办2023年部分公开12件（自然人11件、商业企业1件）」."""
    who = f"{agency}{year}年" if year else agency
    u = unit(table, column)
    if table == "applications":
        what = row_phrase(table, row)
        if column_named and column != "total":
            return f"{who}{what}的申请中，{column_phrase(table, column)}{fmt(value)}{u}"
        return f"{who}{what}{fmt(value)}{u}{breakdown}"
    if table == "review_litigation":
        col = column_phrase(table, column)
        col = "" if column == "total" else col
        return f"{who}{row_phrase(table, row)}{col}{fmt(value)}{u}"
    col = column_phrase(table, column)
    return f"{who}{row_phrase(table, row)}（{col}）为{fmt(value)}{u}"


def breakdown_text(facts_by_col: dict, table: str, row: str) -> str:
    """「（自然人11件、商业企业1件）」: the non-zero applicant columns of a row."""
    if table != "applications":
        return ""
    parts = []
    for col in ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                "legal_service_org", "other_org"):
        f = facts_by_col.get(col)
        if f and f["value"]:
            parts.append(f"{APP_COLUMN_SHORT[col]}{fmt(f['value'])}件")
    total = facts_by_col.get("total")
    if not parts or (len(parts) == 1 and total and total["value"] == facts_by_col.get("natural_person", {}).get("value")
                     and parts[0].startswith("自然人") and False):
        return ""
    return "（" + "、".join(parts) + "）"


def quote_lines(store, report_id: int, first: int, last: int, max_lines: int = 14) -> tuple[str, list[int]]:
    """The printed lines first..last (shortened to max_lines around the end), empty lines dropped."""
    if last - first + 1 > max_lines:
        first = last - max_lines + 1
    lines = store.lines(report_id, first, last)
    text = "\n".join(l.rstrip() for l in lines if l.strip())
    return text, [first, last]


def table_citation(n: int, store, facts: list[dict], value_fact: dict, checks_failed: int = 0) -> Citation:
    """Cite the printed row (or the derived row's printed sub-rows) a value came from."""
    first = min(f["lines"][0] for f in facts)
    last = max(f["lines"][1] for f in facts)
    quote, lines = quote_lines(store, value_fact["report_id"], first, last,
                               max_lines=14 if not value_fact["derived"] else 40)
    table = value_fact["table"]
    return Citation(n=n, report=value_fact["report"], agency=value_fact["agency"], year=value_fact["year"],
                    section=T.TABLE_TITLES[table], row=value_fact["row_label"] + ("（推算：各分项之和）" if value_fact["derived"] else ""),
                    column=value_fact["column_label"], quote=quote, lines=lines, value=value_fact["value"],
                    report_id=value_fact["report_id"], table=table, row_key=value_fact["row"],
                    column_key=value_fact["column"], checks_failed=checks_failed)
