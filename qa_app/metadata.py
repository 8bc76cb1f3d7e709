"""Who wrote a report and for which year: body (机关), year, region and the aliases it uses.

Pure functions over the report's text. The body and year come from the title (which may wrap
over two lines), else from a sentence such as 「现将红谷滩区政府办2023年政府信息公开工作年度报告
向社会公布」. The region is the administrative prefix the report names (新乡市红旗区 ...).
Aliases are the other names the text uses for the same body (区城建局 for 红旗区城乡建设局).
It does not look anything up outside the text.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .tables import fold

_TITLE_RE = re.compile(r"([\u4e00-\u9fa5()（）·]{2,40}?)\s*(20\d{2}|19\d{2})\s*年度?\s*政府信息公开(?:工作)?\s*年\s*度\s*报\s*告")
_SENTENCE_RE = re.compile(r"(?:现将|将|发布|公布)([\u4e00-\u9fa5()（）]{2,40}?)(20\d{2})\s*年度?政府信息公开(?:工作)?年度报告")
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


def read_meta(text: str, folded_text: str | None = None) -> Meta:
    """`folded_text`: fold(text), when the caller has it already."""
    lines = text.split("\n")
    agency = year = title_line = None
    # Title: the first lines, joined (a title may wrap: 「…工作年 / 度报告」).
    head_idx = [i for i, l in enumerate(lines[:40]) if l.strip()][:6]
    joined, starts = "", []
    for i in head_idx:
        starts.append((len(joined), i))
        joined += _flat(lines[i])
    flats: dict[int, str] = {}

    def flat_head(n: int) -> str:  # _flat(text[:n]), computed once for a text shorter than n
        key = n if n < len(text) else -1
        if key not in flats:
            if key >= 0 or folded_text is None:
                flats[key] = _flat(text[:n] if key >= 0 else text)
            else:
                flats[key] = _WS_RE.sub("", folded_text)
        return flats[key]

    m = _TITLE_RE.search(joined)
    if m and m.start() < 80:
        agency, year = _clean_body(m.group(1)), int(m.group(2))
        title_line = max(i for off, i in starts if off <= m.start()) + 1
    else:
        m = _SENTENCE_RE.search(flat_head(3000))
        if m:
            agency, year = _clean_body(m.group(1)), int(m.group(2))
            title_line = 1
    aliases = _find_aliases(agency, flat_head(len(text))) if agency else []
    if agency:
        # the title may drop the city: 「洪泽区人民政府」 where the text says 「淮安市洪泽区人民政府」
        city = next((g[0] for g in _before_name(_CITY_HEAD, agency, flat_head(6000))), None)
        if city and not agency.startswith(city):
            aliases = [agency] + [a for a in aliases if a != city + agency]
            agency = city + agency
    region = _find_region(agency or "", lambda: flat_head(8000))
    return Meta(agency, year, region, aliases, title_line)


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
