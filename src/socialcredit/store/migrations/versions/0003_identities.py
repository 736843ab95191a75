"""Subjects by key: identifiers leave the ledger for the identity store (SPEC §7.5).

Records and file views name a subject by a key the identity store assigns; rejected rows keep
their row number and a reason with the submitted values taken out, and the identity store
keeps the row as submitted (under the rejected row's old id). The identity store is written
first (on SQLite, a second file, committed before this migration's own transaction); the
tables that named subjects are rebuilt, not updated, so that no old page keeps an identifier
(on SQLite the store then VACUUMs the file, see `Store.migrate`). Append-only triggers are
dropped around the rebuild and recreated.

Revision ID: 0003_identities
Revises: 0004_api_keys
Create Date: 2026-11-25
"""

import polars as pl
import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

from socialcredit.store.identities import redacted_reason

revision = "0003_identities"
down_revision = "0004_api_keys"
branch_labels = None
depends_on = None

Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
IDENTITY_SCHEMA = "identities"
REJECTED_RAW_FIELDS = (
    "record_id",
    "revision",
    "item",
    "subject_id",
    "decided_on",
    "quantity",
    "reference",
    "status",
)
# Tables that named a subject; `statements` (0002_objections) too, where it exists.
NAMING_TABLES = ("records", "rejected_rows", "file_views", "statements")
STATEMENT_MAX_CHARACTERS = 500
OLD = "_before_0003"
KEYS_TABLE = "scs_convert_keys"
REASONS_TABLE = "scs_convert_reasons"
OLD_INDEXES = {
    "records": (
        "pk_records",
        "uq_records_source_record_id_revision",
        "ix_records_subject_id",
        "ix_records_supersedes",
    ),
    "rejected_rows": ("pk_rejected_rows", "ix_rejected_rows_batch_id"),
    "file_views": ("pk_file_views", "ix_file_views_subject_id"),
    "statements": ("pk_statements", "ix_statements_subject_id"),
}


def _rebuilt_tables() -> tuple[str, ...]:
    existing = sa.inspect(op.get_bind()).get_table_names()
    return tuple(table for table in NAMING_TABLES if table in existing)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    connection = op.get_bind()
    rebuilt = _rebuilt_tables()
    rejected = _rejected_rows(connection)
    if _postgresql():
        _keys_on_postgresql(rejected, rebuilt)
    else:
        _keys_on_sqlite(context.config.attributes["identities"], rejected, rebuilt)
    _load_reasons(connection, rejected)
    _drop_append_only_triggers(rebuilt)
    for table in rebuilt:
        _set_aside(table)
    _create_tables(rebuilt)
    keys = f"{IDENTITY_SCHEMA}.subjects" if _postgresql() else KEYS_TABLE
    op.execute(
        "INSERT INTO records (id, batch_id, row_number, source, record_id, revision, item, "
        "subject_kind, subject, decided_on, quantity, reference, status, supersedes) "
        "SELECT r.id, r.batch_id, r.row_number, r.source, r.record_id, r.revision, r.item, "
        "r.subject_kind, k.subject, r.decided_on, r.quantity, r.reference, r.status, r.supersedes "
        f"FROM records{OLD} r JOIN {keys} k "
        "ON k.identifier = r.subject_id AND k.kind = r.subject_kind ORDER BY r.id"
    )
    op.execute(
        "INSERT INTO rejected_rows (id, batch_id, row_number, reason, submitted) "
        f"SELECT r.id, r.batch_id, r.row_number, c.reason, r.id FROM rejected_rows{OLD} r "
        f"JOIN {REASONS_TABLE} c ON c.id = r.id ORDER BY r.id"
    )
    op.execute(
        "INSERT INTO file_views (id, subject, viewed_at, viewer, purpose, channel) "
        "SELECT v.id, k.subject, v.viewed_at, v.viewer, v.purpose, v.channel "
        f"FROM file_views{OLD} v JOIN {keys} k "
        "ON k.identifier = v.subject_id AND k.kind = v.subject_kind ORDER BY v.id"
    )
    if "statements" in rebuilt:
        op.execute(
            "INSERT INTO statements (id, subject, text, made_at) "
            "SELECT t.id, k.subject, t.text, t.made_at "
            f"FROM statements{OLD} t JOIN {keys} k "
            "ON k.identifier = t.subject_id AND k.kind = t.subject_kind ORDER BY t.id"
        )
    for table in rebuilt:
        op.execute(f"DROP TABLE {table}{OLD}")
    op.execute(f"DROP TABLE {REASONS_TABLE}")
    if not _postgresql():
        op.execute(f"DROP TABLE {KEYS_TABLE}")
    _forbid_updates_and_deletes(rebuilt)


def _subject_pairs_sql(rebuilt: tuple[str, ...]) -> str:
    return " UNION ".join(
        f"SELECT subject_kind AS kind, subject_id AS identifier FROM {table}"
        for table in rebuilt
        if table != "rejected_rows"
    )


def _rejected_rows(connection) -> pl.DataFrame:
    columns = ["id", "reason", *REJECTED_RAW_FIELDS]
    rows = connection.execute(
        sa.text(f"SELECT {', '.join(columns)} FROM rejected_rows ORDER BY id")
    ).all()
    return pl.DataFrame(
        [tuple(row) for row in rows],
        schema={"id": pl.Int64, **dict.fromkeys(columns[1:], pl.String)},
        orient="row",
    )


def _keys_on_postgresql(rejected: pl.DataFrame, rebuilt: tuple[str, ...]) -> None:
    """Same database, same transaction: the identity schema fills from the ledger directly."""
    op.execute(
        f"INSERT INTO {IDENTITY_SCHEMA}.subjects (kind, identifier) "
        f"SELECT kind, identifier FROM ({_subject_pairs_sql(rebuilt)}) pairs "
        "ORDER BY identifier, kind "
        "ON CONFLICT DO NOTHING"
    )
    columns = ", ".join(["id", "reason", *REJECTED_RAW_FIELDS])
    op.execute(
        f"INSERT INTO {IDENTITY_SCHEMA}.submitted_rows ({columns}) "
        f"SELECT {columns} FROM rejected_rows ON CONFLICT DO NOTHING"
    )
    if rejected.height:
        op.execute(
            f"SELECT setval('{IDENTITY_SCHEMA}.submitted_rows_id_seq', {int(rejected['id'].max())})"
        )


def _keys_on_sqlite(identities, rejected: pl.DataFrame, rebuilt: tuple[str, ...]) -> None:
    """Two files: the identity file gets the keys and the submitted rows, committed, before
    this transaction writes a row that uses them; the keys come back as a temporary table."""
    connection = op.get_bind()
    pairs = pl.DataFrame(
        [tuple(row) for row in connection.execute(sa.text(_subject_pairs_sql(rebuilt))).all()],
        schema={"kind": pl.String, "identifier": pl.String},
        orient="row",
    )
    with identities.writer() as writer:
        keys = writer.subject_keys(pairs["kind"], pairs["identifier"])
        writer.keep_submitted(rejected)
    raw = connection.connection.driver_connection
    raw.execute(f"CREATE TEMP TABLE {KEYS_TABLE} (kind TEXT, identifier TEXT, subject INTEGER)")
    raw.executemany(
        f"INSERT INTO {KEYS_TABLE} VALUES (?, ?, ?)",
        keys.select("kind", "identifier", "subject").iter_rows(),
    )
    raw.execute(f"CREATE INDEX {KEYS_TABLE}_identifier ON {KEYS_TABLE} (identifier, kind)")


def _load_reasons(connection, rejected: pl.DataFrame) -> None:
    op.execute(f"CREATE TEMP TABLE {REASONS_TABLE} (id BIGINT PRIMARY KEY, reason TEXT)")
    reasons = [
        {"id": row[0], "reason": redacted_reason(row[1], list(row[2:]))}
        for row in rejected.select("id", "reason", *REJECTED_RAW_FIELDS).iter_rows()
    ]
    if reasons:
        connection.execute(
            sa.text(f"INSERT INTO {REASONS_TABLE} (id, reason) VALUES (:id, :reason)"), reasons
        )


def _drop_append_only_triggers(rebuilt: tuple[str, ...]) -> None:
    for table in rebuilt:
        if _postgresql():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


def _set_aside(table: str) -> None:
    """Rename the old table out of the way of the new one; its index names too."""
    if _postgresql():
        op.execute(f"ALTER TABLE {table} RENAME TO {table}{OLD}")
        for index in OLD_INDEXES[table]:
            op.execute(f"ALTER INDEX IF EXISTS {index} RENAME TO {index}{OLD}")
        return
    for index in OLD_INDEXES[table]:
        if index.startswith("ix_"):
            op.execute(f"DROP INDEX IF EXISTS {index}")
    op.execute(f"ALTER TABLE {table} RENAME TO {table}{OLD}")


def _create_tables(rebuilt: tuple[str, ...]) -> None:
    op.create_table(
        "records",
        sa.Column("id", RowId, nullable=False, autoincrement=False),
        sa.Column("batch_id", RowId, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("source", Key, nullable=False),
        sa.Column("record_id", Key, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("item", Key, nullable=False),
        sa.Column("subject_kind", Key, nullable=False),
        sa.Column("subject", RowId, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("status", Key, nullable=False),
        sa.Column("supersedes", RowId, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint(
            "source", "record_id", "revision", name="uq_records_source_record_id_revision"
        ),
        sa.CheckConstraint("revision > 0", name="ck_records_revision_positive"),
        sa.CheckConstraint("quantity > 0", name="ck_records_quantity_positive"),
        sa.CheckConstraint("status IN ('active', 'revoked')", name="ck_records_status_known"),
        sa.CheckConstraint(
            "subject_kind IN ('person', 'organization')", name="ck_records_subject_kind_known"
        ),
    )
    op.create_index("ix_records_subject", "records", ["subject"])
    op.create_index(
        "ix_records_supersedes",
        "records",
        ["supersedes"],
        unique=True,
        sqlite_where=sa.text("supersedes IS NOT NULL"),
        postgresql_where=sa.text("supersedes IS NOT NULL"),
    )
    op.create_table(
        "rejected_rows",
        sa.Column("id", RowId, nullable=False),
        sa.Column("batch_id", RowId, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("submitted", RowId, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejected_rows"),
    )
    op.create_index("ix_rejected_rows_batch_id", "rejected_rows", ["batch_id"])
    op.create_table(
        "file_views",
        sa.Column("id", RowId, nullable=False),
        sa.Column("subject", RowId, nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_file_views"),
    )
    op.create_index("ix_file_views_subject", "file_views", ["subject"])
    if "statements" in rebuilt:
        op.create_table(
            "statements",
            sa.Column("id", RowId, nullable=False),
            sa.Column("subject", RowId, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_statements"),
            sa.CheckConstraint(
                f"length(text) <= {STATEMENT_MAX_CHARACTERS}", name="ck_statements_text_length"
            ),
        )
        op.create_index("ix_statements_subject", "statements", ["subject"])
    if _postgresql():
        # The new tables' ids continue where the old ones ended (records reserve their own).
        for table in (table for table in rebuilt if table != "records"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}{OLD}), false)"
            )


def _forbid_updates_and_deletes(rebuilt: tuple[str, ...]) -> None:
    for table in rebuilt:
        if _postgresql():
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION scs_refuse_change()"
            )
        else:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("identifiers do not go back into the ledger")
