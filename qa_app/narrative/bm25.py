"""Keyword side of the narrative index: Chinese tokens and a bm25s index persisted in <index>/bm25/.

What it does: `tokenize` turns text into jieba words plus character bigrams of every run of
Chinese characters (and lower-cased Latin/digit words), so that a paraphrase that shares only
two-character pieces with a passage still scores; `Bm25Index` builds a bm25s index over all
chunks at once, saves it with the chunk ids in order and a stamp (the chunk table's version),
and scores a query over the whole corpus with a 0/1 mask, so metadata filters apply before
ranking. The tokens of each Chinese run are remembered (stock phrases recur in every report),
and jieba's dictionary is read from jieba's own cache file in one piece (`_load_dictionary`).

What it does not: decide when to rebuild (index.py rebuilds when the stamp differs), store
chunk text (the chunk table in narrative.sqlite does), or tokenise at import time: jieba,
numpy and bm25s are imported inside the functions that need them.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

# Function words and question words (a question's 「什么」 or 「怎么」 says nothing about the topic).
STOPWORDS = frozenset("的 了 和 与 及 或 在 是 对 把 被 为 于 以 等 并 将 其 之 也 都 而 中 上 下 个 这 那 有 无 "
                      "什么 怎么 怎样 怎么样 如何 哪些 哪个 哪里 哪几 多少 是否 有没有 没有 吗 呢 吧 请问 一下 谁".split())
_RUN_RE = re.compile(r"[\u4e00-\u9fa5]+|[A-Za-z]+|\d+(?:\.\d+)?")
_jieba = None


def _get_jieba():
    """jieba, its dictionary loaded."""
    global _jieba
    if _jieba is None:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        _load_dictionary(jieba)
        _jieba = jieba
    return _jieba


def _load_dictionary(jieba) -> None:
    """jieba's default dictionary from jieba's own cache file, read whole and then unmarshalled:
    jieba's `initialize` unmarshals from the open file, which reads it in small pieces and takes
    about three times as long for the same dictionary. Anything unusual (a custom dictionary or
    cache file, no cache yet, an unreadable one) is left to jieba."""
    import marshal
    import tempfile
    dt = jieba.dt
    with dt.lock:
        if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT or dt.cache_file:
            return
        try:
            with open(os.path.join(dt.tmp_dir or tempfile.gettempdir(), "jieba.cache"), "rb") as f:
                freq, total = marshal.loads(f.read())
        except Exception:
            pass
        else:
            if isinstance(freq, dict) and total:
                dt.FREQ, dt.total, dt.initialized = freq, total, True
    dt.check_initialized()


def load_tokenizer() -> None:
    """Load jieba and its dictionary now rather than in the first `tokenize`."""
    _get_jieba()


def tokenize(text: str) -> list[str]:
    """jieba words (search mode) + character bigrams of each Chinese run; stopwords dropped.

    >>> tokenize("通过微信公众号平台")[:4]
    ['通过', '微信', '公众', '号']
    """
    out: list[str] = []
    for run in _RUN_RE.findall(text):
        if not ("\u4e00" <= run[0] <= "\u9fa5"):
            out.append(run.lower())
            continue
        got = _RUNS.get(run)
        if got is None:
            got = _cjk_run_tokens(run)
            if len(_RUNS) >= _RUNS_MAX:
                _RUNS.clear()
            _RUNS[run] = got
        out.extend(got)
    return out


# Tokens of a Chinese run, remembered: body names, section titles and the template's stock
# phrases recur in every report, and jieba (pure Python) is the dearest part of tokenising.
_RUNS: dict[str, tuple[str, ...]] = {}
_RUNS_MAX = 200_000


def _cjk_run_tokens(run: str) -> tuple[str, ...]:
    words = [w for w in _get_jieba().lcut_for_search(run) if w not in STOPWORDS and w.strip()]
    return tuple(words) + tuple(g for g in (run[i:i + 2] for i in range(len(run) - 1)) if g not in STOPWORDS)


class Bm25Index:
    """A bm25s index over chunk ids, saved in `path` (a folder) with its stamp."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.stamp: str | None = None
        self.ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._model = None

    # -- build / load --------------------------------------------------------------------
    def build(self, ids: list[str], tokens: list[list[str]], stamp: str) -> None:
        """Index all chunks (replacing what was there) and save; an empty corpus saves only the stamp."""
        import bm25s
        tmp = self.path.with_name(self.path.name + ".tmp-" + uuid.uuid4().hex[:8])
        tmp.mkdir(parents=True, exist_ok=True)
        model = None
        if ids:
            model = bm25s.BM25()
            model.index(tokens, show_progress=False)
            model.save(str(tmp), show_progress=False)
        (tmp / "chunks.json").write_text(json.dumps({"stamp": stamp, "ids": ids}, ensure_ascii=False), "utf-8")
        old = self.path.with_name(self.path.name + ".old-" + uuid.uuid4().hex[:8])
        try:  # swap folders; another process doing the same at once only costs it the save
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(tmp, self.path)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        self._set(ids, stamp, model)

    def load(self) -> bool:
        """Read the saved index; False when there is none."""
        meta = self.path / "chunks.json"
        if not meta.exists():
            return False
        d = json.loads(meta.read_text("utf-8"))
        model = None
        if d["ids"]:
            import bm25s
            model = bm25s.BM25.load(str(self.path), load_corpus=False)
        self._set(d["ids"], d["stamp"], model)
        return True

    def saved_stamp(self) -> str | None:
        meta = self.path / "chunks.json"
        if not meta.exists():
            return None
        try:
            return json.loads(meta.read_text("utf-8"))["stamp"]
        except (OSError, ValueError, KeyError):
            return None

    def _set(self, ids, stamp, model) -> None:
        self.ids, self.stamp, self._model = list(ids), stamp, model
        self._pos = {c: i for i, c in enumerate(self.ids)}

    # -- query ---------------------------------------------------------------------------
    def search(self, query_tokens: list[str], n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first, only chunks with a positive score; `allowed`
        (chunk ids) restricts the corpus before ranking."""
        if self._model is None or not self.ids or not query_tokens:
            return []
        import numpy as np
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            idx = [self._pos[c] for c in allowed if c in self._pos]
            if not idx:
                return []
            mask[idx] = 1.0
        known = [t for t in query_tokens if t in self._model.vocab_dict]
        if not known:
            return []
        scores = self._model.get_scores(known, weight_mask=mask)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = sorted(top, key=lambda i: (-scores[i], i))
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
