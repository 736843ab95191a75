"""What the store holds about one subject's file (SPEC §7.4), read and written by subject: the
current revisions of the records that name the subject, and the log of who looked at the file.

Both go identifier → key (the identity store) → rows by key: the main store names nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.domain.identifiers import SubjectKind
from socialcredit.domain.records import LedgerRecord
from socialcredit.store import schema
from socialcredit.store.identities import IdentityStore


@dataclass(frozen=True, slots=True)
class FileView:
    viewed_at: dt.datetime
    viewer: str
    purpose: str
    channel: str


def records_naming(
    engine: Engine, identities: IdentityStore, subject_id: str
) -> list[LedgerRecord]:
    """The current revisions of every record whose current revision names `subject_id`:
    identifier → keys (identity store) → records (through the index on the key)."""
    keys = identities.keys_of(subject_id)
    if not keys:
        return []
    kind_of_key = {key: kind for kind, key in keys.items()}
    records = schema.records
    ever_named = (
        sa.select(records.c.source, records.c.record_id)
        .where(records.c.subject.in_(sorted(kind_of_key)))
        .distinct()
        .subquery()
    )
    query = (
        sa.select(records)
        .join(
            ever_named,
            sa.and_(
                records.c.source == ever_named.c.source,
                records.c.record_id == ever_named.c.record_id,
            ),
        )
        .order_by(records.c.source, records.c.record_id, records.c.revision)
    )
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    current: dict[tuple[str, str], sa.Row] = {}
    for row in rows:  # ordered by revision, so the last one wins
        current[(row.source, row.record_id)] = row
    return [
        schema.ledger_record(row, subject_id)
        for row in current.values()
        if row.subject in kind_of_key
    ]


def append_file_view(
    engine: Engine, identities: IdentityStore, kind: SubjectKind, subject_id: str, view: FileView
) -> None:
    """Log a look at a file; only a subject with a file (so with a key) has one."""
    subject = identities.key_of(kind, subject_id)
    if subject is None:
        raise LookupError(f"no {kind} with a file has this identifier")
    with engine.begin() as connection:
        connection.execute(
            sa.insert(schema.file_views).values(
                subject=subject,
                viewed_at=view.viewed_at,
                viewer=view.viewer,
                purpose=view.purpose,
                channel=view.channel,
            )
        )


def file_views(
    engine: Engine, identities: IdentityStore, kind: SubjectKind, subject_id: str
) -> list[FileView]:
    """Every look at the file, in the order they were logged."""
    subject = identities.key_of(kind, subject_id)
    if subject is None:
        return []
    table = schema.file_views
    query = (
        sa.select(table.c.viewed_at, table.c.viewer, table.c.purpose, table.c.channel)
        .where(table.c.subject == subject)
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        return [FileView(**row._mapping) for row in connection.execute(query)]
