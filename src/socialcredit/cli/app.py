"""The `scs` command (SPEC §6): argument parsing and rendering only; the registry does the work.

Exit codes: 0 done; 1 the input was judged and refused (an invalid catalogue, a date before
the first catalogue, no file for a subject); 2 the command could not run (bad arguments, a
missing or unreadable file, an unknown source, a store that cannot be opened).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.cli import render
from socialcredit.cli.rights import RIGHTS_COMMANDS, objection_app
from socialcredit.csv_files import write_csv
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.ingest.readers import UnreadableFile
from socialcredit.ingest.rejects import RejectsPathUnusable
from socialcredit.registry import InvalidIdentifier, Registry, UnknownSource
from socialcredit.store.store import Store, StoreUnavailable
from socialcredit.store.urls import STORE_URL_VARIABLE, BadStoreURL
from socialcredit.synth.city import CityPlan, write_city
from socialcredit.synth.demo import (
    DEMO_DIRECTORY,
    DEMO_STORE_FILE,
    RONGCHENG_ORGANIZATIONS,
    RONGCHENG_PERSONS,
    SMALL_SCALE,
    StoreNotEmpty,
    demo_plan,
    run_demo,
)

EXIT_REFUSED = 1
EXIT_CANNOT_RUN = 2

app = typer.Typer(
    name="scs",
    help="Social credit information registry: publish catalogues, ingest records, score, show files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Publish and list catalogue versions.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(objection_app, name="objection")
for _command in RIGHTS_COMMANDS:
    app.command()(_command)

# Piped or redirected output is not cut to 80 columns: tables keep their words whole.
WIDTH_WHEN_NOT_A_TERMINAL = 160
stdout = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else WIDTH_WHEN_NOT_A_TERMINAL)
stderr = Console(stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else WIDTH_WHEN_NOT_A_TERMINAL)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=STORE_URL_VARIABLE,
        help="Store URL: sqlite:///PATH (default sqlite:///scs.db) or postgresql://USER@HOST[:PORT]/DB.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Scoring date, YYYY-MM-DD. Default: today.", show_default=False),
]


class _Settings:
    database: str | None = None


_settings = _Settings()


@app.callback()
def _global_options(database: DatabaseOption = None) -> None:
    _settings.database = database


def fail(message: str, code: int) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code)


@contextmanager
def open_registry(database: str | None) -> Iterator[Registry]:
    try:
        store = Store.open(database or _settings.database)
    except (BadStoreURL, StoreUnavailable) as error:
        raise fail(str(error), EXIT_CANNOT_RUN) from None
    try:
        yield Registry(store)
    finally:
        store.close()


def parse_day(value: str | None, registry: Registry) -> dt.date:
    if value is None:
        return registry.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of {value!r} is not a date (YYYY-MM-DD)", EXIT_CANNOT_RUN) from None


# -- catalogue -------------------------------------------------------------------------------


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
        stdout.print(render.catalogue_versions(registry.store.catalogue_rows()))


# -- records ---------------------------------------------------------------------------------


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="Records as .csv, .jsonl or .parquet.")],
    source: Annotated[str, typer.Option("--source", help="Code of the submitting source.")],
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Where to write rejected rows. Default: FILE.rejects.csv."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Check and append a file of records; write the rejected rows with their reasons."""
    with open_registry(database) as registry:
        try:
            result = registry.ingest(file, source, rejects)
        except (UnreadableFile, UnknownSource, RejectsPathUnusable) as error:
            raise fail(str(error), EXIT_CANNOT_RUN) from None
    if result.unknown_columns:
        stderr.print(f"warning: ignored columns: {', '.join(result.unknown_columns)}")
    print(result.counts.summary())
    if result.counts.rejected:
        stderr.print(f"rejected rows and their reasons: {result.rejects_path}")


@app.command()
def batches(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    database: DatabaseOption = None,
) -> None:
    """List the most recent ingested files with their counts."""
    with open_registry(database) as registry:
        stdout.print(render.batches(registry.store.batches(source)))


@app.command("rejected")
def rejected(
    batch: Annotated[int, typer.Argument(help="Batch id, as `scs batches` lists it.")],
    database: DatabaseOption = None,
) -> None:
    """Print the rejected rows of one ingested file, with their reasons, as CSV."""
    with open_registry(database) as registry:
        if registry.store.batch(batch) is None:
            raise fail(f"no ingested file has batch id {batch}", EXIT_REFUSED)
        frame = registry.store.rejected_rows(batch)
    write_csv(frame, sys.stdout.buffer)


# -- scores ----------------------------------------------------------------------------------


@app.command()
def score(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, or .parquet.")],
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
) -> None:
    """Score every subject as of a date."""
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            scores = registry.score_all(day)
        except AsOfBeforeCatalogue as error:
            raise fail(str(error), EXIT_REFUSED) from None
    render.write_scores(scores, out)
    stdout.print(f"scored {scores.height} subjects as of {day}: {out}")


@app.command()
def show(
    subject_id: Annotated[str, typer.Argument(help="Resident identity number or credit code.")],
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    viewer: Annotated[
        str | None,
        typer.Option("--viewer", help="Who is looking (logged in the file). Default: $SCS_VIEWER or the OS user."),
    ] = None,
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why (logged in the file).")
    ] = "inspection",
    database: DatabaseOption = None,
) -> None:
    """One subject's file: score, tier, lists, key factors, counting records, objections,
    statement, who looked."""
    viewer = viewer or os.environ.get("SCS_VIEWER") or getpass.getuser()
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            files = registry.subject_files(subject_id, day, viewer, purpose, channel="cli")
        except InvalidIdentifier as error:
            raise fail(str(error), EXIT_REFUSED) from None
        except AsOfBeforeCatalogue as error:
            raise fail(str(error), EXIT_REFUSED) from None
    if not files:
        raise fail(f"no credit file for {subject_id} as of {day}", EXIT_REFUSED)
    if as_json:
        sys.stdout.write(render.files_json(files) + "\n")
    else:
        for subject_file in files:
            render.print_file(stdout, subject_file)


# -- synthetic data ----------------------------------------------------------------------------


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the city into.")] = Path("synthetic-city"),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    persons: Annotated[int, typer.Option("--persons", min=1, help="Adult residents.")] = RONGCHENG_PERSONS,
    orgs: Annotated[int, typer.Option("--orgs", min=1, help="Organizations.")] = RONGCHENG_ORGANIZATIONS,
    years: Annotated[int, typer.Option("--years", min=1, max=20, help="Years of records up to today.")] = 3,
) -> None:
    """Write a reproducible synthetic city: its catalogue, one record file per source (CSV,
    JSON Lines and Parquet, faulty rows included) and a manifest of what each file holds."""
    plan = CityPlan(seed=seed, persons=persons, organizations=orgs, years=years, today=dt.date.today())
    with render.progress_bars(stderr) as progress:
        started = time.perf_counter()
        manifest = write_city(plan, out, progress.callback("generate"))
    seconds = time.perf_counter() - started
    stdout.print(render.city_written(manifest, out, seconds))


@app.command()
def demo(
    small: Annotated[bool, typer.Option("--small", help="A twentieth of the default scale, for a quick look.")] = False,
    scale: Annotated[float | None, typer.Option("--scale", min=0.001, help="Scale against Rongcheng (1.0: 740,000 residents, 30,000 organizations).")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    years: Annotated[int, typer.Option("--years", min=1, max=20)] = 3,
    out: Annotated[Path, typer.Option("--out", help="Directory for the city's files.")] = DEMO_DIRECTORY,
    database: DatabaseOption = None,
) -> None:
    """Build a synthetic city at a real city's scale, ingest it, score it, and say what it found."""
    factor = scale if scale is not None else (SMALL_SCALE if small else 1.0)
    chosen = database or _settings.database
    if chosen is None:
        for suffix in ("", "-wal", "-shm"):  # the demo's own store: a fresh one every run
            Path(f"{DEMO_STORE_FILE}{suffix}").unlink(missing_ok=True)
        chosen = f"sqlite:///{DEMO_STORE_FILE}"
    with open_registry(chosen) as registry:
        plan = demo_plan(factor, seed, years, registry.today())
        started = time.perf_counter()
        with render.progress_bars(stderr) as progress:
            try:
                report = run_demo(registry, plan, out, progress.callback())
            except StoreNotEmpty as error:
                raise fail(str(error), EXIT_CANNOT_RUN) from None
        report.seconds["total"] = time.perf_counter() - started
    render.print_demo(stdout, report, chosen)


def main() -> None:
    app()

