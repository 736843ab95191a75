"""Generated cases for the reference model: catalogues of two or three versions and files of
rows from several sources, drawn so that the boundaries of SPEC §4–5 are reached on purpose.

- Versions take effect mid-year, so a capped item's records of one calendar year fall under
  two versions; points, caps (binding up and down), lists, base scores, tiers and thresholds
  change between versions, and items come and go.
- Decision dates are drawn from anchors: each version's first day and the day before, the
  turn of each year, every scoring date T and T − counts_for_days (the expiry day) and the
  day after it, each submission day (decided today) and the day after (in the future).
- Rows repeat earlier rows (duplicates), change one field of a stored revision (conflicts:
  status alone among them), and add revisions across files (chains of three, corrections to
  another subject), besides fresh rows and faulty ones.
- Identifiers include a number valid both as a person's and as an organization's, so one
  identifier can have two files.
- Each kind has two positive items, so that a file's key factors often hold two positive
  ones of different sizes (§5.7: most negative first, then the larger positive first).
- SPEC §10: negative items carry a severity and count within its window; items may declare a
  repeat, and rows are drawn the repeat's D days before a record, a day more or less, or the
  same day; rows name acts from a small pool shared by every source (some empty, some padded
  with spaces, one too long), so that one act is recorded by several sources, with ties.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st

from tests.reference.model import Objection

SOURCES = ("court", "police", "tax")
ITEM_KINDS = {
    "p.fine": "person",
    "p.merit": "person",
    "p.donation": "person",
    "p.default": "person",
    "o.penalty": "organization",
    "o.award": "organization",
    "o.rating": "organization",
}
UNKNOWN_ITEM = "x.unknown"
LISTS = ("blacklist", "redlist", "watch")
FIRST_EFFECTIVE = dt.date(2024, 1, 1)
# Valid for both kinds (both checksums; characters 7–14 a date): one identifier, two files.
BOTH_KINDS = ("150104196109233969",)
PERSONS = ("11010519491231002X", "440524188001010014", " 11010519491231002x ")
ORGANIZATIONS = ("91350100M000100Y43", "91141314CK0MPDALTK")
INVALID = ("110105194912310021", "91350100M000100Y44")
SUBJECTS = {"person": PERSONS + BOTH_KINDS * 2, "organization": ORGANIZATIONS + BOTH_KINDS * 2}
RECORD_IDS = ("r0", "r1", "r2", "r3", "r4")
# How a row is made from an earlier one (see `later_rows`), by weight.
OPERATIONS = (
    "retry",
    "conflict",
    "revise",
    "revise",
    "lower",
    "sibling",
    "sibling",
    "sibling",
    "repeat",
    "repeat",
    "same_act",
)
SIBLING_IDS = ("s0", "s1", "s2", "s3", "s4", "s5")
# SPEC §10.1: each severity's counts_for_days, drawn at and inside its window's ends.
SEVERITY_DAYS = {"minor": [1, 2, 30, 90], "ordinary": [90, 200, 365], "serious": [365, 800, 1095]}
REPEAT_DAYS = (1, 2, 30, 200, 365)
# Acts shared by every source; "" and "  " are no act, " A1 " is A1 (SPEC §4.1).
ACTS = (None, None, None, None, "A1", "A1", "A2", "A3", "", "  ", " A1 ")
TOO_LONG_ACT = "X" * 65


def examples(wanted: int) -> int:
    """`wanted` examples under the default profile, scaled by the profile's max_examples."""
    return max(1, wanted * settings.default.max_examples // 100)


@dataclass(frozen=True)
class SubmittedFile:
    source: str
    submitted_on: dt.date
    rows: tuple[dict, ...]
    extension: str  # csv | jsonl


@dataclass(frozen=True)
class Case:
    catalogues: tuple[dict, ...]
    files: tuple[SubmittedFile, ...]
    as_of: tuple[dt.date, ...]
    objections: tuple[Objection, ...] = ()


def _day(anchor: dt.date, days: int) -> dt.date:
    return anchor + dt.timedelta(days=days)


@st.composite
def item_documents(draw, code: str) -> dict:
    sign = -1 if code in ("p.fine", "p.default", "o.penalty") else 1
    points = sign * draw(st.integers(0, 40))
    if points < 0:
        severity = draw(st.sampled_from(sorted(SEVERITY_DAYS)))
        counts_for_days = draw(st.sampled_from(SEVERITY_DAYS[severity]))
    else:
        severity, counts_for_days = None, draw(st.sampled_from([1, 2, 30, 365, 800, 800, 1500]))
    document = {
        "code": code,
        "title": f"Item {code}",
        "subject": ITEM_KINDS[code],
        "points": points,
        "counts_for_days": counts_for_days,
        "issuers": list(SOURCES)
        if draw(st.integers(0, 9)) < 7
        else draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3, unique=True)),
        "legal_basis": "Test Law art. 1",
    }
    if draw(st.integers(0, 9)) < 8:
        document["cap_per_year"] = draw(st.sampled_from([1, 5, 20, 60]))
    lists = draw(st.lists(st.sampled_from(LISTS), max_size=2, unique=True))
    if lists:
        document["lists"] = lists
    if severity is not None:
        document["severity"] = severity
    if draw(st.integers(0, 9)) < 4:
        document["repeat"] = {
            "within_days": draw(st.sampled_from(REPEAT_DAYS)),
            "factor": draw(st.integers(2, 5)),
        }
    return document


@st.composite
def catalogue_documents(draw, version: int, effective_from: dt.date) -> dict:
    codes = [code for code in ITEM_KINDS if draw(st.integers(0, 9)) < 8] or ["p.fine"]
    minimums = sorted(
        draw(st.lists(st.integers(800, 1200), min_size=1, max_size=4, unique=True)), reverse=True
    )
    tiers = [{"name": f"T{position}", "min": least} for position, least in enumerate(minimums)]
    return {
        "catalog": "reference-city",
        "version": version,
        "effective_from": effective_from.isoformat(),
        "base_score": draw(st.sampled_from([900, 1000, 1100])),
        "tiers": [*tiers, {"name": "LOW"}],
        "lists": {
            "blacklist": {"title": "Untrustworthy", "score_below": draw(st.integers(850, 1000))},
            "redlist": {"title": "Trustworthy", "score_at_least": draw(st.integers(1000, 1150))},
            "watch": {"title": "Watched"},
        },
        "sources": {source: {"name": source.title()} for source in SOURCES},
        "items": [draw(item_documents(code)) for code in codes],
    }


@st.composite
def catalogue_series(draw) -> tuple[dict, ...]:
    # Later versions take effect inside a year, so one calendar year spans two versions.
    second = _day(dt.date(2024, 7, 1), draw(st.integers(-120, 120)))
    effective = [FIRST_EFFECTIVE, second]
    if draw(st.booleans()):
        effective.append(_day(second, draw(st.integers(60, 400))))
    return tuple(draw(catalogue_documents(number + 1, day)) for number, day in enumerate(effective))


def anchor_days(
    catalogues: tuple[dict, ...], submitted: list[dt.date], as_of: list[dt.date]
) -> list[dt.date]:
    days = set()
    for document in catalogues:
        effective = dt.date.fromisoformat(document["effective_from"])
        days |= {effective, _day(effective, -1)}
        for item in document["items"]:
            for when in as_of:
                # The last day a record of this item counts at T, and the first it does not.
                days |= {
                    _day(when, -item["counts_for_days"]),
                    _day(when, 1 - item["counts_for_days"]),
                }
    for year in (2024, 2025, 2026):
        days |= {dt.date(year - 1, 12, 31), dt.date(year, 1, 1)}
    days |= set(submitted) | set(as_of) | {_day(day, -1) for day in as_of}
    return sorted(day for day in days if day >= _day(FIRST_EFFECTIVE, -1))


@st.composite
def fresh_rows(draw, source: str, submitted_on: dt.date, days: list[dt.date]) -> dict:
    item = draw(st.sampled_from([*ITEM_KINDS] * 3 + [UNKNOWN_ITEM]))
    kind = ITEM_KINDS.get(item, "person")
    if draw(st.integers(0, 9)) < 8:
        subject = draw(st.sampled_from(SUBJECTS[kind]))
    else:
        subject = draw(st.sampled_from(PERSONS + ORGANIZATIONS + INVALID))
    past = [day for day in days if day <= submitted_on]
    decided = (
        draw(st.sampled_from(past))
        if past and draw(st.integers(0, 9)) < 9
        else _day(submitted_on, 1)
    )
    return {
        "record_id": draw(st.sampled_from(RECORD_IDS)),
        "revision": draw(st.sampled_from([None, 1, 1, 2])),
        "item": item,
        "subject_id": subject,
        "decided_on": decided.isoformat(),
        "quantity": draw(st.sampled_from([None, None, 1, 1, 2, 7, 40, 40, 0])),
        "reference": draw(st.sampled_from(["D-1"] * 5 + ["D-2"] * 4 + [""])),
        "status": draw(st.sampled_from([None, "active", "active", "revoked"])),
        "act": draw(st.sampled_from([*ACTS] * 10 + [TOO_LONG_ACT])),
    }


def _revision(row: dict) -> int:
    return int(row["revision"] or 1)


@st.composite
def later_rows(
    draw,
    earlier: list[dict],
    submitted_on: dt.date,
    days: list[dt.date],
    boundaries: list[dt.date],
    others: list[dict],
) -> dict:
    """A row made from an earlier row of the same source: retried, conflicting, or revised; or
    a new record of the same subject (and item, or act) near it. `others`: rows of every source
    so far, whose acts a row may share."""
    base = dict(draw(st.sampled_from(earlier)))
    # Revise the latest revision of the record, so that chains grow across files (1, 2, 3).
    latest = max((row for row in earlier if row["record_id"] == base["record_id"]), key=_revision)
    operation = draw(st.sampled_from(OPERATIONS))
    if operation == "retry":
        return base
    if operation == "repeat":
        # SPEC §10.4: the same subject and item D days before or after (or a day more or less,
        # or the same day), D a repeat's window.
        gap = draw(st.sampled_from(REPEAT_DAYS)) + draw(st.sampled_from([-1, 0, 0, 1]))
        gap = 0 if draw(st.integers(0, 9)) == 0 else gap
        decided_on = _day(
            dt.date.fromisoformat(base["decided_on"]), draw(st.sampled_from([-1, 1])) * gap
        )
        return {
            **base,
            "record_id": draw(st.sampled_from(SIBLING_IDS)),
            "revision": None,
            "decided_on": min(decided_on, submitted_on).isoformat(),
            "act": draw(st.sampled_from(ACTS)),
        }
    if operation == "same_act":
        # SPEC §10.3: another record of a subject some source has recorded, naming its act.
        kind = ITEM_KINDS.get(base["item"])
        named = [
            row
            for row in others
            if (row.get("act") or "").strip() and ITEM_KINDS.get(row["item"]) == kind
        ] or [base]
        shared = draw(st.sampled_from(named))
        return {
            **base,
            "record_id": draw(st.sampled_from(SIBLING_IDS)),
            "revision": None,
            "subject_id": shared["subject_id"],
            "decided_on": draw(st.sampled_from([shared["decided_on"], base["decided_on"]])),
            "act": shared.get("act"),
        }
    if operation == "sibling":
        # Another record of the same subject and item decided in the same calendar year (on
        # either side of a version's first day): caps bucket by year and by version.
        year = base["decided_on"][:4]
        same_year = [day for day in days if day.isoformat()[:4] == year and day <= submitted_on]
        decided_on = dt.date.fromisoformat(base["decided_on"])
        # Most often just across a version's first day: E − 1 for a record of E or later.
        across = [
            _day(boundary, -1) if decided_on >= boundary else boundary
            for boundary in boundaries
            if boundary.year == decided_on.year
        ]
        across = [day for day in across if day <= submitted_on]
        if across and draw(st.integers(0, 9)) < 7:
            same_year = across
        decided = draw(st.sampled_from(same_year)) if same_year else submitted_on
        return {
            **base,
            "record_id": draw(st.sampled_from(SIBLING_IDS)),
            "revision": None,
            "decided_on": decided.isoformat(),
        }
    if operation == "lower":
        return {**base, "revision": max(1, _revision(base) - 1)}
    changed = draw(
        st.sampled_from(["status", "status", "subject_id", "quantity", "decided_on", "item", "act"])
    )
    if changed == "status":
        base["status"] = "revoked" if (base["status"] or "active") == "active" else "active"
    elif changed == "subject_id":
        kind = ITEM_KINDS.get(base["item"], "person")
        base["subject_id"] = draw(st.sampled_from(SUBJECTS[kind]))
    elif changed == "quantity":
        base["quantity"] = draw(st.sampled_from([1, 3, 50]))
    elif changed == "act":
        base["act"] = draw(st.sampled_from(ACTS))
    elif changed == "decided_on":
        base["decided_on"] = draw(
            st.sampled_from([day for day in days if day <= submitted_on] or [submitted_on])
        ).isoformat()
    else:
        base["item"] = draw(st.sampled_from(sorted(ITEM_KINDS)))
    if operation == "revise":
        base["revision"] = _revision(latest) + 1
    return base


@st.composite
def cases(draw, max_files: int = 4, max_rows: int = 12, sources: tuple[str, ...] = SOURCES) -> Case:
    catalogues = draw(catalogue_series())
    last_effective = dt.date.fromisoformat(catalogues[-1]["effective_from"])
    file_count = draw(st.integers(1, max_files))
    submitted = sorted(
        _day(FIRST_EFFECTIVE, draw(st.integers(0, (last_effective - FIRST_EFFECTIVE).days + 500)))
        for _ in range(file_count)
    )
    boundaries = [dt.date.fromisoformat(document["effective_from"]) for document in catalogues[1:]]
    as_of = sorted(
        {draw(st.sampled_from(submitted)), _day(submitted[-1], draw(st.integers(0, 900)))}
        | {_day(FIRST_EFFECTIVE, draw(st.integers(0, 1200)))}
        # Soon after a version's first day, while records on both sides of it still count.
        | {_day(draw(st.sampled_from(boundaries)), draw(st.integers(0, 60)))}
    )
    days = anchor_days(catalogues, submitted, as_of)
    files, by_source = [], {source: [] for source in SOURCES}
    for submitted_on in submitted:
        source = draw(st.sampled_from(sources))
        rows: list[dict] = []
        for _ in range(draw(st.integers(1, max_rows))):
            earlier = by_source[source] + rows
            if earlier and draw(st.integers(0, 9)) < 4:
                others = [row for kept in by_source.values() for row in kept] + rows
                rows.append(draw(later_rows(earlier, submitted_on, days, boundaries, others)))
            else:
                rows.append(draw(fresh_rows(source, submitted_on, days)))
        by_source[source] += rows
        files.append(
            SubmittedFile(
                source, submitted_on, tuple(rows), draw(st.sampled_from(["csv", "jsonl"]))
            )
        )
    if draw(st.booleans()):
        straddle, day = draw(straddling_file(catalogues, boundaries, sources))
        files = sorted([*files, straddle], key=lambda submitted: submitted.submitted_on)
        as_of = sorted({*as_of, day})
    return Case(catalogues, tuple(files), tuple(as_of))


@st.composite
def straddling_file(
    draw, catalogues: tuple[dict, ...], boundaries: list[dt.date], sources: tuple[str, ...]
) -> tuple[SubmittedFile, dt.date]:
    """Records of one capped item and subject on the last day of a version and the first of the
    next, in one calendar year: one cap bucket per version (SPEC §5.3). Returns the file and a
    scoring date at which both count. The item is made present and capped in both versions."""
    boundary = draw(st.sampled_from(boundaries))
    after = next(
        index
        for index, document in enumerate(catalogues)
        if dt.date.fromisoformat(document["effective_from"]) == boundary
    )
    code = draw(st.sampled_from(sorted(ITEM_KINDS)))
    for document in catalogues[after - 1 : after + 1]:
        items = document["items"]
        if not any(item["code"] == code for item in items):
            items.append(draw(item_documents(code)))
        item = next(item for item in items if item["code"] == code)
        item.setdefault("cap_per_year", draw(st.sampled_from([1, 5, 20, 60])))
        item["counts_for_days"] = max(item["counts_for_days"], 365)
        if item.get("severity") == "minor":  # 365 days lies in the ordinary window
            item["severity"] = "ordinary"
        item["issuers"] = list(SOURCES)
    subject = draw(st.sampled_from(SUBJECTS[ITEM_KINDS[code]]))
    decided = [_day(boundary, -1), boundary, draw(st.sampled_from([_day(boundary, -1), boundary]))]
    rows = tuple(
        {
            "record_id": f"c{number}",
            "item": code,
            "subject_id": subject,
            "decided_on": day.isoformat(),
            "quantity": draw(st.sampled_from([1, 7, 40])),
            "reference": "D-3",
        }
        for number, day in enumerate(decided)
    )
    submitted_on = _day(boundary, draw(st.integers(0, 20)))
    extension = draw(st.sampled_from(["csv", "jsonl"]))
    scoring_day = _day(boundary, draw(st.integers(0, 30)))
    return SubmittedFile(draw(st.sampled_from(sources)), submitted_on, rows, extension), scoring_day


@st.composite
def objections_to(draw, records: list, as_of: tuple[dt.date, ...]) -> tuple[Objection, ...]:
    """Objections to some of `records` (the model's current records), filed and answered around
    the scoring dates: due (filed 30 days before T) or a day short of it, answered on T, the day
    before or after, or not at all (SPEC §5.2, §7.1)."""
    if not records:
        return ()
    chosen = draw(st.lists(st.sampled_from(records), max_size=4))
    objections = []
    for record in chosen:
        when = draw(st.sampled_from(as_of))
        filed_on = max(record.decided_on, _day(when, -draw(st.sampled_from([29, 30, 31, 60]))))
        answered_on = draw(
            st.sampled_from([None, None, _day(when, -1), when, _day(when, 1), filed_on])
        )
        if answered_on is not None and answered_on < filed_on:
            answered_on = filed_on
        objections.append(Objection(record.source, record.record_id, filed_on, answered_on))
    return tuple(objections)


@st.composite
def repairs_to(draw, records: list, as_of: tuple[dt.date, ...]) -> dict[tuple[str, str], dt.date]:
    """Repairs granted to some of `records` (the model's current records, any status) around the
    scoring dates: before, on and after T (SPEC §10.2)."""
    if not records:
        return {}
    chosen = draw(st.lists(st.sampled_from(records), max_size=4))
    return {
        (record.source, record.record_id): max(
            record.decided_on,
            _day(draw(st.sampled_from(as_of)), draw(st.sampled_from([-30, -1, 0, 0, 1, 60]))),
        )
        for record in chosen
    }
