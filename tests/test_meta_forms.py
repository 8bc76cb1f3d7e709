"""The ways real reports name their body and year, one synthetic opening per form.

Each form was seen in real reports from government sites (docs/metadata.md, 「Catalog」); the text
here is written for the test, with places of the gazetteer, and the expected body, year and
region are written out. A form the reader cannot settle (a department named by its level word
alone, no place anywhere) must come back as written and unplaced, never placed somewhere.
What it does not cover: the fuzzed combinations of these forms (test_meta_fuzz.py).
"""
from __future__ import annotations

import pytest

from qa_app.metadata import read_meta
from qa_app.report import normalise_text

INTRO = "根据《中华人民共和国政府信息公开条例》规定编制本报告。"
END = "\n一、总体情况\n（一）主动公开。全年主动公开政府信息一百余条。\n二、主动公开政府信息情况"

FORMS = [
    # the region alone on the line above the title
    ("宝安区\n深圳市宝安区统计局2023年政府信息公开工作年度报告\n" + INTRO,
     "深圳市宝安区统计局", 2023, ("广东省", "深圳市", "宝安区")),
    # the body's name on its own line, then the title repeating it
    ("宜兴市教育局\n宜兴市教育局2022年政府信息公开工作年度报告\n" + INTRO, "宜兴市教育局", 2022, ("江苏省", "无锡市", "宜兴市")),
    # no title: 「特编制…」, then 「我办」 and the period without the year's repeat
    ("根据《条例》要求，特编制江门市人民政府地方志办公室2023年政府信息公开工作年度报告，所列数据统计期限为2023年1月1日至12月31日。"
     "\n2023年，我办认真做好政府信息公开工作。", "江门市人民政府地方志办公室", 2023, ("广东省", "江门市", None)),
    # stray spaces around the year, the division alone naming its government
    ("盐城市 2024 年政府信息公开工作年度报告\n" + INTRO, "盐城市人民政府", 2024, ("江苏省", "盐城市", None)),
    # year first, the body's 政府 taken into the report's name
    ("2021年南通市政府信息公开工作年度报告\n" + INTRO, "南通市人民政府", 2021, ("江苏省", "南通市", None)),
    # a verb before the name in the opening sentence
    ("根据《条例》规定，现公开海曙区鼓楼街道办事处2022年政府信息公开工作年度报告。", "海曙区鼓楼街道办事处", 2022,
     ("浙江省", "宁波市", "海曙区")),
    # year-first sentence, 「…信息公开年度报告」 without 政府 after 人民政府
    ("根据《条例》要求，现通过门户网站向社会公布2021年度溧水区白马镇人民政府信息公开工作年度报告。",
     "溧水区白马镇人民政府", 2021, ("江苏省", "南京市", "溧水区")),
    # a township written alone in the title, its county in the contact sentence
    ("首页 > 乡镇信息公开 > 石门乡 > 政务信息公开年报\n石门乡2020年政府信息公开工作年度报告\n"
     "如对本报告有疑问，请与泰顺县石门乡党政办公室联系。", "泰顺县石门乡人民政府", 2020, ("浙江省", "温州市", "泰顺县")),
    # 「镇政府(机关)」 and the county in the contact sentence
    ("根据《条例》，特向社会公布2019年度双桥镇政府(机关)信息公开年度报告。如有疑问请与双桥镇政府信息公开领导小组办公室联系"
     "（地址：富顺县双桥镇）。", "富顺县双桥镇人民政府", 2019, ("四川省", "自贡市", "富顺县")),
    # 开发区管委会, 「信息公开工作年度报告」 without 政府
    ("曲江开发区管委会2023年信息公开工作年度报告\n" + INTRO, "曲江开发区管委会", 2023, (None, None, None)),
    # no title: the compiler sentence and 「截至…12月31日」
    ("本报告由鹰潭市财政局结合有关统计数据编制。报告所列数据截至2022年12月31日。", "鹰潭市财政局", 2022, ("江西省", "鹰潭市", None)),
    # no title: the contact sentence (its office dropped) and the period
    ("本年报所列数据的统计期限自2020年1月1日起至2020年12月31日止。如对本报告有疑问，请与安溪县卫生健康局办公室联系（地址：城厢镇）。",
     "安溪县卫生健康局", 2020, ("福建省", "泉州市", "安溪县")),
    # no title: the prose names the body in full twice, with 「我局」, and opens with the year twice
    ("一、总体情况\n2024年，宜都市民政局认真贯彻落实《条例》，我局主要负责同志多次研究部署。\n"
     "（一）主动公开。2024年，宜都市民政局全年主动公开政府信息86条。", "宜都市民政局", 2024, ("湖北省", "宜昌市", "宜都市")),
    # an autonomous prefecture written short (「X州」) in the contact line
    ("特向社会公布2021年度我局信息公开工作年度报告。本报告所列数据统计期限自2021年1月1日起至2021年12月31日止。"
     "如对本报告有任何疑问，请与延边州财政局办公室联系。", "延边州财政局", 2021, ("吉林省", "延边朝鲜族自治州", None)),
    # the body only in an index table's 发布机构 cell, the county in the prose
    ("索引号 | 11150800/2021-00123 | 效力属性 | |\n发布机构 | 胜利镇 | 文 号 | |\n统计期限自2020年1月1日起至2020年12月31日止。\n"
     "2020年，胜利镇严格落实上级要求。如有疑问请与乌拉特前旗胜利镇党政办公室联系。", "乌拉特前旗胜利镇人民政府", 2020,
     ("内蒙古自治区", "巴彦淖尔市", "乌拉特前旗")),
    # a page whose title and signature name the body, a publication date of the next year in between
    ("当前位置：首页 > 信息公开年报\n余杭区人力资源和社会保障局2023年度政府信息公开工作年度报告\n发布时间：2024-01-20 来源：杭州市余杭区人力资源和社会保障局\n"
     + INTRO, "杭州市余杭区人力资源和社会保障局", 2023, ("浙江省", "杭州市", "余杭区")),
]


@pytest.mark.parametrize("text, agency, year, region", FORMS)
def test_real_forms_of_body_and_year(text, agency, year, region):
    m = read_meta(normalise_text(text + END))
    assert (m.agency, m.year) == (agency, year)
    assert (m.province, m.prefecture, m.county) == region
    assert not m.flagged


@pytest.mark.parametrize("text, written", [
    ("根据《中华人民共和国政府信息公开条例》规定，现公布区统计局2023年政府信息公开工作年度报告。", "区统计局"),
    ("2023年政府信息公开工作年度报告\n本年度报告由县生态环境局编制。", "县生态环境局"),
    ("一、总体情况\n2024年，我局认真贯彻落实《条例》。县自然资源局门户网站全年发布信息120条，县自然资源局按时办结申请。",
     "县自然资源局"),
])
def test_a_body_named_by_its_level_word_alone_is_kept_as_written_and_unplaced(text, written):
    m = read_meta(normalise_text(text + END))
    assert m.agency == written
    assert (m.region, m.province, m.prefecture, m.county, m.region_code) == (None, None, None, None, None)
    assert m.unplaced and m.flagged


def test_a_report_that_names_neither_its_body_nor_a_contact_is_not_guessed():
    """「我镇」 and 「我局」 alone, no name anywhere: nothing is made up."""
    m = read_meta(normalise_text("依据《条例》编制本报告。\n一、总体情况\n2021年，我镇高度重视政府信息公开工作。" + END))
    assert m.agency is None and m.flagged
