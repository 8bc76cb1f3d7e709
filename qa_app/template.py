"""The national annual-report template, held as data: tables, rows, columns, derived values, checks.

This module is the one place that knows the template (国办公开办函〔2019〕60号 and 〔2021〕30号).
The table reader matches printed labels against `Row.match`, the checks run `CHECKS`, the
question engine finds cells by `Row.words` / `Column.words`. Nothing here reads a file.

Canonical keys are those of shared/template.md: a fact is (table, row, column) -> value.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    words: tuple[str, ...] = ()  # how people ask for it (Chinese and English)
    derived: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    # Regular expressions matched against the printed label with white space removed and
    # full-width forms folded (NFKC). The reader picks the row whose match ends last.
    match: tuple[str, ...]
    columns: tuple[str, ...]  # printed value columns, in printed order
    words: tuple[str, ...] = ()
    derived_from: tuple[str, ...] = ()  # a derived (group) row: the printed rows it sums
    formats: tuple[str, ...] = ("2019", "2021")
    optional: bool = False  # printed by some reports only


@dataclass(frozen=True)
class Table:
    key: str
    section: str  # the section title as printed in the template
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# ---------------------------------------------------------------------------------------
# Section 三: applications
APP_COLS = ("natural_person", "commercial_enterprise", "research_institution",
            "social_welfare_org", "legal_service_org", "other_org", "total")
ORG_COLS = APP_COLS[1:6]

APPLICATION_COLUMNS = (
    Column("natural_person", "自然人", ("自然人", "个人", "公民", "natural person", "individual")),
    Column("commercial_enterprise", "商业企业", ("商业企业", "企业", "公司", "business", "enterprise", "compan")),
    Column("research_institution", "科研机构", ("科研机构", "科研", "research")),
    Column("social_welfare_org", "社会公益组织", ("社会公益组织", "公益组织", "公益", "welfare", "non-profit", "ngo")),
    Column("legal_service_org", "法律服务机构", ("法律服务机构", "法律服务", "律师", "law firm", "legal service")),
    Column("other_org", "其他", ("其他组织", "其他法人")),
    Column("total", "总计", ("总计", "合计", "总数", "一共", "共", "total")),
    Column("legal_person_or_org", "法人或其他组织", ("法人或其他组织", "法人", "组织", "legal person", "organi"),
           derived=True),
)

_A = APP_COLS


def _r(key, label, match, words=(), **kw):
    return Row(key, label, tuple(match), kw.pop("columns", _A), tuple(words), **kw)


APPLICATION_ROWS = (
    _r("new_received", "一、本年新收政府信息公开申请数量", [r"本年新收", r"新收.*申请数量"],
       ["新收", "收到", "受理", "接收", "接到", "申请数量", "申请数", "多少件申请", "多少申请",
        "received", "receive", "new request", "requests", "applications"]),
    _r("carried_over", "二、上年结转政府信息公开申请数量", [r"上年结转", r"上年度结转"],
       ["上年结转", "上年度结转", "去年结转", "从上年结转", "carried over from", "previous year", "from last year"]),
    _r("granted", "(一)予以公开", [r"予以公开"], ["予以公开", "全部公开", "同意公开", "公开了", "granted", "fully disclos"]),
    _r("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", [r"部分公开"],
       ["部分公开", "partially", "partial"]),
    _r("denied", "(三)不予公开", [r"不予公开"], ["不予公开", "不公开", "拒绝公开", "denied", "deny", "refused", "refuse", "withheld", "rejected"],
       derived_from=tuple(f"denied.{k}" for k in ("state_secret", "prohibited_by_law",
                                                  "endangers_safety_stability", "third_party_rights",
                                                  "internal_affairs", "process_information",
                                                  "law_enforcement_file", "administrative_query")),
       optional=True),
    _r("denied.state_secret", "1.属于国家秘密", [r"国家秘密"], ["国家秘密", "涉密", "state secret"]),
    _r("denied.prohibited_by_law", "2.其他法律行政法规禁止公开",
       [r"法律行政法规禁止", r"其他法律", r"行政止公开", r"法规禁止"], ["法律行政法规禁止", "法律法规禁止", "prohibited by law"]),
    _r("denied.endangers_safety_stability", "3.危及“三安全一稳定”", [r"三安全", r"一稳定"],
       ["三安全一稳定", "危及安全", "危及", "三安全"]),
    _r("denied.third_party_rights", "4.保护第三方合法权益", [r"第三方"], ["第三方", "商业秘密", "个人隐私", "隐私", "third part", "privacy", "trade secret"]),
    _r("denied.internal_affairs", "5.属于三类内部事务信息", [r"内部事务"], ["内部事务", "internal affair"]),
    _r("denied.process_information", "6.属于四类过程性信息", [r"过程性"], ["过程性信息", "过程性", "process information"]),
    _r("denied.law_enforcement_file", "7.属于行政执法案卷", [r"执法案卷"], ["执法案卷", "行政执法案卷", "enforcement file"]),
    _r("denied.administrative_query", "8.属于行政查询事项", [r"行政查询"], ["行政查询", "查询事项", "administrative query"]),
    _r("unavailable", "(四)无法提供", [r"无法提供"], ["无法提供", "不能提供", "unavailable", "cannot provide", "could not provide"],
       derived_from=("unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear_after_correction"),
       optional=True),
    _r("unavailable.not_held", "1.本机关不掌握相关政府信息", [r"不掌握"], ["不掌握", "本机关不掌握", "信息不存在", "不存在", "not held", "does not hold", "does not exist"]),
    _r("unavailable.needs_creation", "2.没有现成信息需要另行制作", [r"另行制作", r"没有现成"],
       ["另行制作", "没有现成", "需要制作", "needs creation"]),
    _r("unavailable.unclear_after_correction", "3.补正后申请内容仍不明确", [r"仍不明确", r"补正后"],
       ["补正后", "仍不明确", "内容不明确", "unclear"]),
    _r("not_processed", "(五)不予处理", [r"不予处理"], ["不予处理", "不处理", "not processed"],
       derived_from=tuple(f"not_processed.{k}" for k in ("petition_complaint", "duplicate", "publication",
                                                         "excessive", "confirm_or_reissue")),
       optional=True),
    _r("not_processed.petition_complaint", "1.信访举报投诉类申请", [r"信访举报", r"举报投诉"],
       ["信访举报投诉", "信访", "举报投诉", "投诉", "petition", "complaint"]),
    _r("not_processed.duplicate", "2.重复申请", [r"重复申请"], ["重复申请", "重复", "duplicate"]),
    _r("not_processed.publication", "3.要求提供公开出版物", [r"公开出版物", r"出版物"], ["出版物", "publication"]),
    _r("not_processed.excessive", "4.无正当理由大量反复申请", [r"大量反复", r"反复申请"], ["大量反复", "反复申请", "excessive"]),
    _r("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息", [r"重新出具", r"确认或重新", r"已获取信息"],
       ["重新出具", "确认或重新出具", "reissue"]),
    # (六) printed as one row (2019 format, and some 2021-format reports); derived otherwise.
    _r("other", "(六)其他处理", [r"其他处理"], ["其他处理", "other handling", "other outcome"],
       derived_from=("other.no_correction", "other.unpaid_fee", "other.other"), optional=True),
    _r("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
       [r"不补正", r"逾期不补"], ["逾期不补正", "不补正", "no correction"], formats=("2021",)),
    _r("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
       [r"缴纳费用", r"收费通知", r"未按收费"], ["未缴费", "缴纳费用", "逾期未缴", "unpaid fee"], formats=("2021",)),
    _r("other.other", "3.其他", [r"(?:^|[^\d])3[.、．)]?其他$", r"(?:^|[^\d])3[.、．)]?其他(?!处理|法律|结果|组织|情形)"],
       ["其他处理中的其他"], formats=("2021",)),
    _r("total", "(七)总计", [r"七\)?总计", r"办理结果总计", r"^总计$", r"七\)?合计", r"^合计$"],
       ["办理结果总计", "办理结果", "处理结果", "总计", "办结", "办理完", "办理了", "共办理", "处理了", "答复了", "答复", "处理总数",
        "handled", "answered", "outcomes in total", "total outcome"]),
    _r("carried_forward", "四、结转下年度继续办理", [r"结转下年", r"下年度继续", r"继续办理"],
       ["结转下年", "结转到下年", "转入下年", "下年度继续办理", "继续办理", "carried forward", "carry forward",
        "to next year", "into next year"]),
)

APPLICATIONS = Table("applications", "三、收到和处理政府信息公开申请情况", APPLICATION_ROWS, APPLICATION_COLUMNS)

# ---------------------------------------------------------------------------------------
# Section 二: proactive disclosure. Column sets differ between the 2019 and 2021 formats.
PROACTIVE_COLUMNS = (
    Column("issued", "本年制发件数", ("制发", "发布", "出台", "issued")),
    Column("repealed", "本年废止件数", ("废止", "repealed")),
    Column("in_force", "现行有效件数", ("现行有效", "有效", "in force")),
    Column("decisions", "本年处理决定数量", ("决定", "处理决定", "多少件", "decision")),
    Column("amount", "本年收费金额（单位：万元）", ("金额", "收费金额", "多少钱", "万元", "amount")),
    Column("made", "本年新制作数量", ("新制作", "制作")),
    Column("published", "本年新公开数量", ("新公开",)),
    Column("total_public", "对外公开总数量", ("对外公开总数", "公开总数")),
    Column("previous_year_items", "上一年项目数量", ("上一年项目", "项目数量")),
    Column("change", "本年增/减", ("增减", "增/减", "变化")),
    Column("items", "采购项目数量", ("采购项目", "项目数")),
)

PROACTIVE_ROWS_2021 = (
    Row("regulations", "规章", (r"规章",), ("issued", "repealed", "in_force"), ("规章", "regulation")),
    Row("normative_documents", "行政规范性文件", (r"规范性文件",), ("issued", "repealed", "in_force"),
        ("规范性文件", "normative document")),
    Row("administrative_licensing", "行政许可", (r"行政许可",), ("decisions",), ("行政许可", "许可", "licens")),
    Row("administrative_punishment", "行政处罚", (r"行政处罚",), ("decisions",), ("行政处罚", "处罚", "punish", "penalt")),
    Row("administrative_coercion", "行政强制", (r"行政强制",), ("decisions",), ("行政强制", "强制", "coerc")),
    Row("administrative_fees", "行政事业性收费", (r"事业性收费", r"^收费$"), ("amount",),
        ("行政事业性收费", "事业性收费", "收费", "fee")),
)
PROACTIVE_ROWS_2019 = (
    Row("regulations", "规章", (r"规章",), ("made", "published", "total_public"), ("规章", "regulation"), formats=("2019",)),
    Row("normative_documents", "规范性文件", (r"规范性文件",), ("made", "published", "total_public"),
        ("规范性文件", "normative document"), formats=("2019",)),
    Row("administrative_licensing", "行政许可", (r"行政许可",), ("previous_year_items", "change", "decisions"),
        ("行政许可", "许可", "licens"), formats=("2019",)),
    Row("other_management_services", "其他对外管理服务事项", (r"其他对外管理", r"对外管理服务"),
        ("previous_year_items", "change", "decisions"), ("其他对外管理服务",), formats=("2019",)),
    Row("administrative_punishment", "行政处罚", (r"行政处罚",), ("previous_year_items", "change", "decisions"),
        ("行政处罚", "处罚", "punish", "penalt"), formats=("2019",)),
    Row("administrative_coercion", "行政强制", (r"行政强制",), ("previous_year_items", "change", "decisions"),
        ("行政强制", "强制", "coerc"), formats=("2019",)),
    Row("administrative_fees", "行政事业性收费", (r"事业性收费",), ("previous_year_items", "change"),
        ("行政事业性收费", "事业性收费", "收费", "fee"), formats=("2019",)),
    Row("centralized_procurement", "政府集中采购", (r"集中采购",), ("items", "amount"), ("集中采购", "采购", "procurement"),
        formats=("2019",)),
)

PROACTIVE = Table("proactive", "二、主动公开政府信息情况", PROACTIVE_ROWS_2021 + PROACTIVE_ROWS_2019[3:4]
                  + PROACTIVE_ROWS_2019[7:], PROACTIVE_COLUMNS)

# ---------------------------------------------------------------------------------------
# Section 四: administrative review and litigation: one printed row of 15 numbers.
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_COLUMNS = (
    Column("upheld", "结果维持", ("维持", "upheld")),
    Column("corrected", "结果纠正", ("纠正", "corrected", "overturned")),
    Column("other", "其他结果", ("其他结果", "other result")),
    Column("pending", "尚未审结", ("尚未审结", "未审结", "未结", "pending")),
    Column("total", "总计", ("总计", "总数", "一共", "共", "多少", "total")),
)
REVIEW_ROWS = (
    Row("review", "行政复议", (r"行政复议",), REVIEW_COLS, ("行政复议", "复议", "administrative review", "review")),
    Row("litigation_direct", "行政诉讼·未经复议直接起诉", (r"未经复议", r"直接起诉"), REVIEW_COLS,
        ("未经复议直接起诉", "直接起诉", "直接诉讼", "direct")),
    Row("litigation_after_review", "行政诉讼·复议后起诉", (r"复议后起诉",), REVIEW_COLS,
        ("复议后起诉", "复议后诉讼", "after review")),
)
REVIEW_LITIGATION = Table("review_litigation", "四、政府信息公开行政复议、行政诉讼情况", REVIEW_ROWS, REVIEW_COLUMNS)

TABLES = {t.key: t for t in (PROACTIVE, APPLICATIONS, REVIEW_LITIGATION)}
TABLE_TITLES = {"proactive": "二、主动公开政府信息情况", "applications": "三、收到和处理政府信息公开申请情况",
                "review_litigation": "四、政府信息公开行政复议、行政诉讼情况"}


def proactive_rows(fmt: str) -> tuple[Row, ...]:
    return PROACTIVE_ROWS_2019 if fmt == "2019" else PROACTIVE_ROWS_2021


def row_label(table: str, row: str) -> str:
    t = TABLES[table]
    for r in t.rows + (PROACTIVE_ROWS_2019 if table == "proactive" else ()):
        if r.key == row:
            return r.label
    return row


# Short names of the application rows, as people write them in a sentence.
SHORT_ROW_LABELS = {
    "new_received": "本年新收", "carried_over": "上年结转", "granted": "予以公开", "partially_granted": "部分公开",
    "denied": "不予公开", "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他处理",
    "total": "办理结果总计", "carried_forward": "结转下年度继续办理",
    "other.no_correction": "其他处理 · 1.逾期不补正", "other.unpaid_fee": "其他处理 · 2.逾期未缴纳费用",
}


def short_row_label(table: str, row: str) -> str:
    """「部分公开」 for (二)部分公开(区分处理的,…); a sub-row keeps its group:
    「不予公开 · 1.属于国家秘密」; section 四 rows: 「行政复议」, 「未经复议直接起诉」.

    >>> short_row_label("applications", "unavailable.not_held"), short_row_label("review_litigation", "litigation_direct")
    ('无法提供 · 1.本机关不掌握相关政府信息', '未经复议直接起诉')
    """
    if table == "applications":
        if row in SHORT_ROW_LABELS:
            return SHORT_ROW_LABELS[row]
        group = row.split(".")[0]
        if group in SHORT_ROW_LABELS:
            return f"{SHORT_ROW_LABELS[group]} · {row_label(table, row)}"
    return row_label(table, row).split("·")[-1]


_TABLE_ORDER = ("proactive", "applications", "review_litigation")


def _orders():
    rows, cols = {}, {}
    for t in _TABLE_ORDER:
        seq = TABLES[t].rows + (PROACTIVE_ROWS_2019 if t == "proactive" else ())
        rows[t] = {}
        for r in seq:
            rows[t].setdefault(r.key, len(rows[t]))
        keys = [c.key for c in TABLES[t].columns]
        if t == "applications":  # 法人或其他组织 heads the five org columns it sums
            keys = ["natural_person", "legal_person_or_org"] + [k for k in keys if k not in ("natural_person", "legal_person_or_org")]
        cols[t] = {k: i for i, k in enumerate(keys)}
    return rows, cols


_ROW_ORDER, _COL_ORDER = _orders()


def cell_order(table: str, row: str, col: str) -> tuple[int, int, int]:
    """Sort key putting cells in the order the template prints them: section 二, 三, 四; rows
    top to bottom (a group row before its sub-rows); columns left to right."""
    t = _TABLE_ORDER.index(table) if table in _TABLE_ORDER else len(_TABLE_ORDER)
    return (t, _ROW_ORDER.get(table, {}).get(row, 999), _COL_ORDER.get(table, {}).get(col, 999))


def column_label(table: str, col: str) -> str:
    for c in TABLES[table].columns:
        if c.key == col:
            return c.label
    return col


# ---------------------------------------------------------------------------------------
# Derived values: (table, row, column) computed from printed cells. Group rows sum their
# sub-rows; the legal_person_or_org column sums the five org columns.
GROUP_ROWS = {r.key: r.derived_from for r in APPLICATION_ROWS if r.derived_from}


@dataclass(frozen=True)
class Check:
    """One 勾稽 identity: `left` cells sum to `right` cells (row or column keys)."""
    key: str
    table: str
    description: str
    # For column-wise checks: row keys on each side, evaluated per column in `over`.
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    over: tuple[str, ...] = ()
    # For row-wise checks: column keys on each side, evaluated per row in `over_rows`.
    by_row: bool = False
    over_rows: tuple[str, ...] = field(default=())


_APP_ROWS_PRINTED = tuple(r.key for r in APPLICATION_ROWS if not r.derived_from or r.key == "other")

CHECKS = (
    Check("applications.balance", "applications", "新收 + 上年结转 = 办理结果总计 + 结转下年度",
          left=("new_received", "carried_over"), right=("total", "carried_forward"), over=APP_COLS),
    Check("applications.outcomes", "applications", "办理结果总计 = 予以公开 + 部分公开 + 不予公开 + 无法提供 + 不予处理 + 其他处理",
          left=("total",), right=("granted", "partially_granted", "denied", "unavailable", "not_processed", "other"),
          over=APP_COLS),
    Check("applications.row_total", "applications", "总计 = 自然人 + 法人或其他组织（五列）",
          left=("total",), right=("natural_person",) + ORG_COLS, by_row=True),
    Check("review_litigation.row_total", "review_litigation", "总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
          left=("total",), right=("upheld", "corrected", "other", "pending"), by_row=True,
          over_rows=("review", "litigation_direct", "litigation_after_review")),
)
