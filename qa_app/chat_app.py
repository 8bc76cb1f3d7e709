"""The Streamlit chat for 政府信息公开工作年度报告: ask in Chinese, see each answer's cited
source, browse and export the numbers.

Run with `qa-app chat` (or `streamlit run qa_app/chat_app.py`; the index comes from
QA_APP_INDEX). This entry script is the frame around the two pages (qa_app/ui/chat_page.py,
qa_app/ui/numbers_page.py): it fills an empty index from seeds/ on the first run, draws the
sidebar (filters, reports, upload, language-model toggle) and runs the chosen page. Works inside
an iframe with `?embed=true`.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_app.ui import common, zh

UI = Path(__file__).resolve().parent / "ui"

# The page icon is a file of the app (served by Streamlit itself): a ":material/…:" icon would be
# fetched from fonts.gstatic.com, which an intranet cannot reach and should not be told about.
st.set_page_config(page_title="政府信息公开年报问答", page_icon=str(zh.ICON), layout="wide",
                   initial_sidebar_state="expanded", menu_items={"Get help": None, "Report a bug": None,
                                                                 "About": "政府信息公开工作年度报告问答（qa-app）"})
zh.install(common.embedded())

page = st.navigation([
    st.Page(UI / "chat_page.py", title="问答", icon=":material/chat:", default=True),
    st.Page(UI / "numbers_page.py", title="数字浏览", icon=":material/table_chart:", url_path="numbers"),
])

settings = common.settings_checked()
ready = False
with common.guard("打开索引"):
    store = common.store(settings)
    common.ensure_index(settings, store)
    filters, use_llm = common.sidebar(settings, store)
    st.session_state["filters"] = filters
    st.session_state["use_llm_value"] = use_llm
    ready = True
if ready:
    with common.guard("显示页面"):
        page.run()
