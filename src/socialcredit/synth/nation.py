"""The demo nation (SPEC §11): three cities, each with its own catalogue and sources, under the
national catalogue whose lists apply in all of them.

Each city is drawn as `synth.city` draws one, from its own random stream. Some residents and
organizations of the smaller cities are also residents and organizations of an earlier city
(people who moved or commute, companies with branches), so that they have records, and files, in
two cities. Every court or tax decision that, in a city alone, would put its subject on the list
of dishonest judgment debtors or of major tax violators is sent on to the national source
(`synth.national`), naming the same act and decided on the same day: the listing is the
court's or the tax bureau's own decision, which the national system publishes. (A later date
would keep a subject listed after the city's own record of the act stopped counting.)

`realism` measures each city and the nation on the drawn records with the project's batch
scorer, the national lists and the floors applied as SPEC §11 says; the demo prints the same
figures from what it ingested and scored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import ryaml

from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.rules import Rulebook
from socialcredit.scoring.batch import LIST_SEPARATOR, score_ledger, with_subject_keys
from socialcredit.synth.catalogue import CatalogueSpec
from socialcredit.synth.city import (
    CATALOGUE_FILE,
    CityManifest,
    CityPlan,
    draw_records,
    draw_subjects,
    write_city,
    write_sources,
)
from socialcredit.synth.national import NATIONAL, NATIONAL_ITEM_OF, national_catalogue
from socialcredit.synth.realism import (
    LOWEST_SCORE,
    MERIT_SHARE,
    NONE,
    ORGANIZATIONS_LISTED_SHARE,
    PERSONS_LISTED_SHARE,
    SOME,
    RealismFigure,
    items_outside_their_sector,
    measure_realism,
    on_sanction_list,
    sanction_lists,
)
from socialcredit.synth.scale import NATION_CITIES, City

NATION_MANIFEST_FILE = "nation.json"
NATIONAL_LIST_PREFIX = "national."
COURT_LIST = "dishonest_debtors"

Progress = Callable[[str, int, int], None]


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class NationPlan:
    cities: tuple[City, ...] = NATION_CITIES
    seed: int = 1
    years: int = 3
    today: dt.date = field(default_factory=dt.date.today)
    # Of a later city's residents and organizations, the share that are also an earlier city's.
    shared_persons: float = 0.03
    shared_organizations: float = 0.05

    def scaled(self, factor: float) -> NationPlan:
        return dataclasses.replace(self, cities=tuple(city.scaled(factor) for city in self.cities))

    @property
    def city_plans(self) -> tuple[CityPlan, ...]:
        return tuple(
            CityPlan(city, seed=self.seed, years=self.years, today=self.today, in_nation=True)
            for city in self.cities
        )

    @property
    def effective_from(self) -> dt.date:
        return self.city_plans[0].effective_from


@dataclass
class NationRecords:
    """What the nation's sources decide: per city its residents, organizations and records
    (as `synth.city.draw_records` gives them), and the national records."""

    plan: NationPlan
    subjects: list[tuple[list[str], list[str]]]
    records: list[pl.DataFrame]
    national: pl.DataFrame


def _streams(plan: NationPlan) -> list[np.random.Generator]:
    """One random stream per city, and the last for the national records."""
    return [np.random.default_rng([plan.seed, number]) for number in range(len(plan.cities) + 1)]


def _shared(
    rng: np.random.Generator, own: list[str], earlier: list[str], share: float
) -> list[str]:
    """`own` with its first `share` replaced by identifiers drawn from `earlier`."""
    mine = set(own)
    candidates = [identifier for identifier in dict.fromkeys(earlier) if identifier not in mine]
    count = min(len(candidates), round(len(own) * share))
    chosen = rng.choice(len(candidates), count, replace=False) if count else []
    return [candidates[index] for index in chosen] + own[count:]


def _national_records(records: list[pl.DataFrame]) -> pl.DataFrame:
    leads = pl.concat(
        [frame.filter(pl.col("item").is_in(list(NATIONAL_ITEM_OF))) for frame in records]
    )
    national = leads.with_columns(
        pl.col("item").replace_strict(NATIONAL_ITEM_OF, return_dtype=pl.String)
    )
    source = (
        pl.when(pl.col("item").str.starts_with("national.dishonest"))
        .then(pl.lit("supreme-court"))
        .otherwise(pl.lit("tax-administration"))
    )
    return national.with_columns(source.alias("source")).sort(
        "source", "decided_on", "subject_id", "item"
    )


def draw_nation(plan: NationPlan, progress: Progress = _quiet) -> NationRecords:
    streams = _streams(plan)
    subjects: list[tuple[list[str], list[str]]] = []
    records = []
    for number, city_plan in enumerate(plan.city_plans):
        persons, organizations = draw_subjects(streams[number], city_plan)
        if subjects:
            persons = _shared(
                streams[number],
                persons,
                [person for earlier, _ in subjects for person in earlier],
                plan.shared_persons,
            )
            organizations = _shared(
                streams[number],
                organizations,
                [organization for _, earlier in subjects for organization in earlier],
                plan.shared_organizations,
            )
        subjects.append((persons, organizations))
        records.append(draw_records(streams[number], city_plan, progress, (persons, organizations)))
    national = _national_records(records)
    return NationRecords(plan, subjects, records, national)


# -- files -----------------------------------------------------------------------------------


@dataclass
class NationManifest:
    plan: dict
    national: CityManifest
    cities: dict[str, CityManifest]  # jurisdiction -> manifest, in the plan's order

    def write(self, directory: Path) -> None:
        document = {
            "plan": self.plan,
            "national": NATIONAL,
            "cities": list(self.cities),
        }
        (directory / NATION_MANIFEST_FILE).write_text(json.dumps(document, indent=2, default=str))

    @classmethod
    def read(cls, directory: Path) -> NationManifest:
        document = json.loads((directory / NATION_MANIFEST_FILE).read_text())
        return cls(
            document["plan"],
            CityManifest.read(directory / NATIONAL),
            {name: CityManifest.read(directory / name) for name in document["cities"]},
        )


def write_nation(
    plan: NationPlan, directory: Path, progress: Progress = _quiet
) -> tuple[NationManifest, NationRecords]:
    """The nation into `directory`: `national/` (the national catalogue and its sources' files)
    and one directory per city, as `synth.city.write_city` writes one, and `nation.json`."""
    drawn = draw_nation(plan, progress)
    streams = _streams(plan)
    cities = {}
    for number, (city_plan, records) in enumerate(zip(plan.city_plans, drawn.records)):
        jurisdiction = city_plan.city.jurisdiction
        cities[jurisdiction] = write_city(
            city_plan, directory / jurisdiction, progress, records, streams[number]
        )
    national_directory = directory / NATIONAL
    national_directory.mkdir(parents=True, exist_ok=True)
    catalogue = national_catalogue()
    (national_directory / CATALOGUE_FILE).write_text(
        ryaml.dumps(catalogue.document(plan.effective_from))
    )
    national_files = write_sources(
        streams[-1], drawn.national, catalogue, national_directory, plan.today, progress
    )
    national = CityManifest(
        {"jurisdiction": NATIONAL, "today": plan.today.isoformat()},
        CATALOGUE_FILE,
        national_files,
    )
    national.write(national_directory)
    plan_document = {
        "cities": [dataclasses.asdict(city) for city in plan.cities],
        "seed": plan.seed,
        "years": plan.years,
        "today": plan.today.isoformat(),
        "shared_persons": plan.shared_persons,
        "shared_organizations": plan.shared_organizations,
    }
    manifest = NationManifest(plan_document, national, cities)
    manifest.write(directory)
    return manifest, drawn


# -- scoring and realism, from the drawn records ----------------------------------------------


def local_catalogue(spec: CatalogueSpec, effective_from: dt.date) -> Catalogue:
    """The city's catalogue as the scorer takes it. Its `national_floors` are applied by
    `with_national_lists`, so they are left out here."""
    document = spec.document(effective_from)
    document.pop("national_floors", None)
    report = validate_catalogue(document)
    assert report.catalogue is not None, report.problems
    return report.catalogue


def _ledger(records: pl.DataFrame) -> pl.DataFrame:
    """Drawn records as the batch scorer's ledger (every record active, as drawn)."""
    return records.select(
        pl.col("kind").alias("subject_kind"),
        "subject_id",
        "item",
        "decided_on",
        pl.col("quantity").cast(pl.Int32),
        pl.lit("active").alias("status"),
        "act",
        pl.when(pl.col("act").is_not_null()).then(pl.col("source")).alias("act_source"),
        pl.lit(None, pl.String).alias("act_record_id"),
    )


def national_membership(national: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """(kind, subject_id, national_lists): the national lists each subject is on at `as_of`,
    as `national.LIST` (SPEC §11: a counting national record names it)."""
    spec = national_catalogue()
    days = {item.code: item.counts_for_days for item in spec.items}
    listed = {item.code: item.lists[0] for item in spec.items}
    counting = national.filter(
        (pl.col("decided_on") <= as_of)
        & (
            (pl.lit(as_of) - pl.col("decided_on")).dt.total_days()
            < pl.col("item").replace_strict(days, return_dtype=pl.Int64)
        )
    )
    return (
        counting.select(
            "kind",
            "subject_id",
            (
                NATIONAL_LIST_PREFIX + pl.col("item").replace_strict(listed, return_dtype=pl.String)
            ).alias("national_list"),
        )
        .group_by("kind", "subject_id")
        .agg(pl.col("national_list").unique().sort().alias("national_lists"))
    )


def _tier(catalogue: Catalogue, score: pl.Expr) -> pl.Expr:
    *ranked, last = catalogue.tiers
    expression = pl.lit(last.name)
    for tier in reversed(ranked):
        expression = pl.when(score >= tier.min).then(pl.lit(tier.name)).otherwise(expression)
    return expression


def with_national_lists(
    scores: pl.DataFrame, membership: pl.DataFrame, catalogue: Catalogue, floors: dict[str, int]
) -> pl.DataFrame:
    """A city's scores (`scs score`'s shape) with SPEC §11 applied: the national lists its
    subjects are on, and, while on a list with a floor, the score at most the floor, with the
    tier and the score lists following that score."""
    by_score = sorted(catalogue.score_defined_lists())
    score_lists = [
        pl.when(
            (pl.col("score") < definition.score_below)
            if definition.score_below is not None
            else (pl.col("score") >= definition.score_at_least)
        ).then(pl.lit(name))
        for name, definition in catalogue.lists.items()
        if name in by_score
    ]
    joined = scores.join(membership, on=["kind", "subject_id"], how="left").with_columns(
        pl.col("national_lists").fill_null(pl.lit([], pl.List(pl.String)))
    )
    if floors:
        floor = pl.min_horizontal(
            pl.when(pl.col("national_lists").list.contains(NATIONAL_LIST_PREFIX + name)).then(value)
            for name, value in floors.items()
        )
        joined = joined.with_columns(pl.min_horizontal("score", floor).alias("score"))
    lists = (
        pl.col("lists")
        .str.split(LIST_SEPARATOR)
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.set_difference(pl.lit(by_score, pl.List(pl.String)))
    )
    if score_lists:
        lists = lists.list.concat(pl.concat_list(score_lists).list.drop_nulls())
    return (
        joined.with_columns(
            _tier(catalogue, pl.col("score")).alias("tier"),
            lists.list.concat("national_lists")
            .list.sort()
            .list.join(LIST_SEPARATOR)
            .alias("lists"),
        )
        .select(scores.columns)
        .sort("subject_id", "kind")
    )


@dataclass
class CityResult:
    city: City
    catalogue: Catalogue
    spec: CatalogueSpec
    scores: pl.DataFrame
    records: pl.DataFrame
    realism: list[RealismFigure]


@dataclass
class NationResult:
    cities: list[CityResult]
    realism: list[RealismFigure]


def _records_outside_their_sector(records: pl.DataFrame, spec: CatalogueSpec) -> int:
    sector_of_item = {item.code: item.sector for item in spec.items}
    return records.filter(
        pl.col("source").replace_strict(spec.sector_of_source, default="?")
        != pl.col("item").replace_strict(sector_of_item, default="!")
    ).height


def nation_sanction_lists(local: Catalogue) -> frozenset[str]:
    national = frozenset(
        NATIONAL_LIST_PREFIX + measure.applies_to["list"]
        for measure in national_catalogue().measures
        if measure.kind == "sanction"
    )
    return sanction_lists(local) | national


def score_nation(drawn: NationRecords, as_of: dt.date | None = None) -> NationResult:
    """Every city scored at `as_of` (default: the plan's today) from the drawn records with the
    batch scorer and SPEC §11, and the realism figures per city and for the nation."""
    plan = drawn.plan
    as_of = as_of or plan.today
    membership = national_membership(drawn.national, as_of)
    results = []
    for city_plan, records, (persons, organizations) in zip(
        plan.city_plans, drawn.records, drawn.subjects
    ):
        spec = city_plan.catalogue
        catalogue = local_catalogue(spec, plan.effective_from)
        keyed, subjects = with_subject_keys(_ledger(records))
        ledger = keyed.collect()
        scores = score_ledger(ledger, Rulebook([catalogue]), as_of, subjects=subjects)
        scores = with_national_lists(scores, membership, catalogue, spec.national_floors)
        own_leads = records.filter(pl.col("item").is_in(list(NATIONAL_ITEM_OF)))
        elsewhere = (
            scores.filter(
                pl.col("lists").str.contains(NATIONAL_LIST_PREFIX, literal=True)
                & ~on_sanction_list(sanction_lists(catalogue))
            )
            .select("kind", "subject_id")
            .join(own_leads.select("kind", "subject_id"), on=["kind", "subject_id"], how="anti")
        )
        realism = measure_realism(
            len(persons),
            len(organizations),
            scores,
            ledger,
            catalogue,
            _shared_acts(records),
            nation_sanction_lists(catalogue),
            spec.sector_of_source,
            elsewhere,
        )
        results.append(CityResult(city_plan.city, catalogue, spec, scores, records, realism))
    return NationResult(results, nation_realism(drawn, results))


def _shared_acts(records: pl.DataFrame) -> int:
    from socialcredit.synth.city import _shared_acts as shared  # one definition of it

    return shared(records)


def nation_realism(drawn: NationRecords, cities: list[CityResult]) -> list[RealismFigure]:
    """The nation's figures: the shares over the nation's distinct persons and organizations
    (a subject listed in any city, or nationally, counts once), merits over every record, the
    lowest score of any city, sectors in every catalogue and record, and how far the nation
    reaches: subjects with records in two cities, cities whose files show the court's national
    list, and files that show a national listing another city's court or tax bureau decided."""
    persons = {person for people, _ in drawn.subjects for person in people}
    organizations = {org for _, orgs in drawn.subjects for org in orgs}
    listed = pl.concat(
        [
            city.scores.filter(on_sanction_list(nation_sanction_lists(city.catalogue))).select(
                "kind", "subject_id"
            )
            for city in cities
        ]
    ).unique()
    records = pl.concat([city.records.select("kind", "subject_id", "item") for city in cities])
    merits = sum(
        city.records.filter(
            pl.col("item").replace_strict(
                {item.code: item.points for item in city.catalogue.items}, default=0
            )
            > 0
        ).height
        for city in cities
    )
    total_records = records.height + drawn.national.height
    in_two_cities = (
        pl.concat(
            [
                city.records.select("kind", "subject_id").unique().with_columns(city=pl.lit(number))
                for number, city in enumerate(cities)
            ]
        )
        .group_by("kind", "subject_id")
        .agg(pl.col("city").n_unique())
        .filter(pl.col("city") > 1)
        .height
    )
    court_list = NATIONAL_LIST_PREFIX + COURT_LIST
    cities_showing = sum(
        city.scores["lists"].str.split(LIST_SEPARATOR).list.contains(court_list).any()
        for city in cities
    )
    national = national_catalogue()
    listed_elsewhere = 0
    for city in cities:
        own = city.records.filter(pl.col("item").is_in(list(NATIONAL_ITEM_OF))).select(
            "kind", "subject_id"
        )
        shown = city.scores.filter(pl.col("lists").str.contains(NATIONAL_LIST_PREFIX, literal=True))
        listed_elsewhere += shown.join(own, on=["kind", "subject_id"], how="anti").height
    national_catalogue_model = _national_as_scored(national, drawn.plan.effective_from)
    outside = items_outside_their_sector(national_catalogue_model, national.sector_of_source) + sum(
        items_outside_their_sector(city.catalogue, city.spec.sector_of_source) for city in cities
    )
    stray = _records_outside_their_sector(drawn.national, national) + sum(
        _records_outside_their_sector(city.records, city.spec) for city in cities
    )
    count = len(cities)
    return [
        RealismFigure(
            "persons on a list that carries a sanction, of the nation's persons",
            listed.filter(pl.col("kind") == "person").height / max(1, len(persons)),
            *PERSONS_LISTED_SHARE,
            share=True,
        ),
        RealismFigure(
            "organizations on a list that carries a sanction, of the nation's organizations",
            listed.filter(pl.col("kind") == "organization").height / max(1, len(organizations)),
            *ORGANIZATIONS_LISTED_SHARE,
            share=True,
        ),
        RealismFigure(
            "merits (records of items with positive points), of records",
            merits / max(1, total_records),
            *MERIT_SHARE,
            share=True,
        ),
        RealismFigure(
            "lowest score of any subject in any city",
            min(city.scores["score"].min() for city in cities if city.scores.height),
            *LOWEST_SCORE,
        ),
        RealismFigure("items a source outside the item's sector may issue", outside, *NONE),
        RealismFigure("records a source issued outside its sector", stray, *NONE),
        RealismFigure("subjects with records in two cities", in_two_cities, *SOME),
        RealismFigure(
            "cities whose files show the court's national list", cities_showing, count, count
        ),
        RealismFigure(
            "files showing a national listing that another city decided", listed_elsewhere, *SOME
        ),
    ]


def _national_as_scored(spec: CatalogueSpec, effective_from: dt.date) -> Catalogue:
    """The national catalogue as a model (its items and issuers), whichever core validates it."""
    return Catalogue.model_validate(
        {"base_score": 0, "tiers": [{"name": "-"}], **spec.document(effective_from)}
    )
