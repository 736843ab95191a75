"""The public conformance case (SPEC's examples/, copied here): through the real `scs` command
line, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.conftest import EXAMPLE_DIRECTORY

EXPECTED_SUMMARIES = {
    "records-charity-fed.csv": ("charity-fed", "accepted 173, duplicates 0, rejected 29"),
    "records-court.jsonl": ("court", "accepted 31, duplicates 0, rejected 7"),
    "records-market-reg.csv": ("market-reg", "accepted 41, duplicates 0, rejected 18"),
    "records-tax-office.jsonl": ("tax-office", "accepted 93, duplicates 1, rejected 15"),
    "records-traffic-police.csv": ("traffic-police", "accepted 94, duplicates 2, rejected 31"),
}
SCORING_DATES = ("2023-06-30", "2025-01-01", "2026-11-20")


def rows_of(path: Path, column: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle)]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    directory = tmp_path / "example"
    shutil.copytree(EXAMPLE_DIRECTORY, directory)
    return directory


def test_the_conformance_example_passes(example: Path, store_url: str) -> None:
    runner = CliRunner()

    def scs(*arguments: str):
        return runner.invoke(app, ["--db", store_url, *arguments], catch_exceptions=False)

    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        result = scs("catalog", "publish", str(example / name))
        assert result.exit_code == 0, result.output

    for file_name, (source, summary) in EXPECTED_SUMMARIES.items():
        rejects = example / f"out-rejects-{source}.csv"
        result = scs(
            "ingest", str(example / file_name), "--source", source, "--rejects", str(rejects)
        )
        assert result.exit_code == 0, result.output
        assert summary in result.stdout.splitlines()
        expected = rows_of(example / f"expected-rejects-{source}.csv", "row")
        assert rows_of(rejects, "row") == expected
        assert all(rows_of(rejects, "reason")), "every rejected row carries a reason"

    for day in SCORING_DATES:
        out = example / f"out-score-{day}.csv"
        result = scs("score", "--as-of", day, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == (example / f"expected-score-{day}.csv").read_bytes()


def test_the_installed_command_runs_the_example(example: Path, tmp_path: Path) -> None:
    """`pip install .` puts `scs` on the PATH; run it as a user would, default store included."""
    scs = Path(sys.executable).parent / "scs"
    assert scs.exists(), "scs is not installed next to this Python"

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(scs), *arguments], cwd=example, capture_output=True, text=True, check=False
        )

    assert run("catalog", "publish", "catalog-v1.yaml").returncode == 0
    assert run("catalog", "publish", "catalog-v2.yaml").returncode == 0
    ingested = run("ingest", "records-court.jsonl", "--source", "court")
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.strip() == "accepted 31, duplicates 0, rejected 7"
    assert (example / "records-court.rejects.csv").exists(), "default rejects path"
    assert (example / "scs.db").exists(), "the default store is ./scs.db"
    shown = run("show", "425109197302262178", "--as-of", "2023-06-30", "--json")
    assert shown.returncode == 0, shown.stderr
    assert '"score": 900' in shown.stdout
