"""`scs catalog publish | versions` (SPEC §3, §6): parsing and rendering only; the registry
validates and publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from socialcredit.cli import render
from socialcredit.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_REFUSED,
    fail,
    open_registry,
    stderr,
    stdout,
)
from socialcredit.cli.options import DatabaseOption

catalog_app = typer.Typer(help="Publish and list catalogue versions.", no_args_is_help=True)


@catalog_app.command("publish")
def catalog_publish(
    file: Annotated[Path, typer.Argument(help="The catalogue, as YAML.")],
    database: DatabaseOption = None,
) -> None:
    """Validate a catalogue and publish it as a new version; print every problem if invalid."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {file}: {error}", EXIT_CANNOT_RUN) from None
    with open_registry(database) as registry:
        result = registry.publish_catalogue(text)
    for warning in result.warnings:
        stderr.print(f"warning: {warning}")
    if result.version is None:
        problems = result.report.problems
        stderr.print(f"{file}: the catalogue is invalid ({len(problems)} problems)")
        for problem in problems:
            stderr.print(f"  - {problem}")
        raise typer.Exit(EXIT_REFUSED)
    catalogue = result.report.catalogue
    assert catalogue is not None
    stdout.print(
        f"published {catalogue.catalog} version {catalogue.version}, effective from "
        f"{catalogue.effective_from}: {len(catalogue.items)} items, "
        f"{len(catalogue.sources)} sources, {len(catalogue.lists)} lists"
    )


@catalog_app.command("versions")
def catalog_versions(database: DatabaseOption = None) -> None:
    """List the published catalogue versions."""
    with open_registry(database) as registry:
        stdout.print(render.catalogue_versions(registry.catalogue_rows()))
