"""Verification of a model-written answer against what it cites. Pure functions, no model.

A model-written answer is kept only if every number in it appears in its cited passages or
cells (or is the year of a cited report), every [n] marker names a citation that exists, it
keeps the number the question asked for, it says whose report it is, and it is an answer rather
than a refusal, an echo of the prompt or of the question, or noise.
`StreamGuard` applies the same rules while the answer streams: text is released only up to
the last complete number or marker, so nothing unverified is ever shown; a violation stops the
stream at once.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
# measure words after a Chinese numeral that make it a quantity (「九百九十四条」, 「三级」 is not one)
CN_MEASURE = "条件个次篇项元人家份场期批名位天日月年倍类部所处户套台起宗余多"
MARKER = re.compile(r"\[(\d+)\]")
REFUSAL = re.compile(r"摘录中没有相关内容|摘录中没有|材料中没有相关内容|材料中没有|材料未提及|没有提到|未提及|无法回答|无法确定|没有相关(信息|内容)")


class Rejected(Exception):
    """The model's text fails verification; the message is Chinese."""


def fold(text: str) -> str:
    """NFKC for reading numbers; the Chinese comma stays a separator, never a thousands comma."""
    return unicodedata.normalize("NFKC", (text or "").replace("，", "、"))


WIDE = str.maketrans("０１２３４５６７８９［］", "0123456789[]")


def normalize(text: str) -> str:
    """Fold full-width forms, unify markers (【1】, ［1］, [1,2] -> [1][2]), drop <think> blocks."""
    t = (text or "").translate(WIDE)
    t = re.sub(r"<think>.*?</think>", "", t, flags=re.S)
    t = re.sub(r"【\s*(\d+)\s*】", r"[\1]", t)
    t = re.sub(r"\[\s*(\d+(?:\s*[,，、]\s*\d+)+)\s*\]", lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), t)
    t = re.sub(r"\[\s+(\d+)\s*\]|\[(\d+)\s+\]", lambda m: f"[{m.group(1) or m.group(2)}]", t)
    return t.lstrip()


def _canon(num: str) -> str:
    s = num.replace(",", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return s
    return format(d.normalize(), "f") if d == d.to_integral() else str(d.normalize())


def cn_to_int(s: str) -> int | None:
    """「九百九十四」 -> 994, 「一万二千」 -> 12000, 「十二」 -> 12; None when not a number."""
    if not s or any(ch not in CN_CHARS for ch in s):
        return None
    if not any(ch in CN_DIGITS for ch in s) and not s.startswith("十"):
        return None  # 「万」 of 「万元」 alone is a unit, not a number
    if all(ch in CN_DIGITS for ch in s):
        return int("".join(str(CN_DIGITS[ch]) for ch in s)) if len(s) > 1 else CN_DIGITS[s]
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            unit = CN_UNITS[ch]
            if unit >= 10_000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def numbers(text: str) -> list[str]:
    """Numbers stated in text, canonical (「1,234.50」 -> 「1234.5」), [n] markers left out;
    Chinese numerals count when a measure word follows (「九百九十四条」 -> 「994」)."""
    t = MARKER.sub(" ", fold(text))
    out = [_canon(m) for m in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", t)]
    for m in re.finditer(rf"([{CN_CHARS}]+)(?=[{CN_MEASURE}])", t):
        run = m.group(1)
        if run == "一":  # 「一个」「一条」 read as an article
            continue
        v = cn_to_int(run)
        if v is not None:
            out.append(str(v))
    return out


def material_numbers(texts: list[str], years: list) -> set[str]:
    allowed = {str(y) for y in years if y}
    for t in texts:
        allowed.update(numbers(t))
    return allowed


def markers(text: str) -> list[int]:
    return [int(n) for n in MARKER.findall(text)]


def check_partial(text: str, allowed: set[str], n_citations: int) -> None:
    """Numbers and markers of (a complete prefix of) a model answer."""
    bad = [n for n in markers(text) if not 1 <= n <= n_citations]
    if bad:
        raise Rejected(f"引用了不存在的出处[{bad[0]}]")
    extra = [n for n in numbers(text) if n not in allowed]
    if extra:
        raise Rejected(f"写了引用原文中没有的数字{extra[0]}")


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1) if re.match(r"[\u4e00-\u9fa5]{2}", s[i:i + 2])}


BODY_SUFFIXES = ("人民政府办公室", "政府办公室", "人民政府", "街道办事处", "办事处", "办公室", "政府办", "政府", "街道",
                 "委员会", "局", "委", "中心", "镇", "乡")


def who_words(agency: str) -> set[str]:
    """Words that say which body a text is about: 红旗区信访局 -> {红旗区信访局, 信访局, 信访};
    a body whose name is only its place and a generic word (红谷滩区政府办) -> its place (红谷滩)."""
    out, rest, places = {agency}, agency, []
    while True:
        m = re.match(r"^([\u4e00-\u9fa5]{2,}?)[省市区县](.{2,})$", rest)
        if not m:
            break
        places.append(m.group(1))
        rest = m.group(2)
    core = rest
    for suf in BODY_SUFFIXES:
        if core.endswith(suf) and len(core) > len(suf):
            core = core[: -len(suf)]
            break
    if core in BODY_SUFFIXES or rest in BODY_SUFFIXES:
        out.update(places[-1:])
    else:
        out.update({rest, core} if len(core) >= 2 else {rest})
    return out


def check_final(text: str, allowed: set[str], n_citations: int, value=None, material: str = "",
                question: str = "", agencies: list[str] | None = None) -> str:
    """The whole answer: returns the text to show (with [1] added when there is only one source
    and the model left the marker out), or raises Rejected."""
    text = text.strip()
    if not text or not re.search(r"[\u4e00-\u9fa5]", text):
        raise Rejected("回答为空或不是中文")
    if len(text) > 800:
        raise Rejected("回答过长")
    if re.search(r"<<<|>>>|^\s*(材料|摘录|问题|回答)[:：]", text, re.M):
        raise Rejected("回答照搬了提示内容")
    if material and len(text) > 1.5 * len(material) + 60:
        raise Rejected("回答比引用原文还长")
    if REFUSAL.search(text):
        raise Rejected("模型认为摘录不足以回答")
    check_partial(text, allowed, n_citations)
    for agency in dict.fromkeys(a for a in agencies or [] if a):
        if not any(w in text for w in who_words(agency)):
            raise Rejected(f"没有说明是{agency}的报告")
    if not markers(text):
        if n_citations == 1:
            text += "[1]"  # appended, so a streamed answer only grows
        else:
            raise Rejected("没有标注出处")
    if value is not None and _canon(str(value)) not in numbers(text):
        raise Rejected(f"漏掉了所问的数字{value}")
    if material:
        grams, mat = _bigrams(text), _bigrams(material)
        if grams and len(grams & mat) / len(grams) < 0.3:
            raise Rejected("回答与引用原文关系不大")
        new_info = grams & mat - _bigrams(question)
        new_numbers = set(numbers(text)) - set(numbers(question))
        if question and grams and not new_numbers and len(new_info) < max(2, 0.25 * len(grams)):
            raise Rejected("回答只是复述了问题")
    return text


# Text held back at the end of a stream until it is complete: a number (digits, decimal point,
# thousands comma), a Chinese numeral run, an open [n] marker or an open <think> tag.
HOLD = re.compile(rf"(\[[\d\s,，、]*|【[\d\s]*|<[a-z/]*|[\d.,]*\d[.,]?|[{CN_CHARS}]+)$")


class StreamGuard:
    """Feed the model's pieces; get back the text that is safe to show now (see module doc)."""

    def __init__(self, allowed: set[str], n_citations: int):
        self.allowed = allowed
        self.n = n_citations
        self.raw = ""
        self.shown = 0

    def feed(self, piece: str) -> str:
        self.raw += piece
        if "<think>" in self.raw and "</think>" not in self.raw:
            return ""
        text = normalize(self.raw)
        if re.search(r"<<<|>>>|(摘录|问题|回答)[^\n]{0,12}[:：]\s*$", text, re.M):
            raise Rejected("回答照搬了提示内容")
        m = HOLD.search(text)
        safe = len(text) - (len(m.group(0)) if m else 0)
        if safe <= self.shown:
            return ""
        check_partial(text[:safe], self.allowed, self.n)
        out = text[self.shown:safe]
        self.shown = safe
        return out

    def text(self) -> str:
        return normalize(self.raw)


# ---------------------------------------------------------------------------------------
# Meaning checks: units and what a number counts, bodies named, sentences supported

# Units printed right after a number (longest first).
UNITS = ("个百分点", "万元", "千元", "亿元", "元", "条", "件", "篇", "次", "个", "项", "期", "场", "家", "份", "人次", "人",
         "名", "天", "日", "%", "％", "批", "部", "类", "户", "所", "期", "余条", "余件", "多条", "多件", "万人次")
_NUM_AT = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)")
# Bigrams that say nothing about what a number counts.
GENERIC_GRAMS = {"共计", "累计", "全年", "其中", "一共", "总共", "合计", "通过", "年度", "本年", "今年", "去年", "发布", "共发",
                 "全部", "各类", "相关", "主要", "已经", "进行", "开展", "完成", "办理", "工作", "情况", "方面", "政府",
                 "信息", "公开", "政府信息", "我局", "我办", "本局", "本单位", "报告", "年报"}


def _unit_after(text: str, end: int) -> str:
    tail = text[end:end + 6].lstrip()  # 「612 条」: a space between number and unit
    return next((u for u in sorted(UNITS, key=len, reverse=True) if tail.startswith(u)), "")


def _grams_of(s: str) -> set[str]:
    return {g for g in _bigrams(s) if g not in GENERIC_GRAMS and not re.search(r"年|月|日", g)}


def number_contexts(text: str) -> list[tuple[str, str, str]]:
    """(number, unit, the words before it) for every Arabic number of `text` ([n] markers and
    years followed by 年 left out): 「发布各类信息994条」 -> ("994", "条", "发布各类信息")."""
    t = MARKER.sub(" ", fold(text))
    out = []
    for m in _NUM_AT.finditer(t):
        if t[m.end():m.end() + 1] == "年" or t[m.end():m.end() + 1] in ("月", "日"):
            continue
        before = t[max(0, m.start() - 14):m.start()]
        before = re.split(r"[。；;！!？?\n]", before)[-1]
        out.append((_canon(m.group(1)), _unit_after(t, m.end()), before))
    return out


def check_units(text: str, quotes: list[str], values: list = ()) -> None:
    """Every number keeps the unit and the thing it counts that a cited passage prints next to
    it: 「工作经费投入3940元」 is rejected when the passage says 「收取信息处理费3940元」.
    Numbers of cited table cells (`values`) need only appear."""
    cells = {_canon(str(v)) for v in values if v is not None}
    sources = [number_contexts(q) for q in quotes]
    for num, unit, before in number_contexts(text):
        occ = [(u, b) for ctx in sources for n, u, b in ctx if n == num]
        if not occ:
            if num in cells:
                continue
            continue  # a number missing altogether is check_partial's to report
        if unit and not any(u == unit or (u and (u.endswith(unit) or unit.endswith(u))) for u, _ in occ):
            if num in cells and not any(u for u, _ in occ):
                continue
            raise Rejected(f"数字{num}的单位「{unit}」与原文不同")
        mine = _grams_of(before)
        if mine and not any(mine & _grams_of(b) for _, b in occ if b) and not any(
                any(g in q for g in mine) and num in numbers(q) and _near(q, num, mine) for q in quotes):
            raise Rejected(f"数字{num}在原文里说的不是「{before.strip()[-8:]}」")


def _near(quote: str, num: str, grams: set[str], window: int = 30) -> bool:
    t = MARKER.sub(" ", fold(quote))
    for m in _NUM_AT.finditer(t):
        if _canon(m.group(1)) == num:
            ctx = t[max(0, m.start() - window):m.end() + 6]
            if any(g in ctx for g in grams):
                return True
    return False


NAME_LIKE = re.compile(r"[\u4e00-\u9fa5]{2,12}?(?:人民政府办公室|政府办公室|人民政府|政府办|街道办事处|办事处|街道"
                       r"|委员会|[^的和与及、]局|委|中心)")


def foreign_bodies(text: str, cited: list[str], known: list[str] = (), places=None) -> list[str]:
    """Bodies and places `text` names that are not those of the cited reports: any name of a
    body the catalog holds (`known`), a division of the gazetteer, or a name-like phrase
    (「淮安市人民政府」) that is not part of a cited body's name."""
    own = set()
    for a in cited:
        own |= who_words(a) | {a}
    own_text = "".join(sorted(own))

    def ours(name: str) -> bool:
        return any(name in a or a in name for a in cited) or name in own_text or any(w in name for w in own if len(w) >= 3)

    out = []
    t = MARKER.sub(" ", text)
    # a catalog name inside a longer name of a cited body (区人民政府办公室 of 「红谷滩区人民政府办公室」,
    # the user's own name for 红谷滩区政府办) is that body, not another one
    bare = NAME_LIKE.sub(lambda m: " " * len(m.group(0)) if ours(m.group(0)) else m.group(0), t)
    for k in sorted(known, key=len, reverse=True):
        if k and k in bare and not ours(k):
            out.append(k)
    if places is not None:
        for _s, _e, p in places(t):
            if not ours(p.name) and not any(p.name in a for a in cited):
                out.append(p.name)
    for m in NAME_LIKE.finditer(t):
        name = m.group(0)
        if re.search(r"[省市区县]", name) and not ours(name) and not any(name.endswith(w) for w in own):
            out.append(name)
    return list(dict.fromkeys(out))


SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])")


def unsupported_sentences(text: str, quotes: list[str], cited: list[str] = (), min_share: float = 0.5) -> list[str]:
    """Sentences of `text` that their cited passages do not support: fewer than `min_share` of
    their content bigrams (body names and generic words left out) appear in the passage(s) the
    sentence marks (all cited passages when it marks none)."""
    names = set()
    for a in cited:
        names |= who_words(a)
    bad = []
    for sent in SENT_SPLIT.split(text):
        marks = [n for n in markers(sent) if 1 <= n <= len(quotes)]
        body = MARKER.sub("", sent)
        for n in sorted(names, key=len, reverse=True):
            body = body.replace(n, " ")
        grams = _grams_of(body)
        if len(grams) < 3:
            continue
        src = "".join(quotes[n - 1] for n in marks) if marks else "".join(quotes)
        have = {g for g in grams if g in src}
        if len(have) < min_share * len(grams):
            bad.append(sent.strip())
    return bad


NOT_FOUND = re.compile(r"^\s*报告中没有找到")
