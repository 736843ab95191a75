"""Web sessions in the store: append a session, append its end, find a live one by the hash of
its id. Only the SHA-256 of a session id is stored; the id itself lives in the browser's cookie.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store import schema
from socialcredit.store.api_keys import ApiKeyRow, with_revocation


def append_session(
    engine: Engine,
    session_sha256: str,
    key_number: int,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            sa.insert(schema.web_sessions)
            .values(
                session_sha256=session_sha256,
                key_number=key_number,
                created_at=created_at,
                expires_at=expires_at,
            )
            .returning(schema.web_sessions.c.number)
        )
        return int(result.scalar_one())


def end_session(engine: Engine, session_sha256: str, ended_at: dt.datetime) -> None:
    """End the session with this hash, if there is one; ending twice keeps the first end."""
    sessions, ends = schema.web_sessions, schema.web_session_ends
    unended = (
        sa.select(sessions.c.number, sa.literal(ended_at, schema.UTCDateTime()))
        .outerjoin(ends, ends.c.number == sessions.c.number)
        .where(sessions.c.session_sha256 == session_sha256, ends.c.number.is_(None))
    )
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(ends).from_select(["number", "ended_at"], unended))
    except sa.exc.IntegrityError:  # ended meanwhile by another request: it stays ended
        pass


def live_session_key(engine: Engine, session_sha256: str, now: dt.datetime) -> ApiKeyRow | None:
    """The key (with its revocation, if any) of the session with this hash, when the session
    has neither ended nor expired at `now`."""
    sessions, ends = schema.web_sessions, schema.web_session_ends
    query = (
        with_revocation()
        .join(sessions, sessions.c.key_number == schema.api_keys.c.number)
        .outerjoin(ends, ends.c.number == sessions.c.number)
        .where(
            sessions.c.session_sha256 == session_sha256,
            sessions.c.expires_at > now,
            ends.c.number.is_(None),
        )
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return ApiKeyRow(**row._mapping) if row else None
