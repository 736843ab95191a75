"""`scs demo`: a synthetic city generated, ingested through the same path as real files,
scored, and summed up."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from socialcredit.registry import MeasureCoverage, PopulationReport, Registry
from socialcredit.synth.city import CityManifest, CityPlan, write_city
from socialcredit.synth.nation import (
    NationManifest,
    NationPlan,
    NationResult,
    score_nation,
    score_nation_in_store,
    write_nation,
)
from socialcredit.synth.national import NATIONAL
from socialcredit.synth.objections import ObjectionOutcome, object_and_answer
from socialcredit.synth.realism import RealismFigure, measure_realism
from socialcredit.synth.repairs import RepairOutcome, apply_and_decide
from socialcredit.synth.scale import NATION_CITIES, RONGCHENG, City

Progress = Callable[[str, int, int], None]  # (phase, done, total)


EXAMPLE_LIST = "dishonest_debtors"


class StoreNotEmpty(RuntimeError):
    pass


def demo_plan(scale: float, seed: int, years: int, today, city: City = RONGCHENG) -> CityPlan:
    return CityPlan(city.scaled(scale), seed=seed, years=years, today=today)


def nation_plan(scale: float, seed: int, years: int, today) -> NationPlan:
    return NationPlan(NATION_CITIES, seed=seed, years=years, today=today).scaled(scale)


@dataclass
class SourceOutcome:
    source: str
    format: str
    rows: int
    accepted: int
    duplicates: int
    rejected: int

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.rows if self.rows else 0.0


@dataclass
class DemoReport:
    plan: CityPlan
    manifest: CityManifest
    directory: Path
    outcomes: list[SourceOutcome]
    population: PopulationReport
    objections: ObjectionOutcome
    measures: list[MeasureCoverage]
    realism: list[RealismFigure]
    seconds: dict[str, float] = field(default_factory=dict)
    repairs: RepairOutcome | None = None  # SPEC §10.2 (`synth/repairs.py`)

    @property
    def accepted(self) -> int:
        return sum(outcome.accepted for outcome in self.outcomes)

    @property
    def duplicates(self) -> int:
        return sum(outcome.duplicates for outcome in self.outcomes)

    @property
    def rejected(self) -> int:
        return sum(outcome.rejected for outcome in self.outcomes)

    def worst_sources(self, count: int = 5) -> list[SourceOutcome]:
        return sorted(self.outcomes, key=lambda outcome: -outcome.reject_rate)[:count]

    @property
    def realistic(self) -> bool:
        return all(figure.inside for figure in self.realism)

    def example_subject(self) -> str | None:
        """A resident on the list of dishonest judgment debtors (whom the demo's suggested
        check of `no_air_travel` concerns), else the lowest-scored one: a file worth reading."""
        scores = self.population.scores.filter(pl.col("kind") == "person")
        if scores.height == 0:
            return None
        listed = scores.filter(pl.col("lists").str.contains(EXAMPLE_LIST))
        chosen = (
            (listed if listed.height else scores).sort("score", "subject_id").row(0, named=True)
        )
        return chosen["subject_id"]


def run_demo(registry: Registry, plan: CityPlan, directory: Path, progress: Progress) -> DemoReport:
    if registry.rulebook:
        raise StoreNotEmpty(
            "the demo needs an empty store; this one already has a catalogue "
            f"({registry.store_name})"
        )
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    manifest = write_city(
        plan, directory, lambda what, done, total: progress("generate", done, total)
    )
    seconds["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    published = registry.publish_catalogue((directory / manifest.catalogue).read_text())
    assert published.version is not None, published.report.problems
    outcomes, done = [], 0
    rejects = directory / "rejects"
    for source_file in manifest.sources:
        result = registry.ingest(
            directory / source_file.file,
            source_file.source,
            rejects / f"{source_file.source}.rejects.csv",
        )
        counts = result.counts
        outcomes.append(
            SourceOutcome(
                source_file.source,
                source_file.format,
                source_file.rows,
                counts.accepted,
                counts.duplicates,
                counts.rejected,
            )
        )
        done += source_file.rows
        progress("ingest", done, manifest.rows)
    seconds["ingest"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("objections", 0, 1)
    city = plan.city
    objections = object_and_answer(registry, city.persons + city.organizations, plan.seed)
    progress("objections", 1, 1)
    seconds["objections"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("repairs", 0, 1)
    repairs = apply_and_decide(registry, city.persons + city.organizations, plan.seed)
    progress("repairs", 1, 1)
    seconds["repairs"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("score", 0, 1)
    today = registry.today()
    population = registry.population(today)
    measures = registry.measure_coverage(population)
    progress("score", 1, 1)
    seconds["score"] = time.perf_counter() - started

    started = time.perf_counter()
    realism = measure_realism(
        city.persons,
        city.organizations,
        population.scores,
        registry.current_ledger(),
        registry.rulebook.scoring_version(today),
        manifest.shared_acts,
    )
    seconds["realism"] = time.perf_counter() - started
    return DemoReport(
        plan,
        manifest,
        directory,
        outcomes,
        population,
        objections,
        measures,
        realism,
        seconds,
        repairs,
    )


NATION_DIRECTORY = "nation"


@dataclass
class NationReport:
    """The demo nation (SPEC §11): its files; with a store, what publishing and ingesting them
    gave, per jurisdiction; and each city and the nation scored and measured."""

    plan: NationPlan
    manifest: NationManifest
    directory: Path
    result: NationResult
    seconds: dict[str, float] = field(default_factory=dict)
    # jurisdiction -> each source file's outcome (empty when no store was given)
    outcomes: dict[str, list[SourceOutcome]] = field(default_factory=dict)
    published: dict[str, int] = field(default_factory=dict)  # jurisdiction -> version

    @property
    def realistic(self) -> bool:
        return all(figure.inside for figure in self.result.realism) and all(
            figure.inside for city in self.result.cities for figure in city.realism
        )

    @property
    def rows(self) -> int:
        return self.manifest.national.rows + sum(
            city.rows for city in self.manifest.cities.values()
        )


def _ingest(
    registry: Registry,
    directory: Path,
    manifest: CityManifest,
    done: list[int],
    total: int,
    progress: Progress,
) -> list[SourceOutcome]:
    outcomes = []
    for source_file in manifest.sources:
        counts = registry.ingest(
            directory / source_file.file,
            source_file.source,
            directory / "rejects" / f"{source_file.source}.rejects.csv",
        ).counts
        outcomes.append(
            SourceOutcome(
                source_file.source,
                source_file.format,
                source_file.rows,
                counts.accepted,
                counts.duplicates,
                counts.rejected,
            )
        )
        done[0] += source_file.rows
        progress("nation: ingest", done[0], total)
    return outcomes


def run_nation(
    plan: NationPlan, directory: Path, progress: Progress, registry: Registry | None = None
) -> NationReport:
    """Write the national catalogue and the three cities' catalogues and files into
    `directory`; with `registry` (an empty store), publish the four catalogues (the national
    one first), ingest every file through the same path as real files and score every city as
    `scs score --jurisdiction` does; without, score the drawn records with the same batch scorer.
    Then measure each city and the nation."""
    if registry is not None and registry.jurisdictions:
        raise StoreNotEmpty(
            "the demo needs an empty store; this one already has a catalogue "
            f"({registry.store_name})"
        )
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    manifest, drawn = write_nation(
        plan, directory, lambda what, done, total: progress("nation: generate", done, total)
    )
    seconds["generate"] = time.perf_counter() - started
    report = NationReport(plan, manifest, directory, None, seconds)  # type: ignore[arg-type]
    if registry is not None:
        started = time.perf_counter()
        places = {NATIONAL: manifest.national, **manifest.cities}
        for jurisdiction, place in places.items():
            published = registry.publish_catalogue(
                (directory / jurisdiction / place.catalogue).read_text()
            )
            assert published.version is not None, published.report.problems
            report.published[jurisdiction] = published.version
        seconds["publish"] = time.perf_counter() - started
        started = time.perf_counter()
        done = [0]
        for jurisdiction, place in places.items():
            report.outcomes[jurisdiction] = _ingest(
                registry, directory / jurisdiction, place, done, report.rows, progress
            )
        seconds["ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    progress("nation: score", 0, 1)
    report.result = (
        score_nation(drawn) if registry is None else score_nation_in_store(registry, drawn)
    )
    progress("nation: score", 1, 1)
    seconds["score and measure"] = time.perf_counter() - started
    return report
