"""The synthetic city's invariants, at small sizes: valid identifiers, issuer rights, the
declared faults, reproducibility by seed, and the plausibility rules of the generator (awards
only to the vetted, shared acts, repeats)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue
from socialcredit.domain.identifiers import identifier_problem
from socialcredit.ingest.readers import RecordFile
from socialcredit.synth.catalogue import (
    ITEMS,
    SECTOR_OF_SOURCE,
    SOURCES,
    catalogue_document,
    issuers_of,
)
from socialcredit.synth.city import (
    CONVICTION,
    DRUNK_DRIVING,
    FAULT_KINDS,
    CityManifest,
    CityPlan,
    draw_records,
    write_city,
)
from socialcredit.synth.scale import RONGCHENG

TODAY = dt.date(2026, 11, 22)
PLAN = CityPlan(RONGCHENG.resized(3000, 200), seed=11, years=2, today=TODAY)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CityManifest]:
    directory = tmp_path_factory.mktemp("city")
    return directory, write_city(PLAN, directory)


def rows_of(directory: Path, manifest: CityManifest) -> pl.DataFrame:
    frames = []
    for source in manifest.sources:
        for chunk in RecordFile.open(directory / source.file).chunks():
            frames.append(chunk.with_columns(pl.lit(source.source).alias("source")))
    return pl.concat(frames, how="diagonal_relaxed")


@pytest.fixture(scope="module")
def drawn() -> pl.DataFrame:
    """The plan's records as drawn, before faults and extra rows."""
    return draw_records(np.random.default_rng(PLAN.seed), PLAN)


def test_the_catalogue_is_publishable_and_sized_like_a_real_one() -> None:
    report = validate_catalogue(catalogue_document(RONGCHENG, TODAY))
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

    small = CityPlan(RONGCHENG.resized(300, 30), seed=5, years=1, today=TODAY)
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_city(small, first)
    write_city(small, second)
    write_city(dataclasses.replace(small, seed=6), other)
    assert digest(first) == digest(second)
    assert digest(first) != digest(other)


def test_awards_go_only_to_subjects_without_a_serious_record(drawn) -> None:
    serious = {item.code for item in ITEMS if item.serious}
    awards = {item.code for item in ITEMS if item.award}
    offenders = drawn.filter(pl.col("item").is_in(serious))["subject_id"].unique()
    awarded = drawn.filter(pl.col("item").is_in(awards))
    assert offenders.len() > 20 and awarded.height > 50
    assert awarded.filter(pl.col("subject_id").is_in(offenders.implode())).height == 0


def test_each_record_comes_from_a_source_of_its_items_sector(drawn) -> None:
    sector_of_item = {item.code: item.sector for item in ITEMS}
    sectors = drawn.select(
        pl.col("item").replace_strict(sector_of_item).alias("item_sector"),
        pl.col("source").replace_strict(SECTOR_OF_SOURCE).alias("source_sector"),
    )
    assert (sectors["item_sector"] == sectors["source_sector"]).all()


def test_a_conviction_for_drunk_driving_names_the_act_of_the_police_penalty(drawn) -> None:
    penalties = drawn.filter(item=DRUNK_DRIVING)
    convictions = drawn.filter(item=CONVICTION)
    assert convictions.height > 0 and penalties["act"].null_count() == 0
    assert penalties["act"].n_unique() == penalties.height  # one act per penalty
    joined = convictions.join(penalties, on="act", suffix="_police")
    assert joined.height == convictions.height  # every conviction has its police penalty
    assert (joined["subject_id"] == joined["subject_id_police"]).all()
    assert (joined["decided_on"] > joined["decided_on_police"]).all()
    assert (joined["decided_on"] <= TODAY).all()
    assert set(convictions["source"].replace_strict(SECTOR_OF_SOURCE)) == {"courts"}
    others = drawn.filter(~pl.col("item").is_in([CONVICTION, DRUNK_DRIVING]))
    assert others["act"].null_count() == others.height


def raw_acts(directory: Path, manifest: CityManifest) -> pl.DataFrame:
    """(source, act) of every row naming an act, read as written (the ingest's reader keeps
    only the columns the registry uses)."""
    readers = {
        "csv": lambda path: pl.read_csv(path, infer_schema_length=0),
        "jsonl": lambda path: pl.read_ndjson(path, infer_schema_length=None),
        "parquet": pl.read_parquet,
    }
    frames = [
        readers[source.format](directory / source.file).with_columns(
            pl.lit(source.source).alias("source")
        )
        for source in manifest.sources
    ]
    with_acts = [
        frame.select(pl.col("act").cast(pl.String), "source")
        for frame in frames
        if "act" in frame.columns
    ]
    sectors = {SECTOR_OF_SOURCE[frame["source"][0]] for frame in frames if "act" in frame.columns}
    assert sectors == {"courts", "traffic"}  # only the files of sources that name acts
    return pl.concat(with_acts).filter(pl.col("act").is_not_null() & (pl.col("act") != ""))


def test_the_files_carry_the_shared_acts_the_manifest_counts(city) -> None:
    rows = raw_acts(*city)
    _, manifest = city
    sectors = rows.group_by("act").agg(
        pl.col("source").replace_strict(SECTOR_OF_SOURCE).n_unique().alias("sectors")
    )
    assert manifest.shared_acts > 0
    assert sectors.filter(pl.col("sectors") == 2).height == manifest.shared_acts


def test_some_records_repeat_an_offence_within_its_window(drawn) -> None:
    windows = {item.code: item.repeat.within_days for item in ITEMS if item.repeat}
    repeated = (
        drawn.filter(pl.col("item").is_in(list(windows)))
        .sort("subject_id", "item", "decided_on")
        .with_columns(pl.col("decided_on").diff().over("subject_id", "item").alias("gap"))
        .filter(pl.col("gap").dt.total_days() <= pl.col("item").replace_strict(windows))
    )
    assert repeated.height >= 10
