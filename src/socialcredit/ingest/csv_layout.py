"""Where the records of a block of CSV end, found the way Python's csv module reads them.

A line feed ends a record unless it lies inside a quoted field. A quote opens a quoted field
only at the start of a field (the start of the block, which is always the start of a record, or
just after a comma or a line end); inside one, two quotes stand for one quote and a single quote
closes it. Anywhere else a quote is an ordinary character (`5" pipe`), so counting quotes is
not enough: one such quote would turn every later line end of the block inside out.

The scan looks at runs of consecutive quotes only, never byte by byte in Python. It assumes
first that every run of odd length toggles the state (plain RFC 4180, the common case, done
with NumPy); a run that would then toggle outside a quoted field without standing at a field's
start proves the assumption wrong, and only then is the state followed run by run.

`plain` says whether Polars reads the block exactly as the csv module does: no quote inside an
unquoted field, nothing between a closing quote and the next comma or line end, no carriage
return standing alone outside quotes (the csv module ends a record there, Polars does not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMMA, QUOTE, CARRIAGE_RETURN, LINE_FEED = (ord(character) for character in ',"\r\n')
FIELD_SEPARATORS = np.array([COMMA, CARRIAGE_RETURN, LINE_FEED], dtype=np.uint8)


@dataclass(frozen=True)
class BlockLayout:
    record_ends: np.ndarray  # offsets of the line feeds that end records, ascending
    open_quote_at: int | None  # offset of a quote still open at the end of the block
    plain: bool

    def records_in(self, size: int) -> int:
        """Records in the block's first `size` bytes, a last one without a line end included."""
        ends = int(np.searchsorted(self.record_ends, size))
        last_end = int(self.record_ends[ends - 1]) + 1 if ends else 0
        return ends + (1 if size > last_end else 0)


def block_layout(block: bytes) -> BlockLayout:
    data = np.frombuffer(block, dtype=np.uint8)
    line_feeds = np.flatnonzero(data == LINE_FEED)
    quotes = np.flatnonzero(data == QUOTE)
    carriage_returns = np.flatnonzero(data == CARRIAGE_RETURN)
    lone_returns = carriage_returns[
        (carriage_returns + 1 >= data.size)
        | (data[np.minimum(carriage_returns + 1, data.size - 1)] != LINE_FEED)
    ]
    if quotes.size == 0:
        return BlockLayout(line_feeds, None, plain=lone_returns.size == 0)

    starts_run = np.ones(quotes.size, dtype=bool)
    starts_run[1:] = np.diff(quotes) != 1
    run_starts = quotes[starts_run]
    run_lengths = np.diff(np.append(np.flatnonzero(starts_run), quotes.size))
    odd = run_lengths % 2 == 1
    at_field_start = np.ones(run_starts.size, dtype=bool)
    preceded = run_starts > 0
    at_field_start[preceded] = np.isin(data[run_starts[preceded] - 1], FIELD_SEPARATORS)

    inside_before = (np.cumsum(odd) - odd) % 2 == 1
    if np.any(~inside_before & ~at_field_start & odd):
        inside_before = _inside_before_run_by_run(at_field_start, odd)
    toggles = (inside_before | at_field_start) & odd
    inside_after = inside_before ^ toggles

    stray = ~inside_before & ~at_field_start
    closing = (inside_before | at_field_start) & ~inside_after
    run_ends = run_starts + run_lengths
    closed_badly = closing & (run_ends < data.size)
    closed_badly[closed_badly] = ~np.isin(data[run_ends[closed_badly]], FIELD_SEPARATORS)

    record_ends = line_feeds[~_inside_at(line_feeds, run_starts, inside_after)]
    plain = not (
        stray.any()
        or closed_badly.any()
        or (~_inside_at(lone_returns, run_starts, inside_after)).any()
    )
    open_quote_at = None
    if inside_after[-1]:
        opened = np.flatnonzero(~inside_before & inside_after)
        open_quote_at = int(run_starts[opened[-1]])
    return BlockLayout(record_ends, open_quote_at, plain)


def _inside_at(offsets: np.ndarray, run_starts: np.ndarray, inside_after: np.ndarray) -> np.ndarray:
    """Whether each offset (never a quote) lies inside a quoted field."""
    runs_before = np.searchsorted(run_starts, offsets)
    return np.where(runs_before > 0, inside_after[np.maximum(runs_before - 1, 0)], False)


def _inside_before_run_by_run(at_field_start: np.ndarray, odd: np.ndarray) -> np.ndarray:
    """The state before each run, followed one run at a time (blocks with stray quotes)."""
    states = []
    inside = False
    for field_start, odd_run in zip(at_field_start.tolist(), odd.tolist()):
        states.append(inside)
        if (inside or field_start) and odd_run:
            inside = not inside
    return np.array(states, dtype=bool)
