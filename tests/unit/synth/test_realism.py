"""The realism figures the demo prints: each measured as its name says, and judged against its
range."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.synth.catalogue import catalogue_document
from socialcredit.synth.realism import RealismFigure, measure_realism
from socialcredit.synth.scale import RONGCHENG

CATALOGUE = validate_catalogue(catalogue_document(RONGCHENG, dt.date(2023, 10, 1))).catalogue
DAY = dt.date(2026, 1, 1)


def scores(rows: list[tuple[str, str, int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["subject_id", "kind", "score", "tier", "lists"], orient="row")


def ledger(rows: list[tuple[int, str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(subject, item, day, 1, status) for subject, item, day, status in rows],
        schema={
            "subject": pl.Int64,
            "item": pl.Categorical,
            "decided_on": pl.Date,
            "quantity": pl.Int32,
            "status": pl.String,
        },
        orient="row",
    )


def figures(**arguments) -> dict[str, RealismFigure]:
    return {figure.name: figure for figure in measure_realism(**arguments)}


def test_the_figures_count_what_their_names_say() -> None:
    scored = scores(
        [
            ("p1", "person", 800, "C", "dishonest_debtors"),
            ("p2", "person", 900, "B", "blacklist;redlist"),
            ("p3", "person", 590, "D", "low_score"),  # by score alone: no sanction
            ("p4", "person", 1060, "AAA", "redlist"),
            ("o1", "organization", -5, "D", "wage_arrears"),
        ]
    )
    records = ledger(
        [
            (1, "traffic.red_light", dt.date(2025, 1, 1), "active"),
            (1, "traffic.red_light", dt.date(2025, 6, 1), "active"),  # within 365 days
            (1, "traffic.red_light", dt.date(2026, 12, 1), "active"),  # 548 days on: none
            (2, "traffic.red_light", dt.date(2025, 3, 1), "active"),
            (2, "traffic.red_light", dt.date(2025, 4, 1), "revoked"),  # not active
            (3, "charity.volunteer_hour", dt.date(2025, 1, 1), "active"),
            (3, "charity.volunteer_hour", dt.date(2025, 1, 2), "active"),  # no repeat rule
            (4, "blood.whole_blood", dt.date(2025, 1, 1), "revoked"),
        ]
    )
    found = figures(
        persons=200,
        organizations=10,
        scores=scored,
        ledger=records,
        catalogue=CATALOGUE,
        shared_acts=3,
    )
    assert found["persons on a list that carries a sanction, of residents"].value == 2 / 200
    organizations = found["organizations on a list that carries a sanction, of organizations"]
    assert organizations.value == 1 / 10
    assert not organizations.inside  # 10 % is above 5 %
    merits = found["merits (records of items with positive points), of records"]
    assert merits.value == 2 / 6 and not merits.inside
    lowest = found["lowest score of any subject"]
    assert lowest.value == -5 and not lowest.inside
    assert found["items a source outside the item's sector may issue"].value == 0
    assert found["persons on a sanction list in tier B or above"].value == 1
    assert found["acts recorded by both a court and the traffic police"].value == 3
    assert found["records repeating an offence within its window"].value == 1


def test_a_figure_is_inside_its_range_at_both_ends_and_shows_it() -> None:
    share = RealismFigure("share", 0.005, 0.005, 0.02, share=True)
    assert share.inside and share.shown == "0.5%" and share.shown_range == "0.5% – 2.0%"
    assert not RealismFigure("share", 0.0201, 0.005, 0.02, share=True).inside
    at_least = RealismFigure("count", 1, 1, math.inf)
    assert at_least.inside and at_least.shown_range == "≥ 1"
    none = RealismFigure("count", 0, 0, 0)
    assert none.inside and none.shown_range == "0"
    assert not RealismFigure("count", 2, 0, 0).inside
