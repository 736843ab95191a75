"""Web sessions: a browser signed in to the web pages with an API key (SPEC §9).

Signing in makes a random session id (256 bits) that the browser keeps in a cookie; the store
keeps only its SHA-256, the number of the key it signed in with, when it was made and when it
expires. Every request looks the session up with its key, so signing out (a new row that ends
it) and revoking the key both end it at once, in every worker process: nothing about a session
lives in a process's memory, and there is no secret to share between processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from socialcredit.registry.keys import KeyRing, Principal
from socialcredit.store import web_sessions

SESSION_LIFETIME_S = 8 * 60 * 60  # a working day; signing in again is cheap
SESSION_ID_BYTES = 32
SESSION_ID_LENGTH_MAX = 100  # an id is 43 characters; anything far longer is not looked up


@dataclass(frozen=True, slots=True)
class NewSession:
    secret: str  # the session id, for the browser's cookie only
    principal: Principal
    expires_at: dt.datetime


def session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionRing:
    """Starts, resolves and ends web sessions. Used by the web pages."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime], keys: KeyRing):
        self.engine = engine
        self.clock = clock
        self.keys = keys

    def start(self, key: str) -> NewSession | None:
        """A new session for a live key; None for a malformed, unknown or revoked one alike."""
        principal = self.keys.principal(key)
        if principal is None or principal.key_number is None:
            return None
        secret = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self.clock()
        expires_at = now + dt.timedelta(seconds=SESSION_LIFETIME_S)
        web_sessions.append_session(
            self.engine, session_hash(secret), principal.key_number, now, expires_at
        )
        return NewSession(secret, principal, expires_at)

    def principal(self, secret: str) -> Principal | None:
        """Who a live session stands for; None when it is unknown, ended, expired, or its key
        is revoked."""
        if not secret or len(secret) > SESSION_ID_LENGTH_MAX:
            return None
        row = web_sessions.live_session_key(self.engine, session_hash(secret), self.clock())
        return self.keys.live_principal(row) if row else None

    def end(self, secret: str) -> None:
        """Sign out: the session ends now (ending an unknown or ended session does nothing)."""
        if secret and len(secret) <= SESSION_ID_LENGTH_MAX:
            web_sessions.end_session(self.engine, session_hash(secret), self.clock())
