"""The ledger cache (`store.ledger_cache`): a copy the scorer reads fast, never believed over
the store. Whatever happens to the segments, the current ledger read through the cache is the
one read from the store directly, and scores do not change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from socialcredit.registry import Registry
from socialcredit.store import cached_read, ingest_sessions, ledger_read
from socialcredit.store.ledger_cache import (
    LEDGER_COLUMNS,
    LEDGER_COLUMNS_WITH_IDS,
    SEGMENT_SUFFIX,
    LedgerCache,
)
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

AS_OF = dt.date(2026, 11, 20)


def _ingest_with_revisions(registry: Registry, tmp_path: Path) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    first = [
        record(f"r{n}", "traffic.red_light", PERSON if n % 2 else OTHER_PERSON, "2025-01-01")
        for n in range(6)
    ]
    first.append(
        record("r2", "traffic.red_light", OTHER_PERSON, "2025-01-01", revision=2, quantity=2)
    )
    registry.ingest(write_records(tmp_path / "first.jsonl", first), "traffic-police")
    later = [
        record("r1", "traffic.red_light", PERSON, "2025-01-01", revision=2, status="revoked"),
        record("r2", "traffic.red_light", OTHER_PERSON, "2025-01-01", revision=3, quantity=3),
        record("r9", "traffic.red_light", PERSON, "2025-03-01"),
    ]
    registry.ingest(write_records(tmp_path / "later.csv", later), "traffic-police")


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("item").cast(pl.String)).sort(frame.columns)


def _direct(registry: Registry, with_ids: bool = False) -> pl.DataFrame:
    return _sorted(ledger_read.read_current_ledger(registry.store.url, with_ids))


def _segments(registry: Registry) -> list[Path]:
    cache = registry.store.ledger_cache
    assert cache is not None
    return sorted(cache.directory.glob("*" + SEGMENT_SUFFIX))


def test_ingest_writes_one_segment_per_batch_and_the_ledger_read_from_them_is_the_stores(
    registry: Registry, tmp_path: Path
) -> None:
    _ingest_with_revisions(registry, tmp_path)
    segments = _segments(registry)
    assert [path.name.split(".")[0] for path in segments] == ["000000000001", "000000000002"]
    assert [pl.read_parquet(path).height for path in segments] == [7, 3]
    assert not list(registry.store.ledger_cache.directory.glob(".writing-*"))
    for with_ids in (False, True):
        cached = registry.store.current_ledger(with_ids)
        assert cached.schema == (LEDGER_COLUMNS_WITH_IDS if with_ids else LEDGER_COLUMNS)
        assert _sorted(cached).equals(_direct(registry, with_ids))
    assert sorted(registry.store.current_ledger()["quantity"]) == [1, 1, 1, 1, 1, 1, 3]


def _delete(path: Path) -> None:
    path.unlink()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _tamper(path: Path) -> None:
    """One byte changed, the name kept."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    """A segment of another store (or of this one before it was recreated): same batch id,
    different batch."""
    path.rename(path.with_name(path.name.replace(path.name.split(".")[1], "0" * 16)))


@pytest.mark.parametrize(
    "damage", [_delete, _truncate, _tamper, _foreign], ids=lambda f: f.__name__[1:]
)
def test_a_damaged_segment_changes_no_score_and_is_rewritten(
    registry: Registry, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    _ingest_with_revisions(registry, tmp_path)
    expected = registry.score_all(AS_OF)
    first, second = _segments(registry)
    damage(first)
    assert registry.score_all(AS_OF).equals(expected)
    assert _sorted(registry.store.current_ledger(with_ids=True)).equals(
        _direct(registry, with_ids=True)
    )
    rewritten = _segments(registry)
    assert first in rewritten and second in rewritten and len(rewritten) == 2


def test_without_a_cache_folder_scores_are_the_same(registry: Registry, tmp_path: Path) -> None:
    _ingest_with_revisions(registry, tmp_path)
    expected = registry.score_all(AS_OF)
    cache = registry.store.ledger_cache
    for path in _segments(registry):
        path.unlink()
    cache.directory.rmdir()
    assert registry.score_all(AS_OF).equals(expected)
    assert len(_segments(registry)) == 2


def test_a_cache_that_may_not_be_written_is_read_and_left_alone(
    registry: Registry, tmp_path: Path
) -> None:
    """A read-only store (or cache folder) reads the segments that are valid and the rest
    from the store, and writes nothing."""
    _ingest_with_revisions(registry, tmp_path)
    cache = registry.store.ledger_cache
    first, second = _segments(registry)
    first.unlink()
    read_only = LedgerCache(cache.directory, writable=False)
    ledger = cached_read.read_current_ledger_cached(registry.store.url, read_only, with_ids=True)
    assert _sorted(ledger).equals(_direct(registry, with_ids=True))
    assert _segments(registry) == [second]
    assert not list(cache.directory.glob(".writing-*"))


def test_a_read_only_sqlite_store_does_not_write_its_cache(tmp_path: Path) -> None:
    from socialcredit.store.urls import parse_store_url

    url = parse_store_url(f"sqlite:///{tmp_path / 'r.db'}")
    assert LedgerCache.for_store(url).writable
    assert not LedgerCache.for_store(url.with_access("read-only")).writable


def test_a_read_is_one_snapshot_while_an_ingest_commits_during_it(
    registry: Registry, tmp_path: Path
) -> None:
    """The batches are listed once; a batch read from the store because its segment is
    missing is read in the same snapshot, so a file committed meanwhile (which supersedes one
    of its records) is wholly out of the read."""
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    first = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-01") for n in range(4)]
    registry.ingest(write_records(tmp_path / "first.jsonl", first), "traffic-police")
    second = [record("o1", "tax.arrears_major", ORGANIZATION, "2025-01-01")]
    registry.ingest(write_records(tmp_path / "second.jsonl", second), "tax-office")
    _segments(registry)[0].unlink()
    later = [
        record("r3", "traffic.red_light", PERSON, "2025-01-01", revision=2, quantity=9),
        record("r4", "traffic.red_light", PERSON, "2025-01-01"),
    ]
    committed = []

    def ingest_once() -> None:
        if not committed:
            committed.append(
                registry.ingest(write_records(tmp_path / "later.jsonl", later), "traffic-police")
            )

    cache = registry.store.ledger_cache
    ledger = cached_read.read_current_ledger_cached(
        registry.store.url, cache, between_batches=ingest_once
    )
    assert committed
    assert sorted(ledger["quantity"]) == [1] * 5
    assert sorted(registry.store.current_ledger()["quantity"]) == [1] * 5 + [9]
    assert len(_segments(registry)) == 3


def test_an_ingest_that_fails_leaves_no_segment(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    rows = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-01") for n in range(3)]

    class Interrupted(Exception):
        pass

    def fail(*_arguments) -> None:
        raise Interrupted

    monkeypatch.setattr(ingest_sessions.IngestSession, "finish", fail)
    with pytest.raises(Interrupted):
        registry.ingest(write_records(tmp_path / "r.jsonl", rows), "traffic-police")
    cache = registry.store.ledger_cache
    assert list(cache.directory.glob("*")) == []
    assert registry.store.current_ledger().height == 0


def test_a_segment_written_before_records_had_an_act_is_never_used(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache written by a release before migration 0008 (segments without the act's columns,
    named by the stamps of then) is read from the store again and rewritten; a segment of that
    layout under today's name is refused by its columns."""
    import hashlib

    from socialcredit.store import ledger_cache

    def stamp_before_acts(batch_id, file_sha256, received_at, accepted):
        text = f"{file_sha256}|{received_at}|{accepted}"
        digest = hashlib.sha256(text.encode()).hexdigest()[: ledger_cache.STAMP_HEX_DIGITS]
        return ledger_cache.BatchStamp(batch_id, digest, accepted)

    without_acts = {
        name: dtype
        for name, dtype in ledger_cache.SEGMENT_COLUMNS.items()
        if not name.startswith("act")
    }
    with monkeypatch.context() as before_acts:
        before_acts.setattr(ledger_cache.BatchStamp, "of", staticmethod(stamp_before_acts))
        before_acts.setattr(ledger_cache, "SEGMENT_COLUMNS", without_acts)
        registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        rows = [record("a", "traffic.red_light", PERSON, "2025-01-01", act="CASE-1")]
        registry.ingest(write_records(tmp_path / "r.csv", rows), "traffic-police")
    (old,) = _segments(registry)
    assert "act" not in pl.read_parquet(old).columns
    assert registry.store.current_ledger()["act"].cast(pl.String).to_list() == ["CASE-1"]
    (rewritten,) = _segments(registry)
    assert rewritten != old and not old.exists()
    assert "act" in pl.read_parquet(rewritten).columns

    # The old layout under today's name (its digest made right) is refused all the same.
    data = pl.read_parquet(rewritten).drop("act", "act_source", "act_record_id")
    rewritten.unlink()
    temporary = tmp_path / "old-layout.parquet"
    data.write_parquet(temporary)
    digest = hashlib.sha256(temporary.read_bytes()).hexdigest()[: ledger_cache.DIGEST_HEX_DIGITS]
    prefix = rewritten.name.rsplit(".", 2)[0]
    temporary.rename(rewritten.with_name(f"{prefix}.{digest}{SEGMENT_SUFFIX}"))
    assert registry.store.current_ledger()["act"].cast(pl.String).to_list() == ["CASE-1"]
    (again,) = _segments(registry)
    assert "act" in pl.read_parquet(again).columns
