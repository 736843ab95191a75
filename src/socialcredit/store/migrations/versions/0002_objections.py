"""The subject's rights: objections, the sources' upholding answers, statements.

Revision ID: 0002_objections
Revises: 0001
Create Date: 2026-11-25

All three tables are append-only like the records: an objection, an answer or a statement is
never changed, and a later one does not erase an earlier one. An answer by correction or
revocation needs no row here: it is the newer revision in `records`, dated by its batch.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_objections"
down_revision = "0001"
branch_labels = None
depends_on = None

Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY_TABLES = ("objections", "objection_answers", "statements")
STATEMENT_MAX_CHARACTERS = 500


def upgrade() -> None:
    op.create_table(
        "objections",
        sa.Column("number", RowId, nullable=False),
        sa.Column("source", Key, nullable=False),
        sa.Column("record_id", Key, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_objections"),
    )
    op.create_index("ix_objections_source_record_id", "objections", ["source", "record_id"])
    op.create_table(
        "objection_answers",
        sa.Column("number", RowId, nullable=False, autoincrement=False),
        sa.Column("answered_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_objection_answers"),
    )
    op.create_table(
        "statements",
        sa.Column("id", RowId, nullable=False),
        sa.Column("subject_kind", Key, nullable=False),
        sa.Column("subject_id", Key, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.CheckConstraint(
            f"length(text) <= {STATEMENT_MAX_CHARACTERS}", name="ck_statements_text_length"
        ),
    )
    op.create_index("ix_statements_subject_id", "statements", ["subject_id"])
    # The per-subject paths (`scs show`, `scs check`) find a subject's records by identifier
    # and their revisions by (source, record_id): the unique index serves the latter; the
    # batch days of answering revisions come through the batch's primary key.
    _forbid_updates_and_deletes()


def _forbid_updates_and_deletes() -> None:
    """Append-only in the store itself, as the records are (0001)."""
    if op.get_bind().dialect.name == "postgresql":
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
    for table in ("statements", "objection_answers", "objections"):
        op.drop_table(table)
