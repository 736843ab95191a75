"""The guard measured on a corpus in both directions (issue 8): item titles that must be
refused, and ordinary items of real city catalogues, Chinese and English, that must stay
publishable. Aim: at least 90 % of the prohibited refused, at most 10 % of the ordinary.

The corpus is in `guard_corpus/`, in two parts. The development part was written after the
terms and looked at while checking them. The held-out part was written once the terms were
fixed and was not used to choose them: a term added to make a held-out item pass would make
its figure meaningless, so the rates of both parts are printed apart, and measured on
2026-11-25 (`pytest -s tests/unit/catalogue/test_prohibited_corpus.py`): development 43/43
refused, 0/88 ordinary refused; held-out 39/44 refused, 0/55 ordinary refused. The held-out
items missed: 接受境外记者采访 (an interview with foreign reporters), 计划外生育第二胎 (an
unplanned second birth), "Shared a post mocking local officials", "Living with a partner
outside marriage", "Stayed in hotels in three provinces in one month": paraphrases that use
none of the terms, which is what a word list cannot catch and a human review must.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.catalogue.prohibited import find_prohibited_ground

CORPUS_DIRECTORY = Path(__file__).parent / "guard_corpus"
PARTS = ("development", "held_out")
PROHIBITED_REFUSED_AT_LEAST = 0.90
ORDINARY_REFUSED_AT_MOST = 0.10


def corpus(kind: str, part: str) -> list[str]:
    lines = (CORPUS_DIRECTORY / f"{kind}_{part}.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def refused(items: list[str]) -> list[str]:
    return [item for item in items if find_prohibited_ground(item) is not None]


def test_the_corpus_is_large_varied_and_in_both_languages() -> None:
    for kind, least in (("prohibited", 60), ("ordinary", 100)):
        items = [item for part in PARTS for item in corpus(kind, part)]
        assert len(items) >= least, kind
        assert len(set(items)) == len(items), "an item is listed twice"
        for part in PARTS:
            chinese = [item for item in corpus(kind, part) if not item.isascii()]
            assert 0 < len(chinese) < len(corpus(kind, part)), (kind, part)


def test_refusal_rates_on_the_corpus(record_property: pytest.RecordProperty) -> None:
    totals = {"prohibited": [0, 0], "ordinary": [0, 0]}
    for part in PARTS:
        for kind in totals:
            items = corpus(kind, part)
            count = len(refused(items))
            totals[kind][0] += count
            totals[kind][1] += len(items)
            print(f"{part}: {kind} refused {count}/{len(items)} = {count / len(items):.1%}")
            record_property(f"{part}_{kind}_refused", f"{count}/{len(items)}")
    prohibited_rate = totals["prohibited"][0] / totals["prohibited"][1]
    ordinary_rate = totals["ordinary"][0] / totals["ordinary"][1]
    print(f"all: prohibited refused {prohibited_rate:.1%}, ordinary refused {ordinary_rate:.1%}")
    assert prohibited_rate >= PROHIBITED_REFUSED_AT_LEAST
    assert ordinary_rate <= ORDINARY_REFUSED_AT_MOST


def test_every_refusal_in_the_corpus_names_a_ground_and_a_term_of_the_item() -> None:
    from socialcredit.catalogue.prohibited import normalized

    for part in PARTS:
        for item in refused(corpus("prohibited", part)):
            found = find_prohibited_ground(item)
            assert found.ground.name and found.term in normalized(item), item
