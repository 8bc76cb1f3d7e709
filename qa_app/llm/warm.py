"""Keeping the model warm: `warm_up(settings, catalog)` loads the model and reads the two long,
fixed prompt prefixes (understanding, phrasing) into their cache slots, so the first question
of a long-lived process (the chat, the API, an evaluation) pays only for its own words.

It generates one token per prompt and returns the seconds taken; any model error is returned as
text, never raised (warming is an optimisation only).
"""
from __future__ import annotations

import time


def warm_up(settings, catalog) -> tuple[float, str]:
    from . import prompts
    from .models import LLMError, chat_model, invoke
    from .route import _is_openai, messages as route_messages
    t = time.perf_counter()
    try:
        model = chat_model(settings)
        if not _is_openai(model):
            return 0.0, ""
        local = (settings.llm_mode or "").lower() == "local"
        msgs = route_messages("你好", catalog, None)
        kw = {"max_tokens": 1}
        saved = None
        if local:
            from .local import cached_prompt
            kw["extra_body"], saved = cached_prompt(settings.llm_gguf, "route", msgs[0][1])
        invoke(model, msgs[:1] + [("user", "只输出 JSON。")], max(120.0, float(settings.llm_timeout)), **kw)
        if saved:
            saved()
        example_q, example_a = (x.strip() for x in prompts.load("phrase_example").split("=== 回答 ==="))
        pm = [("system", prompts.load("phrase")), ("user", example_q), ("assistant", example_a), ("user", "你好")]
        kw = {"max_tokens": 1}
        saved = None
        if local:
            from .local import cached_prompt
            kw["extra_body"], saved = cached_prompt(settings.llm_gguf, "phrase", pm[0][1] + pm[1][1] + pm[2][1])
        invoke(model, pm, max(120.0, float(settings.llm_timeout)), **kw)
        if saved:
            saved()
    except LLMError as e:
        return time.perf_counter() - t, e.reason
    return time.perf_counter() - t, ""
