"""The lexicon's cell records (plain words for template cells) and the question-engine wording
of issue 14 that goes with them: yes/no over a count, the list of a place's reports, a sum over
one report.

- every cell record is asked through each of its own `examples` (one test per record), and
  must find the cell it names; the records together cover every canonical cell of
  ../shared/template.md (the keys are written out below, not read from the code);
- the plain words do not turn a question about a body or the prose into a table cell;
- a relative-year word inside a cell's plain words (「从上一年带过来」) is no year;
- the lexicon refuses a cell record naming a cell the template lacks, or without examples.
End-to-end paraphrases are the families colloquial_cells, yes_no_count, … in
tests/data/questions_families.jsonl.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from qa_app import ask  # noqa: E402
from qa_app.engine.cells import find_cell  # noqa: E402
from qa_app.engine.lexicon import Lexicon, LexiconError, lexicon, read_records  # noqa: E402
from qa_app.engine.understand import find_relative_years  # noqa: E402

CELL_RECORDS = [r for r in read_records() if r.get("kind") == "cell"]

# The canonical keys of template.md: every row and column a question can ask for.
APPLICATION_ROWS = ["new_received", "carried_over", "granted", "partially_granted", "denied",
                    "denied.state_secret", "denied.prohibited_by_law", "denied.endangers_safety_stability",
                    "denied.third_party_rights", "denied.internal_affairs", "denied.process_information",
                    "denied.law_enforcement_file", "denied.administrative_query", "unavailable",
                    "unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear_after_correction",
                    "not_processed", "not_processed.petition_complaint", "not_processed.duplicate",
                    "not_processed.publication", "not_processed.excessive", "not_processed.confirm_or_reissue",
                    "other", "other.no_correction", "other.unpaid_fee", "other.other", "total", "carried_forward"]
APPLICATION_COLUMNS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                       "legal_service_org", "other_org", "legal_person_or_org"]
PROACTIVE_ROWS = ["regulations", "normative_documents", "administrative_licensing", "administrative_punishment",
                  "administrative_coercion", "administrative_fees", "other_management_services",
                  "centralized_procurement"]
PROACTIVE_COLUMNS = ["issued", "repealed", "in_force", "decisions", "amount", "made", "published", "total_public",
                     "previous_year_items", "change", "items"]
REVIEW_ROWS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_COLUMNS = ["upheld", "corrected", "other", "pending"]


@pytest.mark.parametrize("rec", CELL_RECORDS, ids=[r["label"] for r in CELL_RECORDS])
def test_each_cell_record_finds_its_cell(rec):
    table, row, column = rec["cell"]
    assert rec["examples"]
    for ex in rec["examples"]:
        c = find_cell(ex)
        assert c is not None, (rec["label"], ex)
        got = (c.table, c.row if row is not None else None, c.column if column is not None else None)
        assert got == (table, row, column), (rec["label"], ex, (c.table, c.row, c.column))


def test_the_cell_records_cover_every_canonical_cell():
    named = {(t, "row", r) for t, r, _ in (x["cell"] for x in CELL_RECORDS) if r} \
        | {(t, "col", c) for t, _, c in (x["cell"] for x in CELL_RECORDS) if c}
    want = {("applications", "row", r) for r in APPLICATION_ROWS} | {("applications", "col", c) for c in APPLICATION_COLUMNS} \
        | {("proactive", "row", r) for r in PROACTIVE_ROWS} | {("proactive", "col", c) for c in PROACTIVE_COLUMNS} \
        | {("review_litigation", "row", r) for r in REVIEW_ROWS} | {("review_litigation", "col", c) for c in REVIEW_COLUMNS}
    assert not want - named, sorted(want - named)


@pytest.mark.parametrize("q, row", [
    ("红谷滩区政府办2023年找不到信息的有几件", "unavailable.not_held"),
    ("没有现成的信息要另外整理的有几件", "unavailable.needs_creation"),   # not 「没有…信息」 (not held)
    ("去年没办完转到今年的有多少件", "carried_over"),                     # not 「没办完」 (carried forward)
    ("年底还没办完的有多少件", "carried_forward"),
    ("只公开了一部分的有几件", "partially_granted"),                      # not 「公开了」 (granted)
    ("不受理的申请有几件", "not_processed"),                              # not 「受理」 (new received)
    ("其他处理里面的其他有几件", "other.other"),
])
def test_plain_words_read_in_priority_order(q, row):
    c = find_cell(q)
    assert c is not None and c.table == "applications" and c.row == row, (q, c)


@pytest.mark.parametrize("q", [
    "管上访的单位有没有被告过",                # a body described (the language model's part), not 信访举报投诉类申请
    "红旗区信访局怎么处理群众举报",            # no count asked: prose
    "红谷滩区政府办在网站上发了多少条信息",    # 「发了」 is 本年制发 only of 规章 / 规范性文件
    "规章制度建设情况怎么样",                  # no count asked
    "红旗区信访局2023年收到多少件申请",        # the template's own words need no rewriting
    "红谷滩区政府办2023年办了几场培训",        # 办了: trainings, not the outcomes of applications
    "开展了几次公共安全培训",                  # 公共安全: not 危及“三安全一稳定”
    "红旗区市场监督管理局罚款金额多少",        # an amount the table does not hold, not the count of decisions
])
def test_plain_words_do_not_fire_on_other_questions(q):
    assert lexicon().rewrite_cells(q)[1] == [], q


def test_a_year_word_inside_a_cells_plain_words_is_no_year():
    assert find_relative_years("红旗区信访局2023年从上一年带过来几件") == []
    assert find_relative_years("红旗区信访局2023年去年没办完的有几件") == []
    assert find_relative_years("红旗区信访局去年收到多少件申请") == ["去年"]


@pytest.mark.parametrize("cell, examples, why", [
    (["applications", "not_a_row", None], ["x"], "not a row"),
    (["applications", None, "not_a_column"], ["x"], "not a column"),
    (["nowhere", "total", None], ["x"], "cell is"),
    (["applications", "total", None], [], "examples"),
])
def test_a_cell_record_naming_no_template_cell_is_refused(cell, examples, why):
    rec = {"label": "CELL_BAD", "kind": "cell", "pattern": [{"REGEX": "坏"}], "priority": 1, "cell": cell,
           "examples": examples}
    with pytest.raises(LexiconError, match=why):
        Lexicon([rec])


def test_rewrite_gives_the_template_word_and_the_hit():
    text, hits = lexicon().rewrite_cells("转到下一年的还有几件")
    assert text == "结转下年的还有几件" and [h.label for h in hits] == ["CELL_CARRIED_FORWARD"]
    assert hits[0].text == "转到下一年"


# ---------------------------------------------------------------------------------------
# End to end over the seed corpus

@pytest.fixture(scope="module")
def settings(corpus_settings):
    return corpus_settings


def test_yes_no_over_a_count_says_no_for_zero_and_the_count_otherwise(settings):
    a = ask("文化街办事处2023年收到申请了吗", settings=settings)
    assert a.value == 0 and a.answer.startswith("没有。")
    a = ask("红谷滩区政府办2023年被复议了没", settings=settings)
    assert a.value == 0 and a.answer.startswith("没有。")
    a = ask("红旗区信访局2023年收到申请了没有", settings=settings)
    assert a.value == 6 and a.answer.startswith("有，6件。")
    a = ask("红旗区信访局2023年收到几件申请了", settings=settings)  # a number asked: the count only
    assert a.value == 6 and not a.answer.startswith("有")


def test_the_reports_of_a_place_are_listed_when_asked_which_bodies(settings):
    a = ask("红旗区都有哪些单位的报告？", settings=settings)
    # the five 红旗区 seeds and reports of tests/ask_corpus.py: 000, 001, 002, 003, 信访局2023, 市场监管局2023
    assert a.kind == "aggregate" and a.value == 6
    for name in ("红旗区人民政府办公室", "红旗区城乡建设局", "红旗区信访局", "红旗区文化街街道办事处", "红旗区市场监督管理局"):
        assert name in a.answer
    assert "红谷滩" not in a.answer
    a = ask("红谷滩有哪几个单位的报告", settings=settings)
    assert a.value == 2 and "004_a940ca4a84d42417.txt" in a.answer and "hgt_2022.txt" in a.answer


def test_a_monthly_refusal_only_for_a_table_question(settings):
    a = ask("红谷滩区政府办2023年每个月收到多少申请", settings=settings)
    assert a.kind == "none" and "暂不支持" in a.answer
    a = ask("红旗区信访局2022年每月更新哪些公开内容", settings=settings)
    assert a.kind == "text" and "暂不支持" not in a.answer and "每月对领导接访日程" in a.answer


def test_a_sum_over_one_report_reads_as_a_lookup(settings):
    a = ask("红旗区各单位2022年行政诉讼一共几件", settings=settings)
    # 2022: 红旗区 has only 红旗区信访局's report (seed 002), all zero
    assert a.value == 0 and a.answer.startswith("红旗区信访局2022年行政诉讼")
    assert "各份均为0" not in a.answer and "1份报告" not in a.answer and "只有红旗区信访局2022年这一份报告" in a.answer
    assert {c.report for c in a.citations} == {"002_050334ec39756ada.txt"}


BODIES = ("红旗区信访局", "红谷滩区政府办", "红旗区市场监督管理局", "文化街街道")  # 信访 is also a cell word


@pytest.mark.parametrize("rec", CELL_RECORDS, ids=[r["label"] for r in CELL_RECORDS])
def test_each_cell_records_examples_with_a_body_and_year(rec, settings):
    """The examples asked of each body with a year: the body and the year are still read (a body's
    name is no cell word, a year word inside the plain words is no year), and the cell too."""
    from qa_app.engine import get_catalog, get_store
    from qa_app.engine.understand import understand
    catalog = get_catalog(get_store(settings))
    table, row, column = rec["cell"]
    for ex in rec["examples"]:
        for body in BODIES:
            q = understand(f"{body}2023年{ex}", catalog)
            c = q.cell
            assert c is not None and (c.table, c.row if row else None, c.column if column else None) == (table, row, column), \
                (rec["label"], body, ex, c)
            assert len(q.bodies) == 1 and q.years == [2023], (rec["label"], body, ex, q.bodies, q.years)
