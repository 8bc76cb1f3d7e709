"""`qa-app index`: files and folders in, side store (and the prose index) updated, a summary out.

For each file: load (loaders.py) -> parse (report.py) -> store (store.py) in one transaction,
together with the prose chunks (narrative index) when that is on. Unchanged files (same bytes)
are skipped; the same bytes under a new name are remembered as another name; a changed file
replaces its old report whole. A file that fails is reported and leaves the index as it was
(a file indexed before keeps its last good version). Files are read one at a time: a folder
of thousands holds one report's text in memory at once, never all of them.
It does not decode files (loaders.py) or read tables (report.py, tables.py).
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .loaders import SUPPORTED, InputError, load, precheck
from .report import NotAReport, parse_report
from .settings import Settings
from .store import Store
from .tables import uncertain_rows


@dataclass
class FileResult:
    path: str
    status: str  # added | replaced | unchanged | same-content | failed | ignored
    report_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)  # 「table.row」 rows the reader is not sure of
    missing: dict = field(default_factory=dict)  # table -> template rows the report's tables lack


@dataclass
class IndexSummary:
    results: list[FileResult] = field(default_factory=list)

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
        cut = sum(1 for r in self.results if r.missing)
        unsure = sum(1 for r in self.results if r.uncertain)
        if cut:
            out += f"；{cut} 份表格不完整（缺少的行见提示）"
        if unsure:
            out += f"；{unsure} 份有读取不确定的行（不是报告的错，请对照原文）"
        ignored = [Path(r.path).name for r in self.results if r.status == "ignored"]
        if ignored:
            out += f"；跳过 {len(ignored)} 个不支持的文件（{'、'.join(ignored[:3])}{' 等' if len(ignored) > 3 else ''}）"
            if any(Path(n).suffix.lower() in (".doc", ".wps", ".rtf", ".ofd") for n in ignored):
                out += "，其中 .doc/.wps/.rtf/.ofd 请另存为 .docx 或 PDF 后再索引"
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
                narrative=None, progress: bool = True) -> IndexSummary:
    store = store or Store(settings.db_url)
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
    for path, explicit in files:
        if not explicit and path.suffix.lower() not in SUPPORTED:
            summary.results.append(FileResult(str(path), "ignored", message=f"不支持的文件类型 {path.suffix}"))
        else:
            summary.results.append(index_file(path, settings, store, narrative))
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(path.name[-30:], refresh=False)
    if bar is not None:
        bar.close()
    if narrative is not None and hasattr(narrative, "finish"):
        try:  # once per run: reports indexed while the prose index was off, the model's vectors, BM25
            narrative.finish(store)
        except Exception as e:
            summary.results.append(FileResult("（正文检索索引）", "failed", message=f"收尾失败：{type(e).__name__}: {e}"))
    return summary


def index_file(path: Path, settings: Settings, store: Store, narrative=None) -> FileResult:
    name = path.name
    try:
        precheck(path, settings.max_file_mb)  # before reading: a huge file is refused unread
        data = path.read_bytes()  # read once: hashed here, decoded by load()
        sha = hashlib.sha256(data).hexdigest()
        same, old = store.by_sha_and_name(sha, name)
        if same is not None:
            mine = old
            if mine == same:
                return FileResult(str(path), "unchanged", same, "未变，跳过")
            first = store.report(same)
            first_name = first.file_name if first else same
            if mine is not None:
                # this file changed into a copy of another indexed report: its old version goes,
                # its name now points at that report
                store.remove(mine, on_commit=(lambda conn, r: narrative.remove(r)) if narrative is not None else None)
                store.add_name(same, name, str(path))
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
        hook = None
        if narrative is not None:
            def hook(conn, rid, _parsed=parsed, _old=old):
                narrative.replace(rid, _parsed, old_id=_old)
        rid = store.put_report(parsed, loaded.sha256, loaded.source_format, str(path), replace_id=old, on_commit=hook)
        warnings = loaded.warnings + parsed.warnings
        return FileResult(str(path), "replaced" if old is not None else "added", rid,
                          "；".join(warnings[:3]), warnings, uncertain_rows(parsed.tables.cells),
                          dict(parsed.tables.missing))
    except InputError as e:
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        return FileResult(str(path), "failed", message=f"内部错误：{type(e).__name__}: {e}" + _kept(store, name))


def _kept(store: Store, name: str) -> str:
    try:
        return "（索引中保留此文件上次成功索引的版本）" if store.by_name(name) is not None else ""
    except Exception:
        return ""


def remove_report(ref: str, settings: Settings, store: Store | None = None, narrative=None) -> int | None:
    """Take a report out of the index (facts, chunks, names) in one step; returns its id."""
    store = store or Store(settings.db_url)
    rid = store.resolve(ref)
    if rid is None:
        return None
    if narrative is None:
        narrative = open_narrative(settings)
    hook = (lambda conn, r: narrative.remove(r)) if narrative is not None else None
    store.remove(rid, on_commit=hook)
    return rid
