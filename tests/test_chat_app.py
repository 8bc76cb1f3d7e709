"""The Streamlit chat (qa_app/chat_app.py) driven headless by streamlit.testing.v1.AppTest.

The index is the five seed reports, facts only (QA_APP_NARRATIVE=0: no embedding model; prose
questions use the engine's fallback), plus one report made from seed 004 for 2022 with one
total changed so its 勾稽 checks fail. Expected values are the seeds' printed numbers:
红谷滩区政府办 2023 部分公开 = 12 (自然人 11, 商业企业 1), lines 91-98 of 004_a940ca4a84d42417.txt.
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from qa_app import engine
from qa_app.answer import Answer
from qa_app.indexer import index_paths
from qa_app.settings import Settings
from qa_app.store import Store
from qa_app.ui import common
from qa_app.ui.launch import streamlit_argv

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "qa_app" / "chat_app.py"
SEEDS = ROOT / "seeds"
HGT = "004_a940ca4a84d42417.txt"
BROKEN = "红谷滩区政府办2022_勾稽不符.txt"
Q_PARTIAL = "红谷滩部分公开了多少件申请？"


def broken_variant() -> str:
    """Seed 004 as a 2022 report whose 部分公开 total reads 13 (11 + 1 + 0… = 12): checks fail."""
    lines = (SEEDS / HGT).read_text(encoding="utf-8").split("\n")
    assert lines[97] == "12 |"  # line 98: (二)部分公开 总计
    lines[97] = "13 |"
    return "\n".join(lines).replace("2023", "2022")


@pytest.fixture(scope="module")
def base_index(tmp_path_factory) -> Path:
    idx = tmp_path_factory.mktemp("chat_index")
    extra = tmp_path_factory.mktemp("extra") / BROKEN
    extra.write_text(broken_variant(), encoding="utf-8")
    s = Settings.load(index=idx, narrative=False, database_url="")
    summary = index_paths([SEEDS, extra], s, progress=False)
    assert summary.count("added") == 6, summary.results
    return idx


@pytest.fixture
def index_dir(base_index, tmp_path, monkeypatch) -> Path:
    """A private copy of the index (uploads write to it), handed to the app through the env."""
    idx = tmp_path / "index"
    shutil.copytree(base_index, idx)
    use_index(monkeypatch, idx)
    return idx


def use_index(monkeypatch, idx: Path) -> None:
    monkeypatch.setenv("QA_APP_INDEX", str(idx))
    monkeypatch.setenv("QA_APP_NARRATIVE", "0")
    monkeypatch.setenv("QA_APP_LLM_MODE", "none")
    monkeypatch.delenv("QA_APP_DATABASE_URL", raising=False)


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> Answer:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    last = at.session_state["messages"][-1]
    assert last["role"] == "assistant"
    return last["answer"]


def assistant_text(at: AppTest, i: int = -1) -> str:
    msgs = [m for m in at.chat_message if m.name == "assistant"]
    return "\n".join(md.value for md in msgs[i].markdown)


def test_first_run_indexes_the_seeds(tmp_path, monkeypatch):
    use_index(monkeypatch, tmp_path / "fresh")
    at = start()
    assert at.status[0].label == "索引完成：读入 5 份报告，可以提问了。"
    assert Store(f"sqlite:///{tmp_path / 'fresh' / 'facts.sqlite'}").reports()[4].file_name == HGT
    side = " ".join(m.value for m in at.sidebar.markdown)
    assert "红谷滩区政府办" in side and "红旗区文化街街道办事处" in side
    # a new user sees example questions to click
    assert [b.label for b in at.button if b.key.startswith("example_")][0] == Q_PARTIAL


def test_example_question_answer_and_its_cited_source(index_dir):
    at = start()
    at.button(key="example_0").click().run()
    assert not at.exception
    ans = at.session_state["messages"][-1]["answer"]
    assert ans.value == 12
    assert "12件" in assistant_text(at)
    exp = at.expander[0]
    assert HGT in exp.label and "第91–98行" in exp.label and "部分公开" in exp.label
    # inside: the table row it came from, columns labelled as in the template
    row = exp.dataframe[0].value
    assert list(row.columns[:2]) == ["自然人", "商业企业"]
    assert row["总计"].iloc[0] == 12 and row["自然人"].iloc[0] == 11
    assert row.index[0].startswith("(二)部分公开")
    # and the report's lines around it, the cited ones marked
    html = next(m.value for m in exp.markdown if "qa-source" in m.value)
    hits = [seg for seg in html.split("<div ") if 'class="qa-hit"' in seg]
    assert len(hits) == 8  # lines 91..98
    assert ">91<" in hits[0] and "部分公开" in hits[0] and ">98<" in hits[-1] and "12 |" in hits[-1]
    assert ">85<" in html and ">104<" in html  # six lines either side
    assert "**红谷滩区政府办** · 2023年 · 三、收到和处理政府信息公开申请情况" in exp.markdown[0].value


def test_follow_up_uses_the_history(index_dir):
    at = start()
    ask(at, Q_PARTIAL)
    ans = ask(at, "城乡建设局呢？")  # alone this names no figure; the history supplies 部分公开
    assert ans.kind == "table" and ans.value == 0
    assert ans.citations[0].report == "001_924043a2ff6d2acf.txt"
    assert ans.citations[0].row_key == "partially_granted"
    assert "红旗区城乡建设局" in assistant_text(at) and "部分公开" in assistant_text(at)
    assert len(at.chat_message) == 4


def test_aggregate_answer_shows_table_and_chart(index_dir):
    at = start()
    ans = ask(at, "2023年各单位部分公开的申请一共多少件？")
    assert ans.kind == "aggregate" and ans.value == 12
    df = at.chat_message[1].dataframe[0].value
    assert dict(zip(df["机关"], df["值"]))["红谷滩区政府办"] == 12
    assert len(at.chat_message[1].get("vega_lite_chart")) == 1
    assert len(at.chat_message[1].expander) == len(ans.citations) == 4


def test_sidebar_filters_narrow_the_answers(index_dir):
    at = start()
    everywhere = ask(at, "收到多少件申请？")
    assert everywhere.value == 32  # 4 (红旗区政府办) + 28 (红谷滩), the others 0
    at.sidebar.selectbox(key="f_region").set_value("红旗区").run()
    assert "当前筛选　地区：红旗区" in at.info[0].value
    ans = ask(at, "收到多少件申请？")
    assert ans.value == 4
    assert {c.report for c in ans.citations} == {"000_aa0ecb1c4df3c9c5.txt", "001_924043a2ff6d2acf.txt",
                                                 "002_050334ec39756ada.txt", "003_537c1939cbe3baea.txt"}
    # the body list follows the region
    assert "红谷滩区政府办" not in at.sidebar.selectbox(key="f_agency").options
    at.sidebar.selectbox(key="f_region").set_value("全部").run()
    at.sidebar.selectbox(key="f_agency").set_value("红谷滩区政府办").run()
    at.sidebar.selectbox(key="f_year").set_value(2023).run()
    assert ask(at, "收到多少件申请？").value == 28


def test_failing_checks_are_flagged_on_the_citation(index_dir):
    at = start()
    ans = ask(at, "红谷滩2022年部分公开了多少件申请？")
    assert ans.value == 13 and ans.citations[0].report == BROKEN
    exp = at.expander[0]
    assert exp.proto.icon == ":material/warning:"
    assert "勾稽关系未通过" in exp.warning[0].value
    assert any("部分公开" in c.value and "≠" in c.value for c in exp.caption)


def test_upload_good_and_bad_files(index_dir):
    at = start()
    good = (SEEDS / "002_050334ec39756ada.txt").read_text(encoding="utf-8").replace("2022", "2021")
    at.sidebar.file_uploader[0].set_value([
        ("红旗区信访局2021.txt", good.encode("utf-8"), "text/plain"),
        ("损坏的报告.pdf", b"%PDF-1.4\n\x00\x01 not really a pdf", "application/pdf"),
        ("随便写的.txt", "今天天气很好，我们去公园散步。".encode("utf-8"), "text/plain"),
        ("[点我](x) :red[红].txt", (SEEDS / "003_537c1939cbe3baea.txt").read_bytes(), "text/plain"),
    ]).run()
    assert not at.exception
    assert at.sidebar.success[0].value.startswith("✓ 新增 红旗区信访局2021.txt（红旗区信访局 2021年）")
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 2
    assert errors[0].startswith("✗ 损坏的报告.pdf：") and errors[1].startswith("✗ 随便写的.txt：")
    # the same bytes as seed 003 under a new name: remembered, and the name is shown as text, not a link
    # (the name as POST /reports saves it too: ingest.safe_name turns the run 「 :」 into one _)
    assert at.sidebar.success[1].value.startswith("= \\[点我\\]\\(x\\)_red\\[红\\].txt：与已索引的 003_537c1939cbe3baea.txt")
    assert sorted(p.name for p in (index_dir / "uploads").iterdir()) == ["[点我](x)_red[红].txt", "红旗区信访局2021.txt"]
    assert "已索引的报告（7 份）" in [e.label for e in at.sidebar.expander]
    # the new report answers at once
    ans = ask(at, "红旗区信访局2021年收到多少件申请？")
    assert ans.citations[0].report == "红旗区信访局2021.txt" and ans.citations[0].year == 2021


def test_engine_failure_is_a_chinese_message_and_the_app_goes_on(index_dir, monkeypatch):
    at = start()

    def boom(*a, **k):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(engine, "ask", boom)
    at.chat_input[0].set_value(Q_PARTIAL).run()
    assert not at.exception
    assert at.error[0].value.startswith("抱歉，回答这个问题时出错了（RuntimeError）")
    assert "Traceback" not in at.error[0].value and "engine broke" not in at.error[0].value
    monkeypatch.undo()
    use_index(monkeypatch, index_dir)
    assert ask(at, Q_PARTIAL).value == 12


def test_a_broken_index_location_is_a_chinese_message(tmp_path, monkeypatch):
    not_a_dir = tmp_path / "index"
    not_a_dir.write_text("x")
    use_index(monkeypatch, not_a_dir)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value.startswith("打开索引时出错：")


def test_streaming_pieces_then_the_answer_that_stands(index_dir, monkeypatch):
    """The chat follows engine.ask_stream's contract: str pieces, the Answer via on_answer; the
    text shown at the end is ans.answer even when the streamed pieces said something else."""
    real_ask = engine.ask
    seen = {}

    def ask_stream(question, on_answer=None, **kw):
        seen.update(kw)
        final = real_ask(question, **kw)
        yield "草稿："
        yield "模型写的文字"
        on_answer(final)
        return final

    monkeypatch.setattr(engine, "ask_stream", ask_stream)
    at = start()
    ans = ask(at, Q_PARTIAL)
    assert ans.value == 12 and seen["history"] == [] and seen["filters"] is None
    text = assistant_text(at)
    assert "12件" in text and "草稿" not in text
    assert HGT in at.expander[0].label


def test_language_model_toggle_when_one_is_configured(index_dir, monkeypatch):
    at = start()
    assert len(at.sidebar.toggle) == 0  # llm_mode none: no toggle
    monkeypatch.setenv("QA_APP_LLM_MODE", "openai")
    calls = []
    real_ask = engine.ask

    def ask_stream(question, on_answer=None, **kw):
        calls.append(kw["use_llm"])
        kw["use_llm"] = False  # no model here: answer without one
        ans = real_ask(question, **kw)
        yield ans.answer
        on_answer(ans)

    monkeypatch.setattr(engine, "ask_stream", ask_stream)
    at.run()
    toggle = at.sidebar.toggle(key="use_llm")
    assert toggle.label == "使用语言模型（openai）" and toggle.value is True
    ask(at, Q_PARTIAL)
    at.sidebar.toggle(key="use_llm").set_value(False).run()  # a fresh handle: the old tree holds the question
    assert ask(at, Q_PARTIAL).value == 12
    assert calls == [True, False]


def test_numbers_page_tables_checks_compare_and_downloads(index_dir):
    at = start()
    at.switch_page("ui/numbers_page.py").run()
    assert not at.exception
    at.selectbox(key="n_agency").set_value("红谷滩区政府办").run()
    at.selectbox(key="n_year").set_value(2023).run()
    assert at.success[0].value.startswith("勾稽核对：")
    frames = [d.value for d in at.dataframe]
    apps = next(df for df in frames if "自然人" in df.columns)
    assert apps.loc[apps.index.str.startswith("(二)部分公开")]["总计"].iloc[0] == 12
    assert apps.loc["一、本年新收政府信息公开申请数量", "总计"] == 28
    proactive = next(df for df in frames if list(df.columns) == ["本年制发件数", "本年废止件数", "现行有效件数"])
    assert list(proactive.index) == ["规章", "行政规范性文件"]
    assert [b.label for b in at.download_button][:2] == ["下载 CSV", "下载 Excel"]
    # compare one row across bodies: 2023 新收 总计
    chart_df = at.dataframe[-1].value
    assert dict(zip(chart_df["机关"], chart_df["数值"])) == {
        "红旗区人民政府办公室": 4, "红旗区城乡建设局": 0, "红旗区文化街街道办事处": 0, "红谷滩区政府办": 28}
    # the report whose checks fail: warned, and its cells are marked
    at.selectbox(key="n_year").set_value(2022).run()
    assert at.warning[0].value.startswith("勾稽核对：")
    assert any("部分公开" in c.value and "≠" in c.value for c in at.caption)
    at.radio(key="cmp_mode").set_value("历年（同一机关）").run()
    years = at.dataframe[-1].value
    assert dict(zip(years["年度"], years["数值"])) == {"2022年": 28, "2023年": 28}


def test_a_body_named_with_and_without_its_city_is_listed_once(tmp_path, monkeypatch):
    """Two reports of one body, one naming its city (test_catalog.py writes them): one entry in the
    sidebar and on the numbers page, whose 「历年」 comparison shows both years."""
    from test_catalog import RM_2022, RM_2023, renmen
    files = tmp_path / "files"
    files.mkdir()
    (files / "rm_2022.txt").write_text(renmen("仁门县商务局", 2022, RM_2022), encoding="utf-8")
    (files / "rm_2023.txt").write_text(renmen("宁川市仁门县商务局", 2023, RM_2023), encoding="utf-8")
    idx = tmp_path / "index"
    assert index_paths([files], Settings.load(index=idx, narrative=False, database_url=""), progress=False).ok
    use_index(monkeypatch, idx)
    at = start()
    assert at.sidebar.selectbox(key="f_agency").options == ["全部", "宁川市仁门县商务局"]
    at.switch_page("ui/numbers_page.py").run()
    assert not at.exception
    assert at.selectbox(key="n_agency").options == ["宁川市仁门县商务局"]
    assert at.selectbox(key="n_year").options == ["2023年", "2022年"]
    at.radio(key="cmp_mode").set_value("历年（同一机关）").run()
    years = at.dataframe[-1].value
    assert dict(zip(years["年度"], years["数值"])) == {"2022年": 9, "2023年": 11}


def test_excel_download_has_a_sheet_per_table(base_index):
    st_store = Store(f"sqlite:///{base_index / 'facts.sqlite'}")
    rid = st_store.resolve(HGT)
    tables = {t: common.table_blocks(st_store, rid, t) for t in common.SHEETS}
    data = common.excel_bytes(tables, common.facts_frame(st_store.facts([rid])))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["主动公开", "依申请公开", "复议诉讼", "明细"]
    rows = list(wb["依申请公开"].iter_rows(values_only=True))
    header = rows[0]
    partial = next(r for r in rows if str(r[0]).startswith("(二)部分公开"))
    assert partial[header.index("总计")] == 12 and partial[header.index("自然人")] == 11
    text = common.facts_frame(st_store.facts([rid])).to_csv(index=False)
    recs = list(csv.DictReader(io.StringIO(text)))
    cell = next(r for r in recs if r["项目"].startswith("(二)部分公开") and r["栏目"] == "总计")
    assert (cell["机关"], cell["年度"], cell["数值"], cell["原文行号"]) == ("红谷滩区政府办", "2023", "12", "91-98")


def test_csv_downloads_are_utf8_with_a_bom_as_the_cli_writes_them(base_index):
    st_store = Store(f"sqlite:///{base_index / 'facts.sqlite'}")
    data = common.csv_bytes(common.facts_frame(st_store.facts([st_store.resolve(HGT)])))
    assert data.startswith("\ufeff报告,机关,".encode("utf-8")) and data.count(b"\xef\xbb\xbf") == 1
    assert data.endswith(b"\r\n")
    recs = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cell = next(r for r in recs if r["项目"].startswith("(二)部分公开") and r["栏目"] == "总计")
    assert (cell["机关"], cell["数值"]) == ("红谷滩区政府办", "12")
    # the numbers page offers its downloads through this function
    assert (ROOT / "qa_app" / "ui" / "numbers_page.py").read_text(encoding="utf-8").count("common.csv_bytes(") == 2


def test_chat_command_binds_localhost_by_default():
    argv = streamlit_argv()
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4] == str(APP)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--server.port") + 1] == "8501"
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"
    assert argv[argv.index("--server.maxUploadSize") + 1] == "50"
    assert streamlit_argv(max_upload_mb=2.5)[streamlit_argv().index("--server.maxUploadSize") + 1] == "3"


UNTITLED = "\n".join(["一、总体情况", "本单位认真做好政府信息公开工作。", "二、主动公开政府信息情况",
                      "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                      "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "无。"])


def test_upload_with_agency_and_year_fields(index_dir):
    """The upload box's 发布机关/年度 fields set the body and year of a report that prints neither."""
    at = start()
    at.sidebar.text_input(key="upload_agency").set_value("延津县交通运输局")
    at.sidebar.text_input(key="upload_year").set_value("2024")
    at.sidebar.file_uploader[0].set_value([("无标题.txt", UNTITLED.encode("utf-8"), "text/plain")]).run()
    assert not at.exception
    assert at.sidebar.success[0].value.startswith("✓ 新增 无标题.txt（延津县交通运输局 2024年）")
    rep = next(r for r in Store(f"sqlite:///{index_dir / 'facts.sqlite'}").reports() if r.file_name == "无标题.txt")
    assert (rep.agency, rep.year, rep.county) == ("延津县交通运输局", 2024, "延津县")


def test_flagged_report_set_in_the_sidebar(index_dir):
    """A report uploaded with neither is flagged; the 待补 box sets it (as qa-app set-meta)."""
    at = start()
    at.sidebar.file_uploader[0].set_value([("无标题.txt", UNTITLED.encode("utf-8"), "text/plain")]).run()
    assert not at.exception
    assert "待补机关/年度的报告（1 份）" in [e.label for e in at.sidebar.expander]
    rid = next(r.id for r in Store(f"sqlite:///{index_dir / 'facts.sqlite'}").reports() if r.file_name == "无标题.txt")
    at.sidebar.text_input(key=f"flag_agency_{rid}").set_value("红旗区教育局")
    at.sidebar.text_input(key=f"flag_year_{rid}").set_value("2023")
    at.sidebar.button(key=f"flag_save_{rid}").click().run()
    assert not at.exception
    rep = Store(f"sqlite:///{index_dir / 'facts.sqlite'}").report(rid)
    assert (rep.agency, rep.year, rep.flagged) == ("红旗区教育局", 2023, False)
    assert "待补机关/年度的报告（1 份）" not in [e.label for e in at.sidebar.expander]


def test_the_report_list_marks_reports_whose_prose_is_still_being_embedded(index_dir):
    """Facts first: a report with a prose_queue row (its numbers in, its vectors to follow) is
    marked in the sidebar's list, and only that one; its numbers answer as usual."""
    st = Store(f"sqlite:///{index_dir / 'facts.sqlite'}")
    rid = st.by_name(HGT)
    st._write(lambda conn: st.queue_prose(conn, rid))  # what the indexer writes with the report's numbers
    at = start()
    rows = [m.value for m in at.sidebar.markdown if "正文向量化中" in m.value]
    assert len(rows) == 1 and HGT in rows[0], rows
    assert ask(at, Q_PARTIAL).value == 12
