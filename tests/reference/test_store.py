"""The store's paths held to the reference model, on both stores: every file ingested through
the registry (row verdicts, counts), repairs applied for and granted through the registry
(SPEC §10.2), then `scs score` (`Registry.score_all`) and `scs show` (`Registry.subject_files`,
which reads the store's records of one identifier) at every scoring date of the case."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fresh_store_url
from tests.helpers import catalogue_yaml, write_records
from tests.reference import model
from tests.reference.cases import BOTH_KINDS, ORGANIZATIONS, PERSONS, Case, cases, examples
from tests.reference.replay import model_ledger, model_view, score_row, subject_view

EXAMPLES = examples(12)
PUBLISHED_ON = dt.date(2023, 12, 1)
IDENTIFIERS = sorted(
    {model.normalized(identifier) for identifier in PERSONS + ORGANIZATIONS + BOTH_KINDS}
)


class SettableClock:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        # Noon UTC is the same calendar day in every time zone the machine may be set to.
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


def rejected_rows(path: Path) -> set[int]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {int(row["row"]) for row in csv.DictReader(handle)}


def ingest_case(
    registry: Registry, clock: SettableClock, case: Case, directory: Path
) -> list[tuple]:
    """Each file's counts and rejected row numbers, as the registry reports them."""
    reports = []
    for number, submitted in enumerate(case.files):
        clock.day = submitted.submitted_on
        path = write_records(
            directory / f"file-{number}.{submitted.extension}", list(submitted.rows)
        )
        rejects = directory / f"file-{number}.rejects.csv"
        counts = registry.ingest(path, submitted.source, rejects).counts
        reports.append(
            (counts.accepted, counts.duplicates, counts.rejected, rejected_rows(rejects))
        )
    return reports


def expected_reports(verdicts: list[list[str]]) -> list[tuple]:
    return [
        (
            file.count(model.ACCEPTED),
            file.count(model.DUPLICATE),
            file.count(model.REJECTED),
            {row for row, verdict in enumerate(file, start=1) if verdict == model.REJECTED},
        )
        for file in verdicts
    ]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=cases(), data=st.data())
def test_the_store_paths_equal_the_model(backend: str, case: Case, data: st.DataObject) -> None:
    check_store_paths(backend, case, data)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=cases(max_files=4, max_rows=6, sources=("court",)), data=st.data())
def test_revision_chains_across_files_equal_the_model(
    backend: str, case: Case, data: st.DataObject
) -> None:
    """One source, several files: revisions 1, 2, 3 of a record arrive in three files."""
    check_store_paths(backend, case, data)


def grant_repairs(
    registry: Registry, clock: SettableClock, current: list[model.Record], data: st.DataObject
) -> dict[tuple[str, str], dt.date]:
    """Some records granted repair through the registry, each applied for on the first day it
    may be (SPEC §10.1) and granted 0 to 400 days later; the grants, for the model."""
    wanted = []
    for record in current:
        if data.draw(st.booleans(), label=f"repair {record.source} {record.record_id}"):
            opens = registry.repair_opens(record.source, record.record_id)
            if opens is not None and opens < dt.date(9000, 1, 1):
                later = data.draw(st.integers(0, 400), label="granted days later")
                wanted.append((record, opens, opens + dt.timedelta(days=later)))
    if not wanted:
        return {}
    clock.day = max(clock.day, *(granted_on for _record, _opens, granted_on in wanted))
    repairs = {}
    for record, opens, granted_on in wanted:
        repair = registry.apply_repair(record.source, record.record_id, "paid", opens)
        registry.grant_repair(repair.number, granted_on)
        repairs[(record.source, record.record_id)] = granted_on
    return repairs


def check_store_paths(backend: str, case: Case, data: st.DataObject) -> None:
    ledger, verdicts = model_ledger(case)
    current = ledger.current()
    with (
        tempfile.TemporaryDirectory() as temporary,
        fresh_store_url(backend, Path(temporary)) as url,
    ):
        clock = SettableClock(PUBLISHED_ON)
        registry = Registry(Store.open(url), clock=clock)
        try:
            for document in case.catalogues:
                assert registry.publish_catalogue(catalogue_yaml(document)).version is not None
            assert ingest_case(registry, clock, case, Path(temporary)) == expected_reports(verdicts)
            repairs = grant_repairs(registry, clock, current, data)
            event(
                f"records granted repair: {min(len(repairs), 3)}{'+' if len(repairs) > 2 else ''}"
            )
            for as_of in case.as_of:
                expected = model.score_all(current, ledger.versions, [], as_of, repairs)
                assert registry.score_all(as_of).rows() == [score_row(score) for score in expected]
                for identifier in IDENTIFIERS:
                    files = registry.subject_files(identifier, as_of, "reference", "test", "cli")
                    mine = [score for score in expected if score.subject_id == identifier]
                    # One file per kind; the spec does not order the two of one identifier.
                    assert sorted(subject_view(file.score) for file in files) == sorted(
                        model_view(score) for score in mine
                    ), (identifier, as_of)
        finally:
            registry.store.close()
