"""Streaming an answer token by token (engine.ask_stream with a language model).

`ask()` runs in a worker thread with a sink set (phrase.SINK); the model's verified text pieces
pass through a queue to the generator the chat iterates. The final `Answer` comes when ask()
returns. See engine.ask_stream for the contract.
"""
from __future__ import annotations

import contextvars
import queue
import threading

from .phrase import SINK


class Cancelled(Exception):
    """The consumer stopped reading the stream."""


def stream_answer(ask_fn, question, history, settings, filters, store, on_answer=None):
    q: queue.Queue = queue.Queue()
    gone = threading.Event()

    def sink(piece: str) -> None:
        if gone.is_set():
            raise Cancelled()
        q.put(("piece", piece))

    def work():
        SINK.set(sink)
        try:
            q.put(("answer", ask_fn(question, history, settings, filters, store, use_llm=True)))
        except Cancelled:
            q.put(("answer", None))
        except BaseException as e:  # noqa: BLE001 - re-raised in the consumer
            q.put(("error", e))

    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(work,), daemon=True, name="qa-ask-stream").start()
    shown: list[str] = []
    try:
        while True:
            kind, v = q.get()
            if kind == "piece":
                shown.append(v)
                yield v
            elif kind == "error":
                raise v
            else:
                ans = v
                break
    finally:
        gone.set()
    streamed = "".join(shown)
    if not streamed:
        yield ans.answer
    elif streamed != ans.answer:
        # the model's text failed verification after part of it was shown: say so, then the
        # answer that stands (a consumer that follows the contract shows ans.answer instead)
        yield f"\n\n（{ans.notice or '以下为原文摘录'}）\n\n{ans.answer}"
    if on_answer is not None:
        on_answer(ans)
    return ans
