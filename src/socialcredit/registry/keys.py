"""API keys (SPEC §8): who may call the HTTP API, as whom.

A key looks like GitHub's tokens: a readable prefix naming its role, an underscore, 30 random
base-62 characters and a 6-character CRC-32 checksum of what precedes it, e.g.
`scs_src_` + 36 characters. The prefix tells a person (and a secret scanner) what leaked; the
checksum rejects a mistyped or made-up key without a look in the store. Only the SHA-256 of a
key is stored: 178 random bits need no slow password hash, and the hash is what is looked up.

Whoever a key belongs to is a `Principal`. Keys are one way to get one; an identity provider
(OpenID Connect, for subjects signing in with a national eID) would be another that yields
the same `Principal`, so nothing that checks permissions needs to change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, get_args

import polars as pl
from sqlalchemy.engine import Engine

from socialcredit.domain.identifiers import (
    SUBJECT_KINDS,
    identifier_problem,
    normalize_identifier,
    subject_identifier_problem,
)
from socialcredit.domain.text import control_character_problem, shown
from socialcredit.store import api_keys
from socialcredit.store.api_keys import ApiKeyRow
from socialcredit.store.identities import IdentityStore

Role = Literal["operator", "source", "subject", "party"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_PREFIXES: dict[Role, str] = {
    "operator": "scs_op_",
    "source": "scs_src_",
    "subject": "scs_sub_",
    "party": "scs_pty_",
}
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_CHARACTERS = 30  # 30 × log2(62) ≈ 178 bits
CHECKSUM_CHARACTERS = 6  # 62^6 > 2^32: a CRC-32 always fits
DISPLAY_RANDOM_CHARACTERS = 4  # shown by `scs keys list` after the prefix
WHO_MAX_CHARS = 200  # a source's code, a party's name
# A subject's key names its subject by the identity store's key (SPEC §7.5: the main store
# names nobody); the identifier is looked up when the key is used or listed.
SUBJECT_WHO_PREFIX = "subject:"
# The viewer a subject's own looks at its file are logged under (the API and the web pages).
RESERVED_VIEWERS = ("subject",)
# Requests per second a key may make unless `scs keys create --rate` says otherwise (README:
# "Limits"). A relying party checks at the moment of a sale: a national ticket office's peak
# (about 1,500 tickets a second) with room to spare. A source submits batches, a subject reads
# its own file, an operator works by hand or by script.
DEFAULT_RATES: dict[Role, int] = {"party": 5000, "operator": 50, "source": 20, "subject": 5}
RATE_MAX = 1_000_000
# A verified key is remembered this long: a check then costs no look in the store for its key.
# A key revoked elsewhere (another process, `scs keys revoke`) stops working within this time;
# one revoked through this ring stops at once.
VERIFIED_KEY_TTL_S = 1.0
VERIFIED_KEYS_MAX = 10_000  # forgotten all at once past this many, so memory stays bounded
KEY_PATTERN = re.compile(
    r"^(scs_(?:op|src|sub|pty)_)([0-9A-Za-z]{%d})([0-9A-Za-z]{%d})$"
    % (RANDOM_CHARACTERS, CHECKSUM_CHARACTERS)
)


class KeyRefused(ValueError):
    """A key cannot be made or revoked as asked; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a role and whom it stands for (a source code, an identifier, a party's
    name; None for the operator). `key_number` is None when no API key was used."""

    role: Role
    who: str | None
    key_number: int | None = None
    rate: int | None = None  # requests per second this principal may make; None: no own rate

    @property
    def label(self) -> str:
        """Safe to log: never a subject's identifier."""
        if self.key_number is not None:
            return f"key {self.key_number} ({self.role})"
        return self.role


@dataclass(frozen=True, slots=True)
class NewKey:
    number: int
    secret: str  # shown this once


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(text: str) -> str:
    return _base62(zlib.crc32(text.encode()), CHECKSUM_CHARACTERS)


def new_secret(role: Role) -> str:
    body = ROLE_PREFIXES[role] + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARACTERS))
    return body + _checksum(body)


def well_formed(secret: str) -> bool:
    """The key has a known prefix, the right length and a matching checksum."""
    match = KEY_PATTERN.match(secret)
    if match is None:
        return False
    prefix, random_part, checksum = match.groups()
    return hmac.compare_digest(_checksum(prefix + random_part), checksum)


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_not_a_subject(role: str, who: str) -> None:
    """Keys of one role name only what that role may name: the name of an operator (an office,
    a person), a source or a party is the viewer its reads are logged under, so it may not be a
    subject's identifier (the main store names no subject, SPEC §7.5, and the subject would
    read the look as its own) nor the word a subject's own looks are logged under."""
    if who.strip().casefold() in RESERVED_VIEWERS:
        raise KeyRefused(
            f"--for {who!r}: the access log gives this name to a subject reading its own file; "
            f"a {role} key needs another"
        )
    identifier = normalize_identifier(who)
    if any(identifier_problem(kind, identifier) is None for kind in SUBJECT_KINDS):
        raise KeyRefused(
            f"--for of a {role} key names the {role}, not a subject: {shown(who)} is a subject's "
            "identifier"
        )


class KeyRing:
    """Makes, lists, revokes and resolves API keys. Used by `scs keys` and by the service.

    Given what it works with: the main store's engine (the key tables, `store/api_keys.py`),
    the identity store (a subject's key names its subject by key), the clock, and the source
    codes of the catalogue in force."""

    def __init__(
        self,
        engine: Engine,
        identities: IdentityStore,
        clock: Callable[[], dt.datetime],
        source_codes: Callable[[], set[str]],
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.engine = engine
        self.identities = identities
        self.clock = clock
        self.source_codes = source_codes
        self.monotonic = monotonic
        # SHA-256 of a live key → (when it must be read again, its principal). Only live keys:
        # an unknown one is read each time (and limited per address by the service).
        self._verified: dict[str, tuple[float, Principal]] = {}

    def create(self, role: str, who: str | None, rate: int | None = None) -> NewKey:
        """A new key for `role` and `who`, making at most `rate` requests per second (default:
        the role's, `DEFAULT_RATES`)."""
        if role not in ROLES:
            raise KeyRefused(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if rate is None:
            rate = DEFAULT_RATES[role]  # type: ignore[index]
        elif not 1 <= rate <= RATE_MAX:
            raise KeyRefused(f"--rate must be between 1 and {RATE_MAX} requests per second")
        who = self._checked_who(role, (who or "").strip() or None)
        secret = new_secret(role)  # type: ignore[arg-type]
        shown_characters = len(ROLE_PREFIXES[role]) + DISPLAY_RANDOM_CHARACTERS  # type: ignore[index]
        display = secret[:shown_characters] + "…"
        number = api_keys.append_key(
            self.engine, role, who, display, key_hash(secret), self.clock(), rate
        )
        return NewKey(number, secret)

    def _checked_who(self, role: str, who: str | None) -> str | None:
        if who is None:
            if role == "operator":
                return None
            raise KeyRefused(f"a {role} key needs --for WHO")
        if len(who) > WHO_MAX_CHARS:
            raise KeyRefused(f"--for is longer than {WHO_MAX_CHARS} characters")
        problem = control_character_problem(who, "--for")
        if problem is not None:
            raise KeyRefused(problem)
        if role != "subject":
            _check_not_a_subject(role, who)
        if role == "subject":
            identifier = normalize_identifier(who)
            problem = subject_identifier_problem(identifier)
            if problem is not None:
                raise KeyRefused(problem)
            kind = next(k for k in SUBJECT_KINDS if identifier_problem(k, identifier) is None)
            return SUBJECT_WHO_PREFIX + str(self._subject_key(kind, identifier))
        if role == "source":
            known = self.source_codes()
            if known and who not in known:
                raise KeyRefused(
                    f"unknown source {who!r}; declared sources: {', '.join(sorted(known))}"
                )
        return who

    def _subject_key(self, kind: str, identifier: str) -> int:
        """The identity store's key of a subject, made now when it has none yet (an identity
        that no record uses, which the identity store allows)."""
        with self.identities.writer() as writer:
            keys = writer.subject_keys(pl.Series([kind]), pl.Series([identifier]))
        found = keys.filter((pl.col("kind") == kind) & (pl.col("identifier") == identifier))
        return int(found["subject"][0])

    def _named(self, row: ApiKeyRow) -> ApiKeyRow:
        """The row with a subject's key replaced by its identifier, for whoever uses the key."""
        if row.role != "subject" or not (row.who or "").startswith(SUBJECT_WHO_PREFIX):
            return row
        key = int(row.who.removeprefix(SUBJECT_WHO_PREFIX))  # type: ignore[union-attr]
        identity = self.identities.identities_of([key]).get(key)
        return replace(row, who=identity[1] if identity else None)

    def list(self) -> list[ApiKeyRow]:
        return [self._named(row) for row in api_keys.all_keys(self.engine)]

    def revoke(self, number: int) -> ApiKeyRow:
        row = api_keys.revoke_key(self.engine, number, self.clock())
        if row is None:
            raise KeyRefused(f"there is no key {number}")
        self._verified.pop(row.key_sha256, None)
        return self._named(row)

    def principal(self, secret: str) -> Principal | None:
        """The principal of a live key; None for a malformed, unknown or revoked one alike."""
        if not well_formed(secret):
            return None
        digest = key_hash(secret)
        now = self.monotonic()
        remembered = self._verified.get(digest)
        if remembered is not None and now < remembered[0]:
            return remembered[1]
        row = api_keys.key_by_hash(self.engine, digest)
        # The lookup is by an index on the hash; comparing in constant time as well costs
        # nothing and keeps any timing of the comparison from saying how much matched.
        if row is None or not hmac.compare_digest(row.key_sha256, digest):
            self._verified.pop(digest, None)
            return None
        principal = self.live_principal(row)
        if principal is None:
            self._verified.pop(digest, None)
        else:
            if len(self._verified) >= VERIFIED_KEYS_MAX:
                self._verified.clear()
            self._verified[digest] = (now + VERIFIED_KEY_TTL_S, principal)
        return principal

    def live_principal(self, row: ApiKeyRow) -> Principal | None:
        """The principal of a key's row; None when it is revoked or names nobody any more."""
        if row.revoked_at:
            return None
        row = self._named(row)
        if row.role == "subject" and row.who is None:  # its identity is missing: no one to be
            return None
        rate = row.rate if row.rate is not None else DEFAULT_RATES[row.role]  # type: ignore[index]
        return Principal(row.role, row.who, row.number, rate)  # type: ignore[arg-type]
