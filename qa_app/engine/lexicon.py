"""The question's wording as data: loads qa_app/lexicon.json, validates it, and matches it.

Every cue the engine reacts to (operations, modifiers such as percent / per year / average /
median / rate, follow-up words, yes/no, units, refusal cues, instruction words around a question)
is a record `{"label", "kind", "pattern", "priority", "examples", ...}` in the manner of spaCy's
EntityRuler: `pattern` is a literal phrase (a string) or a list of tokens, each
`{"TEXT": literal}`, `{"REGEX": expression}` or `{"GAP": max}` (up to max characters that are
not punctuation). This module knows no phrase: it compiles the records, answers which labels a
text matches, and picks the operation whose record matches first by priority and whose scope
(number of bodies / years named) fits. It does not decide what an answer says. Every record with
a pattern gives `examples` (questions its pattern matches) and may give `not_examples` (questions
it must not match); tests/test_lexicon_records.py holds each record to them.

Records of kind "cell" are the plain words people use for a template cell (「找不到信息」 for
无法提供 · 本机关不掌握相关政府信息, 「罚了」 for 行政处罚): each names its cell
(`"cell": [table, row, column]`, row or column null when the record names only the other),
optionally a `context` pattern the question must also match, and `examples` (questions that
must find that cell: tests/test_lexicon_cells.py asks each). `rewrite_cells` replaces what they
match by the template's own word for the cell (`as`, else the row's or column's first word in
template.py), so that cells.py reads one vocabulary.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "lexicon.json"
KINDS = ("instruction", "op", "modifier", "refuse", "follow", "scope", "yesno", "unit", "name", "cell")
TOKEN_KEYS = ("TEXT", "REGEX", "GAP")


class LexiconError(ValueError):
    """A lexicon record that cannot be used (said with its label when the file is loaded)."""


@dataclass(frozen=True)
class Record:
    label: str
    kind: str
    priority: int
    regex: re.Pattern | None      # None: matches any text (an op's default)
    data: dict                    # every other field of the record (op, modifier, reason, …)

    def get(self, key: str, default=None):
        return self.data.get(key, default)


@dataclass(frozen=True)
class Hit:
    label: str
    start: int
    end: int
    text: str
    record: Record


def _token(tok) -> str:
    if isinstance(tok, str):
        return re.escape(tok)
    if not isinstance(tok, dict) or len(tok) != 1 or next(iter(tok)) not in TOKEN_KEYS:
        raise LexiconError(f"token {tok!r} is not one of {TOKEN_KEYS}")
    key, val = next(iter(tok.items()))
    if key == "TEXT":
        return re.escape(str(val))
    if key == "GAP":
        return r"[^，。,？?！!；;]{0,%d}" % int(val)
    return f"(?:{val})"


def compile_pattern(pattern) -> re.Pattern | None:
    """A record's pattern (string or token list) as one regular expression; [] is None (any text)."""
    if isinstance(pattern, str):
        if not pattern:
            raise LexiconError("an empty phrase")
        return re.compile(re.escape(pattern), re.IGNORECASE)
    if not isinstance(pattern, list):
        raise LexiconError(f"pattern {pattern!r} is neither a phrase nor a token list")
    if not pattern:
        return None
    try:
        return re.compile("".join(_token(t) for t in pattern), re.IGNORECASE)
    except re.error as e:
        raise LexiconError(f"pattern does not compile: {e}") from e


def _range_ok(spec, n: int) -> bool:
    if spec is None:
        return True
    lo, hi = spec
    return (lo is None or n >= lo) and (hi is None or n <= hi)


class Lexicon:
    def __init__(self, records: list[dict], ops: set[str] | None = None, modifiers: set[str] | None = None):
        self.records: list[Record] = []
        self.by_label: dict[str, Record] = {}
        for i, r in enumerate(records):
            label = r.get("label")
            where = f"lexicon record {i} ({label!r})"
            if not isinstance(label, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", label):
                raise LexiconError(f"{where}: a label is UPPER_SNAKE")
            if label in self.by_label:
                raise LexiconError(f"{where}: the label is used twice")
            if r.get("kind") not in KINDS:
                raise LexiconError(f"{where}: kind {r.get('kind')!r} is not one of {KINDS}")
            if not isinstance(r.get("priority", 0), int):
                raise LexiconError(f"{where}: priority is an integer")
            try:
                rx = compile_pattern(r.get("pattern"))
            except LexiconError as e:
                raise LexiconError(f"{where}: {e}") from None
            if rx is None and r["kind"] != "op":
                raise LexiconError(f"{where}: only an op's default may match any text")
            if r["kind"] == "op" and ops is not None and r.get("op") not in ops:
                raise LexiconError(f"{where}: op {r.get('op')!r} is not in the registry")
            for m in r.get("modifiers", []) + ([r["modifier"]] if "modifier" in r else []):
                if modifiers is not None and m not in modifiers:
                    raise LexiconError(f"{where}: modifier {m!r} is not known")
            if rx is not None and not (isinstance(r.get("examples"), list) and r["examples"]
                                       and all(isinstance(x, str) and x for x in r["examples"])):
                raise LexiconError(f"{where}: a record with a pattern gives examples (questions it matches)")
            if r["kind"] == "refuse" and not (r.get("reason") and r.get("can_ask")):
                raise LexiconError(f"{where}: a refusal says why (reason) and what can be asked (can_ask)")
            for key in ("bodies", "years"):
                spec = r.get(key)
                if spec is not None and not (isinstance(spec, list) and len(spec) == 2):
                    raise LexiconError(f"{where}: {key} is [min, max]")
            if r.get("when") not in (None, "cell"):
                raise LexiconError(f"{where}: when is \"cell\" (only where a table cell is asked) or absent")
            if r["kind"] == "cell":
                _check_cell(where, r)
            unless = compile_pattern(r["unless"]) if r.get("unless") else None
            data = {k: v for k, v in r.items() if k not in ("label", "kind", "priority", "pattern")}
            if unless is not None:
                data["unless_rx"] = unless
            if r.get("context"):
                data["context_rx"] = compile_pattern(r["context"])
            rec = Record(label, r["kind"], int(r.get("priority", 0)), rx, data)
            self.records.append(rec)
            self.by_label[label] = rec
        self.records.sort(key=lambda x: -x.priority)

    # -- matching ----------------------------------------------------------------------
    def regex(self, label: str) -> re.Pattern:
        return self.by_label[label].regex

    def search(self, label: str, text: str):
        """The record's first match in text, or None (also when its `unless` pattern matches)."""
        r = self.by_label[label]
        if r.regex is None or (r.get("unless_rx") is not None and r.get("unless_rx").search(text)):
            return None
        return r.regex.search(text)

    def has(self, label: str, text: str) -> bool:
        return self.search(label, text) is not None

    def of_kind(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]

    def find(self, text: str, kind: str | None = None) -> list[Hit]:
        """Every record of `kind` that matches, one hit per record (its first match), highest
        priority first; overlapping hits are all kept (callers choose by label)."""
        out = []
        for r in self.records:
            if (kind is None or r.kind == kind) and r.regex is not None:
                m = r.regex.search(text)
                if m and m.group(0):
                    out.append(Hit(r.label, m.start(), m.end(), m.group(0), r))
        return out

    def strip(self, text: str, kind: str) -> tuple[str, list[str]]:
        """The text less what records of `kind` match (instruction words), and the pieces taken."""
        taken = []
        for r in self.of_kind(kind):
            m = r.regex.search(text)
            if m and m.group(0) and len(text) - len(m.group(0)) >= 4:
                taken.append(m.group(0))
                text = text[:m.start()] + text[m.end():]
        return text, taken

    def choose_op(self, text: str, n_bodies: int, n_years: int) -> Record:
        """The op record: the first by priority whose pattern matches, whose `unless` does not,
        and whose bodies/years ranges hold the numbers named."""
        for r in self.records:
            if r.kind != "op" or not _range_ok(r.get("bodies"), n_bodies) or not _range_ok(r.get("years"), n_years):
                continue
            if r.regex is not None and not r.regex.search(text):
                continue
            if r.get("unless_rx") is not None and r.get("unless_rx").search(text):
                continue
            return r
        raise LexiconError("the lexicon has no default op")

    def rewrite_cells(self, text: str) -> tuple[str, list[Hit]]:
        """The text with every plain word for a cell (records of kind "cell", highest priority
        first; a record whose `context` does not match is skipped) replaced by the template's
        word for that cell, and the hits (their text as written)."""
        hits = []
        for r in self.of_kind("cell"):
            ctx = r.get("context_rx")
            if ctx is not None and not ctx.search(text):
                continue
            m = r.regex.search(text)
            if m is None or not m.group(0):
                continue
            hits.append(Hit(r.label, m.start(), m.end(), m.group(0), r))
            text = r.regex.sub(lambda _m: r.get("as_word"), text)
        return text, hits

    def unit_of(self, table: str, column: str) -> str:
        """A cell's unit from the unit records (the most specific pattern of cells wins)."""
        for r in self.of_kind("unit"):
            for t, _, c in r.get("cells", []):
                if t in ("*", table) and c in ("*", column):
                    return r.get("unit")
        return "件"


def cell_word(table: str, row: str | None, column: str | None) -> str:
    """The template's first word for a row (else a column): what a plain word is rewritten to."""
    from .. import template as T
    if row == "litigation":
        return "行政诉讼"
    if row is not None:
        rows = T.TABLES[table].rows + (T.PROACTIVE_ROWS_2019 if table == "proactive" else ())
        return next(r.words[0] for r in rows if r.key == row)
    return next(c.words[0] for c in T.TABLES[table].columns if c.key == column)


def _check_cell(where: str, r: dict) -> None:
    """A cell record names a cell of template.py and gives examples; its rewrite word is set."""
    from .. import template as T
    cell = r.get("cell")
    if not (isinstance(cell, list) and len(cell) == 3 and cell[0] in T.TABLES and (cell[1] or cell[2])):
        raise LexiconError(f"{where}: cell is [table, row or null, column or null] of template.py")
    table, row, col = cell
    rows = {x.key for x in T.TABLES[table].rows + (T.PROACTIVE_ROWS_2019 if table == "proactive" else ())}
    if row is not None and row not in rows | ({"litigation"} if table == "review_litigation" else set()):
        raise LexiconError(f"{where}: row {row!r} is not a row of {table}")
    if col is not None and col not in {c.key for c in T.TABLES[table].columns}:
        raise LexiconError(f"{where}: column {col!r} is not a column of {table}")
    if not (isinstance(r.get("examples"), list) and r["examples"]):
        raise LexiconError(f"{where}: a cell record gives examples (questions that find its cell)")
    r["as_word"] = r.get("as") or cell_word(table, row, col)


def read_records(path: Path = PATH) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise LexiconError(f"{path.name}: expected {{\"records\": [...]}}")
    return data["records"]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon of qa_app/lexicon.json, validated against the registry's ops and modifiers."""
    from .plan import Modifier, Op
    return Lexicon(read_records(), {o.value for o in Op}, {m.value for m in Modifier})

