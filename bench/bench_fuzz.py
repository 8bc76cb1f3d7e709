"""The layout fuzzer's long run: many more examples than tests/test_layout_fuzz.py, counted per
layout family and per quirk, written to docs/fuzz.md.

`python bench/bench_fuzz.py [N_PER_FAMILY] [--pdf N] [--out docs/fuzz.md]` draws N random
reports per family (values consistent with the template's identities, and the seeds' and real
reports' values), renders each with random quirks (tests/fuzz_layouts.py), reads it back through
loaders.load + report.parse_report and counts the reports whose every cell came back exactly.
Failures are listed with their quirks (the first few per family). Fixed seed: a rerun gives the
same counts. It does not change anything in the product.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_layouts as F  # noqa: E402


def _values_pool() -> list:
    seeds = json.loads((ROOT / "tests" / "data" / "seeds_truth.json").read_text(encoding="utf-8"))
    pool = [v for v in (F.values_from_truth(t) for t in seeds.values()) if v is not None]
    for shared in (ROOT.parent / "shared", Path("/work/shared")):
        truth = shared / "realworld" / "truth"
        if truth.is_dir():
            pool += [v for v in (F.truth_values(p) for p in sorted(truth.glob("*.json"))) if v is not None]
            break
    return pool


def _quirk_tags(q: F.Quirks) -> list[str]:
    tags = []
    if q.wrap:
        tags.append("label wraps")
    if q.push:
        tags.append("numbers pushed down")
    if q.blanks:
        tags.append(f"blanks as 「{q.blank_word or '空'}」")
    if q.footer >= 0:
        tags.append("page marker inside")
    if q.unit:
        tags.append(f"units {q.unit}")
    if q.fullwidth:
        tags.append("full-width digits")
    if q.review_split:
        tags.append("section 四 split")
    if q.split_table >= 0:
        tags.append("section 三 split")
    if not q.groups:
        tags.append("no group labels")
    if q.review_totals_only:
        tags.append("section 四 only its 总计 cells")
    if q.label_split:
        tags.append("label split over two cells")
    if q.review_transposed:
        tags.append("section 四 transposed")
    if q.column_order:
        tags.append("section 三 columns reordered")
    if q.blank_row:
        tags.append("a whole row blank")
    if q.fee_unit:
        tags.append("fee amount with 万元")
    return tags


def run_family(layout: str, n: int, pool: list, stats: dict, fails: dict) -> None:
    values = st.one_of(F.consistent_values(), st.sampled_from(pool)) if pool else F.consistent_values()
    base = "pdf_text" if layout == "pdf" else layout

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[p for p in settings.default.phases
                                                               if p.name in ("explicit", "generate")])
    @given(values, F.quirks(layouts=(base,)))
    def one(v, q):
        if layout == "pdf":
            q.layout, q.fullwidth, q.footer = "pdf", False, -1
        v = F.apply_blanks(v, q)
        with tempfile.TemporaryDirectory() as d:
            try:
                parsed = F.read(F.render(v, q, Path(d)))
                wrong = F.diff(v, parsed)
                if parsed.tables.missing:
                    wrong["missing"] = parsed.tables.missing
            except Exception as e:  # counted, never raised: this is a census
                wrong = {"error": f"{type(e).__name__}: {e}"}
        stats[layout]["n"] += 1
        stats[layout]["ok" if not wrong else "fail"] += 1
        for tag in _quirk_tags(q):
            stats["quirk:" + tag]["n"] += 1
            stats["quirk:" + tag]["ok" if not wrong else "fail"] += 1
        if wrong and len(fails[layout]) < 3:
            fails[layout].append((q, sorted(wrong.items(), key=str)[:3]))
    one()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=150, help="examples per layout family")
    ap.add_argument("--pdf", type=int, default=40, help="examples of real PDF files (slower)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "fuzz.md"))
    a = ap.parse_args(argv)
    pool = _values_pool()
    stats: dict = defaultdict(Counter)
    fails: dict = defaultdict(list)
    t0 = time.time()
    for layout in F.LAYOUTS + ("pdf",):
        run_family(layout, a.pdf if layout == "pdf" else a.n, pool, stats, fails)
        s = stats[layout]
        print(f"{layout:12s} {s['ok']}/{s['n']}", flush=True)
    took = time.time() - t0
    total = sum(stats[x]["n"] for x in F.LAYOUTS + ("pdf",))
    ok = sum(stats[x]["ok"] for x in F.LAYOUTS + ("pdf",))
    lines = ["# Layout fuzzer: long run", "",
             "Written by `bench/bench_fuzz.py` (renderers in `tests/fuzz_layouts.py`; the test run with a few",
             "hundred examples is `tests/test_layout_fuzz.py`). Each example: random cell values (consistent with",
             "the template's identities, or the seeds' and real reports' truth values), rendered as one layout",
             "family with random quirks, read back through `loaders.load` + `report.parse_report`; it counts as",
             "right only when every printed cell comes back exactly (blanks as null) and no row is reported",
             "missing. Fixed seed (hypothesis derandomize): a rerun gives the same counts.", "",
             f"Total: **{ok}/{total}** reports read exactly, in {took:.0f} s on this machine.", "",
             "| family | right / examples |", "|---|---|"]
    for layout in F.LAYOUTS + ("pdf",):
        s = stats[layout]
        lines.append(f"| {layout} | {s['ok']}/{s['n']} |")
    lines += ["", "By quirk (over all families where the quirk was drawn):", "", "| quirk | right / examples |", "|---|---|"]
    for key in sorted(k for k in stats if k.startswith("quirk:")):
        s = stats[key]
        lines.append(f"| {key[6:]} | {s['ok']}/{s['n']} |")
    if any(fails.values()):
        lines += ["", "First failures per family:", ""]
        for layout, fs in fails.items():
            for q, wrong in fs:
                lines.append(f"- {layout}: {_quirk_tags(q)} seed={q.seed}: {wrong}")
    Path(a.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"total {ok}/{total} in {took:.0f} s -> {a.out}")
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
