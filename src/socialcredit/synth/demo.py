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
    write_nation,
)
from socialcredit.synth.objections import ObjectionOutcome, object_and_answer
from socialcredit.synth.realism import RealismFigure, measure_realism
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
        plan, manifest, directory, outcomes, population, objections, measures, realism, seconds
    )


NATION_DIRECTORY = "nation"


@dataclass
class NationReport:
    """The demo nation (SPEC §11): its files, and each city and the nation scored and measured
    from the records the generator drew."""

    plan: NationPlan
    manifest: NationManifest
    directory: Path
    result: NationResult
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def realistic(self) -> bool:
        return all(figure.inside for figure in self.result.realism) and all(
            figure.inside for city in self.result.cities for figure in city.realism
        )


def run_nation(plan: NationPlan, directory: Path, progress: Progress) -> NationReport:
    """Write the national catalogue and the three cities' catalogues and files into
    `directory`, then score every city as of the plan's today with the batch scorer and the
    national lists, and measure each city and the nation."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    manifest, drawn = write_nation(
        plan, directory, lambda what, done, total: progress("nation: generate", done, total)
    )
    seconds["generate"] = time.perf_counter() - started
    started = time.perf_counter()
    progress("nation: score", 0, 1)
    result = score_nation(drawn)
    progress("nation: score", 1, 1)
    seconds["score and measure"] = time.perf_counter() - started
    return NationReport(plan, manifest, directory, result, seconds)
