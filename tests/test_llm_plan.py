"""How the model's plan is checked and merged with the rules' reading (llm/route.py, llm/gate.py),
with LangChain's fake chat model standing in for the model.

Families, each written as a set of paraphrases with the seeds' own numbers written out:
红谷滩区政府办 2023 (004_a940ca4a84d42417.txt): 新收 28, 予以公开 6, 部分公开 12, 办理结果总计 28,
网站发布信息 994 条; 红旗区人民政府办公室 2023 (000_aa0ecb1c4df3c9c5.txt): 新收 4, 行政复议 0;
红旗区城乡建设局 2023 (001_924043a2ff6d2acf.txt): 行政许可 28, 行政处罚 0; 红旗区信访局 2022
(002_050334ec39756ada.txt): all zero, 「未向申请人收取任何费用」; 红旗区文化街街道办事处 2023
(003_537c1939cbe3baea.txt): 微信公众号公开信息 553 条.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa_app.engine import ask, get_catalog, get_store
from qa_app.engine.understand import understand
from qa_app.llm import use_model
from qa_app.llm.gate import reasons
from qa_app.llm.route import Rejected, cell_choices, mentioned, schema, to_query

sys.path.insert(0, str(Path(__file__).parent))
import llm_corpus  # noqa: E402
from test_llm import Recorder, cfg  # noqa: E402

HGT, ZFB, CJ, XF, JD = ("004_a940ca4a84d42417.txt", "000_aa0ecb1c4df3c9c5.txt", "001_924043a2ff6d2acf.txt",
                        "002_050334ec39756ada.txt", "003_537c1939cbe3baea.txt")
HGT_BODY, ZFB_BODY = "红谷滩区政府办", "红旗区人民政府办公室"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return llm_corpus.build(tmp_path_factory.mktemp("llmplan"), narrative=False)


def plan_json(bodies=(), cell=None, column=None, prose=False, op="lookup") -> str:
    return json.dumps({"bodies": list(bodies), "prose": prose, "cell": cell, "column": column, "op": op},
                      ensure_ascii=False)


def fake(*responses):
    rec = Recorder()
    return FakeListChatModel(responses=list(responses), callbacks=[rec]), rec


def catalog_of(index):
    return get_catalog(get_store(cfg(index)))


def run(corpus, q, plan, **kw):
    model, rec = fake(plan)
    with use_model(model):
        return ask(q, settings=cfg(corpus, llm_phrase="never", **kw)), rec


# ---------------------------------------------------------------------------------------
# The schema: one enum of cells, so a row is always chosen with its own table

def test_the_cell_is_one_enum_of_table_and_row(corpus):
    props = schema(catalog_of(corpus))["properties"]
    assert "table" not in props and "row" not in props
    cells = props["cell"]["anyOf"][0]["enum"]
    assert {"applications.granted", "applications.partially_granted", "applications.unavailable.not_held",
            "proactive.administrative_licensing", "review_litigation.litigation"} <= set(cells)
    assert "proactive.granted" not in cells and "applications.administrative_licensing" not in cells
    labels = dict(cell_choices())
    assert labels["applications.granted"] == "予以公开" and labels["review_litigation.review"] == "行政复议"


def test_the_prompt_names_cells_by_their_joint_keys(corpus):
    q = "红谷滩那个办公室全部公开的有多少"  # (红谷滩区人民政府办公室 is now read by the rules' names)
    ans, rec = run(corpus, q, plan_json([HGT_BODY], "applications.granted"))
    system = rec.calls[0][0].content
    assert "applications.granted 予以公开" in system and "review_litigation.litigation" in system
    assert ans.value == 6 and [c.report for c in ans.citations] == [HGT]


@pytest.mark.parametrize("data, why", [
    ({"cell": "proactive.granted"}, "行「granted」不是表 proactive 的行"),
    ({"cell": "tables.granted"}, "表「tables」不是模板中的表"),
    ({"table": "proactive", "row": "granted"}, "行「granted」不是表 proactive 的行"),   # the older form, still checked
    ({"cell": "applications.granted", "column": "colour"}, "列「colour」不是 applications.granted 的列"),
])
def test_a_cell_outside_the_template_is_rejected(corpus, data, why):
    cat = catalog_of(corpus)
    q = "红谷滩区政府办有多少申请是给了的"
    with pytest.raises(Rejected, match=why):
        to_query({"bodies": [HGT_BODY], "prose": False, "op": "lookup", **data}, q, cat, understand(q, cat))


def test_a_column_of_another_row_of_the_table_falls_back_to_the_rows_own(corpus):
    """「amount」 is a proactive column, but not of 行政许可: the row's own count is read."""
    ans, _ = run(corpus, "搞城市建设的那个部门审批了几件",
                 plan_json(["红旗区城乡建设局"], "proactive.administrative_licensing", column="amount"))
    assert ans.value == 28 and [c.report for c in ans.citations] == [CJ]


# ---------------------------------------------------------------------------------------
# Bodies: a standard abbreviation of an office, with its place, is a mention; a guess is not

@pytest.mark.parametrize("q, body, cell, value, source", [
    ("红旗区府办2023年新收申请多少件", ZFB_BODY, "applications.new_received", 4, ZFB),
    ("红旗区府办行政复议几件", ZFB_BODY, "review_litigation.review", 0, ZFB),
    ("红谷滩的区府办新收了多少申请", HGT_BODY, "applications.new_received", 28, HGT),
    ("红谷滩区府办予以公开几件", HGT_BODY, "applications.granted", 6, HGT),
    ("红谷滩那个政府办公室部分公开几件", HGT_BODY, "applications.partially_granted", 12, HGT),
])
def test_an_office_named_by_its_place_and_an_abbreviation(corpus, q, body, cell, value, source):
    ans, _ = run(corpus, q, plan_json([body], cell))
    assert ans.value == value and [c.report for c in ans.citations][:1] == [source], ans.answer
    assert "语言模型对问题的理解无效" not in (ans.notice or "")


@pytest.mark.parametrize("q, body", [
    ("政府办公室收到多少申请", HGT_BODY),               # no place at all: which office?
    ("红旗区税务局2023年收到多少申请", ZFB_BODY),       # the place, but another body
    ("红旗区税务局政府信息公开申请多少件", ZFB_BODY),   # 政府信息 is no office
])
def test_a_guessed_office_is_not_taken(corpus, q, body):
    ans, _ = run(corpus, q, plan_json([body], "applications.new_received"))
    assert not any(c.report == HGT and c.value == 28 for c in ans.citations) or body != HGT_BODY
    assert f"问题里看不出指的是{body}" in ans.notice or "不在库中" in ans.notice, ans.notice


@pytest.mark.parametrize("said, agency, expected", [
    ("红旗区府办", ZFB_BODY, True),
    ("红旗区区府办公室去年受理了多少申请", ZFB_BODY, True),
    ("红谷滩的区府办", HGT_BODY, True),
    ("红谷滩区人民政府办公室", HGT_BODY, True),
    ("红旗区府办", HGT_BODY, False),
    ("红谷滩区政府网站发布了多少条", HGT_BODY, False),
    ("区府办收到多少申请", ZFB_BODY, False),
    ("管上访的单位", "红旗区信访局", True),
    ("管教育的局", "红旗区信访局", False),
])
def test_mentioned(corpus, said, agency, expected):
    cat = catalog_of(corpus)
    assert mentioned(cat.bodies[agency], said, cat) is expected


@pytest.mark.parametrize("q, cell, value", [
    ("管城市建设的局2023年发了多少个行政许可", "proactive.administrative_licensing", 28),
    ("管城市建设的局行政处罚几件", "proactive.administrative_punishment", 0),
])
def test_a_description_is_not_a_place(corpus, q, cell, value):
    """「管城市」 reads like a city but is no division: the model may map 「管城市建设的局」."""
    ans, _ = run(corpus, q, plan_json(["红旗区城乡建设局"], cell))
    assert ans.value == value and [c.report for c in ans.citations] == [CJ], ans.answer


# ---------------------------------------------------------------------------------------
# The text or a cell: the question's words decide; the model only where they do not

@pytest.mark.parametrize("q, body, cell, source", [
    ("街道那边在微信上公开了多少条", "红旗区文化街街道办事处", "applications.granted", JD),
    ("红谷滩区人民政府办公室2023年在网站上发了多少条信息", HGT_BODY, "applications.total", HGT),
])
def test_a_cell_nothing_points_at_gives_way_to_the_topic_of_the_text(corpus, q, body, cell, source):
    """The rules read a topic of the text (微信, 网站); the model's cell is not in the words said
    (办 of 办公室 is the name's): the answer quotes the body's report, not a table cell."""
    ans, _ = run(corpus, q, plan_json([body], cell))
    assert ans.kind == "text" and [c.report for c in ans.citations] == [source], ans.answer
    assert ans.citations[0].row_key == "" and ans.value != 28


@pytest.mark.parametrize("q, value", [
    ("红旗区政府办新来的申请数", 4),        # 「…数」 asks for the count
    ("红旗区府办办理结果总计", 4),          # and so does a total named at the end
])
def test_a_count_named_at_the_end_is_a_number_question(corpus, q, value):
    cell = "applications.new_received" if "新来" in q else "applications.total"
    ans, _ = run(corpus, q, plan_json([ZFB_BODY], cell))
    assert ans.kind == "table" and ans.value == value and [c.report for c in ans.citations][:1] == [ZFB], ans.answer


@pytest.mark.parametrize("q, source", [
    ("管上访的单位在公示栏公开了什么", XF),
    ("管上访的单位网上公开了什么", XF),
])
def test_a_what_question_about_the_text_is_not_a_cell(corpus, q, source):
    """The rules read 公开 as the 予以公开 cell, but the question asks what was published: the
    answer is from the body's text (or says the text has nothing), never the table's 0."""
    ans, _ = run(corpus, q, plan_json(["红旗区信访局"], prose=True))
    assert ans.kind in ("text", "none") and ans.value is None and "红旗区信访局" in ans.answer, ans.answer
    assert {c.report for c in ans.citations} <= {source}


def test_a_plan_that_leaves_both_open_keeps_the_rules_reading_of_text(corpus):
    ans, _ = run(corpus, "上访那个局公开工作有啥不足", plan_json(["红旗区信访局"]))
    assert ans.kind == "text" and {c.report for c in ans.citations} == {XF}, ans.answer


# ---------------------------------------------------------------------------------------
# The gate: where a prose reading is only what was left when no cell was found

@pytest.mark.parametrize("q", ["红旗区城乡建设局批了几个证", "红旗区信访局2022年挨过告吗", "红旗区城乡建设局罚了多少次款",
                               "红谷滩区政府办2023年点头同意的有多少", "区府办怎么保证发布的信息安全"])
def test_topicless_prose_and_ambiguous_names_reach_the_model(corpus, q):
    cat = catalog_of(corpus)
    assert reasons(understand(q, cat), q, cat) != []


@pytest.mark.parametrize("q", ["红谷滩区政府办2023年答应公开的有多少", "红旗区府办怎么保证发布的信息安全"])
def test_what_the_rules_now_read_themselves_does_not_reach_the_model(corpus, q):
    # 答应公开 is a cell word of the lexicon, 红旗区府办 a standard form of 红旗区人民政府办公室 (issue 14)
    cat = catalog_of(corpus)
    assert reasons(understand(q, cat), q, cat) == []


@pytest.mark.parametrize("q", ["红谷滩区政府办2023年通过区政府网站发布了多少条信息？", "红旗区信访局在政务公开栏张贴了什么？",
                               "红旗区城乡建设局存在哪些问题？", "红旗区信访局收取费用了吗？"])
def test_prose_questions_with_a_topic_do_not(corpus, q):
    cat = catalog_of(corpus)
    assert reasons(understand(q, cat), q, cat) == []


@pytest.mark.parametrize("q, cell, value", [
    ("红旗区城乡建设局批了几个证", "proactive.administrative_licensing", 28),
    ("红旗区城乡建设局罚了多少次款", "proactive.administrative_punishment", 0),
    ("红谷滩区政府办2023年答应公开的有多少", "applications.granted", 6),
])
def test_a_topicless_prose_reading_becomes_the_models_cell(corpus, q, cell, value):
    body = HGT_BODY if "红谷滩" in q else "红旗区城乡建设局"
    ans, _ = run(corpus, q, plan_json([body], cell))
    assert ans.kind == "table" and ans.value == value, ans.answer


# ---------------------------------------------------------------------------------------
# Checks of the written answer and of the evaluation

@pytest.mark.parametrize("text, cited, bad", [
    ("红谷滩区人民政府办公室完成了网站适老化改造[1]。", ["红谷滩区政府办"], []),   # the user's name for the cited body
    ("红旗区人民政府办公室完成了网站适老化改造[1]。", ["红谷滩区政府办"], ["红旗区人民政府办公室"]),
    ("这是红谷滩区政府办的报告[1]。", ["新乡市红旗区教育局"], ["红谷滩区政府办"]),
    ("区人民政府办公室发布了994条[1]。", ["红谷滩区政府办"], ["区人民政府办公室"]),       # another body's alias alone
])
def test_a_catalog_name_inside_a_cited_bodys_longer_name(text, cited, bad):
    from qa_app import gazetteer
    from qa_app.llm.verify import foreign_bodies
    known = ["区人民政府办公室", "红旗区人民政府办公室", "红谷滩区政府办", "红旗区信访局", "新乡市红旗区教育局"]
    found = foreign_bodies(text, cited, known, gazetteer.mentions)
    assert found[:len(bad)] == bad and (bad or found == [])


def test_the_year_a_relative_word_was_read_as_is_not_invented():
    from qa_app.llm.evaluate import invented_numbers
    ans = {"answer": "库中没有红旗区人民政府办公室2025年的报告；库中只有红旗区人民政府办公室2023年的报告。"
                     "（「去年」按2025年理解。）", "kind": "none", "citations": []}
    assert invented_numbers(ans, "红旗区区府办公室去年受理了多少申请", {"2022", "2023", "6", "7"}) == []
    # a year no note explains still is
    assert invented_numbers({**ans, "answer": ans["answer"].replace("（「去年」按2025年理解。）", "")},
                            "红旗区区府办公室去年受理了多少申请", {"2022", "2023", "6", "7"}) == ["2025"]


@pytest.mark.parametrize("q, phrased", [
    ("文化街那边公众号发了多少东西", False),                  # 「…公众号平台主动公开各类信息 553 条」 answers it
    ("红谷滩区政府办2023年通过区政府网站发布了多少条信息？", False),
    ("红旗区城乡建设局的改进措施有哪些？", None),              # no number: the usual rule decides
])
def test_no_rewrite_when_the_quoted_sentence_states_the_number(corpus, q, phrased):
    from qa_app.llm.phrase import answered_by_quote, should_phrase
    before = ask(q, settings=cfg(corpus, llm_mode="none"), use_llm=False)
    assert answered_by_quote(before) is (phrased is False)
    if phrased is False:
        assert before.value in (553, 994) and not should_phrase(before, cfg(corpus, llm_phrase="unsure"))
        model, rec = fake("据报告共发布553条信息[1]。")
        with use_model(model):
            ans = ask(q, settings=cfg(corpus, llm_phrase="unsure"))
        assert ans.answer == before.answer and all(len(c) <= 2 for c in rec.calls)  # only the plan, if any


# ---------------------------------------------------------------------------------------
# A large catalog: the model picks from a short list of candidates next to the question

def big_catalog(corpus):
    """The seeds' bodies and 30 more (5 districts of 南昌 × 6 kinds of body), as report records."""
    from types import SimpleNamespace

    from qa_app.engine.catalog import Catalog
    reps = list(get_store(cfg(corpus)).reports())
    kinds = ["财政局", "教育局", "人民政府办公室", "公安局", "卫生健康委员会", "交通运输局"]
    places = ["东湖区", "西湖区", "青山湖区", "新建区", "湾里区"]
    for i, (p, k) in enumerate((p, k) for p in places for k in kinds):
        reps.append(SimpleNamespace(id=1000 + i, agency=p + k, aliases=[], region="江西省南昌市" + p, year=2023,
                                    checks_failed=0, province=None, prefecture=None, county=None,
                                    file_name=f"x{i}.txt"))
    return Catalog(reps)


@pytest.mark.parametrize("q, body", [
    ("红谷滩的区府办新收了多少申请", HGT_BODY),
    ("红其区城香建设局2023年行政许可几件", "红旗区城乡建设局"),
    ("管上访的单位有没有被告过", "红旗区信访局"),
    ("西湖区财正局收到多少申请", "西湖区财政局"),
])
def test_a_large_catalog_gives_a_short_list_that_holds_the_body(corpus, q, body):
    from qa_app.llm.route import PROMPT_BODIES_MAX, candidates, messages
    cat = big_catalog(corpus)
    assert len(cat.bodies) == 36
    choices = candidates(q, cat, understand(q, cat))
    assert len(choices) == PROMPT_BODIES_MAX and body in [b.agency for b in choices[:5]], [b.agency for b in choices]
    system, user = (m[1] for m in messages(q, cat, None, choices))
    assert body in user and "湾里区交通运输局" not in system and q in user
    assert schema(cat, choices)["properties"]["bodies"]["items"]["enum"] == sorted(b.agency for b in choices)


def test_a_small_catalog_is_listed_whole_in_the_cached_prompt(corpus):
    from qa_app.llm.route import candidates, messages
    cat = catalog_of(corpus)
    q = "管上访的单位有没有被告过"
    choices = candidates(q, cat, understand(q, cat))
    assert sorted(b.agency for b in choices) == sorted(cat.bodies)
    system, user = (m[1] for m in messages(q, cat, None, choices))
    assert all(a in system for a in cat.bodies) and "候选单位" not in user


@pytest.mark.parametrize("q, cell, value", [
    ("红谷滩政府办公室只公开了一部分的申请有几件", "applications.partially_granted", 12),
    ("红谷滩区政府办公开了一半的申请几件", "applications.partially_granted", 12),
])
def test_the_models_cell_in_the_words_said_stands_over_a_rules_cell_they_do_not_hold(corpus, q, cell, value):
    """The rules read 公开 as 予以公开; 「一部分」, 「一半」 say 部分公开, which the model chose."""
    ans, _ = run(corpus, q, plan_json([HGT_BODY], cell))
    assert ans.value == value and [c.row_key for c in ans.citations][:1] == ["partially_granted"], ans.answer


def test_a_rules_cell_in_the_words_said_stands_over_the_models(corpus):
    ans, _ = run(corpus, "红谷滩区政府办有多少申请是部分公开的", plan_json([HGT_BODY], "applications.granted"))
    assert ans.value == 12


def test_the_prompt_gives_everyday_words_for_cells(corpus):
    from qa_app.llm.route import messages
    system = messages("x", catalog_of(corpus), None)[0][1]
    assert "applications.partially_granted 部分公开（只公开一部分、公开一半）" in system
    assert "review_litigation.litigation 行政诉讼（合计）（被告、起诉、打官司）" in system


def test_an_outcome_named_with_a_total_word_is_that_outcome(corpus):
    """「查无此信息的答复」: 答复 reads as 办理结果总计 to the rules, 查无 as 本机关不掌握 to the
    model; as much is said of both, and the named part wins over the total (9, not 28)."""
    ans, _ = run(corpus, "红谷滩区政府办查无此信息的答复几件", plan_json([HGT_BODY], "applications.unavailable.not_held"))
    assert ans.value == 9 and [c.report for c in ans.citations][:1] == [HGT], ans.answer


@pytest.mark.parametrize("q, body, cell, value, source", [
    ("红旗区信访局2022年挨过告吗", "红旗区信访局", "review_litigation.litigation", 0, XF),
    ("红旗区城乡建设局有没有罚过款", "红旗区城乡建设局", "proactive.administrative_punishment", 0, CJ),
])
def test_a_yes_no_question_about_a_cell_is_answered_by_the_count(corpus, q, body, cell, value, source):
    ans, _ = run(corpus, q, plan_json([body], cell))
    assert ans.kind == "table" and ans.value == value and {c.report for c in ans.citations} == {source}, ans.answer


def test_a_yes_no_question_about_a_topic_of_the_text_stays_text(corpus):
    ans, _ = run(corpus, "红旗区信访局收取费用了吗？", plan_json(["红旗区信访局"], "proactive.administrative_fees"))
    assert ans.kind == "text" and "未向申请人收取任何费用" in ans.citations[0].quote


def test_an_office_word_alone_does_not_name_the_one_body_called_so(corpus):
    """Only 红谷滩区政府办 has 「政府办」 in its name, but 「红旗区政府办」 is not it."""
    cat = catalog_of(corpus)
    assert not mentioned(cat.bodies[HGT_BODY], "红旗区政府办新来的申请数", cat)
    assert mentioned(cat.bodies["红旗区文化街街道办事处"], "那个街道有啥问题", cat)  # the one 街道 still is


def test_a_row_the_rules_found_in_the_words_is_evidence_for_the_models_cell(corpus):
    """「那有没有人申请信息？」 after a question about 信访局: the rules found 申请 (新收) but read a
    yes/no question about the text; the model's 新收 is that row: the count, 0, of 信访局."""
    history = [{"role": "user", "content": "管上访的单位有没有被告过"},
               {"role": "assistant", "content": "红旗区信访局2022年行政诉讼共0件[1][2]。"}]
    model, _ = fake(plan_json(["红旗区信访局"], "applications.new_received"))
    with use_model(model):
        ans = ask("那有没有人申请信息？", history=history, settings=cfg(corpus, llm_phrase="never"))
    assert ans.kind == "table" and ans.value == 0 and [c.report for c in ans.citations] == [XF], ans.answer


def test_a_body_of_a_place_the_catalog_does_not_hold_is_refused(corpus):
    """「海淀区政府那个办公室」: the rules read only 「区政府」 (two offices fit) and would ask which;
    海淀区 is a real district the catalog holds nothing of, so the answer says so."""
    ans, _ = run(corpus, "海淀区政府那个办公室收到多少申请", plan_json([HGT_BODY], "applications.new_received"))
    assert ans.kind == "none" and ans.value is None and ans.answer.startswith("库中没有海淀区政府"), ans.answer
    assert not ans.citations
