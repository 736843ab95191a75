"""The ledger's tables, as SQLAlchemy Core metadata.

Alembic migrations (`store/migrations/versions`) create these tables; a test compares a migrated
database with this metadata so the two cannot drift. Every table here is append-only: rows are
inserted, never updated or deleted, and triggers (created by the migrations) refuse both. The
one exception is `ingest_batches`, whose counts are filled in by the transaction that creates
the batch, before anyone else can see it.

No table of `metadata` names a subject (SPEC §7.5): records and file views carry a subject key,
an integer that means nothing without the identity store (`identity_metadata`: a second SQLite
file, or the PostgreSQL schema `identities`), which alone maps keys to (kind, identifier) and
keeps what rejected rows submitted.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from socialcredit.domain.limits import STATEMENT_MAX_CHARS
from socialcredit.domain.records import SUBMITTED_FIELDS, LedgerRecord

# Byte-order collation on PostgreSQL: identifiers and codes are compared as bytes, which is
# what the spec means and what makes the b-tree indexes several times cheaper to maintain.
Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
# SQLite's rowid is a 64-bit integer already; BIGINT on SQLite would not alias it.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UTCDateTime(sa.TypeDecorator):
    """An instant, handed back in UTC with its offset on both stores. PostgreSQL keeps
    `timestamptz`; SQLite has no zone, so the instant is stored as UTC text and read back
    as UTC (SQLAlchemy alone would store the caller's wall clock and hand it back naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"an instant needs its time zone: {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


SCHEMA_REVISION = "0011_jurisdictions"  # the Alembic head; tests hold the two equal

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

catalogue_versions = sa.Table(
    "catalogue_versions",
    metadata,
    sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("catalog", sa.Text, nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # the validated catalogue, as JSON
    sa.Column("source_text", sa.Text, nullable=False),  # the YAML exactly as published
    sa.Column("sha256", sa.String(64), nullable=False),
    # SPEC §11: versions, their numbers and effective_from are per jurisdiction.
    sa.Column("jurisdiction", Key, nullable=False),
    sa.PrimaryKeyConstraint("jurisdiction", "version"),
    sa.UniqueConstraint("jurisdiction", "effective_from"),
)

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column("source", Key, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_format", sa.String(16), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("submitted_on", sa.Date, nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=True),
    sa.Column("duplicates", sa.Integer, nullable=True),
    sa.Column("rejected", sa.Integer, nullable=True),
    sa.Index(None, "source"),
)

# Reserves record ids on PostgreSQL (SQLite needs none: its ingest holds the write lock).
record_ids = sa.Sequence("records_id_seq", metadata=metadata)

records = sa.Table(
    "records",
    metadata,
    # Ids are reserved by the ingesting transaction (a sequence on PostgreSQL) so that a new
    # revision can name the row it supersedes before either is written.
    sa.Column("id", RowId, primary_key=True, autoincrement=False),
    sa.Column("batch_id", RowId, nullable=False),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("source", Key, nullable=False),
    sa.Column("record_id", Key, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("item", Key, nullable=False),
    sa.Column("subject_kind", Key, nullable=False),
    # The subject's key in the identity store, which alone knows the identifier.
    sa.Column("subject", RowId, nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("status", Key, nullable=False),
    # The id of the revision this one replaces; the current revision is the one nobody supersedes.
    sa.Column("supersedes", RowId, nullable=True),
    # SPEC §4.1, §10.3: the decision that established the act (migration 0008); null when the
    # source names none.
    sa.Column("act", sa.Text, nullable=True),
    sa.UniqueConstraint("source", "record_id", "revision"),
    sa.CheckConstraint("revision > 0", name="revision_positive"),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.CheckConstraint("status IN ('active', 'revoked')", name="status_known"),
    sa.CheckConstraint("subject_kind IN ('person', 'organization')", name="subject_kind_known"),
    # Hash on PostgreSQL: per-subject reads ask by equality only (migration 0005).
    sa.Index(None, "subject", postgresql_using="hash"),
    sa.Index(
        None,
        "supersedes",
        unique=True,
        sqlite_where=sa.text("supersedes IS NOT NULL"),
        postgresql_where=sa.text("supersedes IS NOT NULL"),
    ),
)

# A rejected row keeps every field a source submits, as submitted (`submitted_rows`).
REJECTED_RAW_FIELDS = SUBMITTED_FIELDS

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column("batch_id", RowId, nullable=False),
    sa.Column("row_number", sa.Integer, nullable=False),
    # The reason with every submitted value taken out: a shifted row may put an identifier in
    # any field, and a reason may quote a field. The whole reason is in `submitted_rows`.
    sa.Column("reason", sa.Text, nullable=False),
    # The row as submitted, in the identity store's `submitted_rows`.
    sa.Column("submitted", RowId, nullable=False),
    sa.Index(None, "batch_id"),
)

file_views = sa.Table(
    "file_views",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column("subject", RowId, nullable=False),
    sa.Column("viewed_at", UTCDateTime(), nullable=False),
    sa.Column("viewer", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Index(None, "subject"),
)

# SPEC §7.1: an objection to a record's revision, as the subject filed it. An answer by a newer
# revision needs no row: it is that revision in `records`, dated by its batch.
objections = sa.Table(
    "objections",
    metadata,
    sa.Column("number", RowId, primary_key=True),
    sa.Column("source", Key, nullable=False),
    sa.Column("record_id", Key, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # the revision objected to
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("registered_at", UTCDateTime(), nullable=False),
    sa.Index(None, "source", "record_id"),
)

# SPEC §7.1: the source's answer that the record stands; at most one per objection.
objection_answers = sa.Table(
    "objection_answers",
    metadata,
    sa.Column("number", RowId, primary_key=True, autoincrement=False),
    sa.Column("answered_on", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("registered_at", UTCDateTime(), nullable=False),
)

# SPEC §7.2: every statement is kept; the latest is the one shown.
statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column("subject", RowId, nullable=False),  # the subject's key (SPEC §7.5)
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("made_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint(f"length(text) <= {STATEMENT_MAX_CHARS}", name="text_length"),
    sa.Index(None, "subject"),
)

APPEND_ONLY_TABLES = (
    "catalogue_versions",
    "records",
    "rejected_rows",
    "file_views",
    "objections",
    "objection_answers",
    "statements",
)

# API keys (SPEC §8): the secret is never stored, only its SHA-256; `display` is the readable
# start of the key (its role prefix and a few characters) so a list can tell keys apart.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("number", RowId, primary_key=True),
    sa.Column("role", Key, nullable=False),
    sa.Column("who", sa.Text, nullable=True),
    sa.Column("display", sa.Text, nullable=False),
    sa.Column("key_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('operator', 'source', 'subject', 'party')", name="role_known"),
)

# A revocation is a row of its own, so keys stay append-only like everything else.
api_key_revocations = sa.Table(
    "api_key_revocations",
    metadata,
    sa.Column("number", RowId, primary_key=True, autoincrement=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=False),
)

API_KEY_TABLES = ("api_keys", "api_key_revocations")  # append-only too (tests/service)

# Web sessions: a browser signed in with a key holds a random session id; only its SHA-256 is
# kept, with the key's number and when the session expires. Signing out appends an end.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("number", RowId, primary_key=True),
    sa.Column("session_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("key_number", RowId, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Index(None, "key_number"),
)

web_session_ends = sa.Table(
    "web_session_ends",
    metadata,
    sa.Column("number", RowId, primary_key=True, autoincrement=False),
    sa.Column("ended_at", UTCDateTime(), nullable=False),
)

WEB_SESSION_TABLES = ("web_sessions", "web_session_ends")  # append-only too

# -- the identity store ------------------------------------------------------------------------

IDENTITY_SCHEMA = "identities"  # PostgreSQL's schema; on SQLite, a file of its own

identity_metadata = sa.MetaData(
    schema=IDENTITY_SCHEMA,
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    },
)

subjects = sa.Table(
    "subjects",
    identity_metadata,
    # Assigned by the identity store, never reused (the table is append-only).
    sa.Column("subject", RowId, sa.Identity(), primary_key=True),
    sa.Column("kind", Key, nullable=False),
    sa.Column("identifier", Key, nullable=False),
    sa.UniqueConstraint("identifier", "kind"),
)

submitted_rows = sa.Table(
    "submitted_rows",
    identity_metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=False),
    sa.Column("reason", sa.Text, nullable=False),  # whole, as the rejects file gives it
    *(sa.Column(field, sa.Text, nullable=True) for field in REJECTED_RAW_FIELDS),
)

# Reserves submitted-row ids on PostgreSQL (SQLite's identity file is written under its lock).
submitted_row_ids = sa.Sequence("submitted_rows_id_seq", metadata=identity_metadata)

IDENTITY_APPEND_ONLY_TABLES = ("subjects", "submitted_rows")


def ledger_record(row: sa.Row, subject_id: str) -> LedgerRecord:
    """One row of `records` as the domain knows it, its subject named by `subject_id`."""
    return LedgerRecord(
        source=row.source,
        record_id=row.record_id,
        revision=row.revision,
        item=row.item,
        subject_kind=row.subject_kind,
        subject_id=subject_id,
        decided_on=row.decided_on,
        quantity=row.quantity,
        reference=row.reference,
        status=row.status,
        act=row.act,
    )
