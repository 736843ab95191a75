"""`scs keys create | list | revoke` (SPEC §8): translation only; `socialcredit.keys` does the work."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from socialcredit.keys import ROLES, KeyRefused

keys_app = typer.Typer(help="API keys for the HTTP API: create, list, revoke.", no_args_is_help=True)


def _app():
    from socialcredit.cli import app  # the shared options and helpers; imported late (no cycle)

    return app


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    who: Annotated[
        str | None,
        typer.Option("--for", help="A source's code, a subject's identifier, or a relying party's name."),
    ] = None,
    database: Annotated[str | None, typer.Option("--db", envvar="SCS_DB", show_default=False, help="Store URL.")] = None,
) -> None:
    """Make a key and print it once: `key N: KEY`. Only its hash is kept."""
    cli = _app()
    with cli.open_registry(database) as registry:
        try:
            key = registry.keys.create(role, who)
        except KeyRefused as error:
            raise cli.fail(str(error), cli.EXIT_REFUSED) from None
    print(f"key {key.number}: {key.secret}")


@keys_app.command("list")
def list_keys(
    database: Annotated[str | None, typer.Option("--db", envvar="SCS_DB", show_default=False, help="Store URL.")] = None,
) -> None:
    """Every key: number, role, for whom, its first characters, made, revoked."""
    cli = _app()
    with cli.open_registry(database) as registry:
        rows = registry.keys.list()
    table = Table("key", "role", "for", "starts with", "created", "revoked")
    for row in rows:
        table.add_row(
            str(row.number),
            row.role,
            row.who or "",
            row.display,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
        )
    cli.stdout.print(table)


@keys_app.command("revoke")
def revoke(
    number: Annotated[int, typer.Argument(help="The key's number, as `scs keys list` shows it.")],
    database: Annotated[str | None, typer.Option("--db", envvar="SCS_DB", show_default=False, help="Store URL.")] = None,
) -> None:
    """End a key at once."""
    cli = _app()
    with cli.open_registry(database) as registry:
        try:
            registry.keys.revoke(number)
        except KeyRefused as error:
            raise cli.fail(str(error), cli.EXIT_REFUSED) from None
    print(f"key {number} revoked")
