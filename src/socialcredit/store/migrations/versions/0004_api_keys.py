"""API keys and their revocations (SPEC §8).

Revision ID: 0004_api_keys
Revises: 0002_objections
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_api_keys"
down_revision = "0002_objections"
branch_labels = None
depends_on = None

Key = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NEW_TABLES = ("api_keys", "api_key_revocations")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("number", RowId, nullable=False),
        sa.Column("role", Key, nullable=False),
        sa.Column("who", sa.Text, nullable=True),
        sa.Column("display", sa.Text, nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_api_keys"),
        sa.UniqueConstraint("key_sha256", name="uq_api_keys_key_sha256"),
        sa.CheckConstraint(
            "role IN ('operator', 'source', 'subject', 'party')", name="ck_api_keys_role_known"
        ),
    )
    op.create_table(
        "api_key_revocations",
        sa.Column("number", RowId, nullable=False, autoincrement=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_api_key_revocations"),
    )
    _forbid_updates_and_deletes()


def _forbid_updates_and_deletes() -> None:
    """A key is revoked by a new row, never by changing or deleting its own."""
    if op.get_bind().dialect.name == "postgresql":
        for table in NEW_TABLES:  # scs_refuse_change() comes from 0001
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION scs_refuse_change()"
            )
        return
    for table in NEW_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
