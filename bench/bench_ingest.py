"""Ingest speed for PDFs, as whole processes in one run, against the cost of reading their text.

For each corpus size N (default 100 and 1,000): the synthetic reports of gen_corpus.py printed
as PDFs by pdf_corpus.py (ruled, unruled, wrapped labels, in turn), then, each as its own
process, timed by wall clock and peak memory (ru_maxrss of the child):

- ``limit``: pypdfium2 alone opening every file and reading every page's text and every
  character's loose box (the raw text-with-boxes rate: nothing can read the text faster);
- ``facts``: ``qa-app index --no-narrative --jobs J`` (facts and boxes into SQLite);
- ``prose`` (optional, ``--prose N``): ``qa-app index --jobs J`` on the first N files with
  the embedding model (facts first, the default; then ``--no-facts-first`` and
  ``--no-narrative`` on the same files), against ``encode``: the model encoding the same chunks
  alone (their distinct texts, which is what the index sends it: its vector cache is keyed by
  text; model loaded before the clock starts). Wall and CPU seconds (user + system, workers
  included): on a machine shared with other work the CPU ratio is the steadier figure.

The figure is the ratio facts / limit (goal: within 3x), and prose / encode (goal: 1.2x).
Printed as a Markdown table (docs/benchmarks.md).

Usage: ``python bench/bench_ingest.py [--sizes 100 1000] [--jobs 2] [--prose 0] [--work DIR]``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIMIT = r'''
import sys, pypdfium2 as pdfium
from pathlib import Path
pages = chars = 0
for f in sorted(Path(sys.argv[1]).glob("*.pdf")):
    pdf = pdfium.PdfDocument(str(f))
    for i in range(len(pdf)):
        p = pdf[i]; tp = p.get_textpage(); n = tp.count_chars(); tp.get_text_range(0, n)
        for k in range(n):
            tp.get_charbox(k, loose=True)
        chars += n; pages += 1; tp.close(); p.close()
    pdf.close()
print(pages, chars)
'''

ENCODE = r'''
import sys, json, os
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
from qa_app.settings import Settings
from qa_app.loaders import load
from qa_app.report import parse_report
from qa_app.narrative.chunking import chunk_text, embed_text
from qa_app.narrative.embeddings import make_embeddings
from pathlib import Path
files = sorted(Path(sys.argv[1]).glob("*.pdf"))[:int(sys.argv[2])]
texts = []
for f in files:
    p = parse_report(load(f).text, f.name)
    texts += [embed_text(c) for c in chunk_text(p.text, p.tables.spans)]
import time
emb = make_embeddings(Settings.load())[0]
unique = list(dict.fromkeys(texts))  # what the index sends to the model (its cache keys vectors by text)
emb.embed_documents(texts[:1])  # the model loaded (its load is not the encode)
t, c = time.perf_counter(), time.process_time(); emb.embed_documents(unique)
print(json.dumps({"chunks": len(texts), "unique": len(unique), "encode_s": time.perf_counter() - t,
                  "encode_cpu": time.process_time() - c}))
'''


CPU: dict = {}  # the last run's CPU seconds (user + system, the command and the workers it waited for)


def run(cmd: list[str], env=None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB of the largest process of the run (GNU time's %M: the
    command or a worker it waited for), stdout); its CPU seconds in CPU["last"]."""
    timer = shutil.which("time") or "/usr/bin/time"
    t = time.perf_counter()
    out = subprocess.run([timer, "-f", "QA_PEAK_KB=%M QA_CPU=%U+%S"] + cmd, capture_output=True, text=True, env=env,
                         cwd=str(ROOT))
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"失败：{' '.join(cmd)}\n{out.stderr[-2000:]}")
    lines = [x for x in out.stderr.splitlines() if x.startswith("QA_PEAK_KB=")]
    peak = int(lines[-1].split()[0].split("=")[1]) if lines else 0
    CPU["last"] = sum(float(x) for x in lines[-1].split("QA_CPU=")[1].split("+")) if lines else 0.0
    return wall, peak / 1024, out.stdout


def bench(n: int, work: Path, jobs: int, prose: int) -> dict:
    from bench import pdf_corpus
    corpus = work / f"pdf{n}"
    if not (corpus / "reports").is_dir() or len(list((corpus / "reports").glob("*.pdf"))) != n:
        t = time.perf_counter()
        pdf_corpus.generate(n, corpus)
        print(f"生成 {n} 份 PDF：{time.perf_counter() - t:.1f} s", file=sys.stderr)
    reports = corpus / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_WAIT_POLICY": "passive"}
    py = sys.executable
    qa = [py, "-m", "qa_app.cli"]
    res: dict = {"n": n, "jobs": jobs}
    wall, mem, out = run([py, "-c", LIMIT, str(reports)], env)
    pages, chars = (int(x) for x in out.split())
    res.update(pages=pages, chars=chars, limit_s=wall, limit_mb=mem)
    idx = work / f"idx{n}"
    shutil.rmtree(idx, ignore_errors=True)
    wall, mem, _ = run(qa + ["index", "--no-narrative", "-q", "--jobs", str(jobs), "--index", str(idx), str(reports)], env)
    res.update(facts_s=wall, facts_mb=mem)
    shutil.rmtree(idx, ignore_errors=True)
    wall, mem, _ = run(qa + ["index", "--no-narrative", "-q", "--jobs", "1", "--index", str(idx), str(reports)], env)
    res.update(facts1_s=wall, facts1_mb=mem)
    if prose:
        sub = work / f"prose{n}"
        shutil.rmtree(sub, ignore_errors=True)
        sub.mkdir()
        for f in sorted(reports.glob("*.pdf"))[:prose]:
            shutil.copy(f, sub / f.name)
        shutil.rmtree(idx, ignore_errors=True)
        wall, mem, _ = run(qa + ["index", "-q", "--jobs", str(jobs), "--index", str(idx), str(sub)], env)
        res.update(prose_n=prose, prose_s=wall, prose_mb=mem, prose_cpu=CPU["last"])
        shutil.rmtree(idx, ignore_errors=True)
        wall, _, _ = run(qa + ["index", "-q", "--no-facts-first", "--jobs", str(jobs), "--index", str(idx), str(sub)], env)
        res.update(inline_s=wall, inline_cpu=CPU["last"])
        shutil.rmtree(idx, ignore_errors=True)
        wall, _, _ = run(qa + ["index", "-q", "--no-narrative", "--jobs", str(jobs), "--index", str(idx), str(sub)], env)
        res.update(prose_facts_s=wall, prose_facts_cpu=CPU["last"])
        _, _, out = run([py, "-c", ENCODE, str(sub), str(prose)], env)
        res.update(json.loads(out.strip().splitlines()[-1]))
    shutil.rmtree(idx, ignore_errors=True)
    return res


def table(rows: list[dict]) -> str:
    out = ["| PDFs | pages | raw pypdfium2 text+boxes | facts-only `--jobs J` | facts-only `--jobs 1` | ratio (J) | ratio (1) | peak MB (facts, J) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['n']:,} | {r['pages']:,} | {r['n'] / r['limit_s']:.1f} PDFs/s, {r['pages'] / r['limit_s']:.1f} pages/s "
                   f"| {r['n'] / r['facts_s']:.1f} PDFs/s, {r['pages'] / r['facts_s']:.1f} pages/s (J={r['jobs']}) "
                   f"| {r['n'] / r['facts1_s']:.1f} PDFs/s, {r['pages'] / r['facts1_s']:.1f} pages/s "
                   f"| {r['facts_s'] / r['limit_s']:.2f}x | {r['facts1_s'] / r['limit_s']:.2f}x | {r['facts_mb']:.0f} |")
    prose = [r for r in rows if r.get("prose_n")]
    if prose:
        out += ["", "| PDFs with prose | chunks (distinct texts) | `qa-app index`（facts first）wall / CPU | `--no-facts-first` wall / CPU "
                "| `--no-narrative` wall / CPU | model encode alone wall / CPU | ratio wall (facts first) | ratio CPU | peak MB |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in prose:
            out.append(f"| {r['prose_n']} | {r['chunks']} ({r.get('unique', r['chunks'])}) "
                       f"| {r['prose_s']:.1f} s / {r['prose_cpu']:.1f} s "
                       f"| {r['inline_s']:.1f} s / {r['inline_cpu']:.1f} s "
                       f"| {r['prose_facts_s']:.1f} s / {r['prose_facts_cpu']:.1f} s "
                       f"| {r['encode_s']:.1f} s / {r['encode_cpu']:.1f} s "
                       f"| {r['prose_s'] / r['encode_s']:.2f}x | {r['prose_cpu'] / r['encode_cpu']:.2f}x | {r['prose_mb']:.0f} |")
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="PDF 入库速度基准（与 pypdfium2 读取文字和字符框的速度相比）")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--jobs", type=int, default=0, help="qa-app index --jobs（0：每核一个）")
    ap.add_argument("--prose", type=int, default=0, help="另测带正文索引的前 N 份（0：不测）")
    ap.add_argument("--work", type=Path, default=None, help="工作目录（默认临时目录）")
    a = ap.parse_args(argv)
    from qa_app.indexer import resolve_jobs
    jobs = resolve_jobs(a.jobs)
    work = a.work or Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in a.sizes:
        rows.append(bench(n, work, jobs, a.prose if n == a.sizes[0] else 0))
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(rows))


if __name__ == "__main__":
    main()
