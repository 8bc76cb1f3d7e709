"""The query plan: one frozen, typed description of what a question asks, built once and then
only read.

`understand.py` (rules) and `llm/route.py` (the language model) fill a draft (`Query`, a plain
mutable record while the words are read); `QueryPlan.build(draft)` validates it and freezes it.
Nothing rewrites a plan while it runs: an op that needs a variant makes a new plan with
`dataclasses.replace` (validated again). The plan does not read the store and does not know how
an answer is worded (ops/ and compose.py do).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum

from .. import template as T


class Op(str, Enum):
    """Every operation the registry (ops/) holds. Values are the names used in debug output."""
    LOOKUP = "lookup"
    SUM = "sum"
    AVERAGE = "avg"
    MEDIAN = "median"
    MAX = "max"
    MIN = "min"
    RANK = "rank"
    COMPARE = "compare"
    CHANGE = "change"
    TREND = "trend"
    OUTCOMES = "outcomes"
    POSITIVE = "positive"
    ZERO = "zero"
    SHARE = "share"
    SHARE_EACH = "share_each"
    AUDIT = "checks"
    BY_REGION = "by_region"
    LIST_REPORTS = "list_reports"
    PROSE = "prose"


class Modifier(str, Enum):
    """How an op is asked (lexicon records of kind "modifier" name these)."""
    PERCENT = "percent"          # a change in percent (增幅, 增长了百分之多少)
    PER_YEAR = "per_year"        # each year (每年, 历年, 分别)
    TOTAL = "total"              # added up (一共, 两年合计)
    FEWER = "fewer"              # the question asks how many fewer (少了多少)
    AMONG = "among"              # 「其中…」: a part of what was just asked
    RATE = "rate"                # a rate (办结率): not a table cell
    ASCENDING = "ascending"
    LIMIT = "limit"
    THRESHOLD = "threshold"
    INCLUSIVE = "inclusive"
    RECENT_YEARS = "recent_years"


class PlanError(ValueError):
    """A plan that cannot run (said in Chinese by the caller: 暂不支持…)."""


# Ops that read one table cell (or several) of the side store.
CELL_OPS = frozenset(Op) - {Op.PROSE, Op.AUDIT, Op.LIST_REPORTS}


def _tuple(v):
    return tuple(v) if isinstance(v, (list, tuple, set, frozenset)) else v


@dataclass(frozen=True)
class QueryPlan:
    question: str
    op: Op = Op.LOOKUP
    bodies: tuple = ()                 # catalog Body records, in the order named
    years: tuple = ()                  # years asked; () is "the latest of each body"
    regions: tuple = ()                # region words named on their own
    unknown: tuple = ()                # names the index does not hold
    cell: object = None                # cells.CellQuery
    cells: tuple = ()                  # several cells asked at once (cell is the first)
    multi: str = ""                    # what is asked of them: sum / list / apart / diff
    prose: bool = False
    topics: tuple = ()
    wants_number: bool = False
    prose_question: str = ""
    ambiguous: tuple = ()              # bodies to choose from: the answer asks back
    ambiguous_text: str = ""
    limit: int | None = None
    nth: int | None = None             # 「第二名」: the N-th of the ranking
    ascending: bool = False
    threshold: float | None = None
    threshold_inclusive: bool = False
    threshold_below: bool = False      # 「少于5件」: the bodies below the threshold
    inherited: tuple = ()              # what came from the conversation
    said: tuple = ()
    year_words: tuple = ()
    explicit_years: tuple = ()
    anchor_year: int | None = None
    year_note: str = ""
    name_note: str = ""
    scope_note: str = ""               # which body a place stands for, and what it leaves out (scope.place_bodies)
    modifiers: frozenset = frozenset()
    unsupported: str = ""              # label of a refusal record (暂不支持…)
    rate_word: str = ""                # 「办结率」: the rate asked, looked for in the prose
    outside: tuple = ()                # names that lie outside the filter
    needs_context: bool = False        # a bare follow-up with nothing to follow
    conversation_scope: bool = False   # bodies/years taken from the conversation
    dropped: tuple = field(default=())  # instruction words taken off the question
    body_years: tuple = ()             # ((agency, year), ...): a year written for each body
    among: tuple = ()                  # 「各单位一共…，其中信访局多少」: bodies whose part of the sum is asked

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, list):
                object.__setattr__(self, f.name, _tuple(v))
        if not isinstance(self.modifiers, frozenset):
            object.__setattr__(self, "modifiers", frozenset(Modifier(m) for m in self.modifiers))
        try:
            object.__setattr__(self, "op", Op(self.op))
        except ValueError:
            raise PlanError(f"unknown op {self.op!r}") from None
        self.validate()

    @classmethod
    def build(cls, draft) -> "QueryPlan":
        """The frozen plan of a draft (understand.Query): every field of the same name."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: getattr(draft, k) for k in names if hasattr(draft, k)})

    def validate(self) -> None:
        c = self.cell
        if c is not None:
            if c.table not in T.TABLES:
                raise PlanError(f"table {c.table!r} is not in the template")
            if c.row != "litigation" and c.row not in {r.key for r in T.TABLES[c.table].rows} \
                    and c.table != "proactive":
                raise PlanError(f"row {c.row!r} is not a row of {c.table}")
        if self.years and not all(isinstance(y, int) for y in self.years):
            raise PlanError("years are integers")
        if self.limit is not None and self.limit < 1:
            raise PlanError("limit is at least 1")

    @property
    def is_cell_op(self) -> bool:
        return self.op in CELL_OPS and self.cell is not None and not self.prose

    def has(self, m: Modifier) -> bool:
        return m in self.modifiers

    def describe(self) -> dict:
        """For debugging and the answer's notes: what was understood, in plain values."""
        out = {"op": self.op.value, "bodies": [b.agency for b in self.bodies], "years": list(self.years),
               "regions": list(self.regions), "unknown": list(self.unknown), "prose": self.prose,
               "topics": list(self.topics),
               "cell": None if self.cell is None else {"table": self.cell.table, "row": self.cell.row,
                                                       "column": self.cell.column},
               "inherited": list(self.inherited)}
        if self.cells:
            out["cells"] = [{"table": c.table, "row": c.row, "column": c.column} for c in self.cells]
            out["multi"] = self.multi
        if self.year_words:
            out["relative_years"] = dict(self.year_words)
        if self.modifiers:
            out["modifiers"] = sorted(m.value for m in self.modifiers)
        for k in ("unsupported", "rate_word", "outside", "dropped", "scope_note"):
            if getattr(self, k):
                out[k] = getattr(self, k) if isinstance(getattr(self, k), str) else list(getattr(self, k))
        return out
