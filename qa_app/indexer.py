"""`qa-app index`: files and folders in, side store (and the prose index) updated, a summary out.

For each file: load (loaders.py) -> parse (report.py) -> store (store.py) in one transaction,
together with the prose chunks (narrative index) when that is on. Facts first (`facts_first`,
what `qa-app index` does): the transaction holds the numbers and a prose_queue row only, so a
report's numbers answer as soon as it commits; its prose follows in a background thread
(narrative/follow.py) that embeds many reports' chunks per model call while this thread parses
the next files, and clears the row once the vectors are in. A killed run leaves the rows; the
next run (NarrativeIndex.finish) embeds exactly those reports. Unchanged files (same bytes)
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
Uploads, removal and the wording of results shared by every front end are in ingest.py. With several jobs, worker
processes read and parse files while this process alone writes, committing reports in file
order; at most a few parsed reports per worker wait in memory.
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
from .tables import uncertain_rows

log = logging.getLogger("qa_app.indexer")
INTERNAL = "处理时出现内部错误（详情已记入服务器日志）"


@dataclass
class FileResult:
    path: str
    status: str  # added | replaced | unchanged | same-content | failed | ignored | not-report
    report_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)  # 「table.row」 rows the reader is not sure of
    missing: dict = field(default_factory=dict)  # table -> template rows the report's tables lack
    fatal: bool = False  # the index itself failed (disk full ...): every following file would too
    retry_after: int | None = None  # the index was busy: seconds after which to try again
    not_report: bool = False  # refused as not a report (NotAReport): skipped, not failed, when found in a folder


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
        skipped = [Path(r.path).name for r in self.results if r.status == "not-report"]
        if skipped:
            out += (f"；跳过 {len(skipped)} 个不是年度报告的文件（{'、'.join(skipped[:3])}{' 等' if len(skipped) > 3 else ''}："
                    "没有报告标题、模板的部分和表格，如说明、笔记）")
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
                narrative=None, progress: bool = True, jobs: int | None = None, agency: str | None = None,
                year: int | None = None, meta: dict | None = None, facts_first: bool = False) -> IndexSummary:
    """Index files and folders. agency/year: a person's settings for every file named
    (qa-app index --agency/--year). `jobs` (default settings.jobs; 0: one per core): processes that
    read and parse files while this one, the only writer, commits each report in its own
    transaction, in the order the files are listed. With one job (or few files) everything runs
    here. `facts_first`: each report's numbers commit without waiting for its prose vectors,
    which follow in a background thread (see the module docstring); the run still returns only
    when they are in."""
    if meta:  # the ingest service's form of the same override
        agency = agency or meta.get("agency") or None
        year = year if year is not None else meta.get("year")
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
    follower = None
    if facts_first and narrative is not None and hasattr(narrative, "begin"):
        from .narrative.follow import ProseFollower
        follower = ProseFollower(narrative, store, progress=progress)

    slots: dict[Path, list[int]] = {}  # results are listed in file order, whatever order they finish in
    for k, (path, _) in enumerate(files):
        slots.setdefault(path, []).append(k)
    results: list[FileResult | None] = [None] * len(files)

    explicit_paths = {path for path, explicit in files if explicit}

    def done(path: Path, result: FileResult) -> None:
        if result.status == "failed" and result.not_report and path not in explicit_paths:
            # a README or notes file lying among the reports: skipped, not a failure of the run
            result = dataclasses.replace(result, status="not-report")
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
        fatal = _index_parallel(todo, settings, store, narrative, n_jobs, done, agency, year, follower)
    else:
        fatal = None
        for path in todo:
            last = index_file(path, settings, store, narrative, agency=agency, year=year, follower=follower)
            done(path, last)
            if last.fatal:  # the index itself failed: every following file would fail the same way
                fatal = last
                break
    if fatal is not None:
        left = sum(1 for r in results if r is None)
        summary.stopped = (f"索引已停止：{fatal.message}。索引保持在上一份成功写入的报告之后的状态"
                           + (f"，其余 {left} 个文件未处理" if left else "") + "；腾出空间或排除问题后重新运行即可")
    summary.results.extend(r for r in results if r is not None)
    if bar is not None:
        bar.close()
    if follower is not None:  # the prose of the reports committed above: wait for the rest of it
        for e in follower.close():
            summary.results.append(FileResult("（正文检索索引）", "failed", message=e))
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
    not_report: bool = False  # the error is NotAReport: the file is no report at all


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
            return Parsed(str(path), error=str(e), not_report=True)
        parsed.layout = loaded.layout  # PDFs: where each line is printed (the store keeps the boxes)
        return Parsed(str(path), loaded.sha256, loaded.source_format, parsed, loaded.warnings, ocr=loaded.ocr)
    except InputError as e:
        return Parsed(str(path), error=e.message)
    except Exception:  # an unexpected failure still names the file and leaves the index whole
        log.exception("parsing %s failed", path)
        return Parsed(str(path), error=INTERNAL)


def _parse_job(args) -> Parsed:
    path, max_mb, ocr = args
    return parse_file(Path(path), max_mb, ocr=ocr)


def _index_parallel(paths: list[Path], settings: Settings, store: Store, narrative, n_jobs: int, done,
                    agency: str | None = None, year: int | None = None, follower=None) -> FileResult | None:
    """Plan each file here (unchanged? same bytes as another? — answered by the store), parse
    the rest in `n_jobs` worker processes, commit here in file order with at most a few
    reports per worker waiting. A name or content seen twice in this run is handled after the
    others, one at a time (it depends on what was committed before it). Returns the result that
    stopped the run (a fatal failure of the index: the files after it are not done), or None."""
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
            res = _commit(path, job.get(), store, narrative, old, agency, year, follower)
            done(path, res)
            if res.fatal:
                return res  # leaving the pool stops the workers
    for path in later:
        res = index_file(path, settings, store, narrative, agency=agency, year=year, follower=follower)
        done(path, res)
        if res.fatal:
            return res
    return None


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
    except Exception as e:
        return _failed(path, store, e)


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
    if mine is not None and _own(store, mine, name):
        # this file changed into a copy of another indexed report: its old version goes (in the
        # same transaction), its name now points at that report
        store.add_name(same, name, str(path), drop_id=mine, on_commit=_drop_hook(narrative))
        return FileResult(str(path), "same-content", same,
                          f"内容已改为与已索引的 {first_name} 相同：移除旧版本，只记下文件名")
    store.add_name(same, name, str(path))
    return FileResult(str(path), "same-content", same, f"与已索引的 {first_name} 内容相同，只记下文件名")


def _commit(path: Path, got: Parsed, store: Store, narrative, old: int | None, agency: str | None = None,
            year: int | None = None, follower=None) -> FileResult:
    """Write one parsed report (one transaction, with its prose when that is on; with a
    `follower` (facts first), with a prose_queue row instead: its prose follows). A person's
    body/year (given now, or set on the file's earlier version) are applied here, where the
    store is: the file is parsed again with them (a few ms; only when there are any)."""
    old = None if old == -1 else old
    name = path.name
    if got.error:
        return FileResult(str(path), "failed", message=got.error + _kept(store, name), not_report=got.not_report)
    try:
        parsed = got.parsed
        manual = _kept_manual_meta(store, old, agency, year)
        if manual["agency"] is not None or manual["year"] is not None:
            layout = parsed.layout
            parsed = parse_report(parsed.text, name, **manual)
            parsed.layout = layout
        if not _own(store, old, name):
            old = None  # a name of another file's report: that report stays; this file is its own now
        twin, others = _twin(store, parsed, old)
        if twin is not None:  # the same report in another encoding or format
            rid, first_name = twin
            if store.by_name(name) == rid:
                return FileResult(str(path), "unchanged", rid, "未变，跳过")
            store.add_name(rid, name, str(path), drop_id=old, on_commit=_drop_hook(narrative) if old is not None else None)
            who = f"{parsed.meta.agency} {parsed.meta.year}年"
            return FileResult(str(path), "same-content", rid,
                              f"与已索引的 {first_name} 是同一份报告（{who}，表格数字相同），只记下文件名")
        hook = None
        if follower is not None:
            def hook(conn, rid, _old=old):
                store.queue_prose(conn, rid)
                if _old is not None:  # the old version's chunks go with it (its successor's follow)
                    narrative.remove(_old, conn=conn)
        elif narrative is not None:
            def hook(conn, rid, _parsed=parsed, _old=old):
                narrative.replace(rid, _parsed, old_id=_old, conn=conn)
        try:
            rid = store.put_report(parsed, got.sha256, got.source_format, str(path), replace_id=old, on_commit=hook,
                                   ocr=got.ocr)
        except BaseException:
            if narrative is not None and follower is None and hasattr(narrative, "rolled_back"):
                narrative.rolled_back()
            raise
        if follower is not None:
            follower.submit(rid, parsed, got.sha256)  # its prose follows, in the follower's thread
        elif narrative is not None and hasattr(narrative, "committed"):
            narrative.committed()  # the report's vectors go to Chroma only now
        warnings = got.warnings + parsed.warnings
        conflicts = [fn for r, fn in others if r != rid]
        if conflicts:
            warnings = warnings + [f"库中已有同一机关同一年度的报告 {'、'.join(conflicts)}，表格数字与它不一致；"
                                   "回答会注明用的是哪个文件"]
        return FileResult(str(path), "replaced" if old is not None else "added", rid,
                          "；".join(warnings[:3]), warnings, uncertain_rows(parsed.tables.cells),
                          dict(parsed.tables.missing))
    except Exception as e:  # the file's or the index's failure: said in Chinese, details to the log
        return _failed(path, store, e)


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

def index_file(path: Path, settings: Settings, store: Store, narrative=None, agency: str | None = None,
               year: int | None = None, meta: dict | None = None, follower=None) -> FileResult:
    """Index one file (serially): skipped when unchanged, a name added when its bytes are
    another report's, else parsed and committed by _commit. `meta` ({"agency", "year"}, the
    ingest service's form) is the same as agency/year."""
    if meta:
        agency = agency or meta.get("agency") or None
        year = year if year is not None else meta.get("year")
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
        if same is not None:
            return _same_content(path, settings, store, narrative, same, old, agency, year)
    except Exception as e:
        return _failed(path, store, e)
    return _commit(path, parse_file(path, settings.max_file_mb, data, ocr=settings.ocr), store, narrative, old,
                   agency, year, follower)


def _failed(path: Path, store: Store, e: BaseException) -> FileResult:
    """The result of a file that failed: the file's own problem (InputError), the index's (a
    StoreError: disk full, busy, damaged — said plainly, fatal when every following file would
    fail too), or anything else (a Chinese line; the details go to the log, never to the user)."""
    name = Path(path).name
    if isinstance(e, InputError):
        return FileResult(str(path), "failed", message=e.message + _kept(store, name))
    err = e if isinstance(e, StoreError) else as_store_error(e)
    if err is not None:
        log.warning("indexing %s failed: %s", path, err.message, exc_info=e)
        return FileResult(str(path), "failed", message=err.message + ("" if err.fatal else _kept(store, name)),
                          fatal=err.fatal, retry_after=err.retry_after)
    log.exception("indexing %s failed", path, exc_info=e)
    return FileResult(str(path), "failed", message=INTERNAL + _kept(store, name))


def _drop_hook(narrative):
    return (lambda conn, r: narrative.remove(r, conn=conn)) if narrative is not None else None


def _own(store: Store, old: int | None, name: str) -> bool:
    """The report this name belongs to is this file's own (to be replaced when the file changed)
    only when it was indexed from it, not when the name was added to a report indexed from
    another file (same content, or the same report in another format)."""
    return old is not None and (info := store.report(old)) is not None and info.file_name == name


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
    """Take a report out of the index (facts, chunks, names) in one step, and its uploaded
    copies out of <index>/uploads/ (ingest.remove); returns its id."""
    from .ingest import remove
    done = remove(ref, settings, store, narrative)
    return done.report_id if done is not None else None


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
    warnings = [w for w in info.warnings if w not in (NO_AGENCY, NO_YEAR) and not w.startswith(("未能识别", "未能从标题", "机关名称没写所属地区"))]
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
