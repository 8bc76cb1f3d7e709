"""Names of bodies and places in a question: the standard short forms of body names, one wrong
character corrected against the catalog's own names, and against China's divisions
(qa_app/gazetteer.py) for places the index does not hold.

- Standard forms as data: qa_app/body_names.json lists, per kind of body, its canonical form and
  the forms that mean the same (人民政府办公室 ~ 政府办公室 ~ 政府办 ~ 府办; 市场监督管理局 ~
  市场监管局 ~ 市监局; 街道办事处 ~ 街道 ~ 办事处 …), validated when loaded (`validate_forms`).
  A name is read as places (each (core, level): 红旗区, or 红旗 without its level, or a level
  alone: 区府办) + its own core word (文化街) + a kind; both the catalog's names (and the aliases
  reports print) and the question's spans are taken to that canonical form and compared there
  (`form_mentions`, used by catalog.match), so either side may write any of the forms. A form
  that fits several bodies gives them all (the answer asks which); a place written with a kind
  of body it has no report of (「洪泽区府办」 where only 洪泽区人民政府 reports, 「淮安区人民政府」
  where only 淮安市 does) is an unknown name, never another body. Every standard way of writing
  a body's name (`written_forms`) is in the typo index below, so a wrong character in any of
  them is corrected too (「红旗区市监居」).

- `correct(question, catalog)`: the question with each name written with one wrong character
  anywhere (「红旗区信访居」, 「虹旗区」, 「红谷滩区正府办」, 「文化接街道」) replaced by the one
  catalog name it is one substitution away from, and the (written, taken) pairs, which the
  answer says (「「红旗区信访居」按「红旗区信访局」理解」). A written form that is itself a real
  division (红桥区 is not 红旗区), a name held already, or one that is as close to two bodies is
  never changed. Matching is by keys with one position blanked, built once per catalog, so a
  question costs the same with ten bodies or ten thousand.
- `correct_unknown(question, unknown, catalog)`: a name one character too long or too short
  for a standard form of one held body (「红旗区信访访局」), by Levenshtein distance 1 (rapidfuzz);
  never a level character added or dropped, never another kind of body.
- `agency_key(body)`: a body's own name in canonical form, by which catalog.py takes reports
  naming one body in two standard forms (红谷滩区人民政府办公室 / 红谷滩区政府办) for one body.
- `place_correction(name)`: a place the index does not hold, corrected by the gazetteer
  (「淮按市」 -> 淮安市), for the refusal to name the real place.
It does not decide which body a question means (catalog.py matches the corrected text), nor
guess a short form the data does not list (a new abbreviation is a record in body_names.json).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import gazetteer
from .catalog import BODY_SUFFIXES, BOUNDARY, Catalog, _core, _weak_alias

_HAN = re.compile(r"[\u4e00-\u9fa5]+")
GLUE = set("的了吗呢么是在和与及或年月日个件份条多少几哪那这")
LEVEL_CHARS = "省市区县"
MIN_LEN = 3


def _forms(catalog: Catalog) -> dict[str, set[str]]:
    """form -> the entity keys (body agency or 'region:' + region form) it names."""
    out: dict[str, set[str]] = {}
    for b in catalog.bodies.values():
        forms = {n for n in b.names if not _weak_alias(n, b) and len(n) >= 4}
        for n in list(forms) + [b.agency]:
            c = _core(n)
            if c:
                forms |= {c + s for s in BODY_SUFFIXES if n.endswith(s) or s in ("街道", "办事处", "街道办事处")}
        for n in {b.agency} | {n for n in b.names if not _weak_alias(n, b)}:
            forms |= {w for w in written_forms(n, b.region) if len(w) >= 5}  # 「红旗区府办」, 「红谷滩区人民政府办公室」
        for f in forms:
            out.setdefault(f, set()).add(b.agency)
        r = b.region_short
        if r and len(r) >= 2:
            for f in {r + c for c in "省市区县" if r + c in (b.region or "")} | ({r} if len(r) >= 3 else set()):
                out.setdefault(f, set()).add("region:" + f)
    return out


def _index(catalog: Catalog):
    idx = getattr(catalog, "_typo_index", None)
    if idx is None:
        forms = _forms(catalog)
        keys: dict[str, set[str]] = {}
        for f in forms:
            if len(f) >= MIN_LEN and re.fullmatch(r"[\u4e00-\u9fa5]+", f):
                for i in range(len(f)):
                    keys.setdefault(f[:i] + "\0" + f[i + 1:], set()).add(f)
        lengths = sorted({len(f) for f in forms if len(f) >= MIN_LEN}, reverse=True)
        idx = catalog._typo_index = (forms, keys, lengths)
    return idx


def _real_place(word: str) -> bool:
    return any(p.name == word for p in gazetteer.lookup(word))


def correct(question: str, catalog: Catalog, keep=()) -> tuple[str, list[tuple[str, str]]]:
    """`keep`: names the catalog already matched as written (「红谷滩政府办公室」), never corrected
    in part (「红谷滩政」 is no misspelt 红谷滩区)."""
    forms, keys, lengths = _index(catalog)
    if not keys:
        return question, []
    out, fixes = question, []
    for regions in (True, False):  # places first: 「红谷滩去政府办」 is 红谷滩区 misspelt, said so
        out, more = _pass(out, catalog, forms, keys, lengths, regions, keep)
        fixes += more
    return out, fixes


def _kept(text: str, keep) -> list[tuple[int, int]]:
    out = []
    for k in keep:
        if len(k) >= 2:
            out += [(m.start(), m.end()) for m in re.finditer(re.escape(k), text)]
    return out


def _pass(out: str, catalog: Catalog, forms, keys, lengths, regions: bool, keep=()):
    from .lexicon import lexicon
    kind_words = lexicon().regex("BODY_TYPE_WORDS")
    fixes, s = [], 0
    kept = _kept(out, keep)
    while s < len(out):
        done = False
        for n in lengths:
            w = out[s:s + n]
            if len(w) < n or w in forms or not _HAN.fullmatch(w):
                continue
            if any(s < ke and ks < s + n and not (s <= ks and ke <= s + n) for ks, ke in kept):
                continue  # inside a name matched as written; a longer name around it may still be fixed
            hits = {}
            for i in range(n):
                if w[i] in GLUE:
                    continue  # 「红旗的」 is not a misspelt 红旗区
                for f in keys.get(w[:i] + "\0" + w[i + 1:], ()):
                    if any(e.startswith("region:") for e in forms[f]) == regions:
                        hits[f] = i
            if not hits:
                continue
            entities = {e for f in hits for e in forms[f]}
            if len(entities) != 1 or catalog._known_word(w) or _real_place(w):
                continue
            right = max(hits, key=len)
            i = hits[right]
            if any(m.start() <= s + i < m.end() for m in kind_words.finditer(out, max(0, s - 3), s + n + 3)):
                continue  # 「城管局」 is another body than 城建局; 「红旗住建局」 is no misspelt 红旗区
            if i == 0 and right[0] in "区市县" and s > 0 and _HAN.fullmatch(out[s - 1]) and out[s - 1] not in BOUNDARY:
                continue  # 「其中信访局」: 中 ends the word before, it is no misspelt 区 of 「区信访局」
            if i == n - 1 and re.match(r"[今去前明]年", w[i] + out[s + n:s + n + 1]):
                continue  # 「红旗去年」: 去 starts 去年, it is no misspelt 区
            if w[i] in LEVEL_CHARS and right[i] in LEVEL_CHARS and _real_place(w[:i + 1]):
                continue  # 「淮安区」 is a real district, not a misspelt 淮安市
            after = out[s + n:s + n + 1]
            if not regions and i == n - 1 and after and _HAN.fullmatch(after) and after not in BOUNDARY:
                continue  # 「信访举报」: the last character starts the next word
            fixes.append((w, right))
            out = out[:s] + right + out[s + n:]
            s += n
            done = True
            break
        if not done:
            s += 1
    return out, fixes


def correct_unknown(question: str, unknown, catalog: Catalog) -> tuple[str, list[tuple[str, str]]]:
    """A name the catalog does not hold that is one character longer or shorter than a standard
    way of writing one held body (「红旗区信访访局」, 「红旗区城乡建设设局」: Levenshtein distance 1,
    by rapidfuzz), replaced by it; the (written, taken) pairs. Never where the two name different
    kinds of body (「淮安市政府办」 is not 淮安市政府 less a character: the office, not the
    government), nor for a real division (gazetteer)."""
    forms_, _, _ = _index(catalog)
    by_len = getattr(catalog, "_typo_by_len", None)
    if by_len is None:
        by_len = {}
        for f in forms_:
            by_len.setdefault(len(f), []).append(f)
        catalog._typo_by_len = by_len
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein
    out, fixes = question, []
    for u in unknown:
        if len(u) < 4 or u not in out or _real_place(u):
            continue
        pool = by_len.get(len(u) - 1, []) + by_len.get(len(u) + 1, [])
        hits = [h[0] for h in process.extract(u, pool, scorer=Levenshtein.distance, score_cutoff=1, limit=None)]
        if len({e for h in hits for e in forms_[h]}) != 1:
            continue
        right = max(hits, key=len)
        longer, shorter = (u, right) if len(u) > len(right) else (right, u)
        at = next((i for i in range(len(longer)) if longer[:i] + longer[i + 1:] == shorter), None)
        if at is None or longer[at] in LEVEL_CHARS:
            continue  # 「淮安区人民政府」 is no 淮安人民政府 with a 区 too many: a level is a place's own
        kinds_u, kinds_r = forms().split(u)[2], forms().split(right)[2]
        if kinds_u and kinds_r and not kinds_u & kinds_r:
            continue
        fixes.append((u, right))
        out = out.replace(u, right, 1)
    return out, fixes


def place_correction(name: str) -> str:
    """The one real division a place name the index does not hold is one character off
    (「淮按市」 -> 「淮安市」), or ''."""
    m = re.match(r"[\u4e00-\u9fa5]{2,8}?[省市区县]", name)
    word = m.group(0) if m else name
    if _real_place(word):
        return ""
    found = {p.name for p in gazetteer.correct(word)}
    return found.pop() if len(found) == 1 else ""


# -- standard short forms (qa_app/body_names.json) ---------------------------------------------

FORMS_PATH = Path(__file__).resolve().parents[1] / "body_names.json"
_RECORD_KEYS = {"canonical", "forms", "old_names", "generic", "note", "stands_for"}
MAX_SPAN = 24  # the longest body name a question's span is read as


class NamesError(ValueError):
    """A record of body_names.json that cannot be used (said with the record when loaded)."""


@dataclass(frozen=True)
class Kind:
    canonical: str             # 人民政府办公室
    forms: tuple               # every written form, the canonical first
    generic: bool = False      # names a body only together with its place (区府办 fits every district's office)
    note: str = ""
    stands_for: tuple = ()     # kinds a question may mean by it when the place has none of this kind
    old: tuple = ()            # names before a reform (环保局): matched, but a report so named stays its own body


@dataclass(frozen=True)
class Forms:
    """The kinds of body and their written forms, validated; `split` reads a name's kind."""
    kinds: tuple
    levels: str                                   # 省市区县: written before a form, read apart
    by_form: dict = field(default_factory=dict)   # written form -> canonicals it may mean
    lengths: tuple = ()                           # form lengths, longest first

    def split(self, name: str) -> tuple[str, str, frozenset]:
        """(head, form, canonicals): the longest form the name ends with and what is before it
        (「红旗区文化街街道」 -> ('红旗区文化街', '街道', {'街道办事处'})); (name, '', ∅) when none."""
        for n in self.lengths:
            if n <= len(name) and name[len(name) - n:] in self.by_form:
                f = name[len(name) - n:]
                return name[: len(name) - n], f, self.by_form[f]
        return name, "", frozenset()

    def generic(self, canonical: str) -> bool:
        return any(k.generic for k in self.kinds if k.canonical == canonical)

    def stands_for(self, canonical: str) -> tuple:
        return next((k.stands_for for k in self.kinds if k.canonical == canonical), ())

    def written(self, canonical: str) -> tuple:
        """The forms of a kind, the canonical first."""
        return next((k.forms for k in self.kinds if k.canonical == canonical), (canonical,))


def validate_forms(data) -> Forms:
    """The records of body_names.json as Forms, or NamesError: every form Chinese, of two
    characters or more; no record twice; a canonical form is no other kind's written form (a kind
    is one thing); a form that starts with a level character is not that level before another form
    (「区府办」 is 区 + 府办, so writing it as a form would read two ways)."""
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), list):
        raise NamesError("body_names.json: expected {\"kinds\": [...]}")
    levels = data.get("levels", "")
    if not isinstance(levels, str) or not re.fullmatch(r"[\u4e00-\u9fa5]+", levels):
        raise NamesError("body_names.json: levels is a string of level characters (省市区县)")
    kinds, seen = [], set()
    for i, r in enumerate(data["kinds"]):
        where = f"body_names.json record {i} ({r.get('canonical') if isinstance(r, dict) else r!r})"
        if not isinstance(r, dict) or set(r) - _RECORD_KEYS or "canonical" not in r:
            raise NamesError(f"{where}: a record has canonical, forms, and may have old_names, generic, stands_for, note")
        forms, old = r.get("forms", []), r.get("old_names", [])
        if not isinstance(forms, list) or not isinstance(old, list):
            raise NamesError(f"{where}: forms and old_names are lists")
        written = [r["canonical"]] + forms + old
        for f in written:
            if not isinstance(f, str) or not re.fullmatch(r"[\u4e00-\u9fa5]{2,16}", f):
                raise NamesError(f"{where}: form {f!r} is not 2-16 Chinese characters")
        if len(set(written)) != len(written):
            raise NamesError(f"{where}: a form is written twice")
        if r["canonical"] in seen:
            raise NamesError(f"{where}: the kind is written twice")
        seen.add(r["canonical"])
        if not isinstance(r.get("generic", False), bool):
            raise NamesError(f"{where}: generic is true or false")
        stands = r.get("stands_for", [])
        if not isinstance(stands, list) or r["canonical"] in stands:
            raise NamesError(f"{where}: stands_for is a list of other kinds")
        kinds.append(Kind(r["canonical"], tuple(written), bool(r.get("generic", False)), str(r.get("note", "")),
                          tuple(stands), tuple(old)))
    by_form: dict[str, set[str]] = {}
    for k in kinds:
        for f in k.forms:
            by_form.setdefault(f, set()).add(k.canonical)
    for k in kinds:
        for other in k.stands_for:
            if other not in seen:
                raise NamesError(f"body_names.json ({k.canonical}): stands_for {other} is no kind of the file")
        for f in k.forms[1:]:
            if f in seen:
                raise NamesError(f"body_names.json ({k.canonical}): form {f} is another kind's canonical form")
        for f in k.forms:
            if f[0] in levels and f[1:] in by_form:
                raise NamesError(f"body_names.json ({k.canonical}): form {f} is {f[0]} + {f[1:]}; write {f[1:]} only")
    return Forms(tuple(kinds), levels, {f: frozenset(c) for f, c in by_form.items()},
                 tuple(sorted({len(f) for f in by_form}, reverse=True)))


@lru_cache(maxsize=1)
def forms() -> Forms:
    """The short forms of qa_app/body_names.json, validated once."""
    return validate_forms(json.loads(FORMS_PATH.read_text(encoding="utf-8")))


def place_chain(region: str) -> tuple:
    """A region as its places, outermost first, each (core, level):
    「江苏省淮安市洪泽区」 -> (('江苏', '省'), ('淮安', '市'), ('洪泽', '区'))."""
    return tuple((m.group(1), m.group(2))
                 for m in re.finditer(r"([\u4e00-\u9fa5]+?)(特别行政区|自治区|自治州|自治县|自治旗|省|市|区|县)",
                                      region or ""))


def kind_keys(rest: str) -> set:
    """(core, canonical kind) keys of a name less its places: 「文化街街道」 -> {('文化街', '街道办事处')};
    a name ending in no listed form is its own key: 「信访局」 -> {('信访局', '')}."""
    head, f, canon = forms().split(rest)
    out = {(head, c) for c in canon}
    if rest and not (f and not head):
        out.add((rest, ""))
    return {k for k in out if k[0] or k[1]}


def canonical_name(name: str, region: str) -> tuple[tuple, frozenset]:
    """A body name in canonical form: (its places as (core, level), its (core, kind) keys), the
    places read against the region's chain with or without their level character. The same body
    written two standard ways gives keys in common:
    canonical_name('红旗区府办', '红旗区') and canonical_name('红旗区人民政府办公室', '红旗区') both hold
    ('', '人民政府办公室'); 红旗区人民政府 holds ('', '人民政府') only."""
    places, rest = _strip_places(name, place_chain(region), loose=True)
    return places, frozenset(kind_keys(rest))


def _strip_places(name: str, chain: tuple, loose: bool = False) -> tuple[tuple, str]:
    """The places a body name starts with (of its region's chain) and the rest:
    「红旗区城乡建设局」 -> ((('红旗', '区'),), '城乡建设局'); with `loose`, a place without its level
    too (「红旗政府办」, as questions write it). A leading level alone (「区城建局」) is taken off
    when what follows is not one form starting with it (「市场监管局」)."""
    got, rest = [], name
    moved = True
    while moved and rest:
        moved = False
        for core, level in sorted(chain, key=lambda p: -len(p[0])):
            if rest.startswith(core + level):
                got.append((core, level))
                rest, moved = rest[len(core) + len(level):], True
                break
            if loose and len(core) >= 2 and rest.startswith(core) and len(rest) > len(core) + 1:
                got.append((core, ""))
                rest, moved = rest[len(core):], True
                break
    if rest[:1] in forms().levels and len(rest) > 2:
        head, f, _ = forms().split(rest)
        if head:  # 「区城建局」: 区 + 城建局; 「市场监管局」 is one form
            got.append(("", rest[0]))
            rest = rest[1:]
    return tuple(got), rest


def agency_key(body) -> tuple | None:
    """What a body's own name is in canonical form, for telling that two names are one body:
    (its place chain, its core, its kind) when the name is its places + a listed kind (one kind:
    「红谷滩区政府办」 and 「红谷滩区人民政府办公室」 both give the office), else None."""
    chain = place_chain(body.region)
    if not chain:
        return None
    got, rest = _strip_places(body.agency, chain)
    if not got or not got[-1][0] or got[-1] != chain[-1]:
        return None  # the name does not start with its own innermost place
    head, f, canon = forms().split(rest)
    if not f or any(f in k.old for k in forms().kinds):
        return None  # 「仁门县环保局」 (2018) and 「仁门县生态环境局」 stay two bodies: asked by the old name, the old one
    kind = next((k.canonical for k in forms().kinds if k.canonical in canon), None)  # 政府办: 办公室 first
    return (chain, head, kind)  # the whole chain: 北京市朝阳区 and 长春市朝阳区 are two places


def _forms_index(catalog: Catalog):
    """Built once per catalog: (core, kind) -> [(body, its place chain)], and place core -> levels."""
    idx = getattr(catalog, "_forms_index", None)
    if idx is None:
        keys: dict[tuple, list] = {}
        places: dict[str, set] = {}
        for b in catalog.bodies.values():
            chain = place_chain(b.region)
            for core, level in chain:
                places.setdefault(core, set()).add(level)
            for n in {b.agency} | b.names:
                _, rest = _strip_places(n, chain)
                for k in kind_keys(rest):
                    lst = keys.setdefault(k, [])
                    if not any(x is b for x, _ in lst):
                        lst.append((b, chain))
        cores = sorted(places, key=len, reverse=True)
        catalog._forms_literal_lengths = sorted({len(c) for c, k in keys if not k}, reverse=True)
        idx = catalog._forms_index = (keys, places, cores)
    return idx


def _place_before(q: str, at: int, places: dict, cores: list) -> tuple[list, int]:
    """The places written right before position `at` of the question (「红旗区」, 「淮安市洪泽」, a
    level alone 「区」), innermost last, and where they start; a 的 may stand between the places
    and the body (「仁门县的发改委」, 「红谷滩的区府办」)."""
    got, p = _places_ending(q, at, cores)
    if any(c for c, _ in got) or p == 0 or q[p - 1] != "的":
        return got, p
    before, p2 = _places_ending(q, p - 1, cores)
    if not any(c for c, _ in before):
        return got, p
    if got and before[-1][1] == "":  # 「红谷滩的区府办」: the level after 的 is the place's
        before[-1] = (before[-1][0], got[0][1])
    return before, p2


def _places_ending(q: str, at: int, cores: list) -> tuple[list, int]:
    levels = forms().levels
    got: list = []
    p = at
    while True:
        level = q[p - 1] if p > 0 and q[p - 1] in levels else ""
        e = p - len(level)
        core = next((c for c in cores if e >= len(c) and q[e - len(c):e] == c and (len(c) >= 2 or level)), "")
        if core:
            got.insert(0, (core, level))
            p = e - len(core)
            continue
        if level and not got:
            got.insert(0, ("", level))
            p = e
        break
    return got, p


def _fits(asked: list, chain: tuple) -> bool:
    """The places a question writes fit a body's chain: the innermost is the body's innermost
    (level as written, when written), the others lie above it in order."""
    if not asked:
        return True
    if not chain:
        return False
    core, level = asked[-1]
    if (core and core != chain[-1][0]) or (level and level != chain[-1][1]):
        return False
    it = iter(chain[:-1])
    return all(any((not c or c == x) and (not l or l == y) for x, y in it) for c, l in asked[:-1])


def form_mentions(q: str, catalog: Catalog, taken: list) -> tuple[list[tuple[int, int, list]], list]:
    """Spans of the question that name a body in a standard form other than its own
    (「红谷滩区人民政府办公室」 for 红谷滩区政府办, 「红旗区府办」, 「市监局」, 「红谷滩的区府办」): the span's
    places and kind taken to canonical form and looked up among the catalog's names taken there
    too. Returns (start, end, bodies), longest first, not overlapping each other nor `taken` (but
    possibly holding a span of `taken`: the caller decides); a
    span fitting several bodies gives them all (the caller asks which). A generic kind with no
    place (「区府办」 alone) is taken only when a level is written and one body fits it
    (「市府办公厅」 with one city's office held); else it is left to the caller's generic words.
    A kind a question may use for another (人民政府 for its office: 「红旗区政府」 when only the
    office reports) is looked up as that one when the catalog has none of its own there.
    Also returns the spans that write a place with a kind of body no report of that place is
    (「洪泽区府办」 where only 洪泽区人民政府 is held, 「淮安区人民政府」 where only 淮安市 and
    洪泽区 are): no looser matching may take them for another body; they are unknown names."""
    keys, places, cores = _forms_index(catalog)
    from .catalog import _glued
    fm = forms()
    found: dict[tuple[int, int], list | None] = {}  # None: a body the catalog does not hold
    lit_lengths = catalog._forms_literal_lengths
    for e in range(len(q), 0, -1):
        lo = e  # the spans end at e inside one run of Chinese, at most MAX_SPAN long
        while lo > 0 and lo > e - MAX_SPAN and _HAN.fullmatch(q[lo - 1]):
            lo -= 1
        if lo == e:
            continue
        cands = []  # (start, core, kind): a form ending at e, with no core or a core the catalog holds
        for n in fm.lengths:
            f = q[e - n:e] if e - n >= lo else ""
            for kind in fm.by_form.get(f, ()):
                cands.append((e - n, "", kind))
                cands += [(s, q[s:e - n], kind) for s in range(lo, e - n) if (q[s:e - n], kind) in keys]
        cands += [(e - n, q[e - n:e], "") for n in lit_lengths if e - n >= lo and (q[e - n:e], "") in keys]
        for s, core, kind in cands:
            hits = keys.get((core, kind), [])
            asked, start = _place_before(q, s, places, cores)
            named = any(c for c, _ in asked)
            if _glued(q, start):
                continue  # 「海淀区市监局」: a place the index does not hold
            bodies = [b for b, chain in hits if _fits(asked, chain)]
            for alt in (fm.stands_for(kind) if kind and not bodies else ()):
                bodies += [b for b, chain in keys.get((core, alt), []) if _fits(asked, chain) and b not in bodies]
            if kind and not core and fm.generic(kind) and not named and (len(bodies) != 1 or not asked):
                continue  # 「区政府办」 fitting several, 「街道」 with no level: the generic words decide
            if kind and not core and fm.generic(kind) and not named and any(kind in q[ts:te] for ts, te in taken):
                continue  # 「上海市人民政府办公厅…市政府公文」: the kind of a body named in full, said again, describes
            if bodies:
                lst = found.get((start, e)) or []
                found[(start, e)] = lst + [b for b in bodies if b not in lst]
            elif kind and not core and named and (start, e) not in found:
                found[(start, e)] = None  # 「洪泽区府办」 where only 洪泽区人民政府 is held
    out, blocked = [], []
    for (s, e), bodies in sorted(found.items(), key=lambda x: (-(x[0][1] - x[0][0]), x[0][0], x[1] is None)):
        if any(s < oe and os_ < e for os_, oe in blocked + [(x[0], x[1]) for x in out]):
            continue
        if bodies is None:  # may hold a name already taken: 「洪泽区人民政府办公室」 is not 洪泽区人民政府
            if not any(s < te and ts < e and not (s <= ts and te <= e and (s, e) != (ts, te)) for ts, te in taken):
                blocked.append((s, e))
            continue
        if any(s < te and ts < e and not (s <= ts and te <= e and (s, e) != (ts, te)) for ts, te in taken):
            continue  # a span around a name already taken may replace it (「淮安市洪泽区政府」 around 洪泽区政府)
        out.append((s, e, bodies))
    return out, blocked


def written_forms(name: str, region: str = "") -> set[str]:
    """Every standard way of writing a body name: its places with and without their level
    characters, times the forms of its kind (「红谷滩区政府办」 -> 红谷滩区人民政府办公室, 红谷滩政府办,
    红谷滩区府办, …). The typo index corrects a wrong character in any of them."""
    chain = place_chain(region)
    got, rest = _strip_places(name, chain)
    head, f, canon = forms().split(rest)
    first = next((k.canonical for k in forms().kinds if k.canonical in canon), None)  # 政府办: 办公室 before 办公厅
    tails = {rest} | ({head + w for w in forms().written(first)} if first else set())
    named = [(c, l) for c, l in got if c]
    if not named:
        return tails
    inner = named[-1]
    prefixes = {inner[0] + inner[1]} | ({inner[0]} if len(inner[0]) >= 2 else set())
    return {p + t for p in prefixes for t in tails}


def plain(text: str) -> set[str]:
    """A body word with each listed form in canonical form (「区府办」 -> {区人民政府办公室,
    区人民政府办公厅}), for comparing generic words with names by inclusion."""
    head, f, canon = forms().split(text)
    return {head + c for c in canon} or {text}
