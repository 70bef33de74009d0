"""The one reminder scheduler: sends stored reminders when they fall due, once each as members see it.

Cogs add rows with :class:`~bot.db.reminders.ReminderStore` (inside their own transaction),
commit, then call :meth:`Scheduler.wake`. The scheduler sleeps on the bot's clock until the next
reminder is due and hands it to the handler registered for its kind.

Delivery is **at least once, made idempotent**, so that each reminder shows up once:

- Before a handler runs, the attempt is *claimed* in the database and committed (attempt count,
  ``outcome = 'sending'``, and a nonce chosen once per reminder). Only a handler that returns
  marks the reminder ``sent``. A handler that raises (Discord answering 500 for a minute, a
  timeout) leaves it pending with a ``retry_at``: the next attempt waits 15 s, then twice as long
  each time, at most 30 minutes (:func:`retry_delay`). A bot killed mid-send leaves it
  ``sending``; the next start (:meth:`Scheduler.start`) makes every such reminder due at once.
- A retry must not post a second copy of a message that the interrupted attempt *did* get posted
  (Discord stored it, and the answer was lost). Discord has no lasting idempotency key for
  messages: a ``nonce`` with ``enforce_nonce`` makes Discord return the earlier message instead
  of creating a new one only for a few minutes, while a restart or an outage can take longer.
  So the senders (:mod:`bot.reminder_posts`) do both: every post carries the reminder's nonce
  (discord.py sends ``enforce_nonce`` with it, which also covers discord.py's own quick re-sends
  after a 500), and carries a marker we control — ``ref <nonce>`` at the end of the embed footer.
  From the second attempt on, a sender first reads the destination's recent messages and, if it
  finds one of the bot's own with that marker, counts the reminder as sent instead of posting.
  Storing the nonce rather than the message id is what makes this work: the id is known only
  once Discord answers, which is the very answer that was lost.
- Retries stop at a deadline (:func:`deadline`): the reminder's ``expires_at`` (the homework's
  due date, the session's start), or :data:`LATEST` after its due time when it has none. A
  reminder never tried by then is ``expired`` (the bot was down); one tried and not delivered by
  then is ``dropped``, with one WARNING line.

Handlers run one at a time, each within :data:`HANDLER_TIMEOUT_S` (a timed-out attempt is retried
like a failed one, and its retry looks for the marker first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import discord

from bot.clock import Clock
from bot.db.faults import classify
from bot.db.reminders import Reminder, ReminderStore
from bot.errors import fault_log

log = logging.getLogger(__name__)

Handler = Callable[[Reminder], Awaitable[None]]

#: The wait before the second attempt; each later wait doubles, up to :data:`RETRY_MAX`.
RETRY_FIRST = timedelta(seconds=15)
RETRY_MAX = timedelta(minutes=30)
#: How late a reminder without an ``expires_at`` may still go out.
LATEST = timedelta(hours=6)
#: One attempt may take this long (discord.py alone retries a 500 for about 25 s).
HANDLER_TIMEOUT_S = 120.0


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th attempt failed: 15 s, 30 s, 1 min … 30 min."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def deadline(reminder: Reminder) -> datetime:
    """The moment from which a reminder is no longer sent (nor retried)."""
    return reminder.expires_at if reminder.expires_at is not None else reminder.due_at + LATEST


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {HANDLER_TIMEOUT_S:.0f} s"
    return f"{type(error).__name__}: {error}"


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
        """Send reminders of ``kind`` with ``handler`` (one handler per kind).

        A handler posts the reminder with :func:`bot.reminder_posts.post_reminder` and raises if
        it could not: the reminder is then retried. Returning counts it as sent (also when the
        handler decides there is nothing to send, e.g. the homework was closed).
        """
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

    async def start(self, store: ReminderStore, ready: Callable[[], Awaitable[object]] | None = None) -> None:
        """Start sending (the bot calls this once the database is open and the cogs are loaded).

        Nothing is written here (a read-only database must still start): the loop first waits for
        ``ready`` (e.g. ``bot.wait_until_ready``, so that handlers find the servers and channels in
        discord.py's cache), then makes the reminders a previous process was sending when it
        stopped due at once; they are checked against what was already posted before anything is
        sent again.
        """
        self._store = store
        if self._task is None:
            self._task = asyncio.create_task(self._run(ready), name="studybot-scheduler")

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
        last = deadline(reminder)
        if now >= last:
            await self._give_up(reminder, now, last)
            return 0
        claimed = await self.store.claim(reminder.id, now, now + retry_delay(reminder.attempts + 1))
        if claimed is None:
            return 0
        try:
            async with asyncio.timeout(HANDLER_TIMEOUT_S):
                await self._handlers[claimed.kind](claimed)
        except Exception as error:
            await self._failed(claimed, error, last)
            return 0
        await self.store.set_outcome(claimed.id, "sent", self.clock.now())
        if claimed.attempts > 1:
            log.info("Reminder %d (%s) delivered on attempt %d", claimed.id, claimed.kind, claimed.attempts)
        self.sent += 1
        return 1

    async def _give_up(self, reminder: Reminder, now: datetime, last: datetime) -> None:
        if reminder.attempts == 0:
            await self.store.set_outcome(reminder.id, "expired", now)
            log.info("Reminder %d (%s) expired unsent", reminder.id, reminder.kind)
            return
        if await self.store.set_outcome(reminder.id, "dropped: past its deadline", now):
            log.warning(
                "Reminder %d (%s) dropped: not delivered by its deadline %s after %d attempt(s)",
                reminder.id,
                reminder.kind,
                last.isoformat(),
                reminder.attempts,
            )

    async def _failed(self, reminder: Reminder, error: Exception, last: datetime) -> None:
        now = self.clock.now()
        retry_at = now + retry_delay(reminder.attempts)
        reason = _describe(error)
        # A Discord error or a timeout is the outage this retries through; anything else is a bug
        # in a handler, logged with its traceback.
        trace = not isinstance(error, discord.HTTPException | TimeoutError)
        if retry_at >= last:
            if await self.store.set_outcome(reminder.id, f"dropped: {reason}", now):
                log.warning(
                    "Reminder %d (%s) dropped after %d attempt(s): %s; the next try would be past "
                    "its deadline %s",
                    reminder.id,
                    reminder.kind,
                    reminder.attempts,
                    reason,
                    last.isoformat(),
                    exc_info=trace,
                )
            return
        await self.store.retry_later(reminder.id, retry_at, f"failed: {reason}")
        log.warning(
            "Reminder %d (%s) attempt %d failed: %s; trying again at %s",
            reminder.id,
            reminder.kind,
            reminder.attempts,
            reason,
            retry_at.isoformat(),
            exc_info=trace,
        )

    async def _resume_interrupted(self) -> None:
        interrupted = await self.store.resume_interrupted(self.clock.now())
        if interrupted:
            log.info(
                "%d reminder(s) were being sent when the bot last stopped (%s): checking what was "
                "posted and retrying",
                len(interrupted),
                ", ".join(map(str, interrupted)),
            )

    async def _run(self, ready: Callable[[], Awaitable[object]] | None) -> None:
        if ready is not None:
            await ready()
        resumed = False
        while True:
            self._wake.clear()
            try:
                if not resumed:
                    await self._resume_interrupted()
                    resumed = True
                await self.run_due()
                next_due = await self.store.next_due_at(kinds=tuple(self._handlers))
            except Exception as error:
                fault = classify(error)
                if fault is None:
                    log.exception("The reminder scheduler failed a round; trying again in a minute")
                else:  # the database refuses writes: said once per kind, not every minute
                    fault_log.note(fault, "the reminder scheduler")
                await asyncio.sleep(60)
                continue
            waiters: set[asyncio.Task[object]] = {asyncio.create_task(self._wake.wait())}
            if next_due is not None:
                waiters.add(asyncio.create_task(self.clock.sleep_until(next_due)))
            if not self._wake.is_set():
                self._idle.set()
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
