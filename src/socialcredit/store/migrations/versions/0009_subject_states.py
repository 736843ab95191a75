"""Checks at national speed (issue 16, SPEC §10.5).

- `file_views.applies`: a relying party's check logs its answer; null for a look that is not
  a check (and for the checks logged before this revision, whose answer was not kept).
- `api_keys.rate`: the requests per second a key may make; null takes its role's default.
- `access_log_counts`: one row counting the checks answered and the group commits that logged
  them (`store/view_log.py`).
- `subject_states`: each file's state for the check, by subject key (`store/subject_states.py`):
  a cache, updated in place.

Both are added nullable columns: nothing is rewritten, and the append-only triggers on
`file_views` stay as they are.

Revision ID: 0009_subject_states
Revises: 0008_record_act
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_subject_states"
down_revision = "0008_record_act"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("file_views", sa.Column("applies", sa.Boolean, nullable=True))
    op.add_column("api_keys", sa.Column("rate", sa.Integer, nullable=True))
    op.create_table(
        "access_log_counts",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("checks", sa.BigInteger, nullable=False),
        sa.Column("commits", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_log_counts"),
    )
    op.execute("INSERT INTO access_log_counts (id, checks, commits) VALUES (1, 0, 0)")
    op.create_table(
        "subject_states",
        sa.Column("subject", RowId, nullable=False, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("rulebook", sa.Integer, nullable=True),
        sa.Column("valid_from", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("tier", sa.Text, nullable=True),
        sa.Column("lists", sa.Text, nullable=True),
        sa.Column("catalogue_version", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("subject", name="pk_subject_states"),
    )


def downgrade() -> None:
    op.drop_table("subject_states")
    op.drop_table("access_log_counts")
    op.execute("ALTER TABLE api_keys DROP COLUMN rate")
    op.execute("ALTER TABLE file_views DROP COLUMN applies")
