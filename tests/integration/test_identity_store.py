"""The identity store (SPEC §7.5): who a subject is lives there and nowhere else, it is written
before the records that use it, and a subject keeps its key."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialcredit.registry import Registry
from socialcredit.store import ingest_sessions, schema
from socialcredit.store.store import Store, StoreUnavailable
from tests.conftest import fixed_clock
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)
from tests.privacy import identifiers_found, unknown_keys

# Identifiers that are not valid but must stay out of the main store all the same.
BAD_CHECK = PERSON[:-1] + "3"
LOWER_CASE = ORGANIZATION.lower()
SHORT = PERSON[:17]
SHIFTED_PERSON = "440524188001010022"  # valid, never accepted: it only appears shifted
HEADER = "record_id,revision,item,subject_id,decided_on,quantity,reference,status\r\n"


@pytest.fixture
def city(registry: Registry) -> Registry:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    return registry


def records_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(schema.records)).scalar()


def test_a_copy_of_the_ledger_names_nobody(city: Registry, tmp_path: Path) -> None:
    """Valid identifiers, invalid ones, and identifiers slid into other columns by a row that
    lacks a field; objections, an answer, a statement, looks and checks: none of the
    identifiers in the main store; all of them back out through the store."""
    accepted = write_records(
        tmp_path / "good.jsonl",
        [
            record("t1", "traffic.red_light", PERSON, "2025-01-10"),
            record("t2", "court.judgment_default", OTHER_PERSON, "2025-02-10"),
            record("t3", "traffic.red_light", BAD_CHECK, "2025-02-10"),
            record("t4", "traffic.red_light", SHORT, "2025-02-10"),
        ],
    )
    city.ingest(accepted, "traffic-police")
    city.ingest(
        write_records(
            tmp_path / "court.jsonl",
            [record("c1", "court.judgment_default", OTHER_PERSON, "2025-02-10")],
        ),
        "court",
    )
    city.ingest(
        write_records(
            tmp_path / "tax.csv", [record("x1", "tax.arrears_major", LOWER_CASE, "2025-02-10")]
        ),
        "tax-office",
    )
    shifted = tmp_path / "shifted.csv"
    shifted.write_text(
        HEADER
        + f",traffic.red_light,{SHIFTED_PERSON},2025-01-03,1,DOC-3,,\r\n"  # no record id
        + f"traffic.red_light,{SHIFTED_PERSON},2025-01-03,1,DOC-4\r\n"  # no record id, revision
        + f"t9,1,{SHIFTED_PERSON},traffic.red_light,2025-01-03,1,DOC-5,active\r\n"  # swapped
        + f"t10,{SHIFTED_PERSON},traffic.red_light,{PERSON},2025-01-03,1,DOC-6,active\r\n"
    )
    result = city.ingest(shifted, "traffic-police")
    assert result.counts.rejected == 4
    day = dt.date(2025, 6, 1)
    city.file_objection("traffic-police", "t1", "not my car", on=dt.date(2025, 2, 1))
    objection = city.file_objection("court", "c1", "already paid", on=dt.date(2025, 3, 1))
    city.uphold_objection(objection.number, note="judgment stands", on=dt.date(2025, 3, 5))
    city.leave_statement(OTHER_PERSON, "I have paid since.")
    # A subject's API key names its subject too, and an identifier that has no file yet.
    subject_key = city.keys.create("subject", PERSON)
    city.keys.create("subject", ORGANIZATION)
    principal = city.keys.principal(subject_key.secret)
    assert principal is not None and principal.who == PERSON
    assert {row.who for row in city.keys.list()} == {PERSON, ORGANIZATION}
    for subject_id in (PERSON, OTHER_PERSON):
        city.subject_files(subject_id, day, "auditor", "inspection", "cli")
        city.check(subject_id, "no_air_travel", "civil-aviation", "ticket sale", as_of=day)

    store = city.store
    everyone = [PERSON, OTHER_PERSON, ORGANIZATION, BAD_CHECK, LOWER_CASE, SHORT, SHIFTED_PERSON]
    assert identifiers_found(store, everyone) == []
    assert unknown_keys(store) == set()
    # The main store's reasons quote no submitted value; the identity store has them whole.
    with store.engine.connect() as connection:
        reasons = connection.execute(sa.select(schema.rejected_rows.c.reason)).scalars().all()
    assert reasons and not any(
        identifier in reason for reason in reasons for identifier in everyone
    )
    rejected = store.rejected_rows(result.batch_id)
    assert rejected["item"].to_list()[2] == SHIFTED_PERSON
    assert f"unknown item '{SHIFTED_PERSON}'" in rejected["reason"][2]
    # And the registry still names everyone it scores.
    scores = city.score_all(day)
    assert set(scores["subject_id"]) == {PERSON, OTHER_PERSON}
    assert [file.score.subject_id for file in city.subject_files(PERSON, day, "a", "b", "cli")] == [
        PERSON
    ]
    assert {objection.subject_id for objection in city.objections()} == {PERSON, OTHER_PERSON}
    assert city.check(
        OTHER_PERSON, "no_air_travel", "civil-aviation", "ticket sale", as_of=day
    ).applies


def test_a_subject_keeps_its_key(city: Registry, tmp_path: Path) -> None:
    city.ingest(
        write_records(
            tmp_path / "a.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-10")]
        ),
        "traffic-police",
    )
    first = city.store.identities.keys_of(PERSON)
    city.ingest(
        write_records(
            tmp_path / "b.jsonl",
            [
                record("b", "traffic.red_light", OTHER_PERSON, "2025-01-10"),
                record("c", "traffic.red_light", PERSON, "2025-01-11"),
            ],
        ),
        "traffic-police",
    )
    assert city.store.identities.keys_of(PERSON) == first
    assert set(city.store.identities.keys_of(OTHER_PERSON).values()) != set(first.values())


def test_a_failure_after_the_identities_leaves_no_record(
    city: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identities are committed first: a failure before the records are written leaves a key
    that no record uses, and the retry uses that same key."""
    path = write_records(
        tmp_path / "a.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-10")]
    )

    def fail(self, frame) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(ingest_sessions._SQLiteIngestSession, "_append_records", fail)
        patch.setattr(ingest_sessions._PostgreSQLIngestSession, "_append_records", fail)
        with pytest.raises(OSError, match="disk full"):
            city.ingest(path, "traffic-police")
    assert records_count(city.store) == 0
    keys = city.store.identities.keys_of(PERSON)
    assert list(keys) == ["person"]
    assert city.ingest(path, "traffic-police").counts.accepted == 1
    assert city.store.identities.keys_of(PERSON) == keys
    assert unknown_keys(city.store) == set()


KILLED_INGEST = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from socialcredit.registry import Registry
    from socialcredit.store import ingest_sessions
    from socialcredit.store.store import Store

    def killed(self, frame):
        os.kill(os.getpid(), signal.SIGKILL)

    ingest_sessions._SQLiteIngestSession._append_records = killed
    ingest_sessions._PostgreSQLIngestSession._append_records = killed
    Registry(Store.open(sys.argv[1])).ingest(Path(sys.argv[2]), "traffic-police")
    """
)


def test_a_process_killed_between_the_two_writes(
    city: Registry, store_url: str, tmp_path: Path
) -> None:
    path = write_records(
        tmp_path / "a.jsonl",
        [
            record("a", "traffic.red_light", PERSON, "2025-01-10"),
            record("b", "traffic.red_light", OTHER_PERSON, "2025-01-10"),
        ],
    )
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, store_url, str(path)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        capture_output=True,
    )
    assert killed.returncode == -9, killed.stderr
    store = Store.open(store_url)
    try:
        assert records_count(store) == 0
        assert set(store.identities.keys_of(PERSON)) == {"person"}
        assert unknown_keys(store) == set()
        registry = Registry(store, clock=fixed_clock)
        assert registry.ingest(path, "traffic-police").counts.accepted == 2
        assert unknown_keys(store) == set()
    finally:
        store.close()


def test_a_store_without_its_identity_file_does_not_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scs.db'}"
    Store.open(url).close()
    (tmp_path / "scs.identities.db").unlink()
    with pytest.raises(StoreUnavailable, match="identity store .*scs.identities.db.* is missing"):
        Store.open(url)


@pytest.mark.postgresql
def test_keys_another_session_added_meanwhile_are_found(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL one statement adds the new subjects and reads the known ones' keys, both
    as of its start: a subject another session committed in between is in neither part, and
    is then read again. Simulated by losing one row of that statement's answer. (SQLite takes
    the identity store's write lock for the whole call: nobody adds anything in between.)"""
    from socialcredit.store import identities

    store = Store.open(postgresql_url)
    with store.identities.writer() as writer:
        first = writer.subject_keys(
            pl_series(["person", "person"]), pl_series([PERSON, OTHER_PERSON])
        )
    fetch = identities._PostgreSQLIdentityWriter._fetch
    calls = []

    def one_row_short(self):
        calls.append(1)
        frame = fetch(self)
        return frame.slice(1) if len(calls) == 1 else frame

    monkeypatch.setattr(identities._PostgreSQLIdentityWriter, "_fetch", one_row_short)
    with store.identities.writer() as writer:
        again = writer.subject_keys(
            pl_series(["person", "person"]), pl_series([PERSON, OTHER_PERSON])
        )
    store.close()
    assert len(calls) == 2
    assert again.sort("identifier").equals(first.sort("identifier"))


def pl_series(values: list[str]):
    import polars as pl

    return pl.Series(values, dtype=pl.String)
