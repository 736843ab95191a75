"""A reproducible synthetic city: residents, organizations, and the record files their sources
would send, faults included.

Behaviour is skewed as in life: each resident's rate of records is log-normal, so most have
none or a few and a few have many; an organization's rate grows with its size, also
log-normal. Each source sends one file, in CSV, JSON Lines or Parquet, with the share of faulty
rows real feeds have (bad identifiers, unknown items, items the source may not issue, future
dates, empty required fields) and the rows that are not faults but must be handled
(duplicates, revisions, revocations). The manifest (`city.json`) declares, per source, how
many rows of each kind it holds and so what an ingest must report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import ryaml

from socialcredit.domain.identifiers import ORGANIZATION_ALPHABET, PERSON_CHECK_CHARACTERS
from socialcredit.synth.catalogue import ITEMS, SOURCES, catalogue_document, issuers_of
from socialcredit.synth.identifiers import organization_identifiers, person_identifiers

FORMATS = ("csv", "jsonl", "parquet")
FAULT_KINDS = ("bad_identifier", "unknown_item", "wrong_issuer", "future_date", "missing_field")
FAULT_SHARES = (0.35, 0.2, 0.15, 0.15, 0.15)  # of a source's faulty rows
TYPICAL_FAULT_RATE = (0.01, 0.04)  # most sources: 1–4 % of rows are faulty
SLOPPY_FAULT_RATE = (0.08, 0.15)  # one source in ten
SLOPPY_SHARE = 0.1
DUPLICATE_RATE = 0.01  # rows sent twice
REVISION_RATE = 0.01  # records corrected by a second revision
REVOCATION_RATE = 0.005  # records revoked by a second revision
ADULT_AGES = (18, 85)
MANIFEST_FILE = "city.json"
CATALOGUE_FILE = "catalogue.yaml"
RECORDS_DIRECTORY = "records"


@dataclass(frozen=True)
class CityPlan:
    seed: int = 1
    persons: int = 740_000
    organizations: int = 30_000
    years: int = 3
    today: dt.date = field(default_factory=dt.date.today)
    records_per_person_year: float = 0.9
    records_per_organization_year: float = 2.0

    @property
    def effective_from(self) -> dt.date:
        """The catalogue takes effect a month before the first decision."""
        return self.today - dt.timedelta(days=365 * self.years + 30)


@dataclass
class SourceFile:
    source: str
    file: str
    format: str
    rows: int
    faults: dict[str, int]
    duplicates: int
    revisions: int
    revocations: int

    @property
    def expected(self) -> dict[str, int]:
        """What `scs ingest` must report for this file."""
        rejected = sum(self.faults.values())
        return {
            "accepted": self.rows - rejected - self.duplicates,
            "duplicates": self.duplicates,
            "rejected": rejected,
        }


@dataclass
class CityManifest:
    plan: dict
    catalogue: str
    sources: list[SourceFile]

    @property
    def rows(self) -> int:
        return sum(source.rows for source in self.sources)

    def write(self, directory: Path) -> None:
        document = {
            "plan": self.plan,
            "catalogue": self.catalogue,
            "sources": [{**asdict(source), "expected": source.expected} for source in self.sources],
        }
        (directory / MANIFEST_FILE).write_text(json.dumps(document, indent=2, default=str))

    @classmethod
    def read(cls, directory: Path) -> CityManifest:
        document = json.loads((directory / MANIFEST_FILE).read_text())
        sources = [
            SourceFile(**{key: value for key, value in source.items() if key != "expected"})
            for source in document["sources"]
        ]
        return cls(document["plan"], document["catalogue"], sources)


Progress = Callable[[str, int, int], None]  # (what, done, total)


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


# -- subjects and their records --------------------------------------------------------------


def _unique_persons(rng: np.random.Generator, count: int, today: dt.date) -> list[str]:
    born_from = today.replace(year=today.year - ADULT_AGES[1])
    born_until = today.replace(year=today.year - ADULT_AGES[0])
    identifiers: list[str] = []
    while len(identifiers) < count:
        fresh = person_identifiers(
            rng, int((count - len(identifiers)) * 1.05) + 10, born_from, born_until
        )
        identifiers = list(dict.fromkeys(identifiers + fresh))
    return identifiers[:count]


def _unique_organizations(rng: np.random.Generator, count: int) -> list[str]:
    identifiers: list[str] = []
    while len(identifiers) < count:
        identifiers = list(
            dict.fromkeys(
                identifiers + organization_identifiers(rng, count - len(identifiers) + 10)
            )
        )
    return identifiers[:count]


def _records_of_kind(
    rng: np.random.Generator,
    kind: str,
    identifiers: list[str],
    rate: float,
    sigma: float,
    plan: CityPlan,
) -> pl.DataFrame:
    """Records about subjects of one kind: how many per subject, which items, when."""
    activity = rng.lognormal(-(sigma**2) / 2, sigma, len(identifiers))  # mean 1, skewed
    counts = rng.poisson(activity * rate * plan.years)
    subject_index = np.repeat(np.arange(len(identifiers)), counts)
    items = [item for item in ITEMS if item.subject == kind]
    weights = np.array([item.weight for item in items])
    item_index = rng.choice(len(items), len(subject_index), p=weights / weights.sum())
    days_back = rng.integers(1, 365 * plan.years + 1, len(subject_index))
    max_quantity = np.array([item.max_quantity for item in items])[item_index]
    return pl.DataFrame(
        {
            "subject_id": pl.Series(identifiers).gather(subject_index),
            "item": pl.Series([item.code for item in items]).gather(item_index),
            "decided_on": pl.Series(
                np.datetime64(plan.today) - days_back.astype("timedelta64[D]")
            ).cast(pl.Date),
            "quantity": (rng.random(len(subject_index)) * max_quantity).astype(np.int64) + 1,
            "kind": kind,
        }
    )


def _with_issuers(rng: np.random.Generator, records: pl.DataFrame) -> pl.DataFrame:
    """Each record's source: one of the item's issuers, at random."""
    sources = np.empty(records.height, dtype=object)
    items = records["item"].to_numpy()
    for item in ITEMS:
        positions = np.flatnonzero(items == item.code)
        if positions.size:
            sources[positions] = rng.choice(issuers_of(item), positions.size)
    return records.with_columns(pl.Series("source", sources, dtype=pl.String))


# -- faults and extra rows ---------------------------------------------------------------------


def _broken_identifier(identifier: str, kind: str) -> str:
    """The identifier with its check character changed: a typo the checksum must catch."""
    alphabet = PERSON_CHECK_CHARACTERS if kind == "person" else ORGANIZATION_ALPHABET
    position = alphabet.index(identifier[17]) if identifier[17] in alphabet else 0
    return identifier[:17] + alphabet[(position + 1) % len(alphabet)]


def _foreign_items(source: str, kind: str) -> list[str]:
    return [item.code for item in ITEMS if item.subject == kind and source not in issuers_of(item)]


def _apply_faults(
    rng: np.random.Generator, rows: pl.DataFrame, source: str, rate: float, today: dt.date
) -> tuple[pl.DataFrame, dict[str, int], np.ndarray]:
    """Break `rate` of the rows, each in one way; the broken rows' positions are returned too."""
    faulty = np.flatnonzero(rng.random(rows.height) < rate)
    kinds = np.array(FAULT_KINDS)[rng.choice(len(FAULT_KINDS), faulty.size, p=FAULT_SHARES)]
    subject_kinds = rows["kind"].gather(faulty).to_list()
    # An item this source may not issue; a source that issues every item of the kind gets an
    # unknown item instead.
    foreign = {kind: _foreign_items(source, kind) for kind in ("person", "organization")}
    wrong_issuer = kinds == "wrong_issuer"
    for index in np.flatnonzero(wrong_issuer):
        if not foreign[subject_kinds[index]]:
            kinds[index] = "unknown_item"
    columns = {
        name: rows[name].clone() for name in ("subject_id", "item", "decided_on", "reference")
    }
    for kind in FAULT_KINDS:
        chosen = np.flatnonzero(kinds == kind)
        positions = faulty[chosen]
        if positions.size == 0:
            continue
        if kind == "bad_identifier":
            values = [
                _broken_identifier(identifier, subject_kinds[index])
                for identifier, index in zip(
                    columns["subject_id"].gather(positions).to_list(), chosen
                )
            ]
            columns["subject_id"].scatter(positions, values)
        elif kind == "unknown_item":
            columns["item"].scatter(positions, columns["item"].gather(positions) + "_withdrawn")
        elif kind == "wrong_issuer":
            values = [
                foreign[subject_kinds[index]][rng.integers(len(foreign[subject_kinds[index]]))]
                for index in chosen
            ]
            columns["item"].scatter(positions, values)
        elif kind == "future_date":
            days = rng.integers(30, 366, positions.size)
            future = pl.Series(np.datetime64(today) + days.astype("timedelta64[D]")).cast(pl.Date)
            columns["decided_on"].scatter(positions, future)
        else:  # missing_field
            columns["reference"].scatter(positions, None)
    counts = {kind: int((kinds == kind).sum()) for kind in FAULT_KINDS}
    return rows.with_columns(**columns), counts, faulty


def _extra_rows(
    rng: np.random.Generator, rows: pl.DataFrame, faulty: np.ndarray
) -> tuple[pl.DataFrame, int, int, int]:
    """Duplicates, revisions and revocations of good rows, sent after them."""
    good = np.setdiff1d(np.arange(rows.height), faulty)
    rng.shuffle(good)
    sizes = [
        int(round(len(good) * rate)) for rate in (DUPLICATE_RATE, REVISION_RATE, REVOCATION_RATE)
    ]
    duplicates = rows[good[: sizes[0]]]
    corrected = rows[good[sizes[0] : sizes[0] + sizes[1]]].with_columns(
        pl.lit(2, dtype=pl.Int64).alias("revision"),
        (pl.col("reference") + "-corrected").alias("reference"),
    )
    revoked = rows[good[sizes[0] + sizes[1] : sum(sizes)]].with_columns(
        pl.lit(2, dtype=pl.Int64).alias("revision"), pl.lit("revoked").alias("status")
    )
    return pl.concat([duplicates, corrected, revoked]), *sizes


def _write(rows: pl.DataFrame, path: Path, file_format: str) -> None:
    fields = rows.select(
        "record_id",
        "revision",
        "item",
        "subject_id",
        "decided_on",
        "quantity",
        "reference",
        "status",
    )
    if file_format == "csv":
        fields.write_csv(path)
    elif file_format == "jsonl":
        fields.write_ndjson(path)
    else:
        fields.write_parquet(path)


def write_city(plan: CityPlan, directory: Path, progress: Progress = _quiet) -> CityManifest:
    """Generate the city into `directory`: the catalogue, one record file per source, the
    manifest. The same plan (seed included) gives byte-for-byte the same files."""
    rng = np.random.default_rng(plan.seed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / RECORDS_DIRECTORY).mkdir(exist_ok=True)
    progress("residents and organizations", 0, 2)
    persons = _unique_persons(rng, plan.persons, plan.today)
    organizations = _unique_organizations(rng, plan.organizations)
    progress("residents and organizations", 1, 2)
    records = pl.concat(
        [
            _records_of_kind(rng, "person", persons, plan.records_per_person_year, 1.0, plan),
            _records_of_kind(
                rng, "organization", organizations, plan.records_per_organization_year, 1.2, plan
            ),
        ]
    )
    records = _with_issuers(rng, records).sort("source", "decided_on", "subject_id", "item")
    progress("residents and organizations", 2, 2)

    catalogue_path = directory / CATALOGUE_FILE
    catalogue_path.write_text(ryaml.dumps(catalogue_document(plan.effective_from)))
    source_files = []
    by_source = {
        key[0]: frame for key, frame in records.partition_by("source", as_dict=True).items()
    }
    for number, source in enumerate(sorted(SOURCES)):
        progress("record files", number, len(SOURCES))
        rows = by_source.get(source)
        if rows is None:
            continue
        prefix = source.upper().replace("-", "")
        rows = rows.with_columns(
            (
                pl.lit(prefix + "-") + pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)
            ).alias("record_id"),
            (
                pl.lit(f"{prefix}/")
                + pl.col("decided_on").dt.year().cast(pl.String)
                + "/"
                + pl.int_range(1, pl.len() + 1).cast(pl.String)
            ).alias("reference"),
            pl.lit(None, dtype=pl.Int64).alias("revision"),
            pl.lit(None, dtype=pl.String).alias("status"),
        )
        sloppy = rng.random() < SLOPPY_SHARE
        rate = rng.uniform(*(SLOPPY_FAULT_RATE if sloppy else TYPICAL_FAULT_RATE))
        rows, faults, faulty = _apply_faults(rng, rows, source, rate, plan.today)
        extra, duplicates, revisions, revocations = _extra_rows(rng, rows, faulty)
        rows = pl.concat([rows, extra])
        file_format = FORMATS[number % len(FORMATS)]
        path = directory / RECORDS_DIRECTORY / f"{source}.{file_format}"
        _write(rows, path, file_format)
        source_files.append(
            SourceFile(
                source,
                str(path.relative_to(directory)),
                file_format,
                rows.height,
                faults,
                duplicates,
                revisions,
                revocations,
            )
        )
    progress("record files", len(SOURCES), len(SOURCES))
    plan_document = {**asdict(plan), "today": plan.today.isoformat()}
    manifest = CityManifest(plan_document, CATALOGUE_FILE, source_files)
    manifest.write(directory)
    return manifest
