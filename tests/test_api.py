"""HTTP API (qa_app/api.py) with FastAPI's TestClient over an index of the five seed reports.

Facts only (narrative=False): no embedding model is loaded. Expected values are the seeds'
printed numbers, e.g. 红谷滩区政府办 2023 部分公开 = 12 on lines 91-98 of 004_a940ca4a84d42417.txt.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from qa_app.api import answer_pieces, create_app, safe_upload_name, ApiError
from qa_app.cli import main as cli_main
from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HGT = "004_a940ca4a84d42417.txt"
Q_PARTIAL = "红谷滩部分公开了多少件申请？"
TOKEN = "s3cret-Token-0123"  # header values are latin-1: tokens are ASCII


def make_settings(index: Path, **kw) -> Settings:
    base = dict(index=index, narrative=False, api_token="", cors_origins="", max_file_mb=50.0, llm_mode="none",
                database_url="")
    base.update(kw)
    return Settings.load(**base)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory) -> Path:
    """A facts-only index of the seeds, built once; tests that write copy it."""
    idx = tmp_path_factory.mktemp("seed_index")
    summary = index_paths([SEEDS], make_settings(idx), progress=False)
    assert summary.count("added") == 5 and summary.ok
    return idx


@pytest.fixture(scope="module")
def client(seed_index) -> TestClient:
    return TestClient(create_app(make_settings(seed_index)))


@pytest.fixture()
def fresh_index(seed_index, tmp_path) -> Path:
    idx = tmp_path / "index"
    shutil.copytree(seed_index, idx)
    return idx


def cli_json(index: Path, *args: str):
    env = {"QA_APP_NARRATIVE": "0", "QA_APP_LLM_MODE": "none", "QA_APP_DATABASE_URL": ""}
    res = CliRunner().invoke(cli_main, [*args, "--index", str(index)], env=env)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def sse_events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


# -- /ask ---------------------------------------------------------------------------------------

def test_ask_table_value_with_citation(client, seed_index):
    r = client.post("/ask", json={"question": Q_PARTIAL})
    assert r.status_code == 200
    a = r.json()
    assert a["value"] == 12 and a["kind"] == "table"
    assert "红谷滩区政府办" in a["answer"] and "12件" in a["answer"] and "[1]" in a["answer"]
    c = a["citations"][0]
    assert (c["n"], c["report"], c["lines"], c["section"]) == (1, HGT, [91, 98], "三、收到和处理政府信息公开申请情况")
    assert c["row_key"] == "partially_granted" and c["column_key"] == "total" and c["value"] == 12
    # the same JSON as `qa-app ask --json`
    assert a == cli_json(seed_index, "ask", "--json", Q_PARTIAL)


def test_ask_aggregate_prose_and_refusal(client):
    a = client.post("/ask", json={"question": "2023年各单位部分公开的申请一共多少件？"}).json()
    assert (a["kind"], a["value"]) == ("aggregate", 12)
    assert {c["report"] for c in a["citations"]} >= {HGT}
    p = client.post("/ask", json={"question": "文化街街道2023年主动公开了多少条信息？"}).json()
    assert p["kind"] == "text" and "553" in p["answer"]
    assert p["citations"][0]["report"] == "003_537c1939cbe3baea.txt" and "553" in p["citations"][0]["quote"]
    n = client.post("/ask", json={"question": "海淀区2023年收到多少件政府信息公开申请？"}).json()
    assert n["kind"] == "none" and "库中没有" in n["answer"] and n["citations"] == []


def test_ask_history_and_filters(client):
    first = "红谷滩区政府办2023年无法提供的申请有多少件？"
    assert client.post("/ask", json={"question": first}).json()["value"] == 9
    a = client.post("/ask", json={"question": "那予以公开的呢？", "history": [first]}).json()
    assert a["value"] == 6 and a["citations"][0]["report"] == HGT
    a2 = client.post("/ask", json={"question": "那予以公开的呢？",
                                   "history": [{"role": "user", "content": first},
                                               {"role": "assistant", "content": "9件"}]}).json()
    assert a2["value"] == 6
    f = client.post("/ask", json={"question": "部分公开了多少件申请？", "filters": {"agency": "红谷滩区政府办"}}).json()
    assert f["value"] == 12 and [c["report"] for c in f["citations"]] == [HGT]
    f2022 = client.post("/ask", json={"question": "部分公开了多少件申请？", "filters": {"year": 2022}}).json()
    assert f2022["value"] == 0 and [c["report"] for c in f2022["citations"]] == ["002_050334ec39756ada.txt"]


@pytest.mark.parametrize("how", ["query", "accept"])
def test_ask_stream_events(client, how):
    kw = {"params": {"stream": "true"}} if how == "query" else {"headers": {"Accept": "text/event-stream"}}
    r = client.post("/ask", json={"question": Q_PARTIAL}, **kw)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    ev = sse_events(r.text)
    assert ev[0] == ("start", {"question": Q_PARTIAL})
    assert [e for e, _ in ev[1:-1]] == ["delta"] * (len(ev) - 2) and len(ev) > 3
    final = ev[-1]
    assert final[0] == "answer" and final[1]["value"] == 12 and final[1]["citations"][0]["report"] == HGT
    assert "".join(d["text"] for _, d in ev[1:-1]) == final[1]["answer"]
    assert final[1] == client.post("/ask", json={"question": Q_PARTIAL}).json()


def test_stream_passes_engine_pieces_then_the_answer_that_stands(client, monkeypatch):
    """With engine.ask_stream (a language model writing), each piece goes out as it comes; the
    final event carries the Answer the engine settled on, even if it differs from the pieces."""
    import qa_app.engine
    from qa_app.answer import Answer

    def fake_stream(question, on_answer=None, **kw):
        assert kw["filters"] == {"year": 2023} and kw["history"] == ["上一问"]
        yield "模型写的"
        yield "草稿[1]"
        ans = Answer(question, "（模型回答未通过核对，已改用原文摘录）摘录[1]", "text")
        on_answer(ans)
        return ans
    monkeypatch.setattr(qa_app.engine, "ask_stream", fake_stream, raising=False)
    r = client.post("/ask?stream=true", json={"question": "问", "history": ["上一问"], "filters": {"year": 2023}})
    ev = sse_events(r.text)
    assert ev[1:3] == [("delta", {"text": "模型写的"}), ("delta", {"text": "草稿[1]"})]
    assert ev[3][0] == "answer" and ev[3][1]["answer"] == "（模型回答未通过核对，已改用原文摘录）摘录[1]"
    assert len(ev) == 4
    # an engine without ask_stream: one answer, cut into pieces
    monkeypatch.delattr(qa_app.engine, "ask_stream", raising=False)
    ev = sse_events(client.post("/ask?stream=true", json={"question": Q_PARTIAL}).text)
    assert ev[-1][1]["value"] == 12 and "".join(d["text"] for _, d in ev[1:-1]) == ev[-1][1]["answer"]


def test_answer_pieces_keep_markers_whole():
    text = "红旗区共3份报告，合计4件：红旗区人民政府办公室4件[1]；其余2份为0[2][3]。"
    pieces = answer_pieces(text, size=5)
    assert "".join(pieces) == text
    assert pieces[:6] == ["红旗区共3", "份报告，", "合计4件：", "红旗区人民", "政府办公室", "4件[1]"]
    for p in pieces:  # a marker is never cut in two
        assert "[" not in re.sub(r"\[\d+\]", "", p) and "]" not in re.sub(r"\[\d+\]", "", p)


@pytest.mark.parametrize("body, where", [
    ({}, "「question」必填"),
    ({"question": "   "}, "「question」不能为空"),
    ({"question": "问" * 501}, "「question」太长"),
    ({"question": "x", "filters": {"year": "去年"}}, "「filters.year」应为整数"),
    ({"question": "x", "filters": {"bureau": "a"}}, "「filters.bureau」不认识这个字段"),
    ({"question": "x", "history": "not a list"}, "「history」应为列表"),
    ({"question": "x", "extra": 1}, "「extra」不认识这个字段"),
])
def test_ask_bad_requests_422(client, body, where):
    r = client.post("/ask", json=body)
    assert r.status_code == 422
    e = r.json()
    assert e["error"] == "invalid_request" and e["status"] == 422
    assert e["message"].startswith("请求参数不正确：请求体") and where in e["message"]


def test_ask_invalid_json_and_wrong_method(client):
    r = client.post("/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "不是有效的 JSON" in r.json()["message"]
    r = client.post("/ask", data={"question": Q_PARTIAL})  # a form, as curl -d sends without -H
    assert r.status_code == 422
    assert r.json()["message"] == "请求参数不正确：请求体应为 JSON 对象（请求头加 Content-Type: application/json）"
    big = json.dumps({"question": "x", "history": ["问" * 1000] * 100}, ensure_ascii=False).encode()
    r = client.post("/ask", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["message"] == f"请求内容 {len(big) / 1024:.1f} KB，超过上限 256.0 KB"
    r = client.get("/ask")
    assert r.status_code == 405 and r.json() == {"error": "method_not_allowed", "message": "这个地址不支持该请求方法",
                                                 "status": 405}
    r = client.get("/no/such/path")
    assert r.status_code == 404 and r.json()["message"] == "没有这个地址：/no/such/path。可用的接口见 /docs"


def test_unexpected_error_is_json_500_without_traceback(client, monkeypatch):
    import qa_app.engine

    def boom(*a, **kw):
        raise RuntimeError("secret internal detail /etc/passwd")
    monkeypatch.setattr(qa_app.engine, "ask", boom)
    r = client.post("/ask", json={"question": Q_PARTIAL})
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "message": "服务器内部错误，已记录日志；请稍后重试或联系管理员",
                        "status": 500}
    assert "Traceback" not in r.text and "secret" not in r.text
    s = client.post("/ask?stream=true", json={"question": Q_PARTIAL})
    ev = sse_events(s.text)
    assert [e for e, _ in ev] == ["start", "error"] and ev[1][1]["status"] == 500 and "secret" not in s.text


# -- /reports, /facts, /check -----------------------------------------------------------------------

def test_reports_list_matches_cli(client, seed_index):
    reps = client.get("/reports").json()
    assert [(r["id"], r["file_name"], r["agency"], r["year"]) for r in reps] == [
        (1, "000_aa0ecb1c4df3c9c5.txt", "红旗区人民政府办公室", 2023),
        (2, "001_924043a2ff6d2acf.txt", "红旗区城乡建设局", 2023),
        (3, "002_050334ec39756ada.txt", "红旗区信访局", 2022),
        (4, "003_537c1939cbe3baea.txt", "红旗区文化街街道办事处", 2023),
        (5, HGT, "红谷滩区政府办", 2023)]
    assert reps == cli_json(seed_index, "reports", "--json")


def test_facts_filters(client, seed_index):
    r = client.get("/facts", params={"agency": "红谷滩", "row": "partially_granted", "column": "total"})
    assert r.status_code == 200 and r.headers["x-total-count"] == "1"
    assert r.json() == [{"report": HGT, "agency": "红谷滩区政府办", "region": "红谷滩区", "year": 2023,
                         "table": "applications", "row": "partially_granted", "column": "total", "value": 12,
                         "derived": False, "lines": [91, 98]}]
    every = client.get("/facts", params={"agency": "红谷滩"}).json()
    assert every == cli_json(seed_index, "facts", "--json", "--agency", "红谷滩")
    y2022 = client.get("/facts", params={"year": 2022, "table": "review_litigation"}).json()
    assert y2022 and {f["report"] for f in y2022} == {"002_050334ec39756ada.txt"}
    assert {f["table"] for f in y2022} == {"review_litigation"}
    printed = client.get("/facts", params={"agency": "红谷滩", "derived": "false"}).json()
    assert 0 < len(printed) < len(every) and not any(f["derived"] for f in printed)
    page = client.get("/facts", params={"agency": "红谷滩", "limit": 3, "offset": 2})
    assert page.json() == every[2:5] and page.headers["x-total-count"] == str(len(every))
    assert client.get("/facts", params={"region": "火星"}).json() == []


@pytest.mark.parametrize("params, text", [
    ({"row": "部分公开"}, "没有行键 部分公开"),
    ({"column": "all"}, "没有列键 all"),
    ({"table": "tables"}, "「table」取值不在允许范围内"),
    ({"year": "2023年"}, "「year」应为整数"),
    ({"limit": 0}, "「limit」太小"),
])
def test_facts_bad_filters_422(client, params, text):
    r = client.get("/facts", params=params)
    assert r.status_code == 422 and text in r.json()["message"]


def test_check(client, seed_index):
    assert client.get("/check").json() == []  # every seed passes its checks
    every = client.get("/check", params={"all": "true"}).json()
    assert len(every) == 4 * 46 + 45 and all(c["ok"] for c in every)
    assert every == cli_json(seed_index, "check", "--json", "--all")
    hgt = client.get("/check", params={"all": "true", "report_id": 5}).json()
    assert len(hgt) == 45 and {c["report"] for c in hgt} == {HGT}


# -- uploads and deletes -------------------------------------------------------------------------

def qingshanhu() -> bytes:
    """A new body's report: the 红谷滩 seed with another district's name (same numbers)."""
    return (SEEDS / HGT).read_text("utf-8").replace("红谷滩", "青山湖").encode("utf-8")


def test_upload_ask_delete_roundtrip(fresh_index):
    c = TestClient(create_app(make_settings(fresh_index)))
    r = c.post("/reports", files={"file": ("../../青山湖 区/年报<2023>.txt", qingshanhu(), "text/plain")})
    assert r.status_code == 201, r.text
    up = r.json()
    assert up["status"] == "added" and up["file_name"] == "年报_2023.txt" and up["report_id"] == 6
    assert up["report"]["agency"] == "青山湖区政府办" and up["report"]["year"] == 2023
    saved = fresh_index / "uploads" / "年报_2023.txt"
    assert saved.read_bytes() == qingshanhu()
    assert sorted(p.name for p in (fresh_index / "uploads").iterdir()) == ["年报_2023.txt"]
    assert not list(fresh_index.parent.glob("*.txt"))  # nothing written outside the index
    a = c.post("/ask", json={"question": "青山湖区政府办部分公开了多少件申请？"}).json()
    assert a["value"] == 12 and a["citations"][0]["report"] == "年报_2023.txt" and a["citations"][0]["lines"] == [91, 98]
    assert len(c.get("/reports").json()) == 6
    # the same name again, unchanged; then changed content replaces the report
    again = c.post("/reports", files={"file": ("年报_2023.txt", qingshanhu(), "text/plain")})
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    changed = qingshanhu().replace("2023年".encode(), "2024年".encode())
    rep = c.post("/reports", files={"file": ("年报_2023.txt", changed, "text/plain")})
    assert rep.status_code == 201 and rep.json()["status"] == "replaced" and rep.json()["report"]["year"] == 2024
    rid = rep.json()["report_id"]
    d = c.delete(f"/reports/{rid}")
    assert d.status_code == 200
    assert d.json() == {"removed": rid, "file_name": "年报_2023.txt", "agency": "青山湖区政府办", "year": 2024,
                        "deleted_uploads": ["年报_2023.txt"]}
    assert not saved.exists()
    assert len(c.get("/reports").json()) == 5
    gone = c.post("/ask", json={"question": "青山湖区政府办部分公开了多少件申请？"}).json()
    assert gone["value"] is None and "库中没有" in gone["answer"]
    assert c.delete(f"/reports/{rid}").status_code == 404
    assert c.delete(f"/reports/{rid}").json()["message"] == f"库中没有编号为 {rid} 的报告"


def test_upload_same_content_and_delete_seed_keeps_seed_file(fresh_index):
    c = TestClient(create_app(make_settings(fresh_index)))
    seed = SEEDS / "000_aa0ecb1c4df3c9c5.txt"
    r = c.post("/reports", files={"file": ("copy.txt", seed.read_bytes(), "text/plain")})
    assert r.status_code == 200 and r.json()["status"] == "same-content" and r.json()["report_id"] == 1
    d = c.delete("/reports/1").json()
    assert d["deleted_uploads"] == ["copy.txt"] and seed.exists()
    assert [x["id"] for x in c.get("/reports").json()] == [2, 3, 4, 5]


@pytest.mark.parametrize("name, data, status, message", [
    ("report.exe", b"MZ\x90\x00", 400, "不支持的文件类型 .exe；支持 .txt .pdf .html .htm .docx .md .markdown"),
    ("noext", b"abc", 400, "不支持的文件类型 （无扩展名）"),
    ("empty.txt", b"", 422, "无法索引 empty.txt：文件是空的"),
    ("notes.txt", "今天开会讨论了食堂菜单，没有别的事情。".encode() * 5, 422,
     "无法索引 notes.txt：不是政府信息公开工作年度报告"),
    ("fake.pdf", b"this is not a pdf at all" * 10, 422, "无法索引 fake.pdf：不是有效的 PDF 文件"),
])
def test_upload_rejects_bad_files(fresh_index, name, data, status, message):
    c = TestClient(create_app(make_settings(fresh_index)))
    r = c.post("/reports", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == status and r.json()["message"].startswith(message), r.text
    assert len(c.get("/reports").json()) == 5
    up = fresh_index / "uploads"
    assert not up.exists() or list(up.iterdir()) == []  # a refused file is not kept


def test_failed_upload_keeps_earlier_file_of_that_name(fresh_index):
    c = TestClient(create_app(make_settings(fresh_index)))
    assert c.post("/reports", files={"file": ("q.txt", qingshanhu(), "text/plain")}).status_code == 201
    bad = c.post("/reports", files={"file": ("q.txt", "不是年报的内容。".encode() * 20, "text/plain")})
    assert bad.status_code == 422
    assert (fresh_index / "uploads" / "q.txt").read_bytes() == qingshanhu()
    assert [p.name for p in (fresh_index / "uploads").iterdir()] == ["q.txt"]
    assert c.post("/ask", json={"question": "青山湖区政府办部分公开了多少件申请？"}).json()["value"] == 12


def test_upload_size_limits(fresh_index):
    c = TestClient(create_app(make_settings(fresh_index, max_file_mb=0.005)))  # 5 KiB; the 红谷滩 seed is 7.4 KiB
    r = c.post("/reports", files={"file": ("big.txt", qingshanhu(), "text/plain")})
    assert r.status_code == 413
    assert r.json() == {"error": "too_large", "status": 413,
                        "message": "文件 big.txt 大小 7.4 KB，超过上限 0.005 MB（设置 QA_APP_MAX_FILE_MB）"}
    # over the limit by Content-Length: refused before the body is read
    huge = b"x" * (2 * 1024 * 1024)
    r = c.post("/reports", files={"file": ("huge.txt", huge, "text/plain")})
    assert r.status_code == 413 and r.json()["message"].startswith("上传内容 2.0 MB，超过上限 0.005 MB")
    # no Content-Length (chunked): reading stops once past the limit
    boundary = "qaappboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode()

    def chunks():
        yield head
        for _ in range(40):
            yield b"y" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()
    r = c.post("/reports", content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and r.json()["message"] == "上传内容超过上限 0.005 MB（设置 QA_APP_MAX_FILE_MB）"
    assert len(c.get("/reports").json()) == 5
    assert not (fresh_index / "uploads").exists() or list((fresh_index / "uploads").iterdir()) == []


def test_delete_bad_ids(client):
    assert client.delete("/reports/abc").status_code == 422
    assert "「report_id」应为整数" in client.delete("/reports/abc").json()["message"]
    assert client.delete("/reports/0").status_code == 422
    assert client.delete("/reports/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)


def test_safe_upload_name():
    assert safe_upload_name("../../etc/红旗区 2023年报.TXT") == "红旗区_2023年报.txt"
    assert safe_upload_name("C:\\Users\\a\\..\\报告.docx") == "报告.docx"
    assert safe_upload_name("...hidden.md") == "hidden.md"
    assert safe_upload_name("(1).txt") == "(1).txt"
    assert safe_upload_name("a\x00b;rm -rf $(x).pdf") == "a_b_rm_-rf_(x).pdf"
    assert len(safe_upload_name("长" * 300 + ".txt")) == 124
    for bad in ("x.txt.exe", "x.php", "", "x.", ".txt"):
        with pytest.raises(ApiError) as e:
            safe_upload_name(bad)
        assert e.value.status == 400


# -- auth and CORS ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def secured(seed_index) -> TestClient:
    return TestClient(create_app(make_settings(seed_index, api_token=TOKEN, cors_origins="http://portal.example, http://b.example")))


@pytest.mark.parametrize("method, path, kw", [
    ("post", "/ask", {"json": {"question": Q_PARTIAL}}),
    ("get", "/reports", {}),
    ("get", "/facts", {}),
    ("get", "/check", {}),
    ("post", "/reports", {"files": {"file": ("a.txt", b"abc", "text/plain")}}),
    ("delete", "/reports/5", {}),
])
def test_token_required(secured, method, path, kw):
    r = getattr(secured, method)(path, **kw)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"error": "unauthorized", "status": 401,
                        "message": "缺少或错误的 API 令牌：请在请求头加 Authorization: Bearer <令牌> 或 X-API-Key: <令牌>"}
    bad = getattr(secured, method)(path, headers={"Authorization": "Bearer wrong"}, **kw)
    assert bad.status_code == 401
    bad = getattr(secured, method)(path, headers={"X-API-Key": TOKEN + "x"}, **kw)
    assert bad.status_code == 401


def test_token_accepted_both_ways(secured):
    a = secured.post("/ask", json={"question": Q_PARTIAL}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert a.status_code == 200 and a.json()["value"] == 12
    b = secured.get("/reports", headers={"X-API-Key": TOKEN})
    assert b.status_code == 200 and len(b.json()) == 5
    assert secured.get("/facts", params={"row": "partially_granted", "column": "total", "agency": "红谷滩"},
                       headers={"X-API-Key": TOKEN}).json()[0]["value"] == 12


def test_public_paths_with_token_on(secured):
    assert secured.get("/health").json() == {"status": "ok", "version": "0.1.0"}
    for path in ("/widget.js", "/widget", "/demo", "/docs", "/openapi.json"):
        assert secured.get(path).status_code == 200, path


def test_cors_allow_list(secured, client):
    ok = secured.options("/ask", headers={"Origin": "http://portal.example", "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "authorization,content-type"})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://portal.example"
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    no = secured.options("/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in no.headers
    # the error of a cross-origin call carries the header, so the widget can show the message
    r = secured.post("/ask", json={"question": Q_PARTIAL}, headers={"Origin": "http://b.example"})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "http://b.example"
    r = secured.post("/ask", json={"question": Q_PARTIAL}, headers={"Origin": "http://evil.example", "X-API-Key": TOKEN})
    assert "access-control-allow-origin" not in r.headers
    # no allow-list: no CORS headers at all (same-origin use only)
    r = client.post("/ask", json={"question": Q_PARTIAL}, headers={"Origin": "http://portal.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


# -- widget, demo, docs -----------------------------------------------------------------------------

def test_widget_assets(client):
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert "window.QaAppWidget" in js.text and "/ask" in js.text
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text and "eval(" not in js.text
    demo = client.get("/demo")
    assert demo.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js" data-target="#qa-demo"' in demo.text and 'src="/widget"' in demo.text
    page = client.get("/widget").text
    assert '<script src="widget.js" data-target="#qa"' in page
    code = re.sub(r"/\*.*?\*/", "", js.text, flags=re.S)  # nothing loaded from a CDN or another site
    assert not re.search(r"[\"']https?://", code) and "import(" not in code
    for html in (demo.text, page):
        html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assert client.get("/").headers.get("location") is None  # followed redirect
    assert client.get("/", follow_redirects=False).headers["location"] == "/demo"
    # query parameters cannot choose the file
    assert client.get("/widget.js", params={"path": "../api.py"}).text == js.text


def test_docs_without_cdn(client):
    html = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in html and "cdn.jsdelivr" not in html
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "cdn.jsdelivr" not in client.get("/redoc").text
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/ask", "/reports", "/reports/{report_id}", "/reports/{report_id}/pages/{page}.png",
                                  "/reports/{report_id}/tables/{table}.html", "/facts", "/check", "/health"}
    assert set(spec["paths"]["/reports"]) == {"get", "post"}


def test_serve_command_help():
    res = CliRunner().invoke(cli_main, ["serve", "--help"])
    assert res.exit_code == 0
    assert "--host" in res.output and "--port" in res.output and "--index" in res.output and "/demo" in res.output
