"""SPEC §11: with several jurisdictions and national records, the batch scorer and the
per-subject scorer each equal the reference model (so each other): a record is scored by its
source's jurisdiction only; national records put subjects on national lists (objections and
repairs apply), shown in every jurisdiction as `national.LIST`; floors lower the local score,
and tier and score lists follow."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import event, given, settings
from hypothesis import strategies as st

from socialcredit.catalogue.validation import StoreContext, validate_catalogue
from socialcredit.domain.jurisdictions import Jurisdictions
from socialcredit.domain.scoring import score_in_jurisdiction
from socialcredit.scoring.batch import score_jurisdiction
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    city_document,
    ledger_frame,
    national_document,
)
from tests.reference import model
from tests.reference.cases import examples, objections_to, repairs_to
from tests.reference.replay import (
    ledger_record,
    model_view,
    overdue_frame,
    project_objections,
    repairs_frame,
    score_row,
    subject_view,
)

CITIES = ("alpha", "beta")
SUBJECTS = {"person": (PERSON, OTHER_PERSON), "organization": (ORGANIZATION,)}
FIRST_DAY = dt.date(2024, 1, 1)
ACTS = (None, None, None, "A1", "A2")


@st.composite
def nations(draw) -> tuple[dict, ...]:
    """The national catalogue (one or two versions, windows drawn) and two cities with their own
    base scores and floors; both cities name the same item codes, issued by their own sources."""
    national = national_document()
    for item in national["items"]:
        item["counts_for_days"] = draw(st.sampled_from([30, 365, 1095, 1095]))
    documents = [national]
    if draw(st.booleans()):
        later = national_document(2, "2025-06-01")
        later["items"][0]["counts_for_days"] = draw(st.sampled_from([10, 400]))
        documents.append(later)
    floors = st.dictionaries(
        st.sampled_from(["dishonest_debtors", "major_tax_violators"]),
        st.integers(0, 1200),
        max_size=2,
    )
    for city, day in zip(CITIES, ("2024-01-01", "2024-03-01")):
        documents.append(
            city_document(
                city,
                effective_from=day,
                base_score=draw(st.sampled_from([800, 1000, 1100])),
                national_floors=draw(floors),
            )
        )
    if draw(st.booleans()):
        documents.append(
            city_document("alpha", 2, "2025-01-01", base_score=900, national_floors=draw(floors))
        )
    return tuple(documents)


def issuable(documents: tuple[dict, ...]) -> list[tuple[str, str, str]]:
    """(source, item, subject kind) of every item some version lets its source issue."""
    return sorted(
        {
            (source, item["code"], item["subject"])
            for document in documents
            for item in document["items"]
            for source in item["issuers"]
        }
    )


@st.composite
def records_of(draw, documents: tuple[dict, ...]) -> list[model.Record]:
    national = national_document()["sources"]
    choices = issuable(documents)
    # A third of the records national, so that many subjects are on a national list.
    by_nation = [choice for choice in choices if choice[0] in national]
    by_cities = [choice for choice in choices if choice[0] not in national]
    records = []
    for number in range(draw(st.integers(0, 16))):
        pool = draw(st.sampled_from([by_nation, by_cities, by_cities]))
        source, item, kind = draw(st.sampled_from(pool))
        decided_on = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 1200)))
        records.append(
            model.Record(
                source=source,
                record_id=f"r{number}",
                revision=1,
                item=item,
                kind=kind,
                subject_id=draw(st.sampled_from(SUBJECTS[kind])),
                decided_on=decided_on,
                quantity=draw(st.integers(1, 3)),
                reference=f"DOC-{number}",
                status=draw(st.sampled_from(["active", "active", "active", "revoked"])),
                received_on=decided_on,
                act=draw(st.sampled_from(ACTS)),
            )
        )
    return records


def jurisdictions_of(documents: tuple[dict, ...]) -> Jurisdictions:
    context = StoreContext(national_lists=frozenset(national_document()["lists"]))
    catalogues = []
    for document in documents:
        report = validate_catalogue(document, context=context)
        assert report.valid, report.problems
        catalogues.append(report.catalogue)
    return Jurisdictions(catalogues)


def model_floors(versions: list[model.Version], city: str, as_of: dt.date) -> set[int]:
    mine = [version for version in versions if version.jurisdiction == city]
    in_effect = model.version_on(mine, as_of)
    return set(in_effect.floors.values()) if in_effect else set()


@settings(max_examples=examples(150), deadline=None)
@given(documents=nations(), data=st.data())
def test_each_jurisdiction_is_scored_as_the_model_scores_it(documents, data) -> None:
    current = data.draw(records_of(documents))
    days = tuple(
        sorted(
            {
                dt.date(2024, 3, 1) + dt.timedelta(days=data.draw(st.integers(0, 1300)))
                for _ in range(2)
            }
        )
    )
    objections = data.draw(objections_to(current, days))
    repairs = data.draw(repairs_to(current, days))
    jurisdictions = jurisdictions_of(documents)
    versions = [model.read_version(document) for document in documents]
    frame = (
        ledger_frame([ledger_record(record) for record in current])
        .with_row_index("id")
        .with_columns(pl.col("id").cast(pl.Int64))
    )
    overdue, repaired = overdue_frame(objections, current), repairs_frame(repairs, current)
    for as_of in days:
        theirs = project_objections(objections, current, as_of)
        for city in CITIES:
            scores = model.score_all_in(city, current, versions, list(objections), as_of, repairs)
            got = score_jurisdiction(frame, jurisdictions, city, as_of, overdue, repairs=repaired)
            assert got.rows() == [score_row(score) for score in scores], (city, as_of)
            shown = "national." in str(got.rows())
            floored = any(score.score in model_floors(versions, city, as_of) for score in scores)
            event(f"national list shown: {shown}; a score at a floor: {floored}")
            expected = {(score.kind, score.subject_id): model_view(score) for score in scores}
            files = {}
            for kind, identifiers in SUBJECTS.items():
                for subject_id in identifiers:
                    mine = [
                        ledger_record(record)
                        for record in current
                        if (record.kind, record.subject_id) == (kind, subject_id)
                    ]
                    score = score_in_jurisdiction(mine, jurisdictions, city, as_of, theirs, repairs)
                    if score is not None:
                        assert score.jurisdiction == city
                        files[(kind, subject_id)] = subject_view(score)
            assert files == expected, (city, as_of)
