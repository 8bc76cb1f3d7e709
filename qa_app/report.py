"""One report, parsed: text -> metadata, table cells, checks, warnings. Pure; no I/O.

`parse_report(text, file_name, agency=, year=)` is what the indexer stores; agency/year are a
person's settings and win over what is read. A text with no report title, none of the
template's sections and none of its tables (a README, notes, a novel) is refused (NotAReport).
A report whose body or year cannot be read is kept, flagged (meta.flagged) with a warning that
says what to do. Decoding the file into text is loaders.py's job; storing the result is store.py's.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .checks import CheckResult, run_checks
from .metadata import Meta, override, read_meta
from .tables import TableRead, fold, read_tables


class NotAReport(ValueError):
    """The text is not a government information-disclosure annual report."""


@dataclass
class ParsedReport:
    file_name: str
    text: str
    sha256: str
    meta: Meta
    tables: TableRead
    checks: list[CheckResult]
    warnings: list[str] = field(default_factory=list)
    layout: list | None = None  # PDFs: per line, (page, word boxes) (loaders.pdf_layout); set by the indexer

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def cells_found(self) -> int:
        return sum(1 for c in self.tables.cells if not c.derived and c.value is not None)

    @property
    def cells_blank(self) -> int:
        return sum(1 for c in self.tables.cells if not c.derived and c.value is None)


def normalise_text(text: str) -> str:
    """The stored form: one \\n per line break, form feeds as line breaks, no BOM, no NULs."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\x00", "")


# The headings of the template's six sections (the words every report keeps, however numbered)
SECTION_WORDS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题",
                 "其他需要报告的事项")
_TITLE_LIKE_RE = re.compile(r"([\u4e00-\u9fa5]{2,30}?)((?:19|20)\d{2})年度?政(?:府信息|务)公开(?:工作)?年度报告")
NO_AGENCY = "未能识别发布机关：请用 qa-app set-meta 报告 --agency 机关全称 补上（或重新索引时加 --agency）"
NO_YEAR = "未能识别报告年度：请用 qa-app set-meta 报告 --year 年度 补上（或重新索引时加 --year）"


NO_PLACE_HEAD = "机关名称没写所属地区"


def no_place(agency: str) -> str:
    """The warning for a body named without its place (区统计局): what is missing and what to do."""
    return (f"{NO_PLACE_HEAD}：报告只写了「{agency}」，看不出是哪个省、市、县（区）的；按机关名称仍可查，"
            f"按地区提问和汇总时够不到这份报告。请用 qa-app set-meta 报告 --agency 机关全称（如「某某市某某区统计局」）补上")


def sections_found(text: str) -> list[str]:
    """The template's section headings the text holds (in SECTION_WORDS order)."""
    flat = re.sub(r"\s+", "", text)
    return [w for w in SECTION_WORDS if w in flat]


def _is_a_list_of_reports(text: str) -> bool:
    """Notes or a list of sources: the title form for three or more different reports."""
    flat = re.sub(r"\s+", "", text)
    return len({(m.group(1)[-8:], m.group(2)) for m in _TITLE_LIKE_RE.finditer(flat)}) >= 3


def parse_report(text: str, file_name: str, agency: str | None = None, year: int | None = None) -> ParsedReport:
    text = normalise_text(text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = text.split("\n")
    folded = fold(text)  # once, for both readers
    meta = read_meta(text, folded)
    if agency or year is not None:
        meta = override(meta, text, agency or None, year)
    tables = read_tables(lines, folded)
    warnings: list[str] = []
    # a title names both who and when: a README that mentions 「2024年…年度报告」 in a sentence is not titled
    titled = ((meta.year_source in ("title", "attachment") or meta.agency_source in ("title", "sentence", "attachment"))
              and meta.agency is not None and meta.year is not None)
    sections = sections_found(text) if not tables.tables_found else []
    if not tables.tables_found and len(sections) < 3 and (not titled or _is_a_list_of_reports(text)):
        raise NotAReport("不是政府信息公开工作年度报告：没有报告标题，没有模板的六个部分（总体情况、主动公开政府信息情况……），"
                         "也没有模板的表格；说明、笔记之类的文件请移出报告文件夹，或用 qa-app index 只索引报告文件")
    if meta.agency is None:
        warnings.append(NO_AGENCY)
    if meta.year is None:
        warnings.append(NO_YEAR)
    if meta.unplaced:
        warnings.append(no_place(meta.agency))
    if "applications" not in tables.tables_found:
        warnings.append("没有找到第三部分「收到和处理政府信息公开申请情况」表格；正文仍可检索")
    warnings.extend(tables.problems)
    return ParsedReport(file_name, text, sha, meta, tables, run_checks(tables.cells, blank_breaks=True), warnings)
