"""Time, injectable: the bot asks a clock for "now" and to sleep, so tests can drive time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the bot needs of time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return at ``when`` (at once if it has passed)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)


class ManualClock:
    """A clock that moves only when told to (:meth:`advance`), waking the sleepers it passes."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        if when <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (when, next(self._order), future))
        await future

    async def advance(self, delta: timedelta) -> None:
        """Move time forward by ``delta`` and let every sleeper that is now due run."""
        await self.set(self._now + delta)

    async def set(self, moment: datetime) -> None:
        """Move time to ``moment`` (never backwards) and let due sleepers run."""
        if moment < self._now:
            raise ValueError("a ManualClock never goes backwards")
        while self._sleepers and self._sleepers[0][0] <= moment:
            when, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, when)
            if not future.done():
                future.set_result(None)
            for _ in range(5):  # let the woken task and what it awaits run before moving on
                await asyncio.sleep(0)
        self._now = moment

    @property
    def sleepers(self) -> int:
        """How many tasks are waiting on this clock."""
        return sum(1 for _, _, future in self._sleepers if not future.done())


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime (a shorthand for tests and defaults)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


__all__ = ["Clock", "ManualClock", "SystemClock", "utc"]
