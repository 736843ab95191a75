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
    StoreContext,
    parse_catalogue_text,
    validate_catalogue,
)
from socialcredit.domain.catalogue import DEFAULT_JURISDICTION, NATIONAL, Catalogue
from socialcredit.domain.file import Listing, OrganizationRecord, SubjectFile, ViewsPage
from socialcredit.domain.identifiers import IdentifiedSubjects, SubjectKind, SubjectRef
from socialcredit.domain.jurisdictions import Jurisdictions
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
    NATIONAL_LISTS,
    contributions_by_item,
    held_back_ids,
    national_lists_frame,
    of_sources,
    repaired_ids,
    score_jurisdiction,
)
from socialcredit.scoring.simulation import Simulation, simulate
from socialcredit.scoring.snapshot import SnapshotSummary, name_scores, read_scores, write_snapshot
from socialcredit.scoring.summary import PopulationSummary, summarize_scores
from socialcredit.store.ingest_sessions import NewBatch
from socialcredit.store.store import CatalogueRow, IngestBatch, Store

if TYPE_CHECKING:
    from socialcredit.domain.file import KeptStatement
    from socialcredit.ingest.pipeline import IngestCounts


NATIONAL_SNAPSHOT = "national"  # SPEC §11: where `scs export` puts the national snapshot


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
class JurisdictionSummary:
    """A jurisdiction as `GET /v1/jurisdictions` lists it (SPEC §11)."""

    jurisdiction: str
    national: bool
    catalog: str
    version: int | None  # in effect on the day asked; None before its first version
    sources: list[str]
    lists: list[str]


@dataclass(frozen=True)
class PopulationReport:
    """Every subject scored at a date, summed up, and the items that moved the scores."""

    as_of: dt.date
    scores: pl.DataFrame
    summary: PopulationSummary
    contributions: pl.DataFrame  # item, title, points, subjects; most negative first
    jurisdiction: str | None = None  # SPEC §11: the local jurisdiction scored


def _jurisdictions_of(rows: Iterable[CatalogueRow]) -> Jurisdictions:
    return Jurisdictions([Catalogue.model_validate_json(row.document) for row in rows])


def _jurisdiction_named(document: object) -> str:
    """The jurisdiction a catalogue document names (SPEC §11; validation judges the name)."""
    named = document.get("jurisdiction") if isinstance(document, dict) else None
    return named.strip() if isinstance(named, str) else DEFAULT_JURISDICTION


def _declared_sources(document: object) -> frozenset[str]:
    sources = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(sources, dict):
        return frozenset()
    return frozenset(code.strip() for code in sources if isinstance(code, str))


class Registry:
    """The facade: the CLI, the API, the web pages and the demo call these methods only."""

    def __init__(self, store: Store, clock: Clock = system_clock):
        self.store = store
        self.clock = clock
        self._jurisdictions: Jurisdictions | None = None
        self._repairs = CreditRepair(
            store.rights,
            store.repairs,
            lambda source: self.jurisdictions.rulebook_of_source(source),
            clock,
        )
        self._rights = SubjectRights(
            store.rights, lambda: self.rulebook, clock, self._repairs, lambda: self.jurisdictions
        )
        self._population: PopulationCache[PopulationReport] = PopulationCache()
        self.keys = KeyRing(
            store.engine, store.identities, clock, lambda: set(self.jurisdictions.source_codes)
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
    def jurisdictions(self) -> Jurisdictions:
        """Every published version, by jurisdiction (SPEC §11)."""
        if self._jurisdictions is None:
            self._jurisdictions = _jurisdictions_of(self.store.catalogue_rows())
        return self._jurisdictions

    @property
    def rulebook(self) -> Rulebook:
        """The rulebook of the store's one local jurisdiction (an empty one before any is
        published); JurisdictionRequired (a Refused) when the store has several: then name one
        (`rulebook_of`)."""
        return self.jurisdictions.local(None)

    def rulebook_of(self, jurisdiction: str | None) -> Rulebook:
        """The rulebook of a local jurisdiction (None: the store's only one; see `rulebook`);
        UnknownJurisdiction (a Refused) when the store has no catalogue of that name."""
        return self.jurisdictions.local(jurisdiction)

    def catalogue_rows(self) -> list[CatalogueRow]:
        """Every published version as stored (`scs catalog versions`)."""
        return self.store.catalogue_rows()

    def publish_catalogue(self, text: str) -> PublishResult:
        """Validate a catalogue (YAML text) and, when it is valid, publish it.

        Validated first against the versions this registry knows (its jurisdiction's latest,
        the store's national lists and other jurisdictions' sources, SPEC §11); then, holding
        the store's publication lock, against the versions stored, should another publication
        have landed meanwhile (two shells, two servers)."""
        document, problems = parse_catalogue_text(text)
        if problems:
            return PublishResult(CatalogueReport(None, problems), None, [])
        today = self.today()
        jurisdiction = _jurisdiction_named(document)
        known = self.jurisdictions
        # SPEC §10.6: never back-dated once the jurisdiction's sources hold records; a
        # jurisdiction without records (a new store, a city joining one) may load its history.
        sources = known.sources_of(jurisdiction) | _declared_sources(document)
        not_before = today if self.store.holds_records(sources) else None
        report = self._validated(document, jurisdiction, known, not_before)
        if not report.valid:
            return PublishResult(report, None, report.warnings)
        with self.store.publication() as publication:
            rows = publication.rows()
            if len(rows) != sum(len(rulebook.catalogues) for rulebook in known.rulebooks.values()):
                self._jurisdictions = None
                report = self._validated(
                    document, jurisdiction, _jurisdictions_of(rows), not_before
                )
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
                    jurisdiction=catalogue.jurisdiction,
                )
            )
        self._jurisdictions = None
        self._population.invalidate()
        return PublishResult(report, catalogue.version, warnings)

    def check_catalogue(self, text: str) -> CatalogueReport:
        """A catalogue (YAML text) validated as `publish_catalogue` would validate it now
        (against its jurisdiction's latest version, SPEC §11); nothing is published."""
        document, problems = parse_catalogue_text(text)
        if problems:
            return CatalogueReport(None, problems)
        jurisdiction = _jurisdiction_named(document)
        known = self.jurisdictions
        sources = known.sources_of(jurisdiction) | _declared_sources(document)
        not_before = self.today() if self.store.holds_records(sources) else None
        return self._validated(document, jurisdiction, known, not_before)

    def simulate_catalogue(self, text: str, as_of: dt.date | None = None) -> SimulationResult:
        """SPEC §10.6: validate a catalogue (YAML text) as `publish_catalogue` would, then
        score everyone of its jurisdiction at `as_of` (default today) as if it had replaced the
        version in effect then, against the real scores. Stores and logs nothing.
        AsOfBeforeCatalogue when no version of its jurisdiction is in effect on `as_of`, and for
        the national catalogue, which scores nobody (its lists' effect is not simulated)."""
        report = self.check_catalogue(text)
        if not report.valid:
            return SimulationResult(report, None, report.warnings)
        assert report.catalogue is not None
        name = report.catalogue.jurisdiction
        if name == NATIONAL:
            raise AsOfBeforeCatalogue(
                "the national catalogue scores nobody: there is nothing to compare"
            )
        day = self.today() if as_of is None else as_of
        jurisdictions = self.jurisdictions
        if name not in jurisdictions.local_names:
            raise AsOfBeforeCatalogue(
                f"no catalogue version of jurisdiction {name!r} is in effect on {day}; "
                "none is published"
            )
        rulebook = jurisdictions.local(name)
        rulebook.scoring_version(day)  # fail before reading the ledger
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(day)
        if len(jurisdictions.rulebooks) > 1:
            ledger = of_sources(ledger.lazy(), rulebook.source_codes).collect()
        simulation = simulate(
            ledger, rulebook, report.catalogue, day, overdue, subjects, repairs=repairs
        )
        return SimulationResult(report, simulation, report.warnings)

    def _validated(
        self,
        document: object,
        jurisdiction: str,
        jurisdictions: Jurisdictions,
        not_before: dt.date | None,
    ) -> CatalogueReport:
        """`document` judged for publication in a store holding `jurisdictions` (SPEC §3, §11)."""
        context = StoreContext(
            national_lists=jurisdictions.national_lists,
            sources_elsewhere={
                code: owner
                for code, owner in jurisdictions.source_jurisdiction.items()
                if owner != jurisdiction
            },
        )
        return validate_catalogue(document, jurisdictions.latest(jurisdiction), not_before, context)

    # -- records ---------------------------------------------------------------------------

    def ingest(self, path: Path, source: str, rejects_path: Path | None = None) -> IngestResult:
        # Imported here: the readers import pyarrow, which commands that ingest nothing (`scs
        # score`) need not pay for (issue 12).
        from socialcredit.ingest.pipeline import ingest_chunks
        from socialcredit.ingest.readers import RecordFile
        from socialcredit.ingest.rejects import RejectsFile

        record_file = RecordFile.open(path)
        jurisdictions = self.jurisdictions
        if source not in jurisdictions.source_codes:
            known = ", ".join(sorted(jurisdictions.source_codes)) or "none: publish a catalogue"
            raise UnknownSource(f"unknown source {source!r}; declared sources: {known}")
        # SPEC §11: a record is judged by its source's jurisdiction's versions.
        rulebook = jurisdictions.rulebook_of_source(source)
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
                    record_file, session, rulebook, source, batch.submitted_on, rejects
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

    def score_all(self, as_of: dt.date, jurisdiction: str | None = None) -> pl.DataFrame:
        """Every file of a local jurisdiction at `as_of` (SPEC §11; None: the store's only one,
        JurisdictionRequired when it has several), in the shape of `scs score`."""
        jurisdictions = self.jurisdictions
        jurisdictions.local(jurisdiction).scoring_version(as_of)  # fail before reading
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        return score_jurisdiction(
            ledger, jurisdictions, jurisdiction, as_of, overdue, subjects=subjects, repairs=repairs
        )

    def current_ledger(self) -> pl.DataFrame:
        """The current revision of every record, subjects by key (subject, item, decided_on,
        quantity, status): for figures over the whole ledger, as the demo's realism block."""
        return self.store.current_ledger()

    def export_snapshot(
        self, directory: Path, parts: int | None = None, jurisdiction: str | None = None
    ) -> SnapshotSummary:
        """`scs export`: the current ledger as a snapshot for a distributed engine, naming
        nobody (`scoring/snapshot.py`). Read in the batch scorer's order: objections first,
        then the ledger with row ids, then the keys' kinds (which then cover every key).
        SPEC §11: in a store of several jurisdictions, one local jurisdiction's records and
        versions, with the national snapshot in `national/` beside them."""
        jurisdictions = self.jurisdictions
        chosen = jurisdictions.choose(jurisdiction)
        rulebook = jurisdictions.local(chosen)
        rows = self.store.catalogue_rows()
        overdue = self.store.rights.overdue_intervals()
        repairs = self.store.repairs.granted_frame()
        ledger, subjects = self.store.current_ledger_and_subjects(with_ids=True)
        whole = ledger
        several = len(jurisdictions.rulebooks) > 1
        national = jurisdictions.national if several else None
        if several:
            ledger = ledger.filter(
                pl.col("source").cast(pl.String).is_in(sorted(rulebook.source_codes))
            )
        published = {
            row.version: row.source_text
            for row in rows
            if not several or row.jurisdiction == chosen
        }
        summary = write_snapshot(
            directory,
            ledger,
            subjects,
            overdue,
            rulebook,
            published,
            self.clock(),
            parts,
            jurisdiction=chosen,
            national_directory=NATIONAL_SNAPSHOT if national else None,
            repairs=repairs,
        )
        if national:
            write_snapshot(
                directory / NATIONAL_SNAPSHOT,
                whole.filter(pl.col("source").cast(pl.String).is_in(sorted(national.source_codes))),
                subjects,
                overdue,
                national,
                {row.version: row.source_text for row in rows if row.jurisdiction == NATIONAL},
                self.clock(),
                jurisdiction=NATIONAL,
                repairs=repairs,
            )
        return summary

    def score_all_on_spark(self, as_of: dt.date, jurisdiction: str | None = None) -> pl.DataFrame:
        """`scs score --engine spark`: export to a temporary directory, score it with the Spark
        job in local mode, join the keys back to identifiers; the same frame as `score_all`."""
        self.jurisdictions.local(jurisdiction).scoring_version(as_of)  # fail before exporting
        with tempfile.TemporaryDirectory(prefix="scs-spark-") as temporary:
            snapshot, out = Path(temporary) / "snapshot", Path(temporary) / "scores"
            self.export_snapshot(snapshot, jurisdiction=jurisdiction)
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

    def population(self, as_of: dt.date, jurisdiction: str | None = None) -> PopulationReport:
        """Every file of a local jurisdiction (None: the store's only one) at `as_of`, summed
        up, and the items of its catalogue that moved the scores."""
        jurisdictions = self.jurisdictions
        rulebook = jurisdictions.local(jurisdiction)
        catalogue = rulebook.scoring_version(as_of)
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        scores = score_jurisdiction(
            ledger, jurisdictions, jurisdiction, as_of, overdue, subjects=subjects, repairs=repairs
        )
        local = (
            ledger
            if len(jurisdictions.rulebooks) <= 1
            else of_sources(ledger.lazy(), rulebook.source_codes)
        )
        return PopulationReport(
            as_of,
            scores,
            summarize_scores(scores, catalogue),
            contributions_by_item(local, rulebook, as_of, overdue, repairs).with_columns(
                pl.col("item").replace_strict(rulebook.titles, default="").alias("title")
            ),
            jurisdictions.choose(jurisdiction),
        )

    def population_today(self, jurisdiction: str | None = None) -> PopulationReport:
        """Everyone scored today, kept while nothing it depends on changed (`population.py`)."""
        latest = next(iter(self.store.batches(limit=1)), None)
        stamp = (latest.id if latest else 0, len(self.store.catalogue_rows()), jurisdiction)
        return self._population.get(
            self.today(), stamp, lambda day: self.population(day, jurisdiction)
        )

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
        jurisdiction: str | None = None,
    ) -> list[SubjectFile]:
        """The files (one per kind, nearly always one) of `subject_id` at `as_of`, with their
        objections, statement and access log (SPEC §7.4); each look is logged. SPEC §11: one
        per local jurisdiction where it has a file (only `jurisdiction`'s when named), each
        with the national lists and the records that put it on them."""
        return self._rights.subject_files(subject_id, as_of, viewer, purpose, channel, jurisdiction)

    def national_listings(
        self, subject_id: str | IdentifiedSubjects, as_of: dt.date
    ) -> list[Listing]:
        """SPEC §11: the national lists `subject_id` is on at `as_of`, each with the national
        record that put it there (file or no local file); not logged: `subject_files` is."""
        identified = self._rights._identified(subject_id)
        found = self._rights.national_listings(identified.subjects, as_of)
        return [entry for entries in found.values() for entry in entries]

    def jurisdiction_summaries(self, as_of: dt.date | None = None) -> list[JurisdictionSummary]:
        """Every jurisdiction with a published catalogue (SPEC §11, `GET /v1/jurisdictions`):
        name, catalogue, the version in effect on `as_of` (default today), its sources."""
        day = self.today() if as_of is None else as_of
        summaries = []
        for name, rulebook in self.jurisdictions.rulebooks.items():
            in_effect = rulebook.version_on(day)
            latest = rulebook.latest
            assert latest is not None
            summaries.append(
                JurisdictionSummary(
                    jurisdiction=name,
                    national=latest.national,
                    catalog=latest.catalog,
                    version=in_effect.version if in_effect else None,
                    sources=sorted(rulebook.source_codes),
                    lists=sorted((in_effect or latest).lists),
                )
            )
        return summaries

    def national_list_counts(self, as_of: dt.date) -> dict[str, dict[str, int]]:
        """SPEC §11, for the operator: how many subjects of each kind each national list holds
        at `as_of` (every list a national item names, empty ones included)."""
        national = self.jurisdictions.national
        counts = {name: {"person": 0, "organization": 0} for name in national.item_list_names}
        if not counts:
            return counts
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        listed = national_lists_frame(ledger, national, as_of, overdue, repairs)
        rows = (
            listed.explode(NATIONAL_LISTS)
            .join(subjects.select("subject", "kind"), on="subject")
            .group_by(NATIONAL_LISTS, pl.col("kind").cast(pl.String))
            .len()
        )
        for name, kind, number in rows.iter_rows():
            counts[name][kind] = number
        return counts

    def national_list_members(
        self,
        list_name: str,
        as_of: dt.date,
        search: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[str]]:
        """SPEC §11 and the public record: the organizations on national list `list_name` at
        `as_of` (persons are never listed publicly), by identifier; `search`: those whose
        identifier contains it. The number found, and one page of them."""
        national = self.jurisdictions.national
        if list_name not in national.item_list_names:
            known = ", ".join(national.item_list_names) or "none"
            raise Refused(f"unknown national list {list_name!r}; national lists: {known}", "list")
        ledger, subjects, overdue, repairs = self._ledger_subjects_and_overdue(as_of)
        listed = national_lists_frame(ledger, national, as_of, overdue, repairs)
        members = (
            listed.filter(pl.col(NATIONAL_LISTS).list.contains(list_name))
            .join(subjects.select("subject", "kind", "subject_id"), on="subject")
            .filter(pl.col("kind").cast(pl.String) == "organization")
            .select("subject_id")
        )
        if search:
            needle = search.strip().upper()
            members = members.filter(pl.col("subject_id").str.contains(needle, literal=True))
        found = members.sort("subject_id")["subject_id"]
        return found.len(), found.slice(offset, limit).to_list()

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
        jurisdiction: str | None = None,
    ) -> CheckAnswer:
        """SPEC §7.3; CheckRefused (a Refused) with every problem when it cannot be asked.
        SPEC §11: CODE is looked for in `jurisdiction`'s catalogue (None: the store's only
        one), else in the national one."""
        return self._rights.check(subject_id, measure, party, purpose, as_of, channel, jurisdiction)

    def subject_changed(self, *subjects: SubjectRef | int) -> None:
        """THE way to say that something a subject's score depends on changed outside the
        write paths that already say so (ingest, objections filed and upheld, publication):
        the file states the check reads (`store/subject_states.py`) of these subjects (by
        `SubjectRef` or key) are no longer valid, and the next check recomputes them. Call it
        after the change has committed (a credit repair granted, for one); a change made in a
        transaction of the store's own should call `store.subject_states.invalidate` in it."""
        keys = [subject if isinstance(subject, int) else subject.key for subject in subjects]
        self.store.rights.subjects_changed(keys)

    def measures(
        self, as_of: dt.date | None = None, jurisdiction: str | None = None
    ) -> list[MeasureCoverage]:
        """Each measure of the version in effect on `as_of` (default today) of a local
        jurisdiction (None: the store's only one), who may rely on it, and how many of its
        files it applies to."""
        day = self.today() if as_of is None else as_of
        try:
            catalogue = self.rulebook_of(jurisdiction).scoring_version(day)
        except AsOfBeforeCatalogue as error:
            raise Refused(str(error)) from None
        scores = self.score_all(day, jurisdiction) if catalogue.measures else pl.DataFrame()
        return measure_coverage(catalogue, scores, day)

    def measure_coverage(self, population: PopulationReport) -> list[MeasureCoverage]:
        """The measures in effect on the population's day, over its scores (the demo)."""
        rulebook = self.rulebook_of(population.jurisdiction)
        catalogue = rulebook.scoring_version(population.as_of)
        return measure_coverage(catalogue, population.scores, population.as_of)

    def organization_record(
        self, code: str, as_of: dt.date, jurisdiction: str | None = None
    ) -> OrganizationRecord | None:
        """The public record of an organization (SPEC §8, §11): its lists in `jurisdiction`
        (None: the store's only one; in a store of several, the national lists), each list
        entered through records with the deciding source, reference, date and the last day it
        is published; None when it has no file and is on no national list. Not logged."""
        return self._rights.organization_record(code, as_of, jurisdiction)

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
        jurisdiction: str | None = None,
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
        return self._rights.score_history(subject, days, jurisdiction)
