"""`scs keys create | list | revoke` (SPEC §8): translation only; `registry.keys` does the work."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from socialcredit.cli.common import EXIT_REFUSED, fail, open_registry, stdout
from socialcredit.cli.options import DatabaseOption
from socialcredit.registry import DEFAULT_RATES, ROLES, KeyRefused, NewKey

keys_app = typer.Typer(
    help="API keys for the HTTP API: create, list, revoke.", no_args_is_help=True
)


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    who: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="A source's code, a subject's identifier, a relying party's name, or an "
            "operator's (optional; never a subject's identifier).",
        ),
    ] = None,
    rate: Annotated[
        int | None,
        typer.Option(
            "--rate",
            help="Requests per second the key may make. Default by role: "
            + ", ".join(f"{role} {rate}" for role, rate in DEFAULT_RATES.items())
            + ".",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Make a key and print it once: `key N: KEY`. Only its hash is kept."""
    with open_registry(database) as registry:
        try:
            key = registry.keys.create(role, who, rate)
        except KeyRefused as error:
            raise fail(str(error), EXIT_REFUSED) from None
    print(f"key {key.number}: {key.secret}")


@keys_app.command("list")
def list_keys(
    database: DatabaseOption = None,
) -> None:
    """Every key: number, role, for whom, its first characters, made, revoked."""
    with open_registry(database) as registry:
        rows = registry.keys.list()
    table = Table("key", "role", "for", "starts with", "rate/s", "created", "revoked")
    for row in rows:
        table.add_row(
            str(row.number),
            row.role,
            row.who or "",
            row.display,
            str(row.rate if row.rate is not None else DEFAULT_RATES[row.role]),  # type: ignore[index]
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
        )
    stdout.print(table)


@keys_app.command("revoke")
def revoke(
    number: Annotated[int, typer.Argument(help="The key's number, as `scs keys list` shows it.")],
    database: DatabaseOption = None,
) -> None:
    """End a key at once."""
    with open_registry(database) as registry:
        try:
            registry.keys.revoke(number)
        except KeyRefused as error:
            raise fail(str(error), EXIT_REFUSED) from None
    print(f"key {number} revoked")


def demo_keys(registry, report) -> list[tuple[str, str | None, NewKey]]:
    """For the end of `scs demo`: a key for the operator, one source, one relying party and
    one subject of the city, so the API can be tried at once (`scs serve`, then curl)."""
    catalogue = registry.rulebook.latest
    measure = (
        next((m for m in catalogue.measures if m.relying_parties), None) if catalogue else None
    )
    busiest = max(report.outcomes, key=lambda outcome: outcome.accepted, default=None)
    wanted = [
        ("operator", None),
        ("source", busiest.source if busiest else None),
        ("party", measure.relying_parties[0] if measure else None),
        ("subject", report.example_subject()),
    ]
    return [
        (role, who, registry.keys.create(role, who))
        for role, who in wanted
        if role == "operator" or who
    ]


def print_demo_keys(console, keys: list[tuple[str, str | None, NewKey]], store: str) -> None:
    console.print(
        "\n[bold]API keys for this city[/] (shown once; `scs keys list` lists them without the "
        "secret)"
    )
    for role, who, key in keys:
        console.print(f"{role:<9}{(who or ''):<20} key {key.number}: {key.secret}", markup=False)
    console.print(f"Serve the API and the web pages: scs serve --db {store}", markup=False)
