"""The one way a report file gets into (and out of) the index, for every front end.

`qa-app index` (indexer.index_paths -> index_file), POST /reports and the chat's uploader
(`save_upload`), and `qa-app remove` / DELETE /reports/{id} (`remove`) all come here, so they
name files, keep or restore copies, and word their results the same way:
- `safe_name`: a client's file name -> a plain name for <index>/uploads/ (no folders, no
  leading dots, only letters, digits and ._-()（）[] kept, a supported extension).
- `save_upload`: the bytes go to a hidden temporary file, an earlier upload of that name is
  moved aside (a hidden backup), the new file takes its place and is indexed; if indexing
  fails the new file goes and the backup comes back, else the backup goes. All under one lock
  on uploads/ shared by every process (the API, the chat, another server), so two uploads of
  one name never interleave.
- `cleanup_uploads` (run under that lock before every upload): what a killed upload left
  behind - temporary files go, a backup comes back when the index still holds its version.
- `remove`: the report leaves the index (facts, prose, names) and the copies of it that were
  uploaded (files under uploads/) are deleted; files elsewhere are never touched.
- `describe`: one result as the line people read (the chat shows it, the API returns it).
- `meta`: an optional override of the report's metadata ({"agency": ..., "year": ...}),
  passed through to where the parsed report is stored (indexer.apply_meta).

What it does not: decode files (loaders.py), parse reports (report.py), write the database
(store.py), or talk HTTP / Streamlit (api.py, ui/).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import re
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .indexer import FileResult, index_file, open_narrative
from .loaders import SUPPORTED
from .settings import Settings
from .store import Store, StoreError

log = logging.getLogger("qa_app.ingest")

TMP_PREFIX = ".incoming-"
BACKUP_PREFIX = ".previous-"
LOCK_NAME = ".uploads.lock"  # in the index folder, beside uploads/


class IngestError(Exception):
    """A request that cannot be taken (a bad name, an unsupported type): Chinese `message`;
    `code` is a stable word for programs (bad_name, unsupported_type)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.index) / "uploads"


def safe_name(raw: str | None) -> str:
    """A client's file name -> a plain file name for <index>/uploads/: no folders, no leading
    dots, only letters (any script), digits and ._-()（）[] kept (any other run of characters
    becomes one _), at most 120 characters before the extension, which must be one of
    loaders.SUPPORTED (lower-cased).

    >>> safe_name("../../etc/红旗区 2023年报.TXT")
    '红旗区_2023年报.txt'
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = re.sub(r"[^\w.\-()（）\[\]]+", "_", name, flags=re.UNICODE).strip("._ ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower()
    if "." + ext not in SUPPORTED:
        shown = ("." + ext) if ext else "（无扩展名）"
        raise IngestError("unsupported_type", f"不支持的文件类型 {shown}；支持 {' '.join(SUPPORTED)}")
    stem = stem.strip("._ ")[:120] or "upload"
    return f"{stem}.{ext}"


@contextmanager
def uploads_lock(settings: Settings):
    """Hold the lock on <index>/uploads/ (an flock on <index>/.uploads.lock: it holds across
    processes and threads); yields the uploads folder (not created here)."""
    folder = uploads_dir(settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder.parent / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)  # releases the lock


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cleanup_uploads(settings: Settings, store: Store, folder: Path | None = None) -> list[str]:
    """Undo what a killed upload left in uploads/ (call it holding uploads_lock: then no live
    upload has files there). Temporary files go. A backup of a replaced file comes back when
    the index still holds the backup's version under that name (the new file never got in),
    or when no file of that name is left; otherwise it goes. Returns what it did, for the log."""
    folder = folder or uploads_dir(settings)
    done = []
    if not folder.is_dir():
        return done
    for p in sorted(folder.iterdir()):
        if p.name.startswith(TMP_PREFIX):
            p.unlink(missing_ok=True)
            done.append(f"removed {p.name}")
        elif p.name.startswith(BACKUP_PREFIX):
            name = p.name[len(BACKUP_PREFIX):].split("-", 1)[-1]
            dest = folder / name
            rid = store.by_name(name)
            info = store.report(rid) if rid is not None else None
            keep = not dest.exists() or (info is not None and _sha256(p) == info.sha256 and _sha256(dest) != info.sha256)
            if keep and name:
                p.replace(dest)
                done.append(f"restored {name}")
            else:
                p.unlink(missing_ok=True)
                done.append(f"removed {p.name}")
    if done:
        log.info("uploads/ cleaned up after an interrupted upload: %s", "; ".join(done))
    return done


def _write_copy(src, tmp: Path) -> None:
    """bytes, or a binary file object read from its start, -> tmp."""
    with open(tmp, "wb") as out:
        if isinstance(src, (bytes, bytearray, memoryview)):
            out.write(src)
        else:
            src.seek(0)
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)


def save_upload(name: str, src, settings: Settings, store: Store | None = None, narrative=None,
                meta: dict | None = None) -> FileResult:
    """Save an uploaded file as <index>/uploads/<safe_name(name)> and index it as `qa-app
    index` would (index_file; `meta` overrides the report's metadata). A file that fails to
    index is removed again and an earlier upload of that name put back; so is one whose
    indexing was interrupted (an exception, a kill: see cleanup_uploads)."""
    store = store or Store(settings.db_url, write_timeout=settings.write_timeout)
    name = safe_name(name)
    with uploads_lock(settings) as folder:
        folder.mkdir(exist_ok=True)
        cleanup_uploads(settings, store, folder)
        dest = folder / name
        if dest.resolve().parent != folder.resolve():  # cannot happen after safe_name; checked anyway
            raise IngestError("bad_name", "文件名不正确")
        tag = uuid.uuid4().hex[:12]
        tmp = folder / f"{TMP_PREFIX}{tag}-{name}"
        backup = None
        try:
            try:
                _write_copy(src, tmp)
            except OSError as e:
                tmp.unlink(missing_ok=True)
                return _disk_failure(dest, e)
            if dest.exists():
                backup = folder / f"{BACKUP_PREFIX}{tag}-{name}"
                dest.replace(backup)
            tmp.replace(dest)
            result = index_file(dest, settings, store, narrative, meta=meta)
        except BaseException:
            dest.unlink(missing_ok=True)
            if backup is not None:
                backup.replace(dest)
            raise
        finally:
            tmp.unlink(missing_ok=True)
        if result.status == "failed":
            dest.unlink(missing_ok=True)
            if backup is not None:
                backup.replace(dest)
        elif backup is not None:
            backup.unlink(missing_ok=True)
        return result


def _disk_failure(dest: Path, e: OSError) -> FileResult:
    why = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.EROFS: "文件系统只读",
           errno.EACCES: "没有写权限", errno.EPERM: "没有写权限"}.get(e.errno, "写入磁盘出错")
    log.warning("could not save upload %s: %s", dest, e)
    return FileResult(str(dest), "failed", message=f"上传的文件存不下：{why}（{dest.parent}）；索引未改变",
                      fatal=True)


@dataclass
class Removed:
    report_id: int
    file_name: str
    agency: str | None
    year: int | None
    names: list[str] = field(default_factory=list)  # every file name it had
    deleted_uploads: list[str] = field(default_factory=list)  # its copies deleted from uploads/

    def line(self) -> str:
        """What `qa-app remove` prints and the chat shows."""
        others = [n for n in self.names if n != self.file_name]
        out = (f"已移除 {self.file_name}（{self.agency or '未识别机关'} {self.year or '未识别年度'}）：数字、正文片段、别名"
               + (f"，以及同内容的文件名 {'、'.join(others)}" if others else ""))
        if self.deleted_uploads:
            out += f"；删除了上传的文件 {'、'.join(self.deleted_uploads)}"
        return out


def remove(ref, settings: Settings, store: Store | None = None, narrative=None) -> Removed | None:
    """Take a report (by id, file name or unique prefix) out of the index in one transaction -
    facts, prose chunks, names - and delete the copies of it that were uploaded into
    <index>/uploads/. None when there is no such report."""
    store = store or Store(settings.db_url, write_timeout=settings.write_timeout)
    with uploads_lock(settings) as folder:
        rid = store.resolve(str(ref))
        info = store.report(rid) if rid is not None else None
        if info is None:
            return None
        paths = store.paths(rid)
        if narrative is None:
            narrative = open_narrative(settings)
        hook = (lambda conn, r: narrative.remove(r, conn=conn)) if narrative is not None else None
        store.remove(rid, on_commit=hook)
        up = folder.resolve()
        deleted = []
        for fname, path in paths:
            p = Path(path) if path else None
            if p is not None and p.resolve().parent == up and p.is_file():
                p.unlink()
                deleted.append(p.name)
        return Removed(rid, info.file_name, info.agency, info.year, list(info.names), sorted(deleted))


def describe(r: FileResult, store: Store) -> tuple[str, str]:
    """(level, line) for one file's result, as the chat and the API show it; level is ok, warn
    or error. The line is plain text (the chat escapes it for markdown)."""
    name = Path(r.path).name
    rep = store.report(r.report_id) if r.report_id is not None else None
    who = f"（{rep.agency or '未识别机关'} {rep.year or '？'}年）" if rep else ""
    if r.status == "failed":
        return "error", f"✗ {name}：{r.message}"
    if r.status in ("added", "replaced"):
        label = "新增" if r.status == "added" else "替换"
        warn = f"。提示：{r.message}" if r.message else ""
        checks = f"。注意：有 {rep.checks_failed} 项勾稽关系未通过" if rep and rep.checks_failed else ""
        conflict = ""
        if rep and rep.conflicts:
            conflict = (f"。注意：库中已有同一机关同一年度的报告 {'、'.join(c['file_name'] for c in rep.conflicts)}，"
                        "两者数字不一致，回答会注明用的是哪个文件")
        return ("warn" if checks or conflict else "ok"), f"✓ {label} {name}{who}{checks}{conflict}{warn}"
    if r.status == "same-content":
        return "ok", f"= {name}：{r.message}"
    if r.status == "unchanged":
        return "ok", f"· {name}：已在库中，未变"
    return "warn", f"· {name}：{r.message or '已忽略'}"


def store_error_result(path, e: StoreError) -> FileResult:
    return FileResult(str(path), "failed", message=e.message, fatal=e.fatal)
