"""SPEC §7.4: `scs show` is logged as the operator's look for inspection unless `--viewer` and
`--purpose` say otherwise, never as the shell's user (issue 18)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records


@pytest.fixture
def scs(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SCS_VIEWER", raising=False)
    runner = CliRunner()

    def run(*arguments: str, env: dict[str, str] | None = None):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False, env=env)

    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert run("catalog", "publish", str(catalogue)).exit_code == 0
    records = write_records(
        tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")]
    )
    assert run("ingest", str(records), "--source", "court").exit_code == 0
    return run


def views(result) -> list[tuple[str, str, str]]:
    assert result.exit_code == 0, result.output
    return [(v["viewer"], v["purpose"], v["channel"]) for v in json.loads(result.stdout)["views"]]


def test_the_default_viewer_is_the_operator_inspecting(scs) -> None:
    logged = views(scs("show", PERSON, "--as-of", "2025-06-01", "--json"))
    assert logged == [("operator", "inspection", "cli")]
    assert getpass.getuser() != "operator"  # the test would prove nothing as a user so named


def test_the_viewer_and_purpose_can_be_named(scs) -> None:
    scs("show", PERSON, "--as-of", "2025-06-01", "--viewer", "clerk-7", "--purpose", "audit")
    named = views(
        scs("show", PERSON, "--as-of", "2025-06-01", "--json", env={"SCS_VIEWER": "alice"})
    )
    assert named == [("clerk-7", "audit", "cli"), ("alice", "inspection", "cli")]
