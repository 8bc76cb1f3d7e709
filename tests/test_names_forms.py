"""The standard short forms of body names (qa_app/body_names.json, read by qa_app/engine/names.py):
the file is validated when loaded; every form of every kind finds a body named by any other form
of its kind, in both directions; kinds that are different bodies are never merged (the government
and its office, a bureau and a province's department, 淮安市 and the real 淮安区).

Small catalogs written here (no index): the matching is pure on the catalog's names.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from qa_app.engine import names
from qa_app.engine.catalog import Catalog
from qa_app.engine.names import NamesError, canonical_name, forms, validate_forms


def rec(i, agency, region, aliases=(), year=2023):
    return SimpleNamespace(id=i, agency=agency, aliases=list(aliases) or [agency], region=region, year=year,
                           file_name=f"r{i}.txt", checks_failed=0)


def bodies(cat: Catalog, q: str) -> list[str]:
    return [b.agency for b in cat.match(q).bodies]


def ambiguous(cat: Catalog, q: str) -> list[list[str]]:
    return [sorted(b.agency for b in m.bodies) for m in cat.match(q).ambiguous]


# -- the file ------------------------------------------------------------------------------------

def test_the_shipped_file_loads_and_covers_the_common_bodies():
    f = forms()
    kinds = {k.canonical for k in f.kinds}
    for k in ("人民政府办公室", "人民政府", "街道办事处", "发展和改革委员会", "市场监督管理局", "人力资源和社会保障局",
              "住房和城乡建设局", "城乡建设局", "科学技术委员会", "自然资源和规划局", "生态环境局", "教育局", "教育厅",
              "公安局", "财政局", "卫生健康委员会", "交通运输局", "农业农村局", "文化广电和旅游局"):
        assert k in kinds, k
    assert f.by_form["府办"] == {"人民政府办公室", "人民政府办公厅"}  # the catalog decides between them
    assert f.by_form["市监局"] == {"市场监督管理局"}
    assert f.split("红旗区文化街街道") == ("红旗区文化街", "街道", frozenset({"街道办事处"}))
    assert f.split("红旗区商务局") == ("红旗区商务局", "", frozenset())  # a kind not listed: its own name


def _data(*kinds, levels="省市区县"):
    return {"levels": levels, "kinds": list(kinds)}


@pytest.mark.parametrize("data, says", [
    ({"kinds": "x"}, "expected"),
    (_data({"canonical": "市场监督管理局", "forms": ["市场监管局", "market"]}), "not 2-16 Chinese"),
    (_data({"canonical": "市场监督管理局", "forms": ["市监局", "市监局"]}), "written twice"),
    (_data({"canonical": "教育局"}, {"canonical": "教育局", "forms": ["教局"]}), "kind is written twice"),
    (_data({"canonical": "生态环境局", "forms": ["环保局"]}, {"canonical": "环保局"}), "another kind's canonical"),
    (_data({"canonical": "人民政府办公室", "forms": ["府办", "区府办"]}), "write 府办 only"),
    (_data({"canonical": "教育局", "short": ["教局"]}), "a record has"),
    (_data({"canonical": "人民政府", "stands_for": ["人民政府办公室"]}), "no kind of the file"),
    (_data({"canonical": "人民政府", "generic": "yes"}), "generic is true or false"),
    (_data({"canonical": "教育局"}, levels="district"), "levels"),
])
def test_a_bad_record_is_refused_with_its_reason(data, says):
    with pytest.raises(NamesError, match=says):
        validate_forms(data)


def test_a_good_small_file_validates():
    f = validate_forms(_data({"canonical": "人民政府", "forms": ["政府"], "generic": True,
                              "stands_for": ["人民政府办公室"]},
                             {"canonical": "人民政府办公室", "forms": ["政府办", "府办"], "generic": True}))
    assert f.stands_for("人民政府") == ("人民政府办公室",) and f.generic("人民政府办公室")
    assert f.split("区府办") == ("区", "府办", frozenset({"人民政府办公室"}))


def test_the_shipped_file_is_the_one_read():
    raw = json.loads(names.FORMS_PATH.read_text(encoding="utf-8"))
    assert len(raw["kinds"]) == len(forms().kinds)


# -- every form, both directions -----------------------------------------------------------------

CORE = {"街道办事处": "城关"}  # a kind that names a body only with a word of its own before it


def _pairs():
    out = []
    for k in forms().kinds:
        for f in k.forms[1:]:
            out.append(pytest.param(k.canonical, f, id=f"{k.canonical}~{f}"))
    return out


@pytest.mark.parametrize("canonical, form", _pairs())
def test_each_form_finds_the_body_named_by_its_canonical_form_and_back(canonical, form):
    core = CORE.get(canonical, "")
    # the report prints the canonical form, the question writes the short one (with and without the 县)
    cat = Catalog([rec(1, f"仁门县{core}{canonical}", "宁川市仁门县"), rec(2, "仁门县信访局", "宁川市仁门县")])
    assert bodies(cat, f"仁门县{core}{form}2023年收到多少申请") == [f"仁门县{core}{canonical}"]
    assert bodies(cat, f"仁门{core}{form}2023年收到多少申请") == [f"仁门县{core}{canonical}"]
    # the report prints the short form, the question writes the canonical one
    cat = Catalog([rec(1, f"仁门县{core}{form}", "宁川市仁门县"), rec(2, "仁门县信访局", "宁川市仁门县")])
    assert bodies(cat, f"仁门县{core}{canonical}2023年收到多少申请") == [f"仁门县{core}{form}"]


def test_canonical_names_agree_both_ways():
    _, office = canonical_name("红旗区人民政府办公室", "新乡市红旗区")
    for written in ("红旗区府办", "红旗政府办", "红旗区政府办公室", "红旗区人民政府办"):
        places, keys = canonical_name(written, "新乡市红旗区")
        assert places[-1][0] == "红旗" and keys & office, written
    _, gov = canonical_name("红旗区人民政府", "新乡市红旗区")
    assert not gov & office  # the government is not its office


# -- the seed names -----------------------------------------------------------------------------

SEEDS = [rec(1, "红旗区人民政府办公室", "河南省新乡市红旗区", ["红旗区人民政府办公室", "区政府办"]),
         rec(2, "红旗区城乡建设局", "河南省新乡市红旗区", ["红旗区城乡建设局", "区城建局"]),
         rec(3, "红谷滩区政府办", "江西省南昌市红谷滩区", ["红谷滩区政府办", "区政府办"]),
         rec(4, "红旗区文化街街道办事处", "河南省新乡市红旗区"),
         rec(5, "红旗区市场监督管理局", "河南省新乡市红旗区", ["区市场监管局"]),
         rec(6, "红旗区信访局", "河南省新乡市红旗区")]


@pytest.mark.parametrize("q, expected", [
    ("红谷滩区人民政府办公室2023年收到多少申请", "红谷滩区政府办"),
    ("红谷滩政府办公室2023年新收申请几件", "红谷滩区政府办"),
    ("红谷滩的区府办新收了多少申请", "红谷滩区政府办"),
    ("红旗区府办2023年收到多少申请", "红旗区人民政府办公室"),
    ("红旗政府办2023年无法提供几件", "红旗区人民政府办公室"),
    ("市监局23年罚了多少", "红旗区市场监督管理局"),
    ("红旗城建局2023年行政许可多少", "红旗区城乡建设局"),
    ("红旗文化街街道收到多少申请", "红旗区文化街街道办事处"),
    ("红旗信访局2023年收到多少申请", "红旗区信访局"),
])
def test_standard_forms_of_the_seed_names(q, expected):
    assert bodies(Catalog(SEEDS), q) == [expected]


def test_a_form_fitting_several_bodies_is_left_to_ask_which():
    cat = Catalog(SEEDS + [rec(7, "红谷滩区市场监督管理局", "江西省南昌市红谷滩区")])
    assert ambiguous(cat, "市监局2023年收到多少申请") == [["红旗区市场监督管理局", "红谷滩区市场监督管理局"]]
    assert bodies(cat, "红谷滩市监局2023年收到多少申请") == ["红谷滩区市场监督管理局"]


@pytest.mark.parametrize("q, unknown", [
    ("红旗区住建局2023年行政许可多少", "红旗区住建局"),      # 住建局 is not 城建局
    ("红谷滩区市监局2023年行政处罚多少", "红谷滩区市监局"),  # 红谷滩 has no such bureau: not 红旗区's
    ("红旗区教育局2023年收到多少申请", "红旗区教育局"),
])
def test_a_kind_the_place_has_no_report_of_is_unknown(q, unknown):
    m = Catalog(SEEDS).match(q)
    assert m.bodies == [] and unknown in m.unknown


def test_a_place_the_index_does_not_hold_is_not_read_as_a_bare_level():
    m = Catalog(SEEDS).match("海淀区府办2023年收到多少申请")
    assert m.bodies == [] and m.unknown


# -- no false merge ------------------------------------------------------------------------------

def test_the_government_and_its_office_stay_apart_when_both_report():
    cat = Catalog([rec(1, "红旗区人民政府", "新乡市红旗区"), rec(2, "红旗区人民政府办公室", "新乡市红旗区")])
    assert bodies(cat, "红旗区人民政府2023年收到多少申请") == ["红旗区人民政府"]
    assert bodies(cat, "红旗区政府2023年收到多少申请") == ["红旗区人民政府"]
    assert bodies(cat, "红旗区府办2023年收到多少申请") == ["红旗区人民政府办公室"]
    assert bodies(cat, "红旗政府办公室2023年收到多少申请") == ["红旗区人民政府办公室"]
    assert bodies(cat, "红旗区人民政府办公室2023年收到多少申请") == ["红旗区人民政府办公室"]


def test_the_office_is_never_taken_for_the_government():
    # only the government reports: its office asked is not in the library (the other way round,
    # 「区政府」 for the office, is how people write when only the office reports: stands_for)
    cat = Catalog([rec(1, "淮安市洪泽区人民政府", "江苏省淮安市洪泽区")])
    for q in ("洪泽区府办2024年收到多少申请", "洪泽区人民政府办公室2024年收到多少申请", "洪泽政府办公室2024年收到多少申请"):
        m = cat.match(q)
        assert m.bodies == [] and m.unknown, q
    cat = Catalog([rec(1, "红旗区人民政府办公室", "新乡市红旗区")])
    assert bodies(cat, "红旗区政府2023年收到多少申请") == ["红旗区人民政府办公室"]


def test_a_bureau_is_not_a_department_of_another_level():
    cat = Catalog([rec(1, "江南省教育厅", "江南省"), rec(2, "宁川市教育局", "江南省宁川市")])
    assert bodies(cat, "江南省教育厅2023年收到多少申请") == ["江南省教育厅"]
    assert bodies(cat, "宁川教育局2023年收到多少申请") == ["宁川市教育局"]
    m = cat.match("江南省教育局2023年收到多少申请")
    assert "江南省教育厅" not in [b.agency for b in m.bodies]
    m = cat.match("宁川市教育厅2023年收到多少申请")
    assert "宁川市教育局" not in [b.agency for b in m.bodies]


def test_a_city_is_not_the_real_district_of_the_same_name():
    cat = Catalog([rec(1, "淮安市人民政府", "江苏省淮安市"), rec(2, "淮安市洪泽区人民政府", "江苏省淮安市洪泽区")])
    m = cat.match("淮安区人民政府2024年收到多少申请")
    assert m.bodies == [] and "淮安区人民政府" in m.unknown
    fixed, fixes = names.correct("淮安区人民政府2024年收到多少申请", cat)
    assert fixes == []  # 淮安区 is a real district: not corrected to 淮安市
    assert bodies(cat, "淮安政府2024年收到多少申请") == ["淮安市人民政府"]
    assert bodies(cat, "淮安市洪泽区政府2024年收到多少申请") == ["淮安市洪泽区人民政府"]  # one body, not two


def test_an_old_name_the_report_uses_wins_over_the_new_kind():
    cat = Catalog([rec(1, "仁门县环保局", "宁川市仁门县", year=2018), rec(2, "仁门县生态环境局", "宁川市仁门县")])
    assert bodies(cat, "仁门县环保局2018年收到多少申请") == ["仁门县环保局"]
    assert bodies(cat, "仁门县生态环境局2023年收到多少申请") == ["仁门县生态环境局"]


# -- one wrong character in a standard form -------------------------------------------------------

def test_a_typo_in_a_standard_form_is_corrected_and_said():
    cat = Catalog(SEEDS)
    assert names.correct("红旗区市监居2023年行政处罚多少", cat)[1] == [("红旗区市监居", "红旗区市监局")]
    # a name matched as written is not corrected in part; nor a word that starts the next one
    assert names.correct("红谷滩政府办公室2023年收到多少", cat, keep=["红谷滩政府办公室"])[1] == []
    assert names.correct("红旗区各单位，其中信访局多少", cat)[1] == []
    assert names.correct("红旗住建局2023年行政许可多少", cat)[1] == []
    assert names.correct("红旗去年收到多少申请", cat)[1] == []


# -- filters (CLI --agency, API ?agency=, the chat's sidebar) --------------------------------------

def test_a_filter_names_a_body_in_another_standard_form():
    from qa_app.engine.scope import select_reports
    assert [r.id for r in select_reports(SEEDS, agency="红旗区府办")] == [1]
    assert [r.id for r in select_reports(SEEDS, agency="红谷滩区人民政府办公室")] == [3]
    assert [r.id for r in select_reports(SEEDS, agency="城建局")] == [2]   # a part of an alias, as before
    assert select_reports(SEEDS, agency="区府办") == []                    # fits two bodies: none chosen
    assert select_reports(SEEDS, agency="红旗区住建局") == []


# -- fuzzed: many bodies, any standard way of writing one of them ---------------------------------

from hypothesis import given, strategies as st  # noqa: E402

from fuzzing import fuzz  # noqa: E402

PLACES = [("宁川", "市", "仁门", "县"), ("宁川", "市", "东坪", "区"), ("江澄", "市", "西岭", "区"), ("江澄", "市", "北湖", "县")]
SPECIFIC = [k for k in forms().kinds if not k.generic and len(k.forms) > 1]


def _fuzz_catalog():
    recs, i = [], 0
    for city, cl, county, lv in PLACES:
        for k in SPECIFIC[::3]:
            i += 1
            recs.append(rec(i, f"{county}{lv}{k.canonical}", f"{city}{cl}{county}{lv}"))
        i += 1
        recs.append(rec(i, f"{county}{lv}人民政府办公室", f"{city}{cl}{county}{lv}"))
    return Catalog(recs)


FUZZ_CAT = _fuzz_catalog()


@fuzz(150)
@given(place=st.sampled_from(PLACES), kind=st.sampled_from(SPECIFIC[::3] + [forms().kinds[0]]),
       form=st.integers(0, 10), level=st.booleans(), city=st.booleans(), de=st.booleans())
def test_any_standard_writing_of_a_held_body_finds_it_and_only_it(place, kind, form, level, city, de):
    city_name, cl, county, lv = place
    written = kind.forms[form % len(kind.forms)]
    where = (city_name + cl if city else "") + county + (lv if level else "") + ("的" if de and not city else "")
    q = f"{where}{written}2023年收到多少申请"
    m = FUZZ_CAT.match(q)
    want = f"{county}{lv}{kind.canonical}"
    assert [b.agency for b in m.bodies] == [want], (q, [b.agency for b in m.bodies], m.unknown)


@fuzz(80)
@given(place=st.sampled_from(PLACES), kind=st.sampled_from(SPECIFIC[1::3]), form=st.integers(0, 10))
def test_a_kind_the_place_has_no_report_of_never_finds_another_body(place, kind, form):
    _, _, county, lv = place
    written = kind.forms[form % len(kind.forms)]
    if any(written in f for k in SPECIFIC[::3] for f in k.forms):
        return  # a form shared with a kind held (城管局) may mean that one
    m = FUZZ_CAT.match(f"{county}{lv}{written}2023年收到多少申请")
    assert m.bodies == [] and m.unknown, (written, [b.agency for b in m.bodies])


@fuzz(60)
@given(kind=st.sampled_from(SPECIFIC[::3]), form=st.integers(0, 10), level=st.booleans())
def test_a_form_every_place_has_asks_which_never_picks_one(kind, form, level):
    written = kind.forms[form % len(kind.forms)]
    if written[0] in "省市区县" and level:
        return  # 「市市监局」 is not how anyone writes
    m = FUZZ_CAT.match(("县" if level else "") + f"{written}2023年收到多少申请")
    assert m.bodies == [], (written, [b.agency for b in m.bodies])
    want = 2 if level else 4  # the 县 ones, or all four places
    assert m.ambiguous and len(m.ambiguous[0].bodies) == want, (written, m.ambiguous)


# -- one body, its reports naming it in two standard forms ----------------------------------------

def test_reports_naming_one_body_in_two_standard_forms_make_one_body():
    cat = Catalog([rec(1, "红谷滩区政府办", "南昌市红谷滩区", year=2023),
                   rec(2, "红谷滩区人民政府办公室", "南昌市红谷滩区", year=2022),
                   rec(3, "红旗区人民政府", "新乡市红旗区"), rec(4, "红旗区人民政府办公室", "新乡市红旗区"),
                   rec(5, "仁门县环保局", "宁川市仁门县", year=2018), rec(6, "仁门县生态环境局", "宁川市仁门县")])
    b = cat.bodies["红谷滩区政府办"]  # the name of its latest report
    assert b.reports == {2022: 2, 2023: 1} and "红谷滩区人民政府办公室" not in cat.bodies
    assert cat.body_of(2) is b
    assert bodies(cat, "红谷滩区人民政府办公室2022年收到多少申请") == ["红谷滩区政府办"]
    # the government and its office, an old name and the new one: each its own body
    assert {"红旗区人民政府", "红旗区人民政府办公室", "仁门县环保局", "仁门县生态环境局"} <= set(cat.bodies)


@pytest.fixture(scope="module")
def two_forms_settings(tmp_path_factory):
    """Seed 004 (红谷滩区政府办 2023) and its 2022 report printed under 红谷滩区人民政府办公室
    (tests/ask_corpus.py's 2022 numbers: 20 new), indexed by the real command."""
    from ask_corpus import SEEDS as SEED_DIR, build_index, honggutan_2022
    from qa_app.settings import Settings
    files = tmp_path_factory.mktemp("two_forms")
    (files / "004_a940ca4a84d42417.txt").write_bytes((SEED_DIR / "004_a940ca4a84d42417.txt").read_bytes())
    text = honggutan_2022().replace("红谷滩区政府办2022年", "红谷滩区人民政府办公室2022年", 1)
    (files / "hgt_2022_full_name.txt").write_text(text, encoding="utf-8")
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("two_forms_index")))


@pytest.mark.parametrize("q, value, says", [
    ("红谷滩区政府办2022年收到多少申请", 20, ["2022年", "20件"]),
    ("红谷滩区人民政府办公室2023年收到多少申请", 28, ["2023年", "28件"]),
    ("红谷滩区政府办收到的申请比上年增加了多少", 8, ["2022年20件", "2023年28件"]),
    ("红谷滩区府办收到多少申请", 28, ["按最新的2023年报告回答", "还有2022年的报告"]),
])
def test_one_body_under_two_standard_names_answers_across_its_years(two_forms_settings, q, value, says):
    from qa_app import ask
    a = ask(q, settings=two_forms_settings)
    assert a.value == value and all(s in a.answer for s in says), a.answer


def test_one_character_too_many_or_too_few_is_corrected_unless_it_changes_the_kind_or_the_place():
    cat = Catalog(SEEDS)
    assert names.correct_unknown("红旗区信访访局2023年收到多少申请", ["红旗区信访访局"], cat)[1] == \
        [("红旗区信访访局", "红旗区信访局")]
    cat = Catalog([rec(1, "淮安市人民政府", "江苏省淮安市"), rec(2, "淮安市洪泽区人民政府", "江苏省淮安市洪泽区")])
    for q, u in (("淮安区人民政府2024年收到多少申请", "淮安区人民政府"),   # a level is the place's own
                 ("淮安市政府办2024年收到多少申请", "淮安市政府办")):      # the office, not the government
        assert names.correct_unknown(q, [u], cat)[1] == [], u


def test_a_name_that_is_not_the_body_s_own_in_short_is_said_in_the_answer():
    from qa_app.engine.understand import understand
    cat = Catalog([rec(1, "仁门县生态环境局", "宁川市仁门县"), rec(2, "红谷滩区政府办", "南昌市红谷滩区")])
    q = understand("仁门县环保局2023年收到多少申请", cat)
    assert [b.agency for b in q.bodies] == ["仁门县生态环境局"]
    assert "「仁门县环保局」按「仁门县生态环境局」理解" in q.name_note
    # the body's own name in short, or in full: nothing to say
    assert understand("红谷滩区人民政府办公室2023年收到多少申请", cat).name_note == ""
    assert understand("红谷滩的区府办2023年收到多少申请", cat).name_note == ""


def test_two_places_of_one_name_under_different_cities_are_not_merged():
    cat = Catalog([rec(1, "北京市朝阳区人民政府", "北京市朝阳区"), rec(2, "长春市朝阳区政府", "吉林省长春市朝阳区", year=2022)])
    assert len(cat.bodies) == 2
    assert ambiguous(cat, "朝阳区政府收到多少申请") == [["北京市朝阳区人民政府", "长春市朝阳区政府"]]


@pytest.mark.parametrize("kind", [pytest.param(k, id=k.canonical) for k in forms().kinds])
def test_every_kind_names_its_own_body_and_no_other(kind):
    core = CORE.get(kind.canonical, "")
    cat = Catalog([rec(1, f"仁门县{core}{kind.canonical}", "宁川市仁门县"), rec(2, "仁门县商务局", "宁川市仁门县"),
                   rec(3, f"东坪区{core}{kind.canonical}", "宁川市东坪区")])
    for written in kind.forms:
        assert bodies(cat, f"仁门{core}{written}2023年收到多少申请") == [f"仁门县{core}{kind.canonical}"], written
    assert bodies(cat, "仁门县商务局2023年收到多少申请") == ["仁门县商务局"]
    m = cat.match(f"西岭县{core}{kind.canonical}2023年收到多少申请")  # a place not held: not 仁门县's nor 东坪区's
    assert m.bodies == [], kind.canonical
