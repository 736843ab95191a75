"""Verified keys are remembered in memory for at most a second (issue 16), revocation
included: a key revoked elsewhere stops working within the second, one revoked through the
same ring at once. On both stores."""

from __future__ import annotations

from socialcredit.registry import Registry
from socialcredit.registry.keys import VERIFIED_KEY_TTL_S, KeyRing
from socialcredit.store.store import Store
from tests.conftest import fixed_clock


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ring(store: Store, ticks: Ticks) -> KeyRing:
    return KeyRing(store.engine, store.identities, fixed_clock, set, ticks)


def test_a_key_revoked_elsewhere_stops_working_within_a_second(store: Store) -> None:
    ticks = Ticks()
    server, office = ring(store, ticks), ring(store, ticks)  # two processes on one store
    key = office.create("party", "civil-aviation")
    principal = server.principal(key.secret)
    assert principal is not None and principal.key_number == key.number
    office.revoke(key.number)
    ticks.now += VERIFIED_KEY_TTL_S / 2
    assert server.principal(key.secret) == principal  # remembered, not read again
    ticks.now += VERIFIED_KEY_TTL_S / 2
    assert server.principal(key.secret) is None  # a second after it was read: gone
    ticks.now += 10 * VERIFIED_KEY_TTL_S
    assert server.principal(key.secret) is None  # and stays gone
    assert VERIFIED_KEY_TTL_S <= 1.0


def test_a_key_revoked_through_the_same_ring_stops_at_once(store: Store) -> None:
    registry = Registry(store, clock=fixed_clock)
    key = registry.keys.create("operator", None)
    assert registry.keys.principal(key.secret) is not None
    registry.keys.revoke(key.number)
    assert registry.keys.principal(key.secret) is None


def test_an_unknown_key_is_not_remembered(store: Store) -> None:
    ticks = Ticks()
    server, office = ring(store, ticks), ring(store, ticks)
    key = office.create("operator", None)
    office.revoke(key.number)
    assert server.principal(key.secret) is None
    fresh = office.create("operator", None)
    assert server.principal(fresh.secret) is not None  # read at once, not a second later
