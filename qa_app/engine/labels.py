"""Every Chinese name the answers use for a row, a column, an op and a report, in one place:
from template.py's labels and the lexicon's records (units, op names). Pure; no wording of whole
sentences (compose.py), no matching of questions (lexicon.py).
"""
from __future__ import annotations

import re

from .. import template as T

APP_COLUMN_SHORT = {"natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
                    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他组织",
                    "total": "总计", "legal_person_or_org": "法人或其他组织"}
APP_ROW_PHRASE = {"new_received": "新收政府信息公开申请", "carried_over": "上年结转政府信息公开申请",
                  "total": "办理结果总计", "carried_forward": "结转下年度继续办理"}
REVIEW_ROW_PHRASE = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                     "litigation_after_review": "行政诉讼（复议后起诉）", "litigation": "行政诉讼"}
REVIEW_COL_PHRASE = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                     "total": "总计"}
PROACTIVE_VERB = {"issued": "本年制发", "repealed": "本年废止", "in_force": "现行有效", "made": "本年新制作",
                  "published": "本年新公开", "total_public": "对外公开总数"}


def clean_label(label: str) -> str:
    """「(二)部分公开(区分处理的,只计这一情形,不计其他情形)」 -> 「部分公开」."""
    s = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]|^\d+[.、]", "", label)
    s = re.sub(r"[(（].*?[)）]$", "", s)
    return s.replace("“", "").replace("”", "")


def row_phrase(table: str, row: str) -> str:
    if table == "applications":
        if row in APP_ROW_PHRASE:
            return APP_ROW_PHRASE[row]
        label = clean_label(T.row_label(table, row))
        if "." in row:
            group = clean_label(T.row_label(table, row.split(".")[0]))
            return f"{group}（{label}）"
        return label
    if table == "review_litigation":
        return REVIEW_ROW_PHRASE[row]
    return T.row_label(table, row)


def sub_row_phrase(table: str, row: str) -> str:
    """A sub-row on its own: 「本机关不掌握相关政府信息」."""
    return clean_label(T.row_label(table, row))


def column_phrase(table: str, column: str) -> str:
    if table == "applications":
        return APP_COLUMN_SHORT.get(column, column)
    if table == "review_litigation":
        return REVIEW_COL_PHRASE[column]
    return T.column_label(table, column)


def unit(table: str, column: str) -> str:
    """The unit a cell counts in (the lexicon's unit records)."""
    from .lexicon import lexicon
    return lexicon().unit_of(table, column)


def what_phrase(table: str, row: str, column: str, column_named: bool) -> str:
    """What a value counts, without the body: 「部分公开」, 「行政许可处理决定」, 「现行有效行政规范性文件」."""
    if table == "applications":
        what = row_phrase(table, row)
        if column_named and column != "total":
            what += f"（{column_phrase(table, column)}）"
        return what
    if table == "review_litigation":
        what = row_phrase(table, row)
        if column != "total":
            what += f"（{column_phrase(table, column)}）"
        return what
    if column == "total_public":
        return T.row_label(table, row) + "对外公开总数"
    if column in PROACTIVE_VERB:
        return PROACTIVE_VERB[column] + T.row_label(table, row)
    if column == "decisions":
        return T.row_label(table, row) + "处理决定"
    if column == "amount":
        return T.row_label(table, row) + ("金额" if row == "administrative_fees" else "总金额")
    return f"{T.row_label(table, row)}（{T.column_label(table, column)}）"



OP_NAMES = {"lookup": "查询", "sum": "合计", "avg": "平均值", "median": "中位数", "max": "最多", "min": "最少",
            "rank": "排名", "compare": "对比", "change": "年度变化", "trend": "逐年数字", "outcomes": "办理结果构成",
            "positive": "符合条件的单位", "zero": "为零的单位", "share": "占比", "share_each": "各单位占比",
            "checks": "勾稽核对", "by_region": "按地区合计", "list_reports": "库中报告", "prose": "正文内容"}


def report_label(rep) -> str:
    """「红旗区信访局2023年报告」; a report whose body or year was not recognised by its file name."""
    if rep is None:
        return "报告"
    name = rep.agency or f"未识别机关的报告（{rep.file_name}）"
    if not rep.agency:
        return name + (f"（{rep.year}年）" if rep.year else "")
    return f"{name}{rep.year}年报告" if rep.year else f"{name}（未识别年度）报告"
