"""Limits that fit who is asking (issue 16): a rate per key, set at creation with defaults by
role; per client address, limits on unknown keys, sign-in attempts and the public lookup. On
both stores (the key's rate is stored)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import DEFAULT_RATES, KeyRefused, Registry
from socialcredit.service.settings import ServiceSettings
from tests.conftest import fixed_clock
from tests.helpers import ORGANIZATION, PERSON, catalogue_document, catalogue_yaml
from tests.service.conftest import make_app


def test_a_key_s_rate_is_set_at_creation_with_defaults_by_role(
    store_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()

    def scs(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert scs("catalog", "publish", str(catalogue)).exit_code == 0
    assert scs("keys", "create", "--role", "party", "--for", "civil-aviation").exit_code == 0
    made = scs("keys", "create", "--role", "party", "--for", "rail", "--rate", "9000")
    assert made.exit_code == 0, made.output
    refused = scs("keys", "create", "--role", "party", "--for", "rail", "--rate", "0")
    assert refused.exit_code == 1
    assert "--rate must be between 1 and 1000000 requests per second" in refused.output
    registry = Registry.open(store_url, clock=fixed_clock)
    try:
        assert [(row.who, row.rate) for row in registry.keys.list()] == [
            ("civil-aviation", DEFAULT_RATES["party"]),
            ("rail", 9000),
        ]
        # A relying party carries a national ticket office's load; a subject reads its own file.
        assert DEFAULT_RATES["party"] >= 1500 > DEFAULT_RATES["subject"]
        subject = registry.keys.create("subject", PERSON)
        principal = registry.keys.principal(subject.secret)
        assert principal is not None and principal.rate == DEFAULT_RATES["subject"]
        try:
            registry.keys.create("subject", PERSON, rate=-1)
        except KeyRefused as error:
            assert "--rate" in str(error)
        else:
            raise AssertionError("a negative rate was accepted")
    finally:
        registry.close()


def test_the_limiter_uses_each_key_s_own_rate(store_url: str) -> None:
    settings = ServiceSettings(request_burst_per_key=2)  # each key's own rate, small buckets
    with TestClient(make_app(store_url, settings)) as client:
        registry: Registry = client.app.state.registry
        slow = registry.keys.create("operator", None, rate=1).secret
        fast = registry.keys.create("operator", None).secret  # 50/s: 2 tokens refill in 40 ms

        def statuses(key: str, times: int) -> list[int]:
            return [
                client.get(
                    f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer {key}"}
                ).status_code
                for _ in range(times)
            ]

        assert [code == 429 for code in statuses(slow, 3)] == [False, False, True]
        assert 429 not in statuses(fast, 2)


def test_a_lifted_limit_lifts_every_key_s(store_url: str) -> None:
    settings = ServiceSettings(requests_per_second_per_key=0, request_burst_per_key=1)
    with TestClient(make_app(store_url, settings)) as client:
        key = client.app.state.registry.keys.create("subject", PERSON, rate=1).secret
        codes = [
            client.get(f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer {key}"})
            for _ in range(5)
        ]
        assert 429 not in [response.status_code for response in codes]


def test_unknown_keys_are_limited_per_client_address(store_url: str) -> None:
    settings = ServiceSettings(
        unknown_key_requests_per_second_per_address=0.01, unknown_key_request_burst_per_address=3
    )
    with TestClient(make_app(store_url, settings)) as client:
        guesses = [
            client.get(
                f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer scs_op_guess{n}"}
            )
            for n in range(4)
        ]
        assert [r.status_code for r in guesses] == [401, 401, 401, 429]
        assert int(guesses[3].headers["Retry-After"]) >= 1
        # A caller with a key of its own is not held back by the guesses from this address.
        key = client.app.state.registry.keys.create("operator", None).secret
        own = client.get(f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer {key}"})
        assert own.status_code not in (401, 429)


def test_the_public_lookup_is_limited_per_client_address(store_url: str) -> None:
    settings = ServiceSettings(
        public_requests_per_second_per_address=0.01, public_request_burst_per_address=2
    )
    with TestClient(make_app(store_url, settings)) as client:
        codes = [client.get(f"/v1/organizations/{ORGANIZATION}").status_code for _ in range(3)]
        assert codes[:2] != [429, 429] and codes[2] == 429


def test_sign_in_attempts_are_limited_per_client_address(store_url: str) -> None:
    settings = ServiceSettings(
        sign_in_attempts_per_second_per_address=0.01, sign_in_attempt_burst_per_address=2
    )
    with TestClient(make_app(store_url, settings)) as client:
        registry: Registry = client.app.state.registry
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        codes = [
            client.post("/sign-in", data={"key": "scs_op_wrong", "csrf_token": "x"}).status_code
            for _ in range(3)
        ]
        assert codes == [422, 422, 429]
        # Even the right key waits: the limit is on attempts, whoever makes them.
        key = registry.keys.create("operator", None).secret
        page = client.post("/sign-in", data={"key": key, "csrf_token": "x"})
        assert page.status_code == 429 and "Too many sign-in attempts" in page.text
