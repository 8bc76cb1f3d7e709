"""`qa-app eval QUESTIONS.jsonl`: ask every question in-process, judge it, report accuracy by
kind and latency percentiles.

The judging rules are those of shared/tools/score_questions.py (the project's scorer), so the
two agree: a refusal is right when no value is given and the answer says so (kind "none" or a
refusal word); otherwise the value must match, one of `any` and all of `all` must be in the
text, and one of `source` must be cited. One addition for a kind the scorer does not know:
a "clarify" question is right only when the answer asks back (kind "clarify"). A question may
carry `history` (earlier turns), which the scorer cannot pass to a process but ask() takes.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    """(right, why not) for one gold question and one answer (Answer.to_json())."""
    if ans is None:
        return False, "no answer"
    text = str(ans.get("answer", ""))
    if g["kind"] == "refuse":
        ok = ans.get("value") is None and (ans.get("kind") == "none" or any(w in text.lower() for w in REFUSE_WORDS))
        return ok, "" if ok else "did not refuse: " + text[:120]
    why = []
    if g["kind"] == "clarify" and ans.get("kind") != "clarify":
        why.append(f"kind {ans.get('kind')!r} != 'clarify'")
    if "value" in g:
        got = ans.get("value")
        try:
            same = got is not None and float(got) == float(g["value"])
        except (TypeError, ValueError):
            same = False
        if not same:
            why.append(f"value {got!r} != {g['value']}")
    if "any" in g and not any(s in text for s in g["any"]):
        why.append(f"none of {g['any']} in answer")
    if "all" in g and not all(s in text for s in g["all"]):
        why.append(f"not all of {g['all']} in answer")
    need = set(g.get("source", []))
    if need and not (need & cited(ans)):
        why.append(f"cites {sorted(cited(ans))[:3]} not {sorted(need)}")
    return not why, "; ".join(why)


def load(path: str | Path) -> list[dict]:
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


def percentile(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class EvalResult:
    per_kind: dict = field(default_factory=dict)      # kind -> [right, total]
    misses: list = field(default_factory=list)        # (id, question, why)
    ms: list = field(default_factory=list)            # latency of each question, milliseconds
    ms_by_kind: dict = field(default_factory=dict)

    @property
    def right(self) -> int:
        return sum(v[0] for v in self.per_kind.values())

    @property
    def total(self) -> int:
        return sum(v[1] for v in self.per_kind.values())

    def lines(self) -> list[str]:
        out = [f"未答对 {qid} {q} -> {why}" for qid, q, why in self.misses]
        out.append(f"总计：{self.right}/{self.total}（{self.right / max(1, self.total):.1%}）")
        for k, (r, n) in sorted(self.per_kind.items()):
            ms = self.ms_by_kind.get(k, [])
            out.append(f"  {k:<10} {r}/{n}（{r / max(1, n):.1%}）  p50 {percentile(ms, .5):.1f} ms  p95 {percentile(ms, .95):.1f} ms")
        out.append(f"耗时（进程内，每题）：p50 {percentile(self.ms, .5):.1f} ms，p95 {percentile(self.ms, .95):.1f} ms，"
                   f"最长 {max(self.ms or [0]):.1f} ms")
        return out


def run(questions: list[dict], settings, kinds: set[str] | None = None, ask=None) -> EvalResult:
    """Ask each question through qa_app.ask (in this process) and judge it."""
    if ask is None:
        from . import ask
    res = EvalResult()
    for g in questions:
        if kinds and g["kind"] not in kinds:
            continue
        t = time.perf_counter()
        try:
            ans = ask(g["q"], g.get("history"), settings=settings).to_json()
            ok, why = judge(g, ans)
        except Exception as e:  # a crash is a miss, not the end of the evaluation
            ok, why = False, f"error {type(e).__name__}: {e}"
        dt = (time.perf_counter() - t) * 1000
        res.ms.append(dt)
        res.ms_by_kind.setdefault(g["kind"], []).append(dt)
        k = res.per_kind.setdefault(g["kind"], [0, 0])
        k[1] += 1
        if ok:
            k[0] += 1
        else:
            res.misses.append((g.get("id", "?"), g["q"], why))
    return res
