"""API keys: format and checksum, stored only as a hash, revoked at once, one 401 for all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from socialcredit.registry.keys import ROLE_PREFIXES, KeyRefused, new_secret, well_formed
from socialcredit.store import schema
from tests.helpers import PERSON
from tests.service.conftest import Api


@given(st.sampled_from(list(ROLE_PREFIXES)), st.data())
def test_a_key_has_its_role_prefix_and_a_checksum_that_catches_any_one_changed_character(
    role, data
) -> None:
    secret = new_secret(role)
    assert secret.startswith(ROLE_PREFIXES[role]) and well_formed(secret)
    position = data.draw(st.integers(len(ROLE_PREFIXES[role]), len(secret) - 1))
    replacement = data.draw(
        st.sampled_from("0123456789abcdefXYZ").filter(lambda c: c != secret[position])
    )
    assert not well_formed(secret[:position] + replacement + secret[position + 1 :])


def test_the_store_keeps_only_a_hash_of_the_key(api: Api) -> None:
    with api.registry.store.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.select(schema.api_keys))]
    stored = repr(rows)
    for secret in api.keys.values():
        assert secret not in stored
        assert secret[len("scs_src_") :][:20] not in stored


def test_missing_malformed_unknown_and_revoked_keys_get_the_same_401(api: Api) -> None:
    unknown = new_secret("operator")
    revoked = api.registry.keys.create("operator", None)
    api.registry.keys.revoke(revoked.number)
    answers = []
    for header in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic abc"},
        {"Authorization": f"Bearer {unknown}"},
        {"Authorization": f"Bearer {revoked.secret}"},
    ):
        response = api.client.get(f"/v1/subjects/{PERSON}", headers=header)
        answers.append((response.status_code, response.json()))
    assert len(set(map(repr, answers))) == 1
    assert answers[0][0] == 401 and answers[0][1]["error"] == "unauthorized"


def test_a_revoked_key_ends_at_once(api: Api) -> None:
    key = api.registry.keys.create("operator", None)
    headers = {"Authorization": f"Bearer {key.secret}"}
    assert api.client.get("/v1/subjects/440524188001010014", headers=headers).status_code == 404
    api.registry.keys.revoke(key.number)
    assert api.client.get("/v1/subjects/440524188001010014", headers=headers).status_code == 401


def test_keys_are_refused_for_unknown_roles_sources_and_identifiers(api: Api) -> None:
    with pytest.raises(KeyRefused, match="unknown role"):
        api.registry.keys.create("admin", None)
    with pytest.raises(KeyRefused, match="unknown source"):
        api.registry.keys.create("source", "nobody")
    with pytest.raises(KeyRefused, match="not a valid identifier"):
        api.registry.keys.create("subject", "12345")
    with pytest.raises(KeyRefused, match="needs --for"):
        api.registry.keys.create("party", None)
    with pytest.raises(KeyRefused, match="no key 999"):
        api.registry.keys.revoke(999)


def test_key_tables_are_append_only(api: Api) -> None:
    key = api.registry.keys.create("operator", None)
    api.registry.keys.revoke(key.number)
    for table in schema.API_KEY_TABLES:
        for statement in (f"UPDATE {table} SET number = number", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with api.registry.store.engine.begin() as connection:
                    connection.execute(sa.text(statement))
