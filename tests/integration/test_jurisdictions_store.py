"""SPEC §11 in the store: versions, their numbers and effective_from per jurisdiction; a source
belongs to the jurisdiction whose catalogue declares it; a record is judged by its source's
jurisdiction's versions. On both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from socialcredit.domain.jurisdictions import JurisdictionRequired, UnknownJurisdiction
from socialcredit.registry import Registry
from tests.helpers import (
    PERSON,
    catalogue_document,
    catalogue_yaml,
    city_document,
    national_document,
    record,
    write_records,
)


def publish(registry: Registry, document: dict) -> list[str]:
    result = registry.publish_catalogue(catalogue_yaml(document))
    return result.report.problems


def test_two_cities_and_the_nation_publish_into_one_store(registry: Registry) -> None:
    assert publish(registry, national_document()) == []
    assert publish(registry, city_document("rongcheng")) == []
    # The same version number and effective_from in another jurisdiction.
    floors = {"national_floors": {"dishonest_debtors": 150}}
    assert publish(registry, city_document("nanyang", base_score=800, **floors)) == []
    assert publish(registry, city_document("rongcheng", 2, "2025-01-01")) == []
    rows = registry.catalogue_rows()
    assert [(row.jurisdiction, row.version) for row in rows] == [
        ("nanyang", 1),
        ("national", 1),
        ("rongcheng", 1),
        ("rongcheng", 2),
    ]
    jurisdictions = registry.jurisdictions
    assert jurisdictions.local_names == ("nanyang", "rongcheng")
    assert jurisdictions.source_jurisdiction["nanyang-court"] == "nanyang"
    assert jurisdictions.source_jurisdiction["supreme-court"] == "national"
    assert registry.rulebook_of("nanyang").latest.base_score == 800
    with pytest.raises(JurisdictionRequired, match="nanyang, rongcheng"):
        registry.rulebook.latest
    with pytest.raises(UnknownJurisdiction, match="'wuhan'"):
        registry.rulebook_of("wuhan")


def test_versions_are_ordered_within_their_jurisdiction(registry: Registry) -> None:
    assert publish(registry, city_document("rongcheng", 2, "2025-01-01")) == []
    problems = publish(registry, city_document("rongcheng", 2, "2024-06-01"))
    assert "version: 2 is not higher than the published version 2" in problems
    assert any(
        problem.startswith("effective_from: 2024-06-01 is not later") for problem in problems
    )


def test_a_source_of_another_jurisdiction_is_refused(registry: Registry) -> None:
    assert publish(registry, city_document("rongcheng")) == []
    document = city_document("nanyang")
    document["sources"]["rongcheng-court"] = {"name": "Rongcheng court"}
    assert publish(registry, document) == [
        "source 'rongcheng-court': declared by jurisdiction 'rongcheng'; a source belongs to one "
        "jurisdiction and its code is unique in the store"
    ]


def test_a_second_catalogue_without_a_jurisdiction_is_refused_with_a_hint(
    registry: Registry,
) -> None:
    assert publish(registry, catalogue_document(catalog="rongcheng")) == []
    problems = publish(registry, catalogue_document(2, "2025-01-01", catalog="nanyang"))
    assert problems == [
        "catalog: jurisdiction 'default' publishes 'rongcheng', not 'nanyang'; name another "
        "jurisdiction (`jurisdiction: ...`) to publish another catalogue"
    ]


def test_floors_need_the_national_list_in_the_store(registry: Registry) -> None:
    document = city_document("nanyang", national_floors={"dishonest_debtors": 150})
    (problem,) = publish(registry, document)
    assert problem.startswith("national_floors: 'dishonest_debtors': no national catalogue")
    assert publish(registry, national_document()) == []
    assert publish(registry, document) == []


def test_a_record_is_judged_by_its_sources_jurisdiction(registry: Registry, tmp_path: Path) -> None:
    # Both cities have the item; only Nanyang's court may issue it in Nanyang's catalogue,
    # and there it has another window.
    assert publish(registry, city_document("rongcheng")) == []
    nanyang = city_document("nanyang", effective_from="2024-06-01")
    assert publish(registry, nanyang) == []
    rows = [record("r1", "court.judgment_default", PERSON, "2024-03-01")]
    result = registry.ingest(write_records(tmp_path / "r.csv", rows), "rongcheng-court")
    assert (result.counts.accepted, result.counts.rejected) == (1, 0)
    # Nanyang's catalogue is not in effect on 2024-03-01: its source's record is refused.
    result = registry.ingest(write_records(tmp_path / "n.csv", rows), "nanyang-court")
    assert (result.counts.accepted, result.counts.rejected) == (0, 1)
    # The source of one city may not submit another's items.
    rows = [record("r2", "court.judgment_default", PERSON, "2024-07-01")]
    result = registry.ingest(write_records(tmp_path / "n2.csv", rows), "nanyang-court")
    assert result.counts.accepted == 1


def test_a_new_city_in_a_store_with_records_may_load_its_history(
    registry: Registry, tmp_path: Path
) -> None:
    """SPEC §10.6 per jurisdiction: the records of other cities do not stop a city joining
    the store from publishing its history."""
    assert publish(registry, city_document("rongcheng")) == []
    rows = [record("r1", "court.judgment_default", PERSON, "2024-03-01")]
    registry.ingest(write_records(tmp_path / "r.csv", rows), "rongcheng-court")
    assert publish(registry, city_document("nanyang", effective_from="2023-01-01")) == []
    problems = publish(registry, city_document("rongcheng", 2, "2025-01-01"))
    assert any("a rule is never back-dated" in problem for problem in problems)


def test_the_store_refuses_the_same_version_twice_in_a_jurisdiction(registry: Registry) -> None:
    assert publish(registry, city_document("rongcheng")) == []
    assert publish(registry, city_document("nanyang")) == []
    row = registry.catalogue_rows()[0]
    with pytest.raises(sa.exc.IntegrityError):
        with registry.store.publication() as publication:
            publication.append(row)
