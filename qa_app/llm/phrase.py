"""Prose answers written by the language model from the passages the extractive answer cites.

The engine first builds its extractive answer (sentences quoted from the report, with
citations). The model is given those cited passages, numbered as the citations are, and
writes a short Chinese answer with [n] markers. verify.py then decides: an answer whose numbers
are all in the cited passages, whose markers all exist, which keeps the number asked for and
is an answer at all replaces the extractive text; anything else, or a model that errs, hangs or
times out, leaves the extractive answer in place with a Chinese `notice` saying why.

While streaming (engine.ask_stream) the verified text is passed to a sink piece by piece.
"""
from __future__ import annotations

import contextvars
import re
import time
from dataclasses import replace

from ..answer import Answer
from . import prompts
from .models import LLMError, LLMTimeout, chat_model, model_name, stream
from .route import _history_texts, is_follow_up
from .verify import (NOT_FOUND, Rejected, StreamGuard, check_final, check_units, foreign_bodies,
                     material_numbers, unsupported_sentences)

# Set by engine.ask_stream (through stream.py): a callable that receives verified text pieces.
SINK: contextvars.ContextVar = contextvars.ContextVar("qa_app_llm_sink", default=None)


def clean_quote(quote: str) -> str:
    """A passage as the model sees it: markers printed inside it (「…的报告。[1]」) taken out, so
    text in a report cannot pose as a citation."""
    return re.sub(r"\[\s*\d+\s*\]|【\s*\d+\s*】|［\s*\d+\s*］", "", quote or "")


def _material(ans: Answer) -> list[tuple[int, str, str]]:
    out = []
    for c in ans.citations:
        head = f"{c.agency or ''} {c.year or ''}年报告 · {c.section or '正文'}".strip()
        if c.row:
            head += f" · {c.row} · {c.column}"
        out.append((c.n, head, clean_quote(c.quote)))
    return out


def _previous_question(history) -> str:
    prev = _history_texts(history, users_only=True)
    return prev[-1] if prev else ""


def messages(ans: Answer, history=None) -> list[tuple[str, str]]:
    """System prompt from prompts/phrase.md, a one-shot example; the cited passages first, the
    question last (with the previous question when this one is a short follow-up)."""
    d = ans.debug or {}
    scope = []
    if d.get("bodies"):
        scope.append("、".join(d["bodies"]))
    if d.get("years"):
        scope.append("、".join(f"{y}年" for y in d["years"]))
    parts = ["摘录："]
    for n, head, quote in _material(ans):
        parts.append(f"[{n}] {head}\n<<<\n{quote}\n>>>")
    prev = _previous_question(history) if is_follow_up(ans.question) else ""
    if prev:
        parts.append(f"上一个问题：{prev}")
    parts.append(f"问题：{ans.question}" + (f"（涉及：{'，'.join(scope)}）" if scope else ""))
    parts.append("回答（每句末尾标注摘录编号）：")
    example_q, example_a = (x.strip() for x in prompts.load("phrase_example").split("=== 回答 ==="))
    return [("system", prompts.load("phrase")), ("user", example_q), ("assistant", example_a),
            ("user", "\n".join(parts))]


def phrase_with_llm(ans: Answer, settings, history=None) -> Answer:
    """The model's verified rewrite of a text answer, or `ans` itself with a notice."""
    if ans.kind != "text" or not ans.citations or not should_phrase(ans, settings):
        return ans
    sink = SINK.get()
    t0 = time.perf_counter()
    quotes = [c.quote for c in ans.citations]
    allowed = material_numbers(quotes, [c.year for c in ans.citations])
    guard = StreamGuard(allowed, len(ans.citations))
    info = {"extractive": ans.answer}
    try:
        model = chat_model(settings)
        info["model"] = model_name(model)
        deadline = time.monotonic() + float(settings.llm_timeout)
        msgs = messages(ans, history)
        kwargs, saved = {}, None
        if _is_openai(model):
            kwargs["max_tokens"] = answer_tokens("\n".join(quotes + [c.agency for c in ans.citations if c.agency]))
            if (settings.llm_mode or "").lower() == "local":
                from .local import cached_prompt
                kwargs["extra_body"], saved = cached_prompt(settings.llm_gguf, "phrase",
                                                            msgs[0][1] + msgs[1][1] + msgs[2][1])
        pieces = stream(model, msgs, deadline, **kwargs)
        try:
            for piece in pieces:
                safe = guard.feed(piece)
                if safe and sink is not None:
                    sink(safe)
        finally:
            pieces.close()
        if saved is not None:
            saved()
        agencies = [c.agency for c in ans.citations if c.agency]
        if NOT_FOUND.search(guard.text()):
            return _not_found(ans, info, t0)
        text = check_final(guard.text(), allowed, len(ans.citations), ans.value, "\n".join(quotes + agencies),
                           ans.question, agencies)
        check_meaning(text, [clean_quote(q) for q in quotes], agencies, settings,
                      [c.value for c in ans.citations])
        rest = text[guard.shown:]
        if rest and sink is not None:
            sink(rest)
    except LLMTimeout:
        return _fallback(ans, f"语言模型超过 {float(settings.llm_timeout):g} 秒未完成回答，已改用原文摘录", info, t0)
    except LLMError as e:
        return _fallback(ans, f"{e.reason}，已改用原文摘录", info, t0)
    except Rejected as e:
        info["rejected_text"] = guard.text()[:400]
        return _fallback(ans, f"语言模型的回答未通过核对（{e}），已改用原文摘录", info, t0)
    info.update(ms=round((time.perf_counter() - t0) * 1000), verified=True)
    return replace(ans, answer=text, debug={**ans.debug, "llm": info})


def answer_tokens(material: str, most: int = 200) -> int:
    """max_tokens for a rewrite of `material`: check_final rejects an answer longer than 1.5 times
    its material plus 60 characters, and a Qwen token holds at least one Chinese character, so
    tokens past that are never kept; at most `most` (one to three sentences)."""
    return max(48, min(most, int(1.5 * len(material)) + 60))


def should_phrase(ans: Answer, settings) -> bool:
    """settings.llm_phrase: "always", "never", or "unsure": the model read the question, or the
    quoted passage shares under a third of the question's content words (the model then says
    whether it answers the question at all) — but never when the extractive answer already
    answers: a number question whose quoted sentence states that number (answered_by_quote)."""
    mode = (getattr(settings, "llm_phrase", "unsure") or "unsure").lower()
    if mode in ("always", "never"):
        return mode == "always"
    if answered_by_quote(ans):
        return False  # the quoted sentence states the number asked, next to the question's words
    if "model" in (ans.debug or {}).get("inherited", []):
        return True
    from .verify import _grams_of
    names = {w for c in ans.citations for w in (c.agency or "", )}
    q = ans.question
    for n in names:
        q = q.replace(n, " ")
    grams = _grams_of(q)
    text = "".join(c.quote for c in ans.citations)
    return bool(grams) and len({g for g in grams if g in text}) < len(grams) / 3


def answered_by_quote(ans: Answer) -> bool:
    """The extractive answer's number (ans.value, read from the quoted sentence) is printed in a
    cited passage right after words of the question (「公众号…主动公开各类信息 553 条」 for
    「公众号发了多少」): a rewrite would only say the same sentence again, slower."""
    if ans.value is None:
        return False
    from .verify import _canon, _grams_of, number_contexts
    q = ans.question
    for a in {c.agency for c in ans.citations if c.agency}:
        q = q.replace(a, " ")
    grams, want = _grams_of(q), _canon(str(ans.value))
    return any(num == want and _grams_of(before) & grams
               for c in ans.citations for num, _unit, before in number_contexts(c.quote))


def check_meaning(text: str, quotes: list[str], agencies: list[str], settings, values=()) -> None:
    """Rejected unless every number keeps its unit and what it counts, every body named is a
    cited report's body, and each sentence is supported by the passage it cites."""
    check_units(text, quotes, values)
    from .. import gazetteer
    try:
        from ..engine import get_catalog, get_store
        known = sorted({n for b in get_catalog(get_store(settings)).bodies.values() for n in b.names | {b.agency}
                        if len(n) >= 3})
    except Exception:  # noqa: BLE001 - the names of the cited reports still count
        known = []
    bad = foreign_bodies(text, agencies, known, gazetteer.mentions)
    if bad:
        raise Rejected(f"写了引用报告之外的单位或地方「{bad[0]}」")
    loose = unsupported_sentences(text, quotes, agencies)
    if loose:
        raise Rejected(f"「{loose[0][:20]}」一句在引用原文中找不到依据")


def _not_found(ans: Answer, info: dict, t0: float) -> Answer:
    """The model found that the passages do not answer the question: say so, and show the
    nearest passage as what it is (never a paraphrase of it)."""
    info.update(ms=round((time.perf_counter() - t0) * 1000), verified=True, not_found=True)
    text = "报告中没有找到直接回答这个问题的内容。检索到的最接近的原文：" + ans.answer
    return replace(ans, answer=text, value=None, debug={**ans.debug, "llm": info})


def _fallback(ans: Answer, why: str, info: dict, t0: float) -> Answer:
    info.update(ms=round((time.perf_counter() - t0) * 1000), verified=False, reason=why)
    notice = "；".join(x for x in (ans.notice, why) if x)
    return replace(ans, notice=notice, debug={**ans.debug, "llm": info})


def _is_openai(model) -> bool:
    return any(c.__name__ in ("ChatOpenAI", "AzureChatOpenAI") for c in type(model).__mro__)
