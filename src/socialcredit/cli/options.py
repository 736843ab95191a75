"""Options every command shares: the store flag and dates, and the largest row id an argument
may name. The command modules and `common.py` import it; it imports none of them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from socialcredit.domain import limits
from socialcredit.registry import STORE_URL_VARIABLE

# No `envvar` here: Click would let $SCS_DB fill a command's own --db even when the flag was
# given before the command, and the environment would win over an explicit flag. The
# environment is read last, by `parse_store_url`, when no --db was given anywhere.
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=(
            "Store URL: sqlite:///PATH or postgresql://USER@HOST[:PORT]/DB. "
            f"Default: ${STORE_URL_VARIABLE}, else sqlite:///scs.db."
        ),
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Scoring date, YYYY-MM-DD. Default: today.", show_default=False),
]

# SPEC §11: which local jurisdiction a command reads; needed when the store has several.
JurisdictionOption = Annotated[
    str | None,
    typer.Option(
        "--jurisdiction",
        help="The local jurisdiction (a city's catalogue); required when the store has several.",
        show_default=False,
    ),
]

# Row ids (batches, objections) are 64-bit in both stores: a larger number is refused as an
# argument (exit 2) rather than overflowing the driver.
ROW_ID_MAX = limits.ROW_ID_MAX

# Exactly YYYY-MM-DD: Python's `date.fromisoformat` also takes 20250101 and 2025-W01-3, which
# the spec's format does not allow and a reader of the command would not expect.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class BadDate(ValueError):
    pass


def strict_date(text: str, option: str) -> dt.date:
    """`text` as a date written exactly YYYY-MM-DD; BadDate naming `option` otherwise."""
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise BadDate(f"{option} {text!r} is not a date (YYYY-MM-DD)")


class _Settings:
    """A --db given before the command, or between a group and its command."""

    database: str | None = None


_settings = _Settings()


def root_options(database: DatabaseOption = None) -> None:
    _settings.database = database


def group_options(database: DatabaseOption = None) -> None:
    """--db given between a group and its command (`scs catalog --db URL publish …`)."""
    if database is not None:
        _settings.database = database


def chosen_store(database: str | None) -> str | None:
    """The store URL the user chose: the command's --db, else an earlier --db, else None
    (then $SCS_DB, else the default, as `parse_store_url` decides)."""
    return database or _settings.database
