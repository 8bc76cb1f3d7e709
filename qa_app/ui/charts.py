"""The one bar chart of the Streamlit pages (an answer's table and the numbers page's
comparison): horizontal bars with Altair, which ships with Streamlit.

Rules it keeps, whatever the data: every bar is named (no label dropped or cut short, however
many bars or however long a body's name); counts get a whole-number axis (0, 1, 2 …, never
0.5); the value is printed at the end of each bar; bars are sorted largest first unless an order
is given (years); all zeros still draws a readable axis (0 and 1) and says so; no data at all
draws no chart and says so. The chart is drawn as SVG (vega-embed's `usermeta.embedOptions`),
so its labels are text in the page: readable by screen readers and by the browser test.

`bar_chart_spec` builds the chart (pure); `bar_chart` draws it in Streamlit. Nothing here
reads the store.
"""
from __future__ import annotations

import math

import pandas as pd

BAR_COLOR = "#b3261e"
STEP = 30        # pixels per bar
LABEL_FONT = 13


def _number(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


BLANK = "空（未填写）"


def chart_rows(labels: list, values: list, by_value: bool = True) -> list[tuple[str, float | None]]:
    """(label, value) pairs to draw: a blank value (None: the report left the cell empty) is
    kept as None, so the body is still named; duplicate labels are kept apart; largest first
    (ties by label, blanks last) or in the given order."""
    rows, seen = [], {}
    for label, v in zip(labels, values):
        name = str(label)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}（{seen[name]}）"
        rows.append((name, _number(v)))
    if by_value:
        rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))
    return rows


def _label(v: float | None, whole: bool) -> str:
    if v is None:
        return BLANK
    return f"{int(v):,}" if whole else f"{v:,.2f}".rstrip("0").rstrip(".")


def bar_chart_spec(labels: list, values: list, unit: str = "数量", by_value: bool = True, title: str = ""):
    """An Altair chart of horizontal bars, or None when there is nothing to draw."""
    import altair as alt
    rows = chart_rows(labels, values, by_value)
    if not any(v is not None for _, v in rows):
        return None
    order = [r[0] for r in rows]
    given = [r[1] for r in rows if r[1] is not None]
    nums = [r[1] if r[1] is not None else 0.0 for r in rows]
    whole = all(float(v).is_integer() for v in given)
    top = max(max(given), 0.0)
    low = min(min(given), 0.0)
    hi = top if top > 0 else 1.0  # all zeros: an axis 0..1 (tick 0 and 1), not 0.000000
    hi *= 1.12  # room for the printed value after the longest bar
    if whole:
        hi = math.ceil(hi)
    df = pd.DataFrame({"名称": order, "值": nums,
                       "标注": [_label(r[1], whole) for r in rows]})
    whole_ticks = {"tickMinStep": 1} if whole else {}
    x_axis = alt.Axis(title=unit, format="d" if whole else ",.2~f", labelFontSize=12, titleFontSize=12,
                      labelColor="#3d3d3d", titleColor="#3d3d3d", grid=True, **whole_ticks)
    base = alt.Chart(df).encode(
        y=alt.Y("名称:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=LABEL_FONT, labelPadding=6, labelColor="#1f1f1f",
                              ticks=False, domain=False)),
        x=alt.X("值:Q", title=unit, scale=alt.Scale(domain=[low, hi], nice=False, zero=True), axis=x_axis),
        tooltip=[alt.Tooltip("名称:N", title="名称"), alt.Tooltip("标注:N", title=unit)])
    bars = base.mark_bar(color=BAR_COLOR, cornerRadiusEnd=3, height={"band": 0.7})
    text = base.mark_text(align="left", baseline="middle", dx=4, fontSize=12, color="#1f1f1f").encode(text="标注:N")
    props = dict(height=alt.Step(STEP), width="container",
                 usermeta={"embedOptions": {"renderer": "svg"}, "qa_app": {"labels": order}})
    if title:
        props["title"] = alt.TitleParams(title, anchor="start", fontSize=14)
    chart = (bars + text).properties(**props)
    return chart.configure_view(stroke=None)


def describe(labels: list, values: list, unit: str = "数量", by_value: bool = True) -> str:
    """The chart in words (its alternative text), in drawing order."""
    rows = chart_rows(labels, values, by_value)
    if not any(v is not None for _, v in rows):
        return "没有可画的数字"
    return "横向柱状图（" + unit + "）：" + "；".join(
        f"{name} {BLANK if v is None else (int(v) if float(v).is_integer() else v)}" for name, v in rows)


def empty_note(labels: list, values: list) -> str:
    """What to say next to the chart when it shows nothing to compare."""
    rows = chart_rows(labels, values)
    given = [v for _, v in rows if v is not None]
    if not given:
        return "没有可画的数字（报告里这一格都是空的）。"
    notes = []
    if all(v == 0 for v in given):
        notes.append(f"这{len(given)}项都是 0。" if len(given) > 1 else "这一项是 0。")
    if len(given) < len(rows):
        notes.append(f"{len(rows) - len(given)}项报告里留空（未填写），不画柱子。")
    return "".join(notes)


def bar_chart(labels: list, values: list, unit: str = "数量", by_value: bool = True, title: str = "",
              key: str | None = None) -> None:
    """Draw the chart in Streamlit (with its note for all zeros or no data)."""
    import streamlit as st
    note = empty_note(labels, values)
    spec = bar_chart_spec(labels, values, unit, by_value, title)
    if spec is None:
        st.info(note, icon=":material/bar_chart:")
        return
    st.altair_chart(spec, width="stretch", key=key, alt=describe(labels, values, unit, by_value))
    if note:
        st.caption(note)
