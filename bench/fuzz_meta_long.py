"""The long run of the metadata fuzzer: many more examples than the test run, failures counted by
family (body kind, title form, where the body and year come from).

    PYTHONPATH=. .venv/bin/python -m bench.fuzz_meta_long [EXAMPLES] [SEED]

Uses tests/fuzz_meta.py's renderer and checks what tests/test_meta_fuzz.py checks (body, year,
province/prefecture/county/code, the written name kept as an alias). Prints one line per failing
family with an example, then the totals and the reading rate. It changes nothing.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from fuzz_meta import MIDDLE, front_matters, render  # noqa: E402
from qa_app.loaders import html_to_text  # noqa: E402
from qa_app.metadata import read_meta  # noqa: E402
from qa_app.report import normalise_text  # noqa: E402


def main(n: int = 5000, rng_seed: int = 1) -> int:
    fails: Counter = Counter()
    seen: Counter = Counter()
    example: dict = {}
    spent = [0.0]

    @seed(rng_seed)
    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(front_matters())
    def run(f):
        raw, kind = render(f, MIDDLE)
        text = normalise_text(html_to_text(raw) if kind == "html" else raw)
        t0 = time.perf_counter()
        m = read_meta(text)
        spent[0] += time.perf_counter() - t0
        b = f.body
        family = (b.kind, f.title, f.body_from, f.year_from)
        seen[family] += 1
        got = (m.agency, m.year, m.province, m.prefecture, m.county, m.region_code)
        want = (b.name, f.year, b.province, b.prefecture, b.county, b.code)
        if got != want or (b.alias and b.alias != b.name and b.alias not in m.aliases):
            fails[family] += 1
            example.setdefault(family, (got, want))

    run()
    total = sum(seen.values())
    for fam, k in fails.most_common():
        print(f"FAIL {k} {fam}: got {example[fam][0]} want {example[fam][1]}")
    print(f"examples {total}, families {len(seen)}, failed {sum(fails.values())}; "
          f"read_meta {spent[0] / max(total, 1) * 1000:.2f} ms per report")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
