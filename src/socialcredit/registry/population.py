"""The population scored today, kept for the operator's overview: scoring a city takes seconds.

Owned by the registry, which invalidates it whenever it changes what the scores depend on
(a publication, a batch, an objection or an answer). Another process's changes are seen through
the latest batch id, and at the latest after POPULATION_CACHE_S.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

POPULATION_CACHE_S = 300

Report = TypeVar("Report")


class PopulationCache(Generic[Report]):
    def __init__(self, max_age_s: float = POPULATION_CACHE_S):
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every change this process makes
        self._entry: tuple[float, Hashable, Report] | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entry = None

    def get(self, as_of: dt.date, stamp: Hashable, score: Callable[[dt.date], Report]) -> Report:
        """The population at `as_of`, scored again unless the one kept was scored for the same
        day, stamp and generation less than the maximum age ago."""
        with self._lock:
            key = (as_of, stamp, self._generation)
            if self._entry and self._entry[0] > time.monotonic() and self._entry[1] == key:
                return self._entry[2]
            report = score(as_of)
            self._entry = (time.monotonic() + self._max_age_s, key, report)
            return report
