"""The catalog of bodies (qa_app/engine/catalog.py): one body whose reports name it with and
without its city, and short forms answered from a per-catalog index at the scale of 10,000
reports with the same results as checking every name.

The split body is tested on a small corpus written here (seed 001 adapted as 「仁门县商务局」
2022 and 「宁川市仁门县商务局」 2023, numbers written out below) indexed by the real command.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from ask_corpus import SEEDS, _prose, build_index, tables_text
from qa_app import ask
from qa_app.engine.catalog import BODY_SUFFIXES, GENERIC_BODIES, Catalog, _mentions, is_subsequence
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

PROACTIVE = {"regulations": [0, 0, 0], "normative_documents": [1, 0, 6], "licensing": 40, "punishment": 2,
             "coercion": 0, "fees": 0}
# 2022 (the report says 「仁门县商务局」): 9 new (自然人7, 商业企业2), 予以公开7, 本机关不掌握2
RM_2022 = {0: [7, 2, 0, 0, 0, 0, 9], 2: [5, 2, 0, 0, 0, 0, 7], 12: [2, 0, 0, 0, 0, 0, 2], 23: [7, 2, 0, 0, 0, 0, 9]}
# 2023 (the report says 「宁川市仁门县商务局」): 11 new (all 自然人), 予以公开8, 部分公开3
RM_2023 = {0: [11, 0, 0, 0, 0, 0, 11], 2: [8, 0, 0, 0, 0, 0, 8], 3: [3, 0, 0, 0, 0, 0, 3],
           23: [11, 0, 0, 0, 0, 0, 11]}


def renmen(name: str, year: int, apps: dict) -> str:
    head, tail = _prose("001_924043a2ff6d2acf.txt")
    head = head.replace("红旗区城乡建设局", name).replace("区城建局", "县商务局").replace("2023", str(year))
    return head + tables_text(PROACTIVE, apps, [0] * 15) + "\n" + tail.replace("2023", str(year))


@pytest.fixture(scope="module")
def split_settings(tmp_path_factory):
    files = tmp_path_factory.mktemp("split")
    (files / "rm_2022.txt").write_text(renmen("仁门县商务局", 2022, RM_2022), encoding="utf-8")
    (files / "rm_2023.txt").write_text(renmen("宁川市仁门县商务局", 2023, RM_2023), encoding="utf-8")
    for f in sorted(SEEDS.glob("*.txt")):
        (files / f.name).write_bytes(f.read_bytes())
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("split_index")))


@pytest.mark.parametrize("q, kind, value, source, says", [
    ("仁门县商务局2023年收到多少申请", "table", 11, "rm_2023.txt", ["2023年", "11件"]),
    ("宁川市仁门县商务局2022年收到多少申请", "table", 9, "rm_2022.txt", ["2022年", "9件", "自然人7件、商业企业2件"]),
    ("仁门县商务局收到的申请比上年增加了多少", "aggregate", 2, "rm_2022.txt", ["2022年9件", "2023年11件", "增加2件"]),
    ("宁川市仁门县商务局每年收到多少申请", "aggregate", None, "rm_2023.txt", ["2022年9件", "2023年11件"]),
    ("仁门县商务局收到多少申请", "table", 11, "rm_2023.txt", ["按最新的2023年报告回答", "还有2022年的报告"]),
    ("2022年哪个单位收到的申请最多", "aggregate", 9, "rm_2022.txt", ["宁川市仁门县商务局", "9件"]),
])
def test_a_body_named_with_and_without_its_city_is_one_body(split_settings, q, kind, value, source, says):
    a = ask(q, settings=split_settings)
    where = f"{q} -> {a.answer}"
    assert a.kind == kind and a.value == value, where
    assert source in {c.report for c in a.citations}, where
    for s in says:
        assert s in a.answer, where
    assert "库中没有" not in a.answer, where


def test_a_filter_on_the_longer_name_keeps_the_reports_under_the_shorter(split_settings):
    a = ask("每年收到多少申请", settings=split_settings, filters={"agency": "宁川市仁门县商务局"})
    assert a.kind == "aggregate", a.answer
    assert "2022年9件" in a.answer and "2023年11件" in a.answer, a.answer
    assert {c.report for c in a.citations} == {"rm_2022.txt", "rm_2023.txt"}


def rec(i, agency, year, region, aliases=()):
    return SimpleNamespace(id=i, agency=agency, aliases=list(aliases) or [agency], region=region, year=year,
                           file_name=f"r{i}.txt", checks_failed=0)


def test_merge_rules_on_a_small_catalog():
    # merged: the shorter name is the longer one without 「宁川市」
    cat = Catalog([rec(1, "仁门县商务局", 2022, "仁门县"), rec(2, "宁川市仁门县商务局", 2023, "宁川市仁门县"),
                   rec(3, "仁门县教育局", 2023, "仁门县")])
    assert sorted(cat.bodies) == ["仁门县教育局", "宁川市仁门县商务局"]
    b = cat.bodies["宁川市仁门县商务局"]
    assert b.reports == {2022: 1, 2023: 2} and "仁门县商务局" in b.names and b.region == "宁川市仁门县"
    assert cat.body_of(1) is b and cat.body_of(2) is b
    assert cat.match("仁门县商务局2022年收到多少申请").bodies == [b]
    # two cities have a 仁门县商务局: the short name could mean either, so nothing is merged
    cat = Catalog([rec(1, "仁门县商务局", 2022, "仁门县"), rec(2, "宁川市仁门县商务局", 2023, "宁川市仁门县"),
                   rec(3, "宁海市仁门县商务局", 2023, "宁海市仁门县")])
    assert sorted(cat.bodies) == ["仁门县商务局", "宁川市仁门县商务局", "宁海市仁门县商务局"]
    # another body uses the short name as an alias: not merged
    cat = Catalog([rec(1, "仁门县商务局", 2022, "仁门县"), rec(2, "宁川市仁门县商务局", 2023, "宁川市仁门县"),
                   rec(3, "仁门县商务和投资促进局", 2023, "仁门县", ["仁门县商务和投资促进局", "仁门县商务局"])])
    assert len(cat.bodies) == 3
    # a prefix that is not a chain of regions (「中共」), or a short name without its own region: not merged
    cat = Catalog([rec(1, "商务局", 2022, ""), rec(2, "宁川市商务局", 2023, "宁川市"),
                   rec(3, "仁门县委办公室", 2022, "仁门县"), rec(4, "中共仁门县委办公室", 2023, "仁门县")])
    assert len(cat.bodies) == 4
    # a province and a city before the county
    cat = Catalog([rec(1, "仁门县商务局", 2021, "仁门县"), rec(2, "江南省宁川市仁门县商务局", 2023, "江南省宁川市仁门县")])
    assert list(cat.bodies) == ["江南省宁川市仁门县商务局"]


# -- short forms ----------------------------------------------------------------------------------

def test_short_forms_on_the_seed_names():
    cat = Catalog([rec(1, "红旗区人民政府办公室", 2023, "红旗区", ["红旗区人民政府办公室", "区政府办"]),
                   rec(2, "红旗区城乡建设局", 2023, "红旗区", ["红旗区城乡建设局", "区城建局"]),
                   rec(3, "红谷滩区政府办", 2023, "红谷滩区", ["红谷滩区政府办", "区政府办"]),
                   rec(4, "红旗区文化街街道办事处", 2023, "新乡市红旗区")])
    names = lambda m: [b.agency for b in cat._by_short_form(m)]  # noqa: E731
    assert names("红旗区政府办") == ["红旗区人民政府办公室"]
    assert names("红旗区城建局") == ["红旗区城乡建设局"]
    assert names("文化街街道") == ["红旗区文化街街道办事处"]
    assert names("区政府办") == []           # generic: only through a region
    assert names("海淀区教育局") == []
    assert names("红旗区政府办") == ["红旗区人民政府办公室"]  # the second call is answered from the cache


def _brute_force(cat: Catalog, mention: str) -> list:
    """The rule of _by_short_form checked against every name of every body (the reference)."""
    suffix = next((s for s in BODY_SUFFIXES if mention.endswith(s)), "")
    if len(mention) - len(suffix) < 1 or (mention[1:] if mention[0] in "区市县" else mention) in GENERIC_BODIES:
        return []
    out = [b for b in cat.bodies.values()
           if any(is_subsequence(mention, n) and (mention[0] == n[0] or mention[0] in "区市县"
                                                  or (len(mention) >= 3 and mention in n)
                                                  or (b.region_short and mention.startswith(b.region_short)))
                  for n in b.names)]
    strict = [b for b in out if b.region_short and mention.startswith(b.region_short)]
    return strict or out


def test_short_forms_at_10000_reports_are_fast_and_unchanged():
    sys.path.insert(0, str(ROOT))
    from bench.gen_corpus import make_reports
    recs = []
    for i, r in enumerate(make_reports(10000), 1):
        b = r.body
        name = (b.city + b.name) if r.city_in_text else b.name
        aliases = [name] + [x for x in (b.short_name, "区" + b.unit if b.kind == "dept" else None) if x]
        recs.append(rec(i, name, r.year, b.city + b.district, aliases))
    cat = Catalog(recs)
    assert len(cat.bodies) > 3000
    rng = random.Random(5)
    mentions = set()
    for r in rng.sample(recs, 60):
        o = rng.choice(recs)
        for m, _, _ in _mentions(r.agency + "2023年收到多少申请和" + o.aliases[-1]):
            mentions.add(m)
    mentions = sorted(mentions)[:400]
    t0 = time.perf_counter()
    got = {m: cat._by_short_form(m) for m in mentions}
    per_call_ms = (time.perf_counter() - t0) / len(mentions) * 1000
    assert per_call_ms < 2.0, per_call_ms  # checking every name took ~8-26 ms a call here
    for m in mentions[::3]:
        assert got[m] == _brute_force(cat, m), m
    assert any(got.values())
