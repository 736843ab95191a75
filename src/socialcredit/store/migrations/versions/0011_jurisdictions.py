"""Jurisdictions (SPEC §11): a catalogue version belongs to its jurisdiction, and versions,
their numbers and `effective_from` are unique per jurisdiction, not per store.

`catalogue_versions` gains `jurisdiction` (every version stored before it belongs to
`default`, which is what a catalogue that names none publishes), and its primary key and the
uniqueness of `effective_from` take the jurisdiction in. PostgreSQL alters the table in place
(no row is updated: the column's default fills it); SQLite cannot change a primary key, so the
table is rebuilt, its rows copied as they are, and its append-only triggers made again.

Revision ID: 0011_jurisdictions
Revises: 0008_record_act
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_jurisdictions"
down_revision = "0008_record_act"
branch_labels = None
depends_on = None

TABLE = "catalogue_versions"
DEFAULT_JURISDICTION = "default"
COLUMNS = ("version", "catalog", "effective_from", "published_at", "document", "source_text")


def _unique_name(jurisdiction: bool) -> str:
    return (
        f"uq_{TABLE}_jurisdiction_effective_from" if jurisdiction else f"uq_{TABLE}_effective_from"
    )


def _sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused'); END"
        )


def _rebuild_sqlite(jurisdiction: bool) -> None:
    """The table made again with (`jurisdiction`) or without the column, rows copied."""
    key = ("jurisdiction", "version") if jurisdiction else ("version",)
    unique = ("jurisdiction", "effective_from") if jurisdiction else ("effective_from",)
    op.create_table(
        f"{TABLE}_new",
        sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("catalog", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        *([sa.Column("jurisdiction", sa.Text, nullable=False)] if jurisdiction else []),
        sa.PrimaryKeyConstraint(*key, name=f"pk_{TABLE}"),
        sa.UniqueConstraint(*unique, name=_unique_name(jurisdiction)),
    )
    columns = ", ".join((*COLUMNS, "sha256"))
    added = f", '{DEFAULT_JURISDICTION}'" if jurisdiction else ""
    op.execute(
        f"INSERT INTO {TABLE}_new ({columns}{', jurisdiction' if jurisdiction else ''}) "
        f"SELECT {columns}{added} FROM {TABLE}"
    )
    op.execute(f"DROP TABLE {TABLE}")  # its triggers go with it
    op.execute(f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}")
    _sqlite_triggers()


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(jurisdiction=True)
        return
    op.execute(
        f'ALTER TABLE {TABLE} ADD COLUMN jurisdiction text COLLATE "C" NOT NULL '
        f"DEFAULT '{DEFAULT_JURISDICTION}'"
    )
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN jurisdiction DROP DEFAULT")
    op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT pk_{TABLE}")
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (jurisdiction, version)")
    op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {_unique_name(False)}")
    op.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {_unique_name(True)} "
        "UNIQUE (jurisdiction, effective_from)"
    )


def downgrade() -> None:
    # Only a store of one jurisdiction goes back: the older schema cannot hold more.
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(jurisdiction=False)
        return
    op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {_unique_name(True)}")
    op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT pk_{TABLE}")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN jurisdiction")
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (version)")
    op.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT uq_{TABLE}_effective_from UNIQUE (effective_from)"
    )
