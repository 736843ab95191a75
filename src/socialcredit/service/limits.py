"""Per-caller rate limits: a token bucket per key (or per client address for public calls).

Each worker process keeps its own buckets, so with N workers a caller may get up to N times
the rate; the limit is there to stop a runaway client, not to meter billing.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

BUCKETS_MAX = 100_000  # forget idle callers past this many, so memory stays bounded


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: int, clock=time.monotonic):
        self.rate = rate_per_second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """Take one token for `caller`: 0 when allowed, else the seconds until one is free."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= BUCKETS_MAX:
                    self._buckets.clear()
                bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
