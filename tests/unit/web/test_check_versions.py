"""The web form of the relying party's check (SPEC §7.3, §9), on both stores, with two
catalogue versions whose measure differs (tests/check_versions.py). The form checks as of
today, so it offers and accepts only what today's version lets the party rely on, judged by
the registry's one validation (`domain/measures.py`), and answers by today's definition."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from tests.check_versions import MEASURE, publish_two_versions
from tests.e2e.world import build_app
from tests.helpers import PERSON, form_token


def _signed_in(client: TestClient, key: str) -> str:
    """Sign in with `key`; the token of the session's forms."""
    client.cookies.clear()
    token = form_token(client.get("/sign-in").text)
    client.post("/sign-in", data={"key": key, "csrf_token": token})
    return form_token(client.get("/check").text)


def test_the_check_form_follows_todays_version(store_url: str, tmp_path: Path) -> None:
    with TestClient(build_app(store_url), base_url="http://127.0.0.1") as client:
        registry: Registry = client.app.state.registry
        publish_two_versions(registry, tmp_path)
        keys = {p: registry.keys.create("party", p).secret for p in ("railway", "airport")}
        form = {"subject_id": PERSON, "measure": MEASURE, "purpose": "ticket sale"}

        token = _signed_in(client, keys["railway"])
        assert MEASURE not in client.get("/check").text  # lost with version 2
        lost = client.post("/check", data=form | {"csrf_token": token})
        assert lost.status_code == 422 and "Choose the measure you want to check" in lost.text

        token = _signed_in(client, keys["airport"])
        assert f'value="{MEASURE}"' in client.get("/check").text  # gained with version 2
        gained = client.post("/check", data=form | {"csrf_token": token})
        assert gained.status_code == 200, gained.text
        assert "The measure does not apply" in gained.text  # not on version 2's list
        (subject_file,) = registry.subject_files(PERSON, registry.today(), "v", "p", "cli")
        assert [view.viewer for view in subject_file.views] == ["airport", "v"]
