"""The chat page (a Streamlit page script run by qa_app/chat_app.py through st.navigation).

Each question goes to `qa_app.engine.ask` with the earlier turns as history (so 「那2022年呢？」
works) and the sidebar filters. Streaming: when `qa_app.engine` exposes `ask_stream` (same
arguments as `ask`, plus `on_answer`), its text pieces are written as they come (st.write_stream)
and the finished `Answer` it hands to `on_answer` gives the text that stands and the sources.
"""
from __future__ import annotations

import itertools

import streamlit as st

from qa_app import engine
from qa_app.answer import Answer
from qa_app.ui import common

EXAMPLES = (
    "红谷滩部分公开了多少件申请？",
    "2023年各单位部分公开的申请一共多少件？",
    "文化街街道通过什么平台公开信息？",
    "红旗区哪个单位2023年行政许可决定最多？",
)


def history_for_engine(messages: list[dict]) -> list[dict]:
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def get_answer(question: str, history: list[dict], s, st_store, filters: dict, use_llm) -> tuple[Answer, bool]:
    """(answer, whether its text is already on the page). With `ask_stream` the text is written
    piece by piece as it comes, then replaced by the text that stands (`ans.answer`)."""
    kwargs = dict(history=history, settings=s, filters=filters or None, store=st_store, use_llm=use_llm)
    stream = getattr(engine, "ask_stream", None)
    if stream is None:
        with st.spinner("正在查找……"):
            return engine.ask(question, **kwargs), False
    done: list[Answer] = []
    pieces = iter(stream(question, on_answer=done.append, **kwargs))
    with st.spinner("正在查找……"):  # until the first piece arrives
        first = next(pieces, None)
    box = st.empty()
    with box.container():
        st.write_stream(itertools.chain([] if first is None else [first], pieces))
    if not done:
        raise RuntimeError("ask_stream gave no Answer")
    box.markdown(common.escape_md(done[-1].answer))
    return done[-1], True


def shared_question() -> str:
    """The question of a shared link (?q=…), asked once when the page opens with it."""
    q = str(st.query_params.get("q", "") or "").strip()[:500]
    if not q or st.session_state.get("shared_asked") == q:
        return ""
    st.session_state["shared_asked"] = q
    return q


def welcome() -> None:
    st.markdown("#### 您好！可以用中文问报告里的数字和内容")
    st.caption("数字都取自报告的表格，每个回答都列出出处：哪份报告、哪一节、第几行，点开可以看到原文。"
               "可以接着追问，例如「那2022年呢？」。")
    st.markdown("**试试这些问题：**")
    cols = st.columns(2)
    for i, q in enumerate(EXAMPLES):
        cols[i % 2].button(q, key=f"example_{i}", on_click=common.ask_later, args=(q,), width="stretch")


def main() -> None:
    s = common.settings()
    st_store = common.store(s)
    filters = st.session_state.get("filters", {})
    use_llm = st.session_state.get("use_llm_value")
    messages: list[dict] = st.session_state.setdefault("messages", [])

    st.title("政府信息公开年报问答")
    note = common.filters_caption(filters)
    if note:
        st.info(note, icon=":material/filter_alt:")

    question = st.chat_input("请输入问题，例如：红谷滩部分公开了多少件申请？")
    question = (question or st.session_state.pop("pending", None) or shared_question() or "").strip()

    if not messages and not question:
        welcome()
    for i, m in enumerate(messages):
        with st.chat_message(m["role"]):
            if m.get("answer") is not None:
                with common.guard("显示回答"):
                    common.render_answer(m["answer"], f"m{i}", st_store)
            elif m.get("error"):
                st.error(m["content"])
            else:
                st.markdown(common.escape_md(m["content"]))

    if question:
        history = history_for_engine(messages)
        messages.append({"role": "user", "content": question})
        with st.chat_message("user"):
            st.markdown(common.escape_md(question))
        with st.chat_message("assistant"):
            try:
                ans, shown = get_answer(question, history, s, st_store, filters, use_llm)
            except Exception as e:  # noqa: BLE001
                common.log.exception("ask failed: %s", question)
                msg = (f"抱歉，回答这个问题时出错了（{type(e).__name__}）。请换个问法再试；"
                       "其他问题不受影响。")
                st.error(msg)
                messages.append({"role": "assistant", "content": msg, "error": True})
                return
            messages.append({"role": "assistant", "content": ans.answer, "answer": ans})
            st.query_params["q"] = question  # the address bar now shares this answer too
            st.session_state["shared_asked"] = question
            with common.guard("显示回答"):
                common.render_answer(ans, f"m{len(messages) - 1}", st_store, text_shown=shown)

    if messages:
        st.button("清空对话", key="clear_chat", on_click=lambda: st.session_state.update(messages=[]),
                  type="tertiary", icon=":material/delete:")


main()
