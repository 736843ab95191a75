"""`scs synth` and `scs demo`: the synthetic city written to files, or built at a real city's
scale, ingested, scored and summed up. Parsing and rendering only."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from socialcredit.cli import options, render
from socialcredit.cli.common import (
    EXIT_CANNOT_RUN,
    check_folder,
    fail,
    open_registry,
    stderr,
    stdout,
)
from socialcredit.cli.keys import demo_keys, print_demo_keys
from socialcredit.cli.options import DatabaseOption
from socialcredit.registry import STORE_URL_VARIABLE
from socialcredit.synth.scale import (
    DEMO_DIRECTORY,
    DEMO_STORE_FILE,
    RONGCHENG,
    RONGCHENG_ORGANIZATIONS,
    RONGCHENG_PERSONS,
    SMALL_SCALE,
)


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
    city: Annotated[
        bool,
        typer.Option(
            "--city",
            help="One city alone (Rongcheng, as before SPEC §11): objections, measures, API keys.",
        ),
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    years: Annotated[int, typer.Option("--years", min=1, max=20)] = 3,
    out: Annotated[Path, typer.Option("--out", help="Directory for the files.")] = DEMO_DIRECTORY,
    database: DatabaseOption = None,
) -> None:
    """Build a synthetic nation (SPEC §11: the national catalogue and three cities, one at
    Rongcheng's size), publish and ingest it, score every city, and say what it found per city
    and for the nation; or, with --city, one city alone."""
    from socialcredit.synth.demo import (  # NumPy: only here
        StoreNotEmpty,
        demo_plan,
        nation_plan,
        run_demo,
        run_nation,
    )

    check_folder(out, "--out")
    factor = scale if scale is not None else (SMALL_SCALE if small else 1.0)
    chosen = options.chosen_store(database) or os.environ.get(STORE_URL_VARIABLE)
    if chosen is None:
        for suffix in ("", "-wal", "-shm"):  # the demo's own store: a fresh one every run
            Path(f"{DEMO_STORE_FILE}{suffix}").unlink(missing_ok=True)
        chosen = f"sqlite:///{DEMO_STORE_FILE}"
    with open_registry(chosen) as registry:
        started = time.perf_counter()
        with render.progress_bars(stderr) as progress:
            try:
                if city:
                    plan = demo_plan(factor, seed, years, registry.today())
                    report = run_demo(registry, plan, out, progress.callback())
                else:
                    plan = nation_plan(factor, seed, years, registry.today())
                    nation = run_nation(plan, out, progress.callback(), registry)
            except StoreNotEmpty as error:
                raise fail(str(error), EXIT_CANNOT_RUN) from None
        if not city:
            nation.seconds["total"] = time.perf_counter() - started
            render.print_nation(stdout, nation, chosen)
            return
        report.seconds["total"] = time.perf_counter() - started
        keys = demo_keys(registry, report)
    render.print_demo(stdout, report, chosen)
    print_demo_keys(stdout, keys, chosen)
