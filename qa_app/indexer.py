"""`qa-app index`: files and folders in, side store (and the prose index) updated, a summary out.

For each file: load (loaders.py) -> parse (report.py) -> store (store.py) in one transaction,
together with the prose chunks (narrative index) when that is on. Unchanged files (same bytes)
are skipped; the same bytes under a new name are remembered as another name; a changed file
replaces its old report whole. A file that fails is reported and leaves the index as it was
(a file indexed before keeps its last good version). With several jobs, worker processes read
and parse files while this process alone writes, committing reports in file order; at most a
few parsed reports per worker wait in memory, never a whole folder.
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
                narrative=None, progress: bool = True, jobs: int | None = None, agency: str | None = None,
                year: int | None = None) -> IndexSummary:
    """Index files and folders. agency/year: a person's settings for every file named
    (qa-app index --agency/--year). `jobs` (default settings.jobs; 0: one per core): processes that
    read and parse files while this one, the only writer, commits each report in its own
    transaction, in the order the files are listed. With one job (or few files) everything runs
    here."""
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

    slots: dict[Path, list[int]] = {}  # results are listed in file order, whatever order they finish in
    for k, (path, _) in enumerate(files):
        slots.setdefault(path, []).append(k)
    results: list[FileResult | None] = [None] * len(files)

    def done(path: Path, result: FileResult) -> None:
        results[slots[path].pop(0)] = result
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(path.name[-30:], refresh=False)

    todo = []
    for path, explicit in files:
        if not explicit and path.suffix.lower() not in SUPPORTED:
            done(path, FileResult(str(path), "ignored", message=f"不支持的文件类型 {path.suffix}"))
        else:
            todo.append(path)
    n_jobs = resolve_jobs(settings.jobs if jobs is None else jobs)
    if n_jobs > 1 and len(todo) >= max(8, 2 * n_jobs):  # fewer: starting the workers costs more than it saves
        _index_parallel(todo, settings, store, narrative, n_jobs, done, agency, year)
    else:
        for path in todo:
            done(path, index_file(path, settings, store, narrative, agency=agency, year=year))
    summary.results.extend(r for r in results if r is not None)
    if bar is not None:
        bar.close()
    if narrative is not None and hasattr(narrative, "finish"):
        try:  # once per run: reports indexed while the prose index was off, the model's vectors, BM25
            narrative.finish(store)
        except Exception as e:
            summary.results.append(FileResult("（正文检索索引）", "failed", message=f"收尾失败：{type(e).__name__}: {e}"))
    return summary


def resolve_jobs(jobs: int | None) -> int:
    """Worker processes for `jobs` (0 or None: the cores this process may use)."""
    if jobs and jobs > 0:
        return int(jobs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Parsed:
    """A file read and parsed (in a worker): what the writer commits, or why it cannot."""
    path: str
    sha256: str = ""
    source_format: str = ""
    parsed: object = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    ocr: dict | None = None  # scanned pages recognised (loaders.Loaded.ocr)


def parse_file(path: Path, max_mb: float, data: bytes | None = None, ocr: bool = True) -> Parsed:
    """Read (unless `data` is given) and parse one file: pure work, no index. Never raises."""
    try:
        if data is None:
            precheck(path, max_mb)
            data = Path(path).read_bytes()
        loaded = load(path, max_mb, data, ocr=ocr)
        del data
        try:
            parsed = parse_report(loaded.text, Path(path).name)
        except NotAReport as e:
            raise InputError(path, str(e))
        parsed.layout = loaded.layout  # PDFs: where each line is printed (the store keeps the boxes)
        return Parsed(str(path), loaded.sha256, loaded.source_format, parsed, loaded.warnings, ocr=loaded.ocr)
    except InputError as e:
        return Parsed(str(path), error=e.message)
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        return Parsed(str(path), error=f"内部错误：{type(e).__name__}: {e}")


def _parse_job(args) -> Parsed:
    path, max_mb, ocr = args
    return parse_file(Path(path), max_mb, ocr=ocr)


def _index_parallel(paths: list[Path], settings: Settings, store: Store, narrative, n_jobs: int, done,
                    agency: str | None = None, year: int | None = None) -> None:
    """Plan each file here (unchanged? same bytes as another? — answered by the store), parse
    the rest in `n_jobs` worker processes, commit here in file order with at most a few
    reports per worker waiting. A name or content seen twice in this run is handled after the
    others, one at a time (it depends on what was committed before it)."""
    import multiprocessing as mp
    from collections import deque
    planned, later = [], []
    names, shas = set(), set()
    for path in paths:
        res = _plan(path, settings, store, narrative, shas, agency, year)
        if isinstance(res, FileResult):
            done(path, res)
        elif res is None or path.name in names:
            later.append(path)  # same bytes or same name as a file before it in this run
        else:
            names.add(path.name)
            planned.append((path, res))
    ctx = mp.get_context("forkserver")
    window = n_jobs * 3
    with ctx.Pool(n_jobs) as pool:
        pending = deque()
        it = iter(planned)
        for path, old in it:
            pending.append((path, old, pool.apply_async(_parse_job, ((str(path), settings.max_file_mb, settings.ocr),))))
            if len(pending) >= window:
                break
        while pending:
            path, old, job = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt[0], nxt[1], pool.apply_async(_parse_job, ((str(nxt[0]), settings.max_file_mb, settings.ocr),))))
            done(path, _commit(path, job.get(), store, narrative, old, agency, year))
    for path in later:
        done(path, index_file(path, settings, store, narrative, agency=agency, year=year))


def _plan(path: Path, settings: Settings, store: Store, narrative, shas: set, agency=None, year=None):
    """Before parsing: a FileResult when the file needs no parse (unchanged, same content,
    refused unread); None when its bytes repeat a file planned before it in this run; else the
    id of the report it replaces (or -1 for a new name)."""
    name = path.name
    try:
        precheck(path, settings.max_file_mb)
        sha = file_sha256_path(path)
        if sha in shas:
            return None
        same, old = store.by_sha_and_name(sha, name)
        if same is not None:
            return _same_content(path, settings, store, narrative, same, old, agency, year)
        shas.add(sha)
        return old if old is not None else -1
    except InputError as e:
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    except Exception as e:
        return FileResult(str(path), "failed", message=f"内部错误：{type(e).__name__}: {e}" + _kept(store, name))


def file_sha256_path(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _same_content(path: Path, settings: Settings, store: Store, narrative, same: int, mine: int | None,
                  agency: str | None = None, year: int | None = None) -> FileResult:
    name = path.name
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


def _commit(path: Path, got: Parsed, store: Store, narrative, old: int | None, agency: str | None = None,
            year: int | None = None) -> FileResult:
    """Write one parsed report (one transaction, with its prose when that is on). A person's
    body/year (given now, or set on the file's earlier version) are applied here, where the
    store is: the file is parsed again with them (a few ms; only when there are any)."""
    old = None if old == -1 else old
    name = path.name
    if got.error:
        return FileResult(str(path), "failed", message=got.error + _kept(store, name))
    try:
        parsed = got.parsed
        manual = _kept_manual_meta(store, old, agency, year)
        if manual["agency"] is not None or manual["year"] is not None:
            layout = parsed.layout
            parsed = parse_report(parsed.text, name, **manual)
            parsed.layout = layout
        hook = None
        if narrative is not None:
            def hook(conn, rid, _parsed=parsed, _old=old):
                narrative.replace(rid, _parsed, old_id=_old, conn=conn)
        try:
            rid = store.put_report(parsed, got.sha256, got.source_format, str(path), replace_id=old, on_commit=hook,
                                   ocr=got.ocr)
        except BaseException:
            if narrative is not None and hasattr(narrative, "rolled_back"):
                narrative.rolled_back()
            raise
        if narrative is not None and hasattr(narrative, "committed"):
            narrative.committed()  # the report's vectors go to Chroma only now
        warnings = got.warnings + parsed.warnings
        return FileResult(str(path), "replaced" if old is not None else "added", rid,
                          "；".join(warnings[:3]), warnings, uncertain_rows(parsed.tables.cells),
                          dict(parsed.tables.missing))
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        return FileResult(str(path), "failed", message=f"内部错误：{type(e).__name__}: {e}" + _kept(store, name))


def index_file(path: Path, settings: Settings, store: Store, narrative=None, agency: str | None = None,
               year: int | None = None) -> FileResult:
    name = path.name
    try:
        precheck(path, settings.max_file_mb)  # before reading: a huge file is refused unread
        data = path.read_bytes()  # read once: hashed here, decoded by load()
        sha = hashlib.sha256(data).hexdigest()
        same, old = store.by_sha_and_name(sha, name)
        if same is not None:
            return _same_content(path, settings, store, narrative, same, old, agency, year)
    except InputError as e:
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    except Exception as e:  # an unexpected failure still names the file and leaves the index whole
        return FileResult(str(path), "failed", message=f"内部错误：{type(e).__name__}: {e}" + _kept(store, name))
    return _commit(path, parse_file(path, settings.max_file_mb, data, ocr=settings.ocr), store, narrative, old,
                   agency, year)


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
        if hasattr(narrative, "committed"):
            narrative.committed()  # the side store's row was written before
        if hasattr(narrative, "finish"):
            narrative.finish(store)
    return store.report(rid)
