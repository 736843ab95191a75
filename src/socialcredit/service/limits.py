"""Per-caller rate limits: a token bucket per key, at the key's own rate; per client address
for callers without one (public calls, unknown keys, sign-in attempts).

Each worker process keeps its own buckets, so with N workers a caller may get up to N times
the rate; the limit is there to stop a runaway client, not to meter billing.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from socialcredit.service.settings import REQUEST_BURST_MIN, ServiceSettings

BUCKETS_MAX = 100_000  # forget idle callers past this many, so memory stays bounded


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets, one per caller. The rate and burst are the limiter's unless a call names
    the caller's own (a key's rate, `registry/keys.py`)."""

    def __init__(self, rate_per_second: float, burst: int, clock=time.monotonic):
        self.rate = rate_per_second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str, rate: float | None = None, burst: int | None = None) -> float:
        """Take one token for `caller`: 0 when allowed, else the seconds until one is free."""
        rate = self.rate if rate is None else rate
        burst = self.burst if burst is None else burst
        if rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= BUCKETS_MAX:
                    self._buckets.clear()
                bucket = self._buckets[caller] = _Bucket(float(burst), now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / rate


def burst_for(rate: float, minimum: int) -> int:
    """A bucket's size for a rate: two seconds of it, and at least `minimum`."""
    return max(minimum, math.ceil(rate * 2))


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class ServiceLimits:
    """Every limit of one app (README: "Limits"): per key at the key's rate (or the rate the
    settings give every key), and per client address for public calls, for requests with an
    unknown key, and for sign-in attempts."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.keys = RateLimiter(settings.requests_per_second_per_key or 0, REQUEST_BURST_MIN)
        self.public = RateLimiter(
            settings.public_requests_per_second_per_address,
            settings.public_request_burst_per_address,
        )
        self.unknown_keys = RateLimiter(
            settings.unknown_key_requests_per_second_per_address,
            settings.unknown_key_request_burst_per_address,
        )
        self.sign_ins = RateLimiter(
            settings.sign_in_attempts_per_second_per_address,
            settings.sign_in_attempt_burst_per_address,
        )

    def take_for_key(self, key_number: int | None, role: str, key_rate: int | None) -> float:
        """One request of a key: 0 when allowed, else the seconds to wait."""
        rate = self.settings.requests_per_second_per_key
        if rate is None:
            rate = key_rate if key_rate is not None else 0
        if rate <= 0:
            return 0.0
        burst = self.settings.request_burst_per_key or burst_for(rate, REQUEST_BURST_MIN)
        return self.keys.take(f"key:{key_number}:{role}", rate, burst)
