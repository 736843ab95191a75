"""The guard measured on a corpus in both directions (issues 8 and 18): item and measure titles
that must be refused, and ordinary items and measures of real catalogues, Chinese and English,
that must stay publishable.

The corpus is in `guard_corpus/`, in parts. The development part was looked at while choosing
the terms. A held-out part was written before the terms it measures and was never looked at
to choose them: a term added to make a held-out item pass would make its figure meaningless.
So each held-out part is measured once, after the terms are fixed, and only its counts are
printed (`pytest -s tests/unit/catalogue/test_prohibited_corpus.py`).

- `held_out` (issue 8): 39/44 prohibited refused (88.6 %), 0/55 ordinary refused when
  measured; 43/44 and 0/55 after issue 18's third to fifth passes (no longer clean: its misses
  were published).
- `held_out_2` (issue 18), measured once on 2026-12-03: 128/166 prohibited refused (77.1 %),
  1/123 ordinary refused (0.8 %); 153/166 and 3/123 after the third to fifth passes (no longer
  clean either). Two earlier held-out parts of issue 18 (66.0 % and 39.8 % refused, 1.3 % and
  3.1 % ordinary refused) joined the development part.
- held-out set 3 (`held_out_3.txt`, issue 18, below), written before the third pass and
  measured once after the fifth (commit `c8bf571`): 224/224 prohibited items and measures
  refused, 11/196 ordinary ones refused (5.6 %); the same engineer wrote it and the terms, so
  the README explains why the 100 % overstates.
- measures `held_out` (SPEC §10.5): 16/16 refused, 0/20 ordinary refused.
- development (five parts by now): 736/742 refused, 16/670 ordinary refused; measures 102/102
  and 0/101.

The held-out items missed are paraphrases that use none of the terms ("Keeps late hours",
热爱社会主义祖国, "Organised an unapproved gathering"; the README lists more): what a word
list cannot catch and a human review must. The counts are held below as bounds, so that a
change of terms that refuses fewer prohibited or more ordinary entries in any part fails here;
a change that does better updates them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.catalogue.prohibited import (
    find_prohibited_ground,
    find_prohibited_in_measure,
    normalized,
)

CORPUS_DIRECTORY = Path(__file__).parent / "guard_corpus"
# (corpus, part): (prohibited refused at least, ordinary refused at most), as measured.
MEASURED = {
    ("items", "development"): (736, 16),
    ("items", "held_out"): (43, 0),
    ("items", "held_out_2"): (153, 3),
    ("measures", "development"): (102, 0),
    ("measures", "held_out"): (16, 0),
}
FILE_PREFIX = {"items": "", "measures": "measures_"}
FINDERS = {"items": find_prohibited_ground, "measures": find_prohibited_in_measure}
# Issue 18: a held-out part of at least this many new entries of each kind means something.
LEAST_HELD_OUT_ITEMS = 120


def corpus(kind: str, part: str, of: str = "items") -> list[str]:
    path = CORPUS_DIRECTORY / f"{FILE_PREFIX[of]}{kind}_{part}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def refused(entries: list[str], of: str = "items") -> list[str]:
    return [entry for entry in entries if FINDERS[of](entry) is not None]


def test_the_corpus_is_large_varied_and_in_both_languages() -> None:
    for of, part in MEASURED:
        for kind in ("prohibited", "ordinary"):
            entries = corpus(kind, part, of)
            chinese = [entry for entry in entries if not entry.isascii()]
            assert 0 < len(chinese) < len(entries), (of, kind, part)
    for kind in ("prohibited", "ordinary"):
        assert len(corpus(kind, "held_out_2")) >= LEAST_HELD_OUT_ITEMS, kind
        every = [entry for of, part in MEASURED for entry in corpus(kind, part, of)]
        assert len(set(every)) == len(every), f"a {kind} entry is listed twice"


@pytest.mark.parametrize(("of", "part"), list(MEASURED))
def test_refusal_rates_hold_the_measured_figures(
    of: str, part: str, record_property: pytest.RecordProperty
) -> None:
    prohibited, ordinary = corpus("prohibited", part, of), corpus("ordinary", part, of)
    prohibited_refused = len(refused(prohibited, of))
    ordinary_refused = len(refused(ordinary, of))
    figures = (
        f"{of} {part}: prohibited refused {prohibited_refused}/{len(prohibited)} "
        f"= {prohibited_refused / len(prohibited):.1%}, ordinary refused "
        f"{ordinary_refused}/{len(ordinary)} = {ordinary_refused / len(ordinary):.1%}"
    )
    print(figures)
    record_property(f"{of}_{part}", figures)
    least_prohibited, most_ordinary = MEASURED[(of, part)]
    assert prohibited_refused >= least_prohibited, figures
    assert ordinary_refused <= most_ordinary, figures


# Held-out set 3 (issue 18): `of | kind | ground | code | title` a line, written before the third
# pass of terms and measured once after the fifth (`python bench/guard.py --held-out FILE`).
HELD_OUT_3 = CORPUS_DIRECTORY / "held_out_3.txt"
# As measured at commit c8bf571: prohibited items and measures refused, ordinary ones refused.
HELD_OUT_3_MEASURED = (224, 11)
HELD_OUT_3_GROUNDS = {
    "informing",
    "attitude",
    "lifestyle",
    "grid",
    "petition",
    "assembly",
    "media",
    "opinion",
    "speech",
    "religion",
    "ethnicity",
    "membership",
    "health",
    "relationships",
    "others_scores",
    "movements",
    "relatives",
}


def held_out_3() -> list[tuple[str, ...]]:
    lines = HELD_OUT_3.read_text(encoding="utf-8").splitlines()
    return [tuple(f.strip() for f in line.split(" | ")) for line in lines if line[:1] not in "#"]


def test_held_out_3_covers_every_ground_in_both_languages_with_codes() -> None:
    entries = held_out_3()
    assert all(len(entry) == 5 and entry[3] and entry[4] for entry in entries)
    for kind in ("prohibited", "ordinary"):
        items = [entry for entry in entries if entry[:2] == ("item", kind)]
        assert len(items) >= 150, kind
        assert 0 < sum(entry[4].isascii() for entry in items) < len(items), kind
    prohibited_grounds = {entry[2] for entry in entries if entry[1] == "prohibited"}
    assert prohibited_grounds == HELD_OUT_3_GROUNDS
    older = {
        entry
        for of, part in MEASURED
        for k in ("prohibited", "ordinary")
        for entry in corpus(k, part, of)
    }
    assert not older & {entry[4] for entry in entries}, "held-out set 3 repeats an older entry"


def test_held_out_3_holds_its_measured_figures() -> None:
    prohibited_refused = ordinary_refused = 0
    for of, kind, _ground, code, title in held_out_3():
        found = (find_prohibited_ground if of == "item" else find_prohibited_in_measure)(
            code, title
        )
        if kind == "prohibited":
            prohibited_refused += found is not None
        else:
            ordinary_refused += found is not None
    least_prohibited, most_ordinary = HELD_OUT_3_MEASURED
    assert prohibited_refused >= least_prohibited
    assert ordinary_refused <= most_ordinary


def test_every_refusal_in_the_corpus_names_a_ground_and_a_term_of_the_entry() -> None:
    for of, part in MEASURED:
        for entry in refused(corpus("prohibited", part, of), of):
            found = FINDERS[of](entry)
            assert found.ground.name and found.term in normalized(entry), entry
