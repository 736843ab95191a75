"""The synthetic city's invariants, at small sizes: valid identifiers, issuer rights, the
declared faults, reproducibility by seed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue
from socialcredit.domain.identifiers import identifier_problem
from socialcredit.ingest.readers import RecordFile
from socialcredit.synth.catalogue import ITEMS, SOURCES, catalogue_document, issuers_of
from socialcredit.synth.city import FAULT_KINDS, CityManifest, CityPlan, write_city

TODAY = dt.date(2026, 11, 22)
PLAN = CityPlan(seed=11, persons=3000, organizations=200, years=2, today=TODAY)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CityManifest]:
    directory = tmp_path_factory.mktemp("city")
    return directory, write_city(PLAN, directory)


def rows_of(directory: Path, manifest: CityManifest) -> pl.DataFrame:
    frames = []
    for source in manifest.sources:
        for chunk in RecordFile.open(directory / source.file).chunks():
            frames.append(chunk.with_columns(pl.lit(source.source).alias("source")))
    return pl.concat(frames)


def test_the_catalogue_is_publishable_and_sized_like_a_real_one() -> None:
    report = validate_catalogue(catalogue_document(TODAY))
    assert report.valid, report.problems
    assert 120 <= len(ITEMS) <= 140
    assert 130 <= len(SOURCES) <= 150
    kinds = {item.subject for item in ITEMS}
    assert kinds == {"person", "organization"}
    assert sum(item.points > 0 for item in ITEMS if item.subject == "person") >= 15
    assert sum(item.points < 0 for item in ITEMS if item.subject == "person") >= 30


def test_every_file_is_written_and_the_formats_are_mixed(city) -> None:
    directory, manifest = city
    assert {source.format for source in manifest.sources} == {"csv", "jsonl", "parquet"}
    for source in manifest.sources:
        assert (directory / source.file).exists()
    document, problems = parse_catalogue_text((directory / manifest.catalogue).read_text())
    assert problems == [] and validate_catalogue(document).valid
    assert CityManifest.read(directory).sources == manifest.sources


def test_good_rows_have_valid_identifiers_real_dates_and_rightful_issuers(city) -> None:
    directory, manifest = city
    rows = rows_of(directory, manifest)
    kind_of = {item.code: item.subject for item in ITEMS}
    issuers = {item.code: set(issuers_of(item)) for item in ITEMS}
    faulty = 0
    for row in rows.iter_rows(named=True):
        kind = kind_of.get(row["item"])
        good = (
            kind is not None
            and row["source"] in issuers[row["item"]]
            and identifier_problem(kind, row["subject_id"]) is None
            and row["reference"]
            and dt.date.fromisoformat(row["decided_on"]) <= TODAY
        )
        if good:
            birth = row["subject_id"][6:14]
            if kind == "person":
                assert 18 <= TODAY.year - int(birth[:4]) <= 86
        else:
            faulty += 1
    declared = sum(sum(source.faults.values()) for source in manifest.sources)
    assert faulty == declared


def test_the_declared_faults_add_up(city) -> None:
    _, manifest = city
    total = manifest.rows
    faults = {kind: sum(source.faults[kind] for source in manifest.sources) for kind in FAULT_KINDS}
    assert all(count > 0 for count in faults.values()), faults
    share = sum(faults.values()) / total
    assert 0.01 <= share <= 0.08
    for source in manifest.sources:
        expected = source.expected
        assert expected["accepted"] + expected["duplicates"] + expected["rejected"] == source.rows


def test_behaviour_is_skewed(city) -> None:
    directory, manifest = city
    rows = rows_of(directory, manifest)
    per_subject = rows.group_by("subject_id").len()["len"]
    assert per_subject.max() >= 5 * per_subject.median()


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    def digest(directory: Path) -> str:
        hasher = hashlib.sha256()
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                hasher.update(path.name.encode() + path.read_bytes())
        return hasher.hexdigest()

    small = CityPlan(seed=5, persons=300, organizations=30, years=1, today=TODAY)
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_city(small, first)
    write_city(small, second)
    write_city(CityPlan(seed=6, persons=300, organizations=30, years=1, today=TODAY), other)
    assert digest(first) == digest(second)
    assert digest(first) != digest(other)
