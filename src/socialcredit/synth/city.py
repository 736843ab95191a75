"""A reproducible synthetic city: residents, organizations, and the record files their sources
would send, faults included.

Behaviour is skewed as in life: each resident's rate of everyday records (minor and ordinary
offences, arrears, merits) is log-normal, so most have none or a few and a few have many; an
organization's rate grows with its size, also log-normal. Serious acts are another matter: a
small share of subjects commit one (now and then two), whatever their everyday rate, and that
share is what puts about one resident in a hundred on a list that carries sanctions, as the
national lists do. Awards go only to subjects without a serious record, and a court's
conviction for drunk driving names the same act as the traffic police's penalty.

Each source sends one file, in CSV, JSON Lines or Parquet, with the share of faulty rows real
feeds have (bad identifiers, unknown items, items the source may not issue, future
dates, empty required fields) and the rows that are not faults but must be handled
(duplicates, revisions, revocations). The manifest (`city.json`) declares, per source, how
many rows of each kind it holds and so what an ingest must report.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import ryaml

from socialcredit.domain.identifiers import ORGANIZATION_ALPHABET, PERSON_CHECK_CHARACTERS
from socialcredit.synth.catalogue import CatalogueSpec, ItemSpec, city_catalogue
from socialcredit.synth.identifiers import organization_identifiers, person_identifiers
from socialcredit.synth.national import NATIONAL_ITEM_OF
from socialcredit.synth.scale import City

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
# The busiest subject's everyday rate, against the mean: a company penalized far more often than
# that would have lost its licence, which is a serious act and drawn as one.
MAX_ACTIVITY = 4.0
# Of the subjects with a serious act, those with a second one. A company's second serious act
# within three years mostly means a revoked licence or a closure (no longer a scored subject),
# so companies have one.
SECOND_SERIOUS_ACT_SHARE = {"person": 0.15, "organization": 0.0}
# Drunk driving: the traffic police revoke the licence at once; a court convicts most drivers
# of dangerous driving weeks later, and both decisions name the police's case as the act.
DRUNK_DRIVING = "traffic.drunk_driving"
CONVICTION = "court.dangerous_driving"
CONVICTED_SHARE = 0.7
CONVICTION_DELAY_DAYS = (20, 120)
MANIFEST_FILE = "city.json"
CATALOGUE_FILE = "catalogue.yaml"
RECORDS_DIRECTORY = "records"


@dataclass(frozen=True)
class CityPlan:
    city: City
    seed: int = 1
    years: int = 3
    today: dt.date = field(default_factory=dt.date.today)
    # Everyday records (everything but serious acts), per subject and year, on average.
    records_per_person_year: float = 0.97
    records_per_organization_year: float = 2.0
    # The share of subjects who commit a serious act in a year. Calibrated so that, with the
    # items' windows, about 1.2 % of residents and 3 % of organizations are on a list that
    # carries sanctions after three years (national figures: 1–2 % of persons listed).
    serious_persons_per_year: float = 0.0055
    serious_organizations_per_year: float = 0.011
    # One of a nation's cities (SPEC §11): its catalogue leaves the national lists to the
    # national catalogue, and its court and tax cases that lead to them name their act.
    in_nation: bool = False

    @functools.cached_property
    def catalogue(self) -> CatalogueSpec:
        return city_catalogue(self.city, self.in_nation)

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
    shared_acts: int = 0  # acts named by both a court's and the traffic police's file

    @property
    def rows(self) -> int:
        return sum(source.rows for source in self.sources)

    def write(self, directory: Path) -> None:
        document = {
            "plan": self.plan,
            "catalogue": self.catalogue,
            "sources": [{**asdict(source), "expected": source.expected} for source in self.sources],
            "shared_acts": self.shared_acts,
        }
        (directory / MANIFEST_FILE).write_text(json.dumps(document, indent=2, default=str))

    @classmethod
    def read(cls, directory: Path) -> CityManifest:
        document = json.loads((directory / MANIFEST_FILE).read_text())
        sources = [
            SourceFile(**{key: value for key, value in source.items() if key != "expected"})
            for source in document["sources"]
        ]
        return cls(document["plan"], document["catalogue"], sources, document["shared_acts"])


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


def _records(
    identifiers: list[str],
    kind: str,
    items: list[ItemSpec],
    subject_index: np.ndarray,
    item_index: np.ndarray,
    days_back: np.ndarray,
    quantity: np.ndarray,
    today: dt.date,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subject_id": pl.Series(identifiers).gather(subject_index),
            "item": pl.Series([item.code for item in items]).gather(item_index),
            "decided_on": pl.Series(np.datetime64(today) - days_back.astype("timedelta64[D]")).cast(
                pl.Date
            ),
            "quantity": quantity,
            "kind": kind,
            "act": pl.Series([None] * len(subject_index), dtype=pl.String),
        }
    )


def _items(catalogue: CatalogueSpec, kind: str, serious: bool) -> tuple[list[ItemSpec], np.ndarray]:
    """The items of `kind` drawn one way, and the chance of each."""
    items = [
        item
        for item in catalogue.items
        if item.subject == kind and item.serious == serious and item.weight > 0
    ]
    weights = np.array([item.weight for item in items])
    return items, weights / weights.sum()


def _everyday_records(
    rng: np.random.Generator,
    kind: str,
    identifiers: list[str],
    rate: float,
    sigma: float,
    plan: CityPlan,
) -> pl.DataFrame:
    """Records of everything but serious acts: how many per subject, which items, when."""
    activity = rng.lognormal(-(sigma**2) / 2, sigma, len(identifiers))  # mean 1, skewed
    activity = np.minimum(activity, MAX_ACTIVITY)
    counts = rng.poisson(activity * rate * plan.years)
    subject_index = np.repeat(np.arange(len(identifiers)), counts)
    items, chances = _items(plan.catalogue, kind, serious=False)
    item_index = rng.choice(len(items), len(subject_index), p=chances)
    days_back = rng.integers(1, 365 * plan.years + 1, len(subject_index))
    max_quantity = np.array([item.max_quantity for item in items])[item_index]
    quantity = (rng.random(len(subject_index)) * max_quantity).astype(np.int64) + 1
    return _records(
        identifiers, kind, items, subject_index, item_index, days_back, quantity, plan.today
    )


def _serious_records(
    rng: np.random.Generator,
    kind: str,
    identifiers: list[str],
    share_per_year: float,
    plan: CityPlan,
) -> pl.DataFrame:
    """Serious acts: a share of the subjects commit one, a few of them two."""
    offenders = rng.binomial(len(identifiers), min(1.0, share_per_year * plan.years))
    chosen = rng.choice(len(identifiers), offenders, replace=False)
    acts = 1 + (rng.random(offenders) < SECOND_SERIOUS_ACT_SHARE[kind])
    subject_index = np.repeat(chosen, acts)
    items, chances = _items(plan.catalogue, kind, serious=True)
    item_index = rng.choice(len(items), len(subject_index), p=chances)
    days_back = rng.integers(1, 365 * plan.years + 1, len(subject_index))
    quantity = np.ones(len(subject_index), dtype=np.int64)
    return _records(
        identifiers, kind, items, subject_index, item_index, days_back, quantity, plan.today
    )


def _with_convictions(
    rng: np.random.Generator, records: pl.DataFrame, today: dt.date
) -> pl.DataFrame:
    """Every drunk-driving penalty names its police case as the act; most are followed by a
    court's conviction for dangerous driving that names the same act (SPEC §4.1, §10.3).
    Convictions that would fall after today are still pending and not recorded."""
    is_drunk = pl.col("item") == DRUNK_DRIVING
    serial = pl.int_range(1, pl.len() + 1).over(is_drunk).cast(pl.String).str.zfill(6)
    records = records.with_columns(
        pl.when(is_drunk)
        .then(pl.format("TRAFFIC-CASE/{}/{}", pl.col("decided_on").dt.year(), serial))
        .otherwise(pl.col("act"))
        .alias("act")
    )
    penalties = records.filter(is_drunk)
    convicted = penalties.filter(pl.Series(rng.random(penalties.height) < CONVICTED_SHARE))
    delays = pl.Series(rng.integers(*CONVICTION_DELAY_DAYS, convicted.height))
    convictions = convicted.with_columns(
        pl.lit(CONVICTION).alias("item"),
        pl.col("decided_on") + pl.duration(days=pl.lit(delays)),
    ).filter(pl.col("decided_on") <= today)
    return pl.concat([records, convictions])


def _awards_only_to_the_vetted(
    rng: np.random.Generator,
    records: pl.DataFrame,
    identifiers: dict[str, list[str]],
    catalogue: CatalogueSpec,
) -> pl.DataFrame:
    """An award drawn for a subject with a serious record goes to another subject of its kind
    who has none: issuers vet whom they commend."""
    serious = {item.code for item in catalogue.items if item.serious}
    awards = {item.code for item in catalogue.items if item.award}
    offenders = set(records.filter(pl.col("item").is_in(serious))["subject_id"].to_list())
    subject_ids = records["subject_id"].clone()
    for kind, kind_identifiers in identifiers.items():
        wrong = records.select(
            (
                pl.col("item").is_in(awards)
                & (pl.col("kind") == kind)
                & pl.col("subject_id").is_in(offenders)
            ).arg_true()
        ).to_series()
        if wrong.len() == 0:
            continue
        eligible = [identifier for identifier in kind_identifiers if identifier not in offenders]
        chosen = rng.integers(0, len(eligible), wrong.len())
        subject_ids.scatter(wrong, [eligible[index] for index in chosen])
    return records.with_columns(subject_ids)


def _with_issuers(
    rng: np.random.Generator, records: pl.DataFrame, catalogue: CatalogueSpec
) -> pl.DataFrame:
    """Each record's source: one of the sources of the item's sector, at random."""
    items = catalogue.items
    issuers = [catalogue.issuers_of(item) for item in items]
    counts = np.array([len(sources) for sources in issuers])
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    every_issuer = np.array([source for sources in issuers for source in sources], dtype=object)
    item_index = (
        records["item"]
        .replace_strict({item.code: number for number, item in enumerate(items)})
        .to_numpy()
    )
    chosen = (rng.random(records.height) * counts[item_index]).astype(np.int64)
    sources = every_issuer[first[item_index] + chosen]
    return records.with_columns(pl.Series("source", sources, dtype=pl.String))


def _shared_acts(records: pl.DataFrame) -> int:
    return (
        records.filter(pl.col("act").is_not_null())
        .group_by("act")
        .agg(pl.col("item").n_unique().alias("items"))
        .filter(pl.col("items") > 1)
        .height
    )


# -- faults and extra rows ---------------------------------------------------------------------


def _broken_identifier(identifier: str, kind: str) -> str:
    """The identifier with its check character changed: a typo the checksum must catch."""
    alphabet = PERSON_CHECK_CHARACTERS if kind == "person" else ORGANIZATION_ALPHABET
    position = alphabet.index(identifier[17]) if identifier[17] in alphabet else 0
    return identifier[:17] + alphabet[(position + 1) % len(alphabet)]


def _foreign_items(catalogue: CatalogueSpec, source: str, kind: str) -> list[str]:
    return [
        item.code
        for item in catalogue.items
        if item.subject == kind and source not in catalogue.issuers_of(item)
    ]


def _apply_faults(
    rng: np.random.Generator,
    rows: pl.DataFrame,
    catalogue: CatalogueSpec,
    source: str,
    rate: float,
    today: dt.date,
) -> tuple[pl.DataFrame, dict[str, int], np.ndarray]:
    """Break `rate` of the rows, each in one way; the broken rows' positions are returned too."""
    faulty = np.flatnonzero(rng.random(rows.height) < rate)
    kinds = np.array(FAULT_KINDS)[rng.choice(len(FAULT_KINDS), faulty.size, p=FAULT_SHARES)]
    subject_kinds = rows["kind"].gather(faulty).to_list()
    # An item this source may not issue; a source that issues every item of the kind gets an
    # unknown item instead.
    foreign = {kind: _foreign_items(catalogue, source, kind) for kind in ("person", "organization")}
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
    # A decision that put its subject on a national list is not revoked here: its revocation
    # would have to reach the national record too, which the generator does not model.
    listing = (
        rows["act"].is_not_null()
        & (rows["item"].is_in(list(NATIONAL_ITEM_OF)) | rows["item"].str.starts_with("national."))
    ).to_numpy()
    rest = good[sizes[0] + sizes[1] :]
    rest = rest[~listing[rest]]
    sizes[2] = min(sizes[2], len(rest))
    revoked = rows[rest[: sizes[2]]].with_columns(
        pl.lit(2, dtype=pl.Int64).alias("revision"), pl.lit("revoked").alias("status")
    )
    return pl.concat([duplicates, corrected, revoked]), *sizes


def _write(rows: pl.DataFrame, path: Path, file_format: str) -> None:
    # The optional `act` column only in the files of sources that name acts, as real feeds
    # would send it.
    acts = ("act",) if rows["act"].null_count() < rows.height else ()
    fields = rows.select(
        "record_id",
        "revision",
        "item",
        "subject_id",
        "decided_on",
        "quantity",
        "reference",
        "status",
        *acts,
    )
    if file_format == "csv":
        fields.write_csv(path)
    elif file_format == "jsonl":
        fields.write_ndjson(path)
    else:
        fields.write_parquet(path)


def draw_subjects(rng: np.random.Generator, plan: CityPlan) -> tuple[list[str], list[str]]:
    """The city's residents and organizations: unique identifiers of each kind."""
    city = plan.city
    return (
        _unique_persons(rng, city.persons, plan.today),
        _unique_organizations(rng, city.organizations),
    )


def _with_case_numbers(records: pl.DataFrame, plan: CityPlan) -> pl.DataFrame:
    """In a nation, a court's or tax bureau's decision that leads to a national list names its
    case as the act, so that the national record that follows names the same act (SPEC §10.3)."""
    leads = pl.col("item").is_in(list(NATIONAL_ITEM_OF))
    serial = pl.int_range(1, pl.len() + 1).over(leads).cast(pl.String).str.zfill(6)
    prefix = f"{plan.city.jurisdiction.upper()}-CASE/"
    return records.with_columns(
        pl.when(leads)
        .then(pl.format(prefix + "{}/{}", pl.col("decided_on").dt.year(), serial))
        .otherwise(pl.col("act"))
        .alias("act")
    )


def draw_records(
    rng: np.random.Generator,
    plan: CityPlan,
    progress: Progress = _quiet,
    subjects: tuple[list[str], list[str]] | None = None,
) -> pl.DataFrame:
    """Every record the city's sources decide (before any fault or extra row), each with its
    source, sorted by source, day, subject and item. `subjects`: the residents and
    organizations, when the caller drew them (a nation shares some between cities)."""
    progress("residents and organizations", 0, 2)
    persons, organizations = subjects if subjects is not None else draw_subjects(rng, plan)
    progress("residents and organizations", 1, 2)
    records = pl.concat(
        [
            _everyday_records(rng, "person", persons, plan.records_per_person_year, 1.0, plan),
            _everyday_records(
                rng, "organization", organizations, plan.records_per_organization_year, 1.2, plan
            ),
            _serious_records(rng, "person", persons, plan.serious_persons_per_year, plan),
            _serious_records(
                rng, "organization", organizations, plan.serious_organizations_per_year, plan
            ),
        ]
    )
    records = _with_convictions(rng, records, plan.today)
    if plan.in_nation:
        records = _with_case_numbers(records, plan)
    records = _awards_only_to_the_vetted(
        rng, records, {"person": persons, "organization": organizations}, plan.catalogue
    )
    progress("residents and organizations", 2, 2)
    return _with_issuers(rng, records, plan.catalogue).sort(
        "source", "decided_on", "subject_id", "item"
    )


def write_sources(
    rng: np.random.Generator,
    records: pl.DataFrame,
    catalogue: CatalogueSpec,
    directory: Path,
    today: dt.date,
    progress: Progress = _quiet,
) -> list[SourceFile]:
    """One file per source of `catalogue` that has records, with its faults and extra rows."""
    (directory / RECORDS_DIRECTORY).mkdir(parents=True, exist_ok=True)
    sources = sorted(catalogue.sources)
    source_files = []
    by_source = {
        key[0]: frame for key, frame in records.partition_by("source", as_dict=True).items()
    }
    for number, source in enumerate(sources):
        progress("record files", number, len(sources))
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
        rows, faults, faulty = _apply_faults(rng, rows, catalogue, source, rate, today)
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
    progress("record files", len(sources), len(sources))
    return source_files


def write_city(
    plan: CityPlan,
    directory: Path,
    progress: Progress = _quiet,
    records: pl.DataFrame | None = None,
    rng: np.random.Generator | None = None,
) -> CityManifest:
    """Generate the city into `directory`: the catalogue, one record file per source, the
    manifest. The same plan (seed included) gives byte-for-byte the same files. `records` and
    `rng`: records already drawn (a nation's city) and the generator that drew them."""
    rng = rng if rng is not None else np.random.default_rng(plan.seed)
    directory.mkdir(parents=True, exist_ok=True)
    if records is None:
        records = draw_records(rng, plan, progress)
    shared_acts = _shared_acts(records)

    catalogue_path = directory / CATALOGUE_FILE
    catalogue_path.write_text(ryaml.dumps(plan.catalogue.document(plan.effective_from)))
    source_files = write_sources(rng, records, plan.catalogue, directory, plan.today, progress)
    # The city's fields side by side with the plan's, as `city.json` has always shown them.
    plan_document = {
        **asdict(plan.city),
        **{key: value for key, value in asdict(plan).items() if key != "city"},
        "today": plan.today.isoformat(),
    }
    manifest = CityManifest(plan_document, CATALOGUE_FILE, source_files, shared_acts)
    manifest.write(directory)
    return manifest
