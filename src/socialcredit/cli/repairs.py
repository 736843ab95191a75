"""`scs repair apply|grant|refuse|list` (SPEC §10.2): parsing and rendering only; the registry
judges. Every refusal is one line and exit 1."""

from __future__ import annotations

from typing import Annotated

import typer

from socialcredit.cli import common, render
from socialcredit.cli.options import ROW_ID_MAX, DatabaseOption
from socialcredit.cli.rights import JsonOption, OnOption, _date, _judging_registry, _print_json
from socialcredit.domain.limits import EVIDENCE_MAX_CHARS, REFUSAL_MAX_CHARS

repair_app = typer.Typer(
    help="Apply for, grant, refuse and list credit repairs of records (SPEC §10.2).",
    no_args_is_help=True,
)

NumberArgument = Annotated[
    int, typer.Argument(min=1, max=ROW_ID_MAX, help="The application's number.")
]


@repair_app.command("apply")
def repair_apply(
    source: Annotated[str, typer.Option("--source", help="The source that submitted the record.")],
    record: Annotated[str, typer.Option("--record", help="The source's record id.")],
    evidence: Annotated[
        str,
        typer.Option(
            "--evidence",
            help="Proof that the duty is performed and the subject's written commitment "
            f"(at most {EVIDENCE_MAX_CHARS:,} characters).",
        ),
    ],
    on: OnOption = None,
    database: DatabaseOption = None,
) -> None:
    """Register the subject's application for repair of a record; print its number."""
    day = _date(on, "--on")
    with _judging_registry(database) as registry:
        repair = registry.apply_repair(source, record, evidence, day)
    print(f"repair {repair.number}")


@repair_app.command("grant")
def repair_grant(
    number: NumberArgument,
    on: OnOption = None,
    database: DatabaseOption = None,
) -> None:
    """The record's source grants repair: from that day on the record does not count."""
    day = _date(on, "--on")
    with _judging_registry(database) as registry:
        repair = registry.grant_repair(number, day)
    print(f"repair {repair.number} granted on {repair.decided_on}")


@repair_app.command("refuse")
def repair_refuse(
    number: NumberArgument,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help=f"Why the source refuses (at most {REFUSAL_MAX_CHARS:,} characters)."
        ),
    ],
    on: OnOption = None,
    database: DatabaseOption = None,
) -> None:
    """The record's source refuses repair, saying why; the record counts as before."""
    day = _date(on, "--on")
    with _judging_registry(database) as registry:
        repair = registry.refuse_repair(number, reason, day)
    print(f"repair {repair.number} refused on {repair.decided_on}")


@repair_app.command("list")
def repair_list(
    source: Annotated[
        str | None, typer.Option("--source", help="Only this source's records.")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Only this subject's applications.")
    ] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only those not decided yet.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Applications for repair with their state, as they stand today."""
    with _judging_registry(database) as registry:
        found = registry.repairs(source, subject, pending)
    if as_json:
        _print_json(found)
    elif found:
        render.print_repairs(common.stdout, found)
    else:
        print("no repairs")
