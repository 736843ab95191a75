"""`scs objection`, `scs statement`, `scs check`, `scs measures` (SPEC §6, §7): parsing and
rendering only; the registry judges. Every refusal is one line and exit 1."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from socialcredit.cli import common, render
from socialcredit.cli.options import ROW_ID_MAX, AsOfOption, DatabaseOption, JurisdictionOption
from socialcredit.domain.limits import STATEMENT_MAX_CHARS
from socialcredit.registry import Refused

if TYPE_CHECKING:
    from socialcredit.registry import Registry

objection_app = typer.Typer(
    help="File, answer and list objections to records (SPEC §7.1).", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OnOption = Annotated[
    str | None,
    typer.Option(
        "--on", help="The day it was received, YYYY-MM-DD. Default: today.", show_default=False
    ),
]


def _date(value: str | None, option: str) -> dt.date | None:
    return common.parse_day(value, None, option)


@contextmanager
def _judging_registry(database: str | None) -> Iterator[Registry]:
    """The registry, with each refusal turned into its one line and exit 1."""
    with common.open_registry(database) as registry:
        try:
            yield registry
        except Refused as error:
            raise common.fail(str(error), common.EXIT_REFUSED) from None


def _print_json(document: object) -> None:
    sys.stdout.write(render.to_json(document) + "\n")


@objection_app.command("file")
def objection_file(
    source: Annotated[str, typer.Option("--source", help="The source that submitted the record.")],
    record: Annotated[str, typer.Option("--record", help="The source's record id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the subject objects.")],
    on: OnOption = None,
    database: DatabaseOption = None,
) -> None:
    """Register the subject's objection to the current revision of a record; print its number."""
    day = _date(on, "--on")
    with _judging_registry(database) as registry:
        objection = registry.file_objection(source, record, reason, day)
    print(f"objection {objection.number}")


@objection_app.command("uphold")
def objection_uphold(
    number: Annotated[int, typer.Argument(min=1, max=ROW_ID_MAX, help="The objection's number.")],
    note: Annotated[str | None, typer.Option("--note", help="The source's note.")] = None,
    on: OnOption = None,
    database: DatabaseOption = None,
) -> None:
    """The source's answer that the record stands."""
    day = _date(on, "--on")
    with _judging_registry(database) as registry:
        objection = registry.uphold_objection(number, note, day)
    print(f"objection {objection.number} upheld on {objection.answered_on}")


@objection_app.command("list")
def objection_list(
    source: Annotated[
        str | None, typer.Option("--source", help="Only this source's records.")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Only this subject's objections.")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only those not answered yet.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Objections with their state and due date, as they stand today."""
    with _judging_registry(database) as registry:
        found = registry.objections(source, subject, open_only)
    if as_json:
        _print_json(found)
    elif found:
        render.print_objections(common.stdout, found)
    else:
        print("no objections")


def statement(
    subject_id: Annotated[str, typer.Argument(help="Resident identity number or credit code.")],
    text: Annotated[str, typer.Option("--text", help=f"At most {STATEMENT_MAX_CHARS} characters.")],
    database: DatabaseOption = None,
) -> None:
    """Keep the subject's own statement, shown with its file (SPEC §7.2)."""
    with _judging_registry(database) as registry:
        kept = registry.leave_statement(subject_id, text)
    print(f"statement kept for {kept.subject_id} ({kept.subject_kind})")


def check(
    subject_id: Annotated[str, typer.Argument(help="Resident identity number or credit code.")],
    measure: Annotated[str, typer.Option("--measure", help="The measure's code.")],
    party: Annotated[str, typer.Option("--party", help="The relying party asking.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why it asks (logged in the file).")],
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    jurisdiction: JurisdictionOption = None,
    database: DatabaseOption = None,
) -> None:
    """Does a measure apply to a subject: the relying party's yes or no, never more (SPEC §7.3).
    SPEC §11: CODE is looked for in --jurisdiction's catalogue, else in the national one."""
    day = _date(as_of, "--as-of")
    with _judging_registry(database) as registry:
        answer = registry.check(subject_id, measure, party, purpose, day, jurisdiction=jurisdiction)
    if as_json:
        _print_json(answer)
    else:
        render.print_check(answer)


def measures(
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    jurisdiction: JurisdictionOption = None,
    database: DatabaseOption = None,
) -> None:
    """Each measure in effect, who may rely on it, and how many subjects it applies to."""
    day = _date(as_of, "--as-of")
    with _judging_registry(database) as registry:
        found = registry.measures(day, jurisdiction)
    if as_json:
        _print_json(found)
    else:
        render.print_measures(found)


RIGHTS_COMMANDS = (statement, check, measures)  # registered on `scs` by cli/app.py
