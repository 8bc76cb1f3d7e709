"""`qa-app eval --llm` with every model reply recorded, and replayed without the model.

A developer tool, not part of the product. A real-model evaluation of the language-model mode
takes minutes to hours on a shared 2-core machine; the model's replies are deterministic
(temperature 0, JSON schema), so recording them once lets every later change of the checks,
the gate or the merge (llm/route.py, gate.py, verify.py) be re-judged in seconds on exactly
the same replies. A reply is keyed by the request's messages, response_format and max_tokens:
a changed prompt is a miss (counted at the end; in --replay-only mode the call fails and the
engine falls back to the rules' reading or the extract, as it would with a model error).

    python scripts/llm_record.py QUESTIONS.jsonl OUT.txt --index IDX --gguf MODEL.gguf [--rec REC.jsonl]
    python scripts/llm_record.py QUESTIONS.jsonl OUT.txt --index IDX --rec REC.jsonl --replay-only

It does not build the index (tests/llm_corpus.py does) and talks only to the local llama.cpp
server that qa_app.llm.local runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("questions")
    ap.add_argument("out")
    ap.add_argument("--index", required=True)
    ap.add_argument("--gguf", default=os.environ.get("QA_APP_LLM_GGUF", ""))
    ap.add_argument("--rec", default="llm_replies.jsonl")
    ap.add_argument("--replay-only", action="store_true")
    ap.add_argument("--timeout", type=float, default=900.0)
    a = ap.parse_args()

    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_openai import ChatOpenAI

    from qa_app.engine.evaluate import load
    from qa_app.llm import use_model
    from qa_app.llm.evaluate import run
    from qa_app.settings import Settings

    cache: dict[str, str] = {}
    if os.path.exists(a.rec):
        for line in open(a.rec, encoding="utf-8"):
            d = json.loads(line)
            cache[d["k"]] = d["v"]
    misses = [0]

    def key(messages, kw) -> str:
        ms = [(m[0], m[1]) if isinstance(m, tuple) else (m.type, m.content) for m in messages]
        k = {x: v for x, v in kw.items() if x in ("response_format", "max_tokens")}
        return hashlib.sha1(json.dumps([ms, k], ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def save(k: str, v: str) -> None:
        cache[k] = v
        with open(a.rec, "a", encoding="utf-8") as f:
            f.write(json.dumps({"k": k, "v": v}, ensure_ascii=False) + "\n")

    class Recording(ChatOpenAI):  # a ChatOpenAI, so the engine sends it the schema and the cache slot
        def invoke(self, messages, **kw):
            k = key(messages, kw)
            if k in cache:
                return AIMessage(content=cache[k])
            misses[0] += 1
            if a.replay_only:
                raise ConnectionError("not recorded")
            msg = super().invoke(messages, **kw)
            save(k, msg.content)
            return msg

        def stream(self, messages, **kw):
            k = key(messages, kw)
            if k in cache:
                yield AIMessageChunk(content=cache[k])
                return
            misses[0] += 1
            if a.replay_only:
                raise ConnectionError("not recorded")
            acc = ""
            for ch in super().stream(messages, **kw):
                acc += ch.content if isinstance(ch.content, str) else ""
                yield ch
            save(k, acc)

    settings = Settings.load(index=a.index, llm_mode="local" if a.gguf else "openai", llm_gguf=a.gguf,
                             llm_timeout=a.timeout)
    base = "http://127.0.0.1:9/v1"
    if not a.replay_only:
        from qa_app.llm.local import server_url
        base = server_url(a.gguf)
    model = Recording(model="local", base_url=base, api_key="EMPTY", temperature=0, timeout=a.timeout, max_retries=0)
    with open(a.out, "w", encoding="utf-8") as out, use_model(model):
        res = run(load(a.questions), settings, echo=lambda t: (out.write(t + "\n"), out.flush()))
        for line in res.lines():
            out.write(line + "\n")
        out.write(f"不在录音中的模型调用：{misses[0]}\n")


if __name__ == "__main__":
    main()
