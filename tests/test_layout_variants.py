"""Layouts of the three tables as real government sites publish them, each checked cell by cell.

Every variant below is one report (a 2021-format report unless said otherwise) with the same
hand-written numbers (WANT_*), printed the way some site prints it: section 四 as two tables,
HTML with rowspan/colspan, a Word table with merged cells, pdftotext -layout columns with a
label wrapped below its numbers, units in cells (「3件」), full-width spaces and digits, rows
out of order, the 2019 「（六）其他处理」 row. The texts are written here as literal strings or
put together from the literal rows; the expected cells are the literal WANT_* values, never
computed by the code under test.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from qa_app.loaders import load
from qa_app.report import parse_report

APP = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
       "legal_service_org", "other_org", "total")
REV = ("upheld", "corrected", "other", "pending", "total")

# (label as printed, key, seven values) in template order
APP_ROWS = [
    ("一、本年新收政府信息公开申请数量", "new_received", (30, 2, 0, 1, 0, 0, 33)),
    ("二、上年结转政府信息公开申请数量", "carried_over", (1, 0, 0, 0, 0, 0, 1)),
    ("（一）予以公开", "granted", (12, 1, 0, 0, 0, 0, 13)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted", (2, 0, 0, 0, 0, 0, 2)),
    ("1.属于国家秘密", "denied.state_secret", (0, 0, 0, 0, 0, 0, 0)),
    ("2.其他法律行政法规禁止公开", "denied.prohibited_by_law", (1, 0, 0, 0, 0, 0, 1)),
    ("3.危及“三安全一稳定”", "denied.endangers_safety_stability", (0, 0, 0, 0, 0, 0, 0)),
    ("4.保护第三方合法权益", "denied.third_party_rights", (1, 0, 0, 0, 0, 0, 1)),
    ("5.属于三类内部事务信息", "denied.internal_affairs", (0, 0, 0, 0, 0, 0, 0)),
    ("6.属于四类过程性信息", "denied.process_information", (1, 0, 0, 0, 0, 0, 1)),
    ("7.属于行政执法案卷", "denied.law_enforcement_file", (0, 0, 0, 0, 0, 0, 0)),
    ("8.属于行政查询事项", "denied.administrative_query", (0, 0, 0, 0, 0, 0, 0)),
    ("1.本机关不掌握相关政府信息", "unavailable.not_held", (5, 1, 0, 0, 0, 0, 6)),
    ("2.没有现成信息需要另行制作", "unavailable.needs_creation", (1, 0, 0, 0, 0, 0, 1)),
    ("3.补正后申请内容仍不明确", "unavailable.unclear_after_correction", (0, 0, 0, 0, 0, 0, 0)),
    ("1.信访举报投诉类申请", "not_processed.petition_complaint", (2, 0, 0, 1, 0, 0, 3)),
    ("2.重复申请", "not_processed.duplicate", (1, 0, 0, 0, 0, 0, 1)),
    ("3.要求提供公开出版物", "not_processed.publication", (0, 0, 0, 0, 0, 0, 0)),
    ("4.无正当理由大量反复申请", "not_processed.excessive", (0, 0, 0, 0, 0, 0, 0)),
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed.confirm_or_reissue", (0, 0, 0, 0, 0, 0, 0)),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction", (1, 0, 0, 0, 0, 0, 1)),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other.unpaid_fee", (0, 0, 0, 0, 0, 0, 0)),
    ("3.其他", "other.other", (1, 0, 0, 0, 0, 0, 1)),
    ("（七）总计", "total", (28, 2, 0, 1, 0, 0, 31)),
    ("四、结转下年度继续办理", "carried_forward", (3, 0, 0, 0, 0, 0, 3)),
]
# group labels printed before the first sub-row of each group
GROUP_BEFORE = {"granted": "三、本年度办理结果", "denied.state_secret": "（三）不予公开",
                "unavailable.not_held": "（四）无法提供", "not_processed.petition_complaint": "（五）不予处理",
                "other.no_correction": "（六）其他处理"}

WANT_PROACTIVE = {
    ("regulations", "issued"): 2, ("regulations", "repealed"): 1, ("regulations", "in_force"): 15,
    ("normative_documents", "issued"): 8, ("normative_documents", "repealed"): 3,
    ("normative_documents", "in_force"): 42,
    ("administrative_licensing", "decisions"): 1234, ("administrative_punishment", "decisions"): 56,
    ("administrative_coercion", "decisions"): 7, ("administrative_fees", "amount"): 12.35,
}
WANT_REVIEW = (3, 1, 0, 1, 5, 2, 0, 1, 0, 3, 1, 0, 0, 0, 1)

HEAD = "某某市某某局2023年政府信息公开工作年度报告\n\n一、总体情况\n\n本年度共公开信息1200条。\n\n"
TAIL = "\n\n五、存在的主要问题及改进情况\n\n一是公开质量有待提高。\n\n六、其他需要报告的事项\n\n本机关未收取任何费用。\n"

PROACTIVE_PDF = """二、主动公开政府信息情况

第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 2 1 15
行政规范性文件 8 3 42
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 1,234
第二十条第（六）项
信息内容 本年处理决定数量
行政处罚 56
行政强制 7
第二十条第（八）项
信息内容 本年收费金额（单位：万元）
行政事业性收费 12.35
"""

APP_HEAD_PDF = """三、收到和处理政府信息公开申请情况

（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人 法人或其他组织 总计
商业企业 科研机构 社会公益组织 法律服务机构 其他
"""

REVIEW_PDF = """四、政府信息公开行政复议、行政诉讼情况

行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计
3 1 0 1 5 2 0 1 0 3 1 0 0 0 1
"""


def app_rows(fmt=lambda label, vals: label + " " + " ".join(map(str, vals)), groups=True, rows=APP_ROWS):
    out = []
    for label, key, vals in rows:
        if groups and key in GROUP_BEFORE:
            out.append(GROUP_BEFORE[key])
        out.append(fmt(label, vals))
    return "\n".join(out) + "\n"


def want(proactive=WANT_PROACTIVE, app_rows_=APP_ROWS, review=WANT_REVIEW) -> dict:
    out = {}
    for (row, col), v in proactive.items():
        out[("proactive", row, col)] = v
    for _label, key, vals in app_rows_:
        for col, v in zip(APP, vals):
            out[("applications", key, col)] = v
    for i, row in enumerate(("review", "litigation_direct", "litigation_after_review")):
        for j, col in enumerate(REV):
            out[("review_litigation", row, col)] = review[i * 5 + j]
    return out


def printed(parsed) -> dict:
    return {(c.table, c.row, c.column): c.value for c in parsed.tables.cells if not c.derived}


def check(text: str, expected: dict, name="variant.txt"):
    parsed = parse_report(text, name)
    got = printed(parsed)
    wrong = {k: (got.get(k, "missing"), v) for k, v in expected.items() if got.get(k, "missing") != v
             or type(got.get(k)) is not type(v)}
    assert not wrong, (wrong, parsed.tables.problems)
    extra = set(got) - set(expected)
    assert not extra, extra
    return parsed


def test_baseline_pdf_text():
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + "\n" + REVIEW_PDF + TAIL, want())


# ---------------------------------------------------------------------------------------
# Section 四 printed as two tables, each under its own caption

def test_review_as_two_tables():
    review = """四、政府信息公开行政复议、行政诉讼情况

表1 行政复议情况
结果维持 结果纠正 其他结果 尚未审结 总计
3 1 0 1 5

表2 行政诉讼情况
未经复议直接起诉 复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计
2 0 1 0 3 1 0 0 0 1
"""
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + "\n" + review + TAIL, want())


def test_review_three_tables_with_row_labels():
    # each row of section 四 as its own small table, labelled on the left
    review = """四、政府信息公开行政复议、行政诉讼情况

（一）行政复议情况
结果维持 结果纠正 其他结果 尚未审结 总计
3 1 0 1 5
（二）行政诉讼情况
未经复议直接起诉
结果维持 结果纠正 其他结果 尚未审结 总计
2 0 1 0 3
复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1
"""
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + "\n" + review + TAIL, want())


# ---------------------------------------------------------------------------------------
# Units and blanks in cells

def test_units_in_cells_and_slash_blanks():
    proactive = """二、主动公开政府信息情况

第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 2件 1件 15件
行政规范性文件 8件 3件 42件
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 1234件
第二十条第（六）项
信息内容 本年处理决定数量
行政处罚 56件
行政强制 —
第二十条第（八）项
信息内容 本年收费金额（单位：万元）
行政事业性收费 12.35万元
"""
    rows = [(label, key, tuple(f"{v}件" for v in vals)) for label, key, vals in APP_ROWS]
    rows[4] = (rows[4][0], rows[4][1], ("/",) * 7)  # 1.属于国家秘密: all 「/」
    rows[6] = (rows[6][0], rows[6][1], ("-",) * 6 + ("0件",))
    review = REVIEW_PDF.replace("3 1 0 1 5 2 0 1 0 3 1 0 0 0 1", "3件 1件 0件 1件 5件 2件 — 1件 — 3件 1件 / / / 1件")
    expected = want(proactive={**WANT_PROACTIVE, ("administrative_coercion", "decisions"): None})
    for col in APP:
        expected[("applications", "denied.state_secret", col)] = None
        expected[("applications", "denied.endangers_safety_stability", col)] = None if col != "total" else 0
    for col in ("corrected", "pending"):
        expected[("review_litigation", "litigation_direct", col)] = None
    for col in ("corrected", "other", "pending"):
        expected[("review_litigation", "litigation_after_review", col)] = None
    check(HEAD + proactive + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + review + TAIL, expected)


def test_wu_in_cells_reads_as_blank():
    # 「无」 written in a cell of numbers: not a number; stored blank like 「/」
    rows = list(APP_ROWS)
    rows[17] = (rows[17][0], rows[17][1], ("无",) * 7)  # 3.要求提供公开出版物
    expected = want()
    for col in APP:
        expected[("applications", "not_processed.publication", col)] = None
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, expected)


# ---------------------------------------------------------------------------------------
# Full-width forms

def test_fullwidth_spaces_and_digits():
    fw = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
    proactive = PROACTIVE_PDF.replace(" ", "\u3000").translate(fw)
    app = app_rows(fmt=lambda label, vals: label + "\u3000\u3000" + "\u3000".join(str(v).translate(fw) for v in vals))
    review = REVIEW_PDF.replace("3 1 0 1 5 2 0 1 0 3 1 0 0 0 1", "３\u3000１\u3000０\u3000１\u3000５\u3000２\u3000０\u3000１\u3000０\u3000３\u3000１\u3000０\u3000０\u3000０\u3000１")
    check(HEAD + proactive + "\n" + APP_HEAD_PDF.replace(" ", "\u3000") + app + "\n" + review + TAIL, want())


# ---------------------------------------------------------------------------------------
# Rows in another order; 「总计」 alone; the 2019 format's single （六）其他处理 row

def test_rows_out_of_order():
    order = ["carried_over", "new_received"] + [k for _l, k, _v in APP_ROWS[2:23]] + ["carried_forward", "total"]
    by_key = {k: (label, k, vals) for label, k, vals in APP_ROWS}
    rows = [by_key[k] for k in order]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_total_row_labelled_zongji_only():
    rows = [("总计", k, v) if k == "total" else (label, k, v) for label, k, v in APP_ROWS]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, want())


PROACTIVE_2019 = """二、主动公开政府信息情况

第二十条第（一）项
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 3 3 20
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 10 -2 300
其他对外管理服务事项 0 0 0
第二十条第（六）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政处罚 5 0 40
行政强制 1 +1 2
第二十条第（八）项
信息内容 上一年项目数量 本年增/减
行政事业性收费 2 0
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购 4 251000元
"""
WANT_PROACTIVE_2019 = {
    ("regulations", "made"): 0, ("regulations", "published"): 0, ("regulations", "total_public"): 0,
    ("normative_documents", "made"): 3, ("normative_documents", "published"): 3,
    ("normative_documents", "total_public"): 20,
    ("administrative_licensing", "previous_year_items"): 10, ("administrative_licensing", "change"): -2,
    ("administrative_licensing", "decisions"): 300,
    ("other_management_services", "previous_year_items"): 0, ("other_management_services", "change"): 0,
    ("other_management_services", "decisions"): 0,
    ("administrative_punishment", "previous_year_items"): 5, ("administrative_punishment", "change"): 0,
    ("administrative_punishment", "decisions"): 40,
    ("administrative_coercion", "previous_year_items"): 1, ("administrative_coercion", "change"): 1,
    ("administrative_coercion", "decisions"): 2,
    ("administrative_fees", "previous_year_items"): 2, ("administrative_fees", "change"): 0,
    ("centralized_procurement", "items"): 4, ("centralized_procurement", "amount"): 251000,
}


def test_2019_format_other_as_one_row_and_total_alone():
    rows = [r for r in APP_ROWS if not r[1].startswith("other.")]
    at = [k for _l, k, _v in rows].index("total")
    rows.insert(at, ("（六）其他处理", "other", (2, 0, 0, 0, 0, 0, 2)))
    rows = [("总计", k, v) if k == "total" else (label, k, v) for label, k, v in rows]
    groups = dict(GROUP_BEFORE)
    del groups["other.no_correction"]
    text = []
    for label, key, vals in rows:
        if key in groups:
            text.append(groups[key])
        text.append(label + " " + " ".join(map(str, vals)))
    parsed = check(HEAD.replace("2023", "2020") + PROACTIVE_2019 + "\n" + APP_HEAD_PDF + "\n".join(text) + "\n\n"
                   + REVIEW_PDF + TAIL, want(proactive=WANT_PROACTIVE_2019, app_rows_=rows))
    assert parsed.tables.format == "2019"


# ---------------------------------------------------------------------------------------
# pdftotext -layout: columns aligned by spaces, a label wrapped below its numbers

LAYOUT = """三、收到和处理政府信息公开申请情况

                  （本列数据的勾稽关系为：第一项加第二项之和，                   申请人情况
                  等于第三项加第四项之和）                                     法人或其他组织
                                                              自然人   商业    科研    社会公益  法律服务   其他    总计
                                                                       企业    机构    组织      机构
  一、本年新收政府信息公开申请数量                              30      2       0       1         0        0       33
  二、上年结转政府信息公开申请数量                               1      0       0       0         0        0        1
                  （一）予以公开                                12      1       0       0         0        0       13
                  （二）部分公开（区分处理的，只计这              2      0       0       0         0        0        2
                  一情形，不计其他情形）
                            1.属于国家秘密                       0      0       0       0         0        0        0
                            2.其他法律行政法规禁止公开           1      0       0       0         0        0        1
                            3.危及“三安全一稳定”                 0      0       0       0         0        0        0
                  （三）不  4.保护第三方合法权益                 1      0       0       0         0        0        1
                  予公开    5.属于三类内部事务信息               0      0       0       0         0        0        0
  三、本年度办              6.属于四类过程性信息                 1      0       0       0         0        0        1
  理结果                    7.属于行政执法案卷                   0      0       0       0         0        0        0
                            8.属于行政查询事项                   0      0       0       0         0        0        0
                            1.本机关不掌握相关政府信             5      1       0       0         0        0        6
                  （四）无  息
                  法提供    2.没有现成信息需要另行制作           1      0       0       0         0        0        1
                            3.补正后申请内容仍不明确             0      0       0       0         0        0        0
                            1.信访举报投诉类申请                 2      0       0       1         0        0        3
                            2.重复申请                           1      0       0       0         0        0        1
                  （五）不  3.要求提供公开出版物                 0      0       0       0         0        0        0
                  予处理    4.无正当理由大量反复申请             0      0       0       0         0        0        0
                            5.要求行政机关确认或重新出具         0      0       0       0         0        0        0
                            已获取信息
                            1.申请人无正当理由逾期不补           1      0       0       0         0        0        1
                            正、行政机关不再处理其政府信
                            息公开申请
                  （六）其  2.申请人逾期未按收费通知要           0      0       0       0         0        0        0
                  他处理    求缴纳费用、行政机关不再处理
                            其政府信息公开申请
                            3.其他                               1      0       0       0         0        0        1
                  （七）总计                                    28      2       0       1         0        0       31
  四、结转下年度继续办理                                          3      0       0       0         0        0        3
"""


def test_pdftotext_layout_label_wrapped_after_numbers():
    check(HEAD + PROACTIVE_PDF + "\n" + LAYOUT + "\n" + REVIEW_PDF + TAIL, want())


# ---------------------------------------------------------------------------------------
# HTML (rowspan/colspan, through loaders) and Word (merged cells, python-docx)

def _c(text, rs=1, cs=1):
    return (str(text), rs, cs)


def grid_proactive():
    g = [[_c("第二十条第（一）项", 1, 4)],
         [_c("信息内容"), _c("本年制发件数"), _c("本年废止件数"), _c("现行有效件数")],
         [_c("规章"), _c(2), _c(1), _c(15)],
         [_c("行政规范性文件"), _c(8), _c(3), _c(42)],
         [_c("第二十条第（五）项", 1, 4)],
         [_c("信息内容"), _c("本年处理决定数量", 1, 3)],
         [_c("行政许可"), _c("1,234", 1, 3)],
         [_c("第二十条第（六）项", 1, 4)],
         [_c("信息内容"), _c("本年处理决定数量", 1, 3)],
         [_c("行政处罚"), _c(56, 1, 3)],
         [_c("行政强制"), _c(7, 1, 3)],
         [_c("第二十条第（八）项", 1, 4)],
         [_c("信息内容"), _c("本年收费金额（单位：万元）", 1, 3)],
         [_c("行政事业性收费"), _c("12.35", 1, 3)]]
    return g


def grid_applications():
    g = [[_c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), _c("申请人情况", 1, 7)],
         [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
         [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")]]
    spans = {"granted": ("三、本年度办理结果", 22), "denied.state_secret": ("（三）不予公开", 8),
             "unavailable.not_held": ("（四）无法提供", 3), "not_processed.petition_complaint": ("（五）不予处理", 5),
             "other.no_correction": ("（六）其他处理", 3)}
    for label, key, vals in APP_ROWS:
        row = []
        if key in ("new_received", "carried_over", "carried_forward"):
            row.append(_c(label, 1, 3))
        else:
            if key == "granted":
                row.append(_c(*spans[key][:1], spans[key][1]))
            if key in spans and key != "granted":
                row.append(_c(spans[key][0], spans[key][1]))
            if key in ("granted", "partially_granted", "total"):
                row.append(_c(label, 1, 2))
            else:
                row.append(_c(label))
        row.extend(_c(v) for v in vals)
        g.append(row)
    return g


def grid_review():
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结"]
    return [[_c("行政复议", 1, 5), _c("行政诉讼", 1, 10)],
            [*(_c(h, 2) for h in heads), _c("总计", 2), _c("未经复议直接起诉", 1, 5), _c("复议后起诉", 1, 5)],
            [*(_c(h) for h in heads + ["总计"] + heads + ["总计"])],
            [*(_c(v) for v in WANT_REVIEW)]]


def _html_table(g):
    out = ["<table border='1'><tbody>"]
    for row in g:
        cells = "".join(f"<td rowspan='{rs}' colspan='{cs}'><p>{t}</p></td>" for t, rs, cs in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def test_html_rowspan_colspan(tmp_path):
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head><body>
<div class="nav">首页 &gt; 政府信息公开 &gt; 年报</div>
<h1>某某市某某局2023年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>本年度共公开信息1200条。</p>
<p>二、主动公开政府信息情况</p>
{_html_table(grid_proactive())}
<p>三、收到和处理政府信息公开申请情况</p>
{_html_table(grid_applications())}
<p>四、政府信息公开行政复议、行政诉讼情况</p>
{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>一是公开质量有待提高。</p>
<p>六、其他需要报告的事项</p><p>本机关未收取任何费用。</p>
</body></html>"""
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    check(load(path).text, want(), "report.html")


def _docx(blocks, path: Path) -> None:
    import docx
    doc = docx.Document()
    for kind, payload in blocks:
        if kind == "p":
            doc.add_paragraph(payload)
            continue
        width = sum(cs for _t, _rs, cs in payload[0])
        table = doc.add_table(rows=len(payload), cols=width)
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(payload):
            c = 0
            for text, rs, cs in row:
                while (r, c) in taken:
                    c += 1
                taken |= {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)}
                target = table.cell(r, c)
                if rs > 1 or cs > 1:
                    target = target.merge(table.cell(r + rs - 1, c + cs - 1))
                target.paragraphs[0].text = text
                c += cs
    doc.save(str(path))


def test_docx_merged_cells(tmp_path):
    path = tmp_path / "report.docx"
    _docx([("p", "某某市某某局2023年政府信息公开工作年度报告"), ("p", "一、总体情况"), ("p", "本年度共公开信息1200条。"),
           ("p", "二、主动公开政府信息情况"), ("t", grid_proactive()),
           ("p", "三、收到和处理政府信息公开申请情况"), ("t", grid_applications()),
           ("p", "四、政府信息公开行政复议、行政诉讼情况"), ("t", grid_review()),
           ("p", "五、存在的主要问题及改进情况"), ("p", "一是公开质量有待提高。")], path)
    check(load(path).text, want(), "report.docx")


# ---------------------------------------------------------------------------------------
# Markdown with a two-row header; tab-separated rows with group labels in the first column

def test_markdown_two_row_header(tmp_path):
    lines = ["| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |",
             "|---|---|---|---|---|---|---|---|---|---|",
             "| | | | 自然人 | 法人或其他组织 | | | | | 总计 |",
             "| | | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |"]
    for label, key, vals in APP_ROWS:
        group = GROUP_BEFORE.get(key, "")
        lines.append(f"| {group} | {label} | | " + " | ".join(map(str, vals)) + " |")
    md = (HEAD.replace("\n\n", "\n\n", 1) + PROACTIVE_PDF + "\n三、收到和处理政府信息公开申请情况\n\n" + "\n".join(lines)
          + "\n\n" + REVIEW_PDF + TAIL)
    path = tmp_path / "report.md"
    path.write_text(md, encoding="utf-8")
    check(load(path).text, want(), "report.md")


def test_tab_separated_units():
    lines = []
    for label, key, vals in APP_ROWS:
        group = GROUP_BEFORE.get(key, "")
        lines.append(f"{group}\t{label}\t" + "\t".join(f"{v}件" for v in vals))
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL, want())


# ---------------------------------------------------------------------------------------
# More shapes: blank cells in an HTML table, printed group totals, section 四 as three rows
# of five under row labels, a page break with the column header printed again

def test_html_blank_cells(tmp_path):
    # blank <td></td> cells: the first column of one row, a middle cell of another, a total
    g = grid_applications()
    vals_at = {key: i + 3 for i, (_l, key, _v) in enumerate(APP_ROWS)}  # grid row of each key

    def blank(key, col):
        row = g[vals_at[key]]
        k = len(row) - 7 + APP.index(col)
        row[k] = _c("")

    blank("denied.state_secret", "natural_person")
    blank("denied.law_enforcement_file", "research_institution")
    blank("not_processed.excessive", "total")
    blank("carried_over", "natural_person")
    html = f"""<html><body><p>某某市某某局2023年政府信息公开工作年度报告</p>
<p>二、主动公开政府信息情况</p>{_html_table(grid_proactive())}
<p>三、收到和处理政府信息公开申请情况</p>{_html_table(g)}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>"""
    path = tmp_path / "blank.html"
    path.write_text(html, encoding="utf-8")
    expected = want()
    for key, col in (("denied.state_secret", "natural_person"), ("denied.law_enforcement_file", "research_institution"),
                     ("not_processed.excessive", "total"), ("carried_over", "natural_person")):
        expected[("applications", key, col)] = None
    check(load(path).text, expected, "blank.html")


def test_group_totals_printed():
    # some reports print a number row for （三）不予公开 / （四）无法提供 / （五）不予处理 / （六）其他处理 too
    totals = {"denied.state_secret": ("（三）不予公开", "denied", (3, 0, 0, 0, 0, 0, 3)),
              "unavailable.not_held": ("（四）无法提供", "unavailable", (6, 1, 0, 0, 0, 0, 7)),
              "not_processed.petition_complaint": ("（五）不予处理", "not_processed", (3, 0, 0, 1, 0, 0, 4)),
              "other.no_correction": ("（六）其他处理", "other", (2, 0, 0, 0, 0, 0, 2))}
    lines, rows = [], []
    for label, key, vals in APP_ROWS:
        if key == "granted":
            lines.append("三、本年度办理结果")
        if key in totals:
            glabel, gkey, gvals = totals[key]
            lines.append(glabel + " " + " ".join(map(str, gvals)))
            rows.append((glabel, gkey, gvals))
        lines.append(label + " " + " ".join(map(str, vals)))
        rows.append((label, key, vals))
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL,
          want(app_rows_=rows))


def test_review_three_rows_under_labels():
    review = """四、政府信息公开行政复议、行政诉讼情况

                     结果维持  结果纠正  其他结果  尚未审结  总计
行政复议                3         1         0         1       5
行政诉讼  未经复议直接起诉  2         0         1         0       3
          复议后起诉        1         0         0         0       1
"""
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + "\n" + review + TAIL, want())


def test_page_break_repeats_header():
    rows = app_rows().split("\n")
    at = rows.index("5.属于三类内部事务信息 0 0 0 0 0 0 0")
    header = ["", "- 4 -", "\f申请人情况", "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    text = "\n".join(rows[:at] + header + rows[at:])
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + text + "\n" + REVIEW_PDF + TAIL, want())


def test_html_rows_left_blank(tmp_path):
    # a row whose every value cell is left empty (<td></td>): its cells are blanks, not missing
    gp = grid_proactive()
    gp[10] = [_c("行政强制"), _c("", 1, 3)]
    ga = grid_applications()
    at = [k for _l, k, _v in APP_ROWS].index("denied.internal_affairs") + 3
    ga[at] = ga[at][:-7] + [_c("") for _ in range(7)]
    html = f"""<html><body><p>某某市某某局2023年政府信息公开工作年度报告</p>
<p>二、主动公开政府信息情况</p>{_html_table(gp)}
<p>三、收到和处理政府信息公开申请情况</p>{_html_table(ga)}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>"""
    path = tmp_path / "rowblank.html"
    path.write_text(html, encoding="utf-8")
    expected = want(proactive={**WANT_PROACTIVE, ("administrative_coercion", "decisions"): None})
    for col in APP:
        expected[("applications", "denied.internal_affairs", col)] = None
    check(load(path).text, expected, "rowblank.html")


def test_bracketed_digit_ordinals():
    # sub-rows numbered 「（1）」 instead of 「1.」
    import re
    rows = [(re.sub(r"^(\d)\.", r"（\1）", label), key, vals) for label, key, vals in APP_ROWS]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_proactive_without_article_headings():
    # section 二 printed as one table without the 「第二十条第（X）项」 lines
    proactive = """二、主动公开政府信息情况

信息内容 本年制发件数 本年废止件数 现行有效件数
规章 2 1 15
行政规范性文件 8 3 42
信息内容 本年处理决定数量
行政许可 1234
行政处罚 56
行政强制 7
信息内容 本年收费金额（单位：万元）
行政事业性收费 12.35
"""
    check(HEAD + proactive + "\n" + APP_HEAD_PDF + app_rows() + "\n" + REVIEW_PDF + TAIL, want())


def test_numbers_printed_above_their_labels():
    # pdfplumber text of a table whose labels sit vertically centred below the numbers
    lines = []
    for label, key, vals in APP_ROWS:
        lines.append(" ".join(map(str, vals)))
        if key in GROUP_BEFORE:
            lines.append(GROUP_BEFORE[key])
        lines.append(label)
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL, want())


def test_review_numbers_split_by_page_break():
    review = REVIEW_PDF.replace("3 1 0 1 5 2 0 1 0 3 1 0 0 0 1", "3 1 0 1 5 2 0 1 0 3\n\n- 6 -\n\f1 0 0 0 1")
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + "\n" + review + TAIL, want())


def test_spaced_out_labels_and_separate_units():
    # justified PDF text: a space between every character of a label; 「3 件」 with the unit apart
    def fmt(label, vals):
        head = label[:2] if label[0].isdigit() else ""  # 「1.」 stays with the first character
        return head + " ".join(label[len(head):]) + "  " + "  ".join(f"{v} 件" for v in vals)
    proactive = PROACTIVE_PDF.replace("行政许可 1,234", "行 政 许 可 1234 件")
    check(HEAD + proactive + "\n" + APP_HEAD_PDF.replace("总计", "合计") + app_rows(fmt=fmt) + "\n" + REVIEW_PDF + TAIL,
          want())


def test_markdown_section_two_with_blank_cells(tmp_path):
    proactive = """二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 2 | | 15 |
| 行政规范性文件 | 8 | 3 | 42 |
| 第二十条第（五）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政许可 | 1234 | | |
| 第二十条第（六）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政处罚 | 56 | | |
| 行政强制 | 7 | | |
| 第二十条第（八）项 | | | |
| 信息内容 | 本年收费金额（单位：万元） | | |
| 行政事业性收费 | 12.35 | | |
"""
    path = tmp_path / "p.md"
    path.write_text(HEAD + proactive + "\n" + APP_HEAD_PDF + app_rows() + "\n" + REVIEW_PDF + TAIL, encoding="utf-8")
    check(load(path).text, want(proactive={**WANT_PROACTIVE, ("regulations", "repealed"): None}), "p.md")


def test_total_row_written_heji():
    rows = [("（七）合计", k, v) if k == "total" else (label, k, v) for label, k, v in APP_ROWS]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_2019_format_html_signed_changes(tmp_path):
    g = [[_c("第二十条第（一）项", 1, 4)],
         [_c("信息内容"), _c("本年新制作数量"), _c("本年新公开数量"), _c("对外公开总数量")],
         [_c("规章"), _c(0), _c(0), _c(0)],
         [_c("规范性文件"), _c(3), _c(3), _c(20)],
         [_c("第二十条第（五）项", 1, 4)],
         [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减"), _c("处理决定数量")],
         [_c("行政许可"), _c(10), _c(-2), _c(300)],
         [_c("其他对外管理服务事项"), _c(0), _c(0), _c(0)],
         [_c("第二十条第（六）项", 1, 4)],
         [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减"), _c("处理决定数量")],
         [_c("行政处罚"), _c(5), _c(0), _c(40)],
         [_c("行政强制"), _c(1), _c("+1"), _c(2)],
         [_c("第二十条第（八）项", 1, 4)],
         [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减", 1, 2)],
         [_c("行政事业性收费"), _c(2), _c(0, 1, 2)],
         [_c("第二十条第（九）项", 1, 4)],
         [_c("信息内容"), _c("采购项目数量"), _c("采购总金额", 1, 2)],
         [_c("政府集中采购"), _c(4), _c("251000元", 1, 2)]]
    rows = [r for r in APP_ROWS if not r[1].startswith("other.")]
    at = [k for _l, k, _v in rows].index("total")
    rows.insert(at, ("（六）其他处理", "other", (2, 0, 0, 0, 0, 0, 2)))
    ga = [[_c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 2), _c("申请人情况", 1, 7)],
          [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
          [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")]]
    groups = {"granted": ("三、本年度办理结果", 20), "denied.state_secret": ("（三）不予公开", 8),
              "unavailable.not_held": ("（四）无法提供", 3), "not_processed.petition_complaint": ("（五）不予处理", 5)}
    for label, key, vals in rows:
        lead = [_c(label, 1, 2)] if key in ("new_received", "carried_over", "carried_forward") else []
        if not lead:
            if key in groups:
                lead.append(_c(groups[key][0], groups[key][1]))
            lead.append(_c(label))
        ga.append(lead + [_c(v) for v in vals])
    html = f"""<html><body><p>某某县某某局2020年政府信息公开工作年度报告</p>
<p>二、主动公开政府信息情况</p>{_html_table(g)}
<p>三、收到和处理政府信息公开申请情况</p>{_html_table(ga)}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>"""
    path = tmp_path / "y2019.html"
    path.write_text(html, encoding="utf-8")
    parsed = check(load(path).text, want(proactive=WANT_PROACTIVE_2019, app_rows_=rows), "y2019.html")
    assert parsed.tables.format == "2019"


def test_html_tables_inside_a_layout_table(tmp_path):
    # many government CMS pages put the whole article inside a one-cell layout table
    html = f"""<html><body><table width="100%" class="layout"><tr><td class="left">栏目导航</td><td>
<div class="article"><p>某某市某某局2023年政府信息公开工作年度报告</p>
<p>二、主动公开政府信息情况</p>{_html_table(grid_proactive())}
<p>三、收到和处理政府信息公开申请情况</p>{_html_table(grid_applications())}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>无。</p></div></td></tr></table></body></html>"""
    path = tmp_path / "nested.html"
    path.write_text(html, encoding="utf-8")
    check(load(path).text, want(), "nested.html")


def test_html_th_header_and_nbsp_cells(tmp_path):
    # header cells as <th>, values wrapped in <span>, a blank written &nbsp;
    g = grid_applications()
    ths = "\n".join("<tr>" + "".join(f"<th rowspan='{rs}' colspan='{cs}'>{t}</th>" for t, rs, cs in row) + "</tr>"
                    for row in g[:3])
    body = "\n".join("<tr>" + "".join(f"<td rowspan='{rs}' colspan='{cs}'><span style='font-size:12px'>"
                                      f"{t if t != '0' else '&nbsp;0&nbsp;'}</span></td>" for t, rs, cs in row) + "</tr>"
                     for row in g[3:])
    body = body.replace("<span style='font-size:12px'>12</span>", "<span style='font-size:12px'>&nbsp;</span>", 1)
    html = f"""<html><body><p>某某市某某局2023年政府信息公开工作年度报告</p>
<p>二、主动公开政府信息情况</p>{_html_table(grid_proactive())}
<p>三、收到和处理政府信息公开申请情况</p><table><thead>{ths}</thead><tbody>{body}</tbody></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>{_html_table(grid_review())}
<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>"""
    path = tmp_path / "th.html"
    path.write_text(html, encoding="utf-8")
    expected = want()
    expected[("applications", "granted", "natural_person")] = None
    check(load(path).text, expected, "th.html")


def _wrap(label: str, width: int) -> list[str]:
    return [label[k:k + width] for k in range(0, len(label), width)]


@pytest.mark.parametrize("width", [7, 9, 11])
def test_layout_narrow_label_column_numbers_on_first_line(width):
    # pdftotext -layout of a narrow label column: the numbers stand on a row's first line, the
    # rest of its label on the lines below
    lines = []
    for label, key, vals in APP_ROWS:
        if key in GROUP_BEFORE:
            lines.append(GROUP_BEFORE[key])
        parts = _wrap(label, width)
        lines.append(f"    {parts[0]:<{width + 2}}" + "".join(f"{v:>6}" for v in vals))
        lines.extend("    " + p for p in parts[1:])
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL, want())


@pytest.mark.parametrize("width", [7, 9, 11])
def test_layout_narrow_label_column_numbers_on_last_line(width):
    lines = []
    for label, key, vals in APP_ROWS:
        if key in GROUP_BEFORE:
            lines.append(GROUP_BEFORE[key])
        parts = _wrap(label, width)
        lines.extend("    " + p for p in parts[:-1])
        lines.append(f"    {parts[-1]:<{width + 2}}" + "".join(f"{v:>6}" for v in vals))
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL, want())


@pytest.mark.parametrize("width", [9, 12])
def test_layout_group_column_beside_wrapped_labels(width):
    # pdftotext -layout with the group label column (（三）不予公开 …) printed beside the wrapped
    # row labels: each printed line holds a piece of the group label and a piece of the row label
    groups = {"granted": "三、本年度办理结果", "denied.state_secret": "（三）不予公开",
              "unavailable.not_held": "（四）无法提供", "not_processed.petition_complaint": "（五）不予处理",
              "other.no_correction": "（六）其他处理"}
    lines = []
    gparts: list[str] = []
    for label, key, vals in APP_ROWS:
        if key in groups:
            gparts = _wrap(groups[key], 4)
        parts = _wrap(label, width)
        for n, part in enumerate(parts):
            g = gparts.pop(0) if gparts and key not in ("total", "carried_forward") else ""
            nums = "".join(f"{v:>6}" for v in vals) if n == 0 else ""
            lines.append(f"  {g:<6}{part:<{width + 2}}{nums}".rstrip())
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(lines) + "\n\n" + REVIEW_PDF + TAIL, want())


def test_circled_digit_ordinals():
    # sub-rows numbered 「①」…「⑧」
    import re
    circled = "①②③④⑤⑥⑦⑧"
    rows = [(re.sub(r"^(\d)\.", lambda m: circled[int(m.group(1)) - 1], label), key, vals)
            for label, key, vals in APP_ROWS]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows(rows=rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_note_with_numbers_below_section_three():
    # a note under the table, with numbers in it: not a row of the table
    note = "注：其他处理中 1 件为申请人主动撤回申请，结转下年度的 3 件已于 2024 年 1 月办结。\n"
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + app_rows() + note + "\n" + REVIEW_PDF + TAIL, want())


def test_docx_units_and_slashes(tmp_path):
    gp = grid_proactive()
    gp[2] = [_c("规章"), _c("2件"), _c("/"), _c("15件")]
    gp[10] = [_c("行政强制"), _c("0件", 1, 3)]
    ga = grid_applications()
    at = [k for _l, k, _v in APP_ROWS].index("denied.state_secret") + 3
    ga[at] = ga[at][:-7] + [_c("—") for _ in range(7)]
    path = tmp_path / "units.docx"
    _docx([("p", "某某市某某局2023年政府信息公开工作年度报告"),
           ("p", "二、主动公开政府信息情况"), ("t", gp),
           ("p", "三、收到和处理政府信息公开申请情况"), ("t", ga),
           ("p", "四、政府信息公开行政复议、行政诉讼情况"), ("t", grid_review()),
           ("p", "五、存在的主要问题及改进情况"), ("p", "无。")], path)
    expected = want(proactive={**WANT_PROACTIVE, ("regulations", "repealed"): None,
                               ("administrative_coercion", "decisions"): 0})
    for col in APP:
        expected[("applications", "denied.state_secret", col)] = None
    check(load(path).text, expected, "units.docx")


def test_vertical_group_label_with_wu():
    # -layout with the group label （四）无法提供 printed one character per line beside its rows
    rows = app_rows(groups=False).split("\n")
    at = rows.index("1.本机关不掌握相关政府信息 5 1 0 0 0 0 6")
    rows[at] = "（四） " + rows[at]
    rows[at + 1] = "无     " + rows[at + 1]
    rows[at + 2] = "法     " + rows[at + 2]
    rows.insert(at + 3, "提供")
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_browser_printed_page_header_and_footer_inside_table():
    # a web page saved as PDF by a browser: date/title header and URL/page footer between rows
    rows = app_rows().split("\n")
    at = rows.index("2.重复申请 1 0 0 0 0 0 1")
    rows[at:at] = ["https://www.example.gov.cn/art/2024/1/31/art_1229_4567.html 2/4", "\f2024/3/15 15:21",
                   "某某市某某局2023年政府信息公开工作年度报告"]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_row_values_wrapped_across_page_footer():
    # a row's numbers broken by a page footer line: 「- 5 -」 between its fourth and fifth value
    rows = app_rows().split("\n")
    at = rows.index("4.保护第三方合法权益 1 0 0 0 0 0 1")
    rows[at:at + 1] = ["4.保护第三方合法权益 1 0 0 0", "", "- 5 -", "\f0 0 1"]
    check(HEAD + PROACTIVE_PDF + "\n" + APP_HEAD_PDF + "\n".join(rows) + "\n" + REVIEW_PDF + TAIL, want())


def test_box_drawing_text_table():
    # a text table drawn with box-drawing characters (some converters and plain-text pages)
    def boxed(lines):
        out = ["┌──────────────┬────┬────┐"]
        for line in lines:
            out.append("│" + "│".join(line) + "│")
            out.append("├──────────────┼────┼────┤")
        out[-1] = "└──────────────┴────┴────┘"
        return "\n".join(out) + "\n"
    proactive = ("二、主动公开政府信息情况\n\n" + boxed([["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                                       ["规章", "2", "1", "15"], ["行政规范性文件", "8", "3", "42"],
                                       ["第二十条第（五）项"], ["信息内容", "本年处理决定数量"], ["行政许可", "1,234"],
                                       ["第二十条第（六）项"], ["信息内容", "本年处理决定数量"], ["行政处罚", "56"],
                                       ["行政强制", "7"], ["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：万元）"],
                                       ["行政事业性收费", "12.35"]]))
    app = []
    for label, key, vals in APP_ROWS:
        app.append([GROUP_BEFORE.get(key, ""), label, *map(str, vals)])
    review = ("四、政府信息公开行政复议、行政诉讼情况\n\n"
              + boxed([["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
                       ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2, list(map(str, WANT_REVIEW))]))
    check(HEAD + proactive + "\n" + APP_HEAD_PDF + boxed(app) + "\n" + review + TAIL, want())


def test_2021_report_keeping_the_2019_other_services_row():
    # a 2021-format report that still prints 其他对外管理服务事项 under 第二十条第（五）项: that row
    # is not in the 2021 template; the rows around it are read as printed
    proactive = PROACTIVE_PDF.replace("行政许可 1,234\n", "行政许可 1,234\n其他对外管理服务事项 9\n")
    parsed = check(HEAD + proactive + "\n" + APP_HEAD_PDF + app_rows() + "\n" + REVIEW_PDF + TAIL, want())
    assert any("9" in p for p in parsed.tables.problems)
