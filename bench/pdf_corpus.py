"""The synthetic reports of gen_corpus.py printed as PDFs with reportlab, in three table styles.

- ``ruled``: tables drawn with a full grid and merged cells, the page number 「- n -」;
- ``unruled``: the same tables without any line (pdfplumber finds no table: the text path), the
  page number as a bare 「n」;
- ``wrapped``: a full grid with narrow label columns, so that row labels and column headers
  wrap over several lines inside their cells, the page number 「第 n 页」.

`write_pdf(report, path, style)` prints one report; `generate(n, out, seed)` writes
OUT/reports/*.pdf (styles in turn) and OUT/truth.jsonl (every printed cell, as gen_corpus).
The Chinese font is the standard Adobe-GB1 CID font STSong-Light (no font file needed).

Usage: ``python bench/pdf_corpus.py N OUT_DIR [--seed 7]``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bench.gen_corpus import (APP_COLS, GROUP_LABELS, GROUPS, PRO_ROWS, REV_COLS, REV_ROWS, SUB_LABELS,  # noqa: E402
                              Report, fmt_num, make_reports, prose_sections)

STYLES = ("ruled", "unruled", "wrapped")
FONT = "STSong-Light"


@dataclass
class C:
    text: str
    rowspan: int = 1
    colspan: int = 1


def proactive_table(r: Report) -> list[list[C]]:
    v = lambda key, cols: [C(fmt_num(r.pro[(key, c)])) for c in cols]  # noqa: E731
    rows = []
    for head, heads, block in (("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), PRO_ROWS[0:2]),
                               ("第二十条第（五）项", ("本年处理决定数量",), PRO_ROWS[2:3]),
                               ("第二十条第（六）项", ("本年处理决定数量",), PRO_ROWS[3:5]),
                               ("第二十条第（八）项", ("本年收费金额（单位：万元）",), PRO_ROWS[5:6])):
        rows.append([C(head, colspan=4)])
        if len(heads) == 3:
            rows.append([C("信息内容")] + [C(h) for h in heads])
        else:
            rows.append([C("信息内容"), C(heads[0], colspan=3)])
        for key, label, cols in block:
            cells = v(key, cols)
            if len(cells) == 1:
                cells[0].colspan = 3
            rows.append([C(label)] + cells)
    return rows


def applications_table(r: Report) -> list[list[C]]:
    vals = lambda key: [C(str(r.app[(key, c)])) for c in APP_COLS]  # noqa: E731
    rows = [
        [C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         C("申请人情况", colspan=7)],
        [C("自然人", rowspan=2), C("法人或其他组织", colspan=5), C("总计", rowspan=2)],
        [C("商业\n企业"), C("科研\n机构"), C("社会公益\n组织"), C("法律服务\n机构"), C("其他")],
        [C("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new_received"),
        [C("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carried_over"),
    ]
    outcome = [("granted", None, "（一）予以公开"),
               ("partially_granted", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
    for g, subs in GROUPS.items():
        outcome += [(s, GROUP_LABELS[g], SUB_LABELS[s]) for s in subs]
    seen = set()
    for i, (key, group, label) in enumerate(outcome):
        row = []
        if i == 0:
            row.append(C("三、本年度办理结果", rowspan=len(outcome) + 1))
        if group is None:
            row.append(C(label, colspan=2))
        else:
            if group not in seen:
                seen.add(group)
                row.append(C(group, rowspan=sum(1 for o in outcome if o[1] == group)))
            row.append(C(label))
        rows.append(row + vals(key))
    rows.append([C("（七）总计", colspan=2)] + vals("total"))
    rows.append([C("四、结转下年度继续办理", colspan=3)] + vals("carried_forward"))
    return rows


def review_table(r: Report) -> list[list[C]]:
    heads = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    return [
        [C("行政复议", colspan=5), C("行政诉讼", colspan=10)],
        [C(h, rowspan=2) for h in heads] + [C("未经复议直接起诉", colspan=5), C("复议后起诉", colspan=5)],
        [C(h) for h in heads * 2],
        [C(str(r.rev[(row, c)])) for row in REV_ROWS for c in REV_COLS],
    ]


def _grid(rows: list[list[C]]) -> tuple[list[list[str]], list[tuple]]:
    """(plain grid with merged positions empty, reportlab SPAN commands)."""
    taken: dict[tuple[int, int], str] = {}
    spans = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    taken[(rr, cc)] = ""
            taken[(r, c)] = cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
            c += cell.colspan
    width = max(c for _, c in taken) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))], spans


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_REGISTERED = False


def write_pdf(r: Report, path: Path, style: str = "ruled") -> None:
    global _REGISTERED
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    if not _REGISTERED:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _REGISTERED = True
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, wordWrap="CJK", alignment=1)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5, wordWrap="CJK")
    width = A4[0] - 2 * 56
    ruled = style != "unruled"

    def page_number(canvas, doc):
        canvas.setFont(FONT, 10)
        text = {"ruled": f"- {doc.page} -", "unruled": str(doc.page), "wrapped": f"第 {doc.page} 页"}[style]
        canvas.drawCentredString(A4[0] / 2, 30, text)

    def table(rows: list[list[C]], kind: str):
        g, spans = _grid(rows)
        ncol = len(g[0])
        data = [[Paragraph("<br/>".join(_esc(x) for x in t.split("\n")), cell_style) if t else "" for t in row]
                for row in g]
        if kind == "applications":
            if style == "wrapped":
                widths = [22, 40, 64] + [(width - 126) / 7] * 7
            elif ruled:
                widths = [34, 48, 112] + [(width - 194) / 7] * 7
            else:
                widths = [60, 80, 130] + [(width - 270) / 7] * 7
        elif kind == "proactive":
            widths = ([width * 0.16] + [width * 0.28] * 3) if style == "wrapped" else ([width * 0.4] + [width * 0.2] * 3)
        else:
            widths = [width / ncol] * ncol
        cmds = [("FONT", (0, 0), (-1, -1), FONT, 7.5), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")] + spans
        if ruled:
            cmds.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
        return Table(data, colWidths=widths, style=TableStyle(cmds))

    sec = prose_sections(r)
    story = [Paragraph(_esc(f"{r.body.name}{r.year}年政府信息公开工作年度报告"), title), Spacer(1, 8)]
    story.append(Paragraph(_esc(sec["intro"][0]), body))
    story.append(Paragraph("一、总体情况", head))
    for h in ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障"):
        story.append(Paragraph(_esc(h), head))
        story += [Paragraph(_esc(t), body) for t in sec[h]]
    story += [Paragraph("二、主动公开政府信息情况", head), table(proactive_table(r), "proactive"),
              Paragraph("三、收到和处理政府信息公开申请情况", head), table(applications_table(r), "applications"),
              Paragraph("四、政府信息公开行政复议、行政诉讼情况", head), table(review_table(r), "review")]
    for h in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        story.append(Paragraph(_esc(h), head))
        story += [Paragraph(_esc(t), body) for t in sec[h]]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=56, rightMargin=56, topMargin=56, bottomMargin=56,
                      title=f"{r.body.name}{r.year}").build(story, onFirstPage=page_number, onLaterPages=page_number)


def printed_cells(r: Report) -> list[list]:
    """[table, row, column, value] of every printed cell (as gen_corpus's truth.jsonl)."""
    return ([["applications", k[0], k[1], v] for k, v in r.app.items()]
            + [["proactive", k[0], k[1], v] for k, v in r.pro.items()]
            + [["review_litigation", k[0], k[1], v] for k, v in r.rev.items()])


def generate(n: int, out: Path, seed: int = 7, styles: tuple[str, ...] = STYLES) -> list[Report]:
    out = Path(out)
    rep_dir = out / "reports"
    rep_dir.mkdir(parents=True, exist_ok=True)
    for f in rep_dir.iterdir():
        f.unlink()
    reports = make_reports(n, seed)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as f:
        for i, r in enumerate(reports):
            style = styles[i % len(styles)]
            h = hashlib.sha256(f"{seed}:{r.body.name}:{r.year}".encode()).hexdigest()[:12]
            r.file = f"{i:05d}_{style}_{h}.pdf"
            r.layout = style
            write_pdf(r, rep_dir / r.file, style)
            f.write(json.dumps({"file": r.file, "agency": r.body.name, "year": r.year, "style": style,
                                "cells": printed_cells(r)}, ensure_ascii=False) + "\n")
    return reports


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="把合成年度报告排成 PDF（三种表格样式）")
    ap.add_argument("n", type=int, help="报告份数")
    ap.add_argument("out", type=Path, help="输出目录")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    reports = generate(a.n, a.out, a.seed)
    print(f"已生成 {len(reports)} 份 PDF 报告：{a.out / 'reports'}", file=sys.stderr)


if __name__ == "__main__":
    main()
