"""API keys in the store: append a key, append a revocation, find a key by the hash of its secret.

Only the SHA-256 of a key's secret is stored; the secret itself is shown once, by whoever made it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store import schema


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    number: int
    role: str
    who: str | None
    display: str
    key_sha256: str
    created_at: dt.datetime
    rate: int | None  # requests per second; None: the role's default
    revoked_at: dt.datetime | None


def with_revocation() -> sa.Select:
    keys, revocations = schema.api_keys, schema.api_key_revocations
    return sa.select(keys, revocations.c.revoked_at).outerjoin(
        revocations, revocations.c.number == keys.c.number
    )


def append_key(
    engine: Engine,
    role: str,
    who: str | None,
    display: str,
    key_sha256: str,
    created_at: dt.datetime,
    rate: int | None = None,
) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            sa.insert(schema.api_keys)
            .values(
                role=role,
                who=who,
                display=display,
                key_sha256=key_sha256,
                created_at=created_at,
                rate=rate,
            )
            .returning(schema.api_keys.c.number)
        )
        return int(result.scalar_one())


def revoke_key(engine: Engine, number: int, revoked_at: dt.datetime) -> ApiKeyRow | None:
    """Revoke key `number`; None when there is no such key. Revoking twice keeps the first time."""
    with engine.begin() as connection:
        row = connection.execute(
            with_revocation().where(schema.api_keys.c.number == number)
        ).first()
        if row is None:
            return None
        if row.revoked_at is None:
            connection.execute(
                sa.insert(schema.api_key_revocations).values(number=number, revoked_at=revoked_at)
            )
    return key_by_number(engine, number)


def key_by_number(engine: Engine, number: int) -> ApiKeyRow | None:
    with engine.connect() as connection:
        row = connection.execute(
            with_revocation().where(schema.api_keys.c.number == number)
        ).first()
    return ApiKeyRow(**row._mapping) if row else None


def key_by_hash(engine: Engine, key_sha256: str) -> ApiKeyRow | None:
    with engine.connect() as connection:
        row = connection.execute(
            with_revocation().where(schema.api_keys.c.key_sha256 == key_sha256)
        ).first()
    return ApiKeyRow(**row._mapping) if row else None


def all_keys(engine: Engine) -> list[ApiKeyRow]:
    with engine.connect() as connection:
        rows = connection.execute(with_revocation().order_by(schema.api_keys.c.number))
        return [ApiKeyRow(**row._mapping) for row in rows]
