"""The subject's rights and the relying party's check (SPEC §7.1–7.4), behind the registry.

`Registry` delegates its objection, statement, check and measure methods here, so that the
edges (CLI, HTTP API, web) call the registry alone. Every refusal of §7 is a `Refused` with one
line saying why: the CLI exits 1 on it, the API answers 4xx.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
import sqlalchemy as sa

from socialcredit.domain.catalogue import Catalogue, Measure
from socialcredit.domain.identifiers import (
    SUBJECT_KINDS,
    SubjectKind,
    identifier_problem,
    normalize_identifier,
)
from socialcredit.domain.objections import UNANSWERED_STATES, Objection
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.domain.scoring import SubjectScore, score_subject
from socialcredit.domain.text import control_character_problem, shown
from socialcredit.store.rights import ObjectionFacts, RightsTables
from socialcredit.store.schema import STATEMENT_MAX_CHARACTERS
from socialcredit.store.store import FileView

if TYPE_CHECKING:
    from socialcredit.registry import Registry

CHECK_CHANNEL = "check"


class Refused(ValueError):
    """The input was judged and refused (SPEC §7): one line saying why."""


class InvalidIdentifier(Refused):
    """Valid for neither kind of subject (SPEC §2)."""


@dataclass(frozen=True, slots=True)
class Statement:
    subject_kind: SubjectKind
    subject_id: str
    text: str
    made_at: dt.datetime

    @property
    def made_on(self) -> dt.date:
        return self.made_at.astimezone().date()


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """The relying party's answer, never more (SPEC §7.3): `because` is "list:NAME",
    "tier:NAME" or None."""

    measure: str
    as_of: dt.date
    applies: bool
    because: str | None
    catalogue_version: int


@dataclass(frozen=True, slots=True)
class MeasureCoverage:
    """A measure of the version in effect on `as_of`, who may rely on it, whom it reaches."""

    code: str
    title: str
    applies_to: str  # "list blacklist", "tier D", "tiers AAA, AA"
    relying_parties: tuple[str, ...]
    subjects: int
    catalogue_version: int
    as_of: dt.date


@dataclass(frozen=True, slots=True)
class SubjectFile:
    """What a subject (or a reader on its behalf) sees: the score with its reasons, the
    objections filed by then (as they stood on the scoring day), the statement, who looked."""

    score: SubjectScore
    views: list[FileView]
    objections: list[Objection]
    statement: Statement | None


def valid_identifier(subject_id: str) -> str:
    """The normalized identifier, or Refused naming why it is valid for neither kind."""
    subject_id = normalize_identifier(subject_id)
    problems = [identifier_problem(kind, subject_id) for kind in SUBJECT_KINDS]
    if all(problems):
        raise InvalidIdentifier(
            f"{shown(subject_id)} is not a valid identifier: " + "; ".join(filter(None, problems))
        )
    return subject_id


def measure_applies(measure: Measure, score: SubjectScore) -> str | None:
    """SPEC §7.3: "list:NAME" or "tier:NAME" when the measure applies to this file, else None."""
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        return f"list:{applies_to.list_name}" if applies_to.list_name in score.lists else None
    return f"tier:{score.tier}" if score.tier in applies_to.tier_names() else None


def describe_applies_to(measure: Measure) -> str:
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        return f"list {applies_to.list_name}"
    names = applies_to.tier_names()
    return f"tier {names[0]}" if applies_to.tier is not None else f"tiers {', '.join(names)}"


def _objection(facts: ObjectionFacts, day: dt.date) -> Objection:
    return Objection(
        number=facts.number,
        source=facts.source,
        record_id=facts.record_id,
        revision=facts.revision,
        subject_kind=facts.subject_kind,
        subject_id=facts.subject_id,
        filed_on=facts.filed_on,
        reason=facts.reason,
        answer=facts.answer,
        as_of=day,
    )


def _required_text(value: str | None, what: str) -> str:
    """The text as given (kept verbatim), unless it is blank or holds a control character."""
    if not (value or "").strip():
        raise Refused(f"{what} is empty")
    return _kept_text(value or "", what)


def _kept_text(value: str, what: str) -> str:
    problem = control_character_problem(value, what)
    if problem is not None:
        raise Refused(problem)
    return value


class SubjectRights:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.tables = RightsTables(registry.store.engine, registry.store.identities)

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        return self.registry.clock

    def _day(self, on: dt.date | None, what: str) -> dt.date:
        today = self.registry.today()
        day = today if on is None else on
        if day > today:
            raise Refused(f"{what} {day} lies after today ({today})")
        return day

    # -- §7.1 objections -----------------------------------------------------------------------

    def file_objection(
        self, source: str, record_id: str, reason: str, on: dt.date | None = None
    ) -> Objection:
        reason = _required_text(reason, "the reason")
        day = self._day(on, "the filing day")
        record = self.tables.current_revision(
            _kept_text(source, "the source"), _kept_text(record_id, "the record id")
        )
        if record is None:
            raise Refused(f"source {shown(source)} has no record {shown(record_id)}")
        if day < record.decided_on:
            raise Refused(
                f"the filing day {day} lies before the record's decision on {record.decided_on}"
            )
        with self.registry.store.engine.begin() as connection:
            self.tables.lock_record(connection, source, record_id)
            earlier = self.tables.objections(
                source=source, record_id=record_id, connection=connection
            )
            for objection in earlier:
                if objection.answer is None:
                    raise Refused(
                        f"objection {objection.number} to record {record_id!r} of {source!r} is "
                        "still open"
                    )
                if objection.revision == record.revision and objection.answer.kind == "upheld":
                    raise Refused(
                        f"objection {objection.number} to revision {record.revision} of record "
                        f"{record_id!r} of {source!r} was upheld on {objection.answer.answered_on}"
                    )
            number = self.tables.insert_objection(connection, record, day, reason, self.clock())
        return self._one(number)

    def uphold_objection(
        self, number: int, note: str | None = None, on: dt.date | None = None
    ) -> Objection:
        facts = self._facts(number)
        if facts.answer is not None:
            raise Refused(
                f"objection {number} was already answered: {facts.answer.kind} on "
                f"{facts.answer.answered_on}"
            )
        day = self._day(on, "the answer's day")
        if day < facts.filed_on:
            raise Refused(f"the answer's day {day} lies before the filing day {facts.filed_on}")
        note = _kept_text((note or "").strip(), "the note") or None
        try:
            with self.registry.store.engine.begin() as connection:
                self.tables.insert_answer(connection, number, day, note, self.clock())
        except sa.exc.IntegrityError:  # answered meanwhile by someone else
            raise Refused(f"objection {number} was already answered") from None
        return self._one(number)

    def objections(
        self,
        source: str | None = None,
        subject_id: str | None = None,
        open_only: bool = False,
    ) -> list[Objection]:
        """Objections as they stand today, in filing order; `subject_id`: those its records'
        revisions objected to named; `open_only`: not yet answered (open or overdue)."""
        if subject_id is not None:
            subject_id = valid_identifier(subject_id)
        today = self.registry.today()
        found = [
            _objection(facts, today)
            for facts in self.tables.objections(source=source, subject_id=subject_id)
            if subject_id is None or facts.subject_id == subject_id
        ]
        if open_only:
            found = [objection for objection in found if objection.state in UNANSWERED_STATES]
        return found

    def _facts(self, number: int) -> ObjectionFacts:
        found = self.tables.objections(number=number)
        if not found:
            raise Refused(f"there is no objection {number}")
        return found[0]

    def _one(self, number: int) -> Objection:
        return _objection(self._facts(number), self.registry.today())

    def overdue(self) -> pl.DataFrame:
        """Every record's overdue intervals, for the batch scorer (see `scoring.batch`)."""
        return self.tables.overdue_intervals()

    # -- §7.2 statements -----------------------------------------------------------------------

    def leave_statement(self, subject_id: str, text: str) -> Statement:
        subject_id = valid_identifier(subject_id)
        text = _required_text(text, "the statement")
        if len(text) > STATEMENT_MAX_CHARACTERS:
            raise Refused(
                f"the statement has {len(text)} characters; at most {STATEMENT_MAX_CHARACTERS}"
            )
        kinds = sorted(
            {record.subject_kind for record in self.registry.store.records_naming(subject_id)},
            key=SUBJECT_KINDS.index,
        )
        if not kinds:
            raise Refused(f"{subject_id} has no credit file, so no statement can be left")
        made_at = self.clock()
        # An identifier with files of both kinds: the statement joins each file.
        for kind in kinds:
            self.tables.insert_statement(kind, subject_id, text, made_at)
        return Statement(kinds[0], subject_id, text, made_at)

    def latest_statement(self, kind: SubjectKind, subject_id: str) -> Statement | None:
        row = self.tables.latest_statement(kind, subject_id)
        return (
            None
            if row is None
            else Statement(row.subject_kind, row.subject_id, row.text, row.made_at)
        )

    # -- §7.4 the file -------------------------------------------------------------------------

    def scores(
        self, subject_id: str, as_of: dt.date
    ) -> list[tuple[SubjectScore, list[ObjectionFacts]]]:
        """Each file of `subject_id` at `as_of` (one per kind, nearly always one), scored with
        the objections to its records, and the objections to records that ever named it."""
        rulebook = self.registry.rulebook
        rulebook.scoring_version(as_of)
        records = self.registry.store.records_naming(subject_id)
        facts = self.tables.objections(subject_id=subject_id) if records else []
        objections = [_objection(fact, as_of) for fact in facts]
        files = []
        for kind in SUBJECT_KINDS:
            mine = [record for record in records if record.subject_kind == kind]
            score = score_subject(mine, rulebook, as_of, objections) if mine else None
            if score is not None:
                files.append((score, facts))
        return files

    def subject_files(
        self, subject_id: str, as_of: dt.date, viewer: str, purpose: str, channel: str
    ) -> list[SubjectFile]:
        subject_id = valid_identifier(subject_id)
        viewer, purpose = _kept_text(viewer, "the viewer"), _kept_text(purpose, "the purpose")
        files = []
        for score, facts in self.scores(subject_id, as_of):
            kind = score.subject_kind
            self.registry.store.append_file_view(
                kind, subject_id, FileView(self.clock(), viewer, purpose, channel)
            )
            files.append(
                SubjectFile(
                    score=score,
                    views=self.registry.store.file_views(kind, subject_id),
                    objections=_filed_by(facts, kind, subject_id, as_of),
                    statement=self.latest_statement(kind, subject_id),
                )
            )
        return files

    # -- §7.3 measures -------------------------------------------------------------------------

    def _catalogue(self, as_of: dt.date) -> Catalogue:
        try:
            return self.registry.rulebook.scoring_version(as_of)
        except AsOfBeforeCatalogue as error:
            raise Refused(str(error)) from None

    def _measure(self, catalogue: Catalogue, code: str) -> Measure:
        for measure in catalogue.measures:
            if measure.code == code:
                return measure
        known = ", ".join(measure.code for measure in catalogue.measures) or "none"
        raise Refused(
            f"unknown measure {shown(code)} in catalogue version {catalogue.version}; "
            f"measures: {known}"
        )

    def check(
        self,
        subject_id: str,
        measure: str,
        party: str,
        purpose: str,
        as_of: dt.date | None = None,
        channel: str = CHECK_CHANNEL,
    ) -> CheckAnswer:
        day = self.registry.today() if as_of is None else as_of
        catalogue = self._catalogue(day)
        chosen = self._measure(catalogue, measure)
        if party not in chosen.relying_parties:
            allowed = ", ".join(chosen.relying_parties) or "nobody"
            raise Refused(
                f"{shown(party)} may not rely on measure {shown(measure)}; who may: {allowed}"
            )
        purpose = _required_text(purpose, "the purpose")
        subject_id = valid_identifier(subject_id)
        because = None
        for score, _facts in self.scores(subject_id, day):
            self.registry.store.append_file_view(
                score.subject_kind, subject_id, FileView(self.clock(), party, purpose, channel)
            )
            because = because or measure_applies(chosen, score)
        return CheckAnswer(measure, day, because is not None, because, catalogue.version)

    def measures(self, as_of: dt.date | None = None) -> list[MeasureCoverage]:
        day = self.registry.today() if as_of is None else as_of
        catalogue = self._catalogue(day)
        scores = self.registry.score_all(day) if catalogue.measures else pl.DataFrame()
        return measure_coverage(catalogue, scores, day)


def measure_coverage(
    catalogue: Catalogue, scores: pl.DataFrame, as_of: dt.date
) -> list[MeasureCoverage]:
    """Each measure of `catalogue` and how many of the scored subjects (`scs score`'s shape,
    scored at `as_of` under that catalogue) it applies to."""
    return [
        MeasureCoverage(
            code=measure.code,
            title=measure.title,
            applies_to=describe_applies_to(measure),
            relying_parties=tuple(measure.relying_parties),
            subjects=_subjects_reached(scores, measure),
            catalogue_version=catalogue.version,
            as_of=as_of,
        )
        for measure in catalogue.measures
    ]


def _subjects_reached(scores: pl.DataFrame, measure: Measure) -> int:
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        # `lists` holds names joined by ";": a name matches whole, never as a part of another.
        condition = pl.col("lists").str.split(";").list.contains(pl.lit(applies_to.list_name))
    else:
        condition = pl.col("tier").is_in(list(applies_to.tier_names()))
    return scores.filter(condition).height


def _filed_by(
    facts: Iterable[ObjectionFacts], kind: SubjectKind, subject_id: str, as_of: dt.date
) -> list[Objection]:
    """The objections in a file at `as_of`: filed against a revision that named this subject,
    on or before `as_of`, as they stood that day."""
    return [
        _objection(fact, as_of)
        for fact in facts
        if fact.subject_kind == kind and fact.subject_id == subject_id and fact.filed_on <= as_of
    ]
