"""The numbers page (a Streamlit page script run by qa_app/chat_app.py through st.navigation).

Pick a body and a year: the report's three tables as printed (rows × columns with the
template's Chinese labels), cells of failing 勾稽 checks in red; CSV and Excel downloads; one row
compared across bodies (same year) or across years (same body) as a chart. The sidebar filters
narrow the bodies offered.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from qa_app import template as T
from qa_app.ui import common

ACROSS_BODIES, ACROSS_YEARS = "各单位（同一年度）", "历年（同一机关）"


def body_name(r, names: dict[int, str] | None = None) -> str:
    """The body's name (the catalog's, where a body's reports differ in naming it), else the report's."""
    return (names or {}).get(r.id) or r.agency or f"未识别机关（{r.file_name}）"


def report_tables(st_store, rep) -> dict[str, list[pd.DataFrame]]:
    failed = st_store.checks([rep.id], failed_only=True)
    if failed:
        st.warning(f"勾稽核对：{rep.checks_failed} 项未通过，相关格子在表中标红。数字以报告原文为准。")
        for line in common.check_lines(failed):
            st.caption(line)
    else:
        st.success(f"勾稽核对：{rep.checks_passed} 项全部通过。", icon=":material/check_circle:")
    tables: dict[str, list[pd.DataFrame]] = {}
    failing = [t for t in T.TABLES if any(f["table"] == t for f in failed)]
    tabs = st.tabs([T.TABLE_TITLES[t] for t in T.TABLES],  # open on the first table with a failing check
                   default=T.TABLE_TITLES[failing[0]] if failing else None)
    for t, tab in zip(T.TABLES, tabs):
        with tab:
            blocks = common.table_blocks(st_store, rep.id, t)
            if not blocks:
                st.info("这份报告里没有读到这张表。")
                continue
            tables[t] = blocks
            fails = {(T.row_label(t, c["row"]), T.column_label(t, c["column"]))
                     for f in failed if f["table"] == t for c in f["cells"]}
            for df in blocks:
                common.show_table(df, fails=fails)
            st.caption("「空」为报告中留空的格子；带「（推算）」的行或列由报告里的数字相加得出，不是报告印出的数。")
    return tables


def compare(st_store, reps, rep, names: dict[int, str]) -> None:
    st.subheader("跨单位、跨年度比较")
    c1, c2, c3 = st.columns(3)
    tables = [t for t in T.TABLES if st_store.facts([rep.id], table=t)]
    if not tables:
        st.info("这份报告里没有读到表格数字。")
        return
    table = c1.selectbox("表", tables, format_func=lambda t: T.TABLE_TITLES[t], key="cmp_table",
                         index=tables.index("applications") if "applications" in tables else 0)
    mine = st_store.facts([rep.id], table=table)
    rows = list(dict.fromkeys(f["row"] for f in mine))
    row = c2.selectbox("项目（行）", rows, format_func=lambda r: T.row_label(table, r), key=f"cmp_row_{table}")
    cols = list(dict.fromkeys(f["column"] for f in mine if f["row"] == row))
    default_col = next((i for i, c in enumerate(cols) if c in ("total", "decisions", "amount")), 0)
    col = c3.selectbox("栏目（列）", cols, format_func=lambda c: T.column_label(table, c), key=f"cmp_col_{table}",
                       index=default_col)
    mode = st.radio("比较方式", [ACROSS_BODIES, ACROSS_YEARS], horizontal=True, key="cmp_mode")
    if mode == ACROSS_BODIES:
        pick = [r for r in reps if r.year == rep.year]
        what = f"{rep.year}年各单位"
    else:
        pick = [r for r in reps if body_name(r, names) == body_name(rep, names)]
        what = f"{body_name(rep, names)}历年"
    recs = st_store.facts([r.id for r in pick], table=table, row=row, column=col)
    title = f"{what}「{T.short_row_label(table, row)} · {T.column_label(table, col)}」"
    st.markdown(f"**{title}**")
    if not recs:
        st.info("没有可比较的数字。")
        return
    if mode == ACROSS_BODIES:
        df = pd.DataFrame([{"机关": f["agency"] or f["report"], "数值": f["value"], "报告": f["report"]} for f in recs])
        common.bar_chart(df["机关"].tolist(), df["数值"].tolist(), unit="数值")
    else:
        df = pd.DataFrame([{"年度": f"{f['year']}年", "数值": f["value"], "报告": f["report"]}
                           for f in sorted(recs, key=lambda f: f["year"] or 0)])
        common.bar_chart(df["年度"].tolist(), df["数值"].tolist(), unit="数值", by_value=False)
    st.dataframe(df, hide_index=True, width="stretch")
    st.download_button("下载这组比较（CSV）", common.csv_bytes(df),
                       file_name=f"{title}.csv", mime="text/csv", key="dl_cmp", icon=":material/download:")


def main() -> None:
    s = common.settings()
    st_store = common.store(s)
    filters = st.session_state.get("filters", {})
    st.title("数字浏览")
    reps = common.reports(st_store, filters)
    if not reps:
        st.info("没有符合筛选条件的报告。请在左侧栏更改筛选，或上传报告。")
        return
    note = common.filters_caption(filters)
    if note:
        st.caption(note)
    names = common.body_names(st_store, filters)
    bodies = sorted({body_name(r, names) for r in reps})
    c1, c2 = st.columns([3, 1])
    agency = c1.selectbox("机关", bodies, key="n_agency")
    mine = [r for r in reps if body_name(r, names) == agency]
    years = sorted({r.year for r in mine if r.year}, reverse=True) or [None]
    year = c2.selectbox("年度", years, key="n_year", format_func=lambda y: f"{y}年" if y else "未识别")
    rep = max((r for r in mine if r.year == year), key=lambda r: r.id)
    st.caption(f"报告文件：{rep.file_name}　地区：{rep.region or '未识别'}　"
               f"模板：{(rep.format + '年版') if rep.format else '未读到表格'}　"
               f"读到 {rep.cells_found} 个有数的格子、{rep.cells_blank} 个空格")

    tables = report_tables(st_store, rep)
    if tables:
        long = common.facts_frame(st_store.facts([rep.id]))
        base = f"{body_name(rep, names)}_{rep.year or '未识别'}年_年报数字"
        row = st.container(horizontal=True)
        row.download_button("下载 CSV", common.csv_bytes(long), file_name=f"{base}.csv",
                           mime="text/csv", key="dl_csv", icon=":material/download:")
        with common.guard("生成 Excel 文件"):
            row.download_button("下载 Excel", common.excel_bytes(tables, long), file_name=f"{base}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="dl_xlsx", icon=":material/table_view:")
    st.divider()
    compare(st_store, reps, rep, names)


main()
