"""docs/deploy.md, run on this machine as far as it allows: the files in deploy/ as written.

Real processes on 127.0.0.1: PostgreSQL, the Chroma server, two API replicas and the chat from
the systemd units' ExecStart lines (their fixed ports swapped for free ones, /opt/qa-app's venv
for this one, /var/lib/qa-app for a temporary folder), env from deploy/env.example with the
servers' real addresses, nginx with deploy/nginx/qa-app.conf in front. Through nginx: upload,
a table and a prose answer, answers from both replicas, the chat's health check and its
WebSocket handshake. Then deploy/backup.sh and deploy/restore.sh into a new database and Chroma
folder, and a replica over the restored state answers; `qa-app migrate` has nothing left to do.
What it does not: systemd itself (units are run by their ExecStart line), TLS, other machines.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from servers import REPO, ServerUnavailable, chroma, free_port, pg_bin, postgres, qa_serve, wait_http

DEPLOY = REPO / "deploy"
SEEDS = REPO / "seeds"
WHJ, HGT = "003_537c1939cbe3baea.txt", "004_a940ca4a84d42417.txt"
VENV_BIN = str(Path(sys.executable).parent)


def exec_start(unit: str, **subs: str) -> list[str]:
    """The ExecStart command of a unit in deploy/systemd, with the machine's paths and ports."""
    line = next(x for x in (DEPLOY / "systemd" / unit).read_text().splitlines() if x.startswith("ExecStart="))
    cmd = line.split("=", 1)[1].replace("/opt/qa-app/.venv/bin", VENV_BIN)
    for a, b in subs.items():
        cmd = cmd.replace(a, b)
    return cmd.split()


def env_file(**values: str) -> dict[str, str]:
    """deploy/env.example as a unit's EnvironmentFile gives it, with values replaced."""
    env = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = values.get(k, v)
    return env


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path, ready_url: str):
    full = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")} | env
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=full, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_http(ready_url, 120)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def nginx(tmp: Path, ports: dict[str, int]):
    """nginx in the foreground with deploy/nginx/qa-app.conf, ports swapped for free ones."""
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(exe).exists():
        raise ServerUnavailable("没有 nginx（apt 包 nginx-light）")
    conf = (DEPLOY / "nginx" / "qa-app.conf").read_text()
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{ports['api_front']};", conf)
    conf = re.sub(r"listen 8080;", f"listen 127.0.0.1:{ports['chat_front']};", conf)
    for old in ("8001", "8002", "8501"):
        conf = conf.replace(f"127.0.0.1:{old};", f"127.0.0.1:{ports[old]};")
    root = tmp / "nginx"
    (root / "logs").mkdir(parents=True)
    os.chmod(root, 0o777)
    (root / "qa-app.conf").write_text(conf)
    temp = "".join(f"{k}_temp_path {root}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (root / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\nerror_log {root}/logs/error.log;\npid {root}/nginx.pid;\n"
        f"events {{ worker_connections 256; }}\nhttp {{\naccess_log {root}/logs/access.log;\n{temp}"
        f"include {root}/qa-app.conf;\n}}\n")
    proc = subprocess.Popen([exe, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", ports["api_front"])) == 0:
                    break
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
        yield root
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def websocket_handshake(port: int, path: str) -> str:
    """The status line nginx gives a WebSocket upgrade request for `path`."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        return s.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


def ask(base: str, q: str) -> dict:
    r = httpx.post(base + "/ask", json={"question": q}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def libpq_env(url: str, database: str) -> dict[str, str]:
    m = re.match(r"postgresql\+psycopg://(\w+)@([\d.]+):(\d+)/", url)
    return {"PGUSER": m[1], "PGHOST": m[2], "PGPORT": m[3], "PGDATABASE": database,
            "PATH": f"{pg_bin()}:{os.environ['PATH']}"}


def test_the_deployment_as_documented(tmp_path):
    ports = {k: free_port() for k in ("8000", "8001", "8002", "8501", "api_front", "chat_front")}
    try:
        stack = ExitStack()
        admin = stack.enter_context(postgres())
    except ServerUnavailable as e:
        pytest.skip(str(e))
    with stack:
        # docs/deploy.md 「数据库」: one database for qa-app
        pg = libpq_env(admin, "postgres")
        r = subprocess.run(["createdb", "qa"], env={**os.environ, **pg}, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        db_url = admin.rsplit("/", 1)[0] + "/qa"
        var = tmp_path / "var"
        chroma_cmd = exec_start("qa-app-chroma.service", **{"/var/lib/qa-app": str(var), "8000": str(ports["8000"])})
        stack.enter_context(process(chroma_cmd, {"ANONYMIZED_TELEMETRY": "False"}, tmp_path / "chroma.log",
                                    f"http://127.0.0.1:{ports['8000']}/api/v2/heartbeat"))
        env = env_file(QA_APP_DATABASE_URL=db_url, QA_APP_CHROMA_URL=f"http://127.0.0.1:{ports['8000']}",
                       QA_APP_EMBEDDING_BACKEND="hash")
        for i, p in enumerate(("8001", "8002")):
            cmd = exec_start("qa-app-api@.service", **{"%i": str(ports[p])})
            stack.enter_context(process(cmd, env | {"QA_APP_INDEX": str(tmp_path / f"replica{i}")},
                                        tmp_path / f"api{i}.log", f"http://127.0.0.1:{ports[p]}/health"))
        chat_cmd = exec_start("qa-app-chat.service", **{"8501": str(ports["8501"])})
        stack.enter_context(process(chat_cmd, env | {"QA_APP_INDEX": str(tmp_path / "chat")}, tmp_path / "chat.log",
                                    f"http://127.0.0.1:{ports['8501']}/_stcore/health"))
        ng = stack.enter_context(nginx(tmp_path, ports))
        front = f"http://127.0.0.1:{ports['api_front']}"
        for name in (WHJ, HGT):
            with open(SEEDS / name, "rb") as f:
                r = httpx.post(front + "/reports", files={"file": (name, f, "text/plain")}, timeout=300)
            assert r.status_code == 201, r.text
        for _ in range(4):  # least_conn spreads these over both replicas
            t = ask(front, "红谷滩部分公开了多少件申请？")
            assert t["value"] == 12 and t["citations"][0]["report"] == HGT
        p = ask(front, "文化街街道通过什么平台公开信息？")
        assert "公众号" in p["answer"] and WHJ in {c["report"] for c in p["citations"]}
        served = [(tmp_path / f"api{i}.log").read_text(errors="replace").count('"POST /ask') for i in (0, 1)]
        assert all(n >= 1 for n in served), served
        # the chat behind nginx: health and the WebSocket upgrade at /_stcore/stream
        chat_front = f"http://127.0.0.1:{ports['chat_front']}"
        assert httpx.get(chat_front + "/_stcore/health", timeout=30).text == "ok"
        assert " 101 " in websocket_handshake(ports["chat_front"], "/_stcore/stream")
        assert (ng / "logs" / "access.log").exists()
        # docs/deploy.md 「升级」: nothing left to migrate on this version
        r = subprocess.run([VENV_BIN + "/qa-app", "migrate"], env={**os.environ, **env}, capture_output=True,
                           text=True, cwd=REPO)
        assert r.returncode == 0 and "待升级 0 项" in r.stdout, r.stdout + r.stderr


def test_backup_and_restore_scripts(tmp_path):
    try:
        stack = ExitStack()
        admin = stack.enter_context(postgres())
    except ServerUnavailable as e:
        pytest.skip(str(e))
    with stack:
        base = admin.rsplit("/", 1)[0]
        env0 = {**os.environ, **libpq_env(admin, "postgres")}
        for db in ("qa", "qa_restored"):
            assert subprocess.run(["createdb", db], env=env0).returncode == 0
        data = tmp_path / "var" / "chroma"
        hq = "000_aa0ecb1c4df3c9c5.txt"
        with chroma(data) as curl:
            env = {"QA_APP_DATABASE_URL": base + "/qa", "QA_APP_CHROMA_URL": curl, "QA_APP_EMBEDDING_BACKEND": "hash",
                   "QA_APP_LLM_MODE": "none"}
            with qa_serve(tmp_path / "r1" / "index", env) as a:
                for name in (hq, WHJ):
                    with open(SEEDS / name, "rb") as f:
                        assert httpx.post(a + "/reports", files={"file": (name, f)}, timeout=300).status_code == 201
        # Chroma stopped (the with-block above): back up
        backup = tmp_path / "backup"
        r = subprocess.run([str(DEPLOY / "backup.sh"), str(backup)], capture_output=True, text=True,
                           env={**os.environ, **libpq_env(admin, "qa"), "CHROMA_DATA": str(data)})
        assert r.returncode == 0 and "已备份" in r.stdout, r.stdout + r.stderr
        restored = tmp_path / "restored" / "chroma"
        r = subprocess.run([str(DEPLOY / "restore.sh"), str(backup)], capture_output=True, text=True,
                           env={**os.environ, **libpq_env(admin, "qa_restored"), "CHROMA_DATA": str(restored)})
        assert r.returncode == 0 and "已从" in r.stdout, r.stdout + r.stderr
        with chroma(restored) as curl:
            env = {"QA_APP_DATABASE_URL": base + "/qa_restored", "QA_APP_CHROMA_URL": curl,
                   "QA_APP_EMBEDDING_BACKEND": "hash", "QA_APP_LLM_MODE": "none"}
            with qa_serve(tmp_path / "r2" / "index", env) as b:
                t = ask(b, "红旗区政府办2023年新收了多少件申请？")
                assert t["value"] == 4 and t["citations"][0]["report"] == hq
                p = ask(b, "文化街街道通过什么平台公开信息？")
                assert "公众号" in p["answer"] and WHJ in {c["report"] for c in p["citations"]}
