"""What every `scs` command shares: the exit codes, the two consoles, the one-line failure, the
registry opened on the chosen store, and the checks of dates and output paths made before any
work. The command modules import it; `cli/app.py` only assembles them into the `scs` command.

Exit codes: 0 done; 1 the input was judged and refused (an invalid catalogue, a date before
the first catalogue, no file for a subject); 2 the command could not run (bad arguments, a
missing or unreadable file, an unknown source, a store that cannot be opened).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from socialcredit.cli import options
from socialcredit.registry import BadStoreURL, Registry, StoreUnavailable

EXIT_REFUSED = 1
EXIT_CANNOT_RUN = 2

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
