"""Which key each subject gets in the identity store (SPEC §5.8, §7.5): a subject is its kind
and identifier together, so an identifier valid for both kinds names two subjects with two
keys; a key, once given, is the same in every later ingest; and it maps back to its kind and
identifier. Directly through the identity store's writer and lookups, and through ingests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.helpers import (
    ORGANIZATION,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

BOTH_KINDS = "150104196109233969"  # passes both checksums: a person's and an organization's
PAIRS = [("person", BOTH_KINDS), ("organization", BOTH_KINDS), ("person", PERSON)]


def keys_given(store: Store, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(kind, identifier) → key, as the identity store's writer hands them out; each pair must
    get exactly one key."""
    kinds = pl.Series([kind for kind, _identifier in pairs])
    identifiers = pl.Series([identifier for _kind, identifier in pairs])
    with store.identities.writer() as writer:
        frame = writer.subject_keys(kinds, identifiers)
    rows = [(row["kind"], row["identifier"], row["subject"]) for row in frame.to_dicts()]
    keys = {(kind, identifier): key for kind, identifier, key in rows}
    assert len(keys) == len(rows), f"a pair got more than one key: {sorted(rows)}"
    return keys


def test_a_person_and_an_organization_with_one_identifier_get_two_keys(store: Store) -> None:
    keys = keys_given(store, PAIRS)
    assert set(keys) == set(PAIRS)
    assert len(set(keys.values())) == 3
    assert keys[("person", BOTH_KINDS)] != keys[("organization", BOTH_KINDS)]
    assert store.identities.keys_of(BOTH_KINDS) == {
        "person": keys[("person", BOTH_KINDS)],
        "organization": keys[("organization", BOTH_KINDS)],
    }
    assert store.identities.key_of("organization", PERSON) is None


def test_keys_are_stable_and_map_back_to_kind_and_identifier(store: Store) -> None:
    first = keys_given(store, PAIRS[:1])
    # Later writers, in another order and with a new pair among them, hand out the same keys.
    again = keys_given(store, [PAIRS[2], ("organization", ORGANIZATION), *PAIRS[:2]])
    assert again[PAIRS[0]] == first[PAIRS[0]]
    assert keys_given(store, list(reversed(PAIRS))) == {pair: again[pair] for pair in PAIRS}
    assert store.identities.identities_of(list(again.values())) == {
        key: pair for pair, key in again.items()
    }


def test_ingests_key_each_kind_apart_and_keep_the_keys(registry: Registry, tmp_path: Path) -> None:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1

    def ingest(name: str, source: str, item: str, decided_on: str) -> None:
        rows = [record(f"{name}-1", item, BOTH_KINDS, decided_on)]
        result = registry.ingest(write_records(tmp_path / f"{name}.csv", rows), source)
        assert result.counts.accepted == 1

    def subjects() -> list[tuple]:
        frame = registry.store.subjects().sort("subject")
        return [(row["subject"], row["kind"], row["subject_id"]) for row in frame.to_dicts()]

    ingest("a", "traffic-police", "traffic.red_light", "2025-01-10")
    ingest("b", "tax-office", "tax.arrears_major", "2025-01-11")
    keyed = subjects()
    assert [(kind, identifier) for _key, kind, identifier in keyed] == [
        ("person", BOTH_KINDS),
        ("organization", BOTH_KINDS),
    ]
    assert len({key for key, _kind, _identifier in keyed}) == 2
    ingest("c", "tax-office", "tax.arrears_major", "2025-01-12")
    ingest("d", "traffic-police", "traffic.red_light", "2025-01-13")
    assert subjects() == keyed
    scores = registry.score_all(dt.date(2025, 2, 1))
    assert {(row["kind"], row["subject_id"]): row["score"] for row in scores.to_dicts()} == {
        ("person", BOTH_KINDS): 990,  # two red lights
        ("organization", BOTH_KINDS): 700,  # two major tax arrears
    }
