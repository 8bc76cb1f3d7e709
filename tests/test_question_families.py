"""The question families of issue 14, asked in-process through qa_app.ask and judged.

- tests/data/questions_families.jsonl: over the index test_ask.py uses (the five seeds plus the
  three edited reports of tests/ask_corpus.py).
- tests/data/questions_realworld.jsonl: over that corpus plus the six reports in
  ../shared/realworld (skipped when the folder is absent). Its tests are named
  `test_realworld_question`: run them alone with `-k realworld`, leave them out with
  `-k "not realworld"`.

Each question carries its expected answer, written by hand from seeds_truth.json, the seed
texts and ../shared/realworld/truth/*.json (never read back from the engine); tests/data/QUESTIONS.md
describes every family and the behaviour it asks for. A question is judged by
qa_app.engine.evaluate.judge (the shared scorer's rules) and, beyond it:
- `refuse`: every string of `all` and one of `any` is in the answer too (judge() checks only
  that it refused), so 「暂不支持」 and 「…不在筛选范围」 are told from 「库中没有」;
- `table` / `aggregate` / `text`: the question is answered (kind is not none or clarify);
- `blank`: no value; `absent`: none of these strings is in the answer, nor 「None」;
- `filters` is passed to ask() as the chat's sidebar would.

`python tests/test_question_families.py` builds both indexes in a temporary folder and prints
the pass count per family (the baseline in QUESTIONS.md).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ask_corpus import build_index, write_corpus  # noqa: E402
from qa_app import ask  # noqa: E402
from qa_app.engine.evaluate import judge  # noqa: E402
from qa_app.settings import Settings  # noqa: E402

DATA = Path(__file__).parent / "data"
REAL = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "realworld",
                         Path("/work/shared/realworld")) if (p / "truth").is_dir()), None)
REAL_SUFFIXES = {".pdf", ".md", ".html", ".htm", ".txt", ".docx"}
KINDS = {"table", "aggregate", "text", "refuse", "clarify"}
ANSWERED = {"table", "aggregate", "text"}


def load(name: str) -> list[dict]:
    return [json.loads(l) for l in (DATA / name).read_text(encoding="utf-8").splitlines() if l.strip()]


SEED_QS = load("questions_families.jsonl")
REAL_QS = load("questions_realworld.jsonl")


def problems(g: dict, a) -> list[str]:
    """Why an answer (qa_app Answer) is not the expected one; [] when it is."""
    if isinstance(a, Exception):
        return [f"error {type(a).__name__}: {a}"]
    ok, why = judge(g, a.to_json())
    out = [] if ok else [why]
    text = a.answer or ""
    if g["kind"] == "refuse":
        missing = [s for s in g.get("all", []) if s not in text]
        if missing:
            out.append(f"not all of {missing} in answer")
        if "any" in g and not any(s in text for s in g["any"]):
            out.append(f"none of {g['any']} in answer")
    elif g["kind"] in ANSWERED and a.kind in ("none", "clarify"):
        out.append(f"not answered (kind {a.kind!r})")
    if g.get("blank") and a.value is not None:
        out.append(f"value {a.value!r} for a blank cell")
    for s in g.get("absent", []) + ["None"]:
        if s in text:
            out.append(f"{s!r} in answer")
    return out


def ask_all(questions: list[dict], settings: Settings) -> dict:
    out = {}
    for g in questions:
        try:
            out[g["id"]] = ask(g["q"], g.get("history"), settings=settings, filters=g.get("filters"))
        except Exception as e:  # a crash is a miss of this question, not of the whole set
            out[g["id"]] = e
    return out


def family_counts(questions: list[dict], answers: dict) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for g in questions:
        c = counts.setdefault(g["family"], [0, 0])
        c[1] += 1
        c[0] += not problems(g, answers[g["id"]])
    return counts


def format_counts(title: str, counts: dict[str, list[int]]) -> str:
    right, total = sum(v[0] for v in counts.values()), sum(v[1] for v in counts.values())
    lines = [f"{title}: {right}/{total}"]
    lines += [f"  {fam:<26} {r:>3}/{n:<3}" for fam, (r, n) in sorted(counts.items())]
    return "\n".join(lines)


def realworld_files(folder: Path) -> Path:
    """The corpus of test_ask.py plus the real reports, in one folder."""
    write_corpus(folder)
    for f in sorted(REAL.iterdir()):
        if f.is_file() and f.suffix.lower() in REAL_SUFFIXES and f.name != "README.md":
            shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def seed_answers(corpus_settings):
    return ask_all(SEED_QS, corpus_settings)


@pytest.fixture(scope="module")
def real_answers(tmp_path_factory):
    if REAL is None:
        pytest.skip("../shared/realworld is not on this machine")
    files = realworld_files(tmp_path_factory.mktemp("family_real_reports"))
    settings = Settings.load(index=build_index(files, tmp_path_factory.mktemp("family_real_index")))
    return ask_all(REAL_QS, settings)


@pytest.mark.parametrize("questions", [SEED_QS, REAL_QS], ids=["seeds", "realworld"])
def test_the_sets_are_well_formed(questions):
    ids = [g["id"] for g in questions]
    assert len(ids) == len(set(ids))
    fams = Counter(g["family"] for g in questions)
    assert all(n >= 1 for n in fams.values())
    for g in questions:
        assert g["kind"] in KINDS and g["q"].strip(), g
        assert set(g) <= {"id", "family", "kind", "q", "value", "all", "any", "source", "history", "filters",
                          "absent", "blank"}, g
        if g["kind"] in ANSWERED:
            assert g.get("source"), g  # every answer cites a report
        if g["kind"] in ("refuse", "clarify"):
            assert "value" not in g and (g.get("all") or g.get("any")), g


def test_the_family_set_is_big_and_covers_the_issue():
    assert len(SEED_QS) >= 220
    fams = Counter(g["family"] for g in SEED_QS)
    for fam in ("typo_body", "typo_place", "variant_spelling", "short_form", "unsupported_rate", "median",
                "average", "growth_percent", "multi_year_total", "qizhong_after_total", "compare_diff_years",
                "shaole_duoshao", "conv_new_body_no_year", "conv_bare_followup_fresh", "filter_outside",
                "prose_ambiguous_body", "instruction_prefix", "wording"):
        assert fams[fam] >= 5, fam
    assert sum(1 for g in SEED_QS if g.get("history")) >= 20
    assert sum(1 for g in SEED_QS if g.get("filters")) >= 10


# questions the engine does not answer right yet: each is expected to fail (strict: one that
# starts passing fails the run until it is taken off the list), so the list only shrinks
OPEN = {line.strip() for line in (Path(__file__).parent / "data" / "questions_families_open.txt")
        .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}


def _params(qs):
    return [pytest.param(g, id=f"{g['id']}-{g['family']}",
                         marks=[pytest.mark.xfail(strict=True, reason="尚未答对（issue 14）")] if g["id"] in OPEN else [])
            for g in qs]


@pytest.mark.parametrize("g", _params(SEED_QS))
def test_family_question(g, seed_answers):
    a = seed_answers[g["id"]]
    assert not problems(g, a), f"{g['q']} -> {getattr(a, 'answer', a)}: {problems(g, a)}"


@pytest.mark.parametrize("g", _params(REAL_QS))
def test_realworld_question(g, real_answers):
    a = real_answers[g["id"]]
    assert not problems(g, a), f"{g['q']} -> {getattr(a, 'answer', a)}: {problems(g, a)}"


def test_family_counts_printed(seed_answers, capsys):
    counts = family_counts(SEED_QS, seed_answers)
    with capsys.disabled():
        print("\n" + format_counts("question families (seeds)", counts))
    assert sum(n for _, n in counts.values()) == len(SEED_QS)


def test_realworld_family_counts_printed(real_answers, capsys):
    counts = family_counts(REAL_QS, real_answers)
    with capsys.disabled():
        print("\n" + format_counts("question families (realworld)", counts))
    assert sum(n for _, n in counts.values()) == len(REAL_QS)


def main() -> None:
    """Build both indexes in a temporary folder and print the pass count per family."""
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        s = Settings.load(index=build_index(write_corpus(t / "seeds"), t / "seeds_index"))
        ans = ask_all(SEED_QS, s)
        print(format_counts("question families (seeds)", family_counts(SEED_QS, ans)))
        if "-v" in sys.argv:
            for g in SEED_QS:
                if problems(g, ans[g["id"]]):
                    print("  MISS", g["id"], g["family"], g["q"], "->", getattr(ans[g["id"]], "answer", ans[g["id"]])[:160])
        if REAL is not None:
            s = Settings.load(index=build_index(realworld_files(t / "real"), t / "real_index"))
            ans = ask_all(REAL_QS, s)
            print(format_counts("question families (realworld)", family_counts(REAL_QS, ans)))
            if "-v" in sys.argv:
                for g in REAL_QS:
                    if problems(g, ans[g["id"]]):
                        print("  MISS", g["id"], g["family"], g["q"], "->", getattr(ans[g["id"]], "answer", ans[g["id"]])[:160])


if __name__ == "__main__":
    main()
