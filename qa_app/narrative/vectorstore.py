"""Chroma side of the narrative index: one collection of chunk vectors per embedding model.

A PersistentClient in <index>/chroma by default, an HttpClient when `settings.chroma_url` is
set; telemetry off. The collection name carries the index's own id and the model id
(`qa-<index>-<model>-<hash>`), so vectors of two models never share a collection and two
indexes can share one Chroma server. Collections are created with embedding_function=None and
every call passes vectors (`embeddings=`, `query_embeddings=`): Chroma never tries to fetch its
default ONNX model. Each vector carries the chunk's report_id (and year, body, region) as
metadata so that filters apply inside the nearest-neighbour search. Chunk texts are not stored
in Chroma (the chunk table in narrative.sqlite has them; Chroma's full-text index of them
would only cost time and disk).

What it does not: embed, chunk or decide what belongs in the index (index.py does).
chromadb is imported when a VectorStore is first opened, never at module import.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlparse


def collection_name(index_uid: str, model_id: str) -> str:
    """3-512 characters of [a-zA-Z0-9._-], starting and ending with an alphanumeric."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")[:40] or "model"
    h = hashlib.sha1(model_id.encode("utf-8")).hexdigest()[:8]
    return f"qa-{index_uid[:8]}-{slug}-{h}"


_CLIENTS: dict[str, object] = {}
_GENERATION: dict[str, int] = {}


def _key(settings) -> str:
    if settings.chroma_url:
        return "http:" + settings.chroma_url
    return "path:" + str((Path(settings.index) / "chroma").resolve())


def _client(settings):
    """One client per Chroma location per process (Chroma itself shares one system per path)."""
    key = _key(settings)
    if key in _CLIENTS:
        return _CLIENTS[key]
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    cs = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        u = urlparse(settings.chroma_url if "//" in settings.chroma_url else "http://" + settings.chroma_url)
        client = chromadb.HttpClient(host=u.hostname or "localhost", port=u.port or (443 if u.scheme == "https" else 8000),
                                     ssl=u.scheme == "https", settings=cs)
    else:
        client = chromadb.PersistentClient(path=key[len("path:"):], settings=cs)
    _CLIENTS[key] = client
    return client


def reload_local(settings) -> None:
    """Drop this process's PersistentClient for the index so the next use reads the files
    afresh: a long-lived process does not see another process's writes otherwise. (A Chroma
    server needs nothing of the kind.)"""
    if settings.chroma_url:
        return
    key = _key(settings)
    client = _CLIENTS.pop(key, None)
    _GENERATION[key] = _GENERATION.get(key, 0) + 1
    if client is not None:
        try:
            client.close()
        except Exception:
            pass


class VectorStore:
    def __init__(self, settings, index_uid: str, model_id: str):
        self.settings = settings
        self.model_id = model_id
        self.name = collection_name(index_uid, model_id)
        self._col = None
        self._gen = -1
        self.max_batch = 1000
        _ = self.col  # create the collection now

    @property
    def col(self):
        key = _key(self.settings)
        if self._col is None or self._gen != _GENERATION.get(key, 0):
            client = _client(self.settings)
            self._col = client.get_or_create_collection(
                self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": self.model_id, "made_by": "qa-app"})
            self._gen = _GENERATION.get(key, 0)
            try:
                self.max_batch = int(client.get_max_batch_size())
            except Exception:  # older servers
                self.max_batch = 1000
        return self._col

    def add(self, ids: list[str], vectors, metadatas: list[dict]) -> None:
        """Add new ids (an id Chroma already holds keeps its old vector: see `present`)."""
        import numpy as np
        vectors = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(ids), self.max_batch):
            j = i + self.max_batch
            self.col.add(ids=ids[i:j], embeddings=vectors[i:j], metadatas=metadatas[i:j])

    def present(self, ids: list[str]) -> set[str]:
        """Those of `ids` the collection holds."""
        out: set[str] = set()
        for i in range(0, len(ids), self.max_batch):
            out.update(self.col.get(ids=ids[i:i + self.max_batch], include=[])["ids"])
        return out

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), self.max_batch):
            self.col.delete(ids=ids[i:i + self.max_batch])

    def count(self) -> int:
        return self.col.count()

    def ids(self) -> set[str]:
        out: set[str] = set()
        page = 5000
        off = 0
        while True:
            got = self.col.get(include=[], limit=page, offset=off)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            off += page

    def query(self, vector, n: int, report_ids: list[int] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first; `report_ids` filters before the search."""
        if n <= 0:
            return []
        where = None
        if report_ids is not None:
            if not report_ids:
                return []
            where = {"report_id": {"$in": [int(r) for r in report_ids]}} if len(report_ids) > 1 \
                else {"report_id": int(report_ids[0])}
        total = self.col.count()
        if total == 0:
            return []
        res = self.col.query(query_embeddings=[list(map(float, vector))], n_results=min(n, total), where=where,
                             include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]


def chunk_metadata(row) -> dict:
    """Chroma metadata of a chunk (no None values: Chroma refuses them)."""
    md = {"report_id": int(row.report_id), "seq": int(row.seq), "report": row.report, "section": row.section,
          "line_first": int(row.line_first), "line_last": int(row.line_last)}
    for k in ("agency", "region", "year"):
        v = getattr(row, k)
        if v is not None and v != "":
            md[k] = v
    return md
