"""Rendering registry results for the terminal and for files. Presentation only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl
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
from socialcredit.domain.objections import Objection
from socialcredit.registry import SubjectFile
from socialcredit.rights import Statement
from socialcredit.store.store import CatalogueRow, IngestBatch

if TYPE_CHECKING:  # the generator imports NumPy; `scs score` need not
    from socialcredit.synth.city import CityManifest
    from socialcredit.synth.demo import DemoReport

PHASE_TITLES = {
    "generate": "Generating the city",
    "ingest": "Ingesting the record files",
    "objections": "Objecting and answering",
    "score": "Scoring every subject",
}


def catalogue_versions(rows: list[CatalogueRow]) -> Table:
    table = Table("version", "catalog", "effective from", "published at", "sha256")
    for row in rows:
        table.add_row(
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


def file_document(subject_file: SubjectFile) -> dict[str, Any]:
    score = subject_file.score
    return {
        "subject_id": score.subject_id,
        "kind": score.subject_kind,
        "as_of": score.as_of.isoformat(),
        "catalogue_version": score.catalogue_version,
        "base_score": score.base_score,
        "score": score.score,
        "tier": score.tier,
        "lists": list(score.lists),
        "key_factors": [
            {"item": factor.item, "title": factor.title, "points": factor.points}
            for factor in score.key_factors
        ],
        "counting_records": [
            {
                "source": entry.record.source,
                "record_id": entry.record.record_id,
                "revision": entry.record.revision,
                "item": entry.record.item,
                "title": entry.rule.title,
                "decided_on": entry.record.decided_on.isoformat(),
                "quantity": entry.record.quantity,
                "points": entry.points,
                "reference": entry.record.reference,
                "legal_basis": entry.rule.legal_basis,
                "catalogue_version": entry.rule.version,
                "counts_until": entry.counts_until.isoformat() if entry.counts_until else None,
            }
            for entry in score.counting_records
        ],
        "objections": [objection_document(objection) for objection in subject_file.objections],
        "statement": statement_document(subject_file.statement),
        "views": [
            {
                "viewed_at": view.viewed_at.isoformat(),
                "viewer": view.viewer,
                "purpose": view.purpose,
                "channel": view.channel,
            }
            for view in subject_file.views
        ],
    }


def objection_document(objection: Objection) -> dict[str, Any]:
    """SPEC §7.4: an objection as it stands on its `as_of` day."""
    answered_on = objection.answered_on
    return {
        "number": objection.number,
        "source": objection.source,
        "record_id": objection.record_id,
        "revision": objection.revision,
        "subject_id": objection.subject_id,
        "kind": objection.subject_kind,
        "filed_on": objection.filed_on.isoformat(),
        "due_on": objection.due_on.isoformat(),
        "reason": objection.reason,
        "state": objection.state,
        "answered_on": answered_on.isoformat() if answered_on else None,
        "note": objection.note,
    }


def statement_document(statement: Statement | None) -> dict[str, Any] | None:
    if statement is None:
        return None
    return {
        "text": statement.text,
        "made_on": statement.made_on.isoformat(),
        "made_at": statement.made_at.isoformat(),
    }


def files_json(files: list[SubjectFile]) -> str:
    documents = [file_document(subject_file) for subject_file in files]
    payload = documents[0] if len(documents) == 1 else documents
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()


def print_file(console: Console, subject_file: SubjectFile) -> None:
    score = subject_file.score
    lists = ", ".join(score.lists) or "none"
    console.print(
        f"[bold]{score.subject_id}[/] ({score.subject_kind}) as of {score.as_of}: "
        f"score [bold]{score.score}[/], tier [bold]{score.tier}[/], lists: {lists}"
    )
    console.print(f"base {score.base_score} under catalogue version {score.catalogue_version}")
    factors = Table("item", "title", "points", title="Key factors")
    for factor in score.key_factors:
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
    for entry in score.counting_records:
        records.add_row(
            str(entry.record.decided_on),
            entry.record.item,
            f"{entry.points:+d}",
            entry.record.source,
            entry.record.reference,
            entry.rule.legal_basis,
            str(entry.counts_until or "-"),
        )
    console.print(records)
    print_objections(console, subject_file.objections, title="Objections")
    statement = subject_file.statement
    if statement is None:
        console.print("Statement: none")
    else:
        console.print(f"Statement of {statement.made_on}: {statement.text}", markup=False)
    views = Table("when", "who", "purpose", "channel", title="Who looked at this file")
    for view in subject_file.views:
        views.add_row(f"{view.viewed_at:%Y-%m-%d %H:%M}", view.viewer, view.purpose, view.channel)
    console.print(views)


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
    widths = [
        max(len(row[column]) for row in rows) for column in range(len(OBJECTION_HEADINGS) - 1)
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        console.print("  ".join([*cells, row[-1]]), markup=False)


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
        f"catalogue: {directory / manifest.catalogue}; what each file holds: {directory / 'city.json'}"
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
    console.print(
        f"Ingested in {seconds['ingest']:.1f} s ({report.manifest.rows / seconds['ingest']:,.0f} rows/s): "
        f"accepted {report.accepted:,}, duplicates {report.duplicates:,}, rejected {report.rejected:,}."
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
        f"Scored {summary.subjects:,} subjects as of {population.as_of} in {seconds['score']:.1f} s."
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
        title=f"Objections ({outcome.filed:,} filed, in {seconds['objections']:.1f} s), as they stand today",
    )
    for state, count in outcome.by_state.items():
        objections.add_row(state, f"{count:,}")
    console.print(objections)
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
        f"Done in {seconds['total']:.1f} s. The store is {store}; the files are in {report.directory}/."
    )
    example = report.example_subject()
    database = f" --db {store}"
    console.print("\n[bold]Try next[/]")
    suggestions = [
        (f"scs show {example}{database}", "one file: why its score is what it is"),
        (
            f'scs check {example} --measure no_air_travel --party civil-aviation --purpose "ticket sale"{database}',
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
