"""Census of the reading-order families: cells right / flagged / silently misplaced / lost.

`python bench/bench_reading_orders.py [N] [--families a,b] [--json OUT]` draws N random reports
per family (values under which the template's identities hold, and the real reports' truth
values), renders each (tests/fuzz_poppler.py: reportlab PDF -> pdftotext plain / -layout, and
the plain reading orders without poppler; tests/fuzz_word.py: Word-exported HTML), reads it back
through loaders.load + report.parse_report and counts every printed cell as
- right: read exactly (blanks as null);
- flagged: wrong or not read, but its row is marked uncertain or named missing;
- misplaced: read with a wrong value and not marked (a silent misreading);
- lost: not read and not said.
Fixed seed (hypothesis derandomize): a rerun gives the same counts. It changes nothing in the
product; it measures it (run it against another checkout with PYTHONPATH to compare).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT / "tests",):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_layouts as F  # noqa: E402
import fuzz_poppler as P  # noqa: E402
import fuzz_word as W  # noqa: E402

FAMILIES = ("pdftotext_plain", "pdftotext_layout", "plain_order", "word_html")
# also: pdftotext_tight (cell padding under 2 pt: pdftotext merges a column's cells and its header)


def _pool() -> list:
    for shared in (ROOT.parent / "shared", Path("/work/shared")):
        truth = shared / "realworld" / "truth"
        if truth.is_dir():
            return [v for v in (F.truth_values(p) for p in sorted(truth.glob("*.json"))) if v is not None]
    return []


def count(v: F.Values, parsed, stats: Counter) -> None:
    got = {(c.table, c.row, c.column): c for c in parsed.tables.cells if not c.derived}
    missing = {(t, r) for t, rows in parsed.tables.missing.items() for r in rows}
    for k, want in v.cells.items():
        c = got.get(k)
        if c is not None and (c.value == want if want is None or c.value is None
                              else abs(float(c.value) - float(want)) < 1e-9):
            stats["right"] += 1
        elif c is not None and c.uncertain:
            stats["flagged"] += 1
        elif c is None and ((k[0], k[1]) in missing or (k[0], "*") in missing):
            stats["flagged"] += 1
        elif c is None:
            stats["lost"] += 1
        else:
            stats["misplaced"] += 1


def _read_bytes(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / ("report" + suffix)
        path.write_bytes(data)
        return F.read(path)


def run(family: str, n: int, pool: list) -> Counter:
    stats: Counter = Counter()
    values = st.one_of(F.consistent_values(), st.sampled_from(pool)) if pool else F.consistent_values()
    quirks = {"pdftotext_plain": P.pquirks(layout=False), "pdftotext_layout": P.pquirks(layout=True),
              "pdftotext_tight": P.pquirks(layout=False, pads=(0.5, 1)),
              "plain_order": P.oquirks(), "word_html": W.wquirks()}[family]

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[p for p in settings.default.phases
                                                               if p.name in ("explicit", "generate")])
    @given(values, quirks)
    def one(v, q):
        cells = dict(v.cells)
        for k in q.blanks:
            cells[k] = None
        v = F.Values(cells)
        try:
            if family.startswith("pdftotext"):
                with tempfile.TemporaryDirectory() as d:
                    parsed = F.read(P.render(v, q, Path(d)))
            elif family == "plain_order":
                parsed = _read_bytes(P.plain_order(v, q).encode("utf-8"), ".txt")
            else:
                parsed = _read_bytes(W.word_html(v, q), ".html")
        except Exception as e:  # counted, never raised: this is a census
            stats["error"] += 1
            stats["lost"] += len(v.cells)
            print(family, "error", type(e).__name__, e, file=sys.stderr)
            return
        stats["reports"] += 1
        before, wrong = stats["right"], stats["misplaced"]
        count(v, parsed, stats)
        if stats["right"] - before == len(v.cells):
            stats["reports_exact"] += 1
        if stats["misplaced"] > wrong and stats["shown"] < 3:  # the first few silent misreadings, to look at
            stats["shown"] += 1
            print(f"{family}: {stats['misplaced'] - wrong} cells misplaced; quirks {q}; problems {parsed.tables.problems[:3]}",
                  file=sys.stderr)
    one()
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=60)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--json", default="")
    a = ap.parse_args(argv)
    pool = _pool()
    out = {}
    for fam in a.families.split(","):
        if fam.startswith("pdftotext") and not P.HAVE_PDFTOTEXT:
            print(f"{fam}: no pdftotext, skipped")
            continue
        s = run(fam, a.n, pool)
        s.pop("shown", None)
        out[fam] = dict(s)
        cells = s["right"] + s["flagged"] + s["misplaced"] + s["lost"]
        print(f"{fam:17s} reports exact {s['reports_exact']}/{a.n}  cells right {s['right']}/{cells}  "
              f"flagged {s['flagged']}  misplaced {s['misplaced']}  lost {s['lost']}  errors {s['error']}", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
