"""Helpers shared by the Streamlit pages: the store, first-run indexing, the sidebar (reports,
filters, upload, language-model toggle), citations with their source lines, the report tables
as data frames with the template's Chinese labels, and their CSV / Excel downloads (CSV in UTF-8
with a BOM, as `qa-app facts --csv` writes it).

Everything the user sees is Chinese; every failure is shown as a Chinese message, never a
traceback. Nothing here loads an embedding model unless indexing prose asks for it.
"""
from __future__ import annotations

import html
import io
import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import template as T
from ..answer import Answer, Citation
from ..indexer import FileResult, index_paths, iter_files, open_narrative, seeds_dir
from ..loaders import SUPPORTED
from ..settings import Settings
from ..tablehtml import value_text

log = logging.getLogger("qa_app.chat")

_index_lock = threading.Lock()  # one first-run indexing / upload at a time per server
CONTEXT_LINES = 6
HIT_BG = "#fff1b8"
FAIL_BG = "#ffd8d8"
UPLOAD_TYPES = [s.lstrip(".") for s in SUPPORTED]
SHEETS = {"proactive": "主动公开", "applications": "依申请公开", "review_litigation": "复议诉讼"}


# -- settings, store -----------------------------------------------------------------------
def settings() -> Settings:
    return Settings.load()


def settings_checked() -> Settings:
    """The settings, after the start-up checks (once per session; `qa-app chat` has run them
    before the server started): a problem is shown in Chinese and the page stops there."""
    from ..settings import SettingsError
    try:
        s = settings()
        if not st.session_state.get("settings_ok"):
            s.check()
            st.session_state["settings_ok"] = True
        return s
    except SettingsError as e:
        lines = str(e).split("\n")
        st.error(lines[0].replace("服务没有启动", "页面无法打开") + "  \n" + "  \n".join(escape_md(x.strip()) for x in lines[1:]))
        st.stop()


def store(s: Settings):
    """The engine's Store for these settings (shared with `ask`, so an upload is seen at once)."""
    from ..engine import get_store
    return get_store(s)


def embedded() -> bool:
    """Whether the app runs inside another page (`?embed=true`)."""
    try:
        if st.context.is_embedded:
            return True
    except AttributeError:
        pass
    return str(st.query_params.get("embed", "")).lower() == "true"


@contextmanager
def guard(what: str):
    """Show an unexpected failure as one Chinese line (logged in full on the server); the rest
    of the page keeps working. Streamlit's own rerun/stop signals are BaseExceptions and pass."""
    try:
        yield
    except Exception as e:  # noqa: BLE001
        log.exception("%s failed", what)
        st.error(f"{what}时出错：{type(e).__name__}。其余功能不受影响；请重试，或联系管理员查看服务器日志。")


# -- indexing --------------------------------------------------------------------------------
def _narrative_for(s: Settings):
    """(settings, prose index) for indexing; when the prose index cannot be opened here the
    numbers are still indexed (settings with narrative off) and a note says so."""
    try:
        return s, open_narrative(s), ""
    except ImportError as e:
        log.warning("prose index unavailable: %s", e)
        return s.replace(narrative=False), None, "正文检索索引不可用，这次只读入了表格数字。"


def result_line(r: FileResult, st_store) -> tuple[str, str]:
    """(level, Chinese line as markdown) for one file's indexing result; level is ok, warn or
    error. The words are ingest.describe's, the same as the API's."""
    from ..ingest import describe
    level, line = describe(r, st_store)
    return level, escape_md(line)


def index_files(paths: list[Path], s: Settings, st_store, on_file=None, agency: str | None = None,
                year: int | None = None) -> list[FileResult]:
    """Index `paths`; returns each file's result. With `on_file(i, path)` they go one run each
    (the prose index's vectors are made at the end of each run, so progress moves per file);
    without it, in one run."""
    s2, narrative, note = _narrative_for(s)
    if note:
        st.info(note)
    with _index_lock:
        if on_file is None:
            return index_paths(paths, s2, st_store, narrative, progress=False, agency=agency, year=year).results
        out = []
        for i, p in enumerate(paths):
            on_file(i, p)
            out += index_paths([p], s2, st_store, narrative, progress=False).results
        return out


def ensure_index(s: Settings, st_store) -> None:
    """First run: an empty index is filled from seeds/ with visible progress."""
    if reports(st_store):
        return
    seeds = seeds_dir()
    if seeds is None:
        st.warning(f"索引（{s.index}）里还没有报告，也没有找到 seeds/ 文件夹。请在左侧栏上传报告文件，"
                   f"或在命令行运行：{s.index_command('报告文件夹')}")
        return
    files = [p for p, _ in iter_files([seeds]) if p.suffix.lower() in SUPPORTED]
    with st.status(f"首次运行：正在索引 {seeds.name}/ 中的 {len(files)} 份报告……", expanded=True) as status:
        bar = st.progress(0.0, text="准备中……")

        def on_file(i, p):
            bar.progress(i / max(len(files), 1), text=f"正在读取 {p.name}（{i + 1}/{len(files)}）")

        results = index_files(files, s, st_store, on_file)
        bar.progress(1.0, text="完成")
        for r in results:
            level, line = result_line(r, st_store)
            SHOW[level](line)
        n = sum(1 for r in results if r.status in ("added", "replaced"))
        status.update(label=f"索引完成：读入 {n} 份报告，可以提问了。", state="complete", expanded=False)


SHOW = {"ok": st.success, "warn": st.warning, "error": st.error}


# -- filters and sidebar -----------------------------------------------------------------------
def region_name(region: str | None) -> str:
    """「新乡市红旗区」 -> 「红旗区」: the innermost place, used as the region filter value."""
    parts = re.findall(r"[^省市区县]+[省市区县]", region or "")
    return parts[-1] if parts else (region or "")


def reports(st_store, filters: dict | None = None) -> list:
    """The indexed reports that `filters` keep, by the engine's own rules (engine.get_catalog,
    which also notices an index changed by another process, e.g. `qa-app index`)."""
    from ..engine import get_catalog
    return list(get_catalog(st_store, filters or None).reports.values())


def body_names(st_store, filters: dict | None = None) -> dict[int, str]:
    """Report id -> the name of its body, as the engine's catalog groups them (one body whose
    reports name it with and without its city is one name)."""
    from ..engine import get_catalog
    cat = get_catalog(st_store, filters or None)
    return {rid: (b.agency if r.agency else None)
            for rid, r in cat.reports.items() for b in [cat.body_of(rid)] if b is not None}


ALL = "全部"


def year_text(y) -> str:
    """A year as the pages show it: 2023 -> 「2023年」 (「全部」 stays)."""
    return f"{y}年" if isinstance(y, int) else str(y)


def sidebar(s: Settings, st_store) -> tuple[dict, bool | None]:
    """Draw the sidebar; returns (filters for ask, use_llm or None for the settings' default)."""
    reps = reports(st_store)
    sb = st.sidebar
    sb.markdown("#### 筛选")
    regions = sorted({region_name(r.region) for r in reps if r.region})
    region = sb.selectbox("地区", [ALL] + regions, key="f_region")
    filters: dict = {}
    if region != ALL:
        filters["region"] = region
    agencies = sorted({n for n in body_names(st_store, filters).values() if n})
    agency = sb.selectbox("机关", [ALL] + agencies, key="f_agency")
    if agency != ALL and agency in agencies:
        filters["agency"] = agency
    years = sorted({r.year for r in reports(st_store, filters) if r.year}, reverse=True)
    year = sb.selectbox("年度", [ALL] + years, key="f_year", format_func=year_text)
    if year != ALL and year in years:
        filters["year"] = int(year)

    use_llm = None
    if s.llm_mode != "none":
        use_llm = sb.toggle(f"使用语言模型（{s.llm_mode}）", value=True, key="use_llm",
                            help="关闭后只用规则和检索回答；数字始终来自报告表格。")
    upload_box(s, st_store)
    with sb.expander(f"已索引的报告（{len(reps)} 份）", expanded=len(reps) <= 8):
        if not reps:
            st.caption("还没有报告。")
        for r in reps:
            mark = (":green[:material/check_circle:]" if not r.checks_failed
                    else f":orange[:material/warning: 勾稽{r.checks_failed}项未通过]")
            if getattr(r, "prose_pending", False):  # facts first: numbers answer, prose vectors still coming
                mark += " :blue[:material/hourglass_top: 正文向量化中]"
            st.markdown(f"{mark} **{escape_md(r.agency or '未识别机关')}** {r.year or '？'}年  \n"
                        f":small[:gray[{escape_md(r.region or '地区未识别')} · {escape_md(r.file_name)}]]")
    return filters, use_llm


def uploader_css(max_mb: float) -> str:
    """A style sheet that puts Chinese words on Streamlit's file uploader, whose own button and
    size note are in English and cannot be set through its API ("Upload", "50MB per file • …")."""
    limit = f"{max_mb:g}"
    return ("<style>"
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{display:none}'
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after'
            '{content:"选择文件"}'
            '[data-testid="stFileUploaderDropzoneInstructions"] span{display:none}'
            '[data-testid="stFileUploaderDropzoneInstructions"] > div::after'
            f'{{content:"或拖放到这里；每个文件不超过 {limit} MB";font-size:0.8rem;opacity:0.7}}'
            "</style>")


def upload_box(s: Settings, st_store) -> None:
    """Upload report files: saved under <index>/uploads/, then indexed; each file's result is
    shown in Chinese. A file that fails is removed from uploads/ and leaves the index as it was."""
    sb = st.sidebar
    sb.markdown("#### 上传报告")
    gen = st.session_state.setdefault("upload_gen", 0)
    st.html(uploader_css(s.max_file_mb))
    agency_in = sb.text_input("发布机关（可不填）", key="upload_agency", placeholder="报告里读不出机关时填写全称",
                              help="填写后，这次上传的每个文件都记为这个机关")
    year_in = sb.text_input("年度（可不填）", key="upload_year", placeholder="如 2024", help="报告里读不出年度时填写")
    files = sb.file_uploader("支持 txt、pdf、html、docx、md，可一次选多个文件", type=UPLOAD_TYPES,
                             accept_multiple_files=True, key=f"uploader_{gen}")
    if files:
        with sb:
            try:
                from ..indexer import MetaError, check_meta_input
                try:
                    agency, year = check_meta_input(agency_in, year_in)
                except MetaError as e:
                    st.session_state["upload_results"] = [("error", escape_md(str(e)))]
                    agency = year = None
                    files = []
                if files:
                    _index_uploads(files, s, st_store, agency, year)
            except Exception as e:  # noqa: BLE001
                from ..store import as_store_error
                err = as_store_error(e)
                log.exception("upload failed")
                st.session_state["upload_results"] = [
                    ("error", f"读入上传的文件时出错：{escape_md(err.message) if err else '内部错误（详情已记入服务器日志）'}。"
                              "索引保持上一份成功读入的状态，请稍后重试或换一个文件。")]
        st.session_state["upload_gen"] = gen + 1  # a fresh, empty uploader
        st.rerun()  # redraw the report list and filters with the new reports
    # A file over the size limit is refused by the browser before it is sent (Streamlit's
    # maxUploadSize = max_file_mb): streamlit_zh.js then writes why, in Chinese, into this note
    # and hides the results of the upload before, so they are not taken for this file's.
    sb.html('<div class="qa-upload-note" role="alert" style="color:#9b1c1c;font-size:0.9rem"></div>')
    box = sb.container(key="qa_upload_results")
    for level, line in st.session_state.get("upload_results", []):
        with box:
            SHOW[level](line)
    flagged_box(s, st_store)


def flagged_box(s: Settings, st_store) -> None:
    """Reports whose body or year was not found, or whose body is named without its place
    (区统计局): set them here (the same as qa-app set-meta)."""
    flagged = [r for r in st_store.reports() if r.flagged]
    if not flagged:
        return
    sb = st.sidebar
    with sb.expander(f"待补机关/年度的报告（{len(flagged)} 份）", expanded=False):
        st.caption("这些报告未识别机关或年度，或机关没写所属地区（如只写了「区统计局」），按机关、年度、地区提问和汇总时"
                   "够不到它们。填上机关全称（含所属地区）和年度后即可用到。")
        pick = st.selectbox("报告", [r.id for r in flagged], key="flag_pick",
                            format_func=lambda i: next(f"[{r.id}] {r.file_name}" for r in flagged if r.id == i))
        rep = next(r for r in flagged if r.id == pick)
        ag = st.text_input("发布机关全称", value=rep.agency or "", key=f"flag_agency_{pick}")
        yr = st.text_input("年度", value=str(rep.year or ""), key=f"flag_year_{pick}")
        if st.button("保存", key=f"flag_save_{pick}"):
            from ..indexer import MetaError, set_meta
            try:
                with _index_lock:
                    info = set_meta(str(pick), s, ag or None, yr or None, store=st_store)
                st.session_state["upload_results"] = [
                    ("ok", escape_md(f"已设定 {info.file_name}：{info.agency or '未识别机关'} {info.year or '？'}年"))]
                st.rerun()
            except MetaError as e:
                st.error(escape_md(str(e)))


def _index_uploads(files, s: Settings, st_store, agency: str | None = None, year: int | None = None) -> None:
    """Each file through ingest.save_upload, as POST /reports does it: the same names in
    uploads/, the same keeping of an earlier good copy, the same messages."""
    from ..ingest import IngestError, save_upload
    s2, narrative, note = _narrative_for(s)
    lines = [("warn", escape_md(note))] if note else []
    with st.spinner(f"正在读入 {len(files)} 个文件……"), _index_lock:
        for f in files:
            try:
                r = save_upload(f.name, f.getvalue(), s2, st_store, narrative, meta={"agency": agency, "year": year})
            except IngestError as e:
                lines.append(("error", escape_md(f"✗ {Path(f.name).name}：{e.message}")))
                continue
            lines.append(result_line(r, st_store))
            if r.fatal or r.retry_after is not None:
                break  # the index cannot take files now: the others would fail the same way
        if narrative is not None and hasattr(narrative, "finish"):
            narrative.finish(st_store)
    st.session_state["upload_results"] = lines


def filters_caption(filters: dict) -> str:
    if not filters:
        return ""
    parts = [f"{k}：{escape_md(str(filters[key]))}" for key, k in (("region", "地区"), ("agency", "机关"), ("year", "年度"))
             if filters.get(key)]
    return "当前筛选　" + "　".join(parts) + "（回答只用符合条件的报告；在左侧栏更改）"


# -- answers and citations ---------------------------------------------------------------------
def citation_title(c: Citation) -> str:
    if c.table and c.row_key:
        where = T.short_row_label(c.table, c.row_key)
        if c.column_key:
            where += f" · {T.column_label(c.table, c.column_key)}"
    else:
        where = c.section or "正文"
    a, b = (c.lines + [0, 0])[:2]
    span = f"第{a}行" if a == b else f"第{a}–{b}行"
    return escape_md(f"[{c.n}] {c.agency or '未识别机关'} {c.year or '？'}年 · {where}") + f"　:gray[{escape_md(c.report)} {span}]"


def render_answer(ans: Answer, key: str, st_store, text_shown: bool = False) -> None:
    """One assistant turn: the text, a notice, choices, a table and chart, the numbered sources."""
    if not text_shown:
        st.markdown(escape_md(ans.answer))
    if ans.notice:
        st.caption(ans.notice)
    if ans.options:
        st.caption("请选择：")
        cols = st.columns(min(len(ans.options), 3))
        for i, opt in enumerate(ans.options):
            cols[i % len(cols)].button(opt, key=f"{key}_opt{i}", on_click=ask_later, args=(opt,))
    if ans.table:
        render_answer_table(ans.table, key=f"{key}_chart")
    if ans.citations:
        st.markdown(f"**来源**（{len(ans.citations)}）")
        for c in ans.citations:
            with st.expander(citation_title(c), icon=":material/warning:" if c.checks_failed else None):
                with guard("显示出处"):
                    render_citation(c, st_store)
    if ans.question:
        share_row(ans)


# -- share and copy ----------------------------------------------------------------------------------
def share_url(base: str, question: str, embedded: bool = False) -> str:
    """The app's address that asks `question` when opened: <base>?q=<question>[&embed=true].

    >>> share_url("http://10.0.0.5:8501/", "红谷滩部分公开了多少件申请？")
    'http://10.0.0.5:8501/?q=%E7%BA%A2%E8%B0%B7%E6%BB%A9%E9%83%A8%E5%88%86%E5%85%AC%E5%BC%80%E4%BA%86%E5%A4%9A%E5%B0%91%E4%BB%B6%E7%94%B3%E8%AF%B7%EF%BC%9F'
    """
    from urllib.parse import urlencode
    params = {"q": question}
    if embedded:
        params["embed"] = "true"
    return base.split("?")[0].split("#")[0] + "?" + urlencode(params)


def page_base() -> str:
    """The address of the chat page as the browser sees it (no query)."""
    try:
        url = st.context.url or ""
    except AttributeError:
        url = ""
    base = url.split("?")[0].split("#")[0]
    if base.endswith("/numbers"):
        base = base[: -len("numbers")]
    return base or "./"


def citation_text(c: Citation) -> str:
    """One citation as a line of plain text (for notes): who, year, where, file and lines."""
    if c.table and c.row_key:
        where = T.short_row_label(c.table, c.row_key) + (f" · {T.column_label(c.table, c.column_key)}" if c.column_key else "")
        where = f"{c.section} · {where}" if c.section else where
    else:
        where = c.section or "正文"
    a, b = (c.lines + [0, 0])[:2]
    span = f"第{a}行" if a == b else f"第{a}–{b}行"
    warn = f"（该报告有 {c.checks_failed} 项勾稽关系未通过）" if c.checks_failed else ""
    return f"[{c.n}] {c.agency or '未识别机关'} {c.year or '？'}年 · {where}；{c.report} {span}{warn}"


def answer_as_text(ans: Answer, link: str = "") -> str:
    """An answer with its citations as plain text, as an inspector pastes it into notes."""
    out = [f"问：{ans.question}", f"答：{ans.answer}"]
    if ans.notice:
        out.append(f"说明：{ans.notice}")
    if ans.citations:
        out.append("出处：")
        out += [citation_text(c) for c in ans.citations]
    if link:
        out.append(f"链接：{link}")
    return "\n".join(out)


def share_row(ans: Answer) -> None:
    """Under an answer: a link that asks the question again, and a button that copies the answer
    with its citations as text (qa_app/static/streamlit_zh.js does the copying, also over plain
    http where the browser's clipboard API is missing)."""
    link = share_url(page_base(), ans.question, embedded())
    text = answer_as_text(ans, link)
    st.html(f'<div class="qa-share" style="display:flex;gap:1.2em;align-items:center;font-size:0.9rem">'
            f'<a href="{html.escape(link)}" target="_blank" rel="noopener" class="qa-share-link" '
            f'style="color:#1d4e89">分享这个回答（链接里带着问题，打开即提问）</a>'
            f'<button type="button" class="qa-copy" data-copy="{html.escape(text)}" '
            f'style="border:1px solid #8a8a8a;border-radius:4px;background:#fff;color:#1f1f1f;padding:2px 10px;'
            f'font:inherit;cursor:pointer">复制回答和出处</button>'
            f'<span class="qa-copy-status" role="status" aria-live="polite" style="color:#2b6a2b"></span></div>')


def escape_md(text: str) -> str:
    """Text from reports, file names and answers shown as plain text in markdown: nothing in it
    may become a link, HTML, emphasis or LaTeX. (An underscore inside a word is plain in GFM and
    stays as is, so file names read naturally.)"""
    return re.sub(r"([\\`*#<>\[\]()|~$:])", r"\\\1", text or "")


def ask_later(question: str) -> None:
    st.session_state["pending"] = question


def render_answer_table(rows: list[dict], key: str | None = None) -> None:
    """An answer's table, and over several bodies or years the same bar chart as the numbers page."""
    df = pd.DataFrame(rows)
    st.dataframe(df, hide_index=True, width="stretch")
    if "值" in df.columns and "机关" in df.columns and len(df) > 1:
        label = df["机关"].astype(str)
        if "年度" in df.columns and label.duplicated().any():
            label = label + " " + df["年度"].astype(str) + "年"
        bar_chart(label.tolist(), df["值"].tolist(), unit="数值", key=key)


def bar_chart(labels: list[str], values: list, unit: str = "数值", by_value: bool = True, key: str | None = None) -> None:
    """The one chart of the app (qa_app/ui/charts.py): horizontal bars, every label, values printed."""
    from .charts import bar_chart as draw
    draw(labels, values, unit=unit, by_value=by_value, key=key)


def render_citation(c: Citation, st_store) -> None:
    rid = c.report_id if c.report_id is not None else st_store.resolve(c.report)
    if rid is None or st_store.report(rid) is None:
        st.warning(f"库中已没有报告 {c.report}（可能已被移除或替换）。")
        return
    a, b = (c.lines + [0, 0])[:2]
    meta = [f"**{escape_md(c.agency or '未识别机关')}** · {c.year or '？'}年 · {escape_md(c.section or '正文')}",
            f":gray[报告文件 {escape_md(c.report)}，第 {a}–{b} 行]"]
    if c.table and c.row_key:
        meta.insert(1, f"单元格：{escape_md(T.row_label(c.table, c.row_key))} · {T.column_label(c.table, c.column_key)}"
                       f" = **{fmt_value(c.value)}**")
    st.markdown("  \n".join(meta))
    if c.checks_failed:
        st.warning(f"这份报告有 {c.checks_failed} 项勾稽关系未通过（表内数字相互对不上），引用的数字请以报告原文为准。")
        for line in check_lines(st_store.checks([rid], failed_only=True)):
            st.caption(line)
    if c.table and c.row_key:
        rows = [c.row_key, *T.GROUP_ROWS.get(c.row_key, ())]  # a group row: also the rows it sums
        blocks = table_blocks(st_store, rid, c.table, rows=rows)
        if blocks:
            st.caption("报告表格中的" + ("这一行" if len(rows) == 1 else "这几行") + "（标黄的是所引用的格子）")
            hit = {(T.row_label(c.table, c.row_key), T.column_label(c.table, c.column_key))}
            for df in blocks:
                show_table(df, hits=hit)
        if c.page is None:  # no page image (HTML / DOCX / markdown / text): the whole table as printed
            from ..tablehtml import table_html
            info = st_store.report(rid)
            with st.popover("查看整张表（按报告所载的行和列，标黄的是所引用的格子）"):
                st.html(table_html(st_store.facts([rid], table=c.table), c.table, {(c.row_key, c.column_key)},
                                   fmt=info.format if info else None, page=False))
    page_view = c.page is not None and c.boxes
    cols = st.columns([3, 2]) if page_view else [st.container()]
    if page_view:
        with cols[0]:
            show_page(c, st_store, rid)
    with cols[-1]:
        st.caption(f"报告原文，第 {a}–{b} 行（标黄）及前后各 {CONTEXT_LINES} 行")
        st.markdown(context_html(st_store, rid, a, b), unsafe_allow_html=True)


def show_page(c: Citation, st_store, rid: int, dpi: int = 120) -> None:
    """The PDF page a citation is printed on, cut to the cited boxes (framed in red), with the
    whole page on request. Draws nothing but a note when the file is no longer where it was."""
    from ..pdfpages import crop_png, page_png, source_pdf
    info = st_store.report(rid)
    src = source_pdf(st_store, rid, info.sha256) if info else None
    if src is None:
        st.caption("原 PDF 文件已不在索引时的位置（或已改动），无法显示页面。")
        return
    boxes = [tuple(b["bbox"]) for b in c.boxes if b["page"] == c.page]
    png = page_png(src, Path(settings().index) / "pages", info.sha256, c.page, dpi, boxes)
    st.caption(f"PDF 第 {c.page} 页（红框为所引用的位置）")
    st.image(crop_png(png, boxes, dpi), width="stretch")
    with st.popover("查看整页"):
        st.image(png, width="stretch")


def context_html(st_store, rid: int, first: int, last: int, around: int = CONTEXT_LINES) -> str:
    lo = max(1, first - around)
    lines = st_store.lines(rid, lo, last + around)
    out = []
    for i, text in enumerate(lines):
        n = lo + i
        hit = first <= n <= last
        style = (f"background:{HIT_BG};border-left:3px solid #f08c00;font-weight:600;" if hit
                 else "border-left:3px solid transparent;color:#555;")
        out.append(f'<div class="{"qa-hit" if hit else "qa-line"}" style="display:flex;gap:.6em;padding:1px 6px;{style}">'
                   f'<span style="color:#999;min-width:3em;text-align:right;user-select:none">{n}</span>'
                   f'<span style="white-space:pre-wrap;word-break:break-all">{html.escape(text) or "&nbsp;"}</span></div>')
    return ('<div class="qa-source" style="font-size:0.88em;line-height:1.55;border:1px solid #e6e6e6;'
            'border-radius:6px;padding:4px 0;max-height:420px;overflow:auto">' + "".join(out) + "</div>")


fmt_value = value_text  # one formatting of a cell value for the chat and the table page


def check_lines(failed: list[dict]) -> list[str]:
    """Failing 勾稽 checks in Chinese, with the printed values (checks.explain)."""
    from ..checks import explain
    return ["⚠ " + explain(f["check"], f["table"], f["subject"], f["cells"]) for f in failed]


# -- the report's tables ---------------------------------------------------------------------------
def table_blocks(st_store, rid: int, table: str, rows: list[str] | None = None) -> list[pd.DataFrame]:
    """A report's table as printed: rows × columns with the template's Chinese labels, in the
    template's order. Rows with different printed columns (section 二's 规章 / 行政许可 / 收费)
    make separate blocks, as in the printed template (tablehtml.blocks, the same grouping the
    table page draws). Derived values (group rows, 法人或其他组织) are included and their labels
    say 「（推算）」."""
    from ..tablehtml import blocks as table_layout
    recs = st_store.facts([rid], table=table, row=rows)
    if not recs:
        return []
    rep = st_store.report(rid)
    cells = {(f["row"], f["column"]): f for f in recs}
    derived_cols = {c.key for c in T.TABLES[table].columns if c.derived}
    out = []
    for b in table_layout(recs, table, rep.format if rep else None):
        rks, cols = b["rows"], b["columns"]
        data = {T.column_label(table, ck) + ("（推算）" if ck in derived_cols else ""):
                [cells[(rk, ck)]["value"] if (rk, ck) in cells else None for rk in rks] for ck in cols}
        index = [T.row_label(table, rk) + ("（推算）" if all(f["derived"] for f in recs if f["row"] == rk) else "")
                 for rk in rks]
        out.append(pd.DataFrame(data, index=pd.Index(index, name="项目")))
    return out


def _plain(label) -> str:
    return str(label).replace("（推算）", "")


def show_table(df: pd.DataFrame, hits: set = frozenset(), fails: set = frozenset()) -> None:
    """One table block; cells cited (yellow) or in a failing check (red) are coloured. Keys are
    (row label, column label) as in the template; blank cells read 「空」."""
    def colour(data: pd.DataFrame):
        out = pd.DataFrame("", index=data.index, columns=data.columns)
        for r in data.index:
            for c in data.columns:
                key = (_plain(r), _plain(c))
                if key in fails:
                    out.loc[r, c] = f"background-color:{FAIL_BG};color:#a00;font-weight:600"
                elif key in hits:
                    out.loc[r, c] = f"background-color:{HIT_BG};font-weight:600"
        return out

    styled = df.style.apply(colour, axis=None).format(fmt_value, na_rep="空")
    st.dataframe(styled, width="content", placeholder="空")


# -- downloads ------------------------------------------------------------------------------------
def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV for a download: UTF-8 with a BOM (Excel then reads the Chinese right) and
    rows ending in \r\n, the same as `qa-app facts --csv`."""
    return df.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def facts_frame(recs: list[dict]) -> pd.DataFrame:
    """Fact records in long form with Chinese headers (for CSV / Excel); whole numbers stay whole."""
    df = pd.DataFrame([{"报告": f["report"], "机关": f["agency"], "地区": f["region"], "年度": f["year"],
                        "表": T.TABLE_TITLES[f["table"]], "项目": f["row_label"], "栏目": f["column_label"],
                        "数值": None, "推算": "是" if f["derived"] else "",
                        "原文行号": f"{f['lines'][0]}-{f['lines'][1]}"} for f in recs])
    if recs:
        df["数值"] = pd.Series([f["value"] for f in recs], dtype=object)
    return df


def excel_bytes(tables: dict[str, list[pd.DataFrame]], long: pd.DataFrame) -> bytes:
    """One sheet per table (its blocks one under another, as printed) and a 明细 sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for t, blocks in tables.items():
            row = 0
            for df in blocks:
                df.to_excel(xw, sheet_name=SHEETS[t], startrow=row)
                row += len(df) + 2
        long.to_excel(xw, sheet_name="明细", index=False)
    return buf.getvalue()
