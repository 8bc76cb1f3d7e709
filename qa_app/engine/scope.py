"""The scope resolver: which reports answer a plan, and what could not be included and why.

One place decides, for every op, the prose path, the filters and the CLI/API report selection:
- `select_reports(reports, agency, region, year, report_id)`: the reports a filter keeps (an
  agency written in another standard form than the reports print: `reports_of_body`);
- `resolve(plan, catalog)`: the (body, year, report id) targets of a plan, a Chinese phrase
  for that scope, and notes on what is left out — bodies named that lack a year asked, reports
  whose body or year was not recognised (「另有1份报告未识别年度，未计入：x.txt」);
- `report_for(body, years)`: one body's report for a year asked, or its latest;
- `outside_filter(plan_names, full, filtered)`: names the question gives that lie outside the
  filter;
- `place_bodies(word, catalog, across)`: the bodies a place named on its own stands for — a city
  that has a report of its own (淮安市人民政府) and places inside it with theirs (洪泽区) is that
  one body unless the question asks across bodies (各单位, 哪个, 最多, 平均), and the note saying so.
  Pure functions over the catalog; no store, no wording beyond the scope phrases.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Body, Catalog, body_in_regions, region_text

UNKNOWN_BODY = "（未识别机关："  # catalog.py's key for a report whose body was not recognised


@dataclass(frozen=True)
class Scope:
    targets: tuple            # ((body, year, report id), ...)
    phrase: str               # 「红旗区各单位（各取最新年度报告，均为2023年）」
    notes: tuple = ()         # what is not counted, and why (Chinese, no final 。)
    left_out: tuple = field(default=())  # file names of reports not counted

    @property
    def report_ids(self) -> list[int]:
        return [rid for _, _, rid in self.targets]


def select_reports(reports, agency=None, region=None, year=None, report_id=None):
    """The reports a filter keeps: agency matches a part of the name or of an alias, region a
    part of the region (or of the name), year exactly."""
    if report_id:
        reports = [r for r in reports if r.id == report_id]
    if agency:
        reports = [r for r in reports if agency in (r.agency or "") or any(agency in a for a in r.aliases)] \
            or reports_of_body(reports, agency)
    if year:
        reports = [r for r in reports if r.year == int(year)]
    if region:
        reports = [r for r in reports if region in region_text(r) or region in (r.agency or "")]
    return reports


def reports_of_body(reports, name: str) -> list:
    """The reports of the one body a filter's name means in another standard form than the
    reports print (「红旗区府办」 for 红旗区人民政府办公室, names.py), by the catalog's own matching;
    [] when the name fits no body, several, or names something the reports do not hold."""
    m = Catalog(list(reports)).match(name)
    if len(m.bodies) != 1 or m.ambiguous or m.unknown:
        return []
    return [r for r in reports if r.id in m.bodies[0].checks_failed]


def only_years_text(body: Body) -> str:
    ys = "、".join(f"{y}年" for y in body.years) or "未标年度"
    return f"库中只有{body.agency}{ys}的报告"


def place_bodies(word: str, catalog: Catalog, across: bool) -> tuple[list[Body], list[Body]]:
    """(bodies, left out) for a place named on its own (`word` as in catalog.regions). Every
    body of the place; but when one body's own place is exactly it and the others lie in places
    inside it (淮安市人民政府 beside 淮安市洪泽区人民政府), a question not asking across bodies
    means that one body, and the others are left out (said: `place_note`)."""
    inside = catalog.in_region(word)
    own = [b for b in inside if b.region_short == word]
    if across or len(own) != 1 or len(inside) < 2:
        return inside, []
    return own, [b for b in inside if b is not own[0]]


def place_note(said: str, body: Body, left_out) -> str:
    """「「淮安市」按淮安市人民政府本级的报告回答，未计入其辖区内…的报告」."""
    names = [b.agency for b in left_out]
    more = f"等{len(names)}个单位" if len(names) > 2 else ""
    return f"「{said}」按{body.agency}本级的报告回答，未计入其辖区内{'、'.join(names[:2])}{more}的报告"


def report_for(body: Body, years) -> tuple[int | None, int | None, str]:
    """(report id, year, note) of the body's report for the asked year, or its latest."""
    if years:
        y = years[0]
        return body.reports.get(y), y, ""
    if not body.years:
        rid = next(iter(body.checks_failed), None)
        return rid, None, ""
    y = body.years[-1]
    others = "、".join(f"{x}年" for x in body.years[:-1])
    note = f"（问题未指定年度，按最新的{y}年报告回答；库中还有{others}的报告。）" if len(body.years) > 1 else ""
    return body.reports[y], y, note


def place_name(region_word: str, catalog: Catalog | None = None) -> str:
    """A region word as the place it is (「淮安」 -> 淮安市 when a body's region says so), not
    always with 区 added."""
    if catalog is not None:
        for b in catalog.bodies.values():
            if b.region_short == region_word and b.region:
                i = b.region.rfind(region_word)
                tail = b.region[i + len(region_word):i + len(region_word) + 1]
                if tail in ("区", "县", "市", "省", "旗"):
                    return region_word + tail
    if region_word.endswith(("区", "县", "市", "省")):
        return region_word
    from .. import gazetteer  # 「江苏」 -> 江苏省, 「淮安」 -> 淮安市: the division the short form is of
    full = sorted({p.name for p in gazetteer.lookup(region_word) if p.short == region_word})
    if catalog is not None and len(full) > 1:
        full = [n for n in full if any(n in (b.region or "") for b in catalog.bodies.values())] or full
    return full[0] if len(full) == 1 else region_word


def unrecognised(catalog: Catalog, years=()) -> tuple[list[str], list[str]]:
    """Notes and file names for reports a scope over every body cannot count: no body
    recognised, or no year recognised (when years are asked, or always for 「最新」)."""
    no_body = [r.file_name for r in catalog.reports.values() if not r.agency]
    no_year = [r.file_name for r in catalog.reports.values() if r.agency and r.year is None]
    notes = []
    if no_body:
        notes.append(f"另有{len(no_body)}份报告未识别机关，未计入：{'、'.join(no_body[:5])}")
    if no_year:
        notes.append(f"另有{len(no_year)}份报告未识别年度，未计入：{'、'.join(no_year[:5])}")
    return notes, no_body + no_year


def resolve(plan, catalog: Catalog) -> Scope:
    """The (body, year, report id) targets a plan runs over, the scope's phrase and its notes."""
    named = bool(plan.bodies)
    bodies = list(plan.bodies) or sorted((b for b in catalog.bodies.values()
                                          if not b.agency.startswith(UNKNOWN_BODY)
                                          and body_in_regions(b, plan.regions)),
                                         key=lambda b: b.agency)
    out, notes = [], []
    for b in bodies:
        if plan.years:
            for y in plan.years:
                if y in b.reports:
                    out.append((b, y, b.reports[y]))
            if named and not any(y in b.reports for y in plan.years):
                notes.append(f"{only_years_text(b)}，未计入")
            elif named:  # some of the years asked: say which are not counted
                lack = [y for y in plan.years if y not in b.reports]
                if lack:
                    notes.append(f"库中没有{b.agency}{'、'.join(f'{y}年' for y in lack)}的报告，未计入")
        elif b.years:
            out.append((b, b.years[-1], b.reports[b.years[-1]]))
    left_out: list[str] = []
    if not named and not plan.regions:
        more, left_out = unrecognised(catalog)
        notes += more
    elif not named:  # a region asked: a body named without its place (区统计局) cannot be placed in it
        unplaced = [r.file_name for r in catalog.reports.values() if getattr(r, "unplaced", False)]
        if unplaced:
            notes.append(f"另有{len(unplaced)}份报告的机关没写所属地区，无法判断是否在{'、'.join(plan.regions)}，"
                         f"未计入：{'、'.join(unplaced[:5])}")
            left_out = unplaced
    where = "、".join(place_name(r, catalog) for r in plan.regions)
    one = len({b.agency for b, _, _ in out}) == 1
    used = sorted({y for _, y, _ in out})
    ys = "、".join(f"{y}年" for y in sorted(plan.years or used))
    if one and out:
        phrase = f"{out[0][0].agency}{'、'.join(f'{y}年' for y in used)}"  # the years counted
    elif named:  # the bodies asked about, not every body
        names = "、".join(b.agency for b in plan.bodies[:4]) + (f"等{len(plan.bodies)}个单位" if len(plan.bodies) > 4 else "")
        phrase = f"{names}{ys}" if plan.years else f"{names}（各取最新年度报告{'，均为' + ys if len(used) == 1 else ''}）"
    elif plan.years:
        phrase = f"{ys}{where}各单位"
    else:  # say which year was taken when every body's latest report is of the same year
        phrase = f"{where}各单位（各取最新年度报告{'，均为' + ys if len(used) == 1 else ''}）"
    return Scope(tuple(out), phrase, tuple(notes), tuple(left_out))


def prose_reports(plan, catalog: Catalog) -> tuple[list[int] | None, str]:
    """The reports the prose path reads for a plan (None: every report), or a refusal text."""
    if plan.bodies:
        ids = []
        for b in plan.bodies:
            ys = [y for y in plan.years if y in b.reports] or b.years[-1:]
            ids += [b.reports[y] for y in ys] or list(b.checks_failed)[:1]
        return ids, ""
    if plan.years or plan.regions:
        ids = [rid for rid, r in catalog.reports.items()
               if (not plan.years or r.year in plan.years)
               and (not plan.regions or any(x in region_text(r) or x in (r.agency or "") for x in plan.regions))]
        return ids, "" if ids else "库中没有符合条件（年度/地区）的报告。"
    return None, ""
