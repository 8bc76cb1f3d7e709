"""Real servers for tests, on 127.0.0.1 and free ports: a throwaway PostgreSQL, a Chroma server,
`qa-app serve` processes. Context managers; each stops what it started.

What it does not: skip a test (the caller decides what a missing server program means).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl (Debian's /usr/lib/postgresql/N/bin, or on PATH)."""
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(cand) / "initdb").is_file() and (Path(cand) / "pg_ctl").is_file():
            return Path(cand)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def wait_http(url: str, seconds: float = 60) -> None:
    end = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.2)


class ServerUnavailable(RuntimeError):
    """The server program is not on this machine (or cannot run as this user)."""


@contextmanager
def postgres():
    """A PostgreSQL server in a temporary folder; yields its SQLAlchemy URL."""
    pg = pg_bin()
    if pg is None:
        raise ServerUnavailable("没有 PostgreSQL 服务器程序（initdb/pg_ctl；apt 包 postgresql）")
    run_as: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="qa-app-pg-", dir="/tmp"))
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(workdir)
            raise ServerUnavailable("以 root 运行但系统中没有 postgres 用户，无法启动临时 PostgreSQL") from None
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else ["su", "postgres", "-c"]
    port = free_port()
    data = workdir / "data"

    def run(cmd: list[str]):
        cmd = run_as + [" ".join(cmd)] if run_as[:1] == ["su"] else run_as + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    r = run([str(pg / "initdb"), "-D", str(data), "-U", "qa", "--auth=trust", "-E", "UTF8", "--locale=C", "-N"])
    assert r.returncode == 0, r.stdout + r.stderr
    r = run([str(pg / "pg_ctl"), "-D", str(data), "-l", str(workdir / "server.log"), "-w", "-t", "60",
             "-o", f"-h 127.0.0.1 -p {port} -k {workdir} -F", "start"])
    assert r.returncode == 0, r.stdout + r.stderr + (workdir / "server.log").read_text(errors="replace")
    try:
        yield f"postgresql+psycopg://qa@127.0.0.1:{port}/postgres"
    finally:
        run([str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "-W", "stop"])
        for _ in range(200):  # the server removes its pid file on the way out
            if not (data / "postmaster.pid").exists():
                break
            time.sleep(0.05)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def chroma(path: Path):
    """`chroma run` on a free port with its data in `path`; yields its URL."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        raise ServerUnavailable("没有 chroma 命令（pip 包 chromadb）")
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    srv = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.terminate()
        srv.wait(timeout=30)


@contextmanager
def qa_serve(index: Path, env: dict[str, str]):
    """`qa-app serve` on a free port over `index` (a local folder) with QA_APP_* from `env`
    (the rest of the environment without QA_APP_*); yields its base URL."""
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")} | env
    Path(index).parent.mkdir(parents=True, exist_ok=True)
    log = open(Path(index).parent / f"serve-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "qa_app.cli", "serve", "--index", str(index), "--host", "127.0.0.1",
                             "--port", str(port)], cwd=REPO, env=full, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 90)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
