"""What the browser tests share: Debian chromium through Playwright (no browser download), a
record of every request a page makes (the product promises that no page reaches any host but
its server), and axe-core accessibility checks (axe-core from the npm registry, installed by
scripts/install.sh into node_modules/, injected into the page under test).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SERIOUS = ("serious", "critical")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RequestLog:
    """Every request of a browser context (pages, iframes, workers), by URL."""

    def __init__(self, context):
        self.urls: list[str] = []
        context.on("request", lambda r: self.urls.append(r.url))

    def outside(self) -> list[str]:
        """Requests to any host but the loopback servers of the test (data:/blob:/about: are in-page)."""
        out = []
        for u in self.urls:
            parts = urlsplit(u)
            if parts.scheme in ("data", "blob", "about", "chrome-error", "javascript"):
                continue
            if (parts.hostname or "") not in LOCAL_HOSTS:
                out.append(u)
        return out


def axe_violations(frame, impacts=SERIOUS, disable: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations of `impacts` in a page or frame, as {id, impact, help, nodes:[targets]}."""
    assert AXE.exists(), f"缺少 {AXE}：请先运行 npm install（scripts/install.sh 会装 axe-core）"
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {r: {"enabled": False} for r in disable}
    result = frame.evaluate("async (o) => await axe.run(document, o)", options)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def tab_to(page, predicate_js: str, limit: int = 80) -> int:
    """Press Tab until `predicate_js` (a JS function of the focused element, which looks inside
    open shadow roots and same-origin iframes) is true; returns how many presses it took."""
    deep_focus = """() => { let e = document.activeElement;
        while (e) { if (e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
                    else if (e.tagName === 'IFRAME' && e.contentDocument && e.contentDocument.activeElement
                             && e.contentDocument.activeElement !== e.contentDocument.body) e = e.contentDocument.activeElement;
                    else break; }
        return e; }"""
    for i in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({predicate_js})(({deep_focus})())"):
            return i
    raise AssertionError(f"按 {limit} 次 Tab 也没有到达目标元素")


@contextmanager
def chat_server(work: Path):
    """The chat (`qa-app chat`) on a free port with its index under `work`, no prose index and no
    model; yields its base URL once Streamlit's health check answers, stops it after."""
    import httpx
    port = free_port()
    env = {**os.environ, "QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": ""}
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "qa_app.cli", "chat", "--port", str(port),
                             "--index", str(work / "index")], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 40
        while True:
            try:
                if httpx.get(base + "/_stcore/health", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("chat did not start: " + (work / "server.log").read_text("utf-8", "replace"))
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
