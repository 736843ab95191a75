"""SPEC §10 at publication: severities and their windows (§10.1), repeats (§10.4), measures'
kind, legal basis and what a sanction may apply to (§10.5), and no back-dated version (§10.6).
Every problem is reported at once, naming the item or measure."""

from __future__ import annotations

import datetime as dt

import pytest

from socialcredit.catalogue.validation import validate_catalogue
from tests.helpers import catalogue_document


def problems_of(document, not_before: dt.date | None = None) -> list[str]:
    return validate_catalogue(document, None, not_before).problems


def item(document: dict, code: str) -> dict:
    return next(entry for entry in document["items"] if entry["code"] == code)


@pytest.mark.parametrize(
    ("severity", "shortest", "longest"),
    [("minor", 1, 90), ("ordinary", 90, 365), ("serious", 365, 1095)],
)
def test_a_negative_item_counts_within_its_severity_s_window(
    severity: str, shortest: int, longest: int
) -> None:
    for days, valid in (
        (shortest - 1, False),
        (shortest, True),
        (longest, True),
        (longest + 1, False),
    ):
        if days < 1:
            continue
        document = catalogue_document()
        red_light = item(document, "traffic.red_light")
        red_light["severity"], red_light["counts_for_days"] = severity, days
        problems = problems_of(document)
        expected = (
            f"item 'traffic.red_light': counts_for_days {days} lies outside the {severity} "
            f"window ({shortest}–{longest} days)"
        )
        assert problems == ([] if valid else [expected]), (severity, days)


def test_every_severity_problem_is_reported_at_once_naming_the_item() -> None:
    document = catalogue_document()
    del item(document, "traffic.red_light")["severity"]
    item(document, "charity.volunteer_hour")["severity"] = "minor"
    item(document, "court.judgment_default")["counts_for_days"] = 1825
    item(document, "tax.arrears_major")["severity"] = "grave"
    problems = problems_of(document)
    assert (
        "item 'traffic.red_light': points -5 are negative, so it needs a severity "
        "(minor, ordinary or serious)" in problems
    )
    assert (
        "item 'charity.volunteer_hour': severity 'minor' on an item with points 1; only items "
        "with negative points have a severity" in problems
    )
    assert (
        "item 'court.judgment_default': counts_for_days 1825 lies outside the serious window "
        "(365–1095 days)" in problems
    )
    assert any(
        problem.startswith("item 'tax.arrears_major' (items[3]): severity:")
        and "'grave'" in problem
        for problem in problems
    ), problems
    assert len(problems) == 4


def test_an_item_of_zero_points_names_no_severity() -> None:
    document = catalogue_document()
    item(document, "traffic.red_light")["points"] = 0
    assert any("severity 'ordinary' on an item with points 0" in p for p in problems_of(document))


def test_repairable_and_repeat_are_read_and_bounded() -> None:
    document = catalogue_document()
    court = item(document, "court.judgment_default")
    court["repairable"] = False
    court["repeat"] = {"within_days": 365, "factor": 2}
    report = validate_catalogue(document)
    assert report.valid, report.problems
    typed = next(
        entry for entry in report.catalogue.items if entry.code == "court.judgment_default"
    )
    assert typed.repairable is False and (typed.repeat.within_days, typed.repeat.factor) == (365, 2)
    assert next(entry for entry in report.catalogue.items if entry.code != typed.code).repairable
    for repeat, field in (
        ({"within_days": 0, "factor": 2}, "within_days"),
        ({"within_days": 30, "factor": 1}, "factor"),
        ({"within_days": 30, "factor": 6}, "factor"),
        ({"within_days": 30, "factor": 2.5}, "factor"),
        ({"within_days": 30}, "factor"),
    ):
        court["repeat"] = repeat
        problems = problems_of(document)
        assert any(
            problem.startswith(f"item 'court.judgment_default' (items[1]): repeat.{field}")
            for problem in problems
        ), (repeat, problems)
    court["repeat"] = {"within_days": 30, "factor": 2}
    court["repairable"] = "no"
    assert any("repairable" in problem for problem in problems_of(document))


def measure(code: str, applies_to: dict, **fields) -> dict:
    return {
        "code": code,
        "title": f"Measure {code}",
        "kind": "sanction",
        "legal_basis": "Some Law art. 1",
        "applies_to": applies_to,
        "relying_parties": ["someone"],
        **fields,
    }


def test_a_measure_names_its_kind_and_legal_basis() -> None:
    bare = measure("m1", {"list": "blacklist"})
    del bare["kind"], bare["legal_basis"]
    document = catalogue_document(
        measures=[bare, measure("m2", {"list": "blacklist"}, kind="warning")]
    )
    problems = problems_of(document)
    assert "measure 'm1': kind: missing field (sanction or reward)" in problems
    assert "measure 'm1': legal_basis: missing field" in problems
    assert any(problem.startswith("measure 'm2' (measures[1]): kind:") for problem in problems), (
        problems
    )


def test_a_sanction_applies_only_to_a_list_entered_through_items() -> None:
    document = catalogue_document(
        measures=[
            measure("on_items", {"list": "blacklist"}),
            measure("on_a_score_below", {"list": "low_score"}),
            measure("on_a_score_at_least", {"list": "redlist"}),
            measure("on_a_tier", {"tier": "D"}),
            measure("on_tiers", {"tiers": ["C", "D"]}),
            measure("reward_on_tiers", {"tiers": ["AAA", "AA"]}, kind="reward"),
            measure("reward_on_a_score_list", {"list": "redlist"}, kind="reward"),
        ]
    )
    problems = problems_of(document)
    refused = sorted(problem.split(":")[0] for problem in problems)
    assert refused == [
        "measure 'on_a_score_at_least'",
        "measure 'on_a_score_below'",
        "measure 'on_a_tier'",
        "measure 'on_tiers'",
    ], problems
    assert (
        "measure 'on_a_score_below': a sanction may not apply to list 'low_score', which a score "
        "defines: a score alone is no ground for a sanction; apply it to a list entered through "
        "items" in problems
    )
    assert any(
        problem.startswith("measure 'on_tiers': a sanction may not apply to tiers (C, D)")
        for problem in problems
    )


def test_a_back_dated_version_is_refused_when_the_store_holds_records() -> None:
    day = dt.date(2024, 1, 1)
    document = catalogue_document(effective_from=day.isoformat())
    assert problems_of(document) == []  # a store without records may load its history
    assert problems_of(document, not_before=day) == []  # effective today
    assert problems_of(document, not_before=day + dt.timedelta(days=1)) == [
        "effective_from: 2024-01-01 lies before the day of publication (2024-01-02) and the store "
        "holds records: a rule is never back-dated (SPEC §10.6)"
    ]


def test_the_back_dated_version_is_reported_with_every_other_problem() -> None:
    document = catalogue_document()
    del item(document, "traffic.red_light")["severity"]
    problems = problems_of(document, not_before=dt.date(2030, 1, 1))
    assert any(problem.startswith("effective_from:") for problem in problems)
    assert any(problem.startswith("item 'traffic.red_light':") for problem in problems)
