"""The one bar chart of the chat (qa_app/ui/charts.py), read from the Vega-Lite spec it builds:
every body named in the data and the axis (nothing dropped, nothing cut short), whole-number
axis for counts, values printed, sorted, readable when all zeros, blanks or nothing at all."""
from __future__ import annotations

from hypothesis import given, strategies as hst

from fuzzing import fuzz

from qa_app.ui.charts import bar_chart_spec, chart_rows, describe, empty_note

BODIES = ["红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处", "红谷滩区政府办"]


def layers(spec):
    d = spec.to_dict()
    return d, d["layer"][0]["encoding"], d["layer"][1]


def test_four_bodies_all_named_sorted_integer_axis_values_printed():
    d, enc, text = layers(bar_chart_spec(BODIES, [0, 0, 0, 12], unit="件"))
    rows = list(d["datasets"].values())[0]
    assert [r["名称"] for r in rows] == ["红谷滩区政府办", "红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处"]
    assert [r["标注"] for r in rows] == ["12", "0", "0", "0"]
    assert enc["y"]["sort"] == ["红谷滩区政府办", "红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处"]
    assert enc["y"]["axis"]["labelLimit"] == 0 and enc["y"]["axis"]["labelOverlap"] is False
    assert enc["x"]["axis"]["format"] == "d" and enc["x"]["axis"]["tickMinStep"] == 1
    assert enc["x"]["scale"]["domain"] == [0.0, 14]
    assert text["mark"]["type"] == "text" and text["encoding"]["text"]["field"] == "标注"
    assert d["height"] == {"step": 30}  # each bar its own room, however many bars
    assert d["usermeta"]["embedOptions"] == {"renderer": "svg"}


def test_all_zero_has_a_readable_axis_and_says_so():
    d, enc, _ = layers(bar_chart_spec(BODIES, [0, 0, 0, 0]))
    assert enc["x"]["scale"]["domain"] == [0.0, 2]  # 0..1 (+ room for the label), whole ticks
    assert enc["x"]["axis"]["format"] == "d"
    assert [r["标注"] for r in list(d["datasets"].values())[0]] == ["0", "0", "0", "0"]
    assert empty_note(BODIES, [0, 0, 0, 0]) == "这4项都是 0。"


def test_blank_cells_keep_their_body_named():
    d, enc, _ = layers(bar_chart_spec(BODIES, [0, 0, 0, None]))
    rows = list(d["datasets"].values())[0]
    assert [r["名称"] for r in rows][-1] == "红谷滩区政府办"
    assert rows[-1]["标注"] == "空（未填写）"
    assert empty_note(BODIES, [0, 0, 0, None]) == "这3项都是 0。1项报告里留空（未填写），不画柱子。"


def test_nothing_to_draw():
    assert bar_chart_spec(BODIES, [None, None, None, None]) is None
    assert bar_chart_spec([], []) is None
    assert empty_note([], []) == "没有可画的数字（报告里这一格都是空的）。"


def test_years_keep_their_order_and_money_keeps_decimals():
    d, enc, _ = layers(bar_chart_spec(["2021年", "2022年", "2023年"], [1.5, 0.25, 3], unit="万元", by_value=False))
    assert enc["y"]["sort"] == ["2021年", "2022年", "2023年"]
    assert enc["x"]["axis"]["format"] == ",.2~f" and "tickMinStep" not in enc["x"]["axis"]
    assert [r["标注"] for r in list(d["datasets"].values())[0]] == ["1.5", "0.25", "3"]
    assert describe(["2021年", "2022年"], [1.5, 2], unit="万元", by_value=False) == "横向柱状图（万元）：2021年 1.5；2022年 2"


def test_same_name_twice_is_two_bars():
    assert chart_rows(["甲局", "甲局"], [3, 5]) == [("甲局（2）", 5.0), ("甲局", 3.0)]


@fuzz(60)
@given(hst.lists(hst.tuples(hst.text("局办区街道委员会人民政府甲乙丙丁", min_size=1, max_size=30),
                            hst.one_of(hst.none(), hst.integers(0, 10**6))), min_size=1, max_size=40))
def test_every_label_is_drawn_and_counts_have_whole_ticks(pairs):
    labels, values = [p[0] for p in pairs], [p[1] for p in pairs]
    spec = bar_chart_spec(labels, values)
    if all(v is None for v in values):
        assert spec is None
        return
    d, enc, _ = layers(spec)
    rows = list(d["datasets"].values())[0]
    assert len(rows) == len(pairs) == len(set(enc["y"]["sort"]))
    assert enc["x"]["axis"]["format"] == "d"
    nums = [r["值"] for r in rows if r["标注"] != "空（未填写）"]
    assert nums == sorted(nums, reverse=True)
    assert enc["x"]["scale"]["domain"][1] > max(nums)  # the longest bar and its value fit
