"""Scale-out benchmark: the same corpus on the local set-up (SQLite + Chroma folder) and on the
shared servers (PostgreSQL + `chroma run`), in one run, and the ratios between them.

    .venv/bin/python bench/bench_scale.py --n 10000 --prose-sample 1000

For each set-up: facts indexing of the whole corpus (`--no-narrative`, reports/s), the prose index
of the first `--prose-sample` reports (hash embeddings: the point is the storage, not the model),
a forced BM25 rebuild from the chunk table (what each replica does when the index changes), then
every generated question through `qa_app.ask` in-process (p50/p95 per kind, after one warm-up).
The ratios server/local are the figures (issue: table and prose p50 within 2x). Results go to
bench/out/scale.json and a section of docs/benchmarks.md.

What it does not: measure the embedding model (bench/run.py does), or several machines.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench.run import load_questions, loadavg, machine, prepare_corpus, score  # noqa: E402

MARK_BEGIN, MARK_END = "<!-- bench_scale:begin -->", "<!-- bench_scale:end -->"


def run_setup(name: str, corpus: Path, work: Path, sample: int, **urls) -> dict:
    import qa_app
    from qa_app.indexer import index_paths
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.settings import Settings
    files = sorted((corpus / "reports").iterdir())
    s = Settings.load(index=work / name, narrative=True, embedding_backend="hash", llm_mode="none", **urls)
    res: dict = {"setup": name, "reports": len(files), "prose_sample": sample}
    t = time.perf_counter()
    summ = index_paths(files[:sample], s, progress=False)
    res["prose_index_s"] = time.perf_counter() - t
    res["prose_reports_per_s"] = sample / res["prose_index_s"]
    t = time.perf_counter()
    summ2 = index_paths(files[sample:], s.replace(narrative=False), progress=False)
    facts_s = time.perf_counter() - t
    res["facts_reports_per_s"] = (len(files) - sample) / facts_s if facts_s else None
    res["failed"] = summ.count("failed") + summ2.count("failed")
    nar = NarrativeIndex(s, create=False)
    res["chunks"] = nar.db.count()
    t = time.perf_counter()
    nar.ensure_bm25(force=True)
    res["bm25_rebuild_s"] = time.perf_counter() - t
    questions = [q for q in load_questions(corpus) if q["kind"] in ("table", "text", "aggregate")]
    res["questions"] = score(questions, lambda q: qa_app.ask(q, settings=s).to_json())["by_kind"]
    return res


def bm25_rebuild_all(corpus: Path, url: str) -> dict:
    """The chunk rows of EVERY report (chunked and tokenised as the indexer does, no vectors)
    written to a fresh narrative table set in the database at `url`, then one forced BM25
    rebuild from it: what a replica pays when the index changes, at the corpus's full size."""
    from qa_app.narrative.db import NarrativeDB
    from qa_app.narrative.index import NarrativeIndex
    from qa_app.report import parse_report
    from qa_app.settings import Settings
    files = sorted((corpus / "reports").iterdir())
    tmp = Path(corpus).parent / "bm25-all"
    s = Settings.load(index=tmp, database_url=url, embedding_backend="hash", narrative=True)
    nx = NarrativeIndex(s, progress=False)
    t = time.perf_counter()
    rows_n = 0
    for i, f in enumerate(files, 1):
        parsed = parse_report(f.read_text("utf-8"), f.name)
        rows = nx.rows_for(i, parsed)
        with nx.db.transaction() as conn:
            nx.db.insert_chunks(conn, rows)
            nx.db.bump(conn)
        rows_n += len(rows)
    fill = time.perf_counter() - t
    t = time.perf_counter()
    nx.ensure_bm25(force=True)
    rebuild = time.perf_counter() - t
    assert isinstance(nx.db, NarrativeDB)
    return {"reports": len(files), "chunks": rows_n, "fill_s": fill, "rebuild_s": rebuild}


def write_report(out: dict, path: Path) -> None:
    loc, srv = out["local"], out["servers"]

    def ratio(a, b):
        return f"{b / a:.2f}x" if a and b else "—"
    lines = [MARK_BEGIN, "## 横向扩展 Scale-out：PostgreSQL + Chroma 服务器 对比 本地 SQLite + Chroma 目录", "",
             f"- 命令 command: `.venv/bin/python bench/bench_scale.py --n {out['n']} --prose-sample {out['prose_sample']}`",
             f"- 时间 date: {out['started']} — {out['finished']} (UTC); 负载 load before → after: "
             f"{out['load_before']} → {out['load_after']}",
             f"- 语料 corpus: bench/gen_corpus.py，{out['n']:,} 份报告，其中前 {out['prose_sample']:,} 份建正文索引"
             "（hash 嵌入：比较的是存储，不是模型）", "",
             "| 指标 measure | 本地 local | 服务器 servers | 比值 ratio |", "|---|---|---|---|"]
    for label, key in (("数字入库 facts, 份/秒 reports/s", "facts_reports_per_s"),
                       ("正文入库 prose index, 份/秒 reports/s", "prose_reports_per_s"),
                       ("BM25 重建 rebuild, 秒 s", "bm25_rebuild_s")):
        a, b = loc.get(key), srv.get(key)
        lines.append(f"| {label} | {a:.2f} | {b:.2f} | {ratio(a, b)} |")
    for kind in ("table", "aggregate", "text"):
        a, b = loc["questions"].get(kind), srv["questions"].get(kind)
        if not a or not b:
            continue
        lines.append(f"| {kind} p50 / p95 ms（对 right {a['ok']}/{a['n']} · {b['ok']}/{b['n']}） | "
                     f"{a['p50_ms']:.1f} / {a['p95_ms']:.1f} | {b['p50_ms']:.1f} / {b['p95_ms']:.1f} | "
                     f"{ratio(a['p50_ms'], b['p50_ms'])} |")
    if out.get("bm25_all"):
        b = out["bm25_all"]
        lines.append(f"| BM25 重建，全部 {b['reports']:,} 份报告的 {b['chunks']:,} 个正文块 rebuild over every report, 秒 s |"
                     f" — | {b['rebuild_s']:.2f} | — |")
    lines += ["", f"正文块 chunks: {srv['chunks']:,}（BM25 由每个副本从数据库的 tokens 列重建，索引指纹变化时进行）。"
              " Each replica rebuilds its BM25 from the database's tokens column when the index stamp changes.",
              MARK_END]
    text = path.read_text("utf-8") if path.exists() else ""
    block = "\n".join(lines)
    if MARK_BEGIN in text:
        head, rest = text.split(MARK_BEGIN, 1)
        text = head + block + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, "utf-8")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="本地与服务器两种部署在同一语料上的速度比较")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--prose-sample", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--bm25-all", action="store_true",
                    help="另测：全部报告的正文块写入 PostgreSQL 后一次 BM25 重建（不算向量）")
    ap.add_argument("--only-bm25-all", action="store_true", help="只测上一项，结果并入已有的 scale.json")
    a = ap.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    from servers import chroma, postgres
    corpus = prepare_corpus(a.n, a.out, prose_sample=a.prose_sample)
    if a.only_bm25_all:
        out = json.loads((a.out / "scale.json").read_text("utf-8"))
        with postgres() as url:
            out["bm25_all"] = bm25_rebuild_all(corpus, url)
        (a.out / "scale.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
        write_report(out, a.report)
        print(out["bm25_all"])
        return
    work = a.out / f"scale-n{a.n}"
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = {"n": a.n, "prose_sample": a.prose_sample, "machine": machine(), "load_before": loadavg(),
           "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    out["local"] = run_setup("local", corpus, work, a.prose_sample, database_url="", chroma_url="")
    with postgres() as url, chroma(work / "chroma-server") as curl:
        out["servers"] = run_setup("servers", corpus, work, a.prose_sample, database_url=url, chroma_url=curl)
        if a.bm25_all:
            out["bm25_all"] = bm25_rebuild_all(corpus, url)
    out["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    out["load_after"] = loadavg()
    (a.out / "scale.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
    write_report(out, a.report)
    print(json.dumps({k: out[k] for k in ("local", "servers")}, ensure_ascii=False, indent=1)[:3000])


if __name__ == "__main__":
    main()
