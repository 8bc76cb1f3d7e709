"""`qa-app index --jobs N`: worker processes parse, one writer commits; the index is the same.

The same files indexed with one job and with two give the same reports (ids in file order),
the same facts and the same cell boxes; a file repeated under another name in the same run and
a bad file are reported as with one job.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from click.testing import CliRunner

from qa_app.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import pdf_corpus  # noqa: E402


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def snapshot(index: Path):
    import sqlite3
    con = sqlite3.connect(index / "facts.sqlite")
    reps = con.execute("select id, file_name, sha256 from reports order by id").fetchall()
    facts = con.execute("select report_id, tbl, row, col, value, derived, line_first, line_last from facts "
                        "order by report_id, tbl, row, col").fetchall()
    boxes = con.execute("select * from cell_boxes order by report_id, tbl, row, col").fetchall()
    names = con.execute("select report_id, file_name from report_names order by file_name").fetchall()
    con.close()
    return reps, facts, boxes, names


def test_two_jobs_index_what_one_job_does(tmp_path):
    corpus = tmp_path / "corpus"
    pdf_corpus.generate(6, corpus, seed=3)
    files = tmp_path / "in"
    shutil.copytree(corpus / "reports", files)
    first = sorted(files.glob("*.pdf"))[0]
    shutil.copy(first, files / ("zz_copy_" + first.name))   # same bytes, another name, same run
    (files / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00junk" * 400)
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = cli("index", "--no-narrative", "-q", "--jobs", "1", "--index", one, files)
    r2 = cli("index", "--no-narrative", "-q", "--jobs", "2", "--index", two, files)
    assert r1.exit_code == r2.exit_code == 1  # the broken file
    for r in (r1, r2):
        assert "新增 6 份" in r.stdout and "同内容另名 1 份" in r.stdout and "失败 1 份" in r.stdout
        assert "✗ broken.pdf：PDF 文件已损坏" in r.stderr
    # the results are listed in file order however the workers finish
    assert r1.stdout.splitlines()[:-1] == r2.stdout.splitlines()[:-1] and r1.stderr == r2.stderr
    s1, s2 = snapshot(one), snapshot(two)
    assert s1 == s2
    reps, facts, boxes, names = s2
    assert [n for _, n, _ in reps] == sorted(p.name for p in corpus.joinpath("reports").glob("*.pdf"))
    assert len(boxes) == 6 * 200  # every printed cell has its box
    assert (reps[0][0], "zz_copy_" + first.name) in names
    # a second run: nothing changed, nothing parsed again
    r3 = cli("index", "--no-narrative", "-q", "--jobs", "2", "--index", two, files)
    assert "未变跳过 7 份" in r3.stdout and snapshot(two) == s2
