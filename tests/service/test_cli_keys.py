"""`scs keys create | list | revoke`: outputs and exit codes, on both stores."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry.keys import well_formed
from tests.helpers import PERSON, catalogue_document, catalogue_yaml


def test_keys_create_list_and_revoke(store_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def scs(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert scs("catalog", "publish", str(catalogue)).exit_code == 0
    made = [
        scs("keys", "create", "--role", role, *(["--for", who] if who else []))
        for role, who in (
            ("operator", None),
            ("source", "court"),
            ("subject", PERSON),
            ("party", "civil-aviation"),
        )
    ]
    for number, result in enumerate(made, start=1):
        assert result.exit_code == 0, result.output
        match = re.fullmatch(rf"key {number}: (scs_\w+)\n", result.output)
        assert match and well_formed(match.group(1))
    refused = scs("keys", "create", "--role", "source", "--for", "ghost")
    assert refused.exit_code == 1 and "unknown source 'ghost'" in refused.output
    assert scs("keys", "revoke", "2").output == "key 2 revoked\n"
    assert scs("keys", "revoke", "9").exit_code == 1
    listing = scs("keys", "list").output
    assert "court" in listing and "scs_src_" in listing and PERSON in listing
    secrets = [line.split(": ")[1].strip() for line in (result.output for result in made)]
    assert not any(secret in listing for secret in secrets)
