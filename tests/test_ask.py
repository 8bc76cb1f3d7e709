"""The question engine on real data: every question of tests/data/questions.jsonl asked
in-process through qa_app.ask, against an index of the five seeds plus three edited copies
(tests/ask_corpus.py), with the expected value, kind, cited report and text written out.
Also: every number in every answer is in its citations, flagged reports, filters, history forms.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from ask_corpus import BAD_FILE, build_index, write_corpus
from qa_app import ask
from qa_app.settings import Settings

QUESTIONS = [json.loads(l) for l in (Path(__file__).parent / "data" / "questions.jsonl").read_text(encoding="utf-8")
             .splitlines() if l.strip()]
UNDERSTAND = importlib.import_module("qa_app.engine.understand")  # its clock: what 「今年」 is
ANSWER_KIND = {"table": "table", "aggregate": "aggregate", "text": "text", "refuse": "none", "clarify": "clarify"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    files = write_corpus(tmp_path_factory.mktemp("reports"))
    index = build_index(files, tmp_path_factory.mktemp("index"))
    return Settings.load(index=index)


@pytest.fixture(scope="module")
def answers(settings):
    return {g["id"]: ask(g["q"], g.get("history"), settings=settings) for g in QUESTIONS}


def test_the_set_is_big_and_varied():
    kinds = {g["kind"] for g in QUESTIONS}
    assert len(QUESTIONS) >= 80 and kinds == set(ANSWER_KIND)
    assert sum(1 for g in QUESTIONS if "history" in g) >= 5
    assert sum(1 for g in QUESTIONS if re.search(r"[A-Za-z]{4}", g["q"])) >= 5


@pytest.mark.parametrize("g", QUESTIONS, ids=[g["id"] for g in QUESTIONS])
def test_question(g, answers):
    a = answers[g["id"]]
    where = f"{g['q']} -> {a.answer}"
    assert a.kind == ANSWER_KIND[g["kind"]], where
    if "value" in g:
        assert a.value is not None and float(a.value) == pytest.approx(float(g["value"])), where
    elif g["kind"] in ("refuse", "clarify") or g.get("blank"):
        assert a.value is None, where
    for s in g.get("all", []):
        assert s in a.answer, where
    if "any" in g:
        assert any(s in a.answer for s in g["any"]), where
    cited = {c.report for c in a.citations}
    if "source" in g:
        assert cited & set(g["source"]), f"{where} cites {cited}"
    if g["kind"] in ("table", "aggregate", "text"):
        assert a.citations, where
    if g["kind"] == "clarify":
        assert len(a.options) >= 2 and all(o in a.answer for o in a.options), where


def _numbers(text: str) -> list[float]:
    """Numbers in an answer, leaving out years (「2023年」) and citation markers ([1], [3]–[9])."""
    t = re.sub(r"\[\d+\]", " ", text)
    t = re.sub(r"(?<!\d)(?:19|20)\d{2}(?=\s*年)", " ", t)
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", t)]


def _counts(text: str) -> list[float]:
    """Counts of reports or bodies (「共6份报告」, 「有2家」): checked against the reports cited."""
    return [float(x) for x in re.findall(r"(\d+)(?=份|家|个单位)", re.sub(r"\[\d+\]", " ", text))]


def _computed(a) -> set[float]:
    """Numbers an aggregate may state that no single cell holds, checked here against the cited
    values: the sum, the average, the difference, the count of reports or bodies cited."""
    vals = [c.value for c in a.citations if isinstance(c.value, (int, float))]
    by_report: dict[str, float] = {}
    for c in a.citations:
        if isinstance(c.value, (int, float)):
            by_report[c.report] = by_report.get(c.report, 0) + c.value
    out = {float(len(by_report)), float(len({c.report for c in a.citations}))}
    op = a.debug.get("op")
    if op in ("sum", "avg"):
        out.add(float(sum(vals)))
        assert a.value is not None
        if op == "sum":
            assert float(a.value) == pytest.approx(sum(vals))
        else:
            assert float(a.value) == pytest.approx(round(sum(vals) / len(by_report), 2))
            out.add(float(a.value))
    if op in ("compare", "change") and a.value is not None:
        per = list(by_report.values())
        if op == "compare":
            assert float(a.value) == pytest.approx(per[0] - per[1])
        out |= {abs(float(a.value)), float(a.value)}
        if len(per) > 2:  # change over several bodies: the two yearly sums
            ys = sorted({c.year for c in a.citations})
            sums = [sum(c.value for c in a.citations if c.year == y) for y in ys]
            assert float(a.value) == pytest.approx(sums[-1] - sums[0])
            out |= {float(s) for s in sums}
    if op == "difference" and a.value is not None:  # two cells of one report: 「X比Y多几件」
        stated = [x for x in _numbers(a.answer) if x != float(a.value)] + [float(a.value)]
        assert any(float(a.value) == abs(x - y) for x in stated for y in stated), (a.value, stated)
        out.add(float(a.value))
    if op == "share_of_sum":  # several rows of one report over its outcomes total (cited last)
        assert float(a.value) == pytest.approx(round(sum(vals[:-1]) / vals[-1] * 100, 1)), (a.value, vals)
        out |= {float(sum(vals[:-1])), float(a.value)}
    if op == "share_each":  # each body's share: every percentage stated is two cited values divided
        for pct in map(float, re.findall(r"(\d+(?:\.\d+)?)%", a.answer)):
            assert any(pct == round(x / y * 100, 1) for x in vals for y in vals if y), (pct, vals)
            out.add(pct)
    if op == "share_of_all":  # one body's value over the sum of every report of the year (all cited)
        assert float(a.value) == pytest.approx(round(vals[0] / sum(vals) * 100, 1)), (a.value, vals)
        out |= {float(sum(vals)), float(a.value)}
    if op == "positive" and a.value is not None:
        assert float(a.value) == len(by_report)
    if op == "share":
        assert any(float(a.value) == round(x / y * 100, 1) for x in vals for y in vals if y), (a.value, vals)
        out.add(float(a.value))
    if op == "by_region":  # sums per region: the bodies' region is the head of their names
        groups: dict[str, float] = {}
        for c in a.citations:
            region = re.match(r"^(.+?[区县市])", c.agency).group(1)
            groups[region] = groups.get(region, 0) + c.value
        out |= {float(v) for v in groups.values()}
    if op == "checks":  # the two sides of a failing identity: sums of consecutive cited cells
        out |= {float(sum(vals[i:j])) for i in range(len(vals)) for j in range(i + 1, len(vals) + 1)}
    if a.debug.get("cell") and a.debug["cell"]["row"] == "litigation" and a.value is not None:
        assert float(a.value) == pytest.approx(sum(vals))
        out.add(float(a.value))
    return out


@pytest.mark.parametrize("g", QUESTIONS, ids=[g["id"] for g in QUESTIONS])
def test_every_number_is_cited(g, answers):
    """Every number in an answer stands in a citation's quote (or is the sum/difference/count
    of the cited values, checked above); every table citation's value stands in its quote."""
    a = answers[g["id"]]
    quoted = [set(float(x) for x in re.findall(r"\d+(?:\.\d+)?", c.quote)) for c in a.citations]
    allowed = set().union(*quoted) if quoted else set()
    if a.kind == "aggregate" or a.debug.get("op") == "checks":
        allowed |= _computed(a)
        n_reports = len({c.report for c in a.citations})
        allowed |= {n for n in _counts(a.answer) if n <= n_reports}
    allowed |= set(_numbers(g["q"]))  # a number the question gave (「超过5件的单位」)
    for n in _numbers(a.answer):
        assert n in allowed, f"{n} in {a.answer!r} is in no citation"
    for c, nums in zip(a.citations, quoted):
        if c.table:
            assert c.value is None or float(c.value) in nums, f"[{c.n}] value {c.value} not in {c.quote!r}"
            assert c.lines[0] <= c.lines[1]
    if a.kind == "text" and a.value is not None:
        assert any(float(a.value) in q for q in quoted)


def test_citations_point_at_the_printed_lines(settings, answers):
    """A table citation's quote is made of the report's own lines, within the cited line span."""
    from qa_app.store import Store
    store = Store(settings.db_url)
    checked = 0
    for g in QUESTIONS:
        for c in answers[g["id"]].citations:
            lines = store.text(c.report_id).split("\n")[c.lines[0] - 1:c.lines[1]]
            flat = re.sub(r"[\s|]+", "", "".join(lines))  # layout only: white space and cell pipes
            for piece in c.quote.split("\n"):
                assert re.sub(r"[\s|]+", "", piece) in flat, (c.report, c.lines, piece)
            checked += 1
    assert checked > 150


def test_a_report_that_does_not_add_up_is_flagged(answers):
    """Every answer using a number of the report whose 勾稽 checks fail says so; no other does."""
    flagged = 0
    for g in QUESTIONS:
        a = answers[g["id"]]
        uses_bad = any(c.report == BAD_FILE and c.table for c in a.citations)
        assert ("勾稽关系不成立" in a.answer) == uses_bad, a.answer
        flagged += uses_bad
    assert flagged >= 6


def test_filters_restrict_the_answer(settings):
    a = ask("收到多少件申请", settings=settings, filters={"agency": "红旗区信访局", "year": 2023})
    assert a.kind == "table" and a.value == 6 and a.citations[0].report == "hq_xinfang_2023.txt"
    a = ask("各单位一共收到多少件申请", settings=settings, filters={"region": "红谷滩", "year": 2022})
    assert a.value == 20 and {c.report for c in a.citations} == {"hgt_2022.txt"}
    a = ask("红旗区信访局收到多少件申请", settings=settings, filters={"year": 2021})
    assert a.kind == "none"


def test_history_as_chat_turns(settings):
    hist = [{"role": "user", "content": "红谷滩区政府办2023年部分公开了多少件？"},
            {"role": "assistant", "content": "红谷滩区政府办2023年部分公开12件（自然人11件、商业企业1件）[1]。"}]
    a = ask("那2022年呢？", hist, settings=settings)
    assert a.value == 5 and a.citations[0].report == "hgt_2022.txt"
    a = ask("红旗区城乡建设局2023年行政许可多少件？", hist, settings=settings)  # a full question ignores history
    assert a.value == 28


def test_a_year_not_asked_is_never_answered(settings, answers):
    for g in QUESTIONS:
        a = answers[g["id"]]
        years = [int(y) for y in re.findall(r"(20\d{2})年", g["q"])]
        if len(years) == 1 and a.kind == "table":
            assert all(c.year == years[0] for c in a.citations), (g["q"], a.answer)


@pytest.mark.parametrize("q, kind, value, says", [
    # on their own, relative years are the calendar's (the clock is set to 2024 here)
    ("红谷滩区政府办去年收到多少申请", "table", 28, ["红谷滩区政府办2023年", "「去年」按2023年理解"]),
    ("红谷滩区政府办上一年部分公开多少件", "table", 12, ["2023年部分公开12件", "「上一年」按2023年理解"]),
    ("红谷滩区政府办前年收到多少申请", "table", 20, ["红谷滩区政府办2022年", "「前年」按2022年理解"]),
    ("红谷滩区政府办今年收到多少申请", "none", None,
     ["库中没有红谷滩区政府办2024年的报告", "2022年、2023年", "「今年」按2024年理解"]),
    ("去年哪个单位收到的申请最多", "aggregate", 28, ["2023年各单位", "红谷滩区政府办", "「去年」按2023年理解"]),
    ("去年一共收到多少申请", "aggregate", 43, ["2023年", "「去年」按2023年理解"]),
    # the year a change is measured against, and rows of the table, are not relative years
    ("红谷滩区政府办今年比去年多收了多少申请", "none", None, ["无法比较", "没有2024年的报告", "「今年」按2024年理解"]),
    ("红谷滩区政府办去年比前年多收了多少申请", "aggregate", 8, ["2022年20件", "2023年28件", "增加8件", "「去年」按2023年理解"]),
    ("红谷滩区政府办2023年上年结转的申请有多少", "table", 0, ["红谷滩区政府办2023年上年结转"]),
])
def test_relative_years_on_their_own(settings, monkeypatch, q, kind, value, says):
    monkeypatch.setattr(UNDERSTAND, "current_year", lambda: 2024)
    a = ask(q, settings=settings)
    where = f"{q} -> {a.answer}"
    assert a.kind == kind and a.value == value, where
    for s in says:
        assert s in a.answer, where
    if not any("理解" in s for s in says):
        assert "理解" not in a.answer, where


def test_relative_years_never_answer_another_year(settings, monkeypatch):
    """Whatever year 「去年」 is taken to be, the answer says it and cites only that year."""
    for this_year in (2023, 2024, 2030):
        monkeypatch.setattr(UNDERSTAND, "current_year", lambda y=this_year: y)
        a = ask("红谷滩区政府办去年部分公开多少件", settings=settings)
        assert f"「去年」按{this_year - 1}年理解" in a.answer, a.answer
        assert all(c.year == this_year - 1 for c in a.citations), a.answer
        assert (a.kind == "table") == (this_year - 1 in (2022, 2023)), a.answer


def test_empty_question_and_empty_index(tmp_path):
    s = Settings.load(index=tmp_path / "none")
    assert ask("", settings=s).kind == "none"
    a = ask("红谷滩部分公开多少件", settings=s)
    # the chat, the API and the CLI show the same words: no command to run
    assert a.kind == "none" and a.answer == "库中还没有报告。请先读入报告文件（上传或建立索引），再提问。"


def test_no_answer_tells_the_user_to_run_a_command(settings, answers):
    """Answers are shown in the chat and the API too: none of them names a qa-app command."""
    for g in QUESTIONS:
        assert "qa-app" not in answers[g["id"]].answer, answers[g["id"]].answer
    a = ask("红旗区信访局2023年部分公开多少件", settings=settings, filters={"year": 2019})
    assert a.kind == "none" and a.answer.startswith("没有符合筛选条件的报告（年度：2019）。请放宽或清除筛选条件后再问。")
    assert "qa-app" not in a.answer
    a = ask("2023年各单位一共收到多少件申请", settings=settings)
    assert "勾稽关系不成立" in a.answer and "可对照所附出处核对原文" in a.answer


HEADING = re.compile(r"^\s*([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])[^。！？；;，,]{0,30}[。:：]?\s*$"
                     r"|^\s*(存在(的)?(主要)?问题|改进情况|改进措施)\s*[:：]?\s*$")


def test_no_answer_quotes_a_bare_heading(answers):
    """Headings guide retrieval (section bonus) but are never quoted as an answer sentence."""
    quoted = 0
    for g in QUESTIONS:
        a = answers[g["id"]]
        if a.kind != "text":
            continue
        for piece in re.findall(r"「([^」]*)」", a.answer):
            assert not HEADING.match(piece), (g["q"], piece)
            quoted += 1
    assert quoted >= 25


@pytest.mark.parametrize("seed", sorted((Path(__file__).parents[1] / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_prose_sentences_are_not_headings_or_tables(seed):
    from qa_app.engine.passages import report_sentences
    sents = report_sentences(1, seed.read_text(encoding="utf-8"))
    assert len(sents) >= 10
    for s in sents:
        assert not HEADING.match(s.text), s.text
        assert not re.search(r"本年新收政府信息公开申请数量|结果\s*维持|本年处理决定数量", s.text), s.text  # no table
        if s.lines[0] > 3:
            assert s.section, s.text


def test_problems_and_plans_are_told_apart():
    """In 「五、存在的主要问题及改进情况」 the sentences before the plans are problems."""
    from qa_app.engine.passages import report_sentences
    seeds = Path(__file__).parents[1] / "seeds"
    by_topic = {}
    for f in seeds.glob("*.txt"):
        for s in report_sentences(1, f.read_text(encoding="utf-8")):
            for t in s.topics & {"problems", "improvements"}:
                by_topic.setdefault(t, []).append(s.text)
    problems, plans = " ".join(by_topic["problems"]), " ".join(by_topic["improvements"])
    for text in ("政府信息公开质量不高", "信息更新还不够及时高效", "宣传力度还有待加强", "主动性不强", "政策解读质量不够高"):
        assert text in problems and text not in plans
    for text in ("加大政府信息公开的政策解读力度", "统一认识", "不断拓宽信息公开渠道", "明确单位职责", "强化思想认识"):
        assert text in plans and text not in problems


@pytest.fixture(scope="module")
def trial_settings(tmp_path_factory):
    from ask_corpus import TRIAL_2019
    files = tmp_path_factory.mktemp("trial")
    (files / "wh_2019.txt").write_text(TRIAL_2019, encoding="utf-8")
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("trial_index")))


@pytest.mark.parametrize("q,value,text", [
    ("卫辉市交通运输局2019年行政许可处理决定多少件", 340, "行政许可处理决定340件"),
    ("卫辉市交通运输局2019年行政许可上一年项目数量", 12, "上一年项目数量为12项"),
    ("卫辉市交通运输局2019年行政许可本年增减多少", -2, "本年增/减为-2项"),
    ("卫辉市交通运输局2019年政府集中采购金额是多少", 251000, "251000元"),
    ("卫辉市交通运输局2019年采购项目数量", 6, "政府集中采购项目数量为6项"),
    ("卫辉市交通运输局2019年现行有效的规范性文件多少件", 15, "对外公开总数15件"),
    ("卫辉市交通运输局2019年新制作规范性文件几件", 3, "本年新制作行政规范性文件3件"),
    ("卫辉市交通运输局2019年其他对外管理服务事项处理决定多少", 21, "21件"),
    ("卫辉市交通运输局2019年其他处理多少件", 1, "其他处理1件"),
    ("卫辉市交通运输局2019年不予公开多少件", 1, "保护第三方合法权益1件"),
    ("卫辉市交通运输局2019年行政诉讼多少件", 1, "复议后起诉0件"),
])
def test_the_2019_trial_format(trial_settings, q, value, text):
    a = ask(q, settings=trial_settings)
    assert a.kind == "table" and a.value == value and text in a.answer, a.answer
    for c in a.citations:
        assert float(c.value) in {float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", c.quote)}, c.quote
