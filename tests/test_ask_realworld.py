"""Questions about three published reports (shared/realworld PDFs), answered in-process.

Table answers are checked against the truth files beside the PDFs (read at run time, never
copied here); prose answers against sentences of the reports written out below. Skipped when
the realworld folder is absent.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ask_corpus import build_index
from qa_app import ask
from qa_app.settings import Settings

REAL = Path("/work/shared/realworld")
pytestmark = pytest.mark.skipif(not (REAL / "truth").is_dir(), reason="realworld reports not on this machine")

REPORTS = [  # (file, how a person names the body, year)
    ("huaian_hongze_2023.pdf", "洪泽区", 2023),
    ("huaian_hongze_2024.pdf", "洪泽区人民政府", 2024),
    ("huaian_city_2024.pdf", "淮安市人民政府", 2024),
]
# (question pattern, truth path); {b} body, {y} year
TABLE_QUESTIONS = [
    ("{b}{y}年收到多少件政府信息公开申请？", ("applications", "new_received", "total")),
    ("{b}{y}年有多少申请来自自然人", ("applications", "new_received", "natural_person")),
    ("{b}{y}年予以公开了几件", ("applications", "granted", "total")),
    ("{b}{y}年部分公开了多少件申请", ("applications", "partially_granted", "total")),
    ("{b}{y}年因本机关不掌握相关政府信息而无法提供的有几件", ("applications", "unavailable.not_held", "total")),
    ("{b}{y}年信访举报投诉类申请不予处理的有几件", ("applications", "not_processed.petition_complaint", "total")),
    ("{b}{y}年办理结果总计多少件", ("applications", "total", "total")),
    ("{b}{y}年结转下年度继续办理多少件", ("applications", "carried_forward", "total")),
    ("{b}{y}年行政许可决定多少件", ("proactive", "administrative_licensing", "decisions")),
    ("{b}{y}年行政处罚有多少件", ("proactive", "administrative_punishment", "decisions")),
    ("{b}{y}年行政事业性收费金额是多少", ("proactive", "administrative_fees", "amount")),
    ("{b}{y}年现行有效的规范性文件有几件", ("proactive", "normative_documents", "in_force")),
    ("{b}{y}年行政复议结果纠正的有几件", ("review_litigation", "review", "corrected")),
    ("{b}{y}年未经复议直接起诉的行政诉讼总计多少件", ("review_litigation", "litigation_direct", "total")),
]


def truth(file: str) -> dict:
    name = file.replace(".pdf", ".json")
    return json.loads((REAL / "truth" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    files = tmp_path_factory.mktemp("real")
    for f, _, _ in REPORTS:
        shutil.copy(REAL / f, files / f)
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("real_index")))


@pytest.mark.parametrize("file,body,year", REPORTS)
@pytest.mark.parametrize("pattern,path", TABLE_QUESTIONS, ids=[p[1][1] + "." + p[1][2] for p in TABLE_QUESTIONS])
def test_table_question(settings, file, body, year, pattern, path):
    t = truth(file)
    table, row, col = path
    want = t[table][row][col]
    a = ask(pattern.format(b=body, y=year), settings=settings)
    assert a.kind == "table", a.answer
    assert a.value == pytest.approx(want), a.answer
    assert {c.report for c in a.citations} == {file}
    failing = bool(t["checks_failing_in_source"])
    assert ("勾稽关系不成立" in a.answer) == failing, a.answer


@pytest.mark.parametrize("file,body,year", REPORTS)
def test_denied_is_the_sum_of_its_reasons(settings, file, body, year):
    t = truth(file)["applications"]
    want = sum(v["total"] for k, v in t.items() if k.startswith("denied."))
    a = ask(f"{body}{year}年不予公开多少件", settings=settings)
    assert a.value == want
    assert sum(c.value for c in a.citations) == want


def test_follow_up_to_the_next_year(settings):
    want = truth("huaian_hongze_2024.pdf")["applications"]["new_received"]["total"]
    a = ask("那2024年呢？", ["洪泽区2023年收到多少件政府信息公开申请？"], settings=settings)
    assert a.value == want and a.citations[0].report == "huaian_hongze_2024.pdf"


def test_change_between_years(settings):
    t23 = truth("huaian_hongze_2023.pdf")["applications"]["new_received"]["total"]
    t24 = truth("huaian_hongze_2024.pdf")["applications"]["new_received"]["total"]
    a = ask("洪泽区2024年收到的申请比2023年多了多少", settings=settings)
    assert a.value == t24 - t23
    assert {c.report for c in a.citations} == {"huaian_hongze_2023.pdf", "huaian_hongze_2024.pdf"}


def test_the_city_is_not_its_district(settings):
    a = ask("淮安市2024年部分公开了多少件", settings=settings)
    assert a.value == truth("huaian_city_2024.pdf")["applications"]["partially_granted"]["total"]
    assert a.citations[0].report == "huaian_city_2024.pdf"


@pytest.mark.parametrize("question,file,expect", [
    ("洪泽区2023年在政府网站平台主动公开了多少条政府信息", "huaian_hongze_2023.pdf", "1136"),
    ("洪泽区2024年主动发布了多少条政府信息", "huaian_hongze_2024.pdf", "2428"),
    ("淮安市人民政府2024年召开了多少场新闻发布会", "huaian_city_2024.pdf", "12 场"),
    ("洪泽区2023年政府信息公开存在哪些问题", "huaian_hongze_2023.pdf", "依申请公开工作规范性还有待提"),
    ("淮安市人民政府2024年存在什么问题", "huaian_city_2024.pdf", "政策解读质量仍需提升"),
    ("洪泽区2024年下一步有哪些改进措施", "huaian_hongze_2024.pdf", "扎实"),
    ("淮安市人民政府2024年收取了多少信息处理费", "huaian_city_2024.pdf", "3940 元"),
])
def test_prose_question(settings, question, file, expect):
    a = ask(question, settings=settings)
    assert a.kind == "text", a.answer
    flat = a.answer.replace("\n", "")
    assert expect in flat, a.answer
    assert a.citations[0].report == file
    assert any(expect.split()[0] in c.quote.replace("\n", "") for c in a.citations)


@pytest.mark.parametrize("question,file", [
    ("洪泽区政府2023年收到多少件申请", "huaian_hongze_2023.pdf"),
    ("市政府2024年收到多少件申请", "huaian_city_2024.pdf"),
    ("淮安市政府2024年收到多少件申请", "huaian_city_2024.pdf"),
])
def test_short_names_of_governments(settings, question, file):
    a = ask(question, settings=settings)
    assert a.value == truth(file)["applications"]["new_received"]["total"], a.answer
    assert a.citations[0].report == file
