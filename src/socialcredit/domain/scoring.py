"""Scoring one subject as of a date (SPEC §5, §10.2–10.4), in plain Python.

This is the reference statement of the scoring rules and the incremental path: `scs show`
and the API score one file with it. The batch scorer (`socialcredit.scoring.batch`) computes
the same thing for a whole ledger with Polars; a property test holds the two equal.

In the order SPEC §10.4 fixes: which records count (§5.2: status, window, objections; §10.2:
repairs), then each counting record's value (§10.4: repeats), then one act once (§10.3), then
the caps (§5.3) on the sum of values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from socialcredit.domain.catalogue import national_list_name
from socialcredit.domain.identifiers import SubjectKind
from socialcredit.domain.jurisdictions import Jurisdictions
from socialcredit.domain.objections import Objection, records_held_back
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.rules import ItemRule, Rulebook

# A record as the subject's file names it: (source, record_id).
RecordKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CountingRecord:
    """A record that counts at the scoring date, with the rule that scores it."""

    record: LedgerRecord
    rule: ItemRule
    value: int  # SPEC §10.4: points × quantity, × the repeat factor when repeated
    repeat_factor: int = 1  # 1 unless the record is a repeat (§10.4)
    # SPEC §10.3: the record of the same act that scores in its place, when another does.
    counted_once_with: RecordKey | None = None

    @property
    def points(self) -> int:
        """What the record scores before any yearly cap: its value, or 0 when another record
        of the same act scores."""
        return 0 if self.counted_once_with is not None else self.value

    @property
    def key(self) -> RecordKey:
        return (self.record.source, self.record.record_id)

    @property
    def counts_until(self) -> dt.date | None:
        """The last day on which the record still counts (None: beyond the calendar)."""
        try:
            return self.record.decided_on + dt.timedelta(days=self.rule.counts_for_days - 1)
        except OverflowError:
            return None


@dataclass(frozen=True, slots=True)
class KeyFactor:
    item: str
    title: str
    points: int  # the item's contributions summed, caps applied


@dataclass(frozen=True, slots=True)
class SubjectScore:
    subject_kind: SubjectKind
    subject_id: str
    as_of: dt.date
    catalogue_version: int  # the version whose tiers, thresholds and base score apply
    base_score: int
    score: int
    tier: str
    lists: tuple[str, ...]
    key_factors: tuple[KeyFactor, ...]
    counting_records: tuple[CountingRecord, ...]
    # SPEC §11: the local jurisdiction, the national lists the subject is on (bare names) and,
    # when one of them lowered the score to its floor, the score before it.
    jurisdiction: str | None = None
    national_lists: tuple[str, ...] = ()
    score_before_floor: int | None = None


def counts_at(record: LedgerRecord, rule: ItemRule | None, as_of: dt.date) -> bool:
    """SPEC §5.2: active, and decided_on ≤ T < decided_on + counts_for_days."""
    return (
        rule is not None
        and record.status == "active"
        and record.decided_on <= as_of
        and (as_of - record.decided_on).days < rule.counts_for_days
    )


def repeated(record: LedgerRecord, rule: ItemRule, records: Iterable[LedgerRecord]) -> bool:
    """SPEC §10.4: the rule declares a repeat and `records` (the subject's current revisions)
    hold another active record of the same item decided in [decided_on − D, decided_on)."""
    if rule.repeat is None:
        return False
    return any(
        other.item == record.item
        and other.status == "active"
        and 0 < (record.decided_on - other.decided_on).days <= rule.repeat.within_days
        for other in records
    )


def scoring_order(entry: CountingRecord, any_negative: bool) -> tuple:
    """SPEC §10.3: which of one act's records scores first: the lowest value when any is
    negative, else the highest; then the earliest decision, lowest source, lowest record id."""
    value = entry.value if any_negative else -entry.value
    return (value, entry.record.decided_on, entry.record.source, entry.record.record_id)


def counted_once(counting: list[CountingRecord]) -> list[CountingRecord]:
    """SPEC §10.3: of the records that name the same act, the one that scores stays; each
    other scores nothing and names it (`counted_once_with`)."""
    by_act: dict[str, list[CountingRecord]] = defaultdict(list)
    for entry in counting:
        if entry.record.act is not None:
            by_act[entry.record.act].append(entry)
    scoring: dict[str, RecordKey] = {}
    for act, entries in by_act.items():
        any_negative = any(entry.value < 0 for entry in entries)
        scoring[act] = min(entries, key=lambda entry: scoring_order(entry, any_negative)).key
    return [
        entry
        if entry.record.act is None or scoring[entry.record.act] == entry.key
        else replace(entry, counted_once_with=scoring[entry.record.act])
        for entry in counting
    ]


def clip_to_cap(points: int, cap: int | None) -> int:
    return points if cap is None else max(-cap, min(cap, points))


def key_factor_order(points: int) -> tuple[bool, int]:
    """SPEC §5.7: most negative first, then most positive."""
    return (points >= 0, points if points < 0 else -points)


def counting_records(
    records: list[LedgerRecord],
    rulebook: Rulebook,
    as_of: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> list[CountingRecord]:
    """The records that count at `as_of` (§5.2, objections, §10.2 repairs), each with its value
    (§10.4) and, where another record of its act scores, that record (§10.3)."""
    held_back = records_held_back(objections, as_of)
    repaired = {key for key, granted_on in (repairs or {}).items() if granted_on <= as_of}
    counting: list[CountingRecord] = []
    for record in records:
        rule = rulebook.rule_for(record.item, record.decided_on)
        key = (record.source, record.record_id)
        if counts_at(record, rule, as_of) and key not in held_back and key not in repaired:
            assert rule is not None
            factor = rule.repeat_factor if repeated(record, rule, records) else 1
            counting.append(
                CountingRecord(record, rule, rule.points * record.quantity * factor, factor)
            )
    return counted_once(counting)


def national_counting(
    records: Iterable[LedgerRecord],
    national: Rulebook,
    as_of: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> list[CountingRecord]:
    """SPEC §11: a subject's national records that count at `as_of` (§5.2, §10.2 and
    objections apply); `records` are its current revisions, of any source."""
    mine = [
        record
        for record in records
        if record.source in national.source_codes and record.decided_on <= as_of
    ]
    return counting_records(mine, national, as_of, objections, repairs)


def national_lists_at(
    records: Iterable[LedgerRecord],
    national: Rulebook,
    as_of: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> tuple[str, ...]:
    """SPEC §11: the national lists (bare names, sorted) a subject is on at `as_of`: those a
    counting record of a national source names."""
    counting = national_counting(records, national, as_of, objections, repairs)
    return tuple(sorted({name for entry in counting for name in entry.rule.lists}))


def score_in_jurisdiction(
    records: Iterable[LedgerRecord],
    jurisdictions: Jurisdictions,
    jurisdiction: str | None,
    as_of: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> SubjectScore | None:
    """SPEC §11: one subject's file in a local jurisdiction (None: the store's only one): its
    sources' records scored by its versions, the national lists it is on from the national
    records, and the jurisdiction's floors. None when it has no record of J's sources decided by
    `as_of`. A store of one jurisdiction scores as `score_subject` does."""
    chosen = jurisdictions.choose(jurisdiction)
    rulebook = jurisdictions.local(chosen)
    if len(jurisdictions.rulebooks) <= 1:
        score = score_subject(records, rulebook, as_of, objections, repairs)
        return None if score is None else replace(score, jurisdiction=chosen)
    records = list(records)
    local = [record for record in records if record.source in rulebook.source_codes]
    national = national_lists_at(records, jurisdictions.national, as_of, objections, repairs)
    score = score_subject(local, rulebook, as_of, objections, repairs, national)
    return None if score is None else replace(score, jurisdiction=chosen)


def score_subject(
    records: Iterable[LedgerRecord],
    rulebook: Rulebook,
    as_of: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
    national_lists: Collection[str] = (),
) -> SubjectScore | None:
    """Score one subject's file. `records` are the current revisions that name the subject;
    `objections` are those to these records (others are ignored): a record with one overdue at
    `as_of` does not count (SPEC §5.2). `repairs` maps (source, record_id) to the day repair
    was granted: from that day on the record does not count (§10.2).

    `national_lists`: the national lists the subject is on at `as_of` (SPEC §11, bare names):
    shown as `national.LIST`, and the version's `national_floors` lower the score.

    Returns None when the subject has no file at `as_of` (SPEC §5.8): no record decided on or
    before that date.
    """
    scoring_catalogue = rulebook.scoring_version(as_of)
    records = [record for record in records if record.decided_on <= as_of]
    if not records:
        return None
    subject_kind, subject_id = records[0].subject_kind, records[0].subject_id

    counting = counting_records(records, rulebook, as_of, objections, repairs)

    # SPEC §5.3: one contribution per (item, calendar year, scoring version), capped.
    raw_by_bucket: dict[tuple[str, int, int], int] = defaultdict(int)
    cap_of_bucket: dict[tuple[str, int, int], int | None] = {}
    for entry in counting:
        bucket = (entry.record.item, entry.record.decided_on.year, entry.rule.version)
        raw_by_bucket[bucket] += entry.points
        cap_of_bucket[bucket] = entry.rule.cap_per_year
    points_by_item: dict[str, int] = defaultdict(int)
    for bucket, raw in raw_by_bucket.items():
        points_by_item[bucket[0]] += clip_to_cap(raw, cap_of_bucket[bucket])

    score = scoring_catalogue.base + sum(points_by_item.values())
    # SPEC §11: a national listing lowers the score to the floor; tier and lists follow.
    floor = scoring_catalogue.floor_for(national_lists)
    score_before_floor = score if floor is not None and floor < score else None
    score = score if floor is None else min(score, floor)
    lists = (
        scoring_catalogue.threshold_lists(score)
        | {name for entry in counting for name in entry.rule.lists}
        | {national_list_name(name) for name in national_lists}
    )
    title_of = {entry.record.item: entry.rule.title for entry in counting}
    key_factors = sorted(
        (KeyFactor(item, title_of[item], points) for item, points in points_by_item.items()),
        key=lambda factor: (key_factor_order(factor.points), factor.item),
    )
    return SubjectScore(
        subject_kind=subject_kind,
        subject_id=subject_id,
        as_of=as_of,
        catalogue_version=scoring_catalogue.version,
        base_score=scoring_catalogue.base_score,
        score=score,
        tier=scoring_catalogue.tier_for(score),
        lists=tuple(sorted(lists)),
        key_factors=tuple(key_factors),
        counting_records=tuple(
            sorted(counting, key=lambda entry: (entry.record.decided_on, entry.record.record_id))
        ),
        national_lists=tuple(sorted(national_lists)),
        score_before_floor=score_before_floor,
    )
