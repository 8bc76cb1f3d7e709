"""`qa-app index`: files and folders in, side store (and the prose index) updated, a summary out.

For each file: load (loaders.py) -> parse (report.py) -> store (store.py) in one transaction,
together with the prose chunks (narrative index) when that is on. Unchanged files (same bytes)
are skipped; the same bytes under a new name are remembered as another name; a changed file
replaces its old report whole. The same report in another file (another encoding or
format: same body, region and year, the same printed numbers) is remembered as another name of
the report already indexed; a report of the same body and year with different numbers is
indexed and flagged (Store.reports()' `conflicts`). A file that fails is reported and leaves
the index as it was (a file indexed before keeps its last good version). A failure of the
index itself that every following file would hit too (disk full, read-only or damaged
database) stops the run at once with one message; the index stays as the last complete report
left it. Files are read one at a time: a folder of thousands holds one report's text in memory
at once, never all of them. `meta` ({"agency", "year"}) overrides what the report says about
itself (apply_meta), for every file of the run.
Uploads, removal and the wording of results shared by every front end are in ingest.py.
It does not decode files (loaders.py) or read tables (report.py, tables.py).
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .loaders import SUPPORTED, InputError, load, precheck
from .report import NotAReport, parse_report
from .settings import Settings
from .store import Store, StoreError, as_store_error

log = logging.getLogger("qa_app.indexer")
INTERNAL = "处理时出现内部错误（详情已记入服务器日志）"


@dataclass
class FileResult:
    path: str
    status: str  # added | replaced | unchanged | same-content | failed | ignored
    report_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    fatal: bool = False  # the index itself failed (disk full ...): every following file would too
    retry_after: int | None = None  # the index was busy: seconds after which to try again


@dataclass
class IndexSummary:
    results: list[FileResult] = field(default_factory=list)
    stopped: str = ""  # why the run stopped before its last file (a fatal failure), in Chinese

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def warned(self) -> list[FileResult]:
        return [r for r in self.results if r.status in ("added", "replaced") and r.warnings]

    def line(self) -> str:
        out = (f"新增 {self.count('added')} 份，替换 {self.count('replaced')} 份，未变跳过 {self.count('unchanged')} 份，"
               f"同内容另名 {self.count('same-content')} 份，失败 {self.count('failed')} 份")
        if self.warned:
            out += f"；{len(self.warned)} 份已索引但有提示"
        ignored = [Path(r.path).name for r in self.results if r.status == "ignored"]
        if ignored:
            out += f"；跳过 {len(ignored)} 个不支持的文件（{'、'.join(ignored[:3])}{' 等' if len(ignored) > 3 else ''}）"
            if any(Path(n).suffix.lower() in (".doc", ".wps", ".rtf", ".ofd") for n in ignored):
                out += "，其中 .doc/.wps/.rtf/.ofd 请另存为 .docx 或 PDF 后再索引"
        if self.stopped:
            out += f"。{self.stopped}"
        return out


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named_explicitly) for each file under `paths`, folders walked in sorted order."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield Path(root) / f, False
        else:
            yield p, True


def seeds_dir() -> Path | None:
    """The seed reports' folder: ./seeds, else the one beside the package (a checkout)."""
    for p in (Path.cwd() / "seeds", Path(__file__).resolve().parents[1] / "seeds"):
        if p.is_dir():
            return p
    return None


def open_narrative(settings: Settings):
    """The prose index, or None when it is off."""
    if not settings.narrative:
        return None
    from .narrative import NarrativeIndex
    return NarrativeIndex(settings)


def index_paths(paths: Iterable[str | Path], settings: Settings, store: Store | None = None,
                narrative=None, progress: bool = True, meta: dict | None = None) -> IndexSummary:
    store = store or Store(settings.db_url, write_timeout=settings.write_timeout)
    if narrative is None:
        narrative = open_narrative(settings)
    files = list(iter_files(paths))
    summary = IndexSummary()
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(files), desc="索引报告", unit="份", file=sys.stderr, dynamic_ncols=True)
    if narrative is not None and hasattr(narrative, "begin"):
        narrative.begin()  # prose vectors are buffered until finish(): a few large Chroma adds
    for n, (path, explicit) in enumerate(files):
        if not explicit and path.suffix.lower() not in SUPPORTED:
            summary.results.append(FileResult(str(path), "ignored", message=f"不支持的文件类型 {path.suffix}"))
        else:
            summary.results.append(index_file(path, settings, store, narrative, meta=meta))
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(path.name[-30:], refresh=False)
        last = summary.results[-1]
        if last.fatal:  # the index itself failed: every following file would fail the same way
            left = len(files) - n - 1
            summary.stopped = (f"索引已停止：{last.message}。索引保持在上一份成功写入的报告之后的状态"
                               + (f"，其余 {left} 个文件未处理" if left else "") + "；腾出空间或排除问题后重新运行即可")
            break
    if bar is not None:
        bar.close()
    if narrative is not None and hasattr(narrative, "finish") and not summary.stopped:
        try:  # once per run: reports indexed while the prose index was off, the model's vectors, BM25
            narrative.finish(store)
        except Exception as e:
            err = as_store_error(e)
            log.exception("prose index: finishing the run failed")
            summary.results.append(FileResult("（正文检索索引）", "failed",
                                              message="收尾失败：" + (err.message if err else INTERNAL),
                                              fatal=bool(err and err.fatal)))
    return summary


def apply_meta(parsed, meta: dict | None):
    """`parsed` with its metadata overridden by `meta` ({"agency": str, "year": int}; missing
    or empty keys keep what the report says). The one place an override reaches the report."""
    if not meta:
        return parsed
    changes = {k: v for k, v in meta.items() if k in ("agency", "year", "region") and v not in (None, "")}
    if not changes:
        return parsed
    return dataclasses.replace(parsed, meta=dataclasses.replace(parsed.meta, **changes))


def _twin(store: Store, parsed, old: int | None):
    """((id, file name) of the report already indexed that `parsed` is another file of - same
    body, region and year, and the same printed numbers (at least one) - or None, [(id, file
    name) of the other reports of that body and year])."""
    m = parsed.meta
    others = [(rid, fn) for rid, fn in store.same_body_year(m.agency, m.region, m.year) if rid != old]
    if not others:
        return None, others
    mine = {(c.table, c.row, c.column): (None if c.value is None else float(c.value))
            for c in parsed.tables.cells if not c.derived}
    if not any(v is not None for v in mine.values()):
        return None, others
    for rid, fn in others:
        if store.printed_values(rid) == mine:
            return (rid, fn), others
    return None, others


def index_file(path: Path, settings: Settings, store: Store, narrative=None, meta: dict | None = None) -> FileResult:
    name = path.name
    try:
        precheck(path, settings.max_file_mb)  # before reading: a huge file is refused unread
        try:
            data = path.read_bytes()  # read once: hashed here, decoded by load()
        except OSError as e:
            raise InputError(path, "读不了这个文件（" + ("没有读权限" if isinstance(e, PermissionError) else "读取出错")
                             + "）")
        sha = hashlib.sha256(data).hexdigest()
        same, old = store.by_sha_and_name(sha, name)
        drop = (lambda conn, r: narrative.remove(r)) if narrative is not None else None
        # the report this name belongs to; it is this file's own (to be replaced when the file
        # changed) only when the report was indexed from it, not when the name was added to a
        # report indexed from another file (same content or the same report in another format)
        own = old is not None and (info := store.report(old)) is not None and info.file_name == name
        if same is not None:
            mine = old
            if mine == same:
                return FileResult(str(path), "unchanged", same, "未变，跳过")
            first = store.report(same)
            first_name = first.file_name if first else same
            if mine is not None and own:
                # this file changed into a copy of another indexed report: its old version goes,
                # its name now points at that report
                store.add_name(same, name, str(path), drop_id=mine, on_commit=drop)
                return FileResult(str(path), "same-content", same,
                                  f"内容已改为与已索引的 {first_name} 相同：移除旧版本，只记下文件名")
            store.add_name(same, name, str(path))
            return FileResult(str(path), "same-content", same, f"与已索引的 {first_name} 内容相同，只记下文件名")
        loaded = load(path, settings.max_file_mb, data)
        del data
        try:
            parsed = parse_report(loaded.text, name)
        except NotAReport as e:
            raise InputError(path, str(e))
        parsed = apply_meta(parsed, meta)
        if not own:
            old = None  # a name of another file's report: that report stays; this file is its own now
        twin, others = _twin(store, parsed, old)
        if twin is not None:  # the same report in another encoding or format
            rid, first_name = twin
            if store.by_name(name) == rid:
                return FileResult(str(path), "unchanged", rid, "未变，跳过")
            store.add_name(rid, name, str(path), drop_id=old, on_commit=drop if old is not None else None)
            who = f"{parsed.meta.agency} {parsed.meta.year}年"
            return FileResult(str(path), "same-content", rid,
                              f"与已索引的 {first_name} 是同一份报告（{who}，表格数字相同），只记下文件名")
        hook = None
        if narrative is not None:
            def hook(conn, rid, _parsed=parsed, _old=old):
                narrative.replace(rid, _parsed, old_id=_old)
        rid = store.put_report(parsed, loaded.sha256, loaded.source_format, str(path), replace_id=old, on_commit=hook)
        warnings = loaded.warnings + parsed.warnings
        conflicts = [fn for r, fn in others if r != rid]
        if conflicts:
            warnings = warnings + [f"库中已有同一机关同一年度的报告 {'、'.join(conflicts)}，表格数字与它不一致；"
                                   "回答会注明用的是哪个文件"]
        return FileResult(str(path), "replaced" if old is not None else "added", rid,
                          "；".join(warnings[:3]), warnings)
    except InputError as e:
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    except StoreError as e:  # the index's failure, not the file's: said plainly, no SQL
        return FileResult(str(path), "failed", message=e.message + ("" if e.fatal else _kept(store, name)),
                          fatal=e.fatal, retry_after=e.retry_after)
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        err = as_store_error(e)
        if err is not None:
            log.warning("indexing %s failed: %s", path, err.message, exc_info=e)
            return FileResult(str(path), "failed", message=err.message + ("" if err.fatal else _kept(store, name)),
                              fatal=err.fatal, retry_after=err.retry_after)
        log.exception("indexing %s failed", path)
        return FileResult(str(path), "failed", message=INTERNAL + _kept(store, name))


def _kept(store: Store, name: str) -> str:
    try:
        return "（索引中保留此文件上次成功索引的版本）" if store.by_name(name) is not None else ""
    except Exception:
        return ""


def remove_report(ref: str, settings: Settings, store: Store | None = None, narrative=None) -> int | None:
    """Take a report out of the index (facts, chunks, names) in one step, and its uploaded
    copies out of <index>/uploads/ (ingest.remove); returns its id."""
    from .ingest import remove
    done = remove(ref, settings, store, narrative)
    return done.report_id if done is not None else None
