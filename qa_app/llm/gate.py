"""Where the rules are unsure: the reasons, read from the rules' own reading of a question
(understand.Query), for asking the language model at all.

`reasons(query, question, catalog, history)` lists, in Chinese-free tags, why the rules may have
misread the question:
- "leftover": words the lexicon, the catalog's names and the template's words did not account
  for (「搞城市建设的那个部门」, 「给了的」; in a question read as one about the text only when
  no topic of the text matched it and it does not ask for words: 「批了几个证」, not 「怎么做政策解读」);
- "fuzzy_name": a name matched only after a one-character correction (names.py);
- "unknown_name": a name the catalog does not hold (「红谷滩区人民政府办公室」, 「Honggutan」);
- "ambiguous": a name that fits several bodies, with more words than the name alone;
- "weak_cell": a number asked but the cell named only by a generic word (「申请」);
- "no_referent": a follow-up with no clear referent (「管上访的单位呢」, a bare 「那个呢」);
- "no_body": a prose question that names no body and is not about many bodies on purpose.
An empty list: the rules understood every word; the model is not asked.

It does not decide what the model's answer is worth (route.py validates and merges it) and it
does not call the model.
"""
from __future__ import annotations

import re

from .. import template as T
from ..engine.lexicon import lexicon
from ..tables import fold

# Words that carry no meaning of their own in a question (after names, cells, cues are gone).
FILLER = ("的", "了", "吗", "呢", "么", "吧", "啊", "呀", "哈", "嘛", "是", "在", "和", "与", "及", "或", "跟", "同",
          "年", "月", "日", "个", "件", "份", "条", "项", "次", "多少", "几", "哪", "那", "这", "请", "问", "一下", "有",
          "没有", "没", "共", "一共", "总共", "都", "也", "还", "又", "就", "被", "把", "给我", "我", "你", "们", "他",
          "它", "其", "中", "里", "上", "下", "对", "为", "以", "于", "从", "到", "由", "之", "所", "得", "地", "着",
          "过", "要", "会", "能", "可以", "怎么", "如何", "什么", "哪些", "多", "少", "数", "数量", "情况", "方面",
          "工作", "报告", "年度", "今年", "去年", "前年", "上年", "本年", "全年", "一年", "当年", "呢", "啥", "么样",
          "有关", "相关", "关于", "具体", "主要", "分别", "各", "每", "总计", "合计", "多大", "哪个", "哪一个",
          "单位", "部门", "机关", "政府", "信息", "公开", "政府信息", "申请", "办理", "处理", "收到", "件数", "是多少",
          "有多少", "有几", "一些", "方面的", "时候", "当时", "其中", "以及", "并且", "或者", "还是", "决定", "来自",
          "公示", "发布", "通过", "查一下", "看看", "看一下", "告诉", "一共有", "共有", "总数", "数目", "个数", "结果",
          "事项", "案件", "案子", "比例", "占比", "变化", "增加", "减少", "对比", "比较", "相比", "分别是")
HAN = re.compile(r"[\u4e00-\u9fa5]+")
EN_STOP = {"the", "and", "did", "does", "how", "many", "much", "what", "which", "receive", "received", "in",
           "of", "for", "was", "were", "are", "is", "its", "their", "report", "year", "with", "from"}
# Describing a body instead of naming it: 「管上访的」, 「搞城建的」, 「那边」, 「那个局」.
BODY_WORDS = re.compile(r"管.{1,6}的|搞.{1,6}的|负责.{1,6}的|那边|这边|那个(局|部门|单位|办)|这个(局|部门|单位|办)|口子")


# Asking for words, not a number (「公开了什么」, 「怎么做」).
WHAT_CUES = r"什么|啥|怎么|怎样|如何|哪些|为什么|what|how\b"
# Single characters that say nothing on their own (others, such as 给 in 「给了的」, do).
SINGLE_GLUE = set("年件个多少几的了吗呢么是在有和与及或各每共都也还就被把其中里上下对为以于从到由之所得地着过要会能"
                  "那这哪啥请问我你他它们一二三四五六七八九十两")
FOLLOW = re.compile(r"^(那|那么|还有|再|和|与|跟|同|换成|what about)|呢[?？]?$")


def _cell_words() -> list[str]:
    words = set()
    for rows in (T.APPLICATION_ROWS, T.PROACTIVE_ROWS_2021, T.PROACTIVE_ROWS_2019, T.REVIEW_ROWS):
        for r in rows:
            words.update(w for w in r.words if HAN.fullmatch(w or ""))
            label = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]|^\d+[.、]", "", r.label)
            words.update(HAN.findall(label))
    for cols in (T.APPLICATION_COLUMNS, T.PROACTIVE_COLUMNS, T.REVIEW_COLUMNS):
        for c in cols:
            words.update(HAN.findall(c.label))
    words.update(("复议", "行政复议", "诉讼", "行政诉讼", "起诉", "直接起诉", "复议后起诉", "维持", "纠正", "审结",
                  "尚未审结", "自然人", "企业", "法人", "许可", "处罚", "强制", "收费", "规章", "规范性文件"))
    return sorted((w for w in words if len(w) >= 2), key=len, reverse=True)


_CELL_WORDS: list[str] | None = None


def cell_words() -> list[str]:
    global _CELL_WORDS
    if _CELL_WORDS is None:
        _CELL_WORDS = _cell_words()
    return _CELL_WORDS


def leftover_words(question: str, query, catalog) -> list[str]:
    """Words of the question nothing in the rules' reading accounts for (2+ Chinese characters,
    or a Latin word), in order."""
    from ..engine.understand import PROSE_TOPICS
    L = lexicon()
    q = fold(question).lower()
    q, _ = L.strip(q, "instruction")
    cut: list[tuple[int, int]] = []

    def mark(pattern_or_word, regex=False):
        if not pattern_or_word:
            return
        rx = pattern_or_word if regex else re.compile(re.escape(pattern_or_word.lower()))
        for m in rx.finditer(q):
            if m.end() > m.start():
                cut.append((m.start(), m.end()))

    for h in L.find(q):
        cut.append((h.start, h.end))
    names = set(query.said) | set(query.unknown) | set(query.regions)
    for b in list(query.bodies) + list(query.ambiguous):
        names |= set(b.names) | {b.agency, b.region_short or "", b.region or ""}
    for pair in re.findall(r"「([^」]+)」按「([^」]+)」理解", query.name_note or ""):
        names |= set(pair)
    for n in sorted((n for n in names if n), key=len, reverse=True):
        mark(n)
    for label in ("NUMBER_CUES", "PROSE_CUES", "COLLECTIVE", "FOLLOW_START", "FOLLOW_COMPARE"):
        try:
            mark(L.regex(label), regex=True)
        except Exception:  # noqa: BLE001 - a label the lexicon no longer has
            pass
    for _, pat, _ in PROSE_TOPICS:
        mark(re.compile(pat), regex=True)
    mark(re.compile(r"(?<!\d)(?:19|20)?\d{2}\s*年?|今年|去年|前年|上一年|上年度"), regex=True)
    for w in cell_words():
        mark(w)
    keep = [True] * len(q)
    for a, b in cut:
        for i in range(a, min(b, len(q))):
            keep[i] = False
    rest = "".join(ch if k else " " for ch, k in zip(q, keep))
    out = []
    for run in HAN.findall(rest):
        for f in sorted(FILLER, key=len, reverse=True):
            run = run.replace(f, " ")
        out += [w for w in run.split() if len(w) >= 2 or w not in SINGLE_GLUE]
    if query.cell is None and not query.bodies:  # English words count only where nothing was read
        out += [w for w in re.findall(r"[a-z]{3,}", rest) if w not in EN_STOP]
    return out


def reasons(query, question: str, catalog, history=None, plan=None) -> list[str]:
    """Why the rules may be wrong about `question` (see the module doc); [] when they are sure."""
    out = []
    if query.unsupported if hasattr(query, "unsupported") else False:
        return []
    # a prose question's own words are what it asks about (retrieval reads them), not leftovers;
    # but a prose reading that matched no topic of the text is only what was left when no cell
    # was found (「批了几个证」, 「挨过告吗」), and a name that fits several bodies may be an
    # abbreviation the rules do not know (「红旗区府办」): there the words count
    words_asked = query.topics or re.search(WHAT_CUES, question.lower())  # 「怎么做政策解读」 asks for text
    left = [] if query.prose and words_asked and not query.ambiguous else leftover_words(question, query, catalog)
    if left:
        out.append("leftover")
    if query.name_note:
        out.append("fuzzy_name")
    if query.unknown:
        out.append("unknown_name")
    if query.ambiguous and left:
        out.append("ambiguous")
    cell = query.cell
    if cell is not None and getattr(cell, "weak", False) and query.wants_number and left:
        out.append("weak_cell")
    collective = bool(re.search(lexicon().regex("COLLECTIVE"), fold(question).lower()))
    named = query.bodies or query.regions or query.ambiguous or query.unknown
    if ("bodies" in query.inherited and BODY_WORDS.search(question)) or (plan is not None and plan.needs_context) \
            or (history and not named and not collective and FOLLOW.search(fold(question).strip().lower())):
        out.append("no_referent")  # a follow-up whose earlier turns named no body the rules found
    if query.prose and not named and not collective:
        out.append("no_body")
    return out
