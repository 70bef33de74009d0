"""Delivering a request's state changes to its submitter, throttled and in order.

Updates coalesce (the newest wins) and are delivered at most once every ``MIN_INTERVAL_S``, one
at a time, so a status message edited in Discord never trips a rate limit and never shows an
older state after a newer one. :meth:`Notifier.close` drops what is pending and waits for a
delivery in progress, so the caller's final edit always comes last.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time

from bot.inference.backend import JobUpdate, UpdateCallback

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 2.0


class Notifier:
    """One request's update channel."""

    def __init__(self, callback: UpdateCallback | None, min_interval_s: float = MIN_INTERVAL_S) -> None:
        self._callback = callback
        self._min_interval_s = min_interval_s
        self.last: JobUpdate | None = None
        self.delivered: list[JobUpdate] = []
        self._pending: JobUpdate | None = None
        self._task: asyncio.Task[None] | None = None
        self._delivering = False
        self._last_sent = float("-inf")
        self._closed = False

    def update(self, update: JobUpdate) -> None:
        """Record a new state; deliver it when the interval allows (never blocks)."""
        if self._closed or update == self.last:
            return
        self.last = update
        if self._callback is None:
            return
        self._pending = update
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver(), name="pool-notify")

    async def _deliver(self) -> None:
        assert self._callback is not None
        while self._pending is not None and not self._closed:
            wait = self._last_sent + self._min_interval_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            update, self._pending = self._pending, None
            self._delivering = True
            try:
                result = self._callback(update)
                if inspect.isawaitable(result):
                    await result
                self.delivered.append(update)
            except Exception:
                log.warning("A status update could not be delivered", exc_info=True)
            finally:
                self._delivering = False
                self._last_sent = time.monotonic()

    async def close(self) -> None:
        """Stop: pending updates are dropped; a delivery in progress is waited for."""
        self._closed = True
        self._pending = None
        task = self._task
        if task is None or task.done():
            return
        if not self._delivering:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
