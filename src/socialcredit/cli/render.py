"""Rendering registry results for the terminal and for files. Presentation only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl
from pydantic import TypeAdapter
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from socialcredit.csv_files import write_csv
from socialcredit.registry import (
    CatalogueRow,
    CheckAnswer,
    FileDocument,
    FileRecord,
    IngestBatch,
    Listing,
    MeasureCoverage,
    Objection,
    Repair,
    SubjectFile,
)

if TYPE_CHECKING:  # the generator imports NumPy; `scs score` need not
    from socialcredit.synth.city import CityManifest
    from socialcredit.synth.demo import DemoReport, NationReport
    from socialcredit.synth.realism import RealismFigure

PHASE_TITLES = {
    "generate": "Generating the city",
    "ingest": "Ingesting the record files",
    "objections": "Objecting and answering",
    "repairs": "Applying for repair",
    "score": "Scoring every subject",
}


def catalogue_versions(rows: list[CatalogueRow]) -> Table:
    table = Table("jurisdiction", "version", "catalog", "effective from", "published at", "sha256")
    for row in rows:
        table.add_row(
            row.jurisdiction,
            str(row.version),
            row.catalog,
            str(row.effective_from),
            f"{row.published_at:%Y-%m-%d %H:%M}",
            row.sha256[:12],
        )
    return table


def batches(rows: list[IngestBatch]) -> Table:
    table = Table("batch", "source", "file", "submitted", "accepted", "duplicates", "rejected")
    for row in rows:
        table.add_row(
            str(row.id),
            row.source,
            row.file_name,
            str(row.submitted_on),
            str(row.accepted),
            str(row.duplicates),
            str(row.rejected),
        )
    return table


def write_scores(scores: pl.DataFrame, out: Path) -> None:
    """CSV (an empty `lists` is an empty field) or Parquet, by the file's extension."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        scores.write_parquet(out)
        return
    write_csv(scores, str(out))


def to_json(value: object) -> str:
    """A registry document (pydantic) as the CLI prints it: indented, dates as YYYY-MM-DD,
    instants with their offset (orjson's, as `datetime.isoformat`)."""
    plain = _ANY.dump_python(value, by_alias=True)
    return orjson.dumps(plain, option=orjson.OPT_INDENT_2).decode()


def document_data(value: object) -> Any:
    """A document (or a list of them) as the JSON `to_json` prints, parsed back."""
    return orjson.loads(to_json(value))


_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def file_document(subject_file: SubjectFile) -> dict[str, Any]:
    """SPEC §7.4: the file as `scs show --json` prints it."""
    return document_data(subject_file.document)


def files_json(files: list[SubjectFile]) -> str:
    documents = [subject_file.document for subject_file in files]
    return to_json(documents[0] if len(documents) == 1 else documents)


def _rule_notes(records: list[FileRecord]) -> list[str]:
    """Why a record's points differ from points × quantity (SPEC §10.4, §10.3)."""
    notes = []
    for entry in records:
        if entry.repeat_factor != 1:
            notes.append(
                f"{entry.source} {entry.record_id}: a repeat, points × quantity × "
                f"{entry.repeat_factor} = {entry.value:+d}"
            )
        if entry.counted_once_with is not None:
            scoring = entry.counted_once_with
            notes.append(
                f"{entry.source} {entry.record_id}: act {entry.act} counted once with "
                f"{scoring.source} {scoring.record_id}, which scores for it"
            )
    return notes


def print_national_listings(
    console: Console, subject_id: str, as_of: dt.date, listings: list[Listing]
) -> None:
    """SPEC §11: a subject with no local file, on national lists."""
    console.print(f"[bold]{subject_id}[/] as of {as_of}: no local file; on national lists")
    print_listings(console, listings)


def print_listings(console: Console, listings: list[Listing]) -> None:
    """Each list entered through records, with the record that put the subject on it."""
    if not listings:
        return
    table = Table("list", "source", "reference", "decided", "published until", title="Listings")
    for entry in listings:
        table.add_row(
            entry.list,
            entry.source,
            entry.reference,
            str(entry.decided_on),
            str(entry.published_until or "-"),
        )
    console.print(table)


def print_file(console: Console, document: FileDocument) -> None:
    lists = ", ".join(document.lists) or "none"
    where = f" in {document.jurisdiction}" if document.jurisdiction else ""
    console.print(
        f"[bold]{document.subject_id}[/] ({document.kind}){where} as of {document.as_of}: "
        f"score [bold]{document.score}[/], tier [bold]{document.tier}[/], lists: {lists}"
    )
    console.print(
        f"base {document.base_score} under catalogue version {document.catalogue_version}"
    )
    print_listings(console, document.listings)
    factors = Table("item", "title", "points", title="Key factors")
    for factor in document.key_factors:
        factors.add_row(factor.item, factor.title, f"{factor.points:+d}")
    console.print(factors)
    records = Table(
        "decided",
        "item",
        "points",
        "source",
        "reference",
        "legal basis",
        "counts until",
        title="Counting records",
    )
    for entry in document.counting_records:
        records.add_row(
            str(entry.decided_on),
            entry.item,
            f"{entry.points:+d}",
            entry.source,
            entry.reference,
            entry.legal_basis,
            str(entry.counts_until or "-"),
        )
    console.print(records)
    for note in _rule_notes(document.counting_records):
        console.print(note, markup=False)
    print_objections(console, document.objections, title="Objections")
    print_repairs(console, document.repairs, title="Repairs")
    statement = document.statement
    if statement is None:
        console.print("Statement: none")
    else:
        console.print(f"Statement of {statement.made_on}: {statement.text}", markup=False)
    views = Table("when", "who", "purpose", "channel", "answer", title="Who looked at this file")
    for view in document.views:
        answer = "" if view.applies is None else ("applies" if view.applies else "does not apply")
        views.add_row(
            f"{view.viewed_at:%Y-%m-%d %H:%M}", view.viewer, view.purpose, view.channel, answer
        )
    console.print(views)
    if document.views_total > len(document.views):
        console.print(
            f"{document.views_total:,} looks in all; the latest {len(document.views)} shown"
        )
    if document.views_repeated:
        repeated = Table(
            "who", "purpose", "channel", "looks", "first", "last", "applied", title="Repeated looks"
        )
        for summary in document.views_repeated:
            repeated.add_row(
                summary.viewer,
                summary.purpose,
                summary.channel,
                str(summary.looks),
                f"{summary.first_at:%Y-%m-%d %H:%M}",
                f"{summary.last_at:%Y-%m-%d %H:%M}",
                "" if summary.applied is None else str(summary.applied),
            )
        console.print(repeated)


def print_check(answer: CheckAnswer) -> None:
    print("applies" if answer.applies else "does not apply")
    if answer.because:
        print("because " + answer.because.replace(":", " ", 1))
    print(f"catalogue version {answer.catalogue_version}, as of {answer.as_of}")


def print_measures(found: list[MeasureCoverage]) -> None:
    if not found:
        print("no measures in effect")
        return
    print(f"catalogue version {found[0].catalogue_version}, as of {found[0].as_of}")
    for coverage in found:
        parties = ", ".join(coverage.relying_parties) or "nobody"
        print(
            f"{coverage.code}: {coverage.title}; applies to {coverage.applies_to}: "
            f"{coverage.subjects:,} subjects; relied on by {parties}"
        )


OBJECTION_HEADINGS = (
    "number",
    "source",
    "record",
    "rev",
    "subject",
    "filed",
    "due",
    "state",
    "answered",
    "reason",
)


def print_objections(
    console: Console, objections: list[Objection], title: str | None = None
) -> None:
    """One plain line per objection (no table rules, nothing cut), the reason last."""
    if title:
        console.print(f"{title}: {'none' if not objections else len(objections)}")
    if not objections:
        return
    rows = [OBJECTION_HEADINGS] + [
        (
            str(objection.number),
            objection.source,
            objection.record_id,
            str(objection.revision),
            objection.subject_id,
            str(objection.filed_on),
            str(objection.due_on),
            objection.state,
            str(objection.answered_on or "-"),
            objection.reason,
        )
        for objection in objections
    ]
    _print_plain_rows(console, rows)


def _print_plain_rows(console: Console, rows: list[tuple[str, ...]]) -> None:
    """Rows as plain lines, columns padded but the last (free text) left whole."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        console.print("  ".join([*cells, row[-1]]), markup=False)


REPAIR_HEADINGS = (
    "number",
    "source",
    "record",
    "subject",
    "applied",
    "state",
    "decided",
    "evidence",
)


def print_repairs(console: Console, repairs: list[Repair], title: str | None = None) -> None:
    """One plain line per application for repair (SPEC §10.2), the evidence last; a refusal's
    reason on the line after it."""
    if title:
        console.print(f"{title}: {'none' if not repairs else len(repairs)}")
    if not repairs:
        return
    rows = [REPAIR_HEADINGS] + [
        (
            str(repair.number),
            repair.source,
            repair.record_id,
            repair.subject_id,
            str(repair.applied_on),
            repair.state,
            str(repair.decided_on or "-"),
            repair.evidence,
        )
        for repair in repairs
    ]
    _print_plain_rows(console, rows)
    for repair in repairs:
        if repair.reason:
            console.print(f"repair {repair.number} refused: {repair.reason}", markup=False)


class PhaseProgress:
    """One Rich progress bar per phase, fed by `(phase, done, total)` callbacks."""

    def __init__(self, progress: Progress):
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def callback(self, fixed_phase: str | None = None) -> Callable[..., None]:
        def report(*arguments) -> None:
            phase, done, total = (fixed_phase, *arguments[-2:]) if fixed_phase else arguments
            if phase not in self._tasks:
                self._tasks[phase] = self._progress.add_task(
                    PHASE_TITLES.get(phase, phase), total=total
                )
            self._progress.update(self._tasks[phase], completed=done, total=total)

        return report


@contextmanager
def progress_bars(console: Console) -> Iterator[PhaseProgress]:
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield PhaseProgress(progress)


def city_written(manifest: CityManifest, directory: Path, seconds: float) -> str:
    plan = manifest.plan
    formats = sorted({source.format for source in manifest.sources})
    faults = sum(sum(source.faults.values()) for source in manifest.sources)
    return (
        f"wrote {plan['persons']:,} residents and {plan['organizations']:,} organizations over "
        f"{plan['years']} years: {manifest.rows:,} rows in {len(manifest.sources)} files "
        f"({', '.join(formats)}), {faults:,} of them faulty, in {seconds:.1f} s\n"
        f"catalogue: {directory / manifest.catalogue}; "
        f"what each file holds: {directory / 'city.json'}"
    )


def print_demo(console: Console, report: DemoReport, store: str) -> None:
    population, summary = report.population, report.population.summary
    plan = report.plan
    seconds = report.seconds
    city = plan.city
    console.print(
        f"\n[bold]A synthetic city[/], {city.name} (jurisdiction {city.jurisdiction}), of "
        f"{city.persons:,} residents and {city.organizations:,} "
        f"organizations, {len(report.manifest.sources)} sources, {plan.years} years: "
        f"{report.manifest.rows:,} rows in {len(report.manifest.sources)} files "
        f"(generated in {seconds['generate']:.1f} s)."
    )
    rate = report.manifest.rows / seconds["ingest"]
    console.print(
        f"Ingested in {seconds['ingest']:.1f} s ({rate:,.0f} rows/s): "
        f"accepted {report.accepted:,}, duplicates {report.duplicates:,}, "
        f"rejected {report.rejected:,}."
    )
    worst = Table(
        "source",
        "format",
        "rows",
        "rejected",
        "reject rate",
        title="Sources with the highest reject rates",
    )
    for outcome in report.worst_sources():
        worst.add_row(
            outcome.source,
            outcome.format,
            f"{outcome.rows:,}",
            f"{outcome.rejected:,}",
            f"{outcome.reject_rate:.1%}",
        )
    console.print(worst)

    console.print(
        f"Scored {summary.subjects:,} subjects as of {population.as_of} "
        f"in {seconds['score']:.1f} s."
    )
    tiers = Table("kind", "tier", "subjects", "share", title="Tiers")
    for row in summary.tiers.iter_rows(named=True):
        tiers.add_row(row["kind"], row["tier"], f"{row['subjects']:,}", f"{row['share']:.1%}")
    console.print(tiers)
    lists = Table("list", "subjects", title="Lists")
    for row in summary.lists.iter_rows(named=True):
        lists.add_row(row["list"], f"{row['subjects']:,}")
    console.print(lists)
    moved = Table("item", "title", "points", "subjects", title="Items that moved the most points")
    contributions = population.contributions
    for row in [
        *contributions.head(5).iter_rows(named=True),
        *contributions.tail(5).reverse().iter_rows(named=True),
    ]:
        moved.add_row(row["item"], row["title"], f"{row['points']:+,}", f"{row['subjects']:,}")
    console.print(moved)
    outcome = report.objections
    objections = Table(
        "state",
        "objections",
        title=(
            f"Objections ({outcome.filed:,} filed, in {seconds['objections']:.1f} s), "
            "as they stand today"
        ),
    )
    for state, count in outcome.by_state.items():
        objections.add_row(state, f"{count:,}")
    console.print(objections)
    if report.repairs is not None:
        repairs = Table(
            "state",
            "repairs",
            title=(
                f"Credit repairs ({report.repairs.applied:,} applied for, in "
                f"{seconds.get('repairs', 0):.1f} s), as they stand today"
            ),
        )
        for state, count in report.repairs.by_state.items():
            repairs.add_row(state, f"{count:,}")
        console.print(repairs)
    measures = Table(
        "measure",
        "applies to",
        "relying parties",
        "subjects",
        title="Measures, by how many subjects they apply to",
    )
    for coverage in sorted(report.measures, key=lambda coverage: -coverage.subjects):
        measures.add_row(
            coverage.code,
            coverage.applies_to,
            ", ".join(coverage.relying_parties),
            f"{coverage.subjects:,}",
        )
    console.print(measures)
    realism = Table(
        "figure",
        "value",
        "range",
        "inside",
        title=f"Realism: the city against real ones (measured in {seconds['realism']:.1f} s)",
    )
    for figure in report.realism:
        realism.add_row(
            figure.name, figure.shown, figure.shown_range, "yes" if figure.inside else "[red]no[/]"
        )
    console.print(realism)
    console.print(
        f"Done in {seconds['total']:.1f} s. The store is {store}; "
        f"the files are in {report.directory}/."
    )
    example = report.example_subject()
    database = f" --db {store}"
    console.print("\n[bold]Try next[/]")
    suggestions = [
        (f"scs show {example}{database}", "one file: why its score is what it is"),
        (
            f"scs check {example} --measure no_air_travel --party civil-aviation "
            f'--purpose "ticket sale"{database}',
            "a relying party's yes or no, logged in the file",
        ),
        (
            f"scs objection list --open{database}",
            "objections not answered yet, with their due dates",
        ),
        (f"scs score --out scores.csv{database}", "every subject, as CSV"),
        (f"scs batches{database}", "what each source sent, and what was refused"),
        (f"scs catalog versions{database}", "the published catalogue"),
    ]
    width = max(len(command) for command, _ in suggestions)
    for command, why in suggestions[0 if example else 2 :]:
        console.print(f"  {command:<{width}}  # {why}", markup=False)


def _realism_table(title: str, figures: list[RealismFigure]) -> Table:
    table = Table("figure", "value", "range", "inside", title=title)
    for figure in figures:
        table.add_row(
            figure.name, figure.shown, figure.shown_range, "yes" if figure.inside else "[red]no[/]"
        )
    return table


def print_nation(console: Console, report: NationReport, store: str | None = None) -> None:
    """The demo nation: each city's size and catalogue, what publishing and ingesting gave per
    jurisdiction, how long each step took, and per city and for the nation the tiers, the lists
    and the realism figures."""
    plan, result, seconds = report.plan, report.result, report.seconds
    national = report.manifest.national
    console.print(
        f"\n[bold]A synthetic nation[/] (SPEC §11): the national catalogue "
        f"({len(national.sources)} sources, {national.rows:,} rows: the court's list of dishonest "
        f"judgment debtors, major tax violators) and {len(result.cities)} cities, {plan.years} "
        f"years: {report.rows:,} rows in {report.directory}/."
    )
    cities = Table(
        "city",
        "jurisdiction",
        "residents",
        "organizations",
        "base score",
        "national floors",
        "items",
        "sources",
        "rows",
        title="Cities",
    )
    for city in result.cities:
        manifest = report.manifest.cities[city.city.jurisdiction]
        floors = ", ".join(f"{name} {score}" for name, score in city.spec.national_floors.items())
        cities.add_row(
            city.city.name,
            city.city.jurisdiction,
            f"{city.city.persons:,}",
            f"{city.city.organizations:,}",
            f"{city.city.base_score:,}",
            floors or "none",
            f"{len(city.spec.items)}",
            f"{len(manifest.sources)}",
            f"{manifest.rows:,}",
        )
    console.print(cities)
    if report.outcomes:
        console.print(
            "Published " + ", ".join(f"{name} v{v}" for name, v in report.published.items()) + "."
        )
        ingested = Table(
            "jurisdiction", "files", "rows", "accepted", "duplicates", "rejected", title="Ingested"
        )
        for jurisdiction, outcomes in report.outcomes.items():
            ingested.add_row(
                jurisdiction,
                f"{len(outcomes)}",
                f"{sum(outcome.rows for outcome in outcomes):,}",
                f"{sum(outcome.accepted for outcome in outcomes):,}",
                f"{sum(outcome.duplicates for outcome in outcomes):,}",
                f"{sum(outcome.rejected for outcome in outcomes):,}",
            )
        console.print(ingested)
    steps = Table("step", "seconds", "rows/s", title="Steps of the nation")
    for step, taken in seconds.items():
        rate = f"{report.rows / taken:,.0f}" if step in ("generate", "ingest") and taken else ""
        steps.add_row(step, f"{taken:.1f}", rate)
        if step != "score and measure":
            continue
        for city in result.cities:
            steps.add_row(
                f"  of which: score {city.city.jurisdiction}",
                f"{city.score_seconds:.1f}",
                f"{city.ledger.height / city.score_seconds:,.0f} records"
                if city.score_seconds
                else "",
            )
    console.print(steps)
    for city in result.cities:
        scores = city.scores
        tiers = (
            scores.group_by("kind", "tier")
            .len("subjects")
            .sort("kind", pl.col("tier").cast(pl.Enum([t.name for t in city.catalogue.tiers])))
        )
        table = Table("kind", "tier", "subjects", title=f"{city.city.name}: tiers")
        for row in tiers.iter_rows(named=True):
            table.add_row(row["kind"], row["tier"], f"{row['subjects']:,}")
        console.print(table)
        lists = (
            scores.select(pl.col("lists").str.split(";").alias("list"))
            .explode("list")
            .filter(pl.col("list") != "")
            .group_by("list")
            .len("subjects")
            .sort("list")
        )
        table = Table("list", "subjects", title=f"{city.city.name}: lists")
        for row in lists.iter_rows(named=True):
            table.add_row(row["list"], f"{row['subjects']:,}")
        console.print(table)
        console.print(
            _realism_table(f"Realism: {city.city.name} against real cities", city.realism)
        )
    console.print(_realism_table("Realism: the nation", result.realism))
    if store is not None:
        console.print(
            f"The store is {store}; the files are in {report.directory}/.\n\n[bold]Try next[/]"
        )
        example = result.example_subject()
        suggestions = [
            (f"scs catalog versions --db {store}", "the national and the three local catalogues"),
            (f"scs batches --db {store}", "what each source sent, and what was refused"),
        ]
        if example:
            suggestions.insert(
                0, (f"scs show {example} --db {store}", "the national lists and each local file")
            )
        width = max(len(command) for command, _ in suggestions)
        for command, why in suggestions:
            console.print(f"  {command:<{width}}  # {why}", markup=False)
