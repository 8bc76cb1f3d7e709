"""Which bodies (机关) and years the index holds, and which of them a question names.

Built from the side store's report list (agency, aliases, region, year). A question names a
body by its full name, a short form (红旗区政府办 for 红旗区人民政府办公室: the characters in
order), an alias the reports use (区城建局), or its region alone (红谷滩). Reports that name one
body with and without its higher-level region (仁门县商务局 / 宁川市仁门县商务局) make one body.
Pure matching on strings; the store is read once when the catalog is built, and what short-form
matching needs (a character index of the names) is built once per catalog.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..tables import fold

BODY_SUFFIXES = ("人民政府办公室", "政府办公室", "办公室", "政府办", "人民政府", "政府", "街道办事处", "办事处", "街道",
                 "委员会", "局", "委", "中心", "镇", "乡")
REGION_SUFFIXES = ("省", "市", "区", "县")
# Region-like words that are not places.
NOT_PLACES = {"城区", "辖区", "地区", "社区", "全区", "本区", "各区", "市区", "我区", "园区", "景区", "小区", "该区",
              "全市", "本市", "各市", "我市", "全县", "本县", "各县", "我县", "全省", "本省", "各省", "我省", "城市",
              "各单位", "单位", "哪个区", "哪个市", "街区", "片区", "新区", "城乡", "这个区"}


NOT_PLACE_ENDS = ("辖区", "社区", "小区", "园区", "景区", "片区", "街区", "全区", "全市", "全县", "全省", "本区", "本市")


@dataclass
class Mention:
    text: str
    start: int
    end: int
    bodies: list  # the bodies this text can name
    how: str = "name"  # name (as a report writes it), form (a standard form, names.py), short, core


@dataclass
class Match:
    bodies: list          # bodies named unambiguously, in order of mention
    ambiguous: list       # mentions that fit several bodies
    regions: list[str]    # region words named on their own (红谷滩)
    unknown: list[str]    # place or body names the index does not hold (海淀区, 红旗区教育局)
    rest: str             # the question with the names blanked out (same length)
    mentions: list
    positions: dict = field(default_factory=dict)  # body agency or region word -> where it is named


@dataclass
class Body:
    agency: str
    region: str
    names: set[str]                      # full name and aliases
    reports: dict[int, int] = field(default_factory=dict)  # year -> report id
    checks_failed: dict[int, int] = field(default_factory=dict)  # report id -> failing checks

    @property
    def years(self) -> list[int]:
        return sorted(y for y in self.reports if y is not None)

    @property
    def region_short(self) -> str:
        return region_short(self.region)


def region_short(region: str | None) -> str:
    """「新乡市红旗区」 -> 「红旗」: the innermost place without its suffix."""
    if not region:
        return ""
    parts = re.findall(r"[^省市区县]+[省市区县]", region)
    last = parts[-1] if parts else region
    core = last[:-1] if len(last) > 2 else last
    return core


def region_text(r) -> str:
    """A report's region as the gazetteer places it, province and prefecture first
    (「江苏省淮安市洪泽区」), or as the report writes it when the gazetteer has nothing."""
    chain = "".join(x for x in dict.fromkeys((getattr(r, "province", None), getattr(r, "prefecture", None),
                                               getattr(r, "county", None))) if x)
    written = r.region or ""
    if chain and (not written or written in chain):
        return chain
    return written  # the report writes a place the gazetteer put elsewhere: as written


def body_in_regions(b, regions) -> bool:
    """Whether a body lies in one of the region words (no words: every body)."""
    return not regions or any(x in (b.region or "") for x in regions)


def report_in_regions(r, regions) -> bool:
    """Whether a report lies in one of the region words (「江苏」 holds 淮安市洪泽区's report): its
    region as the gazetteer places it, or its body's name (「红旗区信访局」 for 红旗区)."""
    where = region_text(r)
    return not regions or any(x in where or x in (r.region or "") or x in (r.agency or "") for x in regions)


def higher_places(region: str) -> set[str]:
    """The province and prefecture words of a region (「江苏省淮安市洪泽区」 -> 江苏省, 江苏, 淮安市,
    淮安), so that a question by province or city (「江苏的报告」) names its bodies."""
    parts = re.findall(r"[^省市区县]+?(?:自治区|省|市)", region)
    out: set[str] = set()
    for p in parts[:-1] if len(parts) > 1 else []:
        out.add(p)
        if len(p) >= 3:
            out.add(p[:-1])
    return out


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class Catalog:
    def __init__(self, reports):
        self.bodies: dict[str, Body] = {}
        self.reports = {r.id: r for r in reports}
        for r in reports:
            key = r.agency or f"（未识别机关：{r.file_name}）"
            region = region_text(r)
            b = self.bodies.get(key)
            if b is None:
                b = self.bodies[key] = Body(key, region, {key})
            b.names.update(a for a in r.aliases if a)
            if region and len(region) > len(b.region):
                b.region = region
            if r.year is not None:
                prev = b.reports.get(r.year)
                b.reports[r.year] = r.id if prev is None else max(prev, r.id)
            b.checks_failed[r.id] = r.checks_failed
        self._merge_split_bodies()
        self._merge_standard_forms()
        self._body_of_report = {rid: b for b in self.bodies.values() for rid in b.checks_failed}
        self.regions = sorted({b.region_short for b in self.bodies.values() if b.region_short}
                              | {w for b in self.bodies.values() for w in higher_places(b.region)}, key=len, reverse=True)
        # every full name and alias (generic ones left out), longest first
        self._names = sorted(((n, b) for b in self.bodies.values() for n in b.names if not _weak_alias(n, b)),
                             key=lambda x: -len(x[0]))
        # for short forms (_by_short_form): character -> bodies, built on first use; answers per mention
        self._char_bodies: dict[str, set[int]] | None = None
        self._body_list: list[Body] = []
        self._body_names: list[list[str]] = []
        self._short_form_cache: dict[str, list[Body]] = {}
        # bare cores (「文化街」 for 红旗区文化街街道办事处, 「城乡建设」): a name less its region and
        # its body suffix, at least 3 characters; a core two bodies share names both (ambiguous)
        cores: dict[str, list[Body]] = {}
        for b in self.bodies.values():
            for n in {b.agency} | b.names:
                c = _core(n)
                if c and b not in cores.setdefault(c, []):
                    cores[c].append(b)
        self._cores = sorted(cores.items(), key=lambda x: -len(x[0]))

    def _merge_split_bodies(self) -> None:
        """One body whose reports name it with and without its higher-level region (「仁门县商务局」
        in 2022, 「宁川市仁门县商务局」 in 2023) is one body, under the longer name, when nothing
        else in the catalog competes for the shorter name (no second 「…市仁门县商务局」, no other
        body using it as an alias) and the regions agree."""
        for short in sorted(self.bodies, key=len):
            a = self.bodies.get(short)
            head = re.match(REGION_HEAD, short)
            if a is None or not head or head.end() == len(short):
                continue
            longer = [b for name, b in self.bodies.items()
                      if name != short and name.endswith(short) and re.fullmatch(REGION_CHAIN, name[: -len(short)])]
            if not longer:
                continue
            into = max(longer, key=lambda b: len(b.agency))
            if any(not into.agency.endswith(b.agency) for b in longer):
                continue  # 「宁川市仁门县商务局」 and 「宁海市仁门县商务局」: two bodies could be meant
            if any(short in b.names for b in self.bodies.values() if b is not a and b not in longer):
                continue
            if a.region and into.region and not into.region.endswith(a.region):
                continue
            for b in [a] + [b for b in longer if b is not into]:
                into.names |= b.names
                if len(b.region) > len(into.region):
                    into.region = b.region
                for y, rid in b.reports.items():
                    prev = into.reports.get(y)
                    into.reports[y] = rid if prev is None else max(prev, rid)
                into.checks_failed.update(b.checks_failed)
                del self.bodies[b.agency]

    def _merge_standard_forms(self) -> None:
        """One body whose reports name it in two standard forms (「红谷滩区人民政府办公室」 in 2022,
        「红谷滩区政府办」 in 2023; names.py, body_names.json) is one body, under the name of its
        latest report, when the places agree and the two names share their canonical form. Two
        kinds stay apart (红旗区人民政府 and 红旗区人民政府办公室 share none)."""
        from .names import agency_key
        groups: dict = {}
        for b in list(self.bodies.values()):
            k = agency_key(b)
            if k is not None:
                groups.setdefault(k, []).append(b)
        for same in groups.values():
            if len(same) < 2:
                continue
            into = max(same, key=lambda b: (max(b.years, default=0), len(b.agency)))
            for b in same:
                if b is into:
                    continue
                into.names |= b.names
                for y, rid in b.reports.items():
                    prev = into.reports.get(y)
                    into.reports[y] = rid if prev is None else max(prev, rid)
                into.checks_failed.update(b.checks_failed)
                del self.bodies[b.agency]

    def body_of(self, report_id: int) -> Body | None:
        """The body a report belongs to (after merging split names)."""
        return self._body_of_report.get(report_id)

    # ----------------------------------------------------------------------------------
    def match(self, question: str) -> "Match":
        """Bodies, regions and unknown names in a question.

        >>> # 「红旗区政府办」 names 红旗区人民政府办公室; 「红谷滩」 names the region 红谷滩区.
        """
        q = re.sub(r"(?<=[^A-Za-z0-9\s])\s+(?=[^A-Za-z0-9\s])", "", fold(question).strip())
        q = re.sub(r"(19|20)\d{2}年?|\d{2}年", "|", q)
        mentions: list[Mention] = []
        taken: list[tuple[int, int]] = []
        # 1. full names and aliases, longest first
        for n, b in self._names:
            if n not in q:
                continue
            start = q.find(n)
            while start >= 0:
                end = start + len(n)
                if n[0] in "区市县" and _glued(q, start):
                    pass  # 「浦东新区市场监督管理局」 is not 「区市场监督管理局」
                elif any(s <= start < e or s < end <= e for s, e in taken):
                    # the same text may name several bodies (an alias two bodies share)
                    same = next((x for x in mentions if (x.start, x.end) == (start, end)), None)
                    if same is not None and b not in same.bodies:
                        same.bodies.append(b)
                else:
                    mentions.append(Mention(n, start, end, [b]))
                    taken.append((start, end))
                start = q.find(n, end)
        # 1b. a standard form other than the body's own (「红旗区府办」, 「红谷滩区人民政府办公室」 for
        #     红谷滩区政府办, 「市监局」): both taken to canonical form (names.py, body_names.json)
        from .names import form_mentions
        found, blocked = form_mentions(q, self, taken)
        for s, e in blocked:  # a longer name of a body not held: the name inside it is not asked
            for x in [x for x in mentions if s <= x.start and x.end <= e]:
                mentions.remove(x)
                taken.remove((x.start, x.end))
        for s, e, bs in found:
            inner = [x for x in mentions if s <= x.start and x.end <= e]
            if any(not set(map(id, x.bodies)) <= set(map(id, bs)) for x in inner):
                continue  # the longer span names another body than the name inside it: keep the name
            for x in inner:  # 「淮安市洪泽区政府」: the whole span, not 洪泽区政府 with 淮安 left over
                mentions.remove(x)
                taken.remove((x.start, x.end))
            taken.append((s, e))
            mentions.append(Mention(q[s:e], s, e, bs, "form"))
        # 2. short forms: a run of characters ending in a body suffix, whose characters appear
        #    in order in a body's name (红旗区政府办 -> 红旗区人民政府办公室)
        for ment, s, e in _mentions(q):
            if any(s < te and ts < e for ts, te in taken + blocked):
                continue
            if _glued(q, s):
                continue  # inside a longer name: 「民政府办公室」 in 「海淀区人民政府办公室」
            hits = self._by_short_form(ment)
            if hits:
                taken.append((s, e))
                mentions.append(Mention(ment, s, e, hits, "short"))
        # 2b. bare cores: 「文化街2023年收到多少申请」
        for c, bs in self._cores:
            start = q.find(c)
            while start >= 0:
                end = start + len(c)
                if not any(s < end and start < e for s, e in taken + blocked) and not _glued(q, start):
                    taken.append((start, end))
                    mentions.append(Mention(c, start, end, list(bs), "core"))
                start = q.find(c, end)
        mentions.sort(key=lambda m: m.start)
        # 「红旗区信访局通过红旗区人民政府门户网站…」: a name followed by a website names the website
        media = [m for m in mentions if re.match(MEDIA, q[m.end:])]
        if media and len(media) < len(mentions):
            mentions = [m for m in mentions if m not in media]
            taken = [(m.start, m.end) for m in mentions]
        rest = q
        for s, e in sorted(taken, reverse=True):
            rest = rest[:s] + "|" * (e - s) + rest[e:]
        # 3. names the index does not hold: a body-like or place-like name that is left over
        unknown = [q[s:e] for s, e in blocked]  # a place with a kind of body it has no report of
        unknown += [u for u, after in _place_like(rest) if not self._known_word(u) and not any(u in x for x in unknown)
                   and not (mentions and re.match(MEDIA, after))]  # 「…区人民政府门户网站」 names a website
        # a place named in romanised form (「Hongqi District」): the index holds Chinese names only,
        # so it is not any body's; said as unknown (the refusal lists the names held), not dropped
        if not mentions:
            unknown += [e.group(0) for e in EN_PLACE.finditer(rest)]
        # a province or prefecture named without its level word (「浙江」, 「杭州」) that the index
        # holds no report of: unknown too, so that no answer is given over every body instead
        unknown += [w for w in _bare_divisions(rest) if not self._known_word(w) and not any(w in u for u in unknown)]
        # 4. regions named on their own (红谷滩, 红旗区)
        regions, positions = [], {}
        for r in self.regions:
            if r and r in rest and not any(r in u for u in unknown):
                regions.append(r)
                positions[r] = rest.index(r)
                rest = rest.replace(r, "|" * len(r))
        bodies = []
        for m in mentions:
            if len(m.bodies) == 1 and m.bodies[0] not in bodies:
                bodies.append(m.bodies[0])
                positions[m.bodies[0].agency] = m.start
        return Match(bodies, [m for m in mentions if len(m.bodies) > 1], regions, unknown, rest, mentions,
                     positions)

    def _known_word(self, word: str) -> bool:
        return any(word in n for b in self.bodies.values() for n in b.names) \
            or any(word in (b.region or "") for b in self.bodies.values())

    def _by_short_form(self, mention: str) -> list[Body]:
        hit = self._short_form_cache.get(mention)
        if hit is None:
            if len(self._short_form_cache) > 20000:
                self._short_form_cache.clear()
            hit = self._short_form_cache[mention] = self._short_form_lookup(mention)
        return list(hit)

    def _short_form_lookup(self, mention: str) -> list[Body]:
        suffix = next((s for s in BODY_SUFFIXES if mention.endswith(s)), "")
        head = mention[: len(mention) - len(suffix)]
        if len(head) < 1:
            return []
        if (mention[1:] if mention[0] in "区市县" else mention) in GENERIC_BODIES:
            return []
        out = []
        # only bodies with a name holding every character of the mention can hold it in order
        for i in self._bodies_with_chars(mention):
            b, names = self._body_list[i], self._body_names[i]
            for n in names:
                if is_subsequence(mention, n) and (mention[0] == n[0] or mention[0] in "区市县"
                                                   or (len(mention) >= 3 and mention in n)
                                                   or (b.region_short and mention.startswith(b.region_short))):
                    out.append(b)
                    break
        # prefer bodies whose region the mention starts with
        strict = [b for b in out if b.region_short and mention.startswith(b.region_short)]
        return strict or out

    def _bodies_with_chars(self, text: str) -> list[int]:
        """Indexes (in catalog order) of the bodies one of whose names contains every character
        of `text`. The character index is built on first use, once per catalog."""
        if self._char_bodies is None:
            self._body_list = list(self.bodies.values())
            self._body_names = [list(b.names) for b in self._body_list]
            index: dict[str, set[int]] = {}
            for i, names in enumerate(self._body_names):
                for n in names:
                    for ch in n:
                        index.setdefault(ch, set()).add(i)
            self._char_bodies = index
        sets = []
        for ch in set(text):
            s = self._char_bodies.get(ch)
            if not s:
                return []
            sets.append(s)
        sets.sort(key=len)
        found = set(sets[0]).intersection(*sets[1:])
        return sorted(found)

    def in_region(self, region_word: str) -> list[Body]:
        return [b for b in self.bodies.values() if b.region_short == region_word or region_word in (b.region or "")]


# A body name that starts with its own region (「仁门县」 in 「仁门县商务局」), and a chain of
# higher-level regions written before it (「宁川市」, 「江南省宁川市」).
REGION_HEAD = r"[^省市区县（(]{1,7}?[省市区县]"
REGION_CHAIN = r"(?:[^省市区县（(]{1,7}?[省市区县])+"

# Characters a body name may follow inside a question (else the name is part of a longer one).
BOUNDARY = set("的在和与跟比那及或对从向问查看下是呢吗了省市区县")
GENERIC_BODIES = {"政府办", "政府办公室", "人民政府", "人民政府办公室", "人民政府办", "政府", "街道办事处", "办事处", "街道",
                  "办公室", "府办"}


def _weak_alias(name: str, body: Body) -> bool:
    """Generic aliases such as 区政府办 or 街道办事处 name a body only through its region."""
    if name == body.agency:
        return False
    core = name[1:] if name[0] in "区市县" else name
    return core in GENERIC_BODIES or name in GENERIC_BODIES


def _core(name: str) -> str:
    """A body name less its leading region chain and its body suffix, when what is left is a
    plain Chinese word of 3 to 8 characters (「文化街」, 「城乡建设」); else ''."""
    head = re.match(REGION_CHAIN, name)
    core = name[head.end():] if head else name
    suffix = next((s for s in BODY_SUFFIXES if core.endswith(s)), "")
    if not suffix:
        return ""
    core = core[: len(core) - len(suffix)]
    if not re.fullmatch(r"[\u4e00-\u9fa5]{3,8}", core) or core in GENERIC_BODIES or core[-1] in "省市区县":
        return ""
    return core


def _glued(q: str, start: int) -> bool:
    """Is the text at `start` the tail of a longer name (Chinese right before it that is not a
    function word: 「浦东新」 before 「区…」, 「人」 before 「民政府办公室」)?"""
    tail = re.search(r"[\u4e00-\u9fa5]*$", q[:start]).group(0)
    tail = re.sub(LEAD_WORDS, "", tail)
    return bool(tail) and tail[-1] not in BOUNDARY


def _mentions(q: str) -> list[tuple[str, int, int]]:
    """Candidate body names in a question: runs of Chinese ending in a body suffix, longest first."""
    out = []
    for e in range(1, len(q) + 1):
        if not any(q[:e].endswith(suf) for suf in BODY_SUFFIXES):
            continue
        for s in range(max(0, e - 16), e - 1):
            seg = q[s:e]
            if re.fullmatch(r"[\u4e00-\u9fa5]{2,16}", seg):
                out.append((seg, s, e))
    out.sort(key=lambda x: (-(x[2] - x[1]), x[1]))
    return out


NAME_SUFFIX = r"(?:省|市|区|县|局|厅|委员会|委|办公室|政府办|府办|人民政府|中心|街道办事处|街道|镇|乡)"
LEAD_WORDS = r"^(?:其中|请问|请|问|查询|查|看看|我想知道|想知道|告诉我|那么|那|关于|在|的|通过|经过|向|对|从|由|为|于|比|如果是)+"


EN_PLACE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\s+(?i:district|county|city|province|subdistrict|street|town|township)\b")
VERB_AFTER_NAME = r"(?:通过|经过|依托|利用|借助|向|对|从|由|在|召开|开展|公开|发布|收到|受理|办理|累计|全年)"
MEDIA = r"门户网站|网站|门户|官网|公众号|微信|微博|平台|客户端|新媒体|APP|app"


def _bare_divisions(text: str) -> list[str]:
    """Provinces and prefectures named by their short form, without 省/市 (「浙江」, 「杭州」), in text.
    Counties are left out: their short forms are too often ordinary words (公安, 和平, 城关)."""
    if not re.search(r"[\u4e00-\u9fa5]{2}", text):
        return []
    from .. import gazetteer  # the gazetteer's table is read once, on first use
    out = []
    for s, e, p in gazetteer.mentions(text, short=True):
        w = text[s:e]
        if p.level in (gazetteer.PROVINCE, gazetteer.PREFECTURE) and w == p.short != p.name and w not in out:
            out.append(w)
    return out


def _place_like(text: str) -> list[tuple[str, str]]:
    """Place or body names in text that the catalog may not know (海淀区, 红旗区教育局): in each
    run of Chinese, from its start (less leading function words) to its last name suffix;
    with the text that follows the name."""
    out = []
    for run in re.split(r"[^\u4e00-\u9fa5]+|和|与|及|跟|、|或|(?<!对)比(?![例重较])", text):  # 「…的申请比淮安市少」: 比 joins two names
        ends = [m.end() for m in re.finditer(NAME_SUFFIX, run)]
        if not ends:
            continue
        # a name ends where a verb follows it: 「沭阳县通过县政府门户网站…」 names 沭阳县, not 沭阳县通过县
        ends = [e for e in ends if re.match(VERB_AFTER_NAME, run[e:])][:1] or ends
        w = re.sub(LEAD_WORDS, "", run[: ends[-1]])
        core = w[1:] if w[:1] in "区市县" else w
        if len(w) < 3 or w in NOT_PLACES or core in GENERIC_BODIES or any(w.endswith(x) for x in NOT_PLACE_ENDS) \
                or re.search(r"(哪|各|全|本|每个|所有|整个|这个|那个|什么|多少)", w):
            continue
        out.append((w, run[ends[-1]:]))
    return out
