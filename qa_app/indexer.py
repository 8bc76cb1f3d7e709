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


@dataclass
class FileResult:
    path: str
    status: str  # added | replaced | unchanged | same-content | failed | ignored
    report_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


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
                narrative=None, progress: bool = True, agency: str | None = None,
                year: int | None = None) -> IndexSummary:
    """agency/year: a person's settings for every file named (qa-app index --agency/--year)."""
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
            summary.results.append(index_file(path, settings, store, narrative, agency=agency, year=year))
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


def index_file(path: Path, settings: Settings, store: Store, narrative=None, agency: str | None = None,
               year: int | None = None) -> FileResult:
    name = path.name
    try:
        precheck(path, settings.max_file_mb)  # before reading: a huge file is refused unread
        data = path.read_bytes()  # read once: hashed here, decoded by load()
        sha = hashlib.sha256(data).hexdigest()
        same, old = store.by_sha_and_name(sha, name)
        if same is not None:
            mine = old
            if mine == same:
                if agency or year is not None:  # same file, a person's body/year: set them on it
                    info = set_meta(str(same), settings, agency, year, store=store, narrative=narrative)
                    return FileResult(str(path), "replaced", same, f"未变；已设定机关/年度：{info.agency or '未识别'} "
                                      f"{info.year or '未识别'}", info.warnings)
                return FileResult(str(path), "unchanged", same, "未变，跳过")
            first = store.report(same)
            first_name = first.file_name if first else same
            if mine is not None:
                # this file changed into a copy of another indexed report: its old version goes,
                # its name now points at that report
                store.remove(mine, on_commit=(lambda conn, r: narrative.remove(r, conn=conn)) if narrative is not None else None)
                store.add_name(same, name, str(path))
                return FileResult(str(path), "same-content", same,
                                  f"内容已改为与已索引的 {first_name} 相同：移除旧版本，只记下文件名")
            store.add_name(same, name, str(path))
            return FileResult(str(path), "same-content", same, f"与已索引的 {first_name} 内容相同，只记下文件名")
        loaded = load(path, settings.max_file_mb, data)
        del data
        try:
            parsed = parse_report(loaded.text, name, **_kept_manual_meta(store, old, agency, year))
        except NotAReport as e:
            raise InputError(path, str(e))
        hook = None
        if narrative is not None:
            def hook(conn, rid, _parsed=parsed, _old=old):
                narrative.replace(rid, _parsed, old_id=_old, conn=conn)
        try:
            rid = store.put_report(parsed, loaded.sha256, loaded.source_format, str(path), replace_id=old,
                                   on_commit=hook)
        except BaseException:
            if narrative is not None:
                narrative.rolled_back()
            raise
        if narrative is not None:
            narrative.committed()  # the report's vectors go to Chroma only now
        warnings = loaded.warnings + parsed.warnings
        return FileResult(str(path), "replaced" if old is not None else "added", rid,
                          "；".join(warnings[:3]), warnings)
    except InputError as e:
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        return FileResult(str(path), "failed", message=f"内部错误：{type(e).__name__}: {e}" + _kept(store, name))


def _kept_manual_meta(store: Store, old: int | None, agency: str | None, year: int | None) -> dict:
    """The body/year to parse a file with: a person's settings now, else those a person set on the
    file's earlier version (a changed file keeps them)."""
    out = {"agency": agency, "year": year}
    info = store.report(old) if old is not None and (agency is None or year is None) else None
    source = (info.meta_source or {}) if info is not None else {}
    if agency is None and source.get("agency") == "manual":
        out["agency"] = info.agency
    if year is None and source.get("year") == "manual":
        out["year"] = info.year
    return out


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
    hook = (lambda conn, r: narrative.remove(r, conn=conn)) if narrative is not None else None
    store.remove(rid, on_commit=hook)
    return rid


# -- a person sets a report's body and year ------------------------------------------------

class MetaError(ValueError):
    """A body or year a person set that cannot be used: the message is for the user."""


def check_meta_input(agency: str | None, year) -> tuple[str | None, int | None]:
    """A person's agency/year, cleaned (blank means not set); MetaError in Chinese when unusable."""
    agency = (agency or "").strip() or None
    if agency is not None and (len(agency) < 2 or len(agency) > 100):
        raise MetaError(f"机关名称「{agency}」不像机关全称（应为 2–100 个字）")
    if year is None or str(year).strip() == "":
        return agency, None
    try:
        y = int(str(year).strip().rstrip("年"))
    except ValueError:
        raise MetaError(f"年度「{year}」不是年份（应写成 2024 这样的四位数）") from None
    if not 2000 <= y <= 2099:
        raise MetaError(f"年度 {y} 不在 2000–2099 之间")
    return agency, y


def set_meta(ref: str, settings: Settings, agency: str | None = None, year=None, store: Store | None = None,
             narrative=None):
    """Set report `ref`'s (id or file name) body and/or year as a person gives them: its aliases and
    region are read for the new name, the 未能识别 warnings go, the prose index's copy follows.
    Returns the updated store.ReportInfo. MetaError when the report or the values are unusable."""
    from .metadata import override
    from .report import NO_AGENCY, NO_YEAR, parse_report
    agency, year = check_meta_input(agency, year)
    if agency is None and year is None:
        raise MetaError("请至少给出 --agency 机关全称 或 --year 年度")
    store = store or Store(settings.db_url)
    rid = store.resolve(ref)
    if rid is None:
        raise MetaError(f"索引中没有报告「{ref}」（可用 qa-app reports 查看编号和文件名）")
    info = store.report(rid)
    text = store.text(rid)
    parsed = parse_report(text, info.file_name, agency=agency or info.agency, year=year if year is not None else info.year)
    m = parsed.meta
    if agency is None and info.agency:  # keep a body set before (or read) as it is
        m = override(m, text, info.agency, None)
        m.agency_source = (info.meta_source or {}).get("agency", m.agency_source)
    if year is None and (info.meta_source or {}).get("year") == "manual":
        m.year_source = "manual"
    warnings = [w for w in info.warnings if w not in (NO_AGENCY, NO_YEAR) and not w.startswith(("未能识别", "未能从标题"))]
    warnings = ([NO_AGENCY] if m.agency is None else []) + ([NO_YEAR] if m.year is None else []) + warnings
    store.set_meta(rid, m, warnings)
    if narrative is None:
        narrative = open_narrative(settings)
    if narrative is not None:  # its chunks carry body and year (filters, BM25): re-index this report's prose
        parsed.meta = m
        narrative.replace(rid, parsed)
        if hasattr(narrative, "finish"):
            narrative.finish(store)
    return store.report(rid)
