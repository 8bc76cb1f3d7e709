"""The prose path's pure parts, on sentences copied from the reports (seeds and ../shared/realworld):
the unit a question counts in, the counts a sentence prints, a rate stated after its name or
stem, the reports' words for a question's words, and where a table region's prose tail starts.
No index, no model; the end-to-end paraphrase sets are in tests/data/questions_families.jsonl
and questions_realworld.jsonl (families prose_paraphrase, prose_problems, prose_refuse,
rw_prose_paraphrase, rw_prose_problems, rate_stated).
"""
from __future__ import annotations

import pytest

from qa_app.engine.passages import report_sentences, table_end
from qa_app.engine.prose import (counted_unit, counts_in_prose_unit, numbers, query_terms, rate_at, states_rate,
                                 wanted_units, _rate_stems)

KEWEI = "“上海科技”微信公众号共编发文章 1640 篇，其中原创文章 294篇，微信公众号目前关注人数达 1016823 人；直播 118 场。"


@pytest.mark.parametrize("question,unit", [
    ("洪泽区2024年公开了几期政府常务会议", "期"),
    ("淮安市一共召开了几场新闻发布会", "场"),
    ("红谷滩区政府办2023年在网站上发了多少条信息", "条"),
    ("上海市科委微信公众号关注人数多少", "人"),
    ("上海市科委微信公众号有多少粉丝", "人"),
    ("接待群众多少人次", "人次"),
    ("洪泽区2023年收取信息处理费多少钱", "元"),
    ("红谷滩区政府办2022年组织了几次培训", "次"),
    ("上海市人民政府办公厅2019年申请数量较去年回落了多少", None),
    ("文化街街道通过什么平台公开信息", None),
])
def test_the_unit_a_question_counts_in(question, unit):
    assert counted_unit(question) == unit


def test_unit_families_and_rates():
    assert wanted_units("关注人数多少") == {"人", "万人", "余人", "名", "位", "户"}
    assert wanted_units("公开了几期政府常务会议") == {"期"}
    assert wanted_units("市政府公文主动公开率是多少") == {"%"}
    assert wanted_units("政务新媒体检查合格率") == {"%"}
    assert wanted_units("文化街街道公众号谁负责") is None


@pytest.mark.parametrize("question,prose", [
    ("上海市政府办公厅2019年编发了几期公报", True),
    ("淮安市2024年开了几场新闻发布会", True),
    ("沭阳县2025年策采了多少篇新闻稿件", True),
    ("红旗区信访局2023年被起诉了几次", False),     # 次: the review/litigation table counts these
    ("红谷滩区政府办2023年部分公开了多少件", False),
    ("淮安市2024年收到多少申请", False),
])
def test_a_unit_no_table_counts_in_goes_to_the_text(question, prose):
    assert counts_in_prose_unit(question) is prose


def test_numbers_with_their_units_as_printed():
    got = [(n, u) for n, u, _, _ in numbers(KEWEI)]
    assert got == [("1640", "篇"), ("294", "篇"), ("1016823", "人"), ("118", "场")]
    assert [(n, u) for n, u, _, _ in numbers("在区政府网站及时规范公开政务信息 900多条。")] == [("900", "条")]
    assert [(n, u) for n, u, _, _ in numbers("市政府网站主动公开各类政府信息 5500 余条")] == [("5500", "条")]
    assert [(n, u) for n, u, _, _ in numbers("共受理政府信息公开申请859件，申请数量较去年回落12.3%；")] == \
        [("859", "件"), ("12.3", "%")]
    # a year, a date and a clause number are no counts
    assert numbers("2024 年 1 月 1 日至 12 月 31 日，第二十条") == []


def test_a_rate_stated_after_its_name_or_its_stem():
    assert rate_at("经政务公开工作机构审核的市政府公文主动公开率达90.2%。", _rate_stems("市政府公文主动公开率是多少"))[0] == "90.2"
    s = "从评价结果看，差评数占评价量总数的0.34%，好评数占评价总数99.58%。"
    assert rate_at(s, _rate_stems("政务服务好评率多少"))[0] == "99.58"
    assert rate_at(s, _rate_stems("政务服务差评率是多少"))[0] == "0.34"
    assert rate_at("双公示信息及时率、合格率均达到 100%，瞒报率为 0。", _rate_stems("瞒报率是多少"))[0] == "0"
    # the stem alone needs a percent sign: 「办结 3 件」 states no 办结率
    assert rate_at("全年办结申请 3 件。", _rate_stems("办结率是多少")) is None
    assert states_rate("好评率", s) and not states_rate("办结率", s)


def test_the_reports_words_for_the_questions_words():
    terms, groups = query_terms("在网站上发了多少条信息")
    assert any("门户网站" in g for g in groups) and any("发布" in g for g in groups)
    assert "条信" not in terms  # 「多少条」 asks the unit; 条 is no topic word
    _, groups = query_terms("有什么app可以看政府信息吗")
    assert any("app" in g and "客户端" in g for g in groups)  # the Latin word is matched as a word
    _, groups = query_terms("有没有因为公开工作不力被追责的")
    assert any("责任追究" in g for g in groups)
    _, groups = query_terms("收到的申请按时答复了吗")
    assert any("法定期限" in g for g in groups)
    t = query_terms("通过什么平台公开信息")
    assert t.bridges["台公"] == ("平台", "公开")  # across 平台|公开: counted only when both words are missing


KEWEI_TAIL = [
    "三、政府信息公开行政复议、行政诉讼情况",
    "维持\t纠正\t结果\t审结\t结果\t结果\t其他\t尚未",
    "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
    "---\t---\t---\t---",
    "",
    "（一）主要问题",
    "市科委 2024 年根据本市机构改革工作安排，内设机构和职",
    "能发生较大调整，原有部门网站政务公开栏目和政府信息公开目",
    "录结构无法满足机构改革后的市科委政务信息发布需要。",
    "",
]


def test_the_prose_after_a_tables_last_row_is_not_the_table():
    assert table_end(KEWEI_TAIL, 0, len(KEWEI_TAIL)) == 4
    # a region ending in table rows keeps its end
    assert table_end(KEWEI_TAIL[:4], 0, 4) == 4
    # label lines without a sentence are not given back
    labels = KEWEI_TAIL[:4] + ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（七）总计"]
    assert table_end(labels, 0, len(labels)) == len(labels)


def test_report_sentences_read_the_problems_after_a_table():
    text = "\n".join(["一、总体情况", "全年发布信息 20 条。", "二、收到和处理政府信息公开申请情况",
                      "申请人情况\t自然人\t总计", "一、本年新收政府信息公开申请数量\t3\t3",
                      "三、本年度办理结果\t1\t1", "（一）予以公开\t1\t1", "（七）总计\t1\t1",
                      "四、结转下年度继续办理\t0\t0"] + KEWEI_TAIL)
    sents = report_sentences(1, text)
    problems = [s for s in sents if "problems" in s.topics]
    assert problems and "机构改革" in problems[0].text


@pytest.mark.parametrize("question,units,noun,measure", [
    ("淮安市2024年组织了几次培训", {"次", "万次", "余次", "人次", "万人次", "场"}, "培训", ""),
    ("淮安市一共召开了几场新闻发布会", {"场", "次"}, "新闻发布会", ""),
    ("上海市科委视频号粉丝多少", {"人", "万人", "余人", "名", "位", "户"}, "", "粉丝"),
    ("上海市科委2024年直播观看量是多少", {"次", "万次", "余次", "人次", "万人次", "场"}, "", "观看量"),
    ("洪泽区2024年政府常务会议公开了多少期", {"期"}, "", ""),
])
def test_what_a_count_question_asks(question, units, noun, measure):
    from qa_app.engine.prose import count_asked
    c = count_asked(question)
    assert (set(c.units), c.noun, c.measure) == (units, noun, measure)


def test_the_numbers_that_may_answer_a_count():
    from qa_app.engine.prose import candidates, count_asked
    s = "“上海科技”视频号共制作并发布短视频 584 条，累计观看量 1924252 次，粉丝数54373；直播 118 场。"
    # 粉丝数54373 has no unit but follows the measure word asked
    assert [n for n, *_ in candidates(s, count_asked("视频号粉丝多少"))] == ["54373"]
    # a count of trainings is not a count of inspections
    t = "根据省政务公开年度和季度监测指标，全年组织 4 次政府信息公开栏目全覆盖检查。"
    assert candidates(t, count_asked("组织了几次培训")) == []
    assert [n for n, *_ in candidates(t, count_asked("组织了几次栏目检查"))] == ["4"]


@pytest.mark.parametrize("heading", [
    "五、存在的主要问题及改进情况", "## 五、存在的主要问题及改进情况", "**五、存在的主要问题及改进情况**",
    "五、存在的主要问题及改进情况。", "第五部分 存在的主要问题及改进情况", "5. 存在的主要问题及改进情况",
    "五、政府信息公开工作存在的主要问题及改进情况", "（五）存在的主要问题及改进情况",
])
def test_the_problems_section_however_its_heading_is_printed(heading):
    text = "\n".join(["一、总体情况", "全年发布信息20条。", heading, "一是信息公开内容不够全面；二是更新不够及时。",
                      "下一步，将加强培训。", "一、加强学习。", "六、其他需要报告的事项", "未收取费用。"])
    got = [(s.text, "problems" in s.topics, "improvements" in s.topics) for s in report_sentences(1, text)]
    assert got == [("全年发布信息20条。", False, False),
                   ("一是信息公开内容不够全面；二是更新不够及时。", True, False),
                   ("下一步，将加强培训。", False, True),
                   ("一、加强学习。", False, True),   # a short item with its 。 is a sentence, not a heading
                   ("未收取费用。", False, False)]
