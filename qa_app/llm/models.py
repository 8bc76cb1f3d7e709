"""Which chat model answers, and calling it within a deadline.

`chat_model(settings)` gives a LangChain chat model: langchain-openai's ChatOpenAI for
llm_mode=openai (any OpenAI-compatible endpoint: vLLM, Ollama, a cloud API) and for
llm_mode=local (ChatOpenAI pointed at the llama.cpp server that local.py runs in this process).
`use_model(model)` puts any LangChain chat model in their place (tests use LangChain's fake chat
models; an embedding application can bring its own).

Every call runs in a worker thread and is abandoned at the deadline (settings.llm_timeout), so a
slow or hung model becomes an `LLMError` with a Chinese reason, never a hang.
"""
from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
import time
from typing import Any, Iterator

_override: Any = None
_cache: dict = {}
_cache_lock = threading.Lock()


class LLMError(Exception):
    """The model could not give a usable result. `reason` is Chinese, for Answer.notice."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LLMTimeout(LLMError):
    pass


@contextlib.contextmanager
def use_model(model):
    """Use `model` (any LangChain chat model) for every language-model call inside the block."""
    global _override
    prev, _override = _override, model
    try:
        yield model
    finally:
        _override = prev


def chat_model(settings):
    if _override is not None:
        return _override
    mode = (settings.llm_mode or "none").lower()
    if mode == "openai":
        if not settings.llm_base_url:
            raise LLMError("未设置语言模型地址（QA_APP_LLM_BASE_URL）")
        base_url, name, key = settings.llm_base_url, settings.llm_model or "default", settings.llm_api_key or "EMPTY"
    elif mode == "local":
        from .local import LocalModelError, server_url
        try:
            base_url = server_url(settings.llm_gguf)
        except LocalModelError as e:
            raise LLMError(str(e)) from e
        except Exception as e:  # noqa: BLE001 - llama.cpp failing to load a file
            raise LLMError(f"本地模型无法启动（{type(e).__name__}：{e}）") from e
        name, key = settings.llm_model or "local", "EMPTY"
    elif mode == "none":
        raise LLMError("未配置语言模型（QA_APP_LLM_MODE=none）")
    else:
        raise LLMError(f"未知的语言模型模式：{settings.llm_mode}（可选 none、openai、local）")
    ck = (base_url, name, key, float(settings.llm_timeout))
    with _cache_lock:
        m = _cache.get(ck)
        if m is None:
            try:
                from langchain_openai import ChatOpenAI
            except ImportError as e:
                raise LLMError("未安装 langchain-openai（pip install 'qa-app[llm]'）") from e
            m = _cache[ck] = ChatOpenAI(model=name, base_url=base_url, api_key=key, temperature=0,
                                        timeout=float(settings.llm_timeout), max_retries=0)
        return m


def model_name(model) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "_llm_type", None) or type(model).__name__)


def _describe(e: BaseException) -> str:
    name = type(e).__name__
    if "Timeout" in name:
        return "语言模型响应超时"
    if "Connection" in name or isinstance(e, ConnectionError):
        return "无法连接语言模型服务"
    status = getattr(e, "status_code", None)
    if isinstance(status, int):
        return f"语言模型服务返回错误（HTTP {status}）"
    return f"语言模型调用出错（{name}）"


def invoke(model, messages, timeout: float, **kwargs):
    """model.invoke(messages) in a worker thread; LLMError on error or after `timeout` seconds."""
    box: dict = {}
    done = threading.Event()

    def work():
        try:
            box["v"] = model.invoke(messages, **kwargs)
        except BaseException as e:  # noqa: BLE001 - reported to the caller
            box["e"] = e
        finally:
            done.set()

    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(work,), daemon=True, name="qa-llm-invoke").start()
    if not done.wait(timeout):
        raise LLMTimeout(f"语言模型超过 {timeout:g} 秒未回答")
    if "e" in box:
        e = box["e"]
        if isinstance(e, LLMError):
            raise e
        raise LLMError(_describe(e)) from e
    return box["v"]


def stream(model, messages, deadline: float, **kwargs) -> Iterator[str]:
    """Text pieces of model.stream(messages), read from a worker thread until `deadline`
    (time.monotonic()). Closing this generator early stops the worker at its next piece."""
    q: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work():
        it = None
        try:
            it = model.stream(messages, **kwargs)
            for chunk in it:
                if stop.is_set():
                    break
                text = chunk.content if isinstance(chunk.content, str) else "".join(
                    p.get("text", "") if isinstance(p, dict) else str(p) for p in chunk.content)
                if text:
                    q.put(("piece", text))
            q.put(("end", None))
        except BaseException as e:  # noqa: BLE001
            q.put(("error", e))
        finally:
            close = getattr(it, "close", None)
            if close:
                with contextlib.suppress(Exception):
                    close()

    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(work,), daemon=True, name="qa-llm-stream").start()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMTimeout("语言模型回答超时")
            try:
                kind, v = q.get(timeout=remaining)
            except queue.Empty:
                raise LLMTimeout("语言模型回答超时") from None
            if kind == "piece":
                yield v
            elif kind == "end":
                return
            else:
                if isinstance(v, LLMError):
                    raise v
                raise LLMError(_describe(v)) from v
    finally:
        stop.set()
