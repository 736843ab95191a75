"""The subject's rights and the relying party's check (SPEC §7.1–7.4), behind the facade.

`SubjectRights` is given what it works with, and nothing else: the store's rights tables
(`store.rights.RightsTables`, which own every transaction), the rulebook in force (a function:
a publication replaces it) and the clock. The rules it applies are the domain's
(`domain/objections.py`, `domain/measures.py`, `domain/text.py`); the documents it builds are
the domain's (`domain/file.py`). Every refusal is a `Refused` with one line saying why.

An identifier is normalized, checked and turned into its subject keys once per request
(`identify`); the keys are then carried to every read and write of that request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from socialcredit.domain.catalogue import national_list_name
from socialcredit.domain.file import (
    CHECK_CHANNEL,
    FileView,
    KeptStatement,
    Listing,
    OrganizationRecord,
    SubjectFile,
    listings,
)
from socialcredit.domain.identifiers import (
    IdentifiedSubjects,
    SubjectRef,
    identifier_problem,
    normalize_identifier,
    subject_identifier_problem,
)
from socialcredit.domain.jurisdictions import Jurisdictions
from socialcredit.domain.limits import NOTE_MAX_CHARS, REASON_MAX_CHARS, STATEMENT_MAX_CHARS
from socialcredit.domain.measures import CheckAnswer, judge_check, measure_applies
from socialcredit.domain.objections import (
    UNANSWERED_STATES,
    Objection,
    filing_refusal,
    upholding_refusal,
)
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.refusals import InvalidIdentifier, Refused
from socialcredit.domain.rules import Rulebook
from socialcredit.domain.scoring import (
    SubjectScore,
    national_counting,
    score_in_jurisdiction,
    score_subject,
)
from socialcredit.domain.text import shown, text_problem
from socialcredit.registry.clock import Clock, calendar_day
from socialcredit.store.rights import AlreadyAnswered, RightsTables


def _kept(value: str | None, what: str, max_chars: int | None = None, required: bool = True) -> str:
    """The text as given (kept verbatim), or Refused saying why it cannot be kept."""
    problem = text_problem(value, what, max_chars, required)
    if problem is not None:
        raise Refused(problem)
    return value or ""


class SubjectRights:
    def __init__(
        self,
        tables: RightsTables,
        rulebook: Callable[[], Rulebook],
        clock: Clock,
        jurisdictions: Callable[[], Jurisdictions] | None = None,
    ):
        self.tables = tables
        self.rulebook = rulebook
        self.clock = clock
        # SPEC §11: every published version by jurisdiction; None: one jurisdiction, `rulebook`.
        self.jurisdictions = jurisdictions

    def today(self) -> dt.date:
        return calendar_day(self.clock)

    def _day(self, on: dt.date | None, what: str) -> dt.date:
        today = self.today()
        day = today if on is None else on
        if day > today:
            raise Refused(f"{what} {day} lies after today ({today})")
        return day

    # -- who a request is about ------------------------------------------------------------------

    def identify(self, subject_id: str) -> IdentifiedSubjects:
        """The identifier normalized, InvalidIdentifier when it is valid for neither kind, and
        the subjects it names (one look in the identity store)."""
        subject_id = normalize_identifier(subject_id)
        problem = subject_identifier_problem(subject_id)
        if problem is not None:
            raise InvalidIdentifier(problem)
        return IdentifiedSubjects(subject_id, tuple(self.tables.subjects_named(subject_id)))

    def _identified(self, subject: str | IdentifiedSubjects) -> IdentifiedSubjects:
        return self.identify(subject) if isinstance(subject, str) else subject

    # -- §7.1 objections -----------------------------------------------------------------------

    def current_record(self, source: str, record_id: str) -> LedgerRecord | None:
        return self.tables.current_revision(source, record_id)

    def file_objection(
        self, source: str, record_id: str, reason: str, on: dt.date | None = None
    ) -> Objection:
        reason = _kept(reason, "the reason", REASON_MAX_CHARS)
        day = self._day(on, "the filing day")
        record = self.tables.current_revision(
            _kept(source, "the source", required=False),
            _kept(record_id, "the record id", required=False),
        )
        if record is None:
            raise Refused(f"source {shown(source)} has no record {shown(record_id)}")
        if day < record.decided_on:
            raise Refused(
                f"the filing day {day} lies before the record's decision on {record.decided_on}"
            )
        with self.tables.objection_filing(record) as filing:
            problem = filing_refusal(filing.earlier(day), source, record_id, record.revision)
            if problem is not None:
                raise Refused(problem)
            number = filing.append(day, reason, self.clock())
        return self._one(number)

    def uphold_objection(
        self, number: int, note: str | None = None, on: dt.date | None = None
    ) -> Objection:
        objection = self._one(number)
        today = self.today()
        problem = upholding_refusal(objection, today if on is None else on, today)
        if problem is not None:
            raise Refused(problem)
        note = _kept((note or "").strip(), "the note", NOTE_MAX_CHARS, required=False) or None
        try:
            self.tables.append_answer(number, on or today, note, self.clock())
        except AlreadyAnswered as error:  # answered meanwhile by someone else
            raise Refused(str(error)) from None
        return self._one(number)

    def objections(
        self,
        source: str | None = None,
        subject_id: str | IdentifiedSubjects | None = None,
        open_only: bool = False,
    ) -> list[Objection]:
        """Objections as they stand today, in filing order; `subject_id`: those to revisions
        that named it; `open_only`: not yet answered (open or overdue)."""
        today = self.today()
        if subject_id is not None:
            subjects = list(self._identified(subject_id).subjects)
            found = self.tables.objections(today, source=source, subjects=subjects)
        else:
            found = self.tables.objections(today, source=source)
        if open_only:
            found = [objection for objection in found if objection.state in UNANSWERED_STATES]
        return found

    def _one(self, number: int) -> Objection:
        found = self.tables.objections(self.today(), number=number)
        if not found:
            raise Refused(f"there is no objection {number}")
        return found[0]

    # -- §7.2 statements -----------------------------------------------------------------------

    def leave_statement(self, subject_id: str | IdentifiedSubjects, text: str) -> KeptStatement:
        identified = self._identified(subject_id)
        text = _kept(text, "the statement", STATEMENT_MAX_CHARS)
        with_records = {r.subject_kind for r in self.tables.records_naming(identified.subjects)}
        subjects = [subject for subject in identified.subjects if subject.kind in with_records]
        if not subjects:
            raise Refused(
                f"{identified.subject_id} has no credit file, so no statement can be left"
            )
        made_at = self.clock()
        # An identifier with files of both kinds: the statement joins each file.
        for subject in subjects:
            self.tables.append_statement(subject, text, made_at)
        return KeptStatement(subjects[0].kind, identified.subject_id, text, made_at)

    # -- §7.4 the file -------------------------------------------------------------------------

    def _local_names(self, jurisdiction: str | None) -> list[str | None]:
        """The local jurisdictions a request reads (SPEC §11): the one it names, else every
        local one (None: the store's only one, or none)."""
        if self.jurisdictions is None:
            return [None]
        known = self.jurisdictions()
        if jurisdiction is not None or len(known.local_names) <= 1:
            return [known.choose(jurisdiction)]
        return list(known.local_names)

    def scores(
        self, subjects: Iterable[SubjectRef], as_of: dt.date, jurisdiction: str | None = None
    ) -> list[tuple[SubjectRef, SubjectScore, list[Objection]]]:
        """Each file of `subjects` at `as_of` (one per kind, nearly always one; SPEC §11: one
        per local jurisdiction where it has one, or only `jurisdiction`'s), scored with the
        objections to its records, and the objections to the revisions that name it."""
        names = self._local_names(jurisdiction)
        known = self.jurisdictions() if self.jurisdictions is not None else None
        for name in names:
            (known.local(name) if known is not None else self.rulebook()).scoring_version(as_of)
        subjects = list(subjects)
        records = self.tables.records_naming(subjects)
        objections = self.tables.objections(as_of, subjects=subjects) if records else []
        files = []
        for name in names:
            for subject in subjects:
                mine = [record for record in records if record.subject_kind == subject.kind]
                if not mine:
                    continue
                if known is None:
                    score = score_subject(mine, self.rulebook(), as_of, objections)
                else:
                    score = score_in_jurisdiction(mine, known, name, as_of, objections)
                if score is not None:
                    files.append((subject, score, objections))
        return files

    def national_listings(
        self, subjects: Iterable[SubjectRef], as_of: dt.date
    ) -> dict[SubjectRef, list[Listing]]:
        """SPEC §11: for each of `subjects` on a national list at `as_of`, the national records
        that put it there (lists named `national.LIST`)."""
        if self.jurisdictions is None:
            return {}
        national = self.jurisdictions().national
        subjects = list(subjects)
        if not national or not subjects:
            return {}
        records = [
            r for r in self.tables.records_naming(subjects) if r.source in national.source_codes
        ]
        objections = self.tables.objections(as_of, subjects=subjects) if records else []
        found = {}
        for subject in subjects:
            mine = [record for record in records if record.subject_kind == subject.kind]
            counting = national_counting(mine, national, as_of, objections)
            entries = listings(counting, prefix=national_list_name(""))
            if entries:
                found[subject] = entries
        return found

    def subject_files(
        self,
        subject_id: str | IdentifiedSubjects,
        as_of: dt.date,
        viewer: str,
        purpose: str,
        channel: str,
        jurisdiction: str | None = None,
    ) -> list[SubjectFile]:
        identified = self._identified(subject_id)
        viewer = _kept(viewer, "the viewer", required=False)
        purpose = _kept(purpose, "the purpose", required=False)
        files = []
        scored = self.scores(identified.subjects, as_of, jurisdiction)
        national = self.national_listings([subject for subject, _, _ in scored], as_of)
        looked: set[SubjectRef] = set()
        for subject, score, objections in scored:
            if subject not in looked:  # one look per subject, however many jurisdictions
                looked.add(subject)
                view = FileView(self.clock(), viewer, purpose, channel)
                self.tables.append_file_view(subject, view)
            files.append(
                SubjectFile.read(
                    subject,
                    score,
                    objections=_filed_by(objections, subject, as_of),
                    statement=self.tables.latest_statement(subject),
                    views=self.tables.file_views(subject),
                    national_listings=national.get(subject, []),
                )
            )
        return files

    def score_history(
        self, subject: SubjectRef, days: Iterable[dt.date]
    ) -> list[tuple[dt.date, int]]:
        rulebook = self.rulebook()
        records = self.tables.records_naming([subject])
        objections = self.tables.objections(self.today(), subjects=[subject]) if records else []
        history = []
        for day in days:
            if rulebook.version_on(day) is None:
                continue
            score = score_subject(records, rulebook, day, [o.on(day) for o in objections])
            if score is not None:
                history.append((day, score.score))
        return history

    def organization_record(
        self, code: str, as_of: dt.date, jurisdiction: str | None = None
    ) -> OrganizationRecord | None:
        """The public record of an organization (SPEC §8, §11): its lists in `jurisdiction`
        (None: the store's only local one; in a store of several, the national lists alone),
        each list entered through records with the record that put it there; None when it has
        no file and is on no national list."""
        code = normalize_identifier(code)
        problem = identifier_problem("organization", code)
        if problem:
            raise InvalidIdentifier(problem)
        subjects = [s for s in self.tables.subjects_named(code) if s.kind == "organization"]
        national = [
            entry for found in self.national_listings(subjects, as_of).values() for entry in found
        ]
        names = self._local_names(jurisdiction)
        if len(names) > 1:
            if not national and not self.scores(subjects, as_of):
                return None
            return OrganizationRecord(code, None, sorted({e.list for e in national}), national)
        for _subject, score, _objections in self.scores(subjects, as_of, jurisdiction):
            return OrganizationRecord(
                code,
                score.jurisdiction,
                list(score.lists),
                listings(score.counting_records) + national,
            )
        if national:
            return OrganizationRecord(code, names[0], sorted({e.list for e in national}), national)
        return None

    def organization_lists(self, code: str, as_of: dt.date) -> tuple[str, ...] | None:
        record = self.organization_record(code, as_of)
        return None if record is None else tuple(record.lists)

    # -- §7.3 the check ------------------------------------------------------------------------

    def check(
        self,
        subject_id: str,
        measure: str,
        party: str,
        purpose: str,
        as_of: dt.date | None = None,
        channel: str = CHECK_CHANNEL,
        jurisdiction: str | None = None,
    ) -> CheckAnswer:
        today = self.today()
        day = today if as_of is None else as_of
        if self._national_measure(measure, day, jurisdiction):
            return self._national_check(subject_id, measure, party, purpose, day, channel)
        rulebook = (
            self.jurisdictions().local(jurisdiction)
            if self.jurisdictions is not None
            else self.rulebook()
        )
        question = judge_check(rulebook, today, subject_id, measure, party, purpose, day)
        identified = IdentifiedSubjects(
            question.subject_id, tuple(self.tables.subjects_named(question.subject_id))
        )
        because = None
        looked: set[SubjectRef] = set()
        for subject, score, _objections in self.scores(identified.subjects, day, jurisdiction):
            if subject not in looked:
                looked.add(subject)
                view = FileView(self.clock(), party, purpose, channel)
                self.tables.append_file_view(subject, view)
            because = because or measure_applies(question.measure, score)
        return CheckAnswer(measure, day, because is not None, because, question.catalogue.version)

    def _national_measure(self, measure: str, day: dt.date, jurisdiction: str | None) -> bool:
        """SPEC §11: whether `measure` is the national catalogue's (in effect on `day`) and not
        the local jurisdiction's: J's own measure comes first."""
        if self.jurisdictions is None:
            return False
        known = self.jurisdictions()
        national = known.national.version_on(day)
        if national is None or all(m.code != measure for m in national.measures):
            return False
        names = self._local_names(jurisdiction)
        if jurisdiction is None and len(names) > 1:
            names = []  # several cities and none named: the national measure
        for name in names:
            local = known.local(name).version_on(day)
            if local is not None and any(m.code == measure for m in local.measures):
                return False
        return True

    def _national_check(
        self, subject_id: str, measure: str, party: str, purpose: str, day: dt.date, channel: str
    ) -> CheckAnswer:
        """A national measure: it applies when the subject is on its national list on `day`."""
        assert self.jurisdictions is not None
        national = self.jurisdictions().national
        question = judge_check(national, self.today(), subject_id, measure, party, purpose, day)
        subjects = list(self.tables.subjects_named(question.subject_id))
        listed = self.national_listings(subjects, day)
        with_records = {r.subject_kind for r in self.tables.records_naming(subjects)}
        for subject in subjects:
            if subject.kind in with_records:
                self.tables.append_file_view(
                    subject, FileView(self.clock(), party, purpose, channel)
                )
        wanted = national_list_name(question.measure.applies_to.list_name or "")
        applies = any(entry.list == wanted for found in listed.values() for entry in found)
        because = f"list:{wanted}" if applies else None
        return CheckAnswer(measure, day, applies, because, question.catalogue.version)


def _filed_by(
    objections: Iterable[Objection], subject: SubjectRef, as_of: dt.date
) -> list[Objection]:
    """The objections in a file at `as_of`: filed against a revision that named this subject,
    on or before `as_of`, as they stood that day."""
    return [
        objection
        for objection in objections
        if objection.subject_kind == subject.kind
        and objection.subject_id == subject.subject_id
        and objection.filed_on <= as_of
    ]
