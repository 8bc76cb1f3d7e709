"""Census of the scraped-page and template families: cells right / flagged / misplaced / lost.

`python bench/bench_scraped.py [N] [--families a,b] [--json OUT]` draws N random reports per
family (tests/fuzz_layouts.py: values under which the template's identities hold, the seeds' and
real reports' truth values, blanks), renders each, reads it back through loaders.load +
report.parse_report and counts every printed cell as
- right: read exactly (blanks as null);
- flagged: wrong or not read, but its row is marked uncertain or named missing;
- misplaced: read with a wrong value and not marked (a silent misreading);
- lost: not read and not said.
Families: scraped_rows / scraped_spans / scraped_inline / scraped_paras (a web page's tables
flattened by a crawler, docs/tables.md), t2019 (the 2019 template), t2019_s3_2021 (its section
二 over the 2021 section 三), t2019_head_only (the 2019 columns only under 第二十条第（一）项),
review_head (section 四's header words broken over lines by pdftotext). Fixed seed (hypothesis
derandomize): a rerun gives the same counts. It measures the product and changes nothing (run
it against another checkout with PYTHONPATH to compare).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_layouts as F  # noqa: E402
from bench.bench_reading_orders import count  # noqa: E402  (right / flagged / misplaced / lost per cell)

LINES = ("pdf_text", "tabs", "pipes", "cells_nosep")


def _pool() -> list:
    for shared in (ROOT.parent / "shared", Path("/work/shared")):
        truth = shared / "realworld" / "truth"
        if truth.is_dir():
            return [v for v in (F.values_from_truth(json.loads(p.read_text(encoding="utf-8")), ("2019", "2021"))
                                for p in sorted(truth.glob("*.json"))) if v is not None]
    return []


@st.composite
def _review_head(draw):
    q = draw(F.quirks(layouts=("pdf_text",)))
    q.review_split = q.review_transposed = False
    q.extra["review_head"] = draw(st.sampled_from(["split", "vertical"]))
    return q


def _line_2019(q):
    q.review_transposed = False
    return q


def strategies(family: str, pool: list):
    if family in F.SCRAPED:
        vals = st.one_of(F.consistent_values(), st.sampled_from(pool)) if pool else F.consistent_values()
        return vals, F.scraped_quirks(layouts=(family,))
    fmts = {"t2019": ("2019", "2019"), "t2019_s3_2021": ("2019", "2021"), "t2019_head_only": ("2019+2021", "2021")}
    if family in fmts:
        return F.consistent_values(*fmts[family]), st.one_of(F.scraped_quirks(),
                                                              F.quirks(layouts=LINES).map(_line_2019))
    if family == "review_head":
        return F.consistent_values(), _review_head()
    raise SystemExit(f"unknown family {family}")


FAMILIES = F.SCRAPED + ("t2019", "t2019_s3_2021", "t2019_head_only", "review_head")


def run(family: str, n: int, pool: list) -> Counter:
    stats: Counter = Counter()
    vals, quirks = strategies(family, pool)

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(vals, quirks)
    def one(v, q):
        v = F.apply_blanks(v, q)
        with tempfile.TemporaryDirectory() as d:
            parsed = F.read(F.render(v, q, Path(d)))
        before = stats["right"]
        count(v, parsed, stats)
        stats["reports"] += 1
        stats["exact"] += int(stats["right"] - before == len(v.cells) and not parsed.tables.missing)
    one()
    return stats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--json")
    a = ap.parse_args()
    pool = _pool()
    out = {}
    print("| family | exact reports | right / flagged / misplaced / lost |\n|---|---|---|")
    for fam in a.families.split(","):
        s = run(fam, a.n, pool)
        out[fam] = dict(s)
        print(f"| {fam} | {s['exact']}/{s['reports']} | {s['right']} / {s['flagged']} / {s['misplaced']} / {s['lost']} |",
              flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
