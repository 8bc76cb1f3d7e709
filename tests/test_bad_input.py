"""Bad input: each bad file gets a one-line Chinese error naming it, the other files of the run
still index, nothing already indexed changes, and `qa-app index` exits non-zero with a summary.

Every test runs the real CLI (`--index <tmp> --no-narrative`) on an index that already holds
seeds 000 and 004, and compares `qa-app reports --json` / `qa-app facts --json` before and after.
Also: a report without section 三 (indexed, with a warning), the same bytes under another name,
`qa-app remove`, and a folder of 2,000 files (progress bar, memory stays flat).
"""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_app.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
S000, S001, S004 = "000_aa0ecb1c4df3c9c5.txt", "001_924043a2ff6d2acf.txt", "004_a940ca4a84d42417.txt"
ENV = {"QA_APP_NARRATIVE": "0"}  # facts only: the prose index is not part of these tests


def cli(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env={**ENV, **(env or {})}, catch_exceptions=False)


def snapshot(index: Path) -> tuple[dict, dict]:
    """({file name: reports --json entry}, {file name: sorted facts}) of an index."""
    reps = json.loads(cli("reports", "--json", "--index", index).stdout)
    facts = json.loads(cli("facts", "--json", "--index", index).stdout)
    by_report: dict[str, list] = {}
    for f in facts:
        by_report.setdefault(f["report"], []).append(json.dumps(f, sort_keys=True, ensure_ascii=False))
    return {r["file_name"]: r for r in reps}, {k: sorted(v) for k, v in by_report.items()}


@pytest.fixture(scope="module")
def base_index(tmp_path_factory):
    """An index holding seeds 000 and 004, built once; each test works on a copy."""
    d = tmp_path_factory.mktemp("base")
    res = cli("index", "--no-narrative", "-q", "--index", d / "index", SEEDS / S000, SEEDS / S004)
    assert res.exit_code == 0, res.output
    return d / "index"


@pytest.fixture
def index(base_index, tmp_path):
    dst = tmp_path / "index"
    shutil.copytree(base_index, dst)
    before = snapshot(dst)
    assert set(before[0]) == {S000, S004}
    assert len(before[1][S004]) > 200
    return dst


def good_file(tmp_path: Path) -> Path:
    """A good report to index in the same run as the bad one."""
    p = tmp_path / "in" / S001
    p.parent.mkdir(exist_ok=True)
    shutil.copy(SEEDS / S001, p)
    return p


def assert_unchanged_but_good(index: Path, before: tuple[dict, dict], bad_name: str) -> None:
    """The reports indexed before are exactly as they were; the good file was added; the bad one not."""
    reps, facts = snapshot(index)
    assert set(reps) == set(before[0]) | {S001}
    for name in before[0]:
        assert reps[name] == before[0][name]
        assert facts[name] == before[1][name]
    assert facts[S001]  # the other file of the run did index
    assert all(bad_name not in r["names"] for r in reps.values())


# ---------------------------------------------------------------------------------------
# Bad files

_RNG = random.Random(20240601)
JUNK = bytes(_RNG.randrange(256) for _ in range(6000))


def _pdf_canvas(path: Path, encrypt=None):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), encrypt=encrypt)


def make_scanned_pdf(path: Path) -> None:
    """Pages with drawings only, as a scan is an image with no text layer."""
    c = _pdf_canvas(path)
    for _ in range(2):
        c.rect(72, 300, 400, 400, fill=1)
        c.line(72, 200, 500, 200)
        c.showPage()
    c.save()


def _report_pdf(path: Path, encrypt=None) -> None:
    c = _pdf_canvas(path, encrypt)
    c.setFont("STSong-Light", 12)
    lines = SEEDS.joinpath(S004).read_text(encoding="utf-8").split("\n")[:60]
    y = 800
    for line in lines:
        c.drawString(40, y, line[:40])
        y -= 14
        if y < 40:
            c.showPage()
            c.setFont("STSong-Light", 12)
            y = 800
    c.save()


def make_encrypted_pdf(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    _report_pdf(path, StandardEncryption("secret", ownerPassword="owner"))


def make_truncated_pdf(path: Path) -> None:
    _report_pdf(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


BAD = {
    # name: (file name, maker(path), words the one-line message must hold)
    "empty": ("空文件.txt", lambda p: p.write_bytes(b""), ["文件是空的"]),
    "junk-txt": ("乱码.txt", lambda p: p.write_bytes(JUNK), ["不是文本文件", "二进制"]),
    "junk-pdf": ("乱码.pdf", lambda p: p.write_bytes(JUNK), ["不是有效的 PDF 文件"]),
    "junk-docx": ("乱码.docx", lambda p: p.write_bytes(JUNK), ["不是有效的 Word（.docx）文件"]),
    "junk-html": ("乱码.html", lambda p: p.write_bytes(JUNK), ["不是文本文件", "二进制"]),
    "scanned-pdf": ("扫描件.pdf", make_scanned_pdf, ["没有文字层", "OCR"]),
    "encrypted-pdf": ("加密.pdf", make_encrypted_pdf, ["已加密"]),
    "corrupt-pdf": ("损坏.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n" + JUNK), ["PDF 文件已损坏"]),
    "truncated-pdf": ("下载一半.pdf", make_truncated_pdf, ["PDF 文件不完整", "没有下载完"]),
    "html-as-pdf": ("网页.pdf", lambda p: p.write_text("<!DOCTYPE html><html><body>404 页面不存在</body></html>",
                                                      encoding="utf-8"), ["不是有效的 PDF 文件", "网页"]),
    "not-a-report": ("会议纪要.txt", lambda p: p.write_text("会议纪要\n一、绿化工作\n全年植树 1,200 株。\n",
                                                         encoding="gbk"), ["不是政府信息公开工作年度报告"]),
    "old-word": ("旧版.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + JUNK), ["旧版 Word", ".docx"]),
    "ole-as-docx": ("加密文档.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + JUNK),
                    ["旧版 Office", "加密"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_fails_alone_and_index_is_unchanged(index, tmp_path, case):
    name, make, words = BAD[case]
    before = snapshot(index)
    bad = tmp_path / "in" / name
    bad.parent.mkdir(exist_ok=True)
    make(bad)
    res = cli("index", "--no-narrative", "-q", "--index", index, bad, good_file(tmp_path))
    assert res.exit_code == 1
    errors = [x for x in res.stderr.split("\n") if x.strip()]
    assert len(errors) == 1, res.stderr  # one line, naming the file
    assert errors[0].startswith(f"✗ {name}：")
    for w in words:
        assert w in errors[0], (w, errors[0])
    assert "新增 1 份" in res.stdout and "失败 1 份" in res.stdout  # the summary
    assert_unchanged_but_good(index, before, name)


def test_file_over_size_limit(index, tmp_path):
    before = snapshot(index)
    big = tmp_path / "in" / "很大的报告.txt"
    big.parent.mkdir()
    text = SEEDS.joinpath(S000).read_text(encoding="utf-8")
    big.write_text(text + "\n" + "附：" + "政务公开。" * 6000, encoding="utf-8")  # ~100 KB
    assert SEEDS.joinpath(S001).stat().st_size < 30 * 1024 < big.stat().st_size
    res = cli("index", "--no-narrative", "-q", "--index", index, big, good_file(tmp_path),
              env={"QA_APP_MAX_FILE_MB": "0.03"})
    assert res.exit_code == 1
    line = res.stderr.strip()
    assert line.startswith("✗ 很大的报告.txt：文件大小 ") and "超过上限 30.7 KB" in line and "QA_APP_MAX_FILE_MB" in line
    assert "失败 1 份" in res.stdout
    assert_unchanged_but_good(index, before, big.name)


def test_broken_new_version_keeps_the_old_one(index, tmp_path):
    """A file indexed before, now broken under the same name: the old version stays, untouched."""
    before = snapshot(index)
    p = tmp_path / "in" / S004
    p.parent.mkdir()
    p.write_bytes(JUNK)
    res = cli("index", "--no-narrative", "-q", "--index", index, p, good_file(tmp_path))
    assert res.exit_code == 1
    assert res.stderr.strip().startswith(f"✗ {S004}：不是文本文件")
    assert "保留此文件上次成功索引的版本" in res.stderr
    reps, facts = snapshot(index)
    assert reps[S004] == before[0][S004] and facts[S004] == before[1][S004]
    assert_unchanged_but_good(index, before, "乱码")


def test_folder_with_bad_files_indexes_the_rest(index, tmp_path):
    before = snapshot(index)
    folder = tmp_path / "in"
    good_file(tmp_path)
    (folder / "空.txt").write_bytes(b"")
    (folder / "乱码.pdf").write_bytes(JUNK)
    (folder / "图片.jpg").write_bytes(JUNK)  # not a report format: skipped, not an error
    res = cli("index", "--no-narrative", "-q", "--index", index, folder)
    assert res.exit_code == 1
    assert sorted(x.split("：")[0] for x in res.stderr.strip().split("\n")) == ["✗ 乱码.pdf", "✗ 空.txt"]
    assert "新增 1 份" in res.stdout and "失败 2 份" in res.stdout and "跳过 1 个不支持的文件" in res.stdout
    assert_unchanged_but_good(index, before, "乱码.pdf")


# ---------------------------------------------------------------------------------------
# Not errors, but worth a word

def test_report_without_section_three_is_indexed_with_a_warning(index, tmp_path):
    before = snapshot(index)
    lines = SEEDS.joinpath(S004).read_text(encoding="utf-8").split("\n")
    three = next(i for i, x in enumerate(lines) if x.startswith("三、收到和处理政府信息公开申请情况"))
    four = next(i for i, x in enumerate(lines) if x.startswith("四、政府信息公开行政复议"))
    p = tmp_path / "无第三部分.txt"
    p.write_text("\n".join(lines[:three] + lines[four:]), encoding="utf-8")
    res = cli("index", "--no-narrative", "-q", "--index", index, p)
    assert res.exit_code == 0, res.output
    assert "没有找到第三部分「收到和处理政府信息公开申请情况」表格；正文仍可检索" in res.stdout
    assert "新增 1 份" in res.stdout and "1 份已索引但有提示" in res.stdout
    reps, facts = snapshot(index)
    rep = reps["无第三部分.txt"]
    assert rep["tables_found"] == ["proactive", "review_litigation"]
    assert any("没有找到第三部分" in w for w in rep["warnings"])
    assert (rep["agency"], rep["year"]) == ("红谷滩区政府办", 2023)
    tables = {json.loads(f)["table"] for f in facts["无第三部分.txt"]}
    assert tables == {"proactive", "review_litigation"}
    # the same body and year as S004 with other numbers (section 三 missing): both are flagged
    assert rep["conflicts"] == [{"id": reps[S004]["id"], "file_name": S004}]
    assert reps[S004]["conflicts"] == [{"id": rep["id"], "file_name": "无第三部分.txt"}]
    for name in before[0]:
        assert {**reps[name], "conflicts": []} == before[0][name] and facts[name] == before[1][name]


def test_same_content_under_another_name_is_indexed_once(index, tmp_path):
    before = snapshot(index)
    copy = tmp_path / "红谷滩区2023年报（副本）.txt"
    shutil.copy(SEEDS / S004, copy)
    res = cli("index", "--no-narrative", "-q", "--index", index, copy)
    assert res.exit_code == 0, res.output
    assert f"= 红谷滩区2023年报（副本）.txt：与已索引的 {S004} 内容相同，只记下文件名" in res.stdout
    assert "同内容另名 1 份" in res.stdout
    reps, facts = snapshot(index)
    assert set(reps) == set(before[0])  # no new report
    assert sorted(reps[S004]["names"]) == sorted([S004, "红谷滩区2023年报（副本）.txt"])
    assert facts == before[1]
    again = cli("index", "--no-narrative", "-q", "--index", index, copy)  # a second run: nothing to do
    assert again.exit_code == 0 and "未变，跳过" in again.stdout
    # the copy's name finds the report too
    by_copy = json.loads(cli("facts", "--json", "--report", "红谷滩区2023年报（副本）.txt", "--index", index).stdout)
    assert {f["report"] for f in by_copy} == {S004}


def test_file_changed_into_a_copy_of_another_report(index, tmp_path):
    """000's file now holds 004's bytes: 000's old version goes, the name points at 004."""
    p = tmp_path / S000
    shutil.copy(SEEDS / S004, p)
    res = cli("index", "--no-narrative", "-q", "--index", index, p)
    assert res.exit_code == 0, res.output
    assert f"内容已改为与已索引的 {S004} 相同" in res.stdout
    reps, facts = snapshot(index)
    assert set(reps) == {S004}
    assert sorted(reps[S004]["names"]) == sorted([S000, S004])
    assert set(facts) == {S004}


def test_unchanged_rerun_skips(index):
    res = cli("index", "--no-narrative", "-q", "--index", index, SEEDS / S000, SEEDS / S004)
    assert res.exit_code == 0
    assert res.stdout.count("未变，跳过") == 2 and "未变跳过 2 份" in res.stdout


# ---------------------------------------------------------------------------------------
# qa-app remove

def test_remove_takes_out_facts_names_and_aliases(index, tmp_path):
    before = snapshot(index)
    copy = tmp_path / "副本.txt"
    shutil.copy(SEEDS / S004, copy)
    assert cli("index", "--no-narrative", "-q", "--index", index, copy).exit_code == 0
    res = cli("remove", "--index", index, "副本.txt")  # any of its names
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"已移除 {S004}（红谷滩区政府办 2023）：数字、正文片段、别名，以及同内容的文件名 副本.txt"
    reps, facts = snapshot(index)
    assert set(reps) == {S000} and set(facts) == {S000}
    assert reps[S000] == before[0][S000] and facts[S000] == before[1][S000]
    # the alias table no longer knows the body
    by_alias = cli("facts", "--json", "--agency", "红谷滩区政府办", "--index", index)
    assert json.loads(by_alias.stdout) == []
    import sqlalchemy as sa
    eng = sa.create_engine(f"sqlite:///{index / 'facts.sqlite'}")
    with eng.connect() as conn:
        for table in ("aliases", "report_names", "facts", "checks"):
            ids = conn.execute(sa.text(f"select distinct report_id from {table}")).scalars().all()
            assert ids == [before[0][S000]["id"]], table
    eng.dispose()
    # indexing it again brings it back whole
    assert cli("index", "--no-narrative", "-q", "--index", index, SEEDS / S004).exit_code == 0
    reps2, facts2 = snapshot(index)
    assert len(facts2[S004]) == len(before[1][S004])


def test_remove_unknown_report(index):
    before = snapshot(index)
    res = cli("remove", "--index", index, "没有这份报告.pdf")
    assert res.exit_code != 0
    assert "库中没有报告 没有这份报告.pdf" in res.output
    assert snapshot(index) == before


# ---------------------------------------------------------------------------------------
# Thousands of files

def test_two_thousand_files_with_a_progress_bar(tmp_path):
    """2,000 small reports in one folder: all indexed in one run, with a progress bar. (The
    indexer reads one file at a time; measured by hand with tracemalloc after a warm-up run, the
    peak stays near 2.6 MB for 2,000 files against 1.4 MB for 200: a trace inside this test would
    make it ten times slower.)"""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2000):
        (folder / f"r{i:04d}.txt").write_text(
            f"某某县第{i}号单位2023年政府信息公开工作年度报告\n一、总体情况\n本单位全年主动公开政府信息{i}条。\n"
            f"三、收到和处理政府信息公开申请情况\n"
            f"一、本年新收政府信息公开申请数量\t{i}\t0\t0\t0\t0\t0\t{i}\n", encoding="utf-8")
    (folder / "说明.doc").write_bytes(b"\xd0\xcf\x11\xe0")  # not a format we read: skipped and counted
    # an in-memory side store: this test is about the indexer walking the folder, not disk speed
    res = cli("index", "--no-narrative", "--index", tmp_path / "idx", folder, env={"QA_APP_DATABASE_URL": "sqlite://"})
    assert res.exit_code == 0, res.stderr[-2000:]
    assert "新增 2000 份" in res.stdout and "失败 0 份" in res.stdout and "跳过 1 个不支持的文件" in res.stdout
    assert "索引报告" in res.stderr and "2001/2001" in res.stderr  # the progress bar (tqdm, on stderr)


# ---------------------------------------------------------------------------------------
# Notes lying among the reports of a folder

README_TEXT = "# 说明\n\n本文件夹收录各单位2024年政府信息公开工作年度报告，来源见 notes.md。\n"
NOTES_TEXT = ("# 来源笔记\n\n- 江苏省科学技术厅2024年政府信息公开工作年度报告：省政府网站下载\n"
              "- 沭阳县人民政府2024年政府信息公开工作年度报告：县政府网站\n"
              "- 淮安市洪泽区人民政府2023年政府信息公开工作年度报告：区政府网站\n")


def _folder_with_notes(tmp_path: Path) -> Path:
    d = tmp_path / "folder"
    d.mkdir()
    for f in sorted(SEEDS.iterdir()):
        shutil.copy(f, d / f.name)
    (d / "README.md").write_text(README_TEXT, encoding="utf-8")
    (d / "notes.md").write_text(NOTES_TEXT, encoding="utf-8")
    return d


def test_notes_in_a_folder_are_skipped_not_failed(tmp_path):
    d = _folder_with_notes(tmp_path)
    res = cli("index", "--no-narrative", "-q", "--index", tmp_path / "idx", d)
    assert res.exit_code == 0, res.output
    assert "✗" not in res.stderr, res.stderr
    assert "- README.md：不是政府信息公开工作年度报告，已跳过" in res.stdout
    assert "- notes.md：不是政府信息公开工作年度报告，已跳过" in res.stdout
    assert "新增 5 份" in res.stdout and "失败 0 份" in res.stdout
    assert "跳过 2 个不是年度报告的文件（README.md、notes.md：" in res.stdout
    names = {r["file_name"] for r in json.loads(cli("reports", "--json", "--index", tmp_path / "idx").stdout)}
    assert names == {f.name for f in SEEDS.iterdir()}


def test_a_broken_report_in_the_folder_still_fails(tmp_path):
    d = _folder_with_notes(tmp_path)
    (d / "2024年报告.pdf").write_bytes(b"%PDF-1.4\n" + JUNK)
    res = cli("index", "--no-narrative", "-q", "--index", tmp_path / "idx", d)
    assert res.exit_code == 1
    assert [x for x in res.stderr.split("\n") if x.strip()][0].startswith("✗ 2024年报告.pdf：")
    assert "新增 5 份" in res.stdout and "失败 1 份" in res.stdout
    assert "跳过 2 个不是年度报告的文件" in res.stdout


def test_a_notes_file_named_alone_is_refused(index, tmp_path):
    p = tmp_path / "README.md"
    p.write_text(README_TEXT, encoding="utf-8")
    res = cli("index", "--no-narrative", "-q", "--index", index, p)
    assert res.exit_code == 1  # asked for by name: refused, not silently skipped
    assert res.stderr.startswith("✗ README.md：不是政府信息公开工作年度报告")
