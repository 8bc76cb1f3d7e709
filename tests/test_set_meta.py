"""Reports whose body or year cannot be read: kept in the index, flagged, and set by a person.

What it covers, end to end through the real front ends (click's runner for `qa-app`, FastAPI's
TestClient for the API, a real SQLite store): a report with no title, no body and no year is
indexed with agency/year NULL and listed first by `qa-app reports` with the command to fix it;
`qa-app set-meta` (by file name and by id) and `qa-app index --agency/--year` set them, the region
then coming from the gazetteer; bad values get a Chinese message; POST /reports takes form fields
agency and year; an index built before the region columns existed still opens; a notes file is
refused with a message naming it. Expected values are written out.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from qa_app.api import create_app
from qa_app.cli import main
from qa_app.settings import Settings
from qa_app.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# sections of the template, but no title, no body name, no year anywhere
UNTITLED = "\n".join([
    "一、总体情况", "本单位认真做好政府信息公开工作，全年主动公开信息一百余条。",
    "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况", "一是公开质量有待提升。", "六、其他需要报告的事项", "无。"])
NOTES = "# 资料来源\n\n这里记下报告是从哪些网站下载的，以及下载日期。\n- 某某网站，2024年3月\n"


def qa(*args: str) -> SimpleNamespace:
    env = {k: None for k in os.environ if k.startswith("QA_APP_")}
    r = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


def reports_json(index: Path) -> dict:
    res = qa("reports", "--json", "--index", str(index))
    assert res.returncode == 0, res.stderr
    return {r["file_name"]: r for r in json.loads(res.stdout)}


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "002_xinfang.txt").write_bytes((SEEDS / "002_050334ec39756ada.txt").read_bytes())
    (d / "zz_untitled.txt").write_text(UNTITLED, encoding="utf-8")
    return d


def test_flagged_report_is_listed_first_and_set_meta_fixes_it(folder, tmp_path):
    index = tmp_path / "index"
    res = qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "未能识别发布机关" in res.stdout and "未能识别报告年度" in res.stdout
    reps = reports_json(index)
    flagged = reps["zz_untitled.txt"]
    assert (flagged["agency"], flagged["year"], flagged["flagged"]) == (None, None, True)
    assert reps["002_xinfang.txt"]["flagged"] is False

    table = qa("reports", "--index", str(index)).stdout.splitlines()
    assert table[2].split()[1] == "zz_untitled.txt"  # flagged first, though indexed second
    assert f"qa-app set-meta {flagged['id']} --agency 机关全称 --year 年度" in "\n".join(table)
    assert "待补：1 份报告未识别机关或年度" in "\n".join(table)

    out = qa("set-meta", "zz_untitled.txt", "--agency", "延津县交通运输局", "--year", "2024", "--index", str(index))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "机关 延津县交通运输局，年度 2024，地区 河南省新乡市延津县（410726）" in out.stdout
    fixed = reports_json(index)["zz_untitled.txt"]
    assert (fixed["agency"], fixed["year"], fixed["flagged"]) == ("延津县交通运输局", 2024, False)
    assert (fixed["province"], fixed["prefecture"], fixed["county"], fixed["region_code"]) == (
        "河南省", "新乡市", "延津县", "410726")
    assert fixed["meta_source"] == {"agency": "manual", "year": "manual"}
    assert not any(w.startswith("未能识别") for w in fixed["warnings"])
    assert "待补" not in qa("reports", "--index", str(index)).stdout

    # by id, the year alone: the body set before stays
    again = qa("set-meta", str(fixed["id"]), "--year", "2023", "--index", str(index))
    assert again.returncode == 0, again.stdout + again.stderr
    assert (reports_json(index)["zz_untitled.txt"]["agency"], reports_json(index)["zz_untitled.txt"]["year"]) == (
        "延津县交通运输局", 2023)

    # a question by that body now reaches the report
    a = qa("facts", "--agency", "延津县交通运输局", "--json", "--index", str(index))
    assert a.returncode == 0


@pytest.mark.parametrize("args, says", [
    (["--year", "二〇二四"], "年度「二〇二四」不是年份"),
    (["--year", "1890"], "年度 1890 不在 2000–2099 之间"),
    ([], "请至少给出 --agency 机关全称 或 --year 年度"),
])
def test_set_meta_bad_values_say_so_in_chinese(folder, tmp_path, args, says):
    index = tmp_path / "index"
    qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    res = qa("set-meta", "zz_untitled.txt", *args, "--index", str(index))
    assert res.returncode != 0
    assert says in res.stderr and "Traceback" not in res.stderr


def test_set_meta_unknown_report(folder, tmp_path):
    index = tmp_path / "index"
    qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    res = qa("set-meta", "没有这份.txt", "--year", "2024", "--index", str(index))
    assert res.returncode != 0 and "索引中没有报告「没有这份.txt」" in res.stderr


def test_index_with_agency_and_year(folder, tmp_path):
    index = tmp_path / "index"
    f = folder / "zz_untitled.txt"
    res = qa("index", "--no-narrative", "-q", "--agency", "宿迁市沭阳县教育局", "--year", "2025", "--index", str(index), str(f))
    assert res.returncode == 0, res.stdout + res.stderr
    rep = reports_json(index)["zz_untitled.txt"]
    assert (rep["agency"], rep["year"], rep["county"], rep["region_code"]) == ("宿迁市沭阳县教育局", 2025, "沭阳县", "321322")
    # the same file again with another year: set on the report already there
    res = qa("index", "--no-narrative", "-q", "--year", "2024", "--index", str(index), str(f))
    assert res.returncode == 0
    rep = reports_json(index)["zz_untitled.txt"]
    assert (rep["agency"], rep["year"]) == ("宿迁市沭阳县教育局", 2024)


def test_a_notes_file_is_refused_naming_it(tmp_path):
    notes = tmp_path / "SOURCES.md"
    notes.write_text(NOTES, encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", str(tmp_path / "index"), str(notes))
    assert res.returncode == 1
    assert "✗ SOURCES.md：不是政府信息公开工作年度报告：没有报告标题，没有模板的六个部分" in res.stderr


def test_api_upload_with_agency_and_year(tmp_path):
    s = Settings.load(index=tmp_path / "index", narrative=False, api_token="", cors_origins="", max_file_mb=50.0,
                      llm_mode="none", database_url="")
    c = TestClient(create_app(s))
    r = c.post("/reports", files={"file": ("untitled.txt", UNTITLED.encode("utf-8"), "text/plain")},
               data={"agency": "上海市科学技术委员会", "year": "2024"})
    assert r.status_code == 201, r.text
    rep = r.json()["report"]
    assert (rep["agency"], rep["year"], rep["province"], rep["region_code"], rep["flagged"]) == (
        "上海市科学技术委员会", 2024, "上海市", "310000", False)
    bad = c.post("/reports", files={"file": ("u2.txt", (UNTITLED + "\n").encode("utf-8"), "text/plain")},
                 data={"year": "明年"})
    assert bad.status_code == 422 and bad.json()["message"] == "年度「明年」不是年份（应写成 2024 这样的四位数）"
    plain = c.post("/reports", files={"file": ("u3.txt", (UNTITLED + "\n\n").encode("utf-8"), "text/plain")})
    assert plain.status_code == 201 and plain.json()["report"]["flagged"] is True


def test_an_index_built_before_the_region_columns_still_opens(tmp_path):
    index = tmp_path / "index"
    res = qa("index", "--no-narrative", "-q", "--index", str(index), str(SEEDS / "002_050334ec39756ada.txt"))
    assert res.returncode == 0
    db = index / "facts.sqlite"
    con = sqlite3.connect(db)
    for col in ("province", "prefecture", "county", "region_code", "meta_source"):
        con.execute(f"ALTER TABLE reports DROP COLUMN {col}")
    con.execute("DROP TABLE qa_app_migrations")  # such an index predates the migration log too
    con.commit()
    con.close()
    reps = Store(f"sqlite:///{db}").reports()
    assert [(r.agency, r.year, r.province, r.meta_source) for r in reps] == [("红旗区信访局", 2022, None, None)]


def test_a_changed_file_keeps_what_a_person_set(folder, tmp_path):
    index = tmp_path / "index"
    qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    qa("set-meta", "zz_untitled.txt", "--agency", "延津县交通运输局", "--year", "2024", "--index", str(index))
    (folder / "zz_untitled.txt").write_text(UNTITLED + "\n补充说明：无。", encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    assert res.returncode == 0 and "替换 zz_untitled.txt" in res.stdout
    rep = reports_json(index)["zz_untitled.txt"]
    assert (rep["agency"], rep["year"], rep["meta_source"]) == (
        "延津县交通运输局", 2024, {"agency": "manual", "year": "manual"})


def test_a_list_of_report_titles_is_not_a_report(tmp_path):
    notes = tmp_path / "SOURCES.md"
    notes.write_text("# 来源\n- 淮安市洪泽区人民政府2023年政府信息公开工作年度报告：某网站\n"
                     "- 淮安市人民政府2024年政府信息公开工作年度报告：某网站\n"
                     "- 沭阳县人民政府2025年政府信息公开工作年度报告：某网站\n", encoding="utf-8")
    res = qa("index", "--no-narrative", "-q", "--index", str(tmp_path / "index"), str(notes))
    assert res.returncode == 1 and "✗ SOURCES.md：不是政府信息公开工作年度报告" in res.stderr


# the body named by its level word alone, no place anywhere in the text (「现公布区统计局…」)
UNPLACED = "\n".join([
    "根据《中华人民共和国政府信息公开条例》规定，现公布区统计局2022年政府信息公开工作年度报告。", UNTITLED])


def test_a_body_named_without_its_place_is_flagged_and_a_total_by_region_says_it_is_left_out(folder, tmp_path):
    (folder / "zz_untitled.txt").write_text(UNPLACED, encoding="utf-8")
    index = tmp_path / "index"
    res = qa("index", "--no-narrative", "-q", "--index", str(index), str(folder))
    assert res.returncode == 0, res.stdout + res.stderr
    said = ("机关名称没写所属地区：报告只写了「区统计局」，看不出是哪个省、市、县（区）的；按机关名称仍可查，"
            "按地区提问和汇总时够不到这份报告。请用 qa-app set-meta 报告 --agency 机关全称（如「某某市某某区统计局」）补上")
    assert said in res.stdout
    rep = reports_json(index)["zz_untitled.txt"]
    assert (rep["agency"], rep["year"], rep["region"], rep["province"]) == ("区统计局", 2022, None, None)
    assert (rep["flagged"], rep["unplaced"]) == (True, True)
    table = qa("reports", "--index", str(index)).stdout
    assert f"qa-app set-meta {rep['id']} --agency 机关全称    # zz_untitled.txt" in table
    assert "机关没写所属地区" in table.split("待补：")[1]

    # a total over a region cannot place it: the answer says so, naming the file
    ans = qa("ask", "--index", str(index), "河南省各单位2022年共收到多少政府信息公开申请")
    assert "另有1份报告的机关没写所属地区，无法判断是否在河南省，未计入：zz_untitled.txt" in ans.stdout

    out = qa("set-meta", "zz_untitled.txt", "--agency", "新乡市红旗区统计局", "--index", str(index))
    assert out.returncode == 0, out.stdout + out.stderr
    fixed = reports_json(index)["zz_untitled.txt"]
    assert (fixed["agency"], fixed["county"], fixed["flagged"], fixed["unplaced"]) == ("新乡市红旗区统计局", "红旗区", False, False)
    assert not any(w.startswith("机关名称没写所属地区") for w in fixed["warnings"])
    assert "未计入" not in qa("ask", "--index", str(index), "河南省各单位2022年共收到多少政府信息公开申请").stdout
