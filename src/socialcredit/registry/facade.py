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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import polars as pl
import sqlalchemy as sa

from socialcredit.catalogue.validation import (
    CatalogueReport,
    parse_catalogue_text,
    validate_catalogue,
)
from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.file import SubjectFile, ViewsPage
from socialcredit.domain.identifiers import IdentifiedSubjects, SubjectKind, SubjectRef
from socialcredit.domain.measures import CheckAnswer, MeasureCoverage, measure_coverage
from socialcredit.domain.objections import Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.refusals import Refused
from socialcredit.domain.repairs import DecisionKind, Repair
from socialcredit.domain.rules import AsOfBeforeCatalogue, Rulebook
from socialcredit.registry.clock import Clock, calendar_day, system_clock
from socialcredit.registry.keys import KeyRing
from socialcredit.registry.population import PopulationCache
from socialcredit.registry.repairs import CreditRepair
from socialcredit.registry.rights import SubjectRights
from socialcredit.registry.sessions import SessionRing
from socialcredit.scoring import spark_job
from socialcredit.scoring.batch import (
    contributions_by_item,
    held_back_ids,
    repaired_ids,
    score_ledger,
)
from socialcredit.scoring.simulation import Simulation, simulate
from socialcredit.scoring.snapshot import SnapshotSummary, name_scores, read_scores, write_snapshot
from socialcredit.scoring.summary import PopulationSummary, summarize_scores
from socialcredit.store.ingest_sessions import NewBatch
from socialcredit.store.store import CatalogueRow, IngestBatch, Store

if TYPE_CHECKING:
    from socialcredit.domain.file import KeptStatement
    from socialcredit.ingest.pipeline import IngestCounts


class Engine(str, enum.Enum):
    """What scores the whole population (`scs score --engine`)."""

    polars = "polars"
    spark = "spark"


class UnknownSource(LookupError):
    pass


@dataclass(frozen=True)
class PublishResult:
    report: CatalogueReport
    version: int | None
    warnings: list[str]


@dataclass(frozen=True)
class SimulationResult:
    """`scs catalog simulate` (SPEC §10.6): the validation report as publication would give
    it; when the catalogue is valid, what it would change (else None)."""

    report: CatalogueReport
    simulation: Simulation | None
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
    """The facade: the CLI, the API, the web pages and the demo call these methods only."""

    def __init__(self, store: Store, clock: Clock = system_clock):
        self.store = store
        self.clock = clock
        self._rulebook: Rulebook | None = None
        self._repairs = CreditRepair(store.rights, store.repairs, lambda: self.rulebook, clock)
        self._rights = SubjectRights(store.rights, lambda: self.rulebook, clock, self._repairs)
        self._population: PopulationCache[PopulationReport] = PopulationCache()
        self.keys = KeyRing(
            store.engine, store.identities, clock, lambda: set(self.rulebook.source_codes)
        )
        """API keys (SPEC §8)."""
        self.sessions = SessionRing(store.engine, clock, self.keys)
        """The web pages' sign-in sessions, each tied to the key it signed in with."""

    @classmethod
    def open(cls, url: str | None = None, clock: Clock = system_clock) -> Registry:
        """The registry on the store at `url` (or $SCS_DB, or ./scs.db), brought to the current
        schema; StoreUnavailable or BadStoreURL when it cannot be opened."""
        return cls(Store.open(url), clock)

    def close(self) -> None:
        self.store.close()

    def problem(self, error: BaseException) -> str | None:
        """One line for an error the store, not the request, caused (busy, read-only, full,
        gone); None for anything else."""
        return self.store.problem(error)

    def refused_value(self, error: BaseException) -> bool:
        """Whether the store refused a value of the request (one it cannot hold), rather than
        being busy or gone."""
        return isinstance(error, sa.exc.DataError)

    @property
    def unlogged_looks(self) -> int:
        """Looks at a file a read-only store could not log."""
        return self.store.unlogged_looks

    @property
    def store_url(self) -> str:
        """The store's URL as given (with any password): for worker processes to open it."""
        return self.store.url.given

    @property
    def store_name(self) -> str:
        """The store's URL as it may be shown (any password hidden)."""
        return self.store.url.display()

    def readiness(self) -> int:
        """How many catalogue versions the store holds, read from it now: raises when the
        store does not answer."""
        return len(self.store.catalogue_rows())

    def today(self) -> dt.date:
        """The registry's calendar day, in the machine's local time zone."""
        return calendar_day(self.clock)

    # -- catalogue -------------------------------------------------------------------------

    @property
    def rulebook(self) -> Rulebook:
        if self._rulebook is None:
            self._rulebook = Rulebook(
                [Catalogue.model_validate_json(row.document) for row in self.store.catalogue_rows()]
            )
        return self._rulebook

    def catalogue_rows(self) -> list[CatalogueRow]:
        """Every published version as stored (`scs catalog versions`)."""
        return self.store.catalogue_rows()

    def publish_catalogue(self, text: str) -> PublishResult:
        """Validate a catalogue (YAML text) and, when it is valid, publish it.

        Validated first against the latest version this registry knows; then, holding the
        store's publication lock, against the latest version stored, should another
        publication have landed meanwhile (two shells, two servers)."""
        document, problems = parse_catalogue_text(text)
        if problems:
            return PublishResult(CatalogueReport(None, problems), None, [])
        today = self.today()
        not_before = self._not_before(today)
        report = validate_catalogue(document, self.rulebook.latest, not_before)
        if not report.valid:
            return PublishResult(report, None, report.warnings)
        known = self.rulebook.latest.version if self.rulebook.latest else None
        with self.store.publication() as publication:
            latest = publication.latest()
            if (latest.version if latest else None) != known:
                self._rulebook = None
                previous = Catalogue.model_validate_json(latest.document) if latest else None
                report = validate_catalogue(document, previous, not_before)
                if not report.valid:
                    return PublishResult(report, None, report.warnings)
            catalogue = report.catalogue
            assert catalogue is not None
            warnings = list(report.warnings)
            if not_before is not None and catalogue.effective_from == today:
                warnings.append(
                    f"version {catalogue.version} takes effect today: records decided today "
                    "are judged and scored by it"
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
        self._population.invalidate()
        return PublishResult(report, catalogue.version, warnings)

    def _not_before(self, today: dt.date) -> dt.date | None:
        """SPEC §10.6: a version is never back-dated once the store holds records; an empty
        store may load its history."""
        return today if self.store.holds_records() else None

    def check_catalogue(self, text: str) -> CatalogueReport:
        """A catalogue (YAML text) validated as `publish_catalogue` would validate it now,
        against the latest version; nothing is published."""
        document, problems = parse_catalogue_text(text)
        if problems:
            return CatalogueReport(None, problems)
        return validate_catalogue(document, self.rulebook.latest, self._not_before(self.today()))

    def simulate_catalogue(self, text: str, as_of: dt.date | None = None) -> SimulationResult:
        """SPEC §10.6: validate a catalogue (YAML text) as `publish_catalogue` would, then
        score everyone at `as_of` (default today) as if it had replaced the version in effect
        then, against the real scores. Stores and logs nothing. AsOfBeforeCatalogue when no
        version is in effect on `as_of`."""
        report = self.check_catalogue(text)
        if not report.valid:
            return SimulationResult(report, None, report.warnings)
        assert report.catalogue is not None
        day = self.today() if as_of is None else as_of
        rulebook = self.rulebook
        rulebook.scoring_version(day)  # fail before reading the ledger
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(day)
        simulation = simulate(
            ledger, rulebook, report.catalogue, day, overdue, subjects, repairs=repairs
        )
        return SimulationResult(report, simulation, report.warnings)

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
        self._population.invalidate()
        self.store.refresh_statistics(counts.accepted)
        return IngestResult(batch_id, counts, rejects.path, sorted(record_file.unknown_columns))

    def batches(
        self, source: str | None = None, limit: int = 100, before: int | None = None
    ) -> list[IngestBatch]:
        """At most `limit` ingested files, latest first; only those with an id below `before`."""
        return self.store.batches(source, limit, before)

    def batch(self, batch_id: int) -> IngestBatch | None:
        return self.store.batch(batch_id)

    def rejected_rows(self, batch_id: int) -> pl.DataFrame:
        """A batch's rejected rows as the rejects file gave them: row, reason, fields."""
        return self.store.rejected_rows(batch_id)

    def highest_record_row_id(self) -> int:
        """The highest row id of the ledger (0 when empty): the demo draws records by row id."""
        return self.store.rights.highest_row_id()

    def records_by_row_ids(self, row_ids: list[int]) -> list[LedgerRecord]:
        return self.store.rights.records_by_row_ids(row_ids)

    # -- scores ----------------------------------------------------------------------------

    def score_all(self, as_of: dt.date) -> pl.DataFrame:
        rulebook = self.rulebook
        rulebook.scoring_version(as_of)  # fail before reading the ledger
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        return score_ledger(ledger, rulebook, as_of, overdue, subjects=subjects, repairs=repairs)

    def current_ledger(self) -> pl.DataFrame:
        """The current revision of every record, subjects by key (subject, item, decided_on,
        quantity, status): for figures over the whole ledger, as the demo's realism block."""
        return self.store.current_ledger()

    def export_snapshot(self, directory: Path, parts: int | None = None) -> SnapshotSummary:
        """`scs export`: the current ledger as a snapshot for a distributed engine, naming
        nobody (`scoring/snapshot.py`). Read in the batch scorer's order: objections first,
        then the ledger with row ids, then the keys' kinds (which then cover every key)."""
        overdue = self.store.rights.overdue_intervals()
        repairs = self.store.repairs.granted_frame()
        ledger, subjects = self.store.current_ledger_and_subjects(with_ids=True)
        published = {row.version: row.source_text for row in self.store.catalogue_rows()}
        return write_snapshot(
            directory,
            ledger,
            subjects,
            overdue,
            self.rulebook,
            published,
            self.clock(),
            parts,
            repairs=repairs,
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
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None]:
        """The current ledger, every subject (read after it, so naming every key it uses), the
        objections overdue at `as_of` and the repairs granted by then (SPEC §10.2); row ids are
        read only when some record is held back or repaired then, so that scoring a day without
        costs nothing."""
        overdue = self.store.rights.overdue_intervals()
        repairs = self.store.repairs.granted_frame()
        if held_back_ids(overdue, as_of) is None:
            overdue = None
        if repaired_ids(repairs, as_of) is None:
            repairs = None
        if overdue is None and repairs is None:
            return *self.store.current_ledger_and_subjects(), None, None
        return *self.store.current_ledger_and_subjects(with_ids=True), overdue, repairs

    def population(self, as_of: dt.date) -> PopulationReport:
        rulebook = self.rulebook
        catalogue = rulebook.scoring_version(as_of)
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        scores = score_ledger(ledger, rulebook, as_of, overdue, subjects=subjects, repairs=repairs)
        return PopulationReport(
            as_of,
            scores,
            summarize_scores(scores, catalogue),
            contributions_by_item(ledger, rulebook, as_of, overdue, repairs).with_columns(
                pl.col("item").replace_strict(rulebook.titles, default="").alias("title")
            ),
        )

    def population_today(self) -> PopulationReport:
        """Everyone scored today, kept while nothing it depends on changed (`population.py`)."""
        latest = next(iter(self.store.batches(limit=1)), None)
        stamp = (latest.id if latest else 0, len(self.rulebook.catalogues))
        return self._population.get(self.today(), stamp, self.population)

    def identify(self, subject_id: str) -> IdentifiedSubjects:
        """A request's identifier, normalized and checked (InvalidIdentifier), and the subjects it
        names: resolved once, then handed to the methods below in place of the identifier."""
        return self._rights.identify(subject_id)

    def subject_files(
        self,
        subject_id: str | IdentifiedSubjects,
        as_of: dt.date,
        viewer: str,
        purpose: str,
        channel: str,
    ) -> list[SubjectFile]:
        """The files (one per kind, nearly always one) of `subject_id` at `as_of`, with their
        objections, statement and access log (SPEC §7.4); each look is logged."""
        return self._rights.subject_files(subject_id, as_of, viewer, purpose, channel)

    def views_pages(
        self, subject_id: str | IdentifiedSubjects, page: int = 1
    ) -> list[tuple[SubjectRef, ViewsPage]]:
        """One page (1: the latest) of each file's access log, newest first, with the repeated
        looks summed up by viewer, purpose and channel (defect 13). Not logged."""
        return self._rights.views_pages(subject_id, page)

    # -- the subject's rights and the relying party's check (SPEC §7) ----------------------

    def file_objection(
        self, source: str, record_id: str, reason: str, on: dt.date | None = None
    ) -> Objection:
        objection = self._rights.file_objection(source, record_id, reason, on)
        self._population.invalidate()
        return objection

    def uphold_objection(
        self, number: int, note: str | None = None, on: dt.date | None = None
    ) -> Objection:
        objection = self._rights.uphold_objection(number, note, on)
        self._population.invalidate()
        return objection

    def objections(
        self,
        source: str | None = None,
        subject_id: str | IdentifiedSubjects | None = None,
        open_only: bool = False,
    ) -> list[Objection]:
        """Objections as they stand today, in filing order; `subject_id`: those to revisions
        that named it; `open_only`: not yet answered (open or overdue)."""
        return self._rights.objections(source, subject_id, open_only)

    def leave_statement(self, subject_id: str | IdentifiedSubjects, text: str) -> KeptStatement:
        return self._rights.leave_statement(subject_id, text)

    # -- credit repair (SPEC §10.2) ----------------------------------------------------------
    # Every repair is written through these three methods, and each ends in `_repairs_changed`:
    # whatever depends on who counts (caches of scores) is invalidated there, in one place.

    def apply_repair(
        self, source: str, record_id: str, evidence: str, on: dt.date | None = None
    ) -> Repair:
        """The subject's application for repair of a record (SPEC §10.2); Refused saying why."""
        repair = self._repairs.apply(source, record_id, evidence, on)
        self._repairs_changed(repair)
        return repair

    def grant_repair(
        self, number: int, on: dt.date | None = None, source: str | None = None
    ) -> Repair:
        """The source grants repair: from that day on the record does not count. `source`: who
        decides, when the edge knows it (only the record's source may)."""
        return self._decide_repair(number, "granted", None, on, source)

    def refuse_repair(
        self, number: int, reason: str, on: dt.date | None = None, source: str | None = None
    ) -> Repair:
        """The source refuses repair, saying why."""
        return self._decide_repair(number, "refused", reason, on, source)

    def _decide_repair(
        self,
        number: int,
        decision: DecisionKind,
        reason: str | None,
        on: dt.date | None,
        source: str | None,
    ) -> Repair:
        repair = self._repairs.decide(number, decision, reason, on, source)
        self._repairs_changed(repair)
        return repair

    def _repairs_changed(self, repair: Repair) -> None:
        """After any repair is written: a grant changes scores from its day on, so the cached
        population and the subject's file states (`subject_changed`) are invalidated."""
        self._population.invalidate()
        if repair.decision is not None and repair.decision.kind == "granted":
            found = self.identify(repair.subject_id).subjects
            self.subject_changed(*[s for s in found if s.kind == repair.subject_kind])

    def repairs(
        self,
        source: str | None = None,
        subject_id: str | IdentifiedSubjects | None = None,
        pending_only: bool = False,
    ) -> list[Repair]:
        """Applications for repair as they stand today, in order of their numbers; `subject_id`:
        those for revisions that named it; `pending_only`: not yet decided."""
        subjects = None
        if subject_id is not None:
            identified = self.identify(subject_id) if isinstance(subject_id, str) else subject_id
            subjects = identified.subjects
        return self._repairs.list(source, subjects, pending_only)

    def repair_opens(self, source: str, record_id: str) -> dt.date | None:
        """The first day repair of a record may be applied for, or None when it never may (no
        such record, revoked, not negative, not repairable): what a page offers the subject."""
        return self._repairs.opens(source, record_id)

    def repair(self, number: int) -> Repair:
        """One application as it stands today; Refused when there is none."""
        return self._repairs.one(number)

    def check(
        self,
        subject_id: str,
        measure: str,
        party: str,
        purpose: str,
        as_of: dt.date | None = None,
        channel: str = "check",
    ) -> CheckAnswer:
        """SPEC §7.3; CheckRefused (a Refused) with every problem when it cannot be asked."""
        return self._rights.check(subject_id, measure, party, purpose, as_of, channel)

    def subject_changed(self, *subjects: SubjectRef | int) -> None:
        """THE way to say that something a subject's score depends on changed outside the
        write paths that already say so (ingest, objections filed and upheld, publication):
        the file states the check reads (`store/subject_states.py`) of these subjects (by
        `SubjectRef` or key) are no longer valid, and the next check recomputes them. Call it
        after the change has committed (a credit repair granted, for one); a change made in a
        transaction of the store's own should call `store.subject_states.invalidate` in it."""
        keys = [subject if isinstance(subject, int) else subject.key for subject in subjects]
        self.store.rights.subjects_changed(keys)

    def measures(self, as_of: dt.date | None = None) -> list[MeasureCoverage]:
        """Each measure of the version in effect on `as_of` (default today), who may rely on
        it, and how many subjects it applies to."""
        day = self.today() if as_of is None else as_of
        try:
            catalogue = self.rulebook.scoring_version(day)
        except AsOfBeforeCatalogue as error:
            raise Refused(str(error)) from None
        scores = self.score_all(day) if catalogue.measures else pl.DataFrame()
        return measure_coverage(catalogue, scores, day)

    def measure_coverage(self, population: PopulationReport) -> list[MeasureCoverage]:
        """The measures in effect on the population's day, over its scores (the demo)."""
        catalogue = self.rulebook.scoring_version(population.as_of)
        return measure_coverage(catalogue, population.scores, population.as_of)

    def organization_lists(self, code: str, as_of: dt.date) -> tuple[str, ...] | None:
        """The public view of an organization (SPEC §8): its lists, or None when it has no
        file. Not logged as a look at the file: it shows nothing but what the lists publish."""
        return self._rights.organization_lists(code, as_of)

    def current_record(self, source: str, record_id: str) -> LedgerRecord | None:
        """The current revision of one record, or None: whose it is, before acting on it."""
        return self._rights.current_record(source, record_id)

    def score_history(
        self,
        subject: str | SubjectRef,
        kind: SubjectKind | None = None,
        days: Iterable[dt.date] = (),
    ) -> list[tuple[dt.date, int]]:
        """One file's score on each of `days` on which it existed: the subject's own chart.
        Not logged (the page that shows it logs its look once); records and objections are
        read once, and each day is scored as `subject_files` would score it. `subject`: the
        file's `SubjectRef`, or an identifier and the `kind` of its file."""
        if isinstance(subject, str):
            found = [s for s in self.identify(subject).subjects if s.kind == kind]
            if not found:
                return []
            subject = found[0]
        return self._rights.score_history(subject, days)
