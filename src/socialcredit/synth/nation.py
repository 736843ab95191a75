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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import ryaml

from socialcredit.catalogue.validation import StoreContext, validate_catalogue
from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.jurisdictions import Jurisdictions
from socialcredit.registry import Registry
from socialcredit.scoring.batch import LIST_SEPARATOR, score_jurisdiction, with_subject_keys
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


# -- scoring and realism ------------------------------------------------------------------


def published_catalogues(plan: NationPlan) -> dict[str, Catalogue]:
    """Every catalogue of the nation, the national one first, as publication judges them in a
    store that holds the national catalogue (SPEC §11)."""
    national_document = national_catalogue().document(plan.effective_from)
    national = validate_catalogue(national_document)
    assert national.catalogue is not None, national.problems
    context = StoreContext(national_lists=frozenset(national.catalogue.lists))
    catalogues = {NATIONAL: national.catalogue}
    for city_plan in plan.city_plans:
        report = validate_catalogue(
            city_plan.catalogue.document(plan.effective_from), context=context
        )
        assert report.catalogue is not None, report.problems
        catalogues[city_plan.city.jurisdiction] = report.catalogue
    return catalogues


def local_catalogue(spec: CatalogueSpec, effective_from: dt.date) -> Catalogue:
    """A city's catalogue judged alone (its `national_floors` left out: alone, a store declares
    no national list for them to name)."""
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
        "source",
    )


@dataclass
class CityResult:
    city: City
    catalogue: Catalogue
    spec: CatalogueSpec
    scores: pl.DataFrame  # `scs score`'s shape, SPEC §11 applied
    records: pl.DataFrame  # as drawn
    ledger: pl.DataFrame  # the city's sources' current records, subjects by key
    realism: list[RealismFigure]
    score_seconds: float = 0.0  # scoring the city's files alone


@dataclass
class NationResult:
    cities: list[CityResult]
    realism: list[RealismFigure]
    national_records: int  # in the ledger scored

    def example_subject(self) -> str | None:
        """A person on the court's national list, with files in two cities if there is one:
        `scs show` then shows the national list and each local file."""
        files = pl.concat(
            [
                city.scores.filter(pl.col("kind") == "person").select(
                    "subject_id",
                    pl.col("lists").str.contains(NATIONAL_LIST_PREFIX + COURT_LIST).alias("listed"),
                )
                for city in self.cities
            ]
        )
        ranked = (
            files.group_by("subject_id")
            .agg(pl.len().alias("cities"), pl.col("listed").any())
            .filter("listed")
            .sort("cities", "subject_id", descending=[True, False])
        )
        return ranked["subject_id"][0] if ranked.height else None


def nation_sanction_lists(local: Catalogue) -> frozenset[str]:
    national = frozenset(
        NATIONAL_LIST_PREFIX + measure.applies_to["list"]
        for measure in national_catalogue().measures
        if measure.kind == "sanction"
    )
    return sanction_lists(local) | national


def _leads_listed_only_nationally(scores: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """(kind, subject_id) of the subjects on a national sanction list and on none of the
    city's own: those whose listing may come from another city's decision."""
    return scores.filter(
        pl.col("lists").str.contains(NATIONAL_LIST_PREFIX, literal=True)
        & ~on_sanction_list(sanction_lists(catalogue))
    ).select("kind", "subject_id")


def _measure_city(
    city_plan: CityPlan,
    catalogue: Catalogue,
    scores: pl.DataFrame,
    ledger: pl.DataFrame,
    records: pl.DataFrame,
    persons: int,
    organizations: int,
    listed_elsewhere: pl.DataFrame,
    score_seconds: float,
) -> CityResult:
    spec = city_plan.catalogue
    realism = measure_realism(
        persons,
        organizations,
        scores,
        ledger,
        catalogue,
        _shared_acts(records),
        nation_sanction_lists(catalogue),
        spec.sector_of_source,
        listed_elsewhere,
    )
    return CityResult(
        city_plan.city, catalogue, spec, scores, records, ledger, realism, score_seconds
    )


def score_nation(drawn: NationRecords, as_of: dt.date | None = None) -> NationResult:
    """Every city scored at `as_of` (default: the plan's today) from the drawn records, with the
    project's batch scorer for several jurisdictions (`score_jurisdiction`: the national lists
    and floors of SPEC §11), and the realism figures per city and for the nation."""
    plan = drawn.plan
    as_of = as_of or plan.today
    catalogues = published_catalogues(plan)
    jurisdictions = Jurisdictions(list(catalogues.values()))
    keyed, subjects = with_subject_keys(_ledger(pl.concat([*drawn.records, drawn.national])))
    ledger = keyed.collect()
    results = []
    for city_plan, records, (persons, organizations) in zip(
        plan.city_plans, drawn.records, drawn.subjects, strict=True
    ):
        jurisdiction = city_plan.city.jurisdiction
        started = time.perf_counter()
        scores = score_jurisdiction(ledger, jurisdictions, jurisdiction, as_of, subjects=subjects)
        seconds = time.perf_counter() - started
        own_leads = records.filter(pl.col("item").is_in(list(NATIONAL_ITEM_OF)))
        elsewhere = _leads_listed_only_nationally(scores, catalogues[jurisdiction]).join(
            own_leads.select("kind", "subject_id"), on=["kind", "subject_id"], how="anti"
        )
        city_ledger = ledger.filter(
            pl.col("source").cast(pl.String).is_in(sorted(city_plan.catalogue.sources))
        )
        results.append(
            _measure_city(
                city_plan,
                catalogues[jurisdiction],
                scores,
                city_ledger,
                records,
                len(persons),
                len(organizations),
                elsewhere,
                seconds,
            )
        )
    return NationResult(results, nation_realism(drawn, results), drawn.national.height)


def score_nation_in_store(
    registry: Registry, drawn: NationRecords, as_of: dt.date | None = None
) -> NationResult:
    """The same from what the store ingested: each city's files as `scs score --jurisdiction`
    gives them (`Registry.score_all`), its sources' current records for the figures over
    records. Where a subject is on a national sanction list and on none of the city's own, the
    store says whether the city's ledger holds the decision that listed it."""
    plan = drawn.plan
    as_of = as_of or plan.today
    ledger = registry.current_ledger()
    lead_items = sorted(NATIONAL_ITEM_OF)
    results = []
    for city_plan, records, (persons, organizations) in zip(
        plan.city_plans, drawn.records, drawn.subjects, strict=True
    ):
        jurisdiction = city_plan.city.jurisdiction
        catalogue = registry.rulebook_of(jurisdiction).scoring_version(as_of)
        started = time.perf_counter()
        scores = registry.score_all(as_of, jurisdiction)
        seconds = time.perf_counter() - started
        city_ledger = ledger.filter(
            pl.col("source").cast(pl.String).is_in(sorted(city_plan.catalogue.sources))
        )
        leading = set(
            city_ledger.filter(pl.col("item").cast(pl.String).is_in(lead_items))["subject"]
        )
        candidates = _leads_listed_only_nationally(scores, catalogue)
        elsewhere = [
            (kind, subject_id)
            for kind, subject_id in candidates.iter_rows()
            if not any(
                subject.key in leading and subject.kind == kind
                for subject in registry.identify(subject_id).subjects
            )
        ]
        results.append(
            _measure_city(
                city_plan,
                catalogue,
                scores,
                city_ledger,
                records,
                len(persons),
                len(organizations),
                pl.DataFrame(
                    elsewhere, schema={"kind": pl.String, "subject_id": pl.String}, orient="row"
                ),
                seconds,
            )
        )
    national_sources = sorted(national_catalogue().sources)
    national = ledger.filter(pl.col("source").cast(pl.String).is_in(national_sources)).height
    return NationResult(results, nation_realism(drawn, results, national), national)


def _shared_acts(records: pl.DataFrame) -> int:
    from socialcredit.synth.city import _shared_acts as shared  # one definition of it

    return shared(records)


def nation_realism(
    drawn: NationRecords, cities: list[CityResult], national_records: int | None = None
) -> list[RealismFigure]:
    """The nation's figures: the shares over the nation's distinct persons and organizations
    (a subject listed in any city, or nationally, counts once), merits over every current active
    record (the national ones included), the lowest score of any city, sectors in every
    catalogue and drawn record, and how far the nation reaches: subjects with records in two
    cities, cities whose files show the court's national list, and files that show a national
    listing another city decided."""
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
    merits, active = 0, 0
    for city in cities:
        points = {item.code: item.points for item in city.catalogue.items}
        current = city.ledger.filter(pl.col("status") == "active")
        active += current.height
        merits += current.filter(
            pl.col("item").cast(pl.String).replace_strict(points, default=0) > 0
        ).height
    national_count = drawn.national.height if national_records is None else national_records
    in_two_cities = (
        pl.concat(
            [
                city.scores.select("kind", "subject_id").with_columns(city=pl.lit(number))
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
    national_model = published_catalogues(drawn.plan)[NATIONAL]
    outside = items_outside_their_sector(national_model, national.sector_of_source) + sum(
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
            merits / max(1, active + national_count),
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
        RealismFigure("subjects with files in two cities", in_two_cities, *SOME),
        RealismFigure(
            "cities whose files show the court's national list", cities_showing, count, count
        ),
        RealismFigure(
            "files showing a national listing that another city decided", listed_elsewhere, *SOME
        ),
    ]


def _records_outside_their_sector(records: pl.DataFrame, spec: CatalogueSpec) -> int:
    sector_of_item = {item.code: item.sector for item in spec.items}
    return records.filter(
        pl.col("source").replace_strict(spec.sector_of_source, default="?")
        != pl.col("item").replace_strict(sector_of_item, default="!")
    ).height
