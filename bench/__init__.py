"""Benchmarks of qa-app against a plain LangChain RAG baseline (see docs/benchmarks.md).

gen_corpus.py writes a synthetic corpus with known numbers and the questions about it;
baseline.py is the plain recipe; judge.py scores answers; run.py runs everything at several
corpus sizes and writes docs/benchmarks.md.
"""
