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

import polars as pl
import typer
from rich.console import Console

from socialcredit.cli import options, render
from socialcredit.cli.keys import demo_keys, keys_app, print_demo_keys
from socialcredit.cli.options import AsOfOption, DatabaseOption
from socialcredit.cli.rights import RIGHTS_COMMANDS, objection_app
from socialcredit.cli.serve import serve
from socialcredit.csv_files import write_csv
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import (
    STORE_URL_VARIABLE,
    BadStoreURL,
    Engine,
    InvalidIdentifier,
    Registry,
    StoreUnavailable,
    UnknownSource,
)
from socialcredit.scoring.snapshot import SnapshotDirectoryNotEmpty
from socialcredit.scoring.spark_job import SparkUnavailable
from socialcredit.synth.scale import (
    DEMO_DIRECTORY,
    DEMO_STORE_FILE,
    RONGCHENG,
    RONGCHENG_ORGANIZATIONS,
    RONGCHENG_PERSONS,
    SMALL_SCALE,
)

EXIT_REFUSED = 1
EXIT_CANNOT_RUN = 2
BATCHES_PAGE_ROWS = 100  # rows `scs batches` shows unless --limit says otherwise
BATCHES_PAGE_MAX_ROWS = 10_000

app = typer.Typer(
    name="scs",
    help=(
        "Social credit information registry: publish catalogues, ingest records, score, show files."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Publish and list catalogue versions.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(objection_app, name="objection")
for _command in RIGHTS_COMMANDS:
    app.command()(_command)
app.add_typer(keys_app, name="keys")
app.command("serve")(serve)

# Piped or redirected output is not cut to 80 columns: tables keep their words whole.
WIDTH_WHEN_NOT_A_TERMINAL = 160
stdout = Console(
    highlight=False,
    soft_wrap=True,
    width=None if sys.stdout.isatty() else WIDTH_WHEN_NOT_A_TERMINAL,
)
stderr = Console(
    stderr=True,
    highlight=False,
    soft_wrap=True,
    width=None if sys.stderr.isatty() else WIDTH_WHEN_NOT_A_TERMINAL,
)

app.callback()(options.root_options)


def fail(message: str, code: int) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code)


@contextmanager
def open_registry(database: str | None) -> Iterator[Registry]:
    """The registry on the chosen store. A store that cannot be opened, or that fails under
    the command (busy past its timeout, read-only, full), is one line and exit 2."""
    try:
        registry = Registry.open(options.chosen_store(database))
    except (BadStoreURL, StoreUnavailable) as error:
        raise fail(str(error), EXIT_CANNOT_RUN) from None
    try:
        yield registry
    except Exception as error:
        problem = registry.problem(error)
        if problem is None:
            raise
        raise fail(problem, EXIT_CANNOT_RUN) from None
    finally:
        if registry.unlogged_looks:
            stderr.print(
                "note: the store is read-only, so this look was not logged in the file's access log"
            )
        registry.close()


def check_output(path: Path, option: str) -> None:
    """Exit 2 with one line, before any work, when `path` cannot be written as a file."""
    problem = output_problem(path)
    if problem is not None:
        raise fail(f"{option} {path}: {problem}", EXIT_CANNOT_RUN)


def check_folder(path: Path, option: str) -> None:
    """Exit 2 with one line, before any work, when folder `path` cannot be made or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise fail(
            f"{option} {path}: cannot make the folder: {error.strerror}", EXIT_CANNOT_RUN
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise fail(f"{option} {path}: the folder may not be written", EXIT_CANNOT_RUN)


def output_problem(path: Path) -> str | None:
    if path.is_dir():
        return "is a folder, not a file"
    folder = path.parent
    while not folder.exists():  # the folders that writing will create
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if path.exists():
        if not os.access(path, os.W_OK):
            return "may not be written (permission denied)"
    elif not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be created: {folder} may not be written"
    return None


def parse_day(
    value: str | None, registry: Registry | None = None, option: str = "--as-of"
) -> dt.date | None:
    """The date given as `option` (YYYY-MM-DD exactly), else the registry's today (or None
    without a registry); exit 2 with one line when it is not a date."""
    if value is None:
        return registry.today() if registry is not None else None
    try:
        return options.strict_date(value, option)
    except options.BadDate as error:
        raise fail(str(error), EXIT_CANNOT_RUN) from None


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
        stdout.print(render.catalogue_versions(registry.catalogue_rows()))


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
    from socialcredit.ingest.readers import UnreadableFile  # imports pyarrow: only here
    from socialcredit.ingest.rejects import RejectsPathUnusable

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
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, max=BATCHES_PAGE_MAX_ROWS, help="At most this many, latest first."
        ),
    ] = BATCHES_PAGE_ROWS,
    before: Annotated[
        int | None,
        typer.Option(
            "--before",
            min=1,
            max=options.ROW_ID_MAX,
            help="Only batches with a lower id: the next page.",
            show_default=False,
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """List the most recent ingested files with their counts, a page at a time."""
    with open_registry(database) as registry:
        rows = registry.batches(source, limit + 1, before)
    page = rows[:limit]
    stdout.print(render.batches(page))
    if len(rows) > limit:
        following = [
            "scs batches",
            *(["--source", source] if source else []),
            "--limit",
            str(limit),
        ]
        stdout.print(f"more batches are older: {' '.join(following)} --before {page[-1].id}")


@app.command("rejected")
def rejected(
    batch: Annotated[
        int,
        typer.Argument(min=1, max=options.ROW_ID_MAX, help="Batch id, as `scs batches` lists it."),
    ],
    database: DatabaseOption = None,
) -> None:
    """Print the rejected rows of one ingested file, with their reasons, as CSV."""
    with open_registry(database) as registry:
        if registry.batch(batch) is None:
            raise fail(f"no ingested file has batch id {batch}", EXIT_REFUSED)
        frame = registry.rejected_rows(batch)
    write_csv(frame, sys.stdout.buffer)


# -- scores ----------------------------------------------------------------------------------


@app.command()
def score(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, or .parquet.")],
    as_of: AsOfOption = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="polars: in this process; spark: export a snapshot and score it with the Spark "
            "job in local mode (needs pyspark and Java), the same output.",
        ),
    ] = Engine.polars,
    database: DatabaseOption = None,
) -> None:
    """Score every subject as of a date."""
    check_output(out, "--out")
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            if engine is Engine.spark:
                scores = registry.score_all_on_spark(day)
            else:
                scores = registry.score_all(day)
        except AsOfBeforeCatalogue as error:
            raise fail(str(error), EXIT_REFUSED) from None
        except SparkUnavailable as error:
            raise fail(str(error), EXIT_CANNOT_RUN) from None
    try:
        render.write_scores(scores, out)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise fail(f"--out {out}: cannot write: {error}", EXIT_CANNOT_RUN) from None
    stdout.print(f"scored {scores.height} subjects as of {day}: {out}")


@app.command()
def export(
    out: Annotated[
        Path, typer.Option("--out", help="A new or empty directory to write the snapshot into.")
    ],
    parts: Annotated[
        int | None,
        typer.Option(
            "--parts",
            min=1,
            help="Ledger parts (by subject key). Default: one per 4 million records.",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """A snapshot of the current ledger for Spark: partitioned Parquet by subject key (names
    nobody), catalogue versions, objections, manifest."""
    if out.exists() and not out.is_dir():
        raise fail(f"--out {out}: exists and is not an empty directory", EXIT_CANNOT_RUN)
    check_folder(out, "--out")
    with open_registry(database) as registry:
        try:
            summary = registry.export_snapshot(out, parts)
        except SnapshotDirectoryNotEmpty as error:
            raise fail(f"--out {error}", EXIT_CANNOT_RUN) from None
        except OSError as error:
            raise fail(
                f"--out {out}: cannot write: {error.strerror or error}", EXIT_CANNOT_RUN
            ) from None
    stdout.print(
        f"exported {summary.records} records of {summary.subjects} subjects in {summary.parts} "
        f"parts, {summary.overdue_intervals} overdue intervals, {summary.catalogue_versions} "
        f"catalogue versions: {out}"
    )


@app.command("name-scores")
def name_scores(
    scores: Annotated[
        Path,
        typer.Argument(help="The Spark job's output directory (Parquet parts by subject key)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, or .parquet.")],
    database: DatabaseOption = None,
) -> None:
    """Join a Spark job's scores back to identifiers: the file `scs score` writes."""
    check_output(out, "--out")
    if not scores.is_dir() or not any(scores.glob("*.parquet")):
        raise fail(
            f"{scores}: not a directory of Parquet scores from the Spark job", EXIT_CANNOT_RUN
        )
    with open_registry(database) as registry:
        try:
            named = registry.name_scores(scores)
        except (OSError, pl.exceptions.PolarsError) as error:
            raise fail(f"{scores}: cannot read the scores: {error}", EXIT_CANNOT_RUN) from None
    unknown = named.filter(pl.col("subject_id").is_null()).height
    if unknown:
        raise fail(
            f"{scores}: {unknown} subject keys are unknown to this store's identity store",
            EXIT_REFUSED,
        )
    try:
        render.write_scores(named, out)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise fail(f"--out {out}: cannot write: {error}", EXIT_CANNOT_RUN) from None
    stdout.print(f"named {named.height} subjects: {out}")


@app.command()
def show(
    subject_id: Annotated[str, typer.Argument(help="Resident identity number or credit code.")],
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    viewer: Annotated[
        str | None,
        typer.Option(
            "--viewer",
            help="Who is looking (logged in the file). Default: $SCS_VIEWER or the OS user.",
        ),
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
            render.print_file(stdout, subject_file.document)


# -- synthetic data ----------------------------------------------------------------------------


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the city into.")] = Path(
        "synthetic-city"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    persons: Annotated[
        int, typer.Option("--persons", min=1, help="Adult residents.")
    ] = RONGCHENG_PERSONS,
    orgs: Annotated[
        int, typer.Option("--orgs", min=1, help="Organizations.")
    ] = RONGCHENG_ORGANIZATIONS,
    years: Annotated[
        int, typer.Option("--years", min=1, max=20, help="Years of records up to today.")
    ] = 3,
) -> None:
    """Write a reproducible synthetic city: its catalogue, one record file per source (CSV,
    JSON Lines and Parquet, faulty rows included) and a manifest of what each file holds."""
    from socialcredit.synth.city import CityPlan, write_city  # NumPy: only where it is used

    check_folder(out, "--out")
    plan = CityPlan(RONGCHENG.resized(persons, orgs), seed=seed, years=years, today=dt.date.today())
    with render.progress_bars(stderr) as progress:
        started = time.perf_counter()
        manifest = write_city(plan, out, progress.callback("generate"))
    seconds = time.perf_counter() - started
    stdout.print(render.city_written(manifest, out, seconds))


@app.command()
def demo(
    small: Annotated[
        bool, typer.Option("--small", help="A twentieth of the default scale, for a quick look.")
    ] = False,
    scale: Annotated[
        float | None,
        typer.Option(
            "--scale",
            min=0.001,
            help="Scale against Rongcheng (1.0: 740,000 residents, 30,000 organizations).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    years: Annotated[int, typer.Option("--years", min=1, max=20)] = 3,
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the city's files.")
    ] = DEMO_DIRECTORY,
    database: DatabaseOption = None,
) -> None:
    """Build a synthetic city at a real city's scale, ingest it, score it, and say what it found."""
    from socialcredit.synth.demo import StoreNotEmpty, demo_plan, run_demo  # NumPy: only here

    check_folder(out, "--out")
    factor = scale if scale is not None else (SMALL_SCALE if small else 1.0)
    chosen = options.chosen_store(database) or os.environ.get(STORE_URL_VARIABLE)
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
        keys = demo_keys(registry, report)
    render.print_demo(stdout, report, chosen)
    print_demo_keys(stdout, keys, chosen)


def _store_flag_on_every_group() -> None:
    """Every command group takes --db between its name and its command, as `catalog` does;
    groups registered above without a callback of their own get `options.group_options`."""
    for group in app.registered_groups:
        if group.typer_instance is not None and group.typer_instance.registered_callback is None:
            group.typer_instance.callback()(options.group_options)


_store_flag_on_every_group()


def main() -> None:
    app()
