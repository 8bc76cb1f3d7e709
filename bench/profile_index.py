"""Where indexing time goes, per report: the breakdown behind the goals docs/benchmarks.md misses.

- facts (`qa-app index --no-narrative`): process CPU per report in loading the file, reading
  the tables, reading body/year/region, the 勾稽 checks, and the side store's writes;
- prose index (hash backend, so that everything measured is work outside the model): time per
  report in chunking, embedding (cache and model), tokenising and the rest of `replace`, and in
  `finish` (Chroma's add of the buffered vectors, the BM25 build), plus the one-off imports
  (chromadb, jieba's dictionary).

`profile(reports_dir, n_facts, n_prose) -> dict`; run.py calls it on the 1,000-report corpus.
`python bench/profile_index.py REPORTS_DIR [N_FACTS] [N_PROSE]` prints it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _wrap(owner, name: str, key: str, acc: dict, clock=time.process_time) -> None:
    f = getattr(owner, name)

    def w(*a, **k):
        c = clock()
        try:
            return f(*a, **k)
        finally:
            acc[key] = acc.get(key, 0.0) + clock() - c
    setattr(owner, name, w)


def profile_facts(files: list[Path], work: Path) -> dict:
    from qa_app import indexer
    from qa_app import report as R
    from qa_app.settings import Settings
    from qa_app.store import Store
    acc: dict = {}
    _wrap(indexer, "load", "load", acc)
    _wrap(indexer, "parse_report", "parse", acc)
    _wrap(R, "read_tables", "parse.tables", acc)
    _wrap(R, "read_meta", "parse.metadata", acc)
    _wrap(R, "run_checks", "parse.checks", acc)
    _wrap(Store, "put_report", "store_writes", acc)
    s = Settings.load(index=work / "facts", narrative=False)
    c, t = time.process_time(), time.perf_counter()
    indexer.index_paths(files, s, progress=False)
    cpu, wall = time.process_time() - c, time.perf_counter() - t
    n = len(files)
    out = {"reports": n, "cpu_ms_per_report": cpu / n * 1000, "wall_ms_per_report": wall / n * 1000,
           "parts_ms_per_report": {k: v / n * 1000 for k, v in acc.items()}}
    out["parts_ms_per_report"]["other"] = out["cpu_ms_per_report"] - sum(
        v for k, v in out["parts_ms_per_report"].items() if "." not in k)
    return out


def profile_prose(files: list[Path], work: Path) -> dict:
    """Time per report in the prose index (hash backend): `replace` split into chunking,
    embedding (cache and model), tokenising and the rest (narrative.sqlite, Chroma deletes,
    buffer), and `finish` split into Chroma's add (the buffered vectors, a few large adds) and
    the BM25 build. A one-off cost lands in the stage that first needs it (jieba's dictionary
    in tokenising, opening Chroma in finish; `import_costs` measures them apart)."""
    from qa_app.indexer import index_paths
    from qa_app.narrative import embeddings as E
    from qa_app.narrative import index as NI
    from qa_app.narrative import vectorstore as VS
    from qa_app.settings import Settings
    acc: dict = {}
    clock = time.perf_counter
    _wrap(NI, "chunk_text", "replace.chunking", acc, clock)
    _wrap(E.CachedEmbedder, "embed_passages", "replace.embed_passages", acc, clock)
    _wrap(E.HashEmbeddings, "embed_documents", "replace.embed_passages.model", acc, clock)
    _wrap(NI.NarrativeIndex, "rows_for", "replace.tokenising", acc, clock)
    _wrap(NI.NarrativeIndex, "ensure_bm25", "finish.bm25", acc, clock)
    # Chroma's add is counted under the stage that called it: a flush in replace (FLUSH_AT
    # vectors waiting) or in finish
    where = ["replace"]
    for name in ("replace", "finish"):
        f = getattr(NI.NarrativeIndex, name)

        def w(*a, _f=f, _name=name, **k):
            where.append(_name)
            c = clock()
            try:
                return _f(*a, **k)
            finally:
                acc[_name] = acc.get(_name, 0.0) + clock() - c
                where.pop()
        setattr(NI.NarrativeIndex, name, w)
    add = VS.VectorStore.add

    def add_w(*a, **k):
        c = clock()
        try:
            return add(*a, **k)
        finally:
            key = where[-1] + ".chroma_add"
            acc[key] = acc.get(key, 0.0) + clock() - c
    VS.VectorStore.add = add_w
    s = Settings.load(index=work / "prose", narrative=True, embedding_backend="hash")
    t = time.perf_counter()
    index_paths(files, s, progress=False)
    wall = time.perf_counter() - t
    n = len(files)
    parts = {k: v / n * 1000 for k, v in acc.items()}
    parts["replace.other"] = parts.get("replace", 0) - sum(parts.get(k, 0) for k in (
        "replace.chunking", "replace.embed_passages", "replace.tokenising", "replace.chroma_add"))
    parts["finish.other"] = parts.get("finish", 0) - parts.get("finish.chroma_add", 0) - parts.get("finish.bm25", 0)
    return {"reports": n, "wall_ms_per_report": wall / n * 1000, "parts_ms_per_report": parts,
            "chunks": NI.NarrativeIndex(s, create=False).db.count()}


def import_costs() -> dict:
    """One-off costs of a fresh process: importing chromadb, loading jieba's dictionary."""
    code = ("import time; t=time.perf_counter(); import chromadb; a=time.perf_counter()-t; "
            "from qa_app.narrative import bm25; t=time.perf_counter(); bm25.load_tokenizer(); "
            "b=time.perf_counter()-t; print(a, b)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
    return {"import_chromadb_s": float(out[0]), "jieba_initialize_s": float(out[1])} if len(out) == 2 else {}


def profile(reports_dir: Path, n_facts: int = 1000, n_prose: int = 100) -> dict:
    files = sorted(Path(reports_dir).iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        res = {"facts": profile_facts(files[:n_facts], tmp), "prose": profile_prose(files[:n_prose], tmp)}
        shutil.rmtree(tmp, ignore_errors=True)
    res["one_off"] = import_costs()
    return res


if __name__ == "__main__":
    a = sys.argv[1:]
    print(json.dumps(profile(Path(a[0]), int(a[1]) if len(a) > 1 else 1000, int(a[2]) if len(a) > 2 else 100),
                     ensure_ascii=False, indent=1))
