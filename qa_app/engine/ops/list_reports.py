"""Op list_reports: the reports the index holds (of the years / regions asked)."""
from __future__ import annotations

from ...answer import Answer
from ..catalog import report_in_regions
from ..labels import report_label
from ..scope import place_name


def run(plan, facts):
    reps = [r for r in facts.catalog.reports.values()
            if (not plan.years or r.year in plan.years)
            and (not plan.bodies or r.agency in {b.agency for b in plan.bodies})
            and report_in_regions(r, plan.regions)]
    rows = [{"机关": r.agency, "地区": r.region, "年度": r.year, "报告": r.file_name,
             "勾稽": "通过" if not r.checks_failed else "有未通过"} for r in reps]
    names = "；".join(f"{r.agency or '未识别机关'}（{f'{r.year}年' if r.year else '未识别年度'}，{r.file_name}）"
                     for r in reps[:20])
    more = "等" if len(reps) > 20 else ""
    of = "".join(("、".join(b.agency for b in plan.bodies) if plan.bodies else
                  "、".join(place_name(r, facts.catalog) for r in plan.regions),
                  "、".join(f"{y}年" for y in sorted(plan.years))))
    if not reps:
        held = sorted({r.year for r in facts.catalog.reports.values() if r.year})
        tail = f"库中现有{'、'.join(f'{y}年' for y in held)}的报告。" if held else ""
        return Answer(plan.question, f"库中没有{of}的报告。{tail}", "none", None, debug=plan.describe())
    head = f"库中{of}的报告共{len(reps)}份" if of else f"库中共有{len(reps)}份报告"
    return Answer(plan.question, f"{head}：{names}{more}。", "aggregate", len(reps), table=rows,
                  debug=plan.describe())


__all__ = ["run", "report_label"]
