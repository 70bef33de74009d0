"""The one reminder scheduler: sends stored reminders when they fall due, once each.

Cogs add rows with :class:`~bot.db.reminders.ReminderStore` (inside their own transaction),
commit, then call :meth:`Scheduler.wake`. The scheduler sleeps on the bot's clock until the next
reminder is due, claims each due reminder in the database *before* handing it to the handler
registered for its kind, and records the outcome. Claiming first makes delivery at-most-once: a
reminder is never sent twice, even if the bot dies mid-send. A reminder that fell due while the
bot was down is sent at start, unless its ``expires_at`` (e.g. the homework's due date) passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.db.reminders import Reminder, ReminderStore

log = logging.getLogger(__name__)

Handler = Callable[[Reminder], Awaitable[None]]


class Scheduler:
    """Owns the reminder loop. Register handlers in ``cog_load``; the bot starts and stops it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._store: ReminderStore | None = None
        self._handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    def register(self, kind: str, handler: Handler) -> None:
        """Send reminders of ``kind`` with ``handler`` (one handler per kind)."""
        self._handlers[kind] = handler
        self.wake()

    def unregister(self, kind: str) -> None:
        self._handlers.pop(kind, None)

    def wake(self) -> None:
        """Re-read the next due time (call after adding or moving reminders)."""
        self._idle.clear()
        self._wake.set()

    @property
    def store(self) -> ReminderStore:
        if self._store is None:
            raise RuntimeError("the scheduler has not been started")
        return self._store

    async def start(self, store: ReminderStore) -> None:
        """Start sending (the bot calls this once the database is open and the cogs are loaded)."""
        self._store = store
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="studybot-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_idle(self) -> None:
        """Return once everything due now has been handled and the loop sleeps (for tests)."""
        while True:
            await self._idle.wait()
            waiting = await self.store.due(self.clock.now(), kinds=tuple(self._handlers), limit=1)
            if not waiting and not self._wake.is_set():
                return
            self.wake()  # something fell due since the loop last looked: make it take a round

    async def run_due(self) -> int:
        """Handle every reminder due now; returns how many were sent."""
        sent = 0
        while True:
            now = self.clock.now()
            batch = await self.store.due(now, kinds=tuple(self._handlers))
            if not batch:
                return sent
            for reminder in batch:
                sent += await self._handle(reminder)

    async def _handle(self, reminder: Reminder) -> int:
        now = self.clock.now()
        if reminder.expires_at is not None and now >= reminder.expires_at:
            await self.store.claim(reminder.id, now, "expired")
            log.info("Reminder %d (%s) expired unsent", reminder.id, reminder.kind)
            return 0
        if not await self.store.claim(reminder.id, now, "sending"):
            return 0
        try:
            await self._handlers[reminder.kind](reminder)
        except Exception as error:
            log.warning("Reminder %d (%s) failed: %s", reminder.id, reminder.kind, error, exc_info=True)
            await self.store.set_outcome(reminder.id, f"failed: {type(error).__name__}: {error}")
            return 0
        await self.store.set_outcome(reminder.id, "sent")
        self.sent += 1
        return 1

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_due()
                next_due = await self.store.next_due_at(kinds=tuple(self._handlers))
            except Exception:
                log.exception("The reminder scheduler failed a round; trying again in a minute")
                await asyncio.sleep(60)
                continue
            waiters = {asyncio.create_task(self._wake.wait())}
            if next_due is not None:
                waiters.add(asyncio.create_task(self.clock.sleep_until(next_due)))
            if not self._wake.is_set():
                self._idle.set()
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
