"""How much the demo city looks like a real one: the figures `scs demo` measures on what it
ingested and scored, each against the range public sources give.

The ranges, and where they come from (README, "The demo city against real ones"):
- persons on a list that carries a sanction: 0.5–2 % of residents (national lists hold about
  1–2 % of adults);
- organizations on such a list: at most 5 %;
- merits, records of items with positive points: 10–20 % of records (Rongcheng's 2015 figures:
  about 11 %);
- no subject below zero;
- no item issued by a source outside its sector (a heating company does not record water
  arrears);
- persons on a sanction list in tier B or above: none, since their serious records' points put
  them in C or D;
- acts recorded by both a court and the traffic police, and records that repeat an offence
  within its item's window: some of each, so that SPEC §10.3 and §10.4 have work to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from socialcredit.domain.catalogue import Catalogue
from socialcredit.scoring.batch import LIST_SEPARATOR
from socialcredit.synth.catalogue import SECTOR_OF_SOURCE

PERSONS_LISTED_SHARE = (0.005, 0.02)
ORGANIZATIONS_LISTED_SHARE = (0.0, 0.05)
MERIT_SHARE = (0.10, 0.20)
LOWEST_SCORE = (0, math.inf)
NONE = (0, 0)
SOME = (1, math.inf)
# Tiers a subject on a sanction list should not reach: every tier but the lowest two (C, D).
LOWEST_TIERS = 2


@dataclass(frozen=True)
class RealismFigure:
    name: str
    value: float
    low: float
    high: float
    share: bool = False  # a share (printed as a percentage), else a count or a score

    @property
    def inside(self) -> bool:
        return self.low <= self.value <= self.high

    def _shown(self, value: float) -> str:
        if value == math.inf:
            return "∞"
        return f"{value:.1%}" if self.share else f"{value:,.0f}"

    @property
    def shown(self) -> str:
        return self._shown(self.value)

    @property
    def shown_range(self) -> str:
        if self.low == self.high:
            return self._shown(self.low)
        if self.high == math.inf:
            return f"≥ {self._shown(self.low)}"
        return f"{self._shown(self.low)} – {self._shown(self.high)}"


def sanction_lists(catalogue: Catalogue) -> frozenset[str]:
    """The lists a sanction of the catalogue applies to."""
    return frozenset(
        measure.applies_to.list_name
        for measure in catalogue.measures
        if measure.kind == "sanction" and measure.applies_to.list_name is not None
    )


def on_sanction_list(lists: frozenset[str]) -> pl.Expr:
    return (
        pl.col("lists").str.split(LIST_SEPARATOR).list.set_intersection(sorted(lists))
    ).list.len() > 0


def items_outside_their_sector(
    catalogue: Catalogue, sector_of_source: dict[str, str] = SECTOR_OF_SOURCE
) -> int:
    """Items of the published catalogue whose issuers are not all of one sector."""
    return sum(
        len({sector_of_source.get(issuer, issuer) for issuer in item.issuers}) > 1
        for item in catalogue.items
    )


def _repeats(ledger: pl.DataFrame, catalogue: Catalogue) -> int:
    """Active records with an earlier active record of the same subject and item within the
    item's repeat window (SPEC §10.4)."""
    repeating = [item for item in catalogue.items if item.repeat]
    windows = pl.DataFrame(
        {
            "item": [item.code for item in repeating],
            "within_days": [item.repeat.within_days for item in repeating],
        },
        schema={"item": pl.String, "within_days": pl.Int64},
    )
    repeated = (
        ledger.lazy()
        .filter(pl.col("status") == "active")
        .select("subject", pl.col("item").cast(pl.String), "decided_on")
        .join(windows.lazy(), on="item")
        .sort("subject", "item", "decided_on")
        .with_columns(pl.col("decided_on").shift(1).over("subject", "item").alias("before"))
        .filter((pl.col("decided_on") - pl.col("before")).dt.total_days() <= pl.col("within_days"))
    )
    return repeated.select(pl.len()).collect().item()


def measure_realism(
    persons: int,
    organizations: int,
    scores: pl.DataFrame,
    ledger: pl.DataFrame,
    catalogue: Catalogue,
    shared_acts: int,
    sanctioned: frozenset[str] | None = None,
    sector_of_source: dict[str, str] = SECTOR_OF_SOURCE,
    listed_elsewhere: pl.DataFrame | None = None,
) -> list[RealismFigure]:
    """The figures, from the scores at today (`scs score`'s shape), the current ledger (by
    subject key, as the store hands it over), the catalogue in effect, and the number of acts
    the generator had two sources record. `sanctioned`: the lists that carry a sanction (default:
    the catalogue's; in a nation, the national ones too, as `national.LIST`);
    `sector_of_source`: each source's sector; `listed_elsewhere`: (kind, subject_id) of the
    subjects on a national list through another city's decision alone, whose local tier a city
    without `national_floors` leaves as its own records make it (not counted in the tier
    figure)."""
    sanctioned = sanction_lists(catalogue) if sanctioned is None else sanctioned
    upper_tiers = [tier.name for tier in catalogue.tiers[:-LOWEST_TIERS]]
    listed = scores.filter(on_sanction_list(sanctioned))
    listed_persons = listed.filter(pl.col("kind") == "person")
    listed_organizations = listed.filter(pl.col("kind") == "organization")
    points = {item.code: item.points for item in catalogue.items}
    active = ledger.filter(pl.col("status") == "active")
    merits = active.filter(
        pl.col("item").cast(pl.String).replace_strict(points, default=0) > 0
    ).height
    return [
        RealismFigure(
            "persons on a list that carries a sanction, of residents",
            listed_persons.height / persons,
            *PERSONS_LISTED_SHARE,
            share=True,
        ),
        RealismFigure(
            "organizations on a list that carries a sanction, of organizations",
            listed_organizations.height / organizations,
            *ORGANIZATIONS_LISTED_SHARE,
            share=True,
        ),
        RealismFigure(
            "merits (records of items with positive points), of records",
            merits / max(1, active.height),
            *MERIT_SHARE,
            share=True,
        ),
        RealismFigure(
            "lowest score of any subject",
            scores["score"].min() if scores.height else 0,
            *LOWEST_SCORE,
        ),
        RealismFigure(
            "items a source outside the item's sector may issue",
            items_outside_their_sector(catalogue, sector_of_source),
            *NONE,
        ),
        RealismFigure(
            "persons on a sanction list in tier B or above",
            (
                listed_persons
                if listed_elsewhere is None
                else listed_persons.join(listed_elsewhere, on=["kind", "subject_id"], how="anti")
            )
            .filter(pl.col("tier").is_in(upper_tiers))
            .height,
            *NONE,
        ),
        RealismFigure("acts recorded by both a court and the traffic police", shared_acts, *SOME),
        RealismFigure(
            "records repeating an offence within its window", _repeats(ledger, catalogue), *SOME
        ),
    ]
