"""Questions about the 勾稽 checks: 「哪些报告的数字对不上？」, 「红旗区市场监督管理局的勾稽关系对吗？」.

The checks were run when the report was indexed (checks.py); this answers from their records in
the side store, each failing identity explained with its printed cells (checks.explain) and
every cell cited. Reads the side store only.
"""
from __future__ import annotations

from ..answer import Answer, Citation
from ..checks import explain
from .catalog import Catalog, report_in_regions
from .cells import CellQuery
from .cite import cell_value, cite_cell
from .labels import report_label
from .execute import marks, report_for, only_years_text
from .understand import Query

MAX_REPORTS = 5
MAX_CHECKS = 3


def audit(query: Query, store, catalog: Catalog) -> Answer:
    q = query.question
    if query.bodies:
        ids = []
        for b in query.bodies:
            rid, year, _ = report_for(b, query.years)
            if rid is None:
                return Answer(q, f"库中没有{b.agency}{year}年的报告；{only_years_text(b)}。", "none", debug=query.describe())
            ids.append(rid)
    else:
        ids = [rid for rid, r in catalog.reports.items()
               if (not query.years or r.year in query.years)
               and report_in_regions(r, query.regions)]
    if not ids:
        return Answer(q, "库中没有符合条件（年度/地区）的报告。", "none", debug=query.describe())
    bad = [rid for rid in ids if catalog.reports[rid].checks_failed]
    cits: list[Citation] = []
    if not bad:
        if len(ids) == 1:
            r = catalog.reports[ids[0]]
            # the balance of the total column, as printed, as the evidence
            for row in ("new_received", "carried_over", "total", "carried_forward"):
                cv = cell_value(store, ids[0], CellQuery("applications", row, "total"))
                if cv.value not in ("missing", None):
                    cits += cite_cell(store, cv, len(cits) + 1)
            text = (f"{report_label(r)}的勾稽关系核对全部通过（新收 + 上年结转 = 办理结果总计 + 结转下年度，"
                    f"办理结果各项之和、各列之和均相符）{marks(cits)}。")
            return Answer(q, text, "table", 0, cits, debug=query.describe())
        names = "、".join(report_label(catalog.reports[i]) for i in ids[:MAX_REPORTS]) + ("等" if len(ids) > MAX_REPORTS else "")
        return Answer(q, f"所问范围内的{len(ids)}份报告（{names}），勾稽关系核对全部通过。", "aggregate", 0,
                      table=[{"报告": catalog.reports[i].file_name, "勾稽": "通过"} for i in ids], debug=query.describe())
    parts = []
    for rid in bad[:MAX_REPORTS]:
        r = catalog.reports[rid]
        failed = store.checks([rid], failed_only=True)
        lines = []
        for c in failed[:MAX_CHECKS]:
            new = []
            for cell in c["cells"]:
                cv = cell_value(store, rid, CellQuery(c["table"], cell["row"], cell["column"]))
                if cv.value != "missing":
                    new += cite_cell(store, cv, len(cits) + len(new) + 1, r.checks_failed)
            cits += new
            lines.append(explain(c["check"], c["table"], c["subject"], c["cells"]) + marks(new))
        more = f"等{len(failed)}处" if len(failed) > MAX_CHECKS else ""
        parts.append(f"{report_label(r)}：" + "；".join(lines) + more)
    head = (f"{report_label(catalog.reports[bad[0]])}的勾稽关系不成立。" if len(ids) == 1
            else f"有{len(bad)}份报告的勾稽关系不成立（所问范围内其余报告全部通过）。")
    text = head + "\n" + "\n".join(parts) + ("\n……" if len(bad) > MAX_REPORTS else "") \
        + "\n数字均按报告原文引用，未作改动。"
    value = len(bad) if len(ids) > 1 else len(store.checks([bad[0]], failed_only=True))
    return Answer(q, text, "table" if len(ids) == 1 else "aggregate", value, cits,
                  table=[{"报告": catalog.reports[i].file_name, "机关": catalog.reports[i].agency,
                          "年度": catalog.reports[i].year, "未通过": catalog.reports[i].checks_failed} for i in bad],
                  debug=query.describe())
