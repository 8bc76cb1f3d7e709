"""Citations of HTML / markdown reports open the cited table as the report printed it
(GET /reports/{id}/tables/{table}.html?highlight=row:col, qa_app/tablehtml.py).

- For every cell of the real HTML and markdown reports in ../shared/realworld, the one cell
  marked in the rendered table holds the printed number (expected values from truth/).
- Report text is escaped and the page reaches no other host; bad highlights are 422, a missing
  report or table 404; the table path loads no PDF library.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_app.api import create_app
from qa_app.indexer import index_paths
from qa_app.settings import Settings
from qa_app.tablehtml import table_html

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_APP_SHARED_DIR") or ROOT.parent / "shared")
REALWORLD = SHARED / "realworld"
NON_PDF = ["shanghai_gov_office_2019.html", "shanghai_kewei_2024.md", "suqian_shuyang_2025.md"]
TABLES = ["proactive", "applications", "review_litigation"]


def make_settings(index: Path) -> Settings:
    return Settings.load(index=index, narrative=False, api_token="", cors_origins="", max_file_mb=50.0,
                         llm_mode="none", database_url="")


class Cells(HTMLParser):
    """The <td> cells of a page: (row key, column key, text, marked)."""

    def __init__(self):
        super().__init__()
        self.cells, self._cur, self.tags = [], None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "td":
            a = dict(attrs)
            self._cur = [a.get("data-row"), a.get("data-col"), "", "qa-hit" in (a.get("class") or "")]

    def handle_data(self, data):
        if self._cur is not None:
            self._cur[2] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cur is not None:
            self.cells.append(tuple(self._cur))
            self._cur = None


def parse(page: str) -> Cells:
    p = Cells()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def realworld(tmp_path_factory):
    files = [REALWORLD / n for n in NON_PDF if (REALWORLD / n).exists()]
    if len(files) != len(NON_PDF):
        pytest.skip(f"没有真实报告目录 {REALWORLD}（可设 QA_APP_SHARED_DIR），跳过")
    idx = tmp_path_factory.mktemp("realworld_tables")
    assert index_paths(files, make_settings(idx), progress=False).ok
    client = TestClient(create_app(make_settings(idx)))
    ids = {Path(r["file_name"]).name: r["id"] for r in client.get("/reports").json()}
    return client, ids


def printed(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


@pytest.mark.parametrize("name", NON_PDF)
def test_every_cell_marked_holds_the_printed_number(realworld, name):
    client, ids = realworld
    truth = json.loads((REALWORLD / "truth" / (Path(name).stem + ".json")).read_text("utf-8"))
    rid = ids[name]
    n = 0
    for table in TABLES:
        for row, cols in truth[table].items():
            for col, v in cols.items():
                r = client.get(f"/reports/{rid}/tables/{table}.html", params={"highlight": f"{row}:{col}"})
                assert r.status_code == 200, r.text
                marked = [c for c in parse(r.text).cells if c[3]]
                assert [(c[0], c[1]) for c in marked] == [(row, col)], (table, row, col)
                assert marked[0][2] == printed(v), (name, table, row, col, marked[0][2], v)
                n += 1
    assert n > 150


def test_several_marks_and_whole_table(realworld):
    client, ids = realworld
    rid = ids["shanghai_kewei_2024.md"]
    r = client.get(f"/reports/{rid}/tables/applications.html",
                   params=[("highlight", "new_received:natural_person"), ("highlight", "granted:total")])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    cells = parse(r.text).cells
    assert {(c[0], c[1], c[2]) for c in cells if c[3]} == {("new_received", "natural_person", "32"),
                                                          ("granted", "total", "9")}
    # the whole table, all rows of section 三 as printed (25 rows in this report's truth)
    assert len({c[0] for c in cells}) >= 25
    assert "上海市科学技术委员会" in r.text and "三、收到和处理政府信息公开申请情况" in r.text


def test_errors(realworld):
    client, ids = realworld
    rid = ids["shanghai_kewei_2024.md"]
    assert client.get(f"/reports/{rid}/tables/applications.html", params={"highlight": "granted"}).status_code == 422
    assert client.get(f"/reports/{rid}/tables/nonsense.html").status_code == 422
    r = client.get("/reports/999999/tables/applications.html")
    assert r.status_code == 404 and "库中没有编号为 999999 的报告" in r.json()["message"]


def test_report_text_is_escaped_and_no_other_host():
    recs = [{"row": "granted", "column": "total", "value": "<img src=http://evil.example/x>", "derived": False},
            {"row": "<script>alert(1)</script>", "column": "total", "value": 3, "derived": False}]
    page = table_html(recs, "applications", {("granted", "total")}, title="<script>alert(2)</script>机关")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;机关" in page
    assert "&lt;img src=http://evil.example/x&gt;" in page
    tags = parse(page).tags
    assert {t for t, _ in tags} <= {"html", "head", "meta", "title", "body", "h3", "style", "table", "thead",
                                    "tbody", "tr", "th", "td", "p"}
    assert not any(k in ("src", "href") for _, a in tags for k in a)


def test_table_page_loads_no_pdf_library(realworld, tmp_path):
    idx = tmp_path / "i"
    code = f"""
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from qa_app.api import create_app
from qa_app.indexer import index_paths
from qa_app.settings import Settings
s = Settings.load(index=Path({str(idx)!r}), narrative=False, api_token="", cors_origins="", max_file_mb=50.0,
                  llm_mode="none", database_url="")
index_paths([Path({str(REALWORLD / 'shanghai_kewei_2024.md')!r})], s, progress=False)
before = {{m for m in sys.modules if m.startswith(("pdfplumber", "pypdfium2", "pdfminer"))}}
c = TestClient(create_app(s))
r = c.get("/reports/1/tables/applications.html", params={{"highlight": "granted:total"}})
assert r.status_code == 200, r.text
print(sorted({{m for m in sys.modules if m.startswith(("pdfplumber", "pypdfium2", "pdfminer"))}} - before))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
