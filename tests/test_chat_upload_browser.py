"""A new user in the Streamlit chat, in a real browser (Debian chromium through Playwright, as
tests/test_chat_browser.py): uploads a real PDF in the upload box, asks about it, opens the
citation and sees the PDF page cut to the cited cell with its red box; uploads a scanned report
(an image-only PDF made from two pages of a real one, as tests/test_ocr.py makes them), asks,
and the answer says its number was read from a scan; opens a text report's citation and sees
the whole table as printed with the cited cell marked. Screenshots go to docs/screenshots/
(chat_pdf_page.png, chat_scan.png, chat_table.png) when QA_APP_UPDATE_SCREENSHOTS=1 or missing.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, chat_server
from test_ocr import scan  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_APP_SHARED_DIR") or ROOT.parent / "shared")
REAL = SHARED / "realworld"
SHOTS = ROOT / "docs" / "screenshots"


def keep(shot: Path, name: str) -> None:
    dest = SHOTS / name
    if not dest.exists() or os.environ.get("QA_APP_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, dest)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("需要 /usr/bin/chromium（apt-get install chromium fonts-noto-cjk）")
    if not (REAL / "huaian_city_2024.pdf").exists():
        pytest.skip(f"没有真实报告目录 {REAL}（可设 QA_APP_SHARED_DIR），跳过")
    work = tmp_path_factory.mktemp("chat_upload")
    with chat_server(work) as base:
        yield base, work


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright
    base, _ = app_url
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = b.new_page(viewport={"width": 1400, "height": 1300}, locale="zh-CN")
        pg.goto(base + "/")
        pg.get_by_placeholder("请输入问题").wait_for(timeout=90_000)  # the first run indexes seeds/
        yield pg
        b.close()


def upload(page, path: Path, agency: str = "", year: str = "", timeout: int = 60_000) -> str:
    if agency:
        for box, text in ((page.get_by_role("textbox", name="发布机关（可不填）"), agency),
                          (page.get_by_role("textbox", name="年度（可不填）"), year)):
            box.fill(text)
            box.press("Enter")
        time.sleep(1.0)
    page.locator('[data-testid="stFileUploaderDropzone"] input[type="file"]').set_input_files(str(path))
    result = page.locator('.st-key-qa_upload_results').filter(has_text=path.name)
    result.wait_for(timeout=timeout)
    return result.inner_text()


def ask(page, question: str, expect: str):
    box = page.get_by_placeholder("请输入问题")
    box.fill(question)
    box.press("Enter")
    answer = page.locator('[data-testid="stChatMessage"]').filter(has_text=expect).last
    answer.wait_for(timeout=60_000)
    page.get_by_role("button", name="清空对话").wait_for(timeout=30_000)
    return answer


def test_upload_a_pdf_ask_and_see_the_page_with_the_box(app_url, page):
    _, work = app_url
    got = upload(page, REAL / "huaian_city_2024.pdf")
    assert "淮安市人民政府" in got and "2024" in got, got
    answer = ask(page, "淮安市人民政府2024年部分公开了多少件申请？", "部分公开454件")
    source = answer.locator('[data-testid="stExpander"]').filter(has_text="huaian_city_2024.pdf").first
    source.locator("summary").click()
    page.get_by_text("PDF 第 3 页（红框为所引用的位置）").or_(page.get_by_text("（红框为所引用的位置）")).first.wait_for(timeout=30_000)
    img = source.locator('[data-testid="stImage"] img').first
    img.wait_for(timeout=30_000)
    assert img.evaluate("e => e.naturalWidth") > 100
    time.sleep(1.0)
    img.evaluate("e => e.scrollIntoView({block: 'center'})")
    time.sleep(0.5)
    shot = work / "pdf.png"
    page.screenshot(path=str(shot))
    keep(shot, "chat_pdf_page.png")


def test_upload_a_scan_ask_and_the_answer_says_it_is_from_a_scan(app_url, page, tmp_path):
    _, work = app_url
    pdf = tmp_path / "洪泽区2024扫描件.pdf"
    pdf.write_bytes(scan(REAL / "huaian_hongze_2024.pdf", [3, 4], 150))
    got = upload(page, pdf, agency="淮安市洪泽区人民政府", year="2024", timeout=400_000)
    assert "✗" not in got, got
    truth = json.loads((REAL / "truth" / "huaian_hongze_2024.json").read_text("utf-8"))
    n = truth["applications"]["new_received"]["total"]
    answer = ask(page, "淮安市洪泽区人民政府2024年本年新收政府信息公开申请多少件？", f"{n}件")
    assert "数字来自扫描件的文字识别（OCR）" in answer.inner_text()
    source = answer.locator('[data-testid="stExpander"]').filter(has_text=pdf.name).first
    source.locator("summary").click()
    img = source.locator('[data-testid="stImage"] img').first
    try:
        img.wait_for(timeout=30_000)
    finally:
        page.screenshot(path=str(work / "scan_open.png"))
    assert "（红框为所引用的位置）" in source.inner_text()
    time.sleep(1.0)
    answer.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.5)
    shot = work / "scan.png"
    page.screenshot(path=str(shot))
    keep(shot, "chat_scan.png")


def test_a_text_reports_citation_shows_the_table_as_printed(app_url, page):
    _, work = app_url
    answer = ask(page, "红谷滩部分公开了多少件申请？", "部分公开12件")
    source = answer.locator('[data-testid="stExpander"]').filter(has_text="004_a940ca4a84d42417.txt").first
    source.locator("summary").click()
    source.get_by_text("查看整张表").first.click()
    hit = page.locator("td.qa-hit")
    hit.first.wait_for(timeout=15_000)
    assert hit.count() == 1 and hit.inner_text() == "12"
    assert page.locator('td[data-row="partially_granted"][data-col="natural_person"]').count() == 1
    time.sleep(0.8)
    shot = work / "table.png"
    page.screenshot(path=str(shot))
    keep(shot, "chat_table.png")
