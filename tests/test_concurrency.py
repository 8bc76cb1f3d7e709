"""Many processes, one index, with real processes: `qa-app serve` answers, lists and takes
uploads while `qa-app index` writes into the same index.

- The load test: 300 generated reports (bench/gen_corpus.py) indexed by the CLI while 20
  uploads and 60 questions go through the API: no error, no SQL or class name in any response,
  every report present, GET /reports right within 2 s of the CLI finishing, and a report the
  CLI added can be read (/facts, /check) and deleted through the server at once.
- A writer that waits its turn: an upload while another process holds the write lock
  succeeds once the lock is let go; past write_timeout it is 503 with Retry-After and a
  Chinese message.
Facts only (QA_APP_NARRATIVE=0): no embedding model.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import gen_corpus  # noqa: E402

# what must never reach a user: SQL, driver / class names, a traceback
LEAK = re.compile(r"SELECT |INSERT INTO|DELETE FROM|UPDATE \w+ SET|(?i:sqlite|sqlalchemy|traceback)|"
                  r"\b[A-Z]\w*(Error|Exception)\b")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(**extra) -> dict:
    return {**os.environ, "QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_API_TOKEN": "",
            "QA_APP_DATABASE_URL": "", "QA_APP_CORS_ORIGINS": "", "PYTHONPATH": str(ROOT),
            "OMP_WAIT_POLICY": "passive", **extra}


def cli(*args, **env):
    return [sys.executable, "-m", "qa_app.cli", *args], env_for(**env)


class Server:
    def __init__(self, index: Path, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(index.parent / f"server-{self.port}.log", "wb")
        cmd, e = cli("serve", "--host", "127.0.0.1", "--port", str(self.port), "--index", str(index), **env)
        self.proc = subprocess.Popen(cmd, env=e, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("server did not start: " + Path(self.log.name).read_text("utf-8", "replace"))
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def seed_index(index: Path) -> None:
    cmd, e = cli("index", str(ROOT / "seeds"), "--no-narrative", "-q", "--index", str(index))
    res = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def test_serve_while_index_writes_300_reports(tmp_path):
    corpus = tmp_path / "corpus"
    reports = gen_corpus.generate(320, corpus, seed=11, counts=(60, 0, 0, 0))
    bulk, up = tmp_path / "bulk", tmp_path / "up"
    bulk.mkdir()
    up.mkdir()
    for i, r in enumerate(reports):
        (corpus / "reports" / r.file).rename((bulk if i < 300 else up) / r.file)
    questions = [json.loads(line) for line in (corpus / "questions.jsonl").read_text("utf-8").splitlines()][:60]
    assert len(questions) == 60
    index = tmp_path / "index"
    seed_index(index)  # the server starts on an index with the five seed reports
    server = Server(index)
    indexer = None
    responses: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    during = []  # uploads and questions answered while the CLI was still writing

    def keep(what, r):
        with lock:
            responses.append((what, r.status_code, r.text))
            if indexer is not None and indexer.poll() is None and what.startswith(("upload", "ask")):
                during.append(what)
        return r

    try:
        cmd, e = cli("index", str(bulk), "--no-narrative", "-q", "--index", str(index))
        indexer = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with httpx.Client(base_url=server.base, timeout=60) as c:
            # start the load once the CLI has begun writing
            deadline = time.time() + 60
            while len(keep("list", c.get("/reports")).json()) == 5 and indexer.poll() is None:
                assert time.time() < deadline
                time.sleep(0.05)

            def upload(p: Path):
                return keep("upload " + p.name, c.post("/reports", files={"file": (p.name, p.read_bytes(), "text/plain")}))

            def question(q):
                return keep("ask " + q["q"], c.post("/ask", json={"question": q["q"]}))

            def listing(_):
                return keep("list", c.get("/reports"))

            jobs = [(upload, p) for p in sorted(up.iterdir())] + [(question, q) for q in questions] \
                + [(listing, None)] * 10
            jobs = [jobs[i] for i in sorted(range(len(jobs)), key=lambda i: (i * 7919) % len(jobs))]  # mixed
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda j: j[0](j[1]), jobs))
            print(f"{len(during)} of 80 uploads and questions answered while qa-app index was writing")
            out, err = indexer.communicate(timeout=120)
            finished = time.time()
            assert indexer.returncode == 0, err
            assert "新增 300 份" in out and "失败 0 份" in out, out
            # GET /reports right within 2 s of the CLI finishing
            want = {p.name for p in ROOT.joinpath("seeds").iterdir() if p.suffix == ".txt"} \
                | {p.name for p in bulk.iterdir()} | {p.name for p in up.iterdir()}
            while True:
                listed = keep("list", c.get("/reports")).json()
                if {r["file_name"] for r in listed} == want or time.time() - finished > 2:
                    break
                time.sleep(0.05)
            assert time.time() - finished <= 2.5
            assert len(listed) == 325 and {r["file_name"] for r in listed} == want
            # a report the CLI added: its cells and checks read, then it is deleted, through the server
            first = next(r for r in listed if r["file_name"] == reports[0].file)
            facts = keep("facts", c.get("/facts", params={"report_id": first["id"]}))
            assert facts.status_code == 200 and len(facts.json()) > 20
            assert {f["report"] for f in facts.json()} == {reports[0].file}
            assert keep("check", c.get("/check", params={"report_id": first["id"], "all": "true"})).status_code == 200
            d = keep("delete", c.delete(f"/reports/{first['id']}"))
            assert d.status_code == 200 and d.json()["file_name"] == reports[0].file
        assert len(during) >= 10  # the load really ran alongside the CLI
        bad = [(w, s, t[:300]) for w, s, t in responses if s >= 400]
        assert bad == []
        leaks = [(w, t[:300]) for w, s, t in responses if LEAK.search(t)]
        assert leaks == []
        ups = [json.loads(t) for w, s, t in responses if w.startswith("upload ")]
        assert len(ups) == 20 and {u["status"] for u in ups} == {"added"}
        asked = [json.loads(t) for w, s, t in responses if w.startswith("ask ")]
        assert len(asked) == 60 and all(a["answer"] for a in asked)
    finally:
        server.stop()


def test_upload_waits_for_another_writer_then_503(tmp_path):
    """Another process holds the side store's write lock: an upload waits for it (and then
    succeeds); with a write_timeout shorter than the hold it is 503 with Retry-After."""
    index = tmp_path / "index"
    seed_index(index)
    report = (ROOT / "seeds" / "004_a940ca4a84d42417.txt").read_text("utf-8")
    holder_code = ("import sqlite3, sys, time\n"
                   "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                   "c.execute('BEGIN IMMEDIATE')\n"
                   "print('locked', flush=True)\n"
                   "time.sleep(float(sys.argv[2]))\n"
                   "c.execute('ROLLBACK')\n")

    def hold(seconds: float):
        p = subprocess.Popen([sys.executable, "-c", holder_code, str(index / "facts.sqlite"), str(seconds)],
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "locked"
        return p

    server = Server(index, QA_APP_WRITE_TIMEOUT="20")
    try:
        holder = hold(2.0)
        t0 = time.time()
        r = httpx.post(server.base + "/reports", timeout=60,
                       files={"file": ("甲.txt", report.replace("红谷滩", "青山湖").encode(), "text/plain")})
        waited = time.time() - t0
        holder.wait(10)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "added" and waited >= 1.0
    finally:
        server.stop()
    server = Server(index, QA_APP_WRITE_TIMEOUT="1")
    try:
        holder = hold(6.0)
        r = httpx.post(server.base + "/reports", timeout=60,
                       files={"file": ("乙.txt", report.replace("红谷滩", "东湖").encode(), "text/plain")})
        holder.wait(10)
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        body = r.json()
        assert body["error"] == "index_busy" and body["message"].startswith("无法索引 乙.txt：索引正被另一个程序写入")
        assert not LEAK.search(r.text)
        listed = httpx.get(server.base + "/reports").json()
        assert "乙.txt" not in {x["file_name"] for x in listed} and "甲.txt" in {x["file_name"] for x in listed}
        assert not (index / "uploads" / "乙.txt").exists()  # the refused file is not kept
    finally:
        server.stop()


def test_generation_seen_by_another_process(tmp_path):
    """The side store's cache in one process notices writes by another (a remove, an added
    name), which report count and last id alone would miss."""
    from qa_app.settings import Settings
    from qa_app.store import Store
    index = tmp_path / "index"
    seed_index(index)
    store = Store(Settings.load(index=index).db_url)
    before = {r.file_name: r.names for r in store.reports()}
    copy = tmp_path / "副本.txt"
    seed = sorted(p for p in (ROOT / "seeds").iterdir() if p.suffix == ".txt")[1]
    copy.write_bytes(seed.read_bytes())
    cmd, e = cli("index", str(copy), "--no-narrative", "-q", "--index", str(index))
    assert subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120).returncode == 0
    after = {r.file_name: r.names for r in store.reports()}  # same count, same last id, one more name
    assert len(after) == len(before) and after[seed.name] == sorted([seed.name, "副本.txt"])
    assert sqlite3.connect(index / "facts.sqlite").execute(
        "SELECT value FROM store_state WHERE key='generation'").fetchone()[0] >= 6
