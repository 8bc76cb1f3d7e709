"""Every input format reaches the same table reader: the same report gives the same facts.

For each seed report (seeds/*.txt) the test writes an .html (with page chrome, GBK or UTF-8),
a .docx (merged cells), a .md (pipe tables) and a .pdf (ruled tables with merged cells, page
numbers, a table running over a page break) version into a temporary folder, indexes them all
with the real CLI (`--no-narrative`), and checks that every fact is the one the .txt gives and
that key cells hold the values written out below. A synthetic report with a different number in
every cell (and blanks, 「/」, 「1,234」, a decimal fee) checks that no value leaves its column.
The real published PDFs in ../shared/realworld are read and compared cell by cell with their
truth files. Encodings and number forms are checked on their own.

The documents are built here from the national template's layout (not with qa_app code);
the numbers of the seed versions are the .txt version's facts, which the key-cell checks pin
to values read off the seed files by hand.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_app.cli import main
from qa_app.loaders import decode_text, load

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
FORMATS = ("html", "docx", "md", "pdf")


# ---------------------------------------------------------------------------------------
# A report as blocks: ("p", text) or ("table", rows of C)

@dataclass
class C:
    text: str
    rowspan: int = 1
    colspan: int = 1


APP_COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total")
REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
# Section 三 rows as the 2021 template prints them: (key, group label or None, label)
APP_ROWS = [
    ("granted", None, "（一）予以公开"),
    ("partially_granted", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied.state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("denied.prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("denied.endangers_safety_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("denied.third_party_rights", "（三）不予公开", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("denied.process_information", "（三）不予公开", "6.属于四类过程性信息"),
    ("denied.law_enforcement_file", "（三）不予公开", "7.属于行政执法案卷"),
    ("denied.administrative_query", "（三）不予公开", "8.属于行政查询事项"),
    ("unavailable.not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear_after_correction", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "（五）不予处理", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "（五）不予处理", "2.重复申请"),
    ("not_processed.publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("not_processed.excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "（六）其他处理", "3.其他"),
]


def proactive_table(v: dict) -> list[list[C]]:
    """Section 二 (2021 format); `v[row]` is the list of printed values as strings."""
    def single(label, key):
        return [C(label), C(v[key][0], colspan=3)]
    return [
        [C("第二十条第（一）项", colspan=4)],
        [C("信息内容"), C("本年制发件数"), C("本年废止件数"), C("现行有效件数")],
        [C("规章")] + [C(x) for x in v["regulations"]],
        [C("行政规范性文件")] + [C(x) for x in v["normative_documents"]],
        [C("第二十条第（五）项", colspan=4)],
        [C("信息内容"), C("本年处理决定数量", colspan=3)],
        single("行政许可", "administrative_licensing"),
        [C("第二十条第（六）项", colspan=4)],
        [C("信息内容"), C("本年处理决定数量", colspan=3)],
        single("行政处罚", "administrative_punishment"),
        single("行政强制", "administrative_coercion"),
        [C("第二十条第（八）项", colspan=4)],
        [C("信息内容"), C("本年收费金额（单位：万元）", colspan=3)],
        single("行政事业性收费", "administrative_fees"),
    ]


def applications_table(v: dict) -> list[list[C]]:
    """Section 三 (2021 format) with its merged header and group cells."""
    def vals(key):
        return [C(x) for x in v[key]]
    rows = [
        [C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         C("申请人情况", colspan=7)],
        [C("自然人", rowspan=2), C("法人或其他组织", colspan=5), C("总计", rowspan=2)],
        [C("商业\n企业"), C("科研\n机构"), C("社会公益\n组织"), C("法律服务\n机构"), C("其他")],
        [C("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new_received"),
        [C("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carried_over"),
    ]
    seen_group = set()
    for i, (key, group, label) in enumerate(APP_ROWS):
        row = []
        if i == 0:
            row.append(C("三、本年度办理结果", rowspan=len(APP_ROWS) + 1))
        if group is None:
            row.append(C(label, colspan=2))
        else:
            if group not in seen_group:
                seen_group.add(group)
                row.append(C(group, rowspan=sum(1 for r in APP_ROWS if r[1] == group)))
            row.append(C(label))
        rows.append(row + vals(key))
    rows.append([C("（七）总计", colspan=2)] + vals("total"))
    rows.append([C("四、结转下年度继续办理", colspan=3)] + vals("carried_forward"))
    return rows


def review_table(v: dict) -> list[list[C]]:
    heads = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    return [
        [C("行政复议", colspan=5), C("行政诉讼", colspan=10)],
        [C(h, rowspan=2) for h in heads] + [C("未经复议直接起诉", colspan=5), C("复议后起诉", colspan=5)],
        [C(h) for h in heads * 2],
        [C(x) for r in REVIEW_ROWS for x in v[r]],
    ]


def report_blocks(before: list[str], tables: dict, after: list[str]) -> list[tuple]:
    blocks = [("p", x) for x in before]
    blocks += [("p", "二、主动公开政府信息情况"), ("table", proactive_table(tables["proactive"])),
               ("p", "三、收到和处理政府信息公开申请情况"), ("table", applications_table(tables["applications"])),
               ("p", "四、政府信息公开行政复议、行政诉讼情况"), ("table", review_table(tables["review_litigation"]))]
    blocks += [("p", x) for x in after]
    return blocks


def grid(rows: list[list[C]]) -> list[list[str]]:
    """The table as a plain grid (merged positions empty): what a pipe table can hold."""
    taken: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    taken[(rr, cc)] = ""
            taken[(r, c)] = cell.text
            c += cell.colspan
    width = max(c for _, c in taken) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]


# ---------------------------------------------------------------------------------------
# Writers

def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_html(blocks, path: Path, encoding: str) -> None:
    charset = "gb2312" if encoding == "gbk" else "utf-8"
    out = [f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
           "<title>政府信息公开年报_门户网站</title><style>td{border:1px solid #000} .x{content:'1 2 3'}</style>",
           "<script>var stats = [1, 2, 3]; document.write('0 0 0 0 0');</script></head><body>",
           '<header class="site-header"><a href="/">首页</a> 2024 <a>政务公开</a></header>',
           '<nav><ul><li>行政复议</li><li>12345</li><li>0 0 0</li></ul></nav>',
           '<div class="breadcrumb">当前位置：首页 &gt; 政府信息公开 &gt; 年报</div>',
           '<div class="article"><div class="content">']
    for kind, payload in blocks:
        if kind == "p":
            out.append(f"<p>{_esc(payload)}</p>")
            if payload.startswith("四、"):  # numbers in a script right above section 四's table
                out.append("<script>setPage(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);</script>")
            continue
        out.append('<table border="1" cellspacing="0">\n<tbody>')
        for row in payload:
            out.append("<tr>")
            for cell in row:
                attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                        (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                text = "<br>".join(_esc(x) for x in cell.text.split("\n")) if cell.text else "&nbsp;"
                out.append(f'<td{attrs}><p style="text-align:center"><span>{text}</span></p></td>')
            out.append("</tr>")
        out.append("</tbody></table>")
    out.append('</div></div><div class="share">分享到：微信 0 微博 0</div>')
    out.append('<footer><p>主办单位：人民政府办公室 网站标识码 3207000001 苏ICP备05009239号</p></footer>'
               "</body></html>")
    path.write_bytes("\n".join(out).encode(encoding))


def write_md(blocks, path: Path) -> None:
    out = []
    for kind, payload in blocks:
        if kind == "p":
            out.append(("## " if re.match(r"^[一二三四五六]、", payload) else "") + payload)
            out.append("")
            continue
        g = grid(payload)
        rows = [["<br>".join(x.split("\n")) for x in r] for r in g]
        out.append("| " + " | ".join(rows[0]) + " |")
        out.append("|" + "|".join("---" for _ in rows[0]) + "|")
        out.extend("| " + " | ".join(r) + " |" for r in rows[1:])
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def write_docx(blocks, path: Path) -> None:
    import docx
    doc = docx.Document()
    for kind, payload in blocks:
        if kind == "p":
            doc.add_paragraph(payload)
            continue
        g = grid(payload)
        table = doc.add_table(rows=len(g), cols=len(g[0]))
        table.style = "Table Grid"
        # merge first, then write each text into its top-left cell
        taken: dict[tuple[int, int], bool] = {}
        for r, row in enumerate(payload):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                for rr in range(r, r + cell.rowspan):
                    for cc in range(c, c + cell.colspan):
                        taken[(rr, cc)] = True
                target = table.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                parts = cell.text.split("\n")
                target.paragraphs[0].text = parts[0]
                for extra in parts[1:]:  # a header written on two lines: two paragraphs in the cell
                    target.add_paragraph(extra)
                c += cell.colspan
    doc.sections[0].footer.paragraphs[0].text = "- 1 -"
    doc.save(str(path))


_PDF_FONT = "STSong-Light"


def write_pdf(blocks, path: Path, ruled: bool = True) -> None:
    """A4 pages with ruled tables, merged cells and a 「- n -」 page number on every page; with
    `ruled=False`, tables without any lines (pdfplumber then finds no table: the text path) and
    the page number printed as a bare 「n」. The Chinese font is the standard Adobe-GB1 CID font
    (text stored as Unicode code points with the UniGB-UCS2-H CMap), so no font file is needed."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
    body = ParagraphStyle("body", fontName=_PDF_FONT, fontSize=11, leading=16, wordWrap="CJK")
    cell_style = ParagraphStyle("cell", fontName=_PDF_FONT, fontSize=7.5, leading=9.5, wordWrap="CJK")
    width = A4[0] - 2 * 56

    def page_number(canvas, doc):
        canvas.setFont(_PDF_FONT, 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -" if ruled else str(doc.page))

    story = []
    for kind, payload in blocks:
        if kind == "p":
            story.append(Paragraph(_esc(payload), body))
            continue
        g = grid(payload)
        ncol = len(g[0])
        data = [[Paragraph("<br/>".join(_esc(x) for x in t.split("\n")), cell_style) if t else "" for t in r]
                for r in g]
        if ncol == 10:
            widths = [34, 48, 112] + [(width - 194) / 7] * 7 if ruled else [60, 80, 130] + [(width - 270) / 7] * 7
        elif ncol == 4:
            widths = [width * 0.4] + [width * 0.2] * 3
        else:
            widths = [width / ncol] * ncol
        style = [("FONT", (0, 0), (-1, -1), _PDF_FONT, 7.5), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        if ruled:
            style.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(payload):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                for rr in range(r, r + cell.rowspan):
                    for cc in range(c, c + cell.colspan):
                        taken.add((rr, cc))
                if cell.rowspan > 1 or cell.colspan > 1:
                    style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
                c += cell.colspan
        story.append(Table(data, colWidths=widths, style=TableStyle(style)))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=56, rightMargin=56, topMargin=56,
                      bottomMargin=56).build(story, onFirstPage=page_number, onLaterPages=page_number)


def write_all(blocks, folder: Path, stem: str, html_encoding: str = "utf-8") -> dict[str, Path]:
    paths = {f: folder / f"{stem}.{f}" for f in FORMATS}
    write_html(blocks, paths["html"], html_encoding)
    write_docx(blocks, paths["docx"])
    write_md(blocks, paths["md"])
    write_pdf(blocks, paths["pdf"])
    return paths


# ---------------------------------------------------------------------------------------
# Running the CLI

def cli(*args, env=None):
    res = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return res


def index_and_facts(files, index: Path, separate: bool = True) -> tuple[dict, dict]:
    """-> ({report: {(table,row,column): (value, derived)}}, {report: reports --json entry}).
    `separate`: each file in an index of its own (<index>/<n>), since versions of one report
    in one index are one report with several names (test_same_report_in_every_format_is_one_report)."""
    if separate:
        out, reps = {}, {}
        for n, f in enumerate(files):
            o, r = index_and_facts([f], Path(index) / str(n), separate=False)
            out.update(o)
            reps.update(r)
        return out, reps
    res = cli("index", "--no-narrative", "-q", "--index", index, *files)
    assert res.exit_code == 0, res.output
    facts = json.loads(cli("facts", "--json", "--index", index).stdout)
    reps = {r["file_name"]: r for r in json.loads(cli("reports", "--json", "--index", index).stdout)}
    out: dict[str, dict] = {name: {} for name in reps}
    for f in facts:
        out[f["report"]][(f["table"], f["row"], f["column"])] = (f["value"], f["derived"])
    return out, reps


def _text_value(v) -> str:
    return "" if v is None else str(v)


def seed_parts(path: Path) -> tuple[list[str], list[str]]:
    """The seed's prose before section 二 and from section 五 on (its tables are rebuilt)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    two = next(i for i, x in enumerate(lines) if x.strip().startswith("二、主动公开政府信息情况"))
    five = next(i for i, x in enumerate(lines) if x.strip().startswith("五、存在的主要问题"))
    return [x for x in lines[:two] if x.strip()], [x for x in lines[five:] if x.strip()]


def tables_from_facts(facts: dict) -> dict:
    """Printed values of the .txt version, as the strings the other versions print."""
    t: dict = {"proactive": {}, "applications": {}, "review_litigation": {}}
    for (table, row, col), (value, derived) in facts.items():
        if not derived:
            t[table].setdefault(row, {})[col] = _text_value(value)
    pro_cols = {"regulations": ("issued", "repealed", "in_force"), "normative_documents": ("issued", "repealed", "in_force"),
                "administrative_licensing": ("decisions",), "administrative_punishment": ("decisions",),
                "administrative_coercion": ("decisions",), "administrative_fees": ("amount",)}
    return {
        "proactive": {r: [t["proactive"][r][c] for c in cols] for r, cols in pro_cols.items()},
        "applications": {r: [t["applications"][r][c] for c in APP_COLS] for r in t["applications"]},
        "review_litigation": {r: [t["review_litigation"][r][c] for c in REVIEW_COLS] for r in REVIEW_ROWS},
    }


# ---------------------------------------------------------------------------------------
# The synthetic report: a different number in every cell

SYN_BEFORE = ["红旗区测试局2023年政府信息公开工作年度报告",
              "本报告依据《中华人民共和国政府信息公开条例》编制。",
              "一、总体情况",
              "（一）主动公开。全年主动公开政府信息1,234条。"]
SYN_AFTER = ["五、存在的主要问题及改进情况", "公开意识还需加强。", "六、其他需要报告的事项", "本年度未收取信息处理费。"]


def synthetic_tables() -> dict:
    app_keys = ["new_received", "carried_over"] + [k for k, _, _ in APP_ROWS] + ["total", "carried_forward"]
    apps = {}
    for i, key in enumerate(app_keys):
        apps[key] = [str((i + 1) * 10 + j) for j in range(7)]  # new_received: 10..16, carried_over: 20..26, ...
    apps["carried_forward"][5] = ""      # a blank cell inside a row
    apps["carried_over"][0] = "/"        # 「/」: blank as printed
    apps["new_received"][6] = "1,216"   # thousands separator
    review = {"review": ["1", "2", "3", "4", "10"], "litigation_direct": ["5", "6", "7", "8", "26"],
              "litigation_after_review": ["9", "11", "12", "13", ""]}  # total left blank: the last cell
    pro = {"regulations": ["1", "2", "3"], "normative_documents": ["4", "5", "66"],
           "administrative_licensing": ["447,228"], "administrative_punishment": ["3985758"],
           "administrative_coercion": ["883"], "administrative_fees": ["96171.6"]}
    return {"proactive": pro, "applications": apps, "review_litigation": review}


# ---------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """All versions written and indexed once: (facts by report, reports by name, folder)."""
    tmp = tmp_path_factory.mktemp("formats")
    txt_facts, txt_reps = index_and_facts(sorted(SEEDS.glob("*.txt")), tmp / "index_txt", separate=False)
    files = []
    for n, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        before, after = seed_parts(seed)
        blocks = report_blocks(before, tables_from_facts(txt_facts[seed.name]), after)
        files += write_all(blocks, tmp, seed.stem, html_encoding="gbk" if n % 2 else "utf-8").values()
    files += write_all(report_blocks(SYN_BEFORE, synthetic_tables(), SYN_AFTER), tmp, "synthetic", "gbk").values()
    # one index per format (the seeds are different reports): within one index the versions of a
    # seed are one report with several names (test_same_report_in_every_format_is_one_report)
    facts, reps = {}, {}
    for fmt in FORMATS:
        f, r = index_and_facts([p for p in files if p.suffix == "." + fmt], tmp / f"index_{fmt}", separate=False)
        facts.update(f)
        reps.update(r)
    return {"txt": txt_facts, "txt_reports": txt_reps, "facts": facts, "reports": reps, "dir": tmp}


SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", SEED_NAMES)
def test_seed_facts_identical_in_every_format(corpus, seed, fmt):
    want = corpus["txt"][seed + ".txt"]
    got = corpus["facts"][f"{seed}.{fmt}"]
    assert len(want) >= 200  # the .txt version itself read its tables
    missing = {k: v for k, v in want.items() if k not in got}
    different = {k: (v, got[k]) for k, v in want.items() if k in got and got[k] != v}
    extra = {k: v for k, v in got.items() if k not in want}
    assert not missing and not different and not extra, (missing, different, extra)
    txt_rep, rep = corpus["txt_reports"][seed + ".txt"], corpus["reports"][f"{seed}.{fmt}"]
    assert (rep["agency"], rep["year"]) == (txt_rep["agency"], txt_rep["year"])
    assert rep["source_format"] == fmt
    assert rep["checks_failed"] == txt_rep["checks_failed"]
    assert (rep["region"], rep["aliases"]) == (txt_rep["region"], txt_rep["aliases"])
    assert rep["warnings"] == txt_rep["warnings"] == []  # no number left over that could not be placed


def test_same_report_in_every_format_is_one_report(corpus, tmp_path):
    """The .txt, .html (GBK or UTF-8), .docx, .md and .pdf versions of seed 004 in one index:
    one report, the first file's, with every file name; the others say so."""
    stem = "004_a940ca4a84d42417"
    files = [SEEDS / f"{stem}.txt"] + [corpus["dir"] / f"{stem}.{fmt}" for fmt in FORMATS]
    res = cli("index", "--no-narrative", "-q", "--index", tmp_path / "idx", *files)
    assert res.exit_code == 0, res.output
    assert "新增 1 份，替换 0 份，未变跳过 0 份，同内容另名 4 份，失败 0 份" in res.stdout
    assert f"= {stem}.pdf：与已索引的 {stem}.txt 是同一份报告（红谷滩区政府办 2023年，表格数字相同），只记下文件名" in res.stdout
    reps = json.loads(cli("reports", "--json", "--index", tmp_path / "idx").stdout)
    assert len(reps) == 1 and reps[0]["file_name"] == f"{stem}.txt" and reps[0]["conflicts"] == []
    assert sorted(reps[0]["names"]) == sorted(p.name for p in files)


# Values read off seeds/004_a940ca4a84d42417.txt by hand.
SEED_004 = {
    ("applications", "new_received", "natural_person"): 27,
    ("applications", "new_received", "commercial_enterprise"): 1,
    ("applications", "new_received", "total"): 28,
    ("applications", "granted", "total"): 6,
    ("applications", "partially_granted", "natural_person"): 11,
    ("applications", "partially_granted", "commercial_enterprise"): 1,
    ("applications", "partially_granted", "total"): 12,
    ("applications", "unavailable.not_held", "natural_person"): 9,
    ("applications", "other.other", "natural_person"): 1,
    ("applications", "total", "total"): 28,
    ("review_litigation", "litigation_after_review", "pending"): 0,
    ("review_litigation", "litigation_after_review", "total"): None,  # blank in the report
}


@pytest.mark.parametrize("fmt", ("txt",) + FORMATS)
def test_seed_004_key_cells(corpus, fmt):
    facts = corpus["txt"]["004_a940ca4a84d42417.txt"] if fmt == "txt" else corpus["facts"][f"004_a940ca4a84d42417.{fmt}"]
    assert {k: facts[k][0] for k in SEED_004} == SEED_004
    rep = corpus["txt_reports"]["004_a940ca4a84d42417.txt"] if fmt == "txt" else corpus["reports"][f"004_a940ca4a84d42417.{fmt}"]
    assert (rep["agency"], rep["year"]) == ("红谷滩区政府办", 2023)


SEED_OTHER = {  # (file stem, cell) -> value, read off the seed files by hand
    ("000_aa0ecb1c4df3c9c5", ("applications", "new_received", "total")): 4,
    ("000_aa0ecb1c4df3c9c5", ("applications", "unavailable.not_held", "natural_person")): 4,
    ("001_924043a2ff6d2acf", ("proactive", "administrative_licensing", "decisions")): 28,
    ("001_924043a2ff6d2acf", ("applications", "new_received", "total")): 0,
}


@pytest.mark.parametrize("fmt", ("txt",) + FORMATS)
def test_other_seeds_key_cells(corpus, fmt):
    for (stem, cell), want in SEED_OTHER.items():
        facts = corpus["txt"][stem + ".txt"] if fmt == "txt" else corpus["facts"][f"{stem}.{fmt}"]
        assert facts[cell][0] == want, (stem, cell)


def synthetic_expected() -> dict:
    """Every printed cell of the synthetic report, as numbers (None: blank)."""
    def num(s):
        if s in ("", "/"):
            return None
        s = s.replace(",", "")
        return float(s) if "." in s else int(s)
    t = synthetic_tables()
    pro_cols = {"regulations": ("issued", "repealed", "in_force"), "normative_documents": ("issued", "repealed", "in_force"),
                "administrative_licensing": ("decisions",), "administrative_punishment": ("decisions",),
                "administrative_coercion": ("decisions",), "administrative_fees": ("amount",)}
    out = {}
    for row, cols in pro_cols.items():
        for c, v in zip(cols, t["proactive"][row]):
            out[("proactive", row, c)] = num(v)
    for row, vals in t["applications"].items():
        for c, v in zip(APP_COLS, vals):
            out[("applications", row, c)] = num(v)
    for row, vals in t["review_litigation"].items():
        for c, v in zip(REVIEW_COLS, vals):
            out[("review_litigation", row, c)] = num(v)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_synthetic_every_cell_in_its_column(corpus, fmt):
    got = {k: v for k, (v, derived) in corpus["facts"][f"synthetic.{fmt}"].items() if not derived}
    assert got == synthetic_expected()
    # a few cells written out
    assert got[("applications", "new_received", "total")] == 1216
    assert got[("applications", "carried_over", "natural_person")] is None
    assert got[("applications", "carried_over", "commercial_enterprise")] == 21
    assert got[("applications", "partially_granted", "research_institution")] == 42
    assert got[("applications", "denied.administrative_query", "other_org")] == 125
    assert got[("applications", "other.other", "legal_service_org")] == 234
    assert got[("applications", "carried_forward", "other_org")] is None
    assert got[("applications", "carried_forward", "total")] == 256
    assert got[("proactive", "administrative_licensing", "decisions")] == 447228
    assert got[("proactive", "administrative_fees", "amount")] == 96171.6
    assert got[("review_litigation", "litigation_direct", "total")] == 26
    assert got[("review_litigation", "litigation_after_review", "pending")] == 13
    assert got[("review_litigation", "litigation_after_review", "total")] is None
    rep = corpus["reports"][f"synthetic.{fmt}"]
    assert (rep["agency"], rep["year"]) == ("红旗区测试局", 2023)
    assert rep["warnings"] == []  # a repeated merged value would be an unplaceable number here


def test_pdf_page_marker_inside_a_table_does_not_break_it(corpus):
    """At least one generated PDF has a 「- n -」 line between two rows of section 三."""
    seen = 0
    for pdf in sorted(corpus["dir"].glob("*.pdf")):
        lines = load(pdf).text.replace("\f", "").split("\n")
        first = next(i for i, x in enumerate(lines) if "本年新收" in x)
        last = next(i for i, x in enumerate(lines) if "结转下年度" in x)
        if any(re.fullmatch(r"- \d+ -", x.strip()) for x in lines[first:last]):
            seen += 1
    assert seen >= 1  # and test_seed_facts_identical_in_every_format shows that PDF reads whole


def test_unruled_pdf_with_bare_page_numbers(tmp_path):
    """Tables drawn without lines reach the reader as pdfplumber's text, and a page number
    printed as a bare 「2」 under a table running over a page break is not taken for a value
    (left alone, it would start the next row: (二)部分公开 = 2, 40, 41, ...). Text without
    ruling lines cannot show where a blank cell was, so this version has none."""
    tables = synthetic_tables()
    tables["applications"]["carried_forward"][5] = "0"
    tables["applications"]["carried_over"][0] = "1"
    tables["review_litigation"]["litigation_after_review"][4] = "45"
    long_prose = ["（二）依申请公开。" + "本机关依法按时答复每一件政府信息公开申请。" * 30] * 3
    write_pdf(report_blocks(SYN_BEFORE + long_prose, tables, SYN_AFTER), tmp_path / "unruled.pdf", ruled=False)
    text = load(tmp_path / "unruled.pdf").text
    assert "\t" not in text  # no table found: the text path
    lines = [x.strip() for x in text.replace("\f", "").split("\n")]
    first = next(i for i, x in enumerate(lines) if "本年新收" in x or x.startswith("一、本年"))
    last = next(i for i, x in enumerate(lines) if x.startswith("四、结转"))
    assert any(re.fullmatch(r"- \d -", x) for x in lines[first:last])  # the page break is inside section 三
    assert not any(re.fullmatch(r"\d", x) for x in lines)
    facts, reps = index_and_facts([tmp_path / "unruled.pdf"], tmp_path / "idx")
    got = facts["unruled.pdf"]
    assert reps["unruled.pdf"]["warnings"] == []
    assert got[("applications", "partially_granted", "natural_person")] == (40, False)
    assert got[("applications", "carried_over", "natural_person")] == (1, False)
    assert got[("applications", "unavailable.unclear_after_correction", "total")] == (156, False)
    assert got[("applications", "carried_forward", "other_org")] == (0, False)
    assert got[("review_litigation", "litigation_after_review", "total")] == (45, False)
    want = synthetic_expected()
    want[("applications", "carried_forward", "other_org")] = 0
    want[("applications", "carried_over", "natural_person")] = 1
    want[("review_litigation", "litigation_after_review", "total")] = 45
    assert {k: v for k, (v, d) in got.items() if not d} == want


@pytest.mark.parametrize("markers", [["— 5 —"], ["\f", "- 6 -"], ["第 3 页 共 9 页", "\f"], ["－ 7 －", ""]])
def test_page_markers_inside_a_table(tmp_path, markers):
    """Page markers and form feeds between two rows of a tab-separated table change nothing."""
    text = SEEDS.joinpath("001_924043a2ff6d2acf.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, x in enumerate(lines) if "（三）不予公开" in x or "(三) 不予公开" in x)
    assert "\t" in lines[at] and "\t" in lines[at - 1]  # inside the table
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    (tmp_path / "paged.txt").write_text("\n".join(lines[:at] + markers + lines[at:]), encoding="utf-8")
    facts, reps = index_and_facts([tmp_path / "plain.txt", tmp_path / "paged.txt"], tmp_path / "idx")
    assert len(facts["plain.txt"]) > 200
    assert facts["paged.txt"] == facts["plain.txt"]
    assert reps["paged.txt"]["warnings"] == []


def test_gbk_html_without_charset(tmp_path):
    page = "<html><body><p>某某县2023年政府信息公开工作年度报告</p><table><tr><td>行政许可</td><td>２８</td></tr></table></body></html>"
    (tmp_path / "p.htm").write_bytes(page.encode("gbk"))
    loaded = load(tmp_path / "p.htm")
    assert loaded.text.split("\n") == ["某某县2023年政府信息公开工作年度报告", "行政许可\t２８"]
    assert loaded.encoding == "gb18030"


def test_html_chrome_is_dropped(corpus):
    text = load(corpus["dir"] / "synthetic.html").text
    for chrome in ("setPage", "document.write", "网站标识码", "当前位置", "分享到", "12345", "首页"):
        assert chrome not in text
    assert "红旗区测试局2023年政府信息公开工作年度报告" in text.split("\n")


def test_html_table_lines(tmp_path):
    """rowspan/colspan expanded so values keep their columns; &nbsp; is a blank; <br> a space."""
    page = ("<html><body><table>"
            "<tr><td rowspan=2 colspan=2>项目</td><td>商业<br/>企业</td><td>总计</td></tr>"
            "<tr><td>a</td><td>b</td></tr>"
            "<tr><td rowspan=2>三、本年度办理结果</td><td>（一）予以公开</td><td>5</td><td>&nbsp;</td></tr>"
            "<tr><td>（二）部分公开</td><td colspan=2>7</td></tr>"
            "</table></body></html>")
    (tmp_path / "t.html").write_text(page, encoding="utf-8")
    assert load(tmp_path / "t.html").text.split("\n") == [
        "项目\t\t商业 企业\t总计",
        "\t\t\ta\tb",  # a blank first cell is kept by one more tab: two blanks, then a, b
        "三、本年度办理结果\t（一）予以公开\t5\t\t",
        "\t\t（二）部分公开\t7\t\t",
    ]


def test_docx_merged_cells_not_repeated(corpus):
    text = load(corpus["dir"] / "synthetic.docx").text
    line = next(x for x in text.split("\n") if "行政许可" in x)
    assert line == "行政许可\t447,228\t\t\t"  # python-docx would repeat 447,228 in the merged cells
    header = next(x for x in text.split("\n") if "勾稽关系" in x)
    assert header.count("勾稽关系") == 1


def test_markdown_table_lines(tmp_path):
    md = "# 标题\n\n| 项目 | 自然人 | 总计 |\n|:---|---:|---|\n| **一、本年新收** | 1 | 1,2<br>34 |\n| 二、上年结转 |  | 0 |\n\n正文"
    (tmp_path / "t.md").write_text(md, encoding="utf-8")
    assert load(tmp_path / "t.md").text.split("\n") == [
        "标题", "", "项目\t自然人\t总计", "一、本年新收\t1\t1,2 34", "二、上年结转\t\t0", "", "正文"]


# ---------------------------------------------------------------------------------------
# Encodings

SHORT = "红旗区政府信息公开"
LONG = SEEDS.joinpath("004_a940ca4a84d42417.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("text", ["红旗区", "联通", SHORT, "（一）予以公开 6"])
def test_short_gbk_is_not_misread(text):
    assert decode_text(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("encoding,bom,name", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("gbk", b"", "gb18030"),
    ("gb18030", b"", "gb18030"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", b"", "utf-16-be"),
])
@pytest.mark.parametrize("text", [SHORT + "\n行政许可\t28", LONG])
def test_text_encodings(tmp_path, encoding, bom, name, text):
    p = tmp_path / "r.txt"
    p.write_bytes(bom + text.encode(encoding))
    loaded = load(p)
    assert (loaded.text, loaded.encoding) == (text, name)


def test_gb18030_only_characters():
    text = "㐀红旗区"  # U+3400 is in GB18030, not in GBK
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


def test_gbk_seed_reads_like_utf8(tmp_path):
    (tmp_path / "gbk.txt").write_bytes(LONG.encode("gbk"))
    (tmp_path / "u16.txt").write_bytes(LONG.encode("utf-16"))
    facts, reps = index_and_facts([tmp_path / "gbk.txt", tmp_path / "u16.txt"], tmp_path / "idx")
    for name in ("gbk.txt", "u16.txt"):
        got = facts[name]
        assert {k: got[k][0] for k in SEED_004} == SEED_004
        assert reps[name]["agency"] == "红谷滩区政府办"


# ---------------------------------------------------------------------------------------
# Number forms: full-width digits and brackets, 「1,234」, decimals in the fee cell

NUMBERS_REPORT = """某某县人民政府2023年政府信息公开工作年度报告
一、总体情况
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t１\t０\t１２
行政规范性文件\t３\t1,204\t１，２３４
第二十条第（五）项
行政许可\t12,345
第二十条第（六）项
行政处罚\t２０
行政强制\t0
第二十条第（八）项
行政事业性收费\t１２．５
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量\t１,０２０\t１\t0\t0\t0\t0\t１０２１
"""


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_number_forms(tmp_path, fmt):
    if fmt == "txt":
        (tmp_path / "n.txt").write_text(NUMBERS_REPORT, encoding="utf-8")
    else:
        rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>" if "\t" in line
                       else f"</table><p>{line}</p><table>" for line in NUMBERS_REPORT.strip().split("\n"))
        (tmp_path / "n.html").write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    facts, _ = index_and_facts([tmp_path / f"n.{fmt}"], tmp_path / "idx")
    got = {k: v for k, (v, d) in facts[f"n.{fmt}"].items() if not d}
    assert got[("proactive", "regulations", "in_force")] == 12
    assert got[("proactive", "normative_documents", "issued")] == 3
    assert got[("proactive", "normative_documents", "repealed")] == 1204
    assert got[("proactive", "normative_documents", "in_force")] == 1234
    assert got[("proactive", "administrative_licensing", "decisions")] == 12345
    assert got[("proactive", "administrative_punishment", "decisions")] == 20
    assert got[("proactive", "administrative_fees", "amount")] == 12.5
    assert got[("applications", "new_received", "natural_person")] == 1020
    assert got[("applications", "new_received", "total")] == 1021


# ---------------------------------------------------------------------------------------
# The real published reports, through the PDF path

def _truth_files():
    return sorted((REALWORLD / "truth").glob("*.json")) if REALWORLD.is_dir() else []


@pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"real reports not here: {REALWORLD} (they live outside the repo)")
def test_realworld_pdfs_match_truth(tmp_path):
    pdfs = sorted(REALWORLD.glob("*.pdf"))
    assert len(pdfs) >= 3
    facts, reps = index_and_facts(pdfs, tmp_path / "idx")
    checked = 0
    for tf in _truth_files():
        truth = json.loads(tf.read_text(encoding="utf-8"))
        for name in truth["files"]:
            if not name.endswith(".pdf"):  # realworld/ holds md and html reports too: this test is the PDF path
                continue
            got = facts[name]
            assert (reps[name]["agency"], reps[name]["year"]) == (truth["agency"], truth["year"]), name
            assert reps[name]["source_format"] == "pdf"
            for table in ("applications", "proactive", "review_litigation"):
                for row, cols in truth.get(table, {}).items():
                    for col, want in cols.items():
                        have = got.get((table, row, col), ("missing", False))
                        assert have[1] is False, (name, table, row, col)  # a printed cell, not derived
                        assert have[0] == want, (name, table, row, col, have[0], want)
                        checked += 1
    assert checked >= 500
