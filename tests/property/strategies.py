"""Hypothesis strategies: random catalogues (several versions) and random ledgers.

SPEC §10: negative items carry a severity and count within its window, some items declare a
repeat; records come from several sources and name acts from a small pool (so one act is
recorded by several sources, and values and days tie), and some records of a subject and item
lie a repeat's window apart, a day more or less, or on the same day.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from socialcredit.domain.records import LedgerRecord

ITEM_KINDS = {
    "a.fine": "person",
    "b.merit": "person",
    "c.default": "person",
    "d.penalty": "organization",
    "e.rating": "organization",
}
# 150104196109233969 passes both checksums: one identifier, two subjects (SPEC §5.8).
BOTH_KINDS = "150104196109233969"
SUBJECTS = {
    "person": ["11010519491231002X", "440524188001010014", "371707197601146419", BOTH_KINDS],
    "organization": ["91350100M000100Y43", "91141314CK0MPDALTK", BOTH_KINDS],
}
FIRST_EFFECTIVE = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
SOURCES = ("court", "police", "tax")
SEVERITY_WINDOWS = {"minor": (1, 90), "ordinary": (90, 365), "serious": (365, 1095)}
REPEAT_WITHIN_DAYS = (1, 7, 30, 365)
ACTS = (None, None, None, "A", "A", "B", "C")


@st.composite
def item_documents(draw, code: str) -> dict:
    document = {
        "code": code,
        "title": f"Item {code}",
        "subject": ITEM_KINDS[code],
        # Small points and caps make sums land on and around the caps.
        "points": draw(st.one_of(st.integers(-5, 5), st.integers(-60, 60))),
        "issuers": list(SOURCES),
        "legal_basis": "Test Law art. 1",
    }
    if document["points"] < 0:
        severity = draw(st.sampled_from(sorted(SEVERITY_WINDOWS)))
        document["severity"] = severity
        document["counts_for_days"] = draw(st.integers(*SEVERITY_WINDOWS[severity]))
    else:
        document["counts_for_days"] = draw(st.integers(1, 900))
    if draw(st.booleans()):
        document["repeat"] = {
            "within_days": draw(st.sampled_from(REPEAT_WITHIN_DAYS)),
            "factor": draw(st.integers(2, 5)),
        }
    if draw(st.booleans()):
        document["cap_per_year"] = draw(st.one_of(st.integers(1, 12), st.integers(1, 60)))
    lists = draw(st.lists(st.sampled_from(["blacklist", "watch"]), unique=True, max_size=2))
    if lists:
        document["lists"] = lists
    return document


@st.composite
def catalogue_documents(draw, version: int, effective_from: dt.date) -> dict:
    codes = draw(st.lists(st.sampled_from(sorted(ITEM_KINDS)), min_size=1, unique=True))
    minimums = sorted(
        draw(st.lists(st.integers(700, 1200), min_size=2, max_size=4, unique=True)), reverse=True
    )
    return {
        "catalog": "property-city",
        "version": version,
        "effective_from": effective_from.isoformat(),
        "base_score": draw(st.integers(900, 1100)),
        "tiers": [{"name": f"T{index}", "min": minimum} for index, minimum in enumerate(minimums)]
        + [{"name": "LAST"}],
        "lists": {
            "blacklist": {"title": "Black list", "score_below": draw(st.integers(800, 1000))},
            "redlist": {"title": "Red list", "score_at_least": draw(st.integers(1000, 1200))},
            "watch": {"title": "Watch list"},
        },
        "sources": {source: {"name": source.title()} for source in SOURCES},
        "items": [draw(item_documents(code)) for code in codes],
    }


@st.composite
def catalogue_histories(draw) -> list[dict]:
    """One to three versions, each effective later than the last."""
    count = draw(st.integers(1, 3))
    effective = FIRST_EFFECTIVE
    documents = []
    for version in range(1, count + 1):
        documents.append(draw(catalogue_documents(version, effective)))
        effective += dt.timedelta(days=draw(st.integers(30, 700)))
    return documents


@st.composite
def ledger_records(draw, max_size: int = 40, around: dt.date | None = None) -> list[LedgerRecord]:
    """Current revisions: any item, any day from a year before the first catalogue on, or
    (with `around`) mostly in the two years before that day, where records still count."""
    count = draw(st.integers(0, max_size))
    days = st.dates(FIRST_EFFECTIVE - dt.timedelta(days=365), LAST_DAY)
    if around is not None:
        recent = st.integers(0, 730).map(lambda back: around - dt.timedelta(days=back))
        days = st.one_of(recent, recent, days)
    records: list[LedgerRecord] = []
    for number in range(count):
        if records and draw(st.integers(0, 9)) < 3:
            # Near an earlier record of the same subject and item: a repeat's window apart (a
            # day more or less), or the same day; or the same act from another source.
            earlier = draw(st.sampled_from(records))
            gap = draw(st.sampled_from((0, *REPEAT_WITHIN_DAYS))) + draw(st.integers(-1, 1))
            decided_on = earlier.decided_on + dt.timedelta(
                days=draw(st.sampled_from([-1, 1])) * gap
            )
            item, kind, subject_id = earlier.item, earlier.subject_kind, earlier.subject_id
            act = draw(st.sampled_from([earlier.act, *ACTS]))
        else:
            item = draw(st.sampled_from(sorted(ITEM_KINDS)))
            kind = ITEM_KINDS[item]
            subject_id = draw(st.sampled_from(SUBJECTS[kind]))
            decided_on, act = draw(days), draw(st.sampled_from(ACTS))
        records.append(
            LedgerRecord(
                source=draw(st.sampled_from(SOURCES)),
                record_id=draw(st.sampled_from([f"r{number}", f"q{number}"])),
                revision=1,
                item=item,
                subject_kind=kind,
                subject_id=subject_id,
                decided_on=decided_on,
                quantity=draw(st.integers(1, 12)),
                reference=f"DOC-{number}",
                status=draw(st.sampled_from(["active", "active", "active", "revoked"])),
                act=act,
            )
        )
    return records


scoring_days = st.dates(FIRST_EFFECTIVE, LAST_DAY + dt.timedelta(days=400))


@st.composite
def ledgers_and_days(draw) -> tuple[list[LedgerRecord], dt.date]:
    as_of = draw(scoring_days)
    return draw(ledger_records(around=as_of)), as_of
