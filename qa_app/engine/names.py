"""Names of bodies and places in a question: one wrong character corrected against the
catalog's own names, and against China's divisions (qa_app/gazetteer.py) for places the index
does not hold.

- `correct(question, catalog)`: the question with each name written with one wrong character
  anywhere (「红旗区信访居」, 「虹旗区」, 「红谷滩区正府办」, 「文化接街道」) replaced by the one
  catalog name it is one substitution away from, and the (written, taken) pairs, which the
  answer says (「「红旗区信访居」按「红旗区信访局」理解」). A written form that is itself a real
  division (红桥区 is not 红旗区), a name held already, or one that is as close to two bodies is
  never changed. Matching is by keys with one position blanked, built once per catalog, so a
  question costs the same with ten bodies or ten thousand.
- `place_correction(name)`: a place the index does not hold, corrected by the gazetteer
  (「淮按市」 -> 淮安市), for the refusal to name the real place.
It does not decide which body a question means (catalog.py matches the corrected text).
"""
from __future__ import annotations

import re

from .. import gazetteer
from .catalog import BODY_SUFFIXES, BOUNDARY, Catalog, _core, _weak_alias

_HAN = re.compile(r"[\u4e00-\u9fa5]+")
GLUE = set("的了吗呢么是在和与及或年月日个件份条多少几哪那这")
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


def correct(question: str, catalog: Catalog) -> tuple[str, list[tuple[str, str]]]:
    forms, keys, lengths = _index(catalog)
    if not keys:
        return question, []
    out, fixes = question, []
    for regions in (True, False):  # places first: 「红谷滩去政府办」 is 红谷滩区 misspelt, said so
        out, more = _pass(out, catalog, forms, keys, lengths, regions)
        fixes += more
    return out, fixes


def _pass(out: str, catalog: Catalog, forms, keys, lengths, regions: bool):
    from .lexicon import lexicon
    kind_words = lexicon().regex("BODY_TYPE_WORDS")
    fixes, s = [], 0
    while s < len(out):
        done = False
        for n in lengths:
            w = out[s:s + n]
            if len(w) < n or w in forms or not _HAN.fullmatch(w):
                continue
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
            if any(m.start() <= i < m.end() for m in kind_words.finditer(w)):
                continue  # 「城管局」 is another body than 城建局
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


def place_correction(name: str) -> str:
    """The one real division a place name the index does not hold is one character off
    (「淮按市」 -> 「淮安市」), or ''."""
    m = re.match(r"[\u4e00-\u9fa5]{2,8}?[省市区县]", name)
    word = m.group(0) if m else name
    if _real_place(word):
        return ""
    found = {p.name for p in gazetteer.correct(word)}
    return found.pop() if len(found) == 1 else ""
