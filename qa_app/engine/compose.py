"""Chinese wording of table answers: how a cell is named, its unit, the sentence for one value.

Pure string helpers. 「红谷滩区政府办2023年部分公开12件（自然人11件、商业企业1件）」: body, year,
what is counted, the number and, where it helps, the applicant breakdown. Citations are built
in cite.py; the [n] markers are placed by the caller.
"""
from __future__ import annotations

import re

from .. import template as T

from .labels import (APP_COLUMN_SHORT, APP_ROW_PHRASE, PROACTIVE_VERB, REVIEW_COL_PHRASE, REVIEW_ROW_PHRASE,  # noqa: F401
                     clean_label, column_phrase, row_phrase, sub_row_phrase, unit, what_phrase)


def fmt(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def breakdown(row_facts: dict, table: str, row: str, value) -> str:
    """「（自然人11件、商业企业1件）」 or 「（均为自然人）」: the non-zero applicant columns of a row."""
    if table != "applications" or not value:
        return ""
    cols = row_facts.get(row, {})
    parts = [(c, cols[c]["value"]) for c in APP_COLUMN_SHORT if c not in ("total", "legal_person_or_org")
             and c in cols and cols[c]["value"]]
    if not parts:
        return ""
    if len(parts) == 1 and parts[0][1] == value:
        return f"（均为{APP_COLUMN_SHORT[parts[0][0]]}）"
    return "（" + "、".join(f"{APP_COLUMN_SHORT[c]}{fmt(v)}件" for c, v in parts) + "）"


def review_breakdown(row_facts: dict, row: str) -> str:
    cols = row_facts.get(row, {})
    parts = [(c, cols[c]["value"]) for c in ("upheld", "corrected", "other", "pending") if c in cols and cols[c]["value"]]
    if not parts:
        return ""
    return "（" + "、".join(f"{REVIEW_COL_PHRASE[c]}{fmt(v)}件" for c, v in parts) + "）"


def who(agency: str, year) -> str:
    return f"{agency}{year}年" if year else agency


def _ranges(ns: list[int]) -> str:
    """[1, 2, 3, 5] -> 「[1]–[3][5]」: runs of three or more as a range."""
    out, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        out.append(f"[{ns[i]}]–[{ns[j]}]" if j - i >= 2 else "".join(f"[{n}]" for n in ns[i:j + 1]))
        i = j + 1
    return "".join(out)


def marks(cits) -> str:
    """「[1][2]」, or 「[3]–[9]」 for a run of three or more."""
    return _ranges([c.n for c in cits])


def compress(text: str) -> str:
    """Runs of three or more consecutive markers written as a range: [3][4][5] -> [3]–[5]."""
    def run(m):
        ns = []
        for a, b in re.findall(r"\[(\d+)\](?:–\[(\d+)\])?", m.group(0)):
            ns.extend(range(int(a), int(b or a) + 1))
        return _ranges(ns)
    return re.sub(r"(?:\[\d+\](?:–\[\d+\])?){2,}", run, text)


def unknown_names(unknown, catalog) -> str:
    """「库中没有海淀区的报告。库中现有：…」: names the index does not hold, and what it holds."""
    from .names import place_correction
    said = []
    for u in unknown:
        right = place_correction(u)
        said.append(f"{right}（「{u}」按「{right}」理解）" if right else u)
    names = "、".join(unknown)
    text = f"库中没有{'、'.join(said)}的报告。"
    if all(re.fullmatch(r"[A-Za-z -]+", u) for u in unknown):  # 「Hongqi District」: names are held in Chinese
        text = f"库中的单位名称都是中文，「{names}」对不上其中任何一个，请用中文名称提问。"
    for u in unknown:
        near = list({id(b): b for r in catalog.regions if u.startswith(r) for b in catalog.in_region(r)}.values())
        if near:
            return text + f"{near[0].region}的报告有：{bodies_text(near)}。"
    return text + f"库中现有：{bodies_text(catalog.bodies.values())}。"


def bodies_text(bodies) -> str:
    names = sorted(b.agency for b in bodies)
    return "、".join(names[:8]) + (f"等{len(names)}个单位" if len(names) > 8 else "")


def notes(plan, ans):
    """What an answer says besides its op's sentence: 有/没有 first for a yes/no question about a
    count, which year 「去年」 was taken to be, a name corrected."""
    from .lexicon import lexicon
    lx, q = lexicon(), plan.question
    if plan.year_note and ans.kind != "clarify" and set(plan.years) >= {y for _, y in plan.year_words}:
        ans.answer += f"（{plan.year_note}。）"
    yes_no = lx.has("YES_NO", q) and not lx.has("NUMBER_ASKED", q)
    said = lx.by_label["YES_NO"]  # the words of the reply (lexicon data)
    counted = ans.kind == "table" or (ans.kind == "aggregate" and ans.debug.get("op") == "sum")
    if yes_no and counted and isinstance(ans.value, (int, float)):
        # 「有没有被申请行政复议」, 「收到申请了吗」: 没有 for 0, 有，N件 otherwise, said first
        u = unit(plan.cell.table, plan.cell.column) if plan.cell is not None else "件"
        ans.answer = (said.get("yes").format(value=fmt(ans.value), unit=u) if ans.value else said.get("no")) + ans.answer
    elif yes_no and ans.kind == "aggregate" and ans.debug.get("op") == "compare" and ans.table:
        vals = [r.get("值") for r in ans.table]
        if vals and all(isinstance(v, (int, float)) for v in vals) and (all(vals) or not any(vals)):
            ans.answer = (said.get("all_yes") if all(vals) else said.get("all_no")) + ans.answer  # 「文化街和城建局有没有收到申请」
    if ans.kind in ("table", "aggregate") and plan.cell is not None:
        ans.answer += unanswered_parts(plan.question)
    if plan.name_note and ans.kind != "none":
        ans.answer += f"（{plan.name_note}。）"
    if getattr(plan, "scope_note", "") and ans.kind not in ("none", "clarify"):
        ans.answer += f"（{plan.scope_note}。）"
    return ans


def unanswered_parts(question: str) -> str:
    """「（「存在什么问题」是另一个问题，…）」 for each later part of a question holding several
    (split at the lexicon's SECOND_QUESTION marks) that names no table cell: a table answer does
    not answer it, and says so rather than drop it."""
    from .cells import find_cell
    from .lexicon import lexicon
    rec = lexicon().by_label["SECOND_QUESTION"]
    parts = [x.strip(" ？?；;") for x in rec.regex.split(question)]
    return "".join(rec.get("said").format(part=x) for x in parts[1:]
                   if len(x) >= 2 and find_cell(x) is None and not lexicon().has("FOLLOW_BARE", x))
