"""`GET /v1/checks` across catalogue versions (SPEC §7.3), on both stores: the measure as the
version in effect on `as_of` defines it; the party as today's version names it (issue 16,
defect 1: a party could check a measure it no longer relies on by passing `as_of`)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from tests.check_versions import EARLIER_DAY, MEASURE, publish_two_versions
from tests.helpers import PERSON
from tests.service.conftest import make_app


def test_checks_take_the_measure_from_as_of_and_the_party_from_today(
    store_url: str, tmp_path: Path
) -> None:
    with TestClient(make_app(store_url), raise_server_exceptions=False) as client:
        registry: Registry = client.app.state.registry
        publish_two_versions(registry, tmp_path)
        keys = {
            party: registry.keys.create("party", party).secret
            for party in ("civil-aviation", "railway", "airport")
        }

        def check(party: str, as_of: str | None = str(EARLIER_DAY)):
            params = {"subject_id": PERSON, "measure": MEASURE, "purpose": "ticket sale"}
            return client.get(
                "/v1/checks",
                params=params | ({"as_of": as_of} if as_of else {}),
                headers={"Authorization": f"Bearer {keys[party]}"},
            )

        lost = check("railway")
        assert lost.status_code == 403, lost.text
        assert (
            lost.json()["detail"] == "'railway' is not a relying party of measure 'no_air_travel'"
        )
        gained = check("airport")
        assert gained.status_code == 200, gained.text
        assert gained.json() == {
            "measure": MEASURE,
            "as_of": str(EARLIER_DAY),
            "applies": True,
            "because": "list:blacklist",
            "catalogue_version": 1,
        }
        today = check("civil-aviation", as_of=None).json()
        assert (today["applies"], today["because"], today["catalogue_version"]) == (False, None, 2)
