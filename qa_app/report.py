"""One report, parsed: text -> metadata, table cells, checks, warnings. Pure; no I/O.

`parse_report(text, file_name)` is what the indexer stores. Decoding the file into text is
loaders.py's job; storing the result is store.py's.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .checks import CheckResult, run_checks
from .metadata import Meta, read_meta
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


def parse_report(text: str, file_name: str) -> ParsedReport:
    text = normalise_text(text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = text.split("\n")
    folded = fold(text)  # once, for both readers
    meta = read_meta(text, folded)
    tables = read_tables(lines, folded)
    warnings: list[str] = []
    looks_like = ("政府信息公开" in text and ("年度报告" in text.replace(" ", "") or tables.tables_found))
    if not looks_like:
        raise NotAReport("不是政府信息公开工作年度报告（未找到「政府信息公开」年度报告的标题或表格）")
    if meta.agency is None:
        warnings.append("未能从标题或正文识别出发布机关")
    if meta.year is None:
        warnings.append("未能识别报告年度")
    if "applications" not in tables.tables_found:
        warnings.append("没有找到第三部分「收到和处理政府信息公开申请情况」表格；正文仍可检索")
    warnings.extend(tables.problems)
    return ParsedReport(file_name, text, sha, meta, tables, run_checks(tables.cells), warnings)
