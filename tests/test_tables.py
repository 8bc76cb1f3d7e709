"""The table reader (qa_app.tables via report.parse_report), checked cell by cell.

What it covers: every printed cell of the five seeds against tests/data/seeds_truth.json (written
from reading the seed texts), the lines each cell cites, blanks read as null, the 2019 trial
format, 2021-format layouts the seeds do not show (markdown pipes, pdftotext -layout columns,
full-width digits, 1,234), rows whose numbers cannot be placed, label typos, and the text of the
real PDFs in ../shared/realworld (pdftotext -layout and pdfplumber) scored with the shared
score_facts.py. What it does not cover: file decoding (loaders), the store, the CLI (other files).
Every expected value below is written out by hand.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa_app.report import parse_report

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REALWORLD = SHARED / "realworld"
SCORE_FACTS = SHARED / "tools" / "score_facts.py"
TRUTH = json.loads((REPO / "tests" / "data" / "seeds_truth.json").read_text(encoding="utf-8"))

APP = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
       "legal_service_org", "other_org", "total")
REV = ("upheld", "corrected", "other", "pending", "total")


def printed(parsed) -> dict:
    """(table, row, column) -> value of every printed (not derived) cell."""
    return {(c.table, c.row, c.column): c.value for c in parsed.tables.cells if not c.derived}


def flatten(truth: dict) -> dict:
    out = {}
    for table in ("proactive", "applications", "review_litigation"):
        for row, cols in truth.get(table, {}).items():
            for col, v in cols.items():
                out[(table, row, col)] = v
    return out


def expected(proactive: dict, applications: dict, review: list) -> dict:
    """Expected cells from compact hand-written rows: applications rows as 7 values in column
    order, section 四 as its 15 printed values."""
    out = {}
    for row, cols in proactive.items():
        for col, v in cols.items():
            out[("proactive", row, col)] = v
    for row, vals in applications.items():
        assert len(vals) == 7, row
        for col, v in zip(APP, vals):
            out[("applications", row, col)] = v
    assert len(review) == 15
    for i, row in enumerate(("review", "litigation_direct", "litigation_after_review")):
        for j, col in enumerate(REV):
            out[("review_litigation", row, col)] = review[i * 5 + j]
    return out


def parse_seed(name: str):
    return parse_report((SEEDS / name).read_text(encoding="utf-8"), name)


# ---------------------------------------------------------------------------------------
# The five seeds

@pytest.mark.parametrize("name", sorted(TRUTH))
def test_seed_every_cell(name):
    parsed = parse_seed(name)
    want = flatten(TRUTH[name])
    got = printed(parsed)
    assert len(want) == 200  # 10 (二) + 25 rows x 7 (三) + 15 (四)
    wrong = {k: (want.get(k, "absent"), got.get(k, "absent")) for k in set(want) | set(got) if want.get(k, "absent") != got.get(k, "absent")}
    assert wrong == {}, f"(want, got) per cell: {wrong}"
    assert parsed.tables.format == TRUTH[name]["format"]
    assert parsed.tables.tables_found == ["proactive", "applications", "review_litigation"]
    assert parsed.tables.problems == []


def test_seed_004_blank_is_null_not_zero():
    parsed = parse_seed("004_a940ca4a84d42417.txt")
    cell = parsed.tables.get("review_litigation", "litigation_after_review", "total")
    assert cell is not None and cell.value is None
    # the other 14 numbers of section 四 are printed zeros
    review = [c.value for c in parsed.tables.cells if c.table == "review_litigation"]
    assert review == [0] * 14 + [None]
    assert (parsed.cells_found, parsed.cells_blank) == (199, 1)


def test_seed_cells_cite_their_lines():
    p000 = parse_seed("000_aa0ecb1c4df3c9c5.txt")
    # 「（二）部分公开（区分处理的，只计这一情」 line 109; six values on 112, the seventh pushed to 113
    assert p000.tables.get("applications", "partially_granted", "natural_person").lines == (109, 112)
    assert p000.tables.get("applications", "partially_granted", "total").lines == (109, 113)
    assert p000.tables.get("applications", "unavailable.not_held", "natural_person").lines == (137, 137)
    assert p000.tables.get("review_litigation", "review", "upheld").lines == (230, 230)
    p001 = parse_seed("001_924043a2ff6d2acf.txt")
    assert p001.tables.get("proactive", "administrative_licensing", "decisions").lines == (37, 37)
    p004 = parse_seed("004_a940ca4a84d42417.txt")
    # one cell per line: label on 91, 自然人 11 on 92, 总计 12 on 98
    assert p004.tables.get("applications", "partially_granted", "natural_person").lines == (91, 92)
    assert p004.tables.get("applications", "partially_granted", "total").lines == (91, 98)
    lines = p004.lines
    assert lines[91 - 1].startswith("(二)部分公开") and lines[92 - 1] == "11 |"


def test_seed_004_derived_values_are_marked_and_sum_printed_cells():
    parsed = parse_seed("004_a940ca4a84d42417.txt")
    derived = {(c.row, c.column): c.value for c in parsed.tables.cells if c.derived}
    # (四)无法提供 = 9 + 0 + 0 (自然人), (六)其他处理 = 0 + 0 + 1, (三)不予公开 = eight zeros
    assert derived[("unavailable", "natural_person")] == 9
    assert derived[("other", "total")] == 1
    assert derived[("denied", "total")] == 0
    # 法人或其他组织 = the five org columns: 新收 1 (商业企业), 部分公开 1
    assert derived[("new_received", "legal_person_or_org")] == 1
    assert derived[("partially_granted", "legal_person_or_org")] == 1
    # none of them shadows a printed cell
    assert ("applications", "unavailable", "natural_person") not in printed(parsed)


# ---------------------------------------------------------------------------------------
# 2019 trial format (国办公开办函〔2019〕60号)

TEXT_2019 = """延津县交通运输局2019年政府信息公开工作年度报告

一、总体情况
2019年，延津县交通运输局认真贯彻落实《中华人民共和国政府信息公开条例》。

二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 3 2 15
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 12 -2 340
其他对外管理服务事项 5 1 21
第二十条第（六）项
信息内容 上一年项目数量 本年增 / 减 处理决定数量
行政处罚 30 4 56
行政强制 2 0 3
第二十条第（八）项
信息内容 上一年项目数量 本年增/减
行政事业性收费 4 -1
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购 6 251000元

三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计
一、本年新收政府信息公开申请数量 9 2 0 0 1 0 12
二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1
三、本年度办理结果
（一）予以公开 5 1 0 0 0 0 6
（二）部分公开（区分处理的，只计这一情形，不计其他情形） 1 0 0 0 0 0 1
（三）不予公开
1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
3.危及“三安全一稳定” 0 0 0 0 0 0 0
4.保护第三方合法权益 1 0 0 0 0 0 1
5.属于三类内部事务信息 0 0 0 0 0 0 0
6.属于四类过程性信息 0 0 0 0 0 0 0
7.属于行政执法案卷 0 0 0 0 0 0 0
8.属于行政查询事项 0 0 0 0 0 0 0
（四）无法提供
1.本机关不掌握相关政府信息 2 1 0 0 0 0 3
2.没有现成信息需要另行制作 0 0 0 0 0 0 0
3.补正后申请内容仍不明确 0 0 0 0 0 0 0
（五）不予处理
1.信访举报投诉类申请 0 0 0 0 1 0 1
2.重复申请 0 0 0 0 0 0 0
3.要求提供公开出版物 0 0 0 0 0 0 0
4.无正当理由大量反复申请 0 0 0 0 0 0 0
5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
（六）其他处理 1 0 0 0 0 0 1
（七）总计 10 2 0 0 1 0 13
四、结转下年度继续办理 0 0 0 0 0 0 0

四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
1 0 0 0 1 0 0 0 1 1 0 0 0 0 0

五、存在的主要问题及改进情况
无。
"""

Z = [0] * 7
EXPECTED_2019 = expected(
    {"regulations": {"made": 0, "published": 0, "total_public": 0},
     "normative_documents": {"made": 3, "published": 2, "total_public": 15},
     "administrative_licensing": {"previous_year_items": 12, "change": -2, "decisions": 340},
     "other_management_services": {"previous_year_items": 5, "change": 1, "decisions": 21},
     "administrative_punishment": {"previous_year_items": 30, "change": 4, "decisions": 56},
     "administrative_coercion": {"previous_year_items": 2, "change": 0, "decisions": 3},
     "administrative_fees": {"previous_year_items": 4, "change": -1},
     "centralized_procurement": {"items": 6, "amount": 251000}},
    {"new_received": [9, 2, 0, 0, 1, 0, 12], "carried_over": [1, 0, 0, 0, 0, 0, 1],
     "granted": [5, 1, 0, 0, 0, 0, 6], "partially_granted": [1, 0, 0, 0, 0, 0, 1],
     "denied.state_secret": Z, "denied.prohibited_by_law": Z, "denied.endangers_safety_stability": Z,
     "denied.third_party_rights": [1, 0, 0, 0, 0, 0, 1], "denied.internal_affairs": Z,
     "denied.process_information": Z, "denied.law_enforcement_file": Z, "denied.administrative_query": Z,
     "unavailable.not_held": [2, 1, 0, 0, 0, 0, 3], "unavailable.needs_creation": Z,
     "unavailable.unclear_after_correction": Z,
     "not_processed.petition_complaint": [0, 0, 0, 0, 1, 0, 1], "not_processed.duplicate": Z,
     "not_processed.publication": Z, "not_processed.excessive": Z, "not_processed.confirm_or_reissue": Z,
     "other": [1, 0, 0, 0, 0, 0, 1],  # printed as one row in the 2019 format
     "total": [10, 2, 0, 0, 1, 0, 13], "carried_forward": Z},
    [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])


def test_2019_format_every_cell():
    parsed = parse_report(TEXT_2019, "yanjin_jt_2019.txt")
    assert parsed.tables.format == "2019"
    assert printed(parsed) == EXPECTED_2019
    assert parsed.tables.problems == []
    assert [c.detail for c in parsed.checks if not c.ok] == []
    assert (parsed.meta.agency, parsed.meta.year) == ("延津县交通运输局", 2019)
    # the 2019 format has no (六) sub-rows: nothing derived for 其他处理, nothing guessed into them
    assert not any(c.row.startswith("other.") for c in parsed.tables.cells)


# ---------------------------------------------------------------------------------------
# 2021 format in layouts the seeds do not show

TEXT_MARKDOWN = """# 延津县教育局２０２２年政府信息公开工作年度报告

## 一、总体情况

2022年，延津县教育局共收到政府信息公开申请1,240件。

## 二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
| --- | --- | --- | --- |
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | ０ | ０ | ０ |
| 行政规范性文件 | ３ | / | １２ |
| 第二十条第（五）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政许可 | 1,234 | | |
| 第二十条第（六）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政处罚 | ５６ | | |
| 行政强制 | — | | |
| 第二十条第（八）项 | | | |
| 信息内容 | 本年收费金额（单位：万元） | | |
| 行政事业性收费 | 12.5 | | |

## 三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|---|
| 一、本年新收政府信息公开申请数量 | | 1,200 | 30 | 0 | 2 | 8 | 0 | 1,240 |
| 二、上年结转政府信息公开申请数量 | | 10 | 0 | 0 | 0 | 0 | 0 | 10 |
| 三、本年度办理结果 | （一）予以公开 | 700 | 20 | 0 | 1 | 5 | 0 | 726 |
| | （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 100 | 2 | 0 | 0 | 1 | 0 | 103 |
| | （三）不予公开 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 4.保护第三方合法权益 | 10 | 0 | 0 | 0 | 0 | 0 | 10 |
| | 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 6.属于四类过程性信息 | 20 | 0 | 0 | 0 | 0 | 0 | 20 |
| | 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （四）无法提供 1.本机关不掌握相关政府信息 | 300 | 5 | 0 | 1 | 2 | 0 | 308 |
| | 2.没有现成信息需要另行制作 | 20 | 0 | 0 | 0 | 0 | 0 | 20 |
| | 3.补正后申请内容仍不明确 | 10 | 0 | 0 | 0 | 0 | 0 | 10 |
| | （五）不予处理 1.信访举报投诉类申请 | 30 | 1 | 0 | 0 | 0 | 0 | 31 |
| | 2.重复申请 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |
| | 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
| | 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 3.其他 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
| | （七）总计 | 1,200 | 28 | 0 | 2 | 8 | 0 | 1,238 |
| 四、结转下年度继续办理 | | 10 | 2 | 0 | 0 | 0 | 0 | 12 |

## 四、政府信息公开行政复议、行政诉讼情况

| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| ３ | １ | ０ | ０ | ４ | ２ | ０ | ０ | １ | ３ | ０ | ０ | ０ | ０ | ０ |

## 五、存在的主要问题及改进情况

无。
"""

EXPECTED_MARKDOWN = expected(
    {"regulations": {"issued": 0, "repealed": 0, "in_force": 0},
     "normative_documents": {"issued": 3, "repealed": None, "in_force": 12},  # 「/」: blank, not 0
     "administrative_licensing": {"decisions": 1234},
     "administrative_punishment": {"decisions": 56},
     "administrative_coercion": {"decisions": None},  # 「—」
     "administrative_fees": {"amount": 12.5}},
    {"new_received": [1200, 30, 0, 2, 8, 0, 1240], "carried_over": [10, 0, 0, 0, 0, 0, 10],
     "granted": [700, 20, 0, 1, 5, 0, 726], "partially_granted": [100, 2, 0, 0, 1, 0, 103],
     "denied.state_secret": Z, "denied.prohibited_by_law": Z, "denied.endangers_safety_stability": Z,
     "denied.third_party_rights": [10, 0, 0, 0, 0, 0, 10], "denied.internal_affairs": Z,
     "denied.process_information": [20, 0, 0, 0, 0, 0, 20], "denied.law_enforcement_file": Z,
     "denied.administrative_query": Z,
     "unavailable.not_held": [300, 5, 0, 1, 2, 0, 308], "unavailable.needs_creation": [20, 0, 0, 0, 0, 0, 20],
     "unavailable.unclear_after_correction": [10, 0, 0, 0, 0, 0, 10],
     "not_processed.petition_complaint": [30, 1, 0, 0, 0, 0, 31], "not_processed.duplicate": [5, 0, 0, 0, 0, 0, 5],
     "not_processed.publication": Z, "not_processed.excessive": Z, "not_processed.confirm_or_reissue": Z,
     "other.no_correction": [3, 0, 0, 0, 0, 0, 3], "other.unpaid_fee": Z, "other.other": [2, 0, 0, 0, 0, 0, 2],
     "total": [1200, 28, 0, 2, 8, 0, 1238], "carried_forward": [10, 2, 0, 0, 0, 0, 12]},
    [3, 1, 0, 0, 4, 2, 0, 0, 1, 3, 0, 0, 0, 0, 0])


def test_markdown_pipe_table_fullwidth_digits_thousands_and_blanks():
    parsed = parse_report(TEXT_MARKDOWN, "yanjin_jy_2022.md")
    assert parsed.tables.format == "2021"
    got = printed(parsed)
    assert got == EXPECTED_MARKDOWN
    assert got[("proactive", "normative_documents", "repealed")] is None
    assert got[("proactive", "administrative_coercion", "decisions")] is None
    assert parsed.tables.problems == []
    assert [c.detail for c in parsed.checks if not c.ok] == []
    assert (parsed.cells_found, parsed.cells_blank) == (198, 2)


TEXT_LAYOUT = """            延津县市场监督管理局
      ２０２３年政府信息公开工作年度报告

  一、总体情况
  2023年，延津县市场监督管理局全面推进政务公开。

     二、主动公开政府信息情况
第二十条 第（一）项

信息内容          本年制发件数     本年废止件数   现行有效件数

规章                ０              ０             ０

行政规范性文件       ２              —              ７

第二十条 第（五）项

信息内容          本年处理决定数量

行政许可          1,234

第二十条 第（六）项

信息内容                          本年处理决定数量

行政处罚                          ３５６
                                           -3-
行政强制                          ／

第二十条 第（八）项

信息内容                          本年收费金额（单位：万元）

行政事业性收费                       ０.５

      三、收到和处理政府信息公开申请情况
                                                         申请人情况
（本列数据的勾稽关系为：第一项加第二项之和，                  法人或其他组织
等于第三项加第四项之和）
                               自然人                                              总计
                                        商业企      科研机     社会公益     法律服务
                                                                           其他
                                        业        构       组织       机构

一、本年新收政府信息公开申请数量                １５        ３       ０        ０    ０       ０   １８

二、上年结转政府信息公开申请数量                ２          ０        ０        ０        ０    ０    ２

      （一）予以公开                   ６        ２       ０        ０    ０       ０   ８

      （二）部分公开（区分处理的，只计这一情
                                ２         ０        ０        ０        ０    ０   ２
      形，不计其他情形）

             1.属于国家秘密            ０          ０        ０        ０        ０    ０    ０
三、
本            2.其他法律行政法规禁止公开     ０          ０        ０        ０        ０    ０    ０
年
度     （三）3.危及“三安全一稳定”        ０          ０        ０        ０        ０    ０    ０
办     不予
理     公开   4.保护第三方合法权益          １          ０        ０        ０        ０    ０    １
结
果            5.属于三类内部事务信息        ０          ０        ０        ０        ０    ０    ０

              6.属于四类过程性信息          ０          ０        ０        ０        ０    ０    ０

              7.属于行政执法案卷            ０          ０        ０        ０        ０    ０    ０

              8.属于行政查询事项            ０          ０        ０        ０        ０    ０    ０

              1.本机关不掌握相关政府信息     ３          ０        ０        ０        ０    ０    ３
       （四）
       无法   2.没有现成信息需要另行制作     ０          ０        ０        ０        ０    ０    ０
       提供
              3.补正后申请内容仍不明确      ０          ０        ０        ０        ０    ０    ０

              1.信访举报投诉类申请          １          ０        ０        ０        ０    ０    １

              2.重复申请                   ０          ０        ０        ０        ０    ０    ０
       （五）
       不予   3.要求提供公开出版物          ０          ０        ０        ０        ０    ０    ０
       处理
              4.无正当理由大量反复申请      ０          ０        ０        ０        ０    ０    ０
              5.要求行政机关确认或重新出具
                                        ０          ０        ０        ０        ０    ０    ０
              已获取信息
              1.申请人无正当理由逾期不补
              正、行政机关不再处理其政府信    ０          ０        ０        ０        ０    ０    ０
              息公开申请
       （六）
              2.申请人逾期未按收费通知要求
       其他
              缴纳费用、行政机关不再处理其    ０          ０        ０        ０        ０    ０    ０
       处理
              政府信息公开申请

              3.其他                      ０          ０        ０        ０        ０    ０    ０

       （七）总计                       １３         ２       ０        ０    ０       ０   １５

四、结转下年度继续办理                   ４          １        ０        ０        ０    ０    ５

     四、政府信息公开行政复议、行政诉讼情况
                                                      行政诉讼
           行政复议
                                     未经复议直接起诉                复议后起诉
结果  结果  其他  尚未       结果  结果  其他  尚未        结果  结果  其他  尚未
                     总计                          总计                         总计
维持  纠正  结果  审结       维持  纠正  结果  审结        维持  纠正  结果  审结
 １    ０    ０    ０    １    ０    ０    ０    ０    ０    —     —     —     —     —

     五、存在的主要问题及改进情况
  无。
"""

EXPECTED_LAYOUT = expected(
    {"regulations": {"issued": 0, "repealed": 0, "in_force": 0},
     "normative_documents": {"issued": 2, "repealed": None, "in_force": 7},
     "administrative_licensing": {"decisions": 1234},
     "administrative_punishment": {"decisions": 356},
     "administrative_coercion": {"decisions": None},
     "administrative_fees": {"amount": 0.5}},
    {"new_received": [15, 3, 0, 0, 0, 0, 18], "carried_over": [2, 0, 0, 0, 0, 0, 2],
     "granted": [6, 2, 0, 0, 0, 0, 8], "partially_granted": [2, 0, 0, 0, 0, 0, 2],
     "denied.state_secret": Z, "denied.prohibited_by_law": Z, "denied.endangers_safety_stability": Z,
     "denied.third_party_rights": [1, 0, 0, 0, 0, 0, 1], "denied.internal_affairs": Z,
     "denied.process_information": Z, "denied.law_enforcement_file": Z, "denied.administrative_query": Z,
     "unavailable.not_held": [3, 0, 0, 0, 0, 0, 3], "unavailable.needs_creation": Z,
     "unavailable.unclear_after_correction": Z,
     "not_processed.petition_complaint": [1, 0, 0, 0, 0, 0, 1], "not_processed.duplicate": Z,
     "not_processed.publication": Z, "not_processed.excessive": Z, "not_processed.confirm_or_reissue": Z,
     "other.no_correction": Z, "other.unpaid_fee": Z, "other.other": Z,
     "total": [13, 2, 0, 0, 0, 0, 15], "carried_forward": [4, 1, 0, 0, 0, 0, 5]},
    [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, None, None, None, None, None])


def test_pdftotext_layout_like_columns():
    """Space-aligned columns, a page marker inside section 二, vertical group labels, labels
    wrapped around their numbers, full-width digits, 「—」 and 「／」 blanks."""
    parsed = parse_report(TEXT_LAYOUT, "yanjin_scjg_2023.txt")
    assert printed(parsed) == EXPECTED_LAYOUT
    assert parsed.tables.problems == []
    assert [c.detail for c in parsed.checks if not c.ok] == []
    # a blank row total makes that row's check unevaluable, not failed
    assert not any(c.subject == "litigation_after_review" for c in parsed.checks)
    assert (parsed.meta.agency, parsed.meta.year) == ("延津县市场监督管理局", 2023)


# ---------------------------------------------------------------------------------------
# Numbers that cannot be placed are reported, never guessed

def test_unplaceable_rows_are_reported_and_left_out():
    text = TEXT_2019.replace("行政强制 2 0 3\n", "行政强制 2 0 3\n行政检查 7 1 9\n").replace(
        "（六）其他处理 1 0 0 0 0 0 1\n", "（六）其他处理 1 0 0 0 0 0 1\n转交其他机关办理 2 0 0 0 0 0 2\n")
    parsed = parse_report(text, "with_extra_rows.txt")
    assert parsed.tables.problems == [
        "二、主动公开政府信息情况：第 19 行的数字 7 1 9 无法对应到模板中的行（前面的文字：「行政检查」），未采用",
        "三、收到和处理政府信息公开申请情况：第 55 行的数字 2 0 0 0 0 0 2 无法对应到模板中的行"
        "（前面的文字：「转交其他机关办理」），未采用",
    ]
    assert parsed.warnings[-2:] == parsed.tables.problems
    # every placeable cell is still read exactly as before
    assert printed(parsed) == EXPECTED_2019


def test_row_with_too_few_numbers_is_reported():
    text = TEXT_2019.replace("2.重复申请 0 0 0 0 0 0 0", "2.重复申请 0 0 0 0 0")
    parsed = parse_report(text, "short_row.txt")
    assert parsed.tables.problems == [
        "三、收到和处理政府信息公开申请情况「2.重复申请」行：只读到 5 个数，应有 7 个（第 49 行），未采用"]
    # that row is left out whole; no number of it leaks into another row
    want = {k: v for k, v in EXPECTED_2019.items() if k[1] != "not_processed.duplicate"}
    assert printed(parsed) == want


REVIEW_ONE_ROW = """行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
1 0 0 0 1 0 0 0 1 1 0 0 0 0 0
"""


def test_review_rows_printed_one_under_another():
    text = TEXT_2019.replace(REVIEW_ONE_ROW, """行政复议
结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1
行政诉讼 未经复议直接起诉
结果维持 结果纠正 其他结果 尚未审结 总计
0 0 0 1 1
行政诉讼 复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计
0 0 0 0 0
""")
    parsed = parse_report(text, "review_in_three_rows.txt")
    assert parsed.tables.problems == []
    assert printed(parsed) == EXPECTED_2019


def test_review_never_takes_numbers_from_prose():
    text = TEXT_2019.replace(REVIEW_ONE_ROW, """行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1
本年度共收到行政复议申请 1 件，行政诉讼 2 件，均已办结。 3 4 5 6 7 8 9 10 11 12
""")
    parsed = parse_report(text, "review_cut_short.txt")
    assert parsed.tables.problems == ["四、政府信息公开行政复议、行政诉讼情况：只读到 5 个数，应有 15 个（第 60 行），未采用"]
    assert not any(c.table == "review_litigation" for c in parsed.tables.cells)


def test_applications_without_a_total_column():
    """Section 三 printed with the six applicant columns only: totals are blank, not guessed."""
    lines = []
    for line in TEXT_2019.split("\n"):
        if line.startswith("申请人情况"):
            line = line.replace(" 总计", "")
        elif re.search(r"^(?!\d+ )\S+( \d+){7}$", line):  # a labelled row of section 三
            line = line.rsplit(" ", 1)[0]  # drop the printed total
        lines.append(line)
    text = "\n".join(lines)
    assert "一、本年新收政府信息公开申请数量 9 2 0 0 1 0\n" in text and "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他\n" in text
    parsed = parse_report(text, "no_total_column.txt")
    assert parsed.tables.problems == ["三、收到和处理政府信息公开申请情况：表中没有「总计」列，各行的总计记为空白"]
    want = {k: (None if k[0] == "applications" and k[2] == "total" else v) for k, v in EXPECTED_2019.items()}
    assert printed(parsed) == want
    assert parsed.tables.get("applications", "granted", "total").value is None
    # the column-wise checks still run on the six columns; nothing fails
    assert [c.detail for c in parsed.checks if not c.ok] == []
    assert {c.check for c in parsed.checks} == {"applications.balance", "applications.outcomes",
                                                "review_litigation.row_total"}


def test_label_typo_is_read_by_resemblance():
    text = TEXT_2019.replace("4.保护第三方合法权益 1 0 0 0 0 0 1", "4.保护地三方合法权益 1 0 0 0 0 0 1")
    parsed = parse_report(text, "typo.txt")
    assert parsed.tables.problems == []
    assert printed(parsed) == EXPECTED_2019


# ---------------------------------------------------------------------------------------
# Real reports: the text of ../shared/realworld/*.pdf as two extractors give it

def _realworld_pdfs():
    if not REALWORLD.is_dir():
        pytest.skip(f"没有真实报告目录 {REALWORLD}（shared/realworld 不在仓库旁边），跳过")
    pdfs = sorted(REALWORLD.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"{REALWORLD} 里没有 PDF，跳过")
    return pdfs


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext（apt 包 poppler-utils），跳过 -layout 文本的测试")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def _pdfplumber(pdf: Path) -> str:
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def _truth_for(pdf: Path) -> dict:
    for t in (REALWORLD / "truth").glob("*.json"):
        truth = json.loads(t.read_text(encoding="utf-8"))
        if pdf.name in truth["files"]:
            return truth
    raise AssertionError(f"no truth file lists {pdf.name}")


@pytest.mark.parametrize("extract", [_pdftotext, _pdfplumber], ids=["pdftotext-layout", "pdfplumber"])
def test_realworld_text_scores_100_percent(extract, tmp_path):
    pdfs = _realworld_pdfs()
    facts = []
    for pdf in pdfs:
        parsed = parse_report(extract(pdf), pdf.name)
        truth = _truth_for(pdf)
        # exactly the truth's cells, no cell more
        assert printed(parsed) == flatten(truth), pdf.name
        assert parsed.tables.format == truth["format"]
        assert parsed.tables.problems == []
        facts += [{"report": pdf.name, "table": c.table, "row": c.row, "column": c.column, "value": c.value,
                   "derived": c.derived} for c in parsed.tables.cells]
    out = tmp_path / "facts.json"
    out.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    truth_dir = tmp_path / "truth"  # the PDFs' truth files only (realworld/ holds md and html too)
    truth_dir.mkdir()
    for pdf in pdfs:
        for t in (REALWORLD / "truth").glob("*.json"):
            if pdf.name in json.loads(t.read_text(encoding="utf-8"))["files"]:
                shutil.copy(t, truth_dir / t.name)
    res = subprocess.run([sys.executable, str(SCORE_FACTS), str(out), str(truth_dir)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "facts: 572/572 (100.0%) in 3 report files" in res.stdout
