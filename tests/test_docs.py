"""Docs that cannot drift (after datasette's test_docs.py): the CLI reference is generated
from the code and must match it; every command and exit code is in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from socialcredit.cli.app import app

ROOT = Path(__file__).parent.parent


def test_the_cli_reference_is_generated_from_the_code(tmp_path: Path) -> None:
    generated = tmp_path / "CLI.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "socialcredit.cli.app",
            "utils",
            "docs",
            "--name",
            "scs",
            "--output",
            str(generated),
        ],
        check=True,
        capture_output=True,
    )
    assert generated.read_text() == (ROOT / "docs" / "CLI.md").read_text(), (
        "docs/CLI.md is stale: "
        "typer socialcredit.cli.app utils docs --name scs --output docs/CLI.md"
    )


def test_every_command_is_in_the_readme() -> None:
    import typer.main

    readme = (ROOT / "README.md").read_text()
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        names = [f"scs {name} {sub}" for sub in subcommands] if subcommands else [f"scs {name}"]
        for full_name in names:
            assert f"`{full_name}" in readme, f"{full_name} is not documented in README.md"


# A module path in backticks: `store/store.py`, `__main__.py`, `tests/test_docs.py`.
MODULE_PATH = re.compile(r"`((?:[\w.-]+/)*[\w-]+\.(?:py|yaml))`")
# Named relative to the repository, not to the package.
OUTSIDE_THE_PACKAGE = ("tests/", "bench/", "scripts/", "docs/")


def package_modules(package: Path) -> set[str]:
    """Every module of the package as a path inside it; packages' `__init__.py` and the
    Alembic migrations (named by their revision in the document, where it matters) aside."""
    return {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if path.name != "__init__.py" and "migrations" not in path.relative_to(package).parts
    }


def test_the_architecture_names_every_module_and_only_modules_that_exist() -> None:
    """docs/ARCHITECTURE.md is where a newcomer finds the module of a rule: a module left out
    of it is a module nobody finds, and a name that no longer exists sends them nowhere."""
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    package = ROOT / "src" / "socialcredit"
    named = set(MODULE_PATH.findall(architecture))
    missing = [
        name
        for name in sorted(named)
        if not (ROOT / name if name.startswith(OUTSIDE_THE_PACKAGE) else package / name).exists()
    ]
    assert not missing, f"docs/ARCHITECTURE.md names modules that do not exist: {missing}"
    unnamed = sorted(package_modules(package) - named)
    assert not unnamed, f"docs/ARCHITECTURE.md does not name these modules: {unnamed}"
