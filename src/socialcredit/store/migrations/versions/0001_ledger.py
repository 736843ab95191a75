"""The ledger: catalogue versions, ingest batches, records, rejected rows, file views.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY_TABLES = ("catalogue_versions", "records", "rejected_rows", "file_views")
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


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("catalog", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_catalogue_versions"),
        sa.UniqueConstraint("effective_from", name="uq_catalogue_versions_effective_from"),
    )
    op.create_table(
        "ingest_batches",
        sa.Column("id", RowId, nullable=False),
        sa.Column("source", Key, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_format", sa.String(16), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.Integer, nullable=True),
        sa.Column("duplicates", sa.Integer, nullable=True),
        sa.Column("rejected", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_batches"),
    )
    op.create_index("ix_ingest_batches_source", "ingest_batches", ["source"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE records_id_seq")
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
        sa.Column("subject_id", Key, nullable=False),
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
    op.create_index("ix_records_subject_id", "records", ["subject_id"], postgresql_using="hash")
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
        *(sa.Column(field, sa.Text, nullable=True) for field in REJECTED_RAW_FIELDS),
        sa.PrimaryKeyConstraint("id", name="pk_rejected_rows"),
    )
    op.create_index("ix_rejected_rows_batch_id", "rejected_rows", ["batch_id"])
    op.create_table(
        "file_views",
        sa.Column("id", RowId, nullable=False),
        sa.Column("subject_kind", Key, nullable=False),
        sa.Column("subject_id", Key, nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_file_views"),
    )
    op.create_index("ix_file_views_subject_id", "file_views", ["subject_id"])
    _forbid_updates_and_deletes()


def _forbid_updates_and_deletes() -> None:
    """The ledger is append-only in the store itself, not just by the code's good manners."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION scs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION scs_refuse_change()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    for table in ("file_views", "rejected_rows", "records", "ingest_batches", "catalogue_versions"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS records_id_seq")
        op.execute("DROP FUNCTION IF EXISTS scs_refuse_change()")
