"""Credit repair (SPEC §10.2): the subjects' applications and the sources' decisions.

Both tables are append-only, as the objections are (0002): an application or a decision is
never changed, and a refused application stays beside a later one for the same record. A
decision is a row of its own, at most one per application (its primary key is the
application's number), so that nothing is ever updated. Neither names a subject (SPEC §7.5):
an application names the record's revision, whose row carries the subject's key.

Revision ID: 0010_repairs
Revises: 0008_record_act
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_repairs"
down_revision = "0009_subject_states"
branch_labels = None
depends_on = None

Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY_TABLES = ("repairs", "repair_decisions")
EVIDENCE_MAX_CHARACTERS = 2000  # domain/limits.py EVIDENCE_MAX_CHARS, as of this revision
REASON_MAX_CHARACTERS = 2000  # domain/limits.py REFUSAL_MAX_CHARS


def upgrade() -> None:
    op.create_table(
        "repairs",
        sa.Column("number", RowId, nullable=False),
        sa.Column("source", Key, nullable=False),
        sa.Column("record_id", Key, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("applied_on", sa.Date, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_repairs"),
        sa.CheckConstraint(
            f"length(evidence) <= {EVIDENCE_MAX_CHARACTERS}", name="ck_repairs_evidence_length"
        ),
    )
    op.create_index("ix_repairs_source_record_id", "repairs", ["source", "record_id"])
    op.create_table(
        "repair_decisions",
        sa.Column("number", RowId, nullable=False, autoincrement=False),
        sa.Column("decision", Key, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_repair_decisions"),
        sa.CheckConstraint(
            "decision IN ('granted', 'refused')", name="ck_repair_decisions_decision_known"
        ),
        sa.CheckConstraint(
            f"reason IS NULL OR length(reason) <= {REASON_MAX_CHARACTERS}",
            name="ck_repair_decisions_reason_length",
        ),
    )
    _forbid_updates_and_deletes()


def _forbid_updates_and_deletes() -> None:
    """Append-only in the store itself, as the records and objections are (0001, 0002)."""
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
    for table in ("repair_decisions", "repairs"):
        op.drop_table(table)
