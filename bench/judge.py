"""The judge of shared/tools/score_questions.py, so that both systems are scored alike.

`judge(gold, answer_json)` -> (ok, why). The logic is that of score_questions.py (which runs
`qa-app ask --json` in a subprocess per question); it lives once, in qa_app/engine/evaluate.py
(`qa-app eval` uses it too), and is applied here to answers produced in-process by either
system. `tests/test_bench_smoke.py` checks it agrees with the scorer on the dev set when
shared/ is present.
"""
from __future__ import annotations

from qa_app.engine.evaluate import REFUSE_WORDS, cited, judge

__all__ = ["REFUSE_WORDS", "cited", "judge"]
