"""Web sessions held by the store (issue 16): a browser signed in to the web pages carries a
random session id; the store keeps its SHA-256, the key it signed in with, and when it ends.

Revision ID: 0006_web_sessions
Revises: 0005_subject_hash_index
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_web_sessions"
down_revision = "0005_subject_hash_index"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Instant = sa.DateTime(timezone=True)
NEW_TABLES = ("web_sessions", "web_session_ends")


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("number", RowId, nullable=False),
        sa.Column("session_sha256", sa.String(64), nullable=False),
        sa.Column("key_number", RowId, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("expires_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_web_sessions"),
        sa.UniqueConstraint("session_sha256", name="uq_web_sessions_session_sha256"),
    )
    op.create_index("ix_web_sessions_key_number", "web_sessions", ["key_number"])
    op.create_table(
        "web_session_ends",
        sa.Column("number", RowId, nullable=False, autoincrement=False),
        sa.Column("ended_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_web_session_ends"),
    )
    _forbid_updates_and_deletes()


def _forbid_updates_and_deletes() -> None:
    """A session ends by a new row, as a key is revoked: never by changing its own."""
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
