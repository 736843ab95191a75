"""The registry's clock: injected, so that nothing in the core, and no test, depends on today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def calendar_day(clock: Clock) -> dt.date:
    """The clock's calendar day, in the machine's local time zone."""
    return clock().astimezone().date()
