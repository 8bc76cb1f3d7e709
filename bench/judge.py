"""The judge of shared/tools/score_questions.py, copied so that both systems are scored alike.

`judge(gold, answer_json)` -> (ok, why). The logic is that of score_questions.py (which runs
`qa-app ask --json` in a subprocess per question); here it is applied to answers produced
in-process. Keep the two in step: `tests/test_bench_smoke.py` checks they agree on the dev set
when shared/ is present.
"""
from __future__ import annotations

import re

REFUSE_WORDS = ["没有", "未找到", "找不到", "无法回答", "不在", "未收录", "没有找到", "not found", "no report", "无相关",
                "暂无", "不包含", "未包含"]


def cited(ans: dict) -> set[str]:
    out = set()
    for c in ans.get("citations") or []:
        for k in ("report", "source", "file", "path"):
            v = c.get(k)
            if isinstance(v, str):
                out.add(v.split("/")[-1])
    return out


def judge(g: dict, ans: dict | None) -> tuple[bool, str]:
    if ans is None:
        return False, "no answer"
    text = str(ans.get("answer", ""))
    if g["kind"] == "refuse":
        ok = ans.get("value") is None and (ans.get("kind") == "none" or any(w in text.lower() for w in REFUSE_WORDS))
        return ok, "" if ok else "did not refuse: " + text[:120]
    why = []
    if "value" in g:
        got = ans.get("value")
        if got is None or float(got) != float(g["value"]):
            why.append(f"value {got!r} != {g['value']}")
    if "any" in g and not any(s in text for s in g["any"]):
        why.append(f"none of {g['any']} in answer")
    if "all" in g and not all(s in text for s in g["all"]):
        why.append(f"not all of {g['all']} in answer")
    need = set(g.get("source", []))
    if need and not (need & cited(ans)):
        why.append(f"cites {sorted(cited(ans))[:3]} not {sorted(need)[:3]}")
    return not why, "; ".join(why)


def numbers(x) -> set[float]:
    if isinstance(x, (int, float)):
        return {float(x)}
    if isinstance(x, str):
        return {float(n) for n in re.findall(r"\d+(?:\.\d+)?", x)}
    return set()
