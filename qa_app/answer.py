"""The answer every front end shows: text with [n] markers, the number asked for, and citations.

`qa_app.ask()` returns an `Answer`; the CLI prints `answer.to_json()`, the chat and the HTTP API
render the same object. A citation points at printed lines of a stored report and, for a PDF,
at the page and the box on it (GET /reports/{id}/pages/{page}.png?highlight=… draws them).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("table", "aggregate", "text", "none", "clarify")


@dataclass
class Citation:
    n: int
    report: str              # file name
    agency: str | None
    year: int | None
    section: str             # e.g. 「三、收到和处理政府信息公开申请情况」 or a prose section path
    row: str = ""            # row label as printed (table citations)
    column: str = ""         # column label (table citations)
    quote: str = ""          # the cited line(s) as printed
    lines: list[int] = field(default_factory=lambda: [0, 0])
    value: Any = None        # the cell's value (table citations)
    report_id: int | None = None
    table: str = ""          # template keys (table citations)
    row_key: str = ""
    column_key: str = ""
    checks_failed: int = 0   # the report's failing 勾稽 checks (answers flag them)
    # PDFs: where it is printed. page 1-based, bbox [x0, top, x1, bottom] in PDF points from the
    # page's top left (the first box); boxes: every box, one per cited cell (a sum cites each of
    # its cells) or per cited line of prose: [{"page": p, "bbox": [...]}, ...]
    page: int | None = None
    bbox: list[float] | None = None
    boxes: list[dict] = field(default_factory=list)


@dataclass
class Answer:
    question: str
    answer: str
    kind: str                # one of KINDS
    value: Any = None        # the number asked for, when one number is asked for
    citations: list[Citation] = field(default_factory=list)
    options: list[str] = field(default_factory=list)   # kind "clarify": the bodies to choose from
    notice: str = ""         # e.g. a fallback from the language model, in Chinese
    table: list[dict] = field(default_factory=list)    # rows for a table/chart view (aggregates)
    debug: dict = field(default_factory=dict)           # how the question was understood

    def to_json(self) -> dict:
        d = {"question": self.question, "answer": self.answer, "value": self.value, "kind": self.kind,
             "citations": [asdict(c) for c in self.citations]}
        if self.options:
            d["options"] = self.options
        if self.notice:
            d["notice"] = self.notice
        if self.table:
            d["table"] = self.table
        return d
