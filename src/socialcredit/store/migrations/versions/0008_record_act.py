"""A record's act (SPEC §4.1, §10.3): the decision that established the act itself.

`records.act` is a new nullable column: records stored before it name no act, which is what a
source that leaves the field out submits. The identity store keeps rejected rows whole, so its
`submitted_rows` gains the field too. Both are added columns, never a rebuilt table: nothing is
rewritten, and the append-only triggers stay as they are. (A store created by this release has
the identity store's column already: its tables are made from the current schema before the
migrations run.)

Revision ID: 0008_record_act
Revises: 0006_web_sessions
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0008_record_act"
down_revision = "0006_web_sessions"
branch_labels = None
depends_on = None

IDENTITY_SCHEMA = "identities"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column("records", sa.Column("act", sa.Text, nullable=True))
    if _postgresql():
        op.execute(
            f"ALTER TABLE {IDENTITY_SCHEMA}.submitted_rows ADD COLUMN IF NOT EXISTS act text"
        )
        return
    with context.config.attributes["identities"].engine.begin() as identities:
        columns = {
            row[1] for row in identities.exec_driver_sql("PRAGMA table_info(submitted_rows)")
        }
        if "act" not in columns:
            identities.exec_driver_sql("ALTER TABLE submitted_rows ADD COLUMN act TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE records DROP COLUMN act")
    if _postgresql():
        op.execute(f"ALTER TABLE {IDENTITY_SCHEMA}.submitted_rows DROP COLUMN IF EXISTS act")
        return
    with context.config.attributes["identities"].engine.begin() as identities:
        identities.exec_driver_sql("ALTER TABLE submitted_rows DROP COLUMN act")
