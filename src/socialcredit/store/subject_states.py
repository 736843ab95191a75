"""Each file's state (`domain/subject_state.py`) kept in the store, by subject key (issue 16).

A row per subject: its state (score, tier, lists, catalogue version, the days it holds), the
number of catalogue versions it was computed with (`rulebook`), whether it is `valid`, and a
`generation` that every change to the subject's inputs increases. A check reads the row; when
it is not valid for the asked day it computes the state and writes it only if the generation
it read first is still the row's, so a state computed from inputs that changed meanwhile is
never kept:
1. read the row (none: insert an invalid one, so that a change committed later must touch it);
2. read the records and objections, compute;
3. `UPDATE … WHERE generation = <read in 1>`.
A change (`invalidate`) increases the generation and clears `valid` in the transaction of the
change itself: an ingest (every subject of its records), an objection filed or upheld, a repair
(`Registry.subject_changed`). On PostgreSQL it first locks the table against writes, so that no
row of step 1 can be inserted between its statement and its commit. A publication touches no
row: a state computed with fewer catalogue versions than the registry knows is not valid.

The table names subjects by key only (SPEC §7.5) and is a cache: rows are updated in place,
and deleting them all loses nothing but time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.subject_state import SubjectState
from socialcredit.store import schema

LIST_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class StoredState:
    generation: int
    rulebook: int | None  # catalogue versions known when it was computed
    state: SubjectState | None  # None: not valid


def _state(row: sa.Row) -> SubjectState | None:
    if not row.valid:
        return None
    return SubjectState(
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        score=row.score,
        tier=row.tier or "",
        lists=tuple(row.lists.split(LIST_SEPARATOR)) if row.lists else (),
        catalogue_version=row.catalogue_version,
    )


_READ_ONE = sa.select(schema.subject_states).where(
    schema.subject_states.c.subject == sa.bindparam("key")
)


def read(engine: Engine, keys: list[int]) -> dict[int, StoredState]:
    """The stored states of these subject keys (absent: no row yet)."""
    table = schema.subject_states
    with engine.connect() as connection:
        if len(keys) == 1:  # nearly always: one statement, compiled once
            rows = connection.execute(_READ_ONE, {"key": keys[0]}).all()
        else:
            rows = connection.execute(sa.select(table).where(table.c.subject.in_(keys))).all()
    return {row.subject: StoredState(row.generation, row.rulebook, _state(row)) for row in rows}


def ensure(engine: Engine, keys: list[int]) -> dict[int, StoredState]:
    """Step 1 for subjects with no row: insert an invalid one (generation 0) unless another
    process did; then the rows as they are."""
    with engine.begin() as connection:
        insert = _insert(connection).values(
            [{"subject": key, "generation": 0, "valid": False} for key in keys]
        )
        connection.execute(insert.on_conflict_do_nothing(index_elements=["subject"]))
    return read(engine, keys)


def write(engine: Engine, key: int, generation: int, rulebook: int, state: SubjectState) -> bool:
    """Step 3: keep `state` unless the subject changed since `generation` was read."""
    table = schema.subject_states
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(table)
            .where(table.c.subject == key, table.c.generation == generation)
            .values(
                valid=True,
                rulebook=rulebook,
                valid_from=state.valid_from,
                valid_until=state.valid_until,
                score=state.score,
                tier=state.tier,
                lists=LIST_SEPARATOR.join(state.lists),
                catalogue_version=state.catalogue_version,
            )
        )
        return result.rowcount == 1


def invalidate(connection: Connection, keys: Iterable[int]) -> None:
    """In the transaction of a change: these subjects' states are no longer valid."""
    keys = sorted(set(keys))
    if not keys:
        return
    _lock(connection)
    table = schema.subject_states
    connection.execute(
        sa.update(table)
        .where(table.c.subject.in_(sa.bindparam("keys", expanding=True)))
        .values(generation=table.c.generation + 1, valid=False),
        {"keys": keys},
    )


def invalidate_record(connection: Connection, source: str, record_id: str) -> None:
    """In the transaction of a change to one record (an objection filed or answered): the
    state of the subject it names is no longer valid."""
    _lock(connection)
    table, records = schema.subject_states, schema.records
    named = sa.select(records.c.subject).where(
        records.c.source == source, records.c.record_id == record_id
    )
    connection.execute(
        sa.update(table)
        .where(table.c.subject.in_(named.scalar_subquery()))
        .values(generation=table.c.generation + 1, valid=False)
    )


def invalidate_sql(dialect: str) -> list[str]:
    """The same for a DB-API cursor of an ingest (`store/ingest_sessions.py`): the statements
    to run, the last with one parameter, the subjects' keys as a JSON array."""
    table = "subject_states"
    if dialect == "postgresql":
        return [
            f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE",
            f"UPDATE {table} SET generation = generation + 1, valid = false WHERE subject IN "
            "(SELECT value::bigint FROM jsonb_array_elements_text($1::jsonb))",
        ]
    return [
        f"UPDATE {table} SET generation = generation + 1, valid = 0 WHERE subject IN "
        "(SELECT value FROM json_each(?))"
    ]


def keys_json(keys: Iterable[int]) -> str:
    return orjson.dumps(sorted(set(keys))).decode()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("LOCK TABLE subject_states IN SHARE ROW EXCLUSIVE MODE"))


def _insert(connection: Connection):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(schema.subject_states)
