"""The plain LangChain RAG recipe, as the usual way of answering questions over report files.

What it does, and nothing more:
1. each report file's raw text is split by langchain_text_splitters.RecursiveCharacterTextSplitter
   (200 characters, 20 overlap, Chinese sentence punctuation added to the default separators:
   e5-small reads at most 512 tokens, and a Chinese character is about one token);
2. the chunks are embedded with the same embedding model as qa-app (qa_app.narrative.embeddings
   .make_embeddings, without qa-app's vector cache) into Chroma through langchain_chroma.Chroma;
3. a question retrieves the top-k chunks (cosine distance); the number
   is the first number in the best chunk that follows a word of the question
   (the longest content word of the question found in the chunk; names of bodies and places
   and years are skipped, to give the recipe its best chance). The answer text is the top-k
   chunks and it cites all their files, as a RAG interface shows its sources: generous, since
   the judge then finds a phrase or a file anywhere in what was retrieved. There is no
   language model here (none runs on this machine fast enough to answer hundreds of
   questions), so the retrieved chunks stand in for what a model would be shown.

It never refuses unless nothing is retrieved: the recipe has no notion of "not in the index".

`Baseline(persist_dir, embeddings).build(files)` then `.ask(question) -> dict` in the shape of
`qa-app ask --json` (answer, value, kind, citations), so bench/judge.py scores both alike.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

CHUNK_SIZE = 200
CHUNK_OVERLAP = 20
TOP_K = 4
SEPARATORS = ["\n\n", "\n", "。", "；", "，", " ", ""]
_NUM = re.compile(r"\d+(?:\.\d+)?")
_STOP = set("的了吗呢么是在和与及或对从把被给为于以个些这那哪什怎如何多少几有没请问一下年度")


_PLACE_END = tuple("区县市局委办室镇处厅署")
_YEAR = re.compile(r"(?:19|20)\d{2}(?=\s*年)|(?:19|20)\d{2}$")


def question_words(q: str) -> list[str]:
    """Content words of the question (jieba), longest first: two characters or more, no bare
    numbers, no names of places or bodies (they say which report, not which number)."""
    import jieba
    words = {w for w in jieba.lcut(q) if len(w) >= 2 and not w.isdigit() and not all(ch in _STOP for ch in w)
             and not w.endswith(_PLACE_END)}
    return sorted(words, key=lambda w: (-len(w), q.find(w)))


def number_after_keyword(chunk: str, words: list[str]):
    """The first number in `chunk` after the first occurrence of the longest question word it
    holds, skipping years (「2023年」)."""
    for w in words:
        i = chunk.find(w)
        if i < 0:
            continue
        for m in _NUM.finditer(chunk, i + len(w)):
            s = m.group(0)
            if _YEAR.match(chunk, m.start()) and len(s) == 4:
                continue
            return float(s) if "." in s else int(s)
        return None
    return None


class Baseline:
    def __init__(self, persist_dir: Path, embeddings, collection: str = "baseline", k: int = TOP_K):
        self.persist_dir = Path(persist_dir)
        self.embeddings = embeddings
        self.collection = collection
        self.k = k
        self._db = None
        self.chunks = 0

    @property
    def db(self):
        if self._db is None:
            from chromadb.config import Settings as ChromaSettings
            from langchain_chroma import Chroma
            self._db = Chroma(collection_name=self.collection, embedding_function=self.embeddings,
                              persist_directory=str(self.persist_dir),
                              client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True,
                                                             persist_directory=str(self.persist_dir)),
                              collection_metadata={"hnsw:space": "cosine"})
        return self._db

    def build(self, files: list[Path], batch: int = 256) -> dict:
        """Split, embed and store every file; returns timings."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                                  separators=SEPARATORS)
        t0 = time.perf_counter()
        texts, metas = [], []
        for f in files:
            raw = Path(f).read_text(encoding="utf-8", errors="replace")
            for i, c in enumerate(splitter.split_text(raw)):
                texts.append(c)
                metas.append({"source": Path(f).name, "seq": i})
        t_split = time.perf_counter() - t0
        for i in range(0, len(texts), batch):
            self.db.add_texts(texts[i:i + batch], metadatas=metas[i:i + batch],
                              ids=[f"c{j}" for j in range(i, min(i + batch, len(texts)))])
        self.chunks = len(texts)
        return {"chunks": len(texts), "split_s": t_split, "total_s": time.perf_counter() - t0}

    def ask(self, question: str) -> dict:
        hits = self.db.similarity_search_with_score(question, k=self.k)
        if not hits:
            return {"question": question, "answer": "未找到相关内容。", "value": None, "kind": "none", "citations": [],
                    "sources": []}
        best, dist = hits[0]
        value = number_after_keyword(best.page_content, question_words(question))
        context = "\n\n".join(d.page_content for d, _ in hits)
        answer = (f"{value}。依据：" if value is not None else "依据：") + context
        cits = [{"n": i + 1, "report": d.metadata.get("source", ""), "quote": d.page_content}
                for i, (d, _) in enumerate(hits)]
        return {"question": question, "answer": answer, "value": value, "kind": "text", "citations": cits,
                "sources": [c["report"] for c in cits], "distance": dist}
