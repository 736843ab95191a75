"""The registry: the one facade the edges (CLI, HTTP API, web pages) call.

It joins the pure core (catalogue, rules, scoring) to the store and to a clock. Nothing here
parses arguments or renders output, and nothing in the core knows what day it is: the clock
is injected, so tests never depend on today.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import polars as pl

from socialcredit.catalogue.validation import (
    CatalogueReport,
    parse_catalogue_text,
    validate_catalogue,
)
from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.identifiers import SubjectKind, identifier_problem, normalize_identifier
from socialcredit.domain.objections import Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.rules import Rulebook
from socialcredit.domain.scoring import score_subject
from socialcredit.keys import KeyRing
from socialcredit.rights import (
    CheckAnswer,
    InvalidIdentifier,
    MeasureCoverage,
    Refused,  # noqa: F401 (the edges take it from the facade)
    Statement,
    SubjectFile,
    SubjectRights,
)
from socialcredit.scoring import spark_job
from socialcredit.scoring.batch import contributions_by_item, held_back_ids, score_ledger
from socialcredit.scoring.snapshot import SnapshotSummary, name_scores, read_scores, write_snapshot
from socialcredit.scoring.summary import PopulationSummary, summarize_scores
from socialcredit.sessions import SessionRing
from socialcredit.store.bulk import NewBatch
from socialcredit.store.store import CatalogueRow, Store

if TYPE_CHECKING:
    from socialcredit.ingest.pipeline import IngestCounts

Clock = Callable[[], dt.datetime]


class Engine(str, enum.Enum):
    """What scores the whole population (`scs score --engine`)."""

    polars = "polars"
    spark = "spark"


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UnknownSource(LookupError):
    pass


@dataclass(frozen=True)
class PublishResult:
    report: CatalogueReport
    version: int | None
    warnings: list[str]


@dataclass(frozen=True)
class IngestResult:
    batch_id: int
    counts: IngestCounts
    rejects_path: Path
    unknown_columns: list[str]


@dataclass(frozen=True)
class PopulationReport:
    """Every subject scored at a date, summed up, and the items that moved the scores."""

    as_of: dt.date
    scores: pl.DataFrame
    summary: PopulationSummary
    contributions: pl.DataFrame  # item, title, points, subjects; most negative first


class Registry:
    def __init__(self, store: Store, clock: Clock = system_clock):
        self.store = store
        self.clock = clock
        self._rulebook: Rulebook | None = None
        self.rights = SubjectRights(self)

    @property
    def keys(self) -> KeyRing:
        """API keys (SPEC §8)."""
        return KeyRing(self.store, self.clock, lambda: set(self.rulebook.source_codes))

    @property
    def sessions(self) -> SessionRing:
        """The web pages' sign-in sessions, each tied to the key it signed in with."""
        return SessionRing(self.store, self.clock, self.keys)

    def today(self) -> dt.date:
        """The registry's calendar day, in the machine's local time zone."""
        return self.clock().astimezone().date()

    # -- catalogue -------------------------------------------------------------------------

    @property
    def rulebook(self) -> Rulebook:
        if self._rulebook is None:
            self._rulebook = Rulebook(
                [Catalogue.model_validate_json(row.document) for row in self.store.catalogue_rows()]
            )
        return self._rulebook

    def publish_catalogue(self, text: str) -> PublishResult:
        """Validate a catalogue (YAML text) and, when it is valid, publish it.

        Validated first against the latest version this registry knows; then, holding the
        store's publication lock, against the latest version stored, should another
        publication have landed meanwhile (two shells, two servers)."""
        document, problems = parse_catalogue_text(text)
        if problems:
            return PublishResult(CatalogueReport(None, problems), None, [])
        report = validate_catalogue(document, previous=self.rulebook.latest)
        if not report.valid:
            return PublishResult(report, None, report.warnings)
        known = self.rulebook.latest.version if self.rulebook.latest else None
        with self.store.publication() as publication:
            latest = publication.latest()
            if (latest.version if latest else None) != known:
                self._rulebook = None
                previous = Catalogue.model_validate_json(latest.document) if latest else None
                report = validate_catalogue(document, previous=previous)
                if not report.valid:
                    return PublishResult(report, None, report.warnings)
            catalogue = report.catalogue
            assert catalogue is not None
            warnings = list(report.warnings)
            if latest is not None and catalogue.effective_from <= self.today():
                warnings.append(
                    f"version {catalogue.version} takes effect on {catalogue.effective_from}, not "
                    "after today: records decided since then are judged and scored by it"
                )
            publication.append(
                CatalogueRow(
                    version=catalogue.version,
                    catalog=catalogue.catalog,
                    effective_from=catalogue.effective_from,
                    published_at=self.clock(),
                    document=orjson.dumps(
                        catalogue.model_dump(mode="json", by_alias=True)
                    ).decode(),
                    source_text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                )
            )
        self._rulebook = None
        return PublishResult(report, catalogue.version, warnings)

    # -- records ---------------------------------------------------------------------------

    def ingest(self, path: Path, source: str, rejects_path: Path | None = None) -> IngestResult:
        # Imported here: the readers import pyarrow, which commands that ingest nothing (`scs
        # score`) need not pay for (issue 12).
        from socialcredit.ingest.pipeline import ingest_chunks
        from socialcredit.ingest.readers import RecordFile
        from socialcredit.ingest.rejects import RejectsFile

        record_file = RecordFile.open(path)
        if source not in self.rulebook.source_codes:
            known = ", ".join(sorted(self.rulebook.source_codes)) or "none: publish a catalogue"
            raise UnknownSource(f"unknown source {source!r}; declared sources: {known}")
        rejects = RejectsFile(rejects_path or path.with_suffix(".rejects.csv"))
        received_at = self.clock()
        batch = NewBatch(
            source=source,
            file_name=path.name,
            file_format=record_file.format,
            file_sha256=record_file.sha256(),
            submitted_on=self.today(),
            received_at=received_at,
        )
        try:
            with self.store.ingest_session(batch) as session:
                counts = ingest_chunks(
                    record_file, session, self.rulebook, source, batch.submitted_on, rejects
                )
                batch_id = session.batch_id
        except BaseException:
            rejects.discard()
            raise
        rejects.commit()
        self.store.refresh_statistics(counts.accepted)
        return IngestResult(batch_id, counts, rejects.path, sorted(record_file.unknown_columns))

    # -- scores ----------------------------------------------------------------------------

    def score_all(self, as_of: dt.date) -> pl.DataFrame:
        rulebook = self.rulebook
        rulebook.scoring_version(as_of)  # fail before reading the ledger
        ledger, subjects, overdue = self._ledger_subjects_and_overdue(as_of)
        return score_ledger(ledger, rulebook, as_of, overdue, subjects=subjects)

    def export_snapshot(self, directory: Path, parts: int | None = None) -> SnapshotSummary:
        """`scs export`: the current ledger as a snapshot for a distributed engine, naming
        nobody (`scoring/snapshot.py`). Read in the batch scorer's order: objections first,
        then the ledger with row ids, then the keys' kinds (which then cover every key)."""
        overdue = self.rights.overdue()
        ledger, subjects = self.store.current_ledger_and_subjects(with_ids=True)
        published = {row.version: row.source_text for row in self.store.catalogue_rows()}
        return write_snapshot(
            directory, ledger, subjects, overdue, self.rulebook, published, self.clock(), parts
        )

    def score_all_on_spark(self, as_of: dt.date) -> pl.DataFrame:
        """`scs score --engine spark`: export to a temporary directory, score it with the Spark
        job in local mode, join the keys back to identifiers; the same frame as `score_all`."""
        self.rulebook.scoring_version(as_of)  # fail before exporting
        with tempfile.TemporaryDirectory(prefix="scs-spark-") as temporary:
            snapshot, out = Path(temporary) / "snapshot", Path(temporary) / "scores"
            self.export_snapshot(snapshot)
            spark_job.score_locally(str(snapshot), as_of, str(out))
            return self.name_scores(out)

    def name_scores(self, directory: Path) -> pl.DataFrame:
        """The Spark job's scores (by subject key, in `directory`) joined back to identifiers:
        the frame `score_all` gives. Only the identity store can do this."""
        return name_scores(read_scores(directory), self.store.subjects())

    def _ledger_subjects_and_overdue(
        self, as_of: dt.date
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
        """The current ledger, every subject (read after it, so naming every key it uses) and
        the objections overdue at `as_of`; row ids are read only when some record is held back
        then, so that scoring a day without costs nothing."""
        overdue = self.rights.overdue()
        if held_back_ids(overdue, as_of) is None:
            return *self.store.current_ledger_and_subjects(), None
        return *self.store.current_ledger_and_subjects(with_ids=True), overdue

    def population(self, as_of: dt.date) -> PopulationReport:
        rulebook = self.rulebook
        catalogue = rulebook.scoring_version(as_of)
        ledger, subjects, overdue = self._ledger_subjects_and_overdue(as_of)
        scores = score_ledger(ledger, rulebook, as_of, overdue, subjects=subjects)
        return PopulationReport(
            as_of,
            scores,
            summarize_scores(scores, catalogue),
            contributions_by_item(ledger, rulebook, as_of, overdue).with_columns(
                pl.col("item").replace_strict(rulebook.titles, default="").alias("title")
            ),
        )

    def subject_files(
        self,
        subject_id: str,
        as_of: dt.date,
        viewer: str,
        purpose: str,
        channel: str,
    ) -> list[SubjectFile]:
        """The files (one per kind, nearly always one) of `subject_id` at `as_of`, with their
        objections, statement and access log (SPEC §7.4); each look is logged."""
        return self.rights.subject_files(subject_id, as_of, viewer, purpose, channel)

    # -- the subject's rights and the relying party's check (SPEC §7) ----------------------

    def file_objection(
        self, source: str, record_id: str, reason: str, on: dt.date | None = None
    ) -> Objection:
        return self.rights.file_objection(source, record_id, reason, on)

    def uphold_objection(
        self, number: int, note: str | None = None, on: dt.date | None = None
    ) -> Objection:
        return self.rights.uphold_objection(number, note, on)

    def objections(
        self, source: str | None = None, subject_id: str | None = None, open_only: bool = False
    ) -> list[Objection]:
        return self.rights.objections(source, subject_id, open_only)

    def leave_statement(self, subject_id: str, text: str) -> Statement:
        return self.rights.leave_statement(subject_id, text)

    def check(
        self,
        subject_id: str,
        measure: str,
        party: str,
        purpose: str,
        as_of: dt.date | None = None,
        channel: str = "check",
    ) -> CheckAnswer:
        return self.rights.check(subject_id, measure, party, purpose, as_of, channel)

    def measures(self, as_of: dt.date | None = None) -> list[MeasureCoverage]:
        return self.rights.measures(as_of)

    def organization_lists(self, code: str, as_of: dt.date) -> tuple[str, ...] | None:
        """The public view of an organization (SPEC §8): its lists, or None when it has no
        file. Not logged as a look at the file: it shows nothing but what the lists publish."""
        code = normalize_identifier(code)
        problem = identifier_problem("organization", code)
        if problem:
            raise InvalidIdentifier(problem)
        for score, _objections in self.rights.scores(code, as_of):
            if score.subject_kind == "organization":
                return score.lists
        return None

    def current_record(self, source: str, record_id: str) -> LedgerRecord | None:
        """The current revision of one record, or None: whose it is, before acting on it."""
        return self.rights.tables.current_revision(source, record_id)

    def score_history(
        self, subject_id: str, kind: SubjectKind, days: Iterable[dt.date]
    ) -> list[tuple[dt.date, int]]:
        """One file's score on each of `days` on which it existed: the subject's own chart.
        Not logged (the page that shows it logs its look once); records and objections are
        read once, and each day is scored as `subject_files` would score it."""
        subject_id = normalize_identifier(subject_id)
        records = [r for r in self.store.records_naming(subject_id) if r.subject_kind == kind]
        objections = self.objections(subject_id=subject_id) if records else []
        history = []
        for day in days:
            if self.rulebook.version_on(day) is None:
                continue
            score = score_subject(records, self.rulebook, day, [o.on(day) for o in objections])
            if score is not None:
                history.append((day, score.score))
        return history
