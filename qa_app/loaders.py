"""Turn a report file into text: the one edge where bytes become the lines the reader sees.

Each format gives the same kind of text (tables as tab-separated rows where the format has
real tables), so every format reaches the same table reader. Problems raise InputError with
a one-line Chinese message naming the file. Nothing here parses tables or touches the index.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".txt", ".pdf", ".html", ".htm", ".docx", ".md", ".markdown")


class InputError(Exception):
    """A file that cannot be indexed: `str(err)` is the one-line message for the user."""

    def __init__(self, path, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{Path(path).name}：{message}")


@dataclass
class Loaded:
    path: Path
    text: str
    source_format: str  # "txt", "pdf", "html", "docx", "md"
    sha256: str         # of the file's bytes
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes of a text file -> (text, encoding). Strict UTF-8 (with or without BOM) first, then
    UTF-16 by its BOM, then GB18030 (a superset of GBK), then detection. Short GBK text is never
    handed to detection first: it misreads it as cp949.

    >>> decode_text("红旗区".encode("gbk"))
    ('红旗区', 'gb18030')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) > 4 and (data[1::2].count(0) > len(data) // 5 or data[0::2].count(0) > len(data) // 5):
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                continue
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is None:
        raise ValueError("无法识别文本编码")
    return str(best), best.encoding


def load(path: Path, max_mb: float = 50.0) -> Loaded:
    path = Path(path)
    if not path.exists():
        raise InputError(path, "文件不存在")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "文件是空的")
    if size > max_mb * 1024 * 1024:
        raise InputError(path, f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {max_mb:g} MB（设置 max_file_mb）")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(path, f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 {' '.join(SUPPORTED)}")
    sha = file_sha256(path)
    data = path.read_bytes()
    if suffix == ".pdf":
        return Loaded(path, _pdf_text(path, data), "pdf", sha)
    if suffix == ".txt" or suffix in (".md", ".markdown"):
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b"\x00") > len(data) // 3 and not _utf16_like(data):
            raise InputError(path, "不是文本文件（含二进制内容）")
        try:
            text, enc = decode_text(data)
        except (ValueError, UnicodeDecodeError):
            raise InputError(path, "无法识别文本编码（不是 UTF-8、UTF-16 或 GBK/GB18030 文本）")
        if _looks_binary(text):
            raise InputError(path, "不是文本文件（含二进制内容）")
        return Loaded(path, text, "md" if suffix != ".txt" else "txt", sha, enc)
    raise InputError(path, f"暂不支持 {suffix} 文件")


def _utf16_like(data: bytes) -> bool:
    return data[1::2].count(0) > len(data) // 5 or data[0::2].count(0) > len(data) // 5


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / len(sample) > 0.02


def _pdf_text(path: Path, data: bytes) -> str:
    if not data.startswith(b"%PDF"):
        raise InputError(path, "不是有效的 PDF 文件（文件头不是 %PDF）")
    import pdfplumber
    try:
        with pdfplumber.open(path) as pdf:
            pages = [(p.extract_text() or "") for p in pdf.pages]
    except Exception as e:  # pdfminer raises many kinds
        name = type(e).__name__
        if "Password" in name or "Encrypt" in name or "encrypt" in str(e).lower():
            raise InputError(path, "PDF 已加密，无法读取")
        raise InputError(path, f"PDF 文件已损坏，无法读取（{name}）")
    text = "\n\f".join(pages)
    if len(text.replace("\f", "").strip()) < 20:
        raise InputError(path, "PDF 没有文字层（可能是扫描件）；暂不支持 OCR")
    return text
