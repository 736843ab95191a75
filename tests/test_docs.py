"""Docs that cannot drift (after datasette's test_docs.py): the CLI reference is generated
from the code and must match it; every command and exit code is in the README."""

from __future__ import annotations

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
        "docs/CLI.md is stale: typer socialcredit.cli.app utils docs --name scs --output docs/CLI.md"
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


def test_the_architecture_names_existing_modules() -> None:
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    package = ROOT / "src" / "socialcredit"
    import re

    for module in set(
        re.findall(
            r"`((?:domain|catalogue|ingest|scoring|store|cli)/[a-z_]+\.(?:py|yaml))`", architecture
        )
    ):
        assert (package / module).exists(), module
