"""Renderers for the table-layout fuzzer: known cell values -> a report in some real-world shape.

What it does: `Values` holds every printed cell of a 2021-format report (section 二, 三, 四;
None = the report left the cell blank). `values()` is a hypothesis strategy for values that
satisfy the template's identities (or come from a truth file); `quirks()` draws a combination of
the quirks of ../shared/template.md 「Layouts seen in real reports」 and issue 13; `render(values,
quirks, tmp)` writes the report as the file the product would be given (txt, md, html, docx, pdf)
and returns its path. `read(path)` reads it back through the product's own path (loaders.load +
report.parse_report) and `diff(values, parsed)` lists every cell not returned exactly.

What it does not do: judge the reader (tests/test_layout_fuzz.py and bench/bench_fuzz.py do),
or render body/year title forms (the metadata fuzzer's job).

Families (`Quirks.layout`): pdf_text (label then numbers, wraps, pushed numbers), pdf_blocks
(plain pdftotext reading order: section 三's labels in one block, its numbers in another), tabs, pipes
(one cell per line, 「 |」 after each), cells_nosep (one cell per line, blanks as empty lines),
box (box-drawing), md (pipe tables), md_llm (one table per row group, 数据1…数据6 columns,
bogus header rows, a label in one row and its numbers in the next, a label split over two
cells), html (rowspan/colspan), html_word (Word export: spans, &nbsp;, a group label split
into two rowspan cells), docx (python-docx, merged cells), pdf (reportlab, a smaller family).
Scraped web pages (`SCRAPED`, `scraped_quirks`, `render_scraped`): the HTML grids flattened by a
crawler — scraped_rows (a lone 「|」 opening each row), scraped_spans (colspan pipes on lines of
their own), scraped_inline (a row a line), scraped_paras (each cell a paragraph). Values of the
2019 template: `consistent_values("2019", "2019")`, its section 二 over the 2021 section 三
("2019", "2021"), its columns under 第二十条第（一）项 only ("2019+2021", "2021").
"""
from __future__ import annotations

import html as _html
import json
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

APP_COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total")
REV_COLS = ("upheld", "corrected", "other", "pending", "total")
REV_ROWS = ("review", "litigation_direct", "litigation_after_review")

# (key, label as printed) in template order; group labels printed before their first sub-row
APP_ROWS = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied.state_secret", "1.属于国家秘密"),
    ("denied.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied.endangers_safety_stability", "3.危及“三安全一稳定”"),
    ("denied.third_party_rights", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "5.属于三类内部事务信息"),
    ("denied.process_information", "6.属于四类过程性信息"),
    ("denied.law_enforcement_file", "7.属于行政执法案卷"),
    ("denied.administrative_query", "8.属于行政查询事项"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
    ("total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)
APP_KEYS = tuple(k for k, _ in APP_ROWS)
APP_LABEL = dict(APP_ROWS)
GROUP_BEFORE = {"granted": "三、本年度办理结果", "denied.state_secret": "（三）不予公开",
                "unavailable.not_held": "（四）无法提供", "not_processed.petition_complaint": "（五）不予处理",
                "other.no_correction": "（六）其他处理"}
GROUP_OF = {}
_g = None
for _k in APP_KEYS:
    if _k in GROUP_BEFORE:
        _g = GROUP_BEFORE[_k]
    if _k in ("total", "carried_forward", "new_received", "carried_over"):
        _g = None
    GROUP_OF[_k] = _g
OUTCOME_ROWS = APP_KEYS[2:23]
# the 2019 trial template: （六）其他处理 is one row; section 二 has other columns and two more rows
APP_KEYS_2019 = APP_KEYS[:20] + ("other",) + APP_KEYS[23:]
APP_LABEL["other"] = "（六）其他处理"
GROUP_OF["other"] = None
OUTCOME_ROWS_2019 = APP_KEYS_2019[2:21]

# section 二 (2021): (key, label, article heading, columns, column labels)
PRO_ROWS = (
    ("regulations", "规章", "第二十条第（一）项", ("issued", "repealed", "in_force")),
    ("normative_documents", "行政规范性文件", "第二十条第（一）项", ("issued", "repealed", "in_force")),
    ("administrative_licensing", "行政许可", "第二十条第（五）项", ("decisions",)),
    ("administrative_punishment", "行政处罚", "第二十条第（六）项", ("decisions",)),
    ("administrative_coercion", "行政强制", "第二十条第（六）项", ("decisions",)),
    ("administrative_fees", "行政事业性收费", "第二十条第（八）项", ("amount",)),
)
PRO_ROWS_2019 = (
    ("regulations", "规章", "第二十条第（一）项", ("made", "published", "total_public")),
    ("normative_documents", "规范性文件", "第二十条第（一）项", ("made", "published", "total_public")),
    ("administrative_licensing", "行政许可", "第二十条第（五）项", ("previous_year_items", "change", "decisions")),
    ("other_management_services", "其他对外管理服务事项", "第二十条第（五）项", ("previous_year_items", "change", "decisions")),
    ("administrative_punishment", "行政处罚", "第二十条第（六）项", ("previous_year_items", "change", "decisions")),
    ("administrative_coercion", "行政强制", "第二十条第（六）项", ("previous_year_items", "change", "decisions")),
    ("administrative_fees", "行政事业性收费", "第二十条第（八）项", ("previous_year_items", "change")),
    ("centralized_procurement", "政府集中采购", "第二十条第（九）项", ("items", "amount")),
)
PRO_HEAD_2019 = {"第二十条第（一）项": ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
                 "第二十条第（五）项": ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
                 "第二十条第（六）项": ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
                 "第二十条第（八）项": ("信息内容", "上一年项目数量", "本年增/减"),
                 "第二十条第（九）项": ("信息内容", "采购项目数量", "采购总金额")}
PRO_HEAD = {"第二十条第（一）项": ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
            "第二十条第（五）项": ("信息内容", "本年处理决定数量"),
            "第二十条第（六）项": ("信息内容", "本年处理决定数量"),
            "第二十条第（八）项": ("信息内容", "本年收费金额（单位：万元）")}
APP_HEAD_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ORGS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
REV_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

TITLE = "某某市某某局2023年政府信息公开工作年度报告"
HEAD = [TITLE, "", "一、总体情况", "", "本年度共公开信息1200条，办理依申请公开事项若干件。", ""]
TAIL = ["", "五、存在的主要问题及改进情况", "", "一是公开质量有待提高。", "", "六、其他需要报告的事项", "",
        "本机关未收取任何费用。", ""]


@dataclass
class Values:
    """Every printed cell: (table, row, column) -> int | float | None (None = left blank)."""
    cells: dict[tuple[str, str, str], int | float | None]
    pro_fmt: str = "2021"   # section 二's template: "2021" or "2019" (本年新制作数量 …)
    app_fmt: str = "2021"   # section 三's: "2019" prints （六）其他处理 as one row

    @property
    def pro_rows(self):
        return {"2019": PRO_ROWS_2019, "2019+2021": PRO_ROWS_2019[:2] + PRO_ROWS[2:]}.get(self.pro_fmt, PRO_ROWS)

    @property
    def app_keys(self) -> tuple:
        return APP_KEYS_2019 if self.app_fmt == "2019" else APP_KEYS

    def app(self, row: str) -> list:
        return [self.cells[("applications", row, c)] for c in APP_COLS]

    def pro(self, row: str, cols) -> list:
        return [self.cells[("proactive", row, c)] for c in cols]

    def rev(self) -> list:
        return [self.cells[("review_litigation", r, c)] for r in REV_ROWS for c in REV_COLS]


def _small():
    return st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(10, 400))


@st.composite
def consistent_values(draw, pro_fmt: str = "2021", app_fmt: str = "2021") -> Values:
    """Random values under which every identity of the template holds (column sums, row totals,
    新收 + 结转 = 办理结果 + 结转下年度). `pro_fmt`/`app_fmt` "2019": the trial template's section
    二 (本年新制作数量 …, 本年增/减 may be negative) and section 三 (（六）其他处理 one row);
    `pro_fmt` "2019+2021": the 2019 columns under 第二十条第（一）项 only, the 2021 blocks after."""
    cells: dict = {}
    sums = [0] * 6
    for row in (OUTCOME_ROWS_2019 if app_fmt == "2019" else OUTCOME_ROWS):
        vals = [draw(_small()) if draw(st.booleans()) else 0 for _ in range(6)]
        for i, v in enumerate(vals):
            sums[i] += v
        for c, v in zip(APP_COLS, vals + [sum(vals)]):
            cells[("applications", row, c)] = v
    fwd = [draw(st.integers(0, 5)) for _ in range(6)]
    over = [draw(st.integers(0, s + f)) if draw(st.booleans()) else 0 for s, f in zip(sums, fwd)]
    new = [s + f - o for s, f, o in zip(sums, fwd, over)]
    for row, vals in (("total", sums), ("carried_forward", fwd), ("carried_over", over), ("new_received", new)):
        for c, v in zip(APP_COLS, vals + [sum(vals)]):
            cells[("applications", row, c)] = v
    for key, _label, _art, cols in Values({}, pro_fmt).pro_rows:
        for c in cols:
            if c == "amount":
                cells[("proactive", key, c)] = draw(st.sampled_from([0, 12.35, 4068.208, 0.5, 1500]))
            elif c == "change":
                cells[("proactive", key, c)] = draw(st.one_of(st.integers(0, 40), st.integers(-9, -1)))
            else:
                cells[("proactive", key, c)] = draw(st.one_of(st.integers(0, 60), st.integers(1000, 700000)))
    for r in REV_ROWS:
        four = [draw(st.integers(0, 12)) for _ in range(4)]
        for c, v in zip(REV_COLS, four + [sum(four)]):
            cells[("review_litigation", r, c)] = v
    return Values(cells, pro_fmt, app_fmt)


def scaled(v: Values, k: int) -> Values:
    """Section 三's counts times `k` (a city's or a province's thousands of requests): every
    identity still holds (they are sums); numbers of 10,000 and more print with separators."""
    return Values({key: (x * k if key[0] == "applications" and isinstance(x, int) else x) for key, x in v.cells.items()},
                  v.pro_fmt, v.app_fmt)


def truth_values(path: Path) -> Values | None:
    """The printed cells of a 2021-format truth file (realworld/truth or seeds_truth.json entry)."""
    t = json.loads(Path(path).read_text(encoding="utf-8"))
    return values_from_truth(t)


def values_from_truth(t: dict, formats=("2021",)) -> Values | None:
    fmt = t.get("format", "2021")
    if fmt not in formats:
        return None
    cells = {}
    for table in ("proactive", "applications", "review_litigation"):
        for row, cols in (t.get(table) or {}).items():
            for c, v in cols.items():
                cells[(table, row, c)] = v
    keys, pro = (APP_KEYS_2019, PRO_ROWS_2019) if fmt == "2019" else (APP_KEYS, PRO_ROWS)
    need = [("applications", r, c) for r in keys for c in APP_COLS]
    need += [("proactive", k, c) for k, _l, _a, cols in pro for c in cols]
    need += [("review_litigation", r, c) for r in REV_ROWS for c in REV_COLS]
    if any(k not in cells for k in need):
        return None
    return Values({k: cells[k] for k in need}, fmt, fmt)


@dataclass
class Quirks:
    layout: str = "pdf_text"
    wrap: int = 0            # wrap labels at this many characters (0: no wrap)
    push: bool = False       # pdf_text: the last number of some rows pushed to the next line
    blanks: tuple = ()       # (table, row, column) cells left blank
    blank_word: str = ""     # how a blank is printed: "" (empty cell), "/", "—", "无"
    footer: int = -1         # a page footer/marker before this section-三 row index (-1: none)
    footer_text: str = "- 4 -"
    unit: str = ""           # "件" after every section-三 number
    fullwidth: bool = False  # full-width digits
    review_split: bool = False  # section 四 as three tables, one per row
    split_table: int = -1    # section 三 broken into two tables before this row index (header repeated)
    groups: bool = True      # group labels printed (（三）不予公开 …)
    review_totals_only: bool = False  # section 四 prints only its three 总计 cells (cells_nosep)
    label_split: bool = False  # md_llm: some labels split over two cells
    review_transposed: bool = False  # section 四 printed transposed: a row per result, 3 numbers each
    column_order: tuple = ()  # md: section 三's seven columns in this printed order (indexes into APP_COLS)
    blank_row: str = ""      # a section-三 row whose seven cells are all blank
    fee_unit: bool = False   # section 二's fee amount printed with 「万元」
    seed: int = 0            # for choices inside a renderer
    extra: dict = field(default_factory=dict)


LAYOUTS = ("pdf_text", "pdf_blocks", "tabs", "pipes", "cells_nosep", "box", "md", "md_llm", "html", "html_word", "docx")
SCRAPED = ("scraped_rows", "scraped_spans", "scraped_inline", "scraped_paras")  # web pages' tables flattened by a crawler
EXT = {"md": ".md", "md_llm": ".md", "html": ".html", "html_word": ".html", "docx": ".docx", "pdf": ".pdf"}
# how each layout can print a blank: an empty cell needs cell separators
BLANK_WORDS = {"pdf_text": ("/", "—", "无"), "pdf_blocks": ("/", "—"), "tabs": ("", "/", "—", "无"), "pipes": ("", "/", "—"),
               "cells_nosep": ("",), "box": ("", "/", "—"), "md": ("", "/", "—", "无"), "md_llm": ("", "/", "—"),
               "html": ("", "/", "—", "无"), "html_word": ("", "/", "—"), "docx": ("", "/", "—", "无"),
               "pdf": ("/", "—"), "scraped_rows": ("", "/", "—"), "scraped_spans": ("", "/", "—"),
               "scraped_inline": ("", "/", "—"), "scraped_paras": ("", "/", "—")}
FOOTERS = ("- 4 -", "— 5 —", "第 3 页", "第 2 页 共 6 页", "3 / 7")


@st.composite
def scraped_quirks(draw, layouts=SCRAPED) -> Quirks:
    """The quirks of real scraped report pages (tables flattened to 「 |」 cells)."""
    q = Quirks(layout=draw(st.sampled_from(layouts)), seed=draw(st.integers(0, 10 ** 6)))
    if draw(st.booleans()):
        q.blank_word = draw(st.sampled_from(BLANK_WORDS[q.layout]))
        rows = draw(st.lists(st.sampled_from(APP_KEYS[:23]), min_size=1, max_size=3, unique=True))
        cols = draw(st.lists(st.sampled_from(APP_COLS[:6]), min_size=1, max_size=4, unique=True))
        q.blanks = tuple(("applications", r, c) for r in rows for c in cols)
    if draw(st.integers(0, 2)) == 0:
        q.blank_row = draw(st.sampled_from(APP_KEYS[4:20]))
        if not q.blank_word:
            q.blank_word = draw(st.sampled_from(BLANK_WORDS[q.layout]))
    q.review_split = draw(st.integers(0, 3)) == 0
    q.extra = {k: draw(st.booleans()) for k in ("label_pads", "span_pipes", "row_pad", "split_orgs", "title_row",
                                                "variants", "split_heads")}
    if draw(st.integers(0, 4)) == 0:
        q.extra["label_lost"] = draw(st.integers(0, 4))  # the index of a section 二 row
    return q


@st.composite
def quirks(draw, layouts=LAYOUTS) -> Quirks:
    layout = draw(st.sampled_from(layouts))
    q = Quirks(layout=layout, seed=draw(st.integers(0, 10 ** 6)))
    text_like = layout in ("pdf_text", "pdf_blocks", "tabs", "pipes", "cells_nosep", "box", "pdf")
    if layout in ("pdf_text", "pdf_blocks", "pdf", "cells_nosep", "pipes"):
        q.wrap = draw(st.sampled_from([0, 0, 9, 12, 15]))
    if layout == "pdf_text":
        q.push = draw(st.booleans())
    if draw(st.booleans()):
        q.blank_word = draw(st.sampled_from(BLANK_WORDS[layout]))
        rows = draw(st.lists(st.sampled_from(APP_KEYS[:23]), min_size=1, max_size=3, unique=True))
        cols = draw(st.lists(st.sampled_from(APP_COLS[:6]), min_size=1, max_size=3, unique=True))
        q.blanks = tuple(("applications", r, c) for r in rows for c in cols)
    if text_like and draw(st.booleans()):
        q.footer = draw(st.integers(3, 22))
        q.footer_text = draw(st.sampled_from(FOOTERS))
    if layout in ("pdf_text", "tabs", "md", "html", "docx", "pipes") and draw(st.booleans()):
        q.unit = draw(st.sampled_from(["件", "件", "条"]))
    if layout == "cells_nosep":
        q.review_totals_only = draw(st.booleans())
    if layout == "md_llm":
        q.label_split = draw(st.booleans())
    if layout in ("pdf_text", "tabs", "md", "html") and draw(st.booleans()):
        q.fullwidth = True
    if layout not in ("cells_nosep",):
        q.review_split = draw(st.booleans())
    if layout in ("pdf_text", "tabs", "md") and not q.review_split:
        q.review_transposed = draw(st.booleans())
    if layout == "md" and draw(st.booleans()):
        q.column_order = tuple(draw(st.permutations(range(7))))
    if draw(st.integers(0, 3)) == 0:
        q.blank_row = draw(st.sampled_from(APP_KEYS[4:23]))
        if not q.blank_word:
            q.blank_word = draw(st.sampled_from(BLANK_WORDS[layout]))
    q.fee_unit = layout in ("pdf_text", "tabs", "md", "html", "docx") and draw(st.booleans())
    if layout in ("md", "html", "tabs", "docx") and draw(st.booleans()):
        q.split_table = draw(st.integers(4, 20))
    q.groups = draw(st.booleans()) if layout in ("pdf_text", "tabs", "md") else True
    return q


# ---------------------------------------------------------------------------------------
# Cell text

_FW = str.maketrans("0123456789,", "０１２３４５６７８９，")  # full-width digits and thousands comma


def apply_blanks(v: Values, q: Quirks) -> Values:
    """The values as the report prints them: the blank cells of `q` set to None (a blank is not
    0); a row total stays as printed (a report with a blank cell still prints its total)."""
    cells = dict(v.cells)
    for k in q.blanks:
        if k in cells:
            cells[k] = None
    if q.blank_row and ("applications", q.blank_row, "total") in cells:
        for c in APP_COLS:
            cells[("applications", q.blank_row, c)] = None
    if q.review_totals_only:
        for r in REV_ROWS:
            for c in REV_COLS[:4]:
                cells[("review_litigation", r, c)] = None
    if None in cells.values() and q.blank_word not in BLANK_WORDS.get(q.layout, ("",)):
        q.blank_word = BLANK_WORDS[q.layout][0]  # a layout without cell separators must print a blank
    return Values(cells, v.pro_fmt, v.app_fmt)


def num(v, q: Quirks, blank: str | None = None, unit: bool = True) -> str:
    if v is None:
        return q.blank_word if blank is None else blank
    s = f"{v:,}" if isinstance(v, int) and v >= 10000 and q.seed % 3 == 0 else str(v)
    if isinstance(v, float):
        s = repr(v)
    if not unit and q.fee_unit and isinstance(v, float):
        s += "万元"
    if unit and q.unit and isinstance(v, int):
        s += q.unit
    if q.fullwidth:
        s = s.translate(_FW)
    return s


def wrap(label: str, width: int) -> list[str]:
    if not width or len(label) <= width:
        return [label]
    return [label[i:i + width] for i in range(0, len(label), width)]


# ---------------------------------------------------------------------------------------
# Line-based layouts (txt)

def pro_heads(v: Values, q: Quirks) -> dict:
    """Section 二's column headers; the 2019 ones as some sites print them, a space where the
    cell wrapped (「本年新 制作数量」)."""
    if v.pro_fmt == "2021":
        return PRO_HEAD
    heads = PRO_HEAD_2019 if v.pro_fmt == "2019" else {**PRO_HEAD, "第二十条第（一）项": PRO_HEAD_2019["第二十条第（一）项"]}
    if not q.extra.get("split_heads"):
        return heads
    return {a: tuple(h[:3] + " " + h[3:] if len(h) > 5 and h.startswith("本年新") else h for h in hs)
            for a, hs in heads.items()}


def _section2_lines(v: Values, q: Quirks, row_line) -> list[str]:
    out = ["二、主动公开政府信息情况", ""]
    last_art = None
    heads = pro_heads(v, q)
    for key, label, art, cols in v.pro_rows:
        if art != last_art:
            out.append(art)
            out.extend(row_line(heads[art][0], list(heads[art][1:]), header=True))
            last_art = art
        out.extend(row_line(label, [num(x, q, unit=False) for x in v.pro(key, cols)]))
    return out + [""]


def _section3_lines(v: Values, q: Quirks, row_line, header_lines) -> list[str]:
    out = ["三、收到和处理政府信息公开申请情况", ""] + header_lines
    for i, key in enumerate(v.app_keys):
        if i == q.footer:
            out.append(q.footer_text)
        if i == q.split_table:
            out.append("")
            out.extend(header_lines)
        if q.groups and key in GROUP_BEFORE:
            out.append(GROUP_BEFORE[key])
        out.extend(row_line(APP_LABEL[key], [num(x, q) for x in v.app(key)]))
    return out + [""]


def _section4_lines(v: Values, q: Quirks, sep: str) -> list[str]:
    # cells joined by spaces cannot show an empty blank: those print 「/」
    vals = [num(x, q, unit=False, blank=q.blank_word or ("/" if not sep.strip() else "")) for x in v.rev()]
    out = ["四、政府信息公开行政复议、行政诉讼情况", ""]
    if q.review_transposed:
        out.append(sep.join(["项目", "行政复议", "未经复议直接起诉", "复议后起诉"]))
        for j, h in enumerate(REV_HEAD):
            out.append(sep.join([h] + [vals[i * 5 + j] for i in range(3)]))
        return out + [""]
    if q.review_split:
        for i, name in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
            out += [name, sep.join(REV_HEAD), sep.join(vals[i * 5:i * 5 + 5]), ""]
        return out
    head = q.extra.get("review_head", "")
    if sep == " " and head:
        return out + ["行政复议 行政诉讼", "未经复议直接起诉 复议后起诉"] + review_head_lines(head) + [" ".join(vals), ""]
    out += ["行政复议" + sep + "行政诉讼", sep.join(REV_HEAD) + sep + "未经复议直接起诉" + sep + "复议后起诉",
            sep.join(REV_HEAD * 2), sep.join(vals), ""]
    return out


def review_head_lines(mode: str) -> list[str]:
    """Section 四's column headers as pdftotext prints narrow header cells: "split", each word
    in two halves on two lines (「结果」 over 「维持」, 「总」 over 「计」), the review group's line
    apart from the two litigation groups'; "vertical", one character a line, the review group
    and the litigation groups interleaved, 「总计」 of the review group on one line."""
    four = REV_HEAD[:4]
    if mode == "split":
        top, bottom = [h[:2] for h in four] + ["总"], [h[2:] for h in four] + ["计"]
        return [" ".join(top), " ".join(bottom + top * 2), " ".join(bottom * 2)]
    out = []
    for k in range(4):
        chars = [h[k] for h in four]
        review = " ".join(chars)
        lit = " ".join(chars + (["总"] if k == 1 else ["计"] if k == 2 else []))
        out += [review, ("总计 " if k == 1 else "") + lit + " " + lit]
    return out


APP_HEADER_TXT = [APP_HEAD_NOTE, "申请人情况", "自然人 法人或其他组织 总计", " ".join(ORGS)]


def render_pdf_text(v: Values, q: Quirks) -> str:
    def row_line(label, cells, header=False):
        parts = wrap(label, q.wrap)
        if header:
            return [label + " " + " ".join(cells)]
        nums = " ".join(cells)
        if q.push and len(cells) > 1 and q.seed % 2:
            return parts + [" ".join(cells[:-1]), cells[-1]]
        if len(parts) > 1 and q.seed % 3 == 1:  # numbers on the first line of a wrapped label
            return [parts[0] + " " + nums] + parts[1:]
        return parts[:-1] + [parts[-1] + " " + nums]
    lines = HEAD + _section2_lines(v, q, row_line) + _section3_lines(v, q, row_line, APP_HEADER_TXT)
    return "\n".join(lines + _section4_lines(v, q, " ") + TAIL)


def render_pdf_blocks(v: Values, q: Quirks) -> str:
    """Plain pdftotext reading order (no -layout): section 三's labels as one block, then its
    rows of numbers as another, one row a line."""
    def row_line(label, cells, header=False):
        return [label + " " + " ".join(cells)]
    s3 = ["三、收到和处理政府信息公开申请情况", ""] + APP_HEADER_TXT
    for key in APP_KEYS:
        if q.groups and key in GROUP_BEFORE:
            s3.append(GROUP_BEFORE[key])
        s3.extend(wrap(APP_LABEL[key], q.wrap))
    for i, key in enumerate(APP_KEYS):
        if i == q.footer:
            s3.append(q.footer_text)
        s3.append(" ".join(num(x, q) for x in v.app(key)))
    lines = HEAD + _section2_lines(v, q, row_line) + s3 + [""]
    return "\n".join(lines + _section4_lines(v, q, " ") + TAIL)


def render_tabs(v: Values, q: Quirks) -> str:
    def row_line(label, cells, header=False):
        lead = ""
        return [lead + label + "\t" + "\t".join(cells)]
    header = [APP_HEAD_NOTE + "\t申请人情况", "\t自然人\t法人或其他组织\t\t\t\t\t总计", "\t\t" + "\t".join(ORGS) + "\t"]
    lines = HEAD + _section2_lines(v, q, row_line) + _section3_lines(v, q, row_line, header)
    return "\n".join(lines + _section4_lines(v, q, "\t") + TAIL)


def render_pipes(v: Values, q: Quirks) -> str:
    """One cell per line, each followed by 「 |」 (a scraped HTML table); an empty cell is 「|」."""
    def row_line(label, cells, header=False):
        out = [p for p in wrap(label, q.wrap)]
        out[-1] += " |"
        return out + [(c + " |") if c else "|" for c in cells]
    header = [APP_HEAD_NOTE + " |", "申请人情况 |", "自然人 |", "法人或其他组织 |"] + [o + " |" for o in ORGS] + ["总计 |"]
    lines = HEAD + _section2_lines(v, q, row_line) + _section3_lines(v, q, row_line, header)
    return "\n".join(lines + _section4_lines(v, q, " ") + TAIL)


def render_cells_nosep(v: Values, q: Quirks) -> str:
    """One cell per line with no separator: a blank cell is an empty line of its own."""
    def row_line(label, cells, header=False):
        return wrap(label, q.wrap) + [c for c in cells]
    header = [APP_HEAD_NOTE, "申请人情况", "自然人", "法人或其他组织"] + list(ORGS) + ["总计"]
    lines = HEAD + _section2_lines(v, q, row_line) + _section3_lines(v, q, row_line, header)
    rev = [num(x, q, unit=False, blank="") for x in v.rev()]
    s4 = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼"] + list(REV_HEAD) + \
         ["未经复议直接起诉", "复议后起诉"] + list(REV_HEAD) * 2 + rev + [""]
    return "\n".join(lines + s4 + TAIL)


def render_box(v: Values, q: Quirks) -> str:
    def boxed(rows):
        out = ["┌────────┬────┬────┐"]
        for r in rows:
            out.append("│" + "│".join(r) + "│")
            out.append("├────────┼────┼────┤")
        out[-1] = "└────────┴────┴────┘"
        return out

    def table(rows):
        return boxed(rows)
    s2 = ["二、主动公开政府信息情况", ""]
    rows, last = [], None
    for key, label, art, cols in PRO_ROWS:
        if art != last:
            rows += [[art], list(PRO_HEAD[art])]
            last = art
        rows.append([label] + [num(x, q, unit=False) for x in v.pro(key, cols)])
    s2 += table(rows) + [""]
    rows = [[APP_HEAD_NOTE, "申请人情况"], ["", "自然人", "法人或其他组织", "总计"], ["", *ORGS]]
    for i, key in enumerate(APP_KEYS):
        rows.append([GROUP_BEFORE.get(key, ""), APP_LABEL[key]] + [num(x, q, blank=q.blank_word or " ")
                                                                  for x in v.app(key)])
    s3 = ["三、收到和处理政府信息公开申请情况", ""] + table(rows)
    if q.footer >= 0:
        at = 1 + 2 * (3 + q.footer)
        s3.insert(min(at, len(s3)), q.footer_text)
    rev = [num(x, q, unit=False) for x in v.rev()]
    s4 = ["", "四、政府信息公开行政复议、行政诉讼情况", ""] + table([["行政复议", "行政诉讼"], list(REV_HEAD * 3), rev])
    return "\n".join(HEAD + s2 + s3 + s4 + TAIL)


# ---------------------------------------------------------------------------------------
# Markdown

def _md_row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_table(head, rows) -> list[str]:
    return [_md_row(head), "|" + "---|" * len(head)] + [_md_row(r) for r in rows] + [""]


def render_md(v: Values, q: Quirks) -> str:
    out = ["# " + TITLE, "", "## 一、总体情况", "", HEAD[4], "", "## 二、主动公开政府信息情况", ""]
    last = None
    for key, label, art, cols in PRO_ROWS:
        if art != last:
            out += ["### " + art, ""]
            last = art
            block = [(k, l, c) for k, l, a, c in PRO_ROWS if a == art]
            out += _md_table(list(PRO_HEAD[art]), [[l] + [num(x, q, unit=False) for x in v.pro(k, c)]
                                                   for k, l, c in block])
    out += ["## 三、收到和处理政府信息公开申请情况", ""]
    names = ["自然人", *ORGS, "总计"]
    perm = q.column_order or tuple(range(7))
    head = [APP_HEAD_NOTE, ""] + [names[p] for p in perm]
    rows = []
    for i, key in enumerate(APP_KEYS):
        if i == q.split_table:
            out += _md_table(head, rows)
            rows = []
        vals = [num(x, q) for x in v.app(key)]
        rows.append([(GROUP_OF[key] or "") if q.groups else "", APP_LABEL[key]] + [vals[p] for p in perm])
    out += _md_table(head, rows)
    out += ["## 四、政府信息公开行政复议、行政诉讼情况", ""]
    rev = [num(x, q, unit=False) for x in v.rev()]
    if q.review_transposed:
        out += _md_table(["项目", "行政复议", "未经复议直接起诉", "复议后起诉"],
                         [[h] + [rev[i * 5 + j] for i in range(3)] for j, h in enumerate(REV_HEAD)])
    elif q.review_split:
        for i, name in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
            out += ["### " + name, ""] + _md_table(list(REV_HEAD), [rev[i * 5:i * 5 + 5]])
    else:
        out += _md_table(["行政复议"] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5, [list(REV_HEAD * 3), rev])
    return "\n".join(out + TAIL)


def render_md_llm(v: Values, q: Quirks) -> str:
    """Markdown re-structured by a language model: one table per row group with columns 数据1…
    数据6 | 总计, a bogus header row in the middle, a label in one row and its numbers in the next,
    a label split over two cells, section 四 as three tables."""
    out = ["# " + TITLE, "", "## 一、总体情况", "", HEAD[4], "", "## 二、主动公开政府信息情况", ""]
    last = None
    for key, label, art, cols in PRO_ROWS:
        if art != last:
            out += ["### " + art]
            last = art
            block = [(k, l, c) for k, l, a, c in PRO_ROWS if a == art]
            out += _md_table(list(PRO_HEAD[art]), [[l] + [num(x, q, unit=False) for x in v.pro(k, c)]
                                                   for k, l, c in block])
    out += ["## 三、收到和处理政府信息公开申请情况", "", APP_HEAD_NOTE, ""]
    mode = q.seed % 4
    if mode == 0:  # the applicant header as its own placeholder tables
        out += ["### 申请人情况 (自然人)"] + _md_table(["(数据项目)", "数量"], [["-", "-"]])
        out += ["### 申请人情况 (法人或其他组织)"] + _md_table(list(ORGS), [["-"] * 5])
    head = ["类别", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", "总计"]
    groups: list[tuple[str, list[str]]] = []
    for key in APP_KEYS:
        g = GROUP_OF[key] if key not in ("granted", "partially_granted") else APP_LABEL[key]
        title = g or APP_LABEL[key]
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(key)
    bogus_at = (q.seed // 4) % len(groups)
    for gi, (title, keys) in enumerate(groups):
        out.append("### " + title)
        rows = []
        for j, key in enumerate(keys):
            cells = [num(x, q) for x in v.app(key)]
            label = APP_LABEL[key]
            if gi == bogus_at and j == len(keys) - 1 and len(keys) > 1:
                rows.append(["项目", "本年新收件数", "上年结转件数", "予以公开", "部分公开", "不予公开", "结转下年度", "总计"])
            if (q.seed // 7) % 5 == gi % 5 and j == 0:  # the label in one row, its numbers in the next
                rows.append([label] + [""] * 7)
                rows.append([""] + cells)
            elif q.label_split and j % 2 == 0 and len(label) > 6:  # a label split over two cells
                cut = len(label) // 2
                rows.append([label[:cut], label[cut:]] + cells)
            else:
                rows.append([label] + cells)
        out += _md_table(head, rows)
    out += ["## 四、政府信息公开行政复议、行政诉讼情况", ""]
    rev = [num(x, q, unit=False) for x in v.rev()]
    for i, name in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
        out += ["### " + name] + _md_table(list(REV_HEAD), [rev[i * 5:i * 5 + 5]])
    return "\n".join(out + TAIL)


# ---------------------------------------------------------------------------------------
# HTML and Word

def _c(text, rs=1, cs=1):
    return (str(text), rs, cs)


def grid_proactive(v: Values, q: Quirks):
    g, last = [], None
    heads = pro_heads(v, q)
    for key, label, art, cols in v.pro_rows:
        if art != last:
            g.append([_c(art, 1, 4)])
            h = heads[art]
            g.append([_c(h[0])] + ([_c(x) for x in h[1:]] if len(h) == 4 else [_c(x) for x in h[1:-1]]
                                   + [_c(h[-1], 1, 5 - len(h))]))
            last = art
        vals = [num(x, q, unit=False) for x in v.pro(key, cols)]
        g.append([_c(label)] + ([_c(x) for x in vals] if len(vals) == 3 else [_c(x) for x in vals[:-1]]
                                + [_c(vals[-1], 1, 4 - len(vals))]))
    return g


def grid_applications(v: Values, q: Quirks, split_group: bool = False):
    g = [[_c(APP_HEAD_NOTE, 3, 3), _c("申请人情况", 1, 7)],
         [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
         [_c(o) for o in ORGS]]
    sizes = {"denied.state_secret": 8, "unavailable.not_held": 3, "not_processed.petition_complaint": 5,
             "other.no_correction": 3}
    keys = v.app_keys
    if "other" in keys:
        del sizes["other.no_correction"]
    for key in keys:
        row = []
        label = APP_LABEL[key]
        if key in ("new_received", "carried_over", "carried_forward"):
            row.append(_c(label, 1, 3))
        else:
            if key == "granted":
                row.append(_c("三、本年度办理结果", keys.index("total") - keys.index("granted") + 1))
            if key in sizes:
                n = sizes[key]
                if split_group and n >= 3:  # Word broke the vertical label into two rowspan cells
                    a = GROUP_BEFORE[key]
                    row.append(_c(a[:len(a) // 2], n // 2))
                else:
                    row.append(_c(GROUP_BEFORE[key], n))
            if key in ("granted", "partially_granted", "total", "other"):
                row.append(_c(label, 1, 2))
            else:
                row.append(_c(label))
        row.extend(_c(num(x, q, blank=q.blank_word)) for x in v.app(key))
        g.append(row)
    if split_group:
        # the second halves of the split group labels: inserted as the first cell of the row in
        # the middle of each group
        out = g[:3]
        rows = g[3:]
        for key, n in sizes.items():
            idx = keys.index(key) + n // 2
            a = GROUP_BEFORE[key]
            rows[idx] = [_c(a[len(a) // 2:], n - n // 2)] + rows[idx]
        return out + rows
    return g


def grid_review(v: Values, q: Quirks):
    vals = [num(x, q, unit=False) for x in v.rev()]
    heads = list(REV_HEAD[:4])
    return [[_c("行政复议", 1, 5), _c("行政诉讼", 1, 10)],
            [*(_c(h, 2) for h in heads), _c("总计", 2), _c("未经复议直接起诉", 1, 5), _c("复议后起诉", 1, 5)],
            [*(_c(h) for h in REV_HEAD * 2)],
            [*(_c(x) for x in vals)]]


def _html_cell(text: str, word: bool) -> str:
    t = _html.escape(text)
    if word:
        if not t:
            return "<p class=MsoNormal><span>&nbsp;</span></p>"
        parts = "".join(f"<span style='font-size:10.5pt'>{_html.escape(ch)}</span>" for ch in _chunks(text))
        return f"<p class=MsoNormal align=center><span lang=EN-US>&nbsp;</span>{parts}<span>&nbsp;</span></p>"
    return f"<p>{t}</p>"


def _chunks(text: str) -> list[str]:
    """Word splits a cell's text into runs: digits apart from the characters around them."""
    out, cur = [], ""
    for ch in text:
        if cur and (ch.isdigit() != cur[-1].isdigit()):
            out.append(cur)
            cur = ""
        cur += ch
    return out + ([cur] if cur else [])


def html_table(g, word: bool = False) -> str:
    out = ["<table border='1' cellspacing='0'><tbody>"]
    for row in g:
        cells = "".join(f"<td rowspan='{rs}' colspan='{cs}'>{_html_cell(t, word)}</td>" for t, rs, cs in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(v: Values, q: Quirks, word: bool = False) -> str:
    g3 = grid_applications(v, q, split_group=word)
    if q.split_table > 0 and not word:
        cut = 3 + q.split_table
        # a table broken by a page: the rows after the cut in a second table (rowspans cut short)
        first, second = g3[:cut], g3[:3] + g3[cut:]
        first = [[(t, min(rs, len(first) - i), cs) for t, rs, cs in row] for i, row in enumerate(first)]
        t3 = html_table(first) + "\n" + html_table(_fix_spans(second))
    else:
        t3 = html_table(g3, word)
    if q.review_split:
        vals = [num(x, q, unit=False) for x in v.rev()]
        t4 = "".join(f"<p>{n}</p>" + html_table([[_c(h) for h in REV_HEAD], [_c(x) for x in vals[i * 5:i * 5 + 5]]], word)
                     for i, n in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")))
    else:
        t4 = html_table(grid_review(v, q), word)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}_政府信息公开年报</title></head><body>
<div class="nav">首页 &gt; 政府信息公开 &gt; 年报</div>
<h1>{TITLE}</h1>
<p>一、总体情况</p><p>{HEAD[4]}</p>
<p>二、主动公开政府信息情况</p>
{html_table(grid_proactive(v, q), word)}
<p>三、收到和处理政府信息公开申请情况</p>
{t3}
<p>四、政府信息公开行政复议、行政诉讼情况</p>
{t4}
<p>五、存在的主要问题及改进情况</p><p>一是公开质量有待提高。</p>
<p>六、其他需要报告的事项</p><p>本机关未收取任何费用。</p>
</body></html>"""


def _fix_spans(g):
    """Rows of a table continued on a new page: a group label whose rowspan began on the
    earlier page is not repeated; rowspans are clipped to the table."""
    n = len(g)
    return [[(t, min(rs, n - i), cs) for t, rs, cs in row] for i, row in enumerate(g)]


def render_docx(v: Values, q: Quirks, path: Path) -> None:
    import docx
    doc = docx.Document()

    def table(payload):
        width = max(sum(cs for _t, _rs, cs in payload[0]), 1)
        # width of the widest row once spans are laid out
        t = doc.add_table(rows=len(payload), cols=_grid_width(payload))
        taken: set = set()
        for r, row in enumerate(payload):
            c = 0
            for text, rs, cs in row:
                while (r, c) in taken:
                    c += 1
                taken |= {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)}
                target = t.cell(r, c)
                if rs > 1 or cs > 1:
                    target = target.merge(t.cell(r + rs - 1, c + cs - 1))
                target.paragraphs[0].text = text
                c += cs
        return width
    doc.add_paragraph(TITLE)
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph(HEAD[4])
    doc.add_paragraph("二、主动公开政府信息情况")
    table(grid_proactive(v, q))
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    table(grid_applications(v, q))
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table(grid_review(v, q))
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("一是公开质量有待提高。")
    doc.save(str(path))


def _grid_width(payload) -> int:
    taken: set = set()
    width = 0
    for r, row in enumerate(payload):
        c = 0
        for _t, rs, cs in row:
            while (r, c) in taken:
                c += 1
            taken |= {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)}
            c += cs
            width = max(width, c)
    return width


def render_pdf(v: Values, q: Quirks, path: Path) -> None:
    """The pdf_text rendering typeset as a PDF with reportlab (one line of text per line)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    q2 = Quirks(**{**q.__dict__, "layout": "pdf_text", "fullwidth": False, "footer": -1})
    lines = render_pdf_text(v, q2).split("\n")
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            y = 800
        c.setFont("STSong-Light", 9)
        c.drawString(40, y, line)
        y -= 13
    c.save()


# ---------------------------------------------------------------------------------------
# Scraped web pages: an HTML table flattened to text by a crawler

# label wordings and typos seen in real reports (the reader matches labels by content)
LABEL_VARIANTS = (("行政规范性文件", "规范性文件"), ("三类内部事务信息", "三类内容事务信息"),
                  ("只计这一情形", "只计这一情况"), ("第二十条第（", "第二十条 第（"),
                  ("本年制发件数", "本年（2023）制发件数"), ("本年废止件数", "本年（2023）废止件数"),
                  ("本年处理决定数量", "本年（2023）处理决定数量"))
ORG_SPLIT = {"商业企业": "商业 企业", "科研机构": "科研 机构", "社会公益组织": "社会公益 组织",
             "法律服务机构": "法律服务 机构"}


def flatten(grid, q: Quirks, style: str) -> list[str]:
    """A table's rows (grid of (text, rowspan, colspan); a rowspan cell only in its first row) as a
    crawler writes them: each cell followed by 「 |」, a colspan's extra columns as more 「|」
    (on the cell's line, or on a line of their own), an empty cell as a lone 「|」, and rows padded
    at the end with empty columns. `style`: "rows" (a lone 「|」 line starts each row, one cell a
    line), "spans" (one cell a line, colspan pipes on their own line), "inline" (one row a line,
    no leading pipe)."""
    pads = q.extra.get("label_pads", True)
    out = []
    for r, row in enumerate(grid):
        cells = []
        for j, (text, _rs, cs) in enumerate(row):
            value = bool(text) and (text[0].isdigit() or text[0] in "０１２３４５６７８９-/—")
            extra = cs - 1 if (pads or value or j == len(row) - 1) else 0
            if not q.extra.get("span_pipes", True):
                extra = 0
            cells.append((text, extra))
        tail = (q.seed // (r + 3)) % 4 if q.extra.get("row_pad") else 0  # empty columns padding the row
        if style == "inline":
            parts = [(t + " |" if t else "|") + (" " + "|" * e if e else "") for t, e in cells]
            line = " ".join(parts) + (" " + "|" * tail if tail else "")
            out.append(line)
            continue
        if style == "paras":  # each cell a paragraph (<p> in <td>): text, then an empty line
            for k, (t, _e) in enumerate(cells):
                lead = " " * ((q.seed // (r + k + 1)) % 3)
                if t and not t[0].isdigit() and len(t) > 5 and q.extra.get("split_heads") and t.startswith("本年"):
                    out += [t[:3], "", t[3:], ""]  # a header cell wrapped into two paragraphs
                else:
                    out += [lead + t if t else "\u00a0", ""]
            continue
        if style == "rows":
            out.append("|")
        for k, (t, e) in enumerate(cells):
            line = t + " |" if t else "|"
            if style == "rows":
                e += tail if k == len(cells) - 1 else 0
                out.append(line + (" " + "|" * e if e else ""))
            else:
                out.append(line)
                if e:
                    out.append("|" * e)
        if style == "spans" and tail:
            out.append("|" * tail)
    return out


def render_scraped(v: Values, q: Quirks) -> str:
    """A web page's text as scraped: the three tables as HTML grids (merged cells) flattened by
    `flatten`; the section 二 table with a title row; label wordings of real reports."""
    style = {"scraped_rows": "rows", "scraped_spans": "spans", "scraped_inline": "inline", "scraped_paras": "paras"}[q.layout]
    g2 = grid_proactive(v, q)
    lost = q.extra.get("label_lost")
    if lost is not None:
        lost = v.pro_rows[lost][1]  # the site dropped a row's label (an empty cell before its numbers) and the articles' item numbers
        g2 = [[(("" if t == lost else "第二十条第" if t.startswith("第二十条") else t), rs, cs) for t, rs, cs in row]
              for row in g2]
    if q.extra.get("title_row"):
        g2 = [[_c("主动公开政府信息情况", 1, 4)]] + g2
    g3 = grid_applications(v, q)
    if q.extra.get("split_orgs"):
        g3 = [[(ORG_SPLIT.get(t, t), rs, cs) for t, rs, cs in row] for row in g3]
    if q.review_split:
        vals = [num(x, q, unit=False) for x in v.rev()]
        s4 = []
        for i, n in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
            s4 += [n] + ([""] if style == "paras" else []) + flatten([[_c(h) for h in REV_HEAD],
                                                                       [_c(x) for x in vals[i * 5:i * 5 + 5]]], q, style)
    else:
        s4 = flatten(grid_review(v, q), q, style)
    gap = [""] if style == "paras" else []
    lines = [TITLE, "", "一、总体情况", HEAD[4], "二、主动公开政府信息情况"] + gap + flatten(g2, q, style)
    lines += ["三、收到和处理政府信息公开申请情况"] + gap + flatten(g3, q, style)
    lines += ["四、政府信息公开行政复议、行政诉讼情况"] + gap + s4
    lines += ["五、存在的主要问题及改进情况"] + gap + ["一是公开质量有待提高。"] + gap + ["六、其他需要报告的事项"] + gap + [
        "本机关未收取任何费用。"]
    text = "\n".join(lines)
    if q.extra.get("variants"):
        for a, b in LABEL_VARIANTS:
            text = text.replace(a, b)
    return text


def render(v: Values, q: Quirks, folder: Path, name: str = "report") -> Path:
    """Write the report of values `v` (blanks of `q` already applied) in the shape of `q`."""
    folder = Path(folder)
    path = folder / (name + EXT.get(q.layout, ".txt"))
    if q.layout == "docx":
        render_docx(v, q, path)
    elif q.layout == "pdf":
        render_pdf(v, q, path)
    else:
        fn = {"pdf_text": render_pdf_text, "pdf_blocks": render_pdf_blocks, "tabs": render_tabs, "pipes": render_pipes,
              "cells_nosep": render_cells_nosep, "box": render_box, "md": render_md, "md_llm": render_md_llm,
              "html": lambda a, b: render_html(a, b), "html_word": lambda a, b: render_html(a, b, word=True),
              "scraped_rows": render_scraped, "scraped_spans": render_scraped, "scraped_inline": render_scraped,
              "scraped_paras": render_scraped}[q.layout]
        path.write_text(fn(v, q), encoding="utf-8")
    return path


def read(path: Path):
    """The product's own path: loaders.load, then report.parse_report."""
    from qa_app.loaders import load
    from qa_app.report import parse_report
    return parse_report(load(path).text, Path(path).name)


def diff(v: Values, parsed) -> dict:
    """Cells not returned exactly: key -> (got, want); extra printed cells are listed too."""
    got = {(c.table, c.row, c.column): c.value for c in parsed.tables.cells if not c.derived}
    out = {}
    for k, want in v.cells.items():
        have = got.get(k, "missing")
        if have != want or type(have) is not type(want):
            if isinstance(have, (int, float)) and isinstance(want, (int, float)) and float(have) == float(want) \
                    and isinstance(want, float) == isinstance(have, float):
                continue
            out[k] = (have, want)
    for k in set(got) - set(v.cells):
        out[k] = (got[k], "extra")
    return out
