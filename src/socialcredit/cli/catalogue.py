"""`scs catalog publish | simulate | versions` (SPEC §3, §6, §10.6): parsing and rendering
only; the registry validates, simulates and publishes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from socialcredit.cli import render
from socialcredit.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_REFUSED,
    fail,
    open_registry,
    parse_day,
    stderr,
    stdout,
)
from socialcredit.cli.options import AsOfOption, DatabaseOption
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import CatalogueReport, Simulation

catalog_app = typer.Typer(help="Publish and list catalogue versions.", no_args_is_help=True)


@catalog_app.command("publish")
def catalog_publish(
    file: Annotated[Path, typer.Argument(help="The catalogue, as YAML.")],
    database: DatabaseOption = None,
) -> None:
    """Validate a catalogue and publish it as a new version; print every problem if invalid."""
    text = _read(file)
    with open_registry(database) as registry:
        result = registry.publish_catalogue(text)
    for warning in result.warnings:
        stderr.print(f"warning: {warning}")
    if result.version is None:
        raise _refused(file, result.report)
    catalogue = result.report.catalogue
    assert catalogue is not None
    stdout.print(
        f"published {catalogue.catalog} version {catalogue.version}, effective from "
        f"{catalogue.effective_from}: {len(catalogue.items)} items, "
        f"{len(catalogue.sources)} sources, {len(catalogue.lists)} lists"
    )


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {file}: {error}", EXIT_CANNOT_RUN) from None


def _refused(file: Path, report: CatalogueReport) -> typer.Exit:
    """An invalid catalogue: the line that says so, then every problem; exit 1."""
    problems = report.problems
    stderr.print(f"{file}: the catalogue is invalid ({len(problems)} problems)")
    for problem in problems:
        stderr.print(f"  - {problem}")
    return typer.Exit(EXIT_REFUSED)


@catalog_app.command("simulate")
def catalog_simulate(
    file: Annotated[Path, typer.Argument(help="The candidate catalogue, as YAML.")],
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """What a new catalogue version would change, before it is published: every subject scored
    as if FILE had replaced the version in effect on the date, against the real scores.
    Validated as publication would; nothing is stored or logged."""
    text = _read(file)
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            result = registry.simulate_catalogue(text, day)
        except AsOfBeforeCatalogue as error:
            raise fail(str(error), EXIT_REFUSED) from None
    for warning in result.warnings:
        stderr.print(f"warning: {warning}")
    if result.simulation is None:
        raise _refused(file, result.report)
    if as_json:
        sys.stdout.write(orjson.dumps(result.simulation.document()).decode() + "\n")
    else:
        print_simulation(stdout, file, result.simulation)


def print_simulation(console: Console, file: Path, simulation: Simulation) -> None:
    console.print(
        f"[bold]{file}[/] (version {simulation.candidate_version}) in place of version "
        f"{simulation.replaced_version}, as of {simulation.as_of}: "
        f"{simulation.subjects_changed} of {simulation.subjects} subjects would change "
        "(score, tier or lists). Nothing was stored."
    )
    if simulation.tier_changes:
        tiers = Table("from", "to", "subjects", title="Tier changes")
        for move, count in sorted(simulation.tier_changes.items(), key=lambda entry: -entry[1]):
            before, after = move.split(">", 1)
            tiers.add_row(before, after, f"{count:,}")
        console.print(tiers)
    else:
        console.print("No subject would change tier.")
    lists = Table("list", "would enter", "would leave", title="Lists")
    for name, moves in simulation.lists.items():
        lists.add_row(name, f"{moves['enter']:,}", f"{moves['leave']:,}")
    if simulation.lists:
        console.print(lists)
    measures = Table("measure", "would start", "would stop", title="Measures")
    for code, moves in simulation.measures.items():
        measures.add_row(code, f"{moves['start']:,}", f"{moves['stop']:,}")
    if simulation.measures:
        console.print(measures)
    if simulation.items:
        items = Table(
            "item", "points before", "points after", "change", title="Items that change the most"
        )
        for change in simulation.items:
            items.add_row(
                change.item,
                f"{change.points_before:,}",
                f"{change.points_after:,}",
                f"{change.change:+,}",
            )
        console.print(items)
    else:
        console.print("No item's summed points would change.")


@catalog_app.command("versions")
def catalog_versions(database: DatabaseOption = None) -> None:
    """List the published catalogue versions."""
    with open_registry(database) as registry:
        stdout.print(render.catalogue_versions(registry.catalogue_rows()))
