"""Which bodies (机关) and years the index holds, and which of them a question names.

Built from the side store's report list (agency, aliases, region, year). A question names a
body by its full name, a short form (红旗区政府办 for 红旗区人民政府办公室: the characters in
order), an alias the reports use (区城建局), or its region alone (红谷滩). Pure matching on
strings; the store is read once when the catalog is built.
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


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class Catalog:
    def __init__(self, reports):
        self.bodies: dict[str, Body] = {}
        self.reports = {r.id: r for r in reports}
        for r in reports:
            key = r.agency or f"（未识别机关：{r.file_name}）"
            b = self.bodies.get(key)
            if b is None:
                b = self.bodies[key] = Body(key, r.region or "", {key})
            b.names.update(a for a in r.aliases if a)
            if r.region and len(r.region) > len(b.region):
                b.region = r.region
            if r.year is not None:
                prev = b.reports.get(r.year)
                b.reports[r.year] = r.id if prev is None else max(prev, r.id)
            b.checks_failed[r.id] = r.checks_failed
        self.regions = sorted({b.region_short for b in self.bodies.values() if b.region_short}, key=len, reverse=True)

    # ----------------------------------------------------------------------------------
    def match(self, question: str) -> tuple[list[Body], list[str], list[str]]:
        bodies, regions, unknown, _ = self.match_spans(question)
        return bodies, regions, unknown

    def match_spans(self, question: str) -> tuple[list[Body], list[str], list[str], str]:
        """(bodies named, region words named, unknown names, the question without them).

        >>> # 「红旗区政府办」 names 红旗区人民政府办公室; 「红谷滩」 names the only body of 红谷滩区.
        """
        q = re.sub(r"\s+", "", fold(question))
        q = re.sub(r"(19|20)\d{2}年?|\d{2}年", "|", q)
        found: list[tuple[int, Body]] = []
        spans: list[tuple[int, int]] = []
        # 1. full names and aliases, longest first
        names = sorted(((n, b) for b in self.bodies.values() for n in b.names), key=lambda x: -len(x[0]))
        for n, b in names:
            for m in re.finditer(re.escape(n), q):
                if not any(s <= m.start() < e for s, e in spans) and not _weak_alias(n, b):
                    found.append((len(n), b))
                    spans.append((m.start(), m.end()))
        # 2. short forms: a run of characters ending in a body suffix, whose characters appear
        #    in order in a body's name (红旗区政府办 -> 红旗区人民政府办公室)
        for ment, s, e in _mentions(q):
            if any(s < se and ss < e for ss, se in spans):
                continue
            hits = self._by_short_form(ment)
            if hits:
                spans.append((s, e))
                found.extend((len(ment), b) for b in hits)
        bodies = []
        for _, b in sorted(found, key=lambda x: -x[0]):
            if b not in bodies:
                bodies.append(b)
        # 3. regions named on their own (红谷滩, 红旗区)
        regions = []
        rest = q
        for s, e in sorted(spans, reverse=True):
            rest = rest[:s] + "|" + rest[e:]
        for r in self.regions:
            if r and r in rest:
                regions.append(r)
                rest = rest.replace(r, "|")
        unknown = [u for u in _place_like(rest) if not any(u in n for b in self.bodies.values() for n in b.names)]
        return bodies, regions, unknown, rest

    def _by_short_form(self, mention: str) -> list[Body]:
        suffix = next((s for s in BODY_SUFFIXES if mention.endswith(s)), "")
        head = mention[: len(mention) - len(suffix)]
        if len(head) < 1:
            return []
        if (mention[1:] if mention[0] in "区市县" else mention) in GENERIC_BODIES:
            return []
        out = []
        for b in self.bodies.values():
            for n in b.names:
                if is_subsequence(mention, n) and (mention[0] == n[0] or mention[0] in "区市县"
                                                   or (len(mention) >= 4 and mention in n)):
                    out.append(b)
                    break
        # prefer bodies whose region the mention starts with
        strict = [b for b in out if b.region_short and mention.startswith(b.region_short)]
        return strict or out

    def in_region(self, region_word: str) -> list[Body]:
        return [b for b in self.bodies.values() if b.region_short == region_word or region_word in (b.region or "")]


GENERIC_BODIES = {"政府办", "政府办公室", "人民政府", "人民政府办公室", "人民政府办", "政府", "街道办事处", "办事处", "街道",
                  "办公室"}


def _weak_alias(name: str, body: Body) -> bool:
    """Generic aliases such as 区政府办 or 街道办事处 name a body only through its region."""
    if name == body.agency:
        return False
    core = name[1:] if name[0] in "区市县" else name
    return core in GENERIC_BODIES or name in GENERIC_BODIES


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


def _place_like(text: str) -> list[str]:
    """Place or body names in text that the catalog may not know (海淀区, 某某局)."""
    out = []
    for m in re.finditer(r"[\u4e00-\u9fa5]{2,5}?(?:省|市|区|县|局|街道)", text):
        w = m.group(0)
        w = re.sub(r"^(请问|问|查询|查|看看|那|关于|在|的|通过|经过|向|对|从|由|为|于|和|与|及|跟)+", "", w)
        if len(w) >= 3 and w not in NOT_PLACES and not any(w.endswith(x) for x in NOT_PLACES) \
                and not re.search(r"(哪个|哪些|各|全|本|每个|所有|这个|那个)", w):
            out.append(w)
    return out
