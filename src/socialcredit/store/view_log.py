"""The access log's writes by group commit (issue 16): one transaction for the looks of many
concurrent requests, each request answered only once its own look is durable.

A request hands its rows to `GroupCommitLog.write` and waits. One writer thread per store
takes every row waiting, writes them in one transaction (SQLite's `synchronous = FULL`, or a
PostgreSQL commit) and then wakes each request of the batch; an error wakes them with it, and
none of them is answered as logged. Under load a batch holds as many looks as arrived during
the previous commit, so the store commits far fewer times than it is asked to look.

A check of a subject without a file writes no look, but waits for a commit all the same, and
each commit also counts its checks in `access_log_counts`: a party cannot tell from the time
an answer takes whether the subject has a file (issue 16, defect 9).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store import schema

BATCH_MAX_LOOKS = 2000  # rows of one transaction; more wait for the next


class _Waiting:
    __slots__ = ("checks", "done", "error", "rows")

    def __init__(self, rows: Sequence[Mapping[str, Any]], checks: int):
        self.rows = rows
        self.checks = checks
        self.done = threading.Event()
        self.error: BaseException | None = None


class LogClosed(RuntimeError):
    """The store was closed: no more looks are logged."""


class GroupCommitLog:
    def __init__(self, engine: Engine):
        self._engine = engine
        self._waiting: list[_Waiting] = []
        self._condition = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False
        self.commits = 0  # transactions written, for tests and benchmarks

    def write(self, rows: Sequence[Mapping[str, Any]], checks: int = 0) -> None:
        """Write `rows` (of `file_views`) and count `checks`; return once they are durable.
        Raises what the store raised, or LogClosed."""
        waiting = _Waiting(rows, checks)
        with self._condition:
            if self._closed:
                raise LogClosed("the store is closed")
            self._waiting.append(waiting)
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._run, name="scs-access-log", daemon=True
                )
                self._writer.start()
            self._condition.notify()
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error

    def close(self) -> None:
        """Write what is waiting, then stop the writer."""
        with self._condition:
            self._closed = True
            self._condition.notify()
            writer = self._writer
        if writer is not None:
            writer.join()

    def _take(self) -> list[_Waiting] | None:
        with self._condition:
            while not self._waiting and not self._closed:
                self._condition.wait()
            if not self._waiting:
                return None
            batch, looks = [], 0
            while self._waiting and (
                not batch or looks + len(self._waiting[0].rows) <= BATCH_MAX_LOOKS
            ):
                waiting = self._waiting.pop(0)
                looks += len(waiting.rows)
                batch.append(waiting)
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self._commit(batch)
            except BaseException as error:  # every request of the batch gets it
                for waiting in batch:
                    waiting.error = error
            finally:
                for waiting in batch:
                    waiting.done.set()

    def _commit(self, batch: list[_Waiting]) -> None:
        rows = [row for waiting in batch for row in waiting.rows]
        checks = sum(waiting.checks for waiting in batch)
        counts = schema.access_log_counts
        with self._engine.begin() as connection:
            if rows:
                connection.execute(sa.insert(schema.file_views), rows)
            connection.execute(
                sa.update(counts)
                .where(counts.c.id == 1)
                .values(checks=counts.c.checks + checks, commits=counts.c.commits + 1)
            )
        self.commits += 1
