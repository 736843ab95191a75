"""An independent reference model of SPEC §2, §4 and §5 (with §7.1's objections, and §10's
repairs, repeats and one act counted once), in plain per-record Python.

It shares no code with `socialcredit` on purpose: the scorers and the ingest path are held to
it, so a mistake made in both scorers (which share the rulebook) is still caught. It reads
catalogue documents (the parsed YAML) itself, judges submitted rows one at a time in file
order, and scores one subject at a time by walking every record. Nothing here is fast, and
nothing needs to be.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

OBJECTION_DUE_DAYS = 30
PERSON_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PERSON_CHECKS = "10X98765432"
ORGANIZATION_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORGANIZATION_WEIGHTS = tuple(3**power % 31 for power in range(17))
MAX_COUNT = 2**31 - 1
MAX_ACT_CHARACTERS = 64


# -- §2 identifiers --------------------------------------------------------------------------


def normalized(identifier: str) -> str:
    identifier = identifier.strip()
    return identifier[:-1] + "X" if identifier.endswith("x") else identifier


def is_person_number(identifier: str) -> bool:
    if len(identifier) != 18 or not identifier[:17].isascii() or not identifier[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(identifier[:17], PERSON_WEIGHTS))
    if identifier[17] != PERSON_CHECKS[total % 11]:
        return False
    try:
        dt.date(int(identifier[6:10]), int(identifier[10:12]), int(identifier[12:14]))
    except ValueError:
        return False
    return True


def is_organization_code(identifier: str) -> bool:
    if len(identifier) != 18 or any(char not in ORGANIZATION_ALPHABET for char in identifier):
        return False
    values = [ORGANIZATION_ALPHABET.index(char) for char in identifier]
    total = sum(value * weight for value, weight in zip(values[:17], ORGANIZATION_WEIGHTS))
    return values[17] == (31 - total % 31) % 31


def is_valid(kind: str, identifier: str) -> bool:
    return is_person_number(identifier) if kind == "person" else is_organization_code(identifier)


# -- §3 the catalogue, as the model reads it -------------------------------------------------


@dataclass(frozen=True)
class Rule:
    version: int
    code: str
    kind: str
    points: int
    counts_for_days: int
    cap: int | None
    lists: frozenset[str]
    issuers: frozenset[str]
    repeat: tuple[int, int] | None = None  # (within_days, factor)


@dataclass(frozen=True)
class Version:
    number: int
    effective_from: dt.date
    base_score: int
    tiers: tuple[tuple[str, int | None], ...]
    below: dict[str, int]
    at_least: dict[str, int]
    rules: dict[str, Rule]
    floors: dict[str, int] = field(default_factory=dict)  # SPEC §11 `national_floors`
    jurisdiction: str = "default"
    sources: frozenset[str] = frozenset()


def read_version(document: dict) -> Version:
    number = document["version"]
    rules = {
        item["code"]: Rule(
            version=number,
            code=item["code"],
            kind=item["subject"],
            points=item["points"],
            counts_for_days=item["counts_for_days"],
            cap=item.get("cap_per_year"),
            lists=frozenset(item.get("lists", ())),
            issuers=frozenset(item["issuers"]),
            repeat=(item["repeat"]["within_days"], item["repeat"]["factor"])
            if "repeat" in item
            else None,
        )
        for item in document["items"]
    }
    lists = document.get("lists", {})
    return Version(
        number=number,
        effective_from=dt.date.fromisoformat(str(document["effective_from"])),
        # The national catalogue (SPEC §11) has neither.
        base_score=document.get("base_score", 0),
        tiers=tuple((tier["name"], tier.get("min")) for tier in document.get("tiers", ())),
        below={name: spec["score_below"] for name, spec in lists.items() if "score_below" in spec},
        at_least={
            name: spec["score_at_least"] for name, spec in lists.items() if "score_at_least" in spec
        },
        rules=rules,
        floors=dict(document.get("national_floors", {})),
        jurisdiction=document.get("jurisdiction", "default"),
        sources=frozenset(document.get("sources", {})),
    )


def version_on(versions: list[Version], day: dt.date) -> Version | None:
    """The version in effect on `day`: the latest whose effective_from is on or before it."""
    in_effect = [version for version in versions if version.effective_from <= day]
    return max(in_effect, key=lambda version: version.effective_from) if in_effect else None


# -- §4 records: judging rows one by one -----------------------------------------------------


@dataclass(frozen=True)
class Record:
    source: str
    record_id: str
    revision: int
    item: str
    kind: str
    subject_id: str
    decided_on: dt.date
    quantity: int
    reference: str
    status: str
    received_on: dt.date
    act: str | None = None

    @property
    def content(self) -> tuple:
        return (
            self.item,
            self.subject_id,
            self.decided_on,
            self.quantity,
            self.reference,
            self.status,
            self.act,
        )


ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _positive(text: str) -> int | None:
    body = text.removeprefix("+")
    if not body.isascii() or not body.isdigit():
        return None
    number = int(body)
    return number if 1 <= number <= MAX_COUNT else None


@dataclass
class Ledger:
    """Every accepted revision, in the order accepted; the current one is the highest."""

    versions: list[Version]
    revisions: dict[tuple[str, str], dict[int, Record]] = field(default_factory=dict)

    def judge(self, source: str, row: dict, submitted_on: dt.date) -> str:
        """SPEC §4.2 for one row, as submitted: the verdict, and the row stored if accepted."""
        record = self._checked(source, row, submitted_on)
        if record is None:
            return REJECTED
        known = self.revisions.setdefault((source, record.record_id), {})
        if record.revision in known:
            return DUPLICATE if known[record.revision].content == record.content else REJECTED
        if known and record.revision < max(known):
            return REJECTED
        if known and record.subject_id != known[max(known)].subject_id:
            return REJECTED  # a revision may not change subject_id (README)
        known[record.revision] = record
        return ACCEPTED

    def _checked(self, source: str, row: dict, submitted_on: dt.date) -> Record | None:
        texts = {
            name: _text(row, name)
            for name in ("record_id", "item", "subject_id", "decided_on", "reference")
        }
        if any(not value for value in texts.values()) or len(texts["record_id"]) > 64:
            return None
        revision = _positive(_text(row, "revision") or "1")
        quantity = _positive(_text(row, "quantity") or "1")
        status = _text(row, "status") or "active"
        if revision is None or quantity is None or status not in ("active", "revoked"):
            return None
        act = _text(row, "act") or None  # an empty act is no act (SPEC §4.1)
        if act is not None and len(act) > MAX_ACT_CHARACTERS:
            return None
        try:
            decided_on = dt.date.fromisoformat(texts["decided_on"])
        except ValueError:
            return None
        if len(texts["decided_on"]) != 10 or decided_on > submitted_on:
            return None
        version = version_on(self.versions, decided_on)
        rule = version.rules.get(texts["item"]) if version else None
        if rule is None or source not in rule.issuers:
            return None
        subject_id = normalized(texts["subject_id"])
        if not is_valid(rule.kind, subject_id):
            return None
        return Record(
            source,
            texts["record_id"],
            revision,
            texts["item"],
            rule.kind,
            subject_id,
            decided_on,
            quantity,
            texts["reference"],
            status,
            submitted_on,
            act,
        )

    def current(self) -> list[Record]:
        return [known[max(known)] for known in self.revisions.values() if known]


# -- §7.1 objections --------------------------------------------------------------------------


@dataclass(frozen=True)
class Objection:
    """An objection to record `record_id` of `source`, filed on `filed_on`, answered (upheld,
    or by a new revision) on `answered_on`, or not yet."""

    source: str
    record_id: str
    filed_on: dt.date
    answered_on: dt.date | None = None


def overdue(objection: Objection, as_of: dt.date) -> bool:
    """Filed on F, unanswered on T, and F + 30 days ≤ T."""
    unanswered = objection.answered_on is None or objection.answered_on > as_of
    return unanswered and objection.filed_on + dt.timedelta(days=OBJECTION_DUE_DAYS) <= as_of


# -- §5 scoring, with §10 --------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    subject_id: str
    kind: str
    score: int
    tier: str
    lists: tuple[str, ...]
    key_factors: tuple[tuple[str, int], ...]  # (item, points), most negative first
    counting: frozenset[tuple[str, str, int]]  # (source, record_id, revision)
    # Each counting record's points before caps: (source, record_id, points).
    scored: frozenset[tuple[str, str, int]] = frozenset()
    # SPEC §10.3: (source, record_id) of a record that scores nothing, and of the one that
    # scores for their act.
    counted_once: frozenset[tuple[tuple[str, str], tuple[str, str]]] = frozenset()


def rule_of(record: Record, versions: list[Version]) -> Rule | None:
    version = version_on(versions, record.decided_on)
    return version.rules.get(record.item) if version else None


def counts(
    record: Record,
    versions: list[Version],
    objections: list[Objection],
    as_of: dt.date,
    repairs: dict[tuple[str, str], dt.date] | None = None,
) -> bool:
    rule = rule_of(record, versions)
    if rule is None or record.status != "active":
        return False
    if not record.decided_on <= as_of < record.decided_on + dt.timedelta(days=rule.counts_for_days):
        return False
    granted_on = (repairs or {}).get((record.source, record.record_id))
    if granted_on is not None and granted_on <= as_of:
        return False  # SPEC §10.2: repaired from the day of the grant on
    return not any(
        objection.source == record.source
        and objection.record_id == record.record_id
        and overdue(objection, as_of)
        for objection in objections
    )


def value(record: Record, versions: list[Version], others: list[Record]) -> int:
    """SPEC §10.4: points × quantity, × F when another active record of the same subject and
    item code was decided in [decided_on − D, decided_on); `others` are the subject's current
    records (whether they count at T does not matter)."""
    rule = rule_of(record, versions)
    assert rule is not None
    plain = rule.points * record.quantity
    if rule.repeat is None:
        return plain
    within_days, factor = rule.repeat
    try:
        earliest = record.decided_on - dt.timedelta(days=within_days)
    except OverflowError:
        earliest = dt.date.min
    for other in others:
        if (other.source, other.record_id) == (record.source, record.record_id):
            continue
        if (
            other.item == record.item
            and other.status == "active"
            and earliest <= other.decided_on < record.decided_on
        ):
            return plain * factor
    return plain


def one_act_once(values: dict[Record, int]) -> dict[Record, Record]:
    """SPEC §10.3: for each record that names an act shared with others, the record that scores
    for it (itself when it is that one)."""
    winners: dict[Record, Record] = {}
    acts = {record.act for record in values if record.act is not None}
    for act in acts:
        sharing = [record for record in values if record.act == act]
        amounts = [values[record] for record in sharing]
        best = min(amounts) if any(amount < 0 for amount in amounts) else max(amounts)
        tied = [record for record in sharing if values[record] == best]
        tied.sort(key=lambda record: record.decided_on)
        tied = [record for record in tied if record.decided_on == tied[0].decided_on]
        tied.sort(key=lambda record: record.source)
        tied = [record for record in tied if record.source == tied[0].source]
        winner = min(tied, key=lambda record: record.record_id)
        for record in sharing:
            winners[record] = winner
    return winners


def score_one(
    kind: str,
    subject_id: str,
    records: list[Record],
    versions: list[Version],
    objections: list[Objection],
    as_of: dt.date,
    repairs: dict[tuple[str, str], dt.date] | None = None,
    national: frozenset[str] = frozenset(),
) -> Score | None:
    """One subject's score at T from every current record (the model filters them itself);
    `national`: the national lists it is on at T (SPEC §11), which floor the score."""
    mine = [
        record
        for record in records
        if record.kind == kind and record.subject_id == subject_id and record.decided_on <= as_of
    ]
    if not mine:
        return None
    scoring = version_on(versions, as_of)
    assert scoring is not None, "T before the first version is an error (SPEC §5.9)"
    counting_records = [
        record for record in mine if counts(record, versions, objections, as_of, repairs)
    ]
    values = {record: value(record, versions, mine) for record in counting_records}
    winners = one_act_once(values)
    buckets: dict[tuple[str, int, int], int] = defaultdict(int)
    caps: dict[tuple[str, int, int], int | None] = {}
    item_lists: set[str] = set()
    scored, counted_once = set(), set()
    for record in counting_records:
        rule = rule_of(record, versions)
        points = values[record]
        winner = winners.get(record, record)
        if winner is not record:
            points = 0
            counted_once.add(((record.source, record.record_id), (winner.source, winner.record_id)))
        bucket = (record.item, record.decided_on.year, rule.version)
        buckets[bucket] += points
        caps[bucket] = rule.cap
        item_lists |= rule.lists
        scored.add((record.source, record.record_id, points))
    by_item: dict[str, int] = defaultdict(int)
    for bucket, points in buckets.items():
        cap = caps[bucket]
        by_item[bucket[0]] += points if cap is None else max(-cap, min(cap, points))
    score = scoring.base_score + sum(by_item.values())
    for name in national:
        if name in scoring.floors and scoring.floors[name] < score:
            score = scoring.floors[name]
    tier = next(
        (name for name, least in scoring.tiers if least is not None and score >= least),
        scoring.tiers[-1][0],
    )
    lists = set(item_lists)
    lists |= {name for name, below in scoring.below.items() if score < below}
    lists |= {name for name, least in scoring.at_least.items() if score >= least}
    lists |= {"national." + name for name in national}
    negative = sorted((points, item) for item, points in by_item.items() if points < 0)
    positive = sorted((-points, item) for item, points in by_item.items() if points >= 0)
    factors = [(item, points) for points, item in negative] + [
        (item, -points) for points, item in positive
    ]
    counting = {(record.source, record.record_id, record.revision) for record in counting_records}
    return Score(
        subject_id,
        kind,
        score,
        tier,
        tuple(sorted(lists)),
        tuple(factors),
        frozenset(counting),
        frozenset(scored),
        frozenset(counted_once),
    )


def score_all(
    records: list[Record],
    versions: list[Version],
    objections: list[Objection],
    as_of: dt.date,
    repairs: dict[tuple[str, str], dt.date] | None = None,
) -> list[Score]:
    """Every subject with a file at T, sorted by identifier, then kind (SPEC §6 `scs score`)."""
    subjects = sorted({(record.subject_id, record.kind) for record in records})
    scores = (
        score_one(kind, subject_id, records, versions, objections, as_of, repairs)
        for subject_id, kind in subjects
    )
    return [score for score in scores if score is not None]


# -- §11 several jurisdictions, one nation ---------------------------------------------------


def national_lists_of(
    kind: str,
    subject_id: str,
    records: list[Record],
    national: list[Version],
    objections: list[Objection],
    as_of: dt.date,
    repairs: dict[tuple[str, str], dt.date] | None = None,
) -> frozenset[str]:
    """The national lists a subject is on at T: each one a counting record of a national
    source names."""
    sources = frozenset().union(*(version.sources for version in national))
    on: set[str] = set()
    for record in records:
        if (
            record.kind == kind
            and record.subject_id == subject_id
            and record.source in sources
            and counts(record, national, objections, as_of, repairs)
        ):
            on |= rule_of(record, national).lists
    return frozenset(on)


def score_all_in(
    jurisdiction: str,
    records: list[Record],
    versions: list[Version],
    objections: list[Objection],
    as_of: dt.date,
    repairs: dict[tuple[str, str], dt.date] | None = None,
) -> list[Score]:
    """Every file of a local jurisdiction at T (SPEC §11): its versions (of every
    jurisdiction's, `versions`) score its sources' records; national records give the lists."""
    local = [version for version in versions if version.jurisdiction == jurisdiction]
    national = [version for version in versions if version.jurisdiction == "national"]
    sources = frozenset().union(*(version.sources for version in local))
    mine = [record for record in records if record.source in sources]
    subjects = sorted({(record.subject_id, record.kind) for record in mine})
    scores = (
        score_one(
            kind,
            subject_id,
            mine,
            local,
            objections,
            as_of,
            repairs,
            national_lists_of(kind, subject_id, records, national, objections, as_of, repairs),
        )
        for subject_id, kind in subjects
    )
    return [score for score in scores if score is not None]
