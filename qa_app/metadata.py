"""Who wrote a report and for which year: body (机关), year, region and the aliases it uses.

Pure functions over the report's text (and the gazetteer of China's divisions, gazetteer.py).
The body and year are read from, in this order: the title at the top (body first or year
first, wrapped over lines, with stray spaces, 「2019年度」, an HTML page title with the site's
name after it); a sentence 「现将…2023年政府信息公开工作年度报告向社会公布」 or an 「附件：…年度报告」
line; the signature at the end (the body on its own line next to a date); 「由…编制」; the prose
(「我局」 with the full name the year's account opens with, or 「我厅」 with the short form 「省教育厅」
and the province of the regulations cited); the contact line 「请与…办公室联系」 (its office dropped). A
year with no title comes from 「统计期限从2022年1月1日…」 or 「截至2022年12月31日」, else from the year
the account's sentences open with. Publication dates (发布日期 2020-01-31) are never the year. A
line above the title that repeats a place or name of the title (「翔安区 / 厦门市翔安区统计局…」) is a
header; a division alone before the report's name is its government (「宿迁市 2025 年…」); a township or
street written by its place gets its standard name (周湾镇 → 周湾镇人民政府) and the county the text writes.

Every candidate body name is checked as a name: a place (a division of the gazetteer, or a
level word for a short form such as 市科委) and an institution suffix (人民政府, 办公室, 局, 委员会,
厅, 街道办事处 …), with no table word (名称, 单位) and no verb or function word (编写了, 现将). A
place the gazetteer does not know is corrected when one character is off and the report's
context or the character's look settles which division it is (沐阳县 → 沭阳县, 沐阳 kept as an
alias). A short form is expanded: its place from the text or the division the report names
most (市科委 in a report citing 《上海市…》 → 上海市科委), its core from the full name the text
gives or the standard name of the department (科委 → 科学技术委员会); the short forms stay
aliases. The region is the place prefix the text writes (新乡市红旗区) and, from the gazetteer,
the province, prefecture, county and 6-digit code.

It does not look anything up outside the text and the gazetteer; a body or year it cannot find
is None, and a body whose place the text does not say (区统计局 with no place anywhere) stays as
written with no region (Meta.unplaced): the report is then flagged, and a person sets it (override()).
It reads no traditional characters (無極縣).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from . import gazetteer
from .tables import fold

_SUFFIXES = ("人民政府办公室", "政府办公室", "办公室", "政府办", "人民政府", "政府", "街道办事处", "办事处", "街道",
             "局", "委员会", "委", "办", "中心", "院", "厅", "署", "镇", "乡", "所", "队")
# A place name: Chinese characters other than level words and words that end a phrase
# (「全市」「我区」「在淮安市」 are not place names). Greedy, so that 「红旗区」 is not 「红旗」 + 旗.
_NAME = r"[^\W\d_省市区县全各我该在和与及的于对为是由将从经向]"
# The administrative prefix of a body's name: province, prefecture, county levels, each optional,
# in that order. 州 ends a prefecture only when 市 does not follow (杭州市, not 杭州 + 市).
_PLACE_RE = re.compile(r"^(?:" + _NAME + r"{2,8}(?:省|自治区))?"
                       r"(?:" + _NAME + r"{1,8}(?:市|州(?!市)|盟|地区))?"
                       r"(?:" + _NAME + r"{1,8}(?:区|县|旗|市))?")
_LEVELS = "省市州盟区县旗"



@dataclass
class Meta:
    agency: str | None
    year: int | None
    region: str | None
    aliases: list[str] = field(default_factory=list)
    title_line: int | None = None
    # from the gazetteer (None when the body names no place it knows, or one it cannot settle)
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    region_code: str | None = None
    # where the body and year were read: title / sentence / attachment / signature / prose /
    # period / manual; None when not found
    agency_source: str | None = None
    year_source: str | None = None

    @property
    def unplaced(self) -> bool:
        """The body is named without a place the text settles (区统计局, 中村乡人民政府 alone)."""
        return unplaced(self.agency, self.region, self.province)

    @property
    def flagged(self) -> bool:
        """Body or year unknown, or the body's place: the report is indexed, but no question by
        body or year (by region, when unplaced) reaches it until a person sets it."""
        return self.agency is None or self.year is None or self.unplaced


# bodies of the State Council and national bodies: no place in their names, none needed
_NATIONAL = ("国家", "国务院", "中华人民共和国", "中国", "全国", "中央", "最高人民")


def unplaced(agency: str | None, region: str | None, province: str | None) -> bool:
    """Whether a body's name says no place a question by region could find it under: no
    division of the gazetteer and no place shaped like one (区统计局, 县生态环境局, 中村乡人民政府,
    建章路街道办事处). National bodies (国家统计局, 教育部) are not."""
    return bool(agency) and not region and not province and not agency.startswith(_NATIONAL) \
        and not agency.endswith(("部", "总署", "总局"))


_WS_RE = re.compile(r"\s+")
_CLEAN_RE = re.compile(r"^(关于|现将|以下是|本报告是|根据.*?要求，?)")
# The patterns below hold character classes that take ~0.5 ms each to compile (large Unicode
# sets), so they are compiled once, on first use, rather than per report. A pattern that ends
# in the report's own body or place name is searched with the name replaced by _MARK, just
# before each occurrence of the name (see _before_name), so that it too is compiled once.
_MARK = "\x01"
_PROVINCE = r"(" + _NAME + r"{2,8}(?:省|自治区))"
_PREFECTURE = r"(" + _NAME + r"{1,8}(?:市|州(?!市)|盟|地区))"
_CITY = r"([^\W由在将对为与和及的是][\u4e00-\u9fa5]{1,2}市)"
# (pattern, the most characters it matches before the name (P: 8 + 自治区, F: 8 + 地区),
#  the characters its lookahead tests at the name's first character: 州(?!市))
_REGION_HEADS = ((_PROVINCE + "?" + _PREFECTURE, 21, "市"), (_PROVINCE, 11, ""))
_CITY_HEAD = (_CITY, 4, "")


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _flat(text: str) -> str:
    """The text folded (NFKC) with all white space removed: what the patterns here search."""
    return _WS_RE.sub("", fold(text))


def _before_name(head: tuple[str, int, str], name: str, flat: str):
    """The groups of each match of `re.finditer(head + re.escape(name), flat)`, without
    compiling a pattern per name.

    A match ends at an occurrence of the name and starts at most `longest` characters before
    it. When consecutive occurrences are at least that far apart (and the text holds no
    _MARK, and the name does not start with a character the head's lookahead tests), no
    match reaches over one occurrence into the next, so the matches are those of
    `head + _MARK` (compiled once) searched in the few characters before each occurrence, the
    name replaced by _MARK. Otherwise the pattern is compiled for this name (cached)."""
    pattern, longest, peek = head
    occurrences, at = [], flat.find(name)
    while at >= 0:
        occurrences.append(at)
        at = flat.find(name, at + 1)
    apart = (_MARK not in flat and not (name[:1] and name[0] in peek)
             and all(b - (a + len(name)) >= longest for a, b in zip(occurrences, occurrences[1:])))
    if apart:
        rx = _compiled(pattern + _MARK)
        for at in occurrences:
            m = rx.search(flat[max(0, at - longest):at] + _MARK)
            if m:
                yield m.groups()
    else:
        for m in _compiled(pattern + re.escape(name)).finditer(flat):
            yield m.groups()


def _ending_in(rx: re.Pattern, suffix: str, reach: int, flat: str):
    """`rx.finditer(flat)` for a pattern whose every match ends in `suffix` and starts at most
    `reach` characters before it: each search starts near the next occurrence of the suffix
    (no match can start earlier), instead of the pattern being tried at every character."""
    at = 0
    while True:
        nxt = flat.find(suffix, at + 1)
        if nxt < 0:
            return
        m = rx.search(flat, max(at, nxt - reach))
        if m is None:
            return
        yield m
        at = m.end()


def _clean_body(s: str) -> str:
    s = _CLEAN_RE.sub("", s)
    s = s.strip("《》“”\"' ：:，,")
    return s


# -- body and year: candidates from each place a report prints them --------------------------

# 「…年度报告」, 「…年报」, 「…工作报告」, and the 关于 form: 「关于…2023年度政府信息公开工作(开展)情况的报告」
# 「…信息公开工作年度报告」 without 政府 (开发区管委会, 镇) too; a body ending in 政府 keeps it (see _name_of)
_REPORT = r"的?(?:政府信息|政务|信息)公开(?:工作)?(?:年度报告|年报|工作报告|(?:开展|落实)?情况的?报告)"
_YEAR = r"((?:19|20)\d{2})"
_BODY = r"([\u4e00-\u9fa5()（）·]{2,40}?)"
_BODY_FIRST_RE = re.compile(_BODY + r"(?:关于)?" + _YEAR + r"年度?" + _REPORT)
_YEAR_FIRST_RE = re.compile(_YEAR + r"年度?" + _BODY + _REPORT)
# the year inside or after the report's name: 「…政府信息公开工作2023年度报告」, 「…年度报告（2023年）」
_YEAR_INSIDE_RE = re.compile(_BODY + r"(?:政府信息|政务|信息)公开(?:工作)?" + _YEAR + r"年?度?(?:报告|年报)")
_YEAR_AFTER_RE = re.compile(_BODY + _REPORT + r"[(（]" + _YEAR + r"年?度?[)）]")
_YEAR_ONLY_RE = re.compile(_YEAR + r"年度?" + _REPORT)
# the statistics period: 「统计期限从2022年1月1日起至2022年12月31日止」, 「统计周期为2024年1月1日至12月31日」
_PERIOD_RE = re.compile(r"统计(?:期限|周期|时限|时间|区间|范围|时段|口径)[^。；;]{0,12}?" + _YEAR + r"年1月1日")
_SPAN_RE = re.compile(_YEAR + r"年1月1日(?:起)?(?:至|到|—|-|～|~)(?:\1年)?12月31日")
_CN_YEAR_RE = re.compile(r"[〇零○一二三四五六七八九]{4}(?=年)")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_DATE_RE = re.compile(r"^[(（]?(?:19|20)\d{2}年\d{1,2}月\d{1,2}日[)）]?$")
_HEAD_JUNK_RE = re.compile(r"^(?:正文|首页|当前位置|标题|题目|单位名称|机关名称|发布机关|发布单位|公开主体|信息来源|来源|"
                           r"名称|单位|主题|关于|现将|以下是|本报告是|附件\d*|[:：>＞»·\-—_|()（）]|"
                           # the verb of the sentence that names the report: 「现公开钢花村街道…」「特编制湛江市…」
                           r"(?:现|特|并|予以)?(?:向社会|通过[^，。]{1,12}?向社会)?(?:公开|公布|发布|编制|印发|汇总|形成)了?)+")
# a trailing 「(机关)」: 「青龙镇政府(机关)信息公开年度报告」
_TAIL_JUNK_RE = re.compile(r"[(（](?:机关|单位|本级)[)）]$")

# Institutions a body's name ends in (longest first).
# A development zone names its administration by the zone (「随县经济开发区2019年…」); 新区 is not here
# (浦东新区 is a district: 「上海市浦东新区2023年…」 is its government's report).
_INSTITUTIONS = ("人民政府办公厅", "人民政府办公室", "政府办公厅", "政府办公室", "街道办事处", "管理委员会", "人民政府",
                 "开发区", "示范区", "产业园区",
                 "办公厅", "办公室", "委员会", "管委会", "办事处", "政府办", "政府", "街道", "分局", "中心", "局", "厅",
                 "委", "办", "署", "院", "所", "站", "队", "馆", "会", "社", "处", "部", "镇", "乡", "室")
# What no body's name holds after its place: verbs, function words, table words, dates.
_BAD_CORE_RE = re.compile(r"[我本该其了的是将把被从向在于或并等年月日号份个件条：:，,。;；、]|名称|单位|编制|编写|发布|公布|"
                          r"印发|报告|情况|数量|现将|根据|按照|关于|以下|总计|合计|序号|网站|门户|网")
_LEVEL_END = "省市区县旗州盟"
# what no place name holds (a place may hold 日, 本, 于, 将, 向: 日照市, 本溪市, 于都县, 将乐县, 向阳区)
_BAD_PLACE_RE = re.compile(r"[我了的：:，,。;；、]|名称|单位|编制|编写|发布|公布|印发|报告|情况|数量|现将|根据|按照|关于|以下|"
                           r"网站|门户|专栏|年报|年度|公开|信息|政务")
# Where a name may start inside a longer run of characters: after these words and characters
# (longer words first, so that 「年报」 is cut after 报, not after 年)
_CUT_RE = re.compile(r"年报|年度|公开|信息|政务|首页|正文|网站|专栏|名称|单位|编制|编写|发布|公布|印发|报告|现将|根据|按照|关于|以下|"
                     r"[我本该其了的是将把被从向在于或并等年月日号份个件条：:，,。;；、]")
# Short forms people write for departments whose full name is fixed across the country (the
# State Council's naming of government departments). Used only when the report itself does not
# write the full name; ambiguous ones (城建局: 城乡建设局 or 住房和城乡建设局) are not here.
_SHORT_CORES = {
    "科委": "科学技术委员会", "发改委": "发展和改革委员会", "卫健委": "卫生健康委员会", "经信委": "经济和信息化委员会",
    "国资委": "国有资产监督管理委员会", "住建委": "住房和城乡建设委员会", "民宗委": "民族宗教事务委员会",
    "教委": "教育委员会", "商委": "商务委员会", "交委": "交通委员会", "农委": "农业委员会", "建委": "建设委员会",
    "卫计委": "卫生和计划生育委员会", "人社局": "人力资源和社会保障局", "人社厅": "人力资源和社会保障厅",
    "住建局": "住房和城乡建设局", "住建厅": "住房和城乡建设厅", "发改局": "发展和改革局", "卫健局": "卫生健康局",
    "医保局": "医疗保障局", "应急局": "应急管理局", "市监局": "市场监督管理局", "市场监管局": "市场监督管理局",
    "科技局": "科学技术局", "科技厅": "科学技术厅", "退役军人局": "退役军人事务局",
}
# 「我厅」「我局」…: the kind of body the report speaks as, and the suffixes its short form may end in
_SELF_RE = re.compile(r"我(厅|局|委|办|院|署|中心|县|区|市|镇|乡|街道)")
_SELF_SUFFIX = {"厅": ("厅",), "局": ("局",), "委": ("委员会", "委"), "办": ("办公室", "办"), "院": ("院",), "署": ("署",),
                "中心": ("中心",)}


def _name_of(raw: str, after: str, strict: bool) -> str | None:
    """The body's name in `raw`, the text before a report word that starts `after`. A body
    ending in 政府 loses it to the report word (「2022年上海市政府信息公开…」「张家湾镇人民政府信息
    公开…」): raw + 政府 is tried first when the report word starts with 政府."""
    name = _valid_name(raw, strict=strict)
    if after.startswith("政府") and (name is None or name.endswith(("镇", "乡"))) and raw[-1:] in "民省市区县旗镇乡":
        gov = _valid_name(raw + "政府", strict=strict)  # not 「…经济开发区」 + 政府
        if gov and gov.endswith("政府"):
            return gov
    if name is None:  # 「宿迁市 2025 年政府信息公开工作年度报告」: a division alone names its government
        place = _HEAD_JUNK_RE.sub("", raw)
        k = next((k for k in range(len(place) - 1) if _place_len(place[k:]) == len(place) - k), None)
        if k is not None and (k == 0 or k in {m.end() for m in _CUT_RE.finditer(place)}):
            return place[k:] + "人民政府"
    return name


def _cn_year(m: re.Match) -> str:
    return m.group(0).translate(_CN_DIGITS)


def _suffix_of(name: str) -> str | None:
    return next((s for s in _INSTITUTIONS if name.endswith(s)), None)


def _core_ok(core: str) -> bool:
    """The part of a body's name after its place: an institution, no verb or table word."""
    return bool(core) and _suffix_of(core) is not None and not _BAD_CORE_RE.search(core) and len(core) <= 24


def _place_len(name: str) -> int:
    """Characters of the gazetteer's divisions at the start of `name` (0 when none)."""
    return sum(len(p.name) for p in gazetteer.leading(name))


def _valid_name(raw: str, *, strict: bool) -> str | None:
    """`raw` (or its tail, leading junk dropped) when it is a body's name, else None.

    A name is a place and an institution: the place a division of the gazetteer (「名称沭阳县发展和
    改革局」 → 沭阳县发展和改革局), a place the text shapes like one (宁川市仁门县), or a level word for a
    short form (市科委); the rest an institution with no verb or table word (「我厅编写了」 is none).
    strict: a name with no place at all is refused (a signature line or the prose)."""
    raw = _TAIL_JUNK_RE.sub("", _HEAD_JUNK_RE.sub("", raw.strip("《》“”\"' ：:，,。")))
    if len(raw) < 3 or _suffix_of(raw) is None:
        return None
    cuts = {0} | {m.end() for m in _CUT_RE.finditer(raw)}
    for k in range(len(raw) - 2):  # a division of the gazetteer at k; what comes before it is junk
        n = _place_len(raw[k:])
        if n:
            if k and raw[k - 1] in _LEVEL_END and place_prefix(raw[:k]) == raw[:k] and not _place_len(raw[:k]):
                break  # an unknown place above a known one: keep the whole
            if k and k not in cuts and any(p.name != raw[k - 1:k + n] for p in gazetteer.correct(raw[k - 1:k + n])):
                continue  # 「沐义县」: one character off 安义县, not 沐 + 义县
            core = raw[k + n:]
            if raw[k:k + n] in core or gazetteer.leading(raw[k:k + n])[-1].name in core or _place_len(core):
                continue  # 「翔安区 / 厦门市翔安区统计局」: a header line, then the name with its own place
            if _core_ok(core):
                return raw[k:]
    # after words that are no name (年报, 公开, a verb): the rest shaped as place + institution
    # (宁川市仁门县商务局, 沐安区人民政府办公室), or a short form (市科委, 区城建局, 省教育厅)
    for b in sorted(cuts):
        rest = raw[b:]
        if len(rest) < 3:
            break
        place = place_prefix(rest)
        if place and place != rest and _core_ok(rest[len(place):]) and not _BAD_PLACE_RE.search(place):
            return rest
        if rest[0] in "省市区县" and _core_ok(rest[1:]):
            return rest
        for n in range(3, min(17, len(rest) - 1)):  # one character off a division: 红为县 (犍为县)
            if rest[n - 1] in _LEVEL_END and _core_ok(rest[n:]) and not _BAD_PLACE_RE.search(rest[:n]) \
                    and gazetteer.correct(rest[:n]):
                return rest
    if not strict:  # no place at all (国家统计局): only from a title or a sentence naming the report
        for b in sorted(cuts, reverse=True):  # after the last words that are no name: 「…政府信息公开年报 > 太平乡」
            rest = raw[b:]
            if len(rest) - len(_suffix_of(rest) or rest) >= 2 and _core_ok(rest) and len(rest) <= 16:
                return rest
    return None


@dataclass
class _Found:
    name: str | None
    year: int | None
    source: str
    offset: int  # in the flat text


class _Text:
    """The report's text as the readers here search it: whitespace-free (flat), with the offset
    of each line, computed on first use."""

    def __init__(self, text: str, folded: str | None):
        self.text = text
        self.folded = folded
        self._flat: str | None = None
        self._starts: list[int] | None = None
        self._places: tuple | None = None

    @property
    def flat(self) -> str:
        if self._flat is None:
            base = self.folded if self.folded is not None else fold(self.text)
            self._flat = _CN_YEAR_RE.sub(_cn_year, _WS_RE.sub("", base))
        return self._flat

    def line_of(self, offset: int) -> int:
        """The 1-based line of the text holding flat offset `offset`."""
        if self._starts is None:
            starts, at = [], 0
            for line in self.text.split("\n"):
                starts.append(at)
                at += len(_CN_YEAR_RE.sub(_cn_year, _WS_RE.sub("", fold(line))))
            self._starts = starts
        import bisect
        return max(1, bisect.bisect_right(self._starts, offset))

    def places(self) -> tuple:
        """The divisions the report names (full names), in order, repeats kept."""
        if self._places is None:
            # line by line: 「正文 / 县统计局」 does not name 文县
            flat = "\n".join(_CN_YEAR_RE.sub(_cn_year, _flat(line)) for line in self.text.split("\n"))
            part = flat[:6000] + flat[-3000:] if len(flat) > 9000 else flat
            self._places = tuple(gazetteer.named_in(part))
        return self._places


def _from_title(text: str, t: _Text) -> tuple[_Found | None, _Found | None, int | None]:
    """(body and year, year alone, title line) from the title in the first lines."""
    lines = text.split("\n")
    head_idx = [i for i, l in enumerate(lines[:40]) if l.strip()][:8]
    joined, starts = "", []
    for i in head_idx:
        starts.append((len(joined), i))
        joined += _flat(lines[i])
    joined = _CN_YEAR_RE.sub(_cn_year, joined)  # after joining: a year in numerals wrapped over lines (same length)
    found = []
    for rx, body_group in ((_BODY_FIRST_RE, 1), (_YEAR_FIRST_RE, 2), (_YEAR_INSIDE_RE, 1), (_YEAR_AFTER_RE, 1)):
        for m in rx.finditer(joined):
            if m.start() > 240:
                break
            s0 = _after_header(joined, m.start(body_group), m.end(body_group), [off for off, _ in starts])
            name = _name_of(joined[s0:m.end(body_group)], joined[m.end(body_group):], strict=False)
            if name:
                found.append((m.start(), name, int(m.group(3 - body_group))))
                break
    if found:
        at, name, year = min(found)
        line = max(i for off, i in starts if off <= at) + 1
        source = "attachment" if "附件" in joined[max(0, at - 6):at + 6] else "title"
        return _Found(name, year, source, -1), None, line
    m = _YEAR_ONLY_RE.search(joined)
    if m and m.start() <= 240:
        return None, _Found(None, int(m.group(1)), "title", -1), max(i for off, i in starts if off <= m.start()) + 1
    return None, None, None


def _after_header(joined: str, s: int, e: int, line_starts: list[int]) -> int:
    """Where a title's body starts in `joined[s:e]` (the title's lines joined): after a line
    above the title that repeats a place or name the title writes again (「翔安区 / 厦门市翔安区统计局
    2023年…」, 「株洲市芦淞区统计局 / 株洲市芦淞区统计局2023年…」); a name wrapped over lines (「上海市科学
    技术 / 委员会…」, 「上海市 / 市场监督管理局…」) is kept."""
    for b in line_starts:
        if s < b < e:
            before, after = joined[s:b], joined[b:e]
            placed = _place_len(before) == len(before) or place_prefix(before) == before and before[-1:] in "省市区县"
            named = placed or (len(before) >= 3 and _valid_name(before, strict=False) == before)
            if named and before in after:
                return b
    return s


def _from_sentences(t: _Text) -> _Found | None:
    """「现将…2023年政府信息公开工作年度报告向社会公布」, 「附件：…年度报告」, or the name with the report
    anywhere: the first whose body is a name."""
    flat = t.flat
    found = []
    # body first (「现将沭阳县…2023年…年度报告」) or year first (「特向社会公布2021年度沈阳市…局政府信息公开
    # 工作年度报告」「汇总2021年度大东坝镇人民政府的政务公开年度报告」)
    for rx, bg, yg in ((_BODY_FIRST_RE, 1, 2), (_YEAR_FIRST_RE, 2, 1)):
        for m in rx.finditer(flat):
            raw, after = m.group(bg), flat[m.end(bg):]
            lead = flat[max(0, m.start() - 6):m.start(bg) + 6]
            name = _name_of(raw, after, strict=True) or (
                _name_of(raw, after, strict=False) if _LEAD_RE.search(lead) else None)
            if name:
                before = flat[max(0, m.start() - 6):m.start(bg) + len(raw) - len(name)]
                source = "attachment" if "附件" in before else "sentence"
                found.append(_Found(name, int(m.group(yg)), source, m.start()))
                break
    return min(found, key=lambda f: f.offset) if found else None


# the words that introduce the report's own name in a sentence
_LEAD_RE = re.compile(r"现将|附件|将|公布|发布|公开|编制|汇总|形成")


def _from_period(t: _Text) -> int | None:
    m = _PERIOD_RE.search(t.flat) or _SPAN_RE.search(t.flat)
    if m is None:  # 「数据截至2022年12月31日」「数据核定时间点为2022年12月31日」
        m = _compiled(r"(?:截至|截止|截止到|时间点为|时点为)" + _YEAR + r"年(?:12月31日|底)").search(t.flat)
    return int(m.group(1)) if m else None


# 「2022年，白云街以…」: the year a sentence of the account opens with (at a line's start or after 。)
_OPENING_YEAR_RE = re.compile(r"(?:^|[。；;!！])(?:[(（][一二三四五六七八九十\d]+[)）][^。，,]{0,16}?[。.]?)?"
                              + _YEAR + r"年度?(?:[，,]|以来|全年|共|我|本)")


def _from_opening_years(text: str) -> int | None:
    """The year the account's sentences open with, when one year does so at least twice and
    more often than any other (a report with no title, no period and no 「现将…年度报告」)."""
    from collections import Counter
    years: Counter = Counter()
    for line in text.split("\n")[:200]:
        for m in _OPENING_YEAR_RE.finditer(_flat(line)):
            years[int(m.group(1))] += 1
    top = years.most_common(2)
    if top and top[0][1] >= 2 and (len(top) == 1 or top[1][1] < top[0][1]):
        return top[0][0]
    return None


# 「发布机构：…」, or an index table's cells 「| 发布机构 | 西小召镇 | 文号 |」
_PUBLISHER_RE = re.compile(r"^\|?(?:发布机构|发布机关|发布单位|发文机关|发文单位|公开主体|信息来源|来源|责任部门)(?:[:：]|\|+)([^\s:：|]{3,40})")


def _from_publisher(text: str) -> str | None:
    """The publisher line of a page's header (「发布机构：沭阳县发展和改革局」) in the first lines."""
    for line in text.split("\n")[:30]:
        m = _PUBLISHER_RE.match(_flat(line))
        if m:  # the field names the body: a township written alone (发布机构：城关镇) is taken too
            name = _valid_name(m.group(1), strict=True) or _valid_name(m.group(1), strict=False)
            if name:
                return name
    return None


def _from_signature(text: str) -> str | None:
    """A body's name alone on a line next to a date (「河北省教育厅 / 2024年1月26日」), at the end of
    the report or under its title."""
    lines = [_flat(l) for l in text.split("\n")]
    idx = [i for i, l in enumerate(lines) if l]
    for pool in (idx[-15:][::-1], idx[:10]):
        for j, i in enumerate(pool):
            near = [lines[k] for k in range(max(0, i - 3), min(len(lines), i + 4)) if k != i]
            if any(_DATE_RE.match(x) for x in near):
                name = _valid_name(lines[i], strict=True)
                if name and name == _HEAD_JUNK_RE.sub("", lines[i]) and (
                        _place_len(name) or place_prefix(name) or name[0] in "省市区县"
                        # one character off a division (沐全区: 全 is no place character of its own)
                        or any(name[n - 1] in _LEVEL_END and gazetteer.correct(name[:n]) for n in range(3, min(17, len(name))))):
                    return name
    return None


# 「本报告由建章路街道办事处编制」「由上饶市教育局结合有关统计数据编制」
_COMPILED_RE = re.compile(r"由([\u4e00-\u9fa5()（）]{3,40}?)(?:结合[^，。；]{0,24}?|负责|牵头|统一|组织)?编(?:制|写|撰)")
# 「如对本报告有疑问，请与惠安县卫生健康局办公室联系」「请联系：龙游县罗家乡人民政府信息公开领导小组办公室」
_CONTACT_RE = re.compile(r"(?:请与|请联系|可与|请致电)[:：]?([\u4e00-\u9fa5()（）、]{3,40}?)(?:联系|[(（，,:：；。]|电话|地址)")
# the office of a body that answers for its report (not the body itself); 「人民政府办公室」 is a body
_SUBUNIT_RE = re.compile(r"(?:(?:政府)?(?:信息|政务|信息、政务)公开(?:工作)?(?:领导小组)?办公室|党政(?:综合)?办公室|综合办公室|"
                         r"综合(?:组|股|科)|办公室(?:信息室)?|信息室)$")


def _named_as(raw: str) -> str | None:
    """The body a compiler's or contact's name is of: the office that answers for the report
    dropped (「惠安县卫生健康局办公室」 → 惠安县卫生健康局), the body kept when its name is an office
    (高平市人民政府办公室)."""
    raw = _TAIL_JUNK_RE.sub("", raw)
    m = _SUBUNIT_RE.search(raw)
    if m and m.start() >= 3:
        rest = raw[:m.start()]
        # 「…人民政府办公室」「淮安市委办公室」 are bodies of their own
        if not (m.group(0).startswith("办公室") and (rest.endswith("政府") or rest[-2:-1] in "省市区县州旗" and rest.endswith("委"))):
            return _valid_name(rest, strict=False)  # None when what is left is no body's name
    return _valid_name(raw, strict=False)


def _from_compiler(t: _Text, rx: re.Pattern) -> str | None:
    """The body a sentence names as the report's compiler or contact (the first that is a name)."""
    for m in rx.finditer(t.flat):
        name = _named_as(m.group(1))
        if name and not name.startswith(("本机关", "本单位", "本级", "本局", "各")):
            return name
    return None


def _dominant(t: _Text, level_char: str):
    """The division of the level a short form's first character names (省, 市, 区, 县) that the
    report names most, or None when none or two are named as often."""
    from collections import Counter
    want = []
    for p in t.places():
        if level_char == "省" and p.level == gazetteer.PROVINCE and not p.name.endswith("市"):
            want.append(p)
        elif level_char == "市" and p.name.endswith("市") and p.level in (gazetteer.PROVINCE, gazetteer.PREFECTURE):
            want.append(p)
        elif level_char in "区县" and p.level == gazetteer.COUNTY and p.name.endswith(level_char):
            want.append(p)
    counts = Counter(want).most_common(2)
    if not counts or (len(counts) > 1 and counts[1][1] == counts[0][1]):
        return None
    return counts[0][0]


def _from_prose(t: _Text) -> str | None:
    """「我厅」 and 「省教育厅」 in the prose and the province of the regulations cited → 河北省教育厅."""
    from collections import Counter
    kinds = Counter(m.group(1) for m in _SELF_RE.finditer(t.flat))
    if not kinds:  # no 「我局」: a full name that twice opens the year's account (「2022年宜城市教育局…」)
        fulls = Counter()
        for kind in _KIND_ENDS:
            fulls.update(_full_names(t, kind, after_year=True))
        top = fulls.most_common(2)
        if top and top[0][1] >= 2 and (len(top) == 1 or top[1][1] < top[0][1]):
            return top[0][0]
        return None
    kind = kinds.most_common(1)[0][0]
    fulls = _full_names(t, kind)
    if fulls:
        top = fulls.most_common(2)
        if top[0][1] >= 2 and (len(top) == 1 or top[1][1] < top[0][1]):
            return top[0][0]  # 「2022年宜城市教育局全面贯彻…」 twice, with 「我局」
    if kind in ("县", "区", "市", "镇", "乡", "街道"):
        return None  # 「我县」 alone does not say which body of the county
    shorts: Counter = Counter()
    flat = t.flat
    for suf in _SELF_SUFFIX[kind]:
        at = flat.find(suf)
        while at >= 0:  # the shortest 「省/市/区/县 + institution」 ending here: 省教育厅, 市自然资源和规划局
            end = at + len(suf)
            for start in range(at - 1, max(-1, at - 14), -1):
                if flat[start] in "省市区县":
                    core = flat[start + 1:end]
                    if core != suf and _core_ok(core):
                        shorts[flat[start:end]] += 1
                    break
                if flat[start] in "，。；、：（）《》“”" or _BAD_CORE_RE.match(flat[start]):
                    break
            at = flat.find(suf, end)
    for short, _n in shorts.most_common(3):
        place = _dominant(t, short[0])
        if place is not None:
            full = place.name + short[1:]
            if any(f != full and f.startswith(full) for f in fulls):
                return None  # 「市生态环境局」 and 「襄阳市生态环境局宜城分局」: which one speaks is not settled
            return full
    top = shorts.most_common(2)
    if top and top[0][1] >= 2 and (len(top) == 1 or top[1][1] < top[0][1]) and not t.places():
        return top[0][0]  # 「县生态环境局」 with no place in the text: the body as written (flagged unplaced)
    return None


# the names a body of each 「我X」 kind ends in, in the prose
_KIND_ENDS = {"厅": ("厅",), "局": ("局",), "委": ("委员会",), "办": ("办公室",), "院": ("院",), "署": ("署",),
              "中心": ("中心",), "镇": ("镇人民政府", "镇政府"), "乡": ("乡人民政府", "乡政府"), "街道": ("街道办事处",)}
# where a name may start in the prose: after punctuation, a year (「2022年宜城市教育局…」) or a verb
_NAME_START_RE = re.compile(r"[，。；、：,.;:（）()《》“”]|年度?|通过|由|经|按照|根据")


def _full_names(t: _Text, kind: str, after_year: bool = False):
    """The full names (a place and an institution) ending as a body of kind 「我X」 does, counted
    in the prose: 「宜城市教育局」 with 「我局」, 「大东坝镇人民政府」 with 「我镇」. A name inside a
    longer one (襄阳市生态环境局 in 襄阳市生态环境局宜城分局) is counted as the longer one."""
    from collections import Counter
    flat = t.flat
    spans = []
    for suf in _KIND_ENDS.get(kind, ()):
        at = flat.find(suf)
        while at >= 0:
            end = at + len(suf)
            if kind in ("局", "厅") and flat[end:end + 1] == "长":
                at = flat.find(suf, end)
                continue  # 局长, 厅长
            run = flat[max(0, end - 24):end]
            starts = [0] + [m.end() for m in _NAME_START_RE.finditer(run)]
            for b in starts:
                raw = run[b:]
                name = _valid_name(raw, strict=True)
                local = re.fullmatch(r"[\u4e00-\u9fa5]{2,6}(?:镇|乡|街道)(?:人民政府|政府|办事处)", raw) if b else None
                if name and name == raw or (local and not _BAD_CORE_RE.search(raw[:-4])):
                    if not after_year or re.search(r"(?:19|20)\d{2}年度?[，,]?$", flat[max(0, end - len(raw) - 6):end - len(raw)]):
                        spans.append((end - len(raw), end, raw))
                    break
            at = flat.find(suf, end)
    inner = {i for i, (s1, e1, _) in enumerate(spans)
             for (s2, e2, _) in spans if (s2, e2) != (s1, e1) and s2 <= s1 and e1 <= e2}
    return Counter(n for i, (_, _, n) in enumerate(spans) if i not in inner)


def _correct_places(name: str, t: _Text) -> tuple[str, int]:
    """The name with a place the gazetteer does not know corrected when one character is off
    (沐阳县人民政府 → 沭阳县人民政府), and the length of its place prefix (from the gazetteer)."""
    places = list(gazetteer.leading(name))
    n = sum(len(p.name) for p in places)
    for _ in range(3):
        rest, fixed = name[n:], None
        for k in range(3, min(16, len(rest)) + 1):  # up to 双江拉祜族佤族布朗族傣族自治县
            seg = rest[:k]
            if seg[-1] not in _LEVEL_END or _BAD_PLACE_RE.search(seg):
                continue
            fixed = gazetteer.best_correction(seg, inside=places[-1] if places else None, context=t.places())
            if fixed is not None:
                name = name[:n] + fixed.name + rest[k:]
                break
        if fixed is None:
            break
        places = list(gazetteer.leading(name))
        n = sum(len(p.name) for p in places)
    return name, n


def _expand_short(name: str, t: _Text) -> str:
    """A short form's place (市科委 → 上海市科委) from the text, else from the division the report
    names most; the name as it is when neither settles it."""
    lvl, tail = name[0], name[1:]
    rx = _compiled(r"(" + _NAME + r"{1,8}" + re.escape(lvl) + r")" + re.escape(tail))
    from collections import Counter
    for cand, _ in Counter(m.group(1) for m in rx.finditer(t.flat)).most_common():
        cut = max((m.end() for m in _CUT_RE.finditer(cand[:-1])), default=0)
        for k in range(cut, len(cand) - 1):  # not inside a word that is no place: 「正文 / 县统计局」 is not 文县
            if gazetteer.lookup(cand[k:]) and _place_len(cand[k:]) == len(cand) - k:
                return cand[k:] + tail
    place = _dominant(t, lvl)
    return place.name + tail if place is not None else name


def _expand_core(name: str, n: int, t: _Text, short_form: bool) -> str:
    """The full name of a department written short (上海市科委 → 上海市科学技术委员会): as the text
    writes it with the same place, else the department's standard name."""
    place, core = name[:n], name[n:]
    if not place or not (short_form or core in _SHORT_CORES or (core.endswith("委") and not core.endswith("委员会"))):
        return name
    suf = _suffix_of(core) or core[-1]
    fulls = {"委": ("委员会",), "办": ("办公室",), "局": ("局",), "厅": ("厅",)}.get(suf, (suf,))
    from collections import Counter
    seen: Counter = Counter()
    for full_suf in fulls:
        rx = _compiled(re.escape(place) + r"([\u4e00-\u9fa5]{1,16}?" + re.escape(full_suf) + r")")
        for m in rx.finditer(t.flat):
            full = m.group(1)
            it = iter(full)
            if len(full) > len(core) and full[0] == core[0] and all(ch in it for ch in core[:-1]) and _core_ok(full):
                seen[full] += 1
    if seen:
        return place + seen.most_common(1)[0][0]
    if core in _SHORT_CORES:
        return place + _SHORT_CORES[core]
    return name


# a township's or street's body written by its place alone, or its government written 政府:
# the standard full name (镇/乡 → 镇/乡人民政府, 街道 → 街道办事处, 上海市政府 → 上海市人民政府)
_LOCAL_RE = re.compile(r"^(.*?(?:镇|乡|街道))(人民政府|政府|办事处)?$")


def _complete_local(name: str, t: _Text) -> str:
    """The full name of a body written by its place (周湾镇 → 周湾镇人民政府, 建章路街道 → 建章路街道
    办事处, 上海市政府 → 上海市人民政府), as the text writes it when it does (「由周湾镇人民政府编制」),
    and with the county the text writes before a township or street whose name has no division
    of the gazetteer (罗家乡 + 「龙游县罗家乡人民政府」 → 龙游县罗家乡人民政府)."""
    m = _LOCAL_RE.match(name)
    if m and (m.group(2) is None or (m.group(2) == "办事处") == m.group(1).endswith("街道")):
        base = m.group(1)
        name = base + ("办事处" if base.endswith("街道") else "人民政府")
    elif name.endswith("政府") and not name.endswith("人民政府") and _place_len(name) == len(name) - 2:
        name = name[:-2] + "人民政府"
    else:
        return name
    if _place_len(name):
        return name
    place = base if m else name
    best = ""
    for mm in _compiled(r"([\u4e00-\u9fa5]{2,24})" + re.escape(place)).finditer(t.flat[:8000]):  # up to 积石山…自治县
        run = mm.group(1)
        for k in range(len(run) - 1):
            if _place_len(run[k:]) == len(run) - k and len(run) - k > len(best):
                best = run[k:]
                break
    return best + name if best and not name.startswith(best) else name


def _region_fields(agency: str | None, t: _Text) -> tuple[str | None, str | None, str | None, str | None]:
    """(province, prefecture, county, code) of the body's place, from the gazetteer; all None when
    the name holds no division it knows, or one it cannot settle (朝阳区 with nothing else)."""
    if not agency:
        return None, None, None, None
    chain_ = gazetteer.leading(agency)
    if not chain_:  # 「大理州统计局」: an autonomous prefecture written short
        pref = gazetteer.autonomous_prefecture(place_prefix(agency))
        if pref is None:
            return None, None, None, None
        chain_ = (pref,)
    first = chain_[0]
    if len(chain_) == 1:
        same = [p for p in gazetteer.lookup(first.name) if p.name == first.name]
        # these reports are the mainland's (国务院 template): a Taiwan division of the same name is not meant
        same = [p for p in same if not p.code.startswith("71")] or same
        if len(same) == 1:
            chain_ = (same[0],) + tuple(chain_[1:])
        elif len(same) > 1:
            placed = [p for p in same if any(p.code != c.code and p.within(c) for c in t.places())]
            if len(placed) != 1:
                return None, None, None, None
            chain_ = (placed[0],)
    last = chain_[-1]
    full = gazetteer.chain(last)
    province = full[0].name
    prefecture = next((p.name for p in full if p.level == gazetteer.PREFECTURE and p.name != province), None)
    county = next((p.name for p in full if p.level == gazetteer.COUNTY), None)
    return province, prefecture, county, last.code


def read_meta(text: str, folded_text: str | None = None) -> Meta:
    """`folded_text`: fold(text), when the caller has it already."""
    t = _Text(text, folded_text)
    titled, year_only, title_line = _from_title(text, t)
    agency = year = None
    agency_source = year_source = None
    if titled:
        agency, year, agency_source, year_source = titled.name, titled.year, titled.source, titled.source
    if agency is None:
        s = _from_sentences(t)
        if s:
            agency, agency_source = s.name, s.source
            if year_only is None:
                year, year_source = s.year, s.source
                title_line = t.line_of(s.offset)
    if year is None and year_only is not None:
        year, year_source = year_only.year, "title"
    if year is None:
        y = _from_period(t)
        if y:
            year, year_source = y, "period"
    if year is None:
        y = _from_opening_years(text)
        if y:
            year, year_source = y, "prose"
    if agency is None:
        agency = _from_publisher(text)
        agency_source = "publisher" if agency else None
    if agency is None:
        agency = _from_signature(text)
        agency_source = "signature" if agency else None
    if agency is None:
        agency = _from_compiler(t, _COMPILED_RE)
        agency_source = "compiler" if agency else None
    if agency is None:
        agency = _from_prose(t)
        agency_source = "prose" if agency else None
    if agency is None:
        agency = _from_compiler(t, _CONTACT_RE)
        agency_source = "contact" if agency else None
    if year is not None and not 2000 <= year <= 2099:
        year, year_source = None, None
    return _finish(agency, year, title_line, agency_source, year_source, t)


def _finish(agency: str | None, year: int | None, title_line: int | None, agency_source: str | None,
            year_source: str | None, t: _Text) -> Meta:
    """Correct, expand and place the body's name; its aliases and region."""
    written: list[str] = []  # the names the report writes for the body, when they are not the one kept
    if agency:
        short_form = agency[0] in "省市区县" and not _place_len(agency)
        if short_form:
            written.append(agency)
            agency = _expand_short(agency, t)
        corrected, n = _correct_places(agency, t)
        if corrected != agency:
            written.append(agency)
            agency = corrected
        full = _expand_core(agency, n, t, short_form)
        if full != agency:
            written.append(agency)
            agency = full
        full = _complete_local(agency, t)
        if full != agency:
            written.append(agency)
            agency = full
        local = agency[_place_len(agency):]  # a township or street alone (城关镇) is what people call it
        local = local[:-4] if local.endswith(("镇人民政府", "乡人民政府")) else local[:-3] if local.endswith("街道办事处") else ""
        if len(local) >= 3 and local not in written and local != agency:
            written.append(local)
    flat = t.flat
    aliases: list[str] = []
    if agency:
        aliases = _find_aliases(agency, flat)
        for w in written:
            aliases += [w] + _find_aliases(w, flat)
        # the title may drop the city: 「洪泽区人民政府」 where the text says 「淮安市洪泽区人民政府」
        city = next((g[0] for g in _before_name(_CITY_HEAD, agency, flat[:6000])), None)
        if city and _place_len(agency):  # the city the gazetteer puts the body's place in, not 「告敦煌市」
            known = len(gazetteer.leading(agency))
            city = next((city[i:] for i in range(len(city) - 2) if not agency.startswith(city[i:])
                         and len(gazetteer.leading(city[i:] + agency)) > known), None)
        if city and not agency.startswith(city) and not _BAD_CORE_RE.search(city):
            aliases = [agency] + [a for a in aliases if a != city + agency]
            agency = city + agency
        seen: set[str] = {agency}
        aliases = [a for a in aliases if not (a in seen or seen.add(a))]
    region = _find_region(agency or "", lambda: flat[:8000])
    province, prefecture, county, code = _region_fields(agency, t)
    return Meta(agency, year, region, aliases, title_line, province, prefecture, county, code, agency_source,
                year_source)


def override(meta: Meta, text: str, agency: str | None = None, year: int | None = None) -> Meta:
    """The report's metadata with the body and/or year a person set (qa-app set-meta, index
    --agency/--year, the upload form): the body's aliases and region are read for the new name as
    for one found in the text; what is not set stays as read."""
    t = _Text(text, None)
    if agency is not None:
        agency = _WS_RE.sub("", fold(agency))
    new_agency = agency if agency else meta.agency
    new_year = year if year is not None else meta.year
    if agency:
        m = _finish(new_agency, new_year, meta.title_line, "manual", meta.year_source, t)
        m.agency, m.aliases = agency, [a for a in m.aliases if a != agency]  # the name as the person wrote it
        m.region = _find_region(agency, lambda: t.flat[:8000])
        m.province, m.prefecture, m.county, m.region_code = _region_fields(agency, t)
        if meta.agency and meta.agency != agency and meta.agency not in m.aliases:
            pass  # a wrong name read from the text is not kept as an alias
    else:
        m = Meta(meta.agency, new_year, meta.region, list(meta.aliases), meta.title_line, meta.province,
                 meta.prefecture, meta.county, meta.region_code, meta.agency_source, meta.year_source)
    if year is not None:
        m.year, m.year_source = year, "manual"
    return m


def place_prefix(name: str) -> str:
    """The administrative place at the start of a body's name ('' when it names none).

    >>> [place_prefix(n) for n in ("淮安市洪泽区人民政府", "红旗区城市管理局", "延津县市场监督管理局", "杭州市西湖区教育局",
    ...                            "江苏省人民政府", "区政府办")]
    ['淮安市洪泽区', '红旗区', '延津县', '杭州市西湖区', '江苏省', '']
    """
    m = _PLACE_RE.match(name)
    return m.group(0) if m else ""


def find_region(agency: str, text: str) -> str | None:
    """The longest administrative prefix the report names for its body's place: the body's own
    place prefix, extended by the prefecture and province the text writes right before it.

    >>> find_region("红旗区文化街街道办事处", "新乡市红旗区文化街街道通过微信公众号")
    '新乡市红旗区'
    >>> find_region("红旗区城市管理局", "全市红旗区城市管理局")
    '红旗区'
    """
    return _find_region(agency, lambda: _flat(text[:8000]))


def _find_region(agency: str, flat_text) -> str | None:
    """find_region over the flattened text that `flat_text()` returns (called only when needed)."""
    base = place_prefix(agency)
    if len(base) < 2:
        return None
    flat = flat_text()
    best = base
    for head in _REGION_HEADS:
        for groups in _before_name(head, base, flat):
            cand = "".join(g for g in groups if g) + base
            if place_prefix(cand) == cand and len(cand) > len(best):
                best = cand
    return best


def find_aliases(agency: str, text: str) -> list[str]:
    """Other names of the body in the text: same kind of body (suffix), sharing most characters.

    >>> find_aliases("红旗区城乡建设局", "2023 年，区城建局认真贯彻落实")
    ['区城建局']
    """
    return _find_aliases(agency, _flat(text))


def _find_aliases(agency: str, flat: str) -> list[str]:
    """find_aliases over the flattened text."""
    suffix = next((s for s in _SUFFIXES if agency.endswith(s)), None)
    if not suffix:
        return []
    found: dict[str, int] = {}
    short_suffixes = {suffix, suffix[-1:], "办公室" if suffix.endswith("办") else suffix, "政府办" if "办公室" in suffix else suffix}
    for suf in short_suffixes:
        rx = _compiled(r"([\u4e00-\u9fa5]{1,10}?)" + re.escape(suf) + r"(?![\u4e00-\u9fa5]{0,0}[局委办])")
        for m in _ending_in(rx, suf, 10, flat):
            name = m.group(1) + suf
            # trim leading verbs/connectives the regex may have swallowed
            for k in range(len(name) - len(suf)):
                cand = name[k:]
                if _alias_ok(cand, agency):
                    found[cand] = found.get(cand, 0) + 1
                    break
    out = sorted((n for n in found if n != agency), key=lambda n: (-found[n], n))
    # drop aliases that merely extend another alias with a leading character
    return [n for n in out if not any(o != n and n.endswith(o) and len(n) - len(o) <= 1 and found[o] >= found[n] for o in out)][:6]


def _alias_ok(cand: str, agency: str) -> bool:
    """An alias keeps the body's characters in order, allowing 办公室 for 办."""
    if len(cand) < 3 or cand == agency:
        return False
    if not (cand[0] == agency[0] or cand[0] in "区市县镇街"):
        return False
    if cand[0] != agency[0] and cand[0] in _LEVELS:
        # 「区政府」 for a district body, never 「市政府」 (the city above it) or 「市洪泽区…」
        place = place_prefix(agency)
        if not place or place[-1] != cand[0]:
            return False
    core = cand[:-2] if cand.endswith("办公室") and agency.endswith("办") else cand
    it = iter(agency)
    return all(ch in it for ch in core)
