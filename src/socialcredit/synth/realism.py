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
from socialcredit.synth.catalogue import ITEMS, SANCTION_LISTS, SECTOR_OF_SOURCE

PERSONS_LISTED_SHARE = (0.005, 0.02)
ORGANIZATIONS_LISTED_SHARE = (0.0, 0.05)
MERIT_SHARE = (0.10, 0.20)
LOWEST_SCORE = (0, math.inf)
NONE = (0, 0)
SOME = (1, math.inf)
# Tiers a subject on a sanction list should not reach: everything above C.
UPPER_TIERS = ("AAA", "AA", "A", "B")


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


def _on_sanction_list() -> pl.Expr:
    return (
        pl.col("lists").str.split(LIST_SEPARATOR).list.set_intersection(sorted(SANCTION_LISTS))
    ).list.len() > 0


def _items_outside_their_sector(catalogue: Catalogue) -> int:
    """Items of the published catalogue whose issuers are not all of one sector."""
    return sum(
        len({SECTOR_OF_SOURCE.get(issuer, issuer) for issuer in item.issuers}) > 1
        for item in catalogue.items
    )


def _repeats(ledger: pl.DataFrame) -> int:
    """Active records with an earlier active record of the same subject and item within the
    item's repeat window (SPEC §10.4)."""
    windows = pl.DataFrame(
        {
            "item": [item.code for item in ITEMS if item.repeat],
            "within_days": [item.repeat.within_days for item in ITEMS if item.repeat],
        }
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
) -> list[RealismFigure]:
    """The figures, from the scores at today (`scs score`'s shape), the current ledger (by
    subject key, as the store hands it over), the catalogue in effect, and the number of acts
    the generator had two sources record."""
    listed = scores.filter(_on_sanction_list())
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
            _items_outside_their_sector(catalogue),
            *NONE,
        ),
        RealismFigure(
            "persons on a sanction list in tier B or above",
            listed_persons.filter(pl.col("tier").is_in(UPPER_TIERS)).height,
            *NONE,
        ),
        RealismFigure("acts recorded by both a court and the traffic police", shared_acts, *SOME),
        RealismFigure("records repeating an offence within its window", _repeats(ledger), *SOME),
    ]
