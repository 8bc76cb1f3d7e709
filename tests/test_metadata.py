"""Who wrote a report and for which year (qa_app.metadata): body, year, region, aliases.

What it covers: the five seeds (title on one or two lines, no title at all in seed 004, the city
named only in the prose of seed 003, the short name 区城建局 in seed 001), the place prefix of a
body's name, aliases that must not name another body (「市政府」 is not the district government),
and the real PDFs' body/year/region against ../shared/realworld/truth. What it does not cover:
tables (test_tables.py). Every expected value is written out.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa_app.metadata import find_aliases, find_region, place_prefix, read_meta
from qa_app.report import normalise_text

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# ../shared beside the checkout (CI), else the machine's shared folder (a worktree elsewhere)
REALWORLD = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "realworld", Path("/work/shared/realworld"))
                  if p.is_dir()), Path(__file__).resolve().parents[2] / "shared" / "realworld")


def meta_of(name: str):
    return read_meta(normalise_text((SEEDS / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("name, agency, year, region, title_line", [
    # title wrapped over two lines: 「红旗区人民政府办公室2023年政府信息公开工作年」/「度报告」
    ("000_aa0ecb1c4df3c9c5.txt", "红旗区人民政府办公室", 2023, "红旗区", 2),
    ("001_924043a2ff6d2acf.txt", "红旗区城乡建设局", 2023, "红旗区", 3),
    ("002_050334ec39756ada.txt", "红旗区信访局", 2022, "红旗区", 3),
    # the title says 红旗区; the prose says 「新乡市红旗区文化街街道」
    ("003_537c1939cbe3baea.txt", "红旗区文化街街道办事处", 2023, "新乡市红旗区", 3),
    # no title: 「现将红谷滩区政府办2023年政府信息公开工作年度报告向社会公布」
    ("004_a940ca4a84d42417.txt", "红谷滩区政府办", 2023, "红谷滩区", 1),
])
def test_seed_body_year_region(name, agency, year, region, title_line):
    m = meta_of(name)
    assert (m.agency, m.year, m.region, m.title_line) == (agency, year, region, title_line)


def test_seed_aliases():
    assert "区城建局" in meta_of("001_924043a2ff6d2acf.txt").aliases  # 「2023 年，区城建局认真贯彻落实」
    assert "区信访局" not in meta_of("001_924043a2ff6d2acf.txt").aliases
    assert {"区政府办", "区政府办公室"} <= set(meta_of("004_a940ca4a84d42417.txt").aliases)
    assert "红旗区政府办公室" in meta_of("000_aa0ecb1c4df3c9c5.txt").aliases  # line 250
    for name in sorted(p.name for p in SEEDS.glob("*.txt")):
        m = meta_of(name)
        assert m.agency not in m.aliases
        assert all(not a.startswith("市") for a in m.aliases), (name, m.aliases)  # all are district bodies


def test_place_prefix():
    assert place_prefix("淮安市洪泽区人民政府") == "淮安市洪泽区"
    assert place_prefix("红旗区城市管理局") == "红旗区"  # 城市 is not a city
    assert place_prefix("延津县市场监督管理局") == "延津县"  # 市场 is not a city
    assert place_prefix("杭州市西湖区教育局") == "杭州市西湖区"
    assert place_prefix("江苏省人民政府") == "江苏省"
    assert place_prefix("内蒙古自治区鄂尔多斯市鄂托克旗人民政府") == "内蒙古自治区鄂尔多斯市鄂托克旗"
    assert place_prefix("区政府办") == ""


def test_region_takes_only_a_place_written_before_the_body():
    assert find_region("红旗区城市管理局", "全市红旗区城市管理局坚持") == "红旗区"  # 「全市」 is no city
    assert find_region("洪泽区人民政府", "江苏省淮安市洪泽区人民政府") == "江苏省淮安市洪泽区"
    assert find_region("洪泽区人民政府", "本报告由洪泽区人民政府办公室编制") == "洪泽区"
    assert find_region("区政府办", "区政府办") is None


def test_aliases_never_name_the_level_above():
    text = "淮安市洪泽区人民政府坚持……全面贯彻落实省委省政府、淮安市委市政府的部署，围绕区委、区政府中心工作"
    aliases = find_aliases("淮安市洪泽区人民政府", text)
    assert "区政府" in aliases
    assert "市政府" not in aliases and not any(a.startswith("市") for a in aliases)
    assert "市政府" in find_aliases("淮安市人民政府", "淮安市人民政府……市政府常务会议")


# ---------------------------------------------------------------------------------------
# Real reports

def _cases():
    if not (REALWORLD / "truth").is_dir():
        return []
    out = []
    for t in sorted((REALWORLD / "truth").glob("*.json")):
        truth = json.loads(t.read_text(encoding="utf-8"))
        for f in truth["files"]:
            out.append((f, truth))
    return out


@pytest.mark.parametrize("file_name, truth", _cases() or [pytest.param(None, None, marks=pytest.mark.skip(
    reason=f"没有真实报告目录 {REALWORLD / 'truth'}，跳过"))])
def test_realworld_body_year_region(file_name, truth):
    """Every real report (PDF, markdown, HTML) read by the product's own loader: body, year, and the
    gazetteer's region matching the truth's (江苏省淮安市洪泽区; 上海市; 江苏省宿迁市沭阳县)."""
    from qa_app.loaders import load
    if file_name.endswith(".pdf") and shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext（apt 包 poppler-utils），跳过")
    m = read_meta(normalise_text(load(REALWORLD / file_name).text))
    assert (m.agency, m.year) == (truth["agency"], truth["year"])
    assert "".join(x for x in (m.province, m.prefecture, m.county) if x) == truth["region"]
    assert m.region == place_prefix(truth["agency"])  # the place the text writes
    assert not any(a.startswith("市") for a in m.aliases) or m.region in ("淮安市", "上海市")


def test_realworld_short_form_and_variant_kept_as_aliases():
    from qa_app.loaders import load
    if not REALWORLD.is_dir():
        pytest.skip("没有真实报告目录")
    kewei = read_meta(normalise_text(load(REALWORLD / "shanghai_kewei_2024.md").text))
    assert {"上海市科委", "市科委"} <= set(kewei.aliases)  # the title says 上海市科委, the prose 市科委
    shuyang = read_meta(normalise_text(load(REALWORLD / "suqian_shuyang_2025.md").text))
    assert "沐阳县人民政府" in shuyang.aliases  # the report's own spelling throughout
    assert (shuyang.region_code, shuyang.prefecture) == ("321322", "宿迁市")


# ---------------------------------------------------------------------------------------
# Forms of template.md 「Who and when」, one example each (the fuzzer, test_meta_fuzz.py, draws many)

SECTIONS = "\n一、总体情况\n（一）主动公开。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"


def test_no_title_body_from_self_reference_short_form_and_the_regulations_province():
    text = ("根据《中华人民共和国政府信息公开条例》和《河北省实施〈中华人民共和国政府信息公开条例〉办法》，"
            "本报告所列数据统计期限从2022年1月1日起至2022年12月31日止。\n我厅坚持以人民为中心。省教育厅门户网站发布信息。"
            "我厅按时办结申请。" + SECTIONS)
    m = read_meta(text)
    assert (m.agency, m.year, m.province, m.region_code) == ("河北省教育厅", 2022, "河北省", "130000")
    assert (m.agency_source, m.year_source) == ("prose", "period")


def test_no_title_body_from_attachment_line_and_signature():
    att = read_meta("附件：河北省教育厅2022年政府信息公开工作年度报告" + SECTIONS)
    assert (att.agency, att.year, att.agency_source) == ("河北省教育厅", 2022, "attachment")
    sig = read_meta("本报告所列数据统计期限从2023年1月1日至2023年12月31日。" + SECTIONS + "\n河北省教育厅\n2024年1月26日\n")
    assert (sig.agency, sig.year, sig.agency_source) == ("河北省教育厅", 2023, "signature")


def test_a_name_never_carries_table_words_or_verbs():
    m = read_meta("名称沭阳县发展和改革局2024年政府信息公开工作年度报告" + SECTIONS)
    assert (m.agency, m.year, m.county) == ("沭阳县发展和改革局", 2024, "沭阳县")
    # 「我厅编写了2024年度…」: no body in it; the year still read
    v = read_meta("我厅编写了2024年度政府信息公开工作年度报告" + SECTIONS)
    assert (v.agency, v.year) == (None, 2024)
    assert v.flagged


def test_html_page_title_with_site_name_and_a_publication_date_of_the_next_year():
    m = read_meta("淮安市洪泽区人民政府2023年政府信息公开工作年度报告_政府信息公开年报_淮安市洪泽区人民政府门户网站\n"
                  "发布日期：2024-01-31\n" + SECTIONS)
    assert (m.agency, m.year, m.county) == ("淮安市洪泽区人民政府", 2023, "洪泽区")


def test_titles_split_with_spaces_year_first_and_2019_nian_du():
    m = read_meta("2019 年度上海市人民政府\n办公厅政府信息公开\n工作 年度报告\n" + SECTIONS)
    assert (m.agency, m.year, m.title_line) == ("上海市人民政府办公厅", 2019, 1)


def test_short_form_expanded_from_the_place_of_the_regulations_cited():
    m = read_meta("市科委2024年政府信息公开工作年度报告\n根据《上海市政府信息公开规定》，上海市有关部署……" + SECTIONS)
    assert (m.agency, m.province) == ("上海市科学技术委员会", "上海市")
    assert {"市科委", "上海市科委"} <= set(m.aliases)


def test_attachment_line_after_a_header():
    m = read_meta("关于印发有关报告的通知\n各处室：现印发。\n附件：河北省教育厅2022年政府信息公开工作年度报告" + SECTIONS)
    assert (m.agency, m.year, m.agency_source) == ("河北省教育厅", 2022, "attachment")
