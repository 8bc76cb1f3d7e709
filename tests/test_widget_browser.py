"""The embeddable widget in a real browser: `qa-app serve` in a subprocess on 127.0.0.1, headless
Debian chromium driven by Playwright (no browser download), facts-only index of the seeds.

Checks what a user sees: the demo page's chat box answers with the number and its citation,
the iframe page works, a page on another origin embeds it with one script tag (CORS), and
server text is shown as text, never run as HTML; an aggregate answer draws a bar for every
body with its value; no page (/demo, /widget, /docs, /redoc) requests anything from a host but
the server (every test's browser context records its requests); axe-core finds no serious
accessibility problem; the widget works from the keyboard alone. docs/screenshots/widget.png
is written when missing or with QA_APP_UPDATE_SCREENSHOTS=1.
"""
from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from qa_app.indexer import index_paths
from qa_app.settings import Settings
from browser_util import RequestLog, axe_violations, tab_to

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]
PORTAL_PORT = None  # set by the fixture: a second loopback server plays an intranet portal
README_SHOT = ROOT / "docs" / "screenshots" / "widget.png"
BODIES_2023 = ["红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处", "红谷滩区政府办"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("需要 /usr/bin/chromium（apt-get install chromium fonts-noto-cjk）")
    idx = tmp_path_factory.mktemp("browser_index")
    assert index_paths([ROOT / "seeds"], Settings.load(index=idx, narrative=False), progress=False).ok
    port = free_port()
    portal = start_portal(f"http://127.0.0.1:{port}")
    env = {**os.environ, "QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_API_TOKEN": "",
           "QA_APP_DATABASE_URL": "", "QA_APP_CORS_ORIGINS": portal.origin}
    log = open(idx / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "qa_app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--index", str(idx)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start: " + (idx / "server.log").read_text("utf-8", "replace"))
            time.sleep(0.2)
        yield base, portal
    finally:
        portal.shutdown()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def start_portal(api: str):
    """A page of another origin (its own loopback port) that embeds the widget with the snippet."""
    body = ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>门户</title></head><body>"
            "<h1>区政务公开门户</h1>"
            f"<script src='{api}/widget.js' data-api='{api}' data-title='区政务公开问答'"
            " data-agency='红谷滩区政府办'></script></body></html>").encode("utf-8")

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    srv.origin = f"http://127.0.0.1:{srv.server_address[1]}"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    log = RequestLog(ctx)
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert errors == [], errors  # no JavaScript error on the page
    assert log.urls and log.outside() == []  # nothing but the loopback servers was asked for anything


def ask(scope, question: str):
    scope.locator(".qaw-input").fill(question)
    scope.locator(".qaw-send").click()


def test_demo_page_answers_with_citation(server, page):
    server, _ = server
    page.goto(server + "/demo")
    w = page.locator("#qa-demo")
    assert w.locator(".qaw-head").inner_text() == "政府信息公开年报问答"
    assert page.locator("#snippet-script").inner_text() == \
        f'<script src="{server}/widget.js" data-api="{server}"></script>'
    ask(w, "红谷滩部分公开了多少件申请？")
    answer = w.locator(".qaw-bot:not(.qaw-pending) .qaw-text").first
    answer.wait_for(timeout=15000)
    assert "红谷滩区政府办" in answer.inner_text() and "12件" in answer.inner_text()
    assert w.locator(".qaw-user").first.inner_text() == "红谷滩部分公开了多少件申请？"
    cite = w.locator(".qaw-cite").first
    assert cite.locator(".qaw-cite-head").inner_text() == "[1] 004_a940ca4a84d42417.txt（红谷滩区政府办 2023年）"
    where = cite.locator(".qaw-cite-where").inner_text()
    assert where.startswith("三、收到和处理政府信息公开申请情况 · (二)部分公开") and where.endswith("总计，第 91–98 行")
    assert cite.locator(".qaw-quote").inner_text().startswith("(二)部分公开")
    w.locator(".qaw-ref", has_text="[1]").first.click()  # the marker points at its citation
    assert "qaw-flash" in cite.get_attribute("class")
    # a follow-up uses the earlier question
    ask(w, "那予以公开的呢？")
    w.locator(".qaw-bot:not(.qaw-pending)").nth(1).wait_for(timeout=15000)
    assert "6件" in w.locator(".qaw-bot .qaw-text").nth(1).inner_text()
    # a citation of a text report links to its table as printed, the cited cell marked
    link = cite.locator("a.qaw-page")
    assert link.inner_text() == "查看报告中的这张表（标出所引用的格子）"
    href = link.get_attribute("href")
    assert "/tables/applications.html?highlight=partially_granted%3Atotal" in href
    page.goto(href)
    hit = page.locator("td.qa-hit")
    assert hit.count() == 1 and hit.inner_text() == "12"
    assert "三、收到和处理政府信息公开申请情况" in page.locator("h3").inner_text()


def test_server_text_is_never_html(server, page):
    server, _ = server
    page.goto(server + "/demo")
    w = page.locator("#qa-demo")
    evil = '<img src=x onerror="window.__pwned=1">红谷滩部分公开了多少件申请？'
    ask(w, evil)
    w.locator(".qaw-bot:not(.qaw-pending)").first.wait_for(timeout=15000)
    assert w.locator(".qaw-user").first.inner_text() == evil
    assert w.locator("img").count() == 0
    assert page.evaluate("window.__pwned === undefined")


def test_iframe_page_and_example_button(server, page):
    server, _ = server
    page.goto(server + "/demo")
    f = page.frame_locator("#qa-iframe")
    f.locator(".qaw-example", has_text="库里有哪些报告？").click()
    text = f.locator(".qaw-bot:not(.qaw-pending) .qaw-text").first
    text.wait_for(timeout=15000)
    assert text.inner_text().startswith("库中共有5份报告")
    assert f.locator(".qaw-table tr").count() == 6  # header + 5 reports


def test_embed_on_another_origin(server, page):
    """A portal page on another origin with the one-line snippet: CORS allows it; the same page
    under an origin not on the allow-list gets a clear message instead."""
    server, portal = server
    page.goto(portal.origin + "/index.html")
    assert page.locator(".qaw-head").inner_text() == "区政务公开问答"
    ask(page, "部分公开了多少件申请？")  # data-agency narrows the answer to one body
    text = page.locator(".qaw-bot:not(.qaw-pending) .qaw-text").first
    text.wait_for(timeout=15000)
    assert "12件" in text.inner_text()
    assert page.locator(".qaw-cite-head").first.inner_text().startswith("[1] 004_a940ca4a84d42417.txt")
    stranger = portal.origin.replace("127.0.0.1", "localhost")  # same page, an origin not allowed
    page.goto(stranger + "/index.html")
    ask(page, "部分公开了多少件申请？")
    err = page.locator(".qaw-error").first
    err.wait_for(timeout=15000)
    assert err.inner_text().startswith(f"无法连接问答服务（{server}）")
    assert stranger in err.inner_text()


def answer_box(scope, i: int = 0):
    box = scope.locator(".qaw-bot:not(.qaw-pending)").nth(i)
    box.wait_for(timeout=15000)
    return box


def test_aggregate_answer_draws_every_body_with_its_value(server, page):
    server, _ = server
    page.goto(server + "/demo")
    w = page.locator("#qa-demo")
    ask(w, "2023年各单位部分公开的申请一共多少件？")
    box = answer_box(w)
    assert box.locator(".qaw-bar-label").all_inner_texts() == [
        "红谷滩区政府办", "红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处"]
    assert box.locator(".qaw-bar-value").all_inner_texts() == ["12", "0", "0", "0"]
    widths = [b.evaluate("e => e.getBoundingClientRect().width") for b in box.locator(".qaw-bar").all()]
    assert widths[0] > 100 and widths[1:] == [0, 0, 0]
    assert box.locator(".qaw-chart").get_attribute("aria-label") == (
        "横向柱状图：红谷滩区政府办 12；红旗区人民政府办公室 0；红旗区城乡建设局 0；红旗区文化街街道办事处 0")
    time.sleep(0.3)
    shot = Path(os.environ.get("TMPDIR", "/tmp")) / f"widget-{os.getpid()}.png"
    page.screenshot(path=str(shot), full_page=True)
    if not README_SHOT.exists() or os.environ.get("QA_APP_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(shot, README_SHOT)


def test_zeros_and_blank_cells_are_named_and_said(server, page):
    server, _ = server
    page.goto(server + "/widget")
    ask(page, "2023年各单位行政诉讼一共多少件？")
    box = answer_box(page)
    assert box.locator(".qaw-bar-label").all_inner_texts() == [
        "红旗区人民政府办公室", "红旗区城乡建设局", "红旗区文化街街道办事处", "红谷滩区政府办"]
    assert box.locator(".qaw-bar-value").all_inner_texts() == ["0", "0", "0", "空（未填写）"]
    assert box.locator(".qaw-chart-note").inner_text() == "这3项都是 0。1项报告里留空（未填写），不画柱子。"


def test_catalog_question_after_a_2022_question_lists_every_report(server, page):
    server, _ = server
    page.goto(server + "/widget")
    ask(page, "红旗区信访局2022年收到多少件申请？")
    answer_box(page, 0)
    ask(page, "库里有哪些报告？")
    text = answer_box(page, 1).locator(".qaw-text").inner_text()
    assert text.startswith("库中共有5份报告"), text


def test_no_page_asks_another_host(server, page):
    """The fixture fails the test on any request off the loopback servers; here every page is opened."""
    server, _ = server
    page.goto(server + "/demo")
    ask(page.locator("#qa-demo"), "红谷滩部分公开了多少件申请？")
    answer_box(page.locator("#qa-demo"))
    page.frame_locator("#qa-iframe").locator(".qaw-input").wait_for()
    page.goto(server + "/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert "接口文档" in page.title()
    page.goto(server + "/redoc")
    page.locator("h1").first.wait_for(timeout=20000)
    page.goto(server + "/widget")
    page.locator(".qaw-input").wait_for()


def test_no_serious_accessibility_problem(server, page):
    server, _ = server
    page.goto(server + "/demo")
    w = page.locator("#qa-demo")
    ask(w, "2023年各单位部分公开的申请一共多少件？")
    answer_box(w)
    f = page.frame_locator("#qa-iframe")
    ask(f, "红谷滩部分公开了多少件申请？")
    answer_box(f)
    assert axe_violations(page) == []
    frame = next(fr for fr in page.frames if fr.url.endswith("/widget"))
    assert axe_violations(frame) == []


def test_the_widget_by_keyboard_alone(server, page):
    server, _ = server
    page.goto(server + "/widget")
    tab_to(page, "e => e && e.classList.contains('qaw-example')")   # the example questions come first
    tab_to(page, "e => e && e.classList.contains('qaw-input')")
    page.keyboard.type("红谷滩部分公开了多少件申请？")
    page.keyboard.press("Enter")
    box = answer_box(page)
    assert "12件" in box.locator(".qaw-text").inner_text()
    tab_to(page, "e => e && e.classList.contains('qaw-ref') && e.textContent === '[1]'")
    page.keyboard.press("Enter")
    focused = page.evaluate("() => { const r = document.querySelector('#qa').shadowRoot; "
                            "return r && r.activeElement ? r.activeElement.className : ''; }")
    assert focused.startswith("qaw-cite")
    assert box.locator(".qaw-cite").first.evaluate("e => e === e.getRootNode().activeElement")
