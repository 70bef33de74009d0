"""The one reminder scheduler: on time by the injected clock, once each, across restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.db import apply_migrations, open_database
from bot.db.migrations import load_migrations
from bot.db.reminders import Reminder, ReminderStore
from bot.local.session import LocalSession
from bot.settings import Settings

START = utc(2030, 3, 1, 12, 0)


async def test_reminders_fire_on_time_once_and_survive_a_restart(settings: Settings) -> None:
    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        sent: list[int] = []

        async def handler(reminder: Reminder) -> None:
            sent.append(reminder.target_id or 0)

        assert session.bot is not None
        bot = session.bot
        store = ReminderStore(bot.db)
        guild = session.double.world.guild_id
        await store.add(guild, "test.kind", START + timedelta(hours=1), target_id=1, dedupe_key="one")
        assert not await store.add(
            guild, "test.kind", START + timedelta(hours=5), target_id=1, dedupe_key="one"
        )
        await store.add(
            guild, "test.kind", START + timedelta(hours=2), target_id=2, expires_at=START + timedelta(hours=3)
        )
        await store.add(
            guild,
            "test.kind",
            START + timedelta(hours=4),
            target_id=3,
            expires_at=START + timedelta(hours=4, minutes=30),
        )
        await bot.db.commit()
        bot.scheduler.register("test.kind", handler)
        await bot.scheduler.wait_idle()
        assert sent == []

        await clock.advance(timedelta(hours=1, minutes=1))
        await bot.scheduler.wait_idle()
        assert sent == [1]

        # The bot is down from 13:01 to 14:30: reminder 2 fell due at 14:00 and is still
        # before its expiry at 15:00, so the next start sends it (once).
        await session.restart()
        bot = session.bot
        assert bot is not None
        await clock.advance(timedelta(hours=1, minutes=29))
        bot.scheduler.register("test.kind", handler)
        await bot.scheduler.wait_idle()
        assert sent == [1, 2]

        # Down again past reminder 3's expiry: it is never sent.
        await session.restart()
        bot = session.bot
        assert bot is not None
        await clock.advance(timedelta(hours=3))
        bot.scheduler.register("test.kind", handler)
        await bot.scheduler.wait_idle()
        assert sent == [1, 2]
        async with bot.db.execute("SELECT target_id, outcome FROM reminders ORDER BY target_id") as cursor:
            outcomes = [tuple(row) for row in await cursor.fetchall()]
        assert outcomes == [(1, "sent"), (2, "sent"), (3, "expired")]


async def _rows(bot: object, query: str) -> list[tuple[object, ...]]:
    async with bot.db.execute(query) as cursor:  # type: ignore[attr-defined]
        return [tuple(row) for row in await cursor.fetchall()]


async def test_a_failing_handler_is_retried_with_backoff_then_dropped_at_its_deadline(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    due = START + timedelta(minutes=5)
    expires = due + timedelta(minutes=10)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        calls: list[tuple[int, object, str | None]] = []

        async def handler(reminder: Reminder) -> None:
            calls.append((reminder.attempts, clock.now(), reminder.nonce))
            raise RuntimeError("the channel is gone")

        bot = session.bot
        assert bot is not None
        store = ReminderStore(bot.db)
        await store.add(session.double.world.guild_id, "test.fail", due, expires_at=expires)
        await bot.db.commit()
        bot.scheduler.register("test.fail", handler)
        # Each retry waits twice as long as the one before: 15 s, 30 s, 1 min, 2 min, 4 min.
        expected = [due]
        for seconds in (15, 30, 60, 120, 240):
            expected.append(expected[-1] + timedelta(seconds=seconds))
        for number, moment in enumerate(expected, start=1):
            await clock.set(moment - timedelta(seconds=1))
            await bot.scheduler.wait_idle()
            assert len(calls) == number - 1, f"attempt {number} came early"
            await clock.set(moment)
            await bot.scheduler.wait_idle()
            assert len(calls) == number, f"attempt {number} did not come at {moment}"
        assert [attempt for attempt, _, _ in calls] == [1, 2, 3, 4, 5, 6]
        assert [at for _, at, _ in calls] == expected
        nonces = {nonce for _, _, nonce in calls}
        assert len(nonces) == 1 and None not in nonces  # one nonce for every attempt
        # The next wait (8 min) would end past the deadline: dropped now, with one log line.
        (dropped,) = [r for r in caplog.records if "dropped" in r.getMessage()]
        assert dropped.levelname == "WARNING" and dropped.name == "bot.scheduler"
        assert "after 6 attempt(s)" in dropped.getMessage()
        ((outcome, sent_at, attempts),) = await _rows(bot, "SELECT outcome, sent_at, attempts FROM reminders")
        assert str(outcome).startswith("dropped: RuntimeError: the channel is gone")
        assert sent_at is not None and attempts == 6
        await clock.set(expires + timedelta(hours=1))
        await bot.scheduler.wait_idle()
        assert len(calls) == 6


async def test_an_attempt_cut_short_by_a_restart_is_retried_at_once_with_its_nonce(
    settings: Settings,
) -> None:
    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        seen: list[Reminder] = []
        started = asyncio.Event()

        async def stuck(reminder: Reminder) -> None:
            seen.append(reminder)
            started.set()
            await asyncio.Event().wait()  # never answers: the bot stops while it is sending

        async def works(reminder: Reminder) -> None:
            seen.append(reminder)

        bot = session.bot
        assert bot is not None
        await ReminderStore(bot.db).add(session.double.world.guild_id, "test.kind", START, target_id=7)
        await bot.db.commit()
        bot.scheduler.register("test.kind", stuck)
        await asyncio.wait_for(started.wait(), 60)
        await session.restart()  # no time passes: the interrupted attempt is due again at once
        bot = session.bot
        assert bot is not None
        bot.scheduler.register("test.kind", works)
        await bot.scheduler.wait_idle()
        first, second = seen
        assert (first.attempts, second.attempts) == (1, 2)
        assert first.nonce is not None and second.nonce == first.nonce
        assert await _rows(bot, "SELECT outcome, attempts FROM reminders") == [("sent", 2)]


async def test_an_interrupted_reminder_found_past_its_deadline_is_dropped(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        calls: list[int] = []
        started = asyncio.Event()

        async def stuck(reminder: Reminder) -> None:
            calls.append(reminder.attempts)
            started.set()
            await asyncio.Event().wait()

        async def works(reminder: Reminder) -> None:
            calls.append(reminder.attempts)

        bot = session.bot
        assert bot is not None
        expires = START + timedelta(hours=1)
        await ReminderStore(bot.db).add(session.double.world.guild_id, "test.kind", START, expires_at=expires)
        await bot.db.commit()
        bot.scheduler.register("test.kind", stuck)
        await asyncio.wait_for(started.wait(), 60)
        assert session.bot is not None
        await session.bot.close()  # down from mid-send until after the deadline
        await clock.set(expires + timedelta(minutes=1))
        await session.restart()
        bot = session.bot
        assert bot is not None
        bot.scheduler.register("test.kind", works)
        await bot.scheduler.wait_idle()
        assert calls == [1]
        assert await _rows(bot, "SELECT outcome FROM reminders") == [("dropped: past its deadline",)]
        (line,) = [r for r in caplog.records if "dropped" in r.getMessage()]
        assert line.levelname == "WARNING" and "after 1 attempt(s)" in line.getMessage()


async def test_reminders_stuck_under_the_old_rules_get_another_chance(settings: Settings) -> None:
    db = await open_database(settings.database_path)
    try:
        for migration in load_migrations()[:8]:  # the schema before retries existed
            await db.executescript(f"BEGIN;{migration.sql};PRAGMA user_version={migration.version};COMMIT;")
        claimed = "2030-03-01T11:00:00.000000Z"
        await db.executemany(
            "INSERT INTO reminders (guild_id, kind, target_id, due_at, expires_at, sent_at, outcome) "
            "VALUES (1, 'test.kind', ?, ?, ?, ?, ?)",
            [
                (1, claimed, "2030-03-02T00:00:00.000000Z", claimed, "sending"),  # killed mid-send
                (2, claimed, "2030-03-02T00:00:00.000000Z", claimed, "failed: DiscordServerError: 500"),
                (3, claimed, None, claimed, "sent"),
                (4, claimed, "2030-03-01T11:30:00.000000Z", claimed, "sending"),  # its deadline passed
            ],
        )
        await db.commit()
        await apply_migrations(db)
    finally:
        await db.close()

    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        sent: list[tuple[int, int]] = []

        async def handler(reminder: Reminder) -> None:
            sent.append((reminder.target_id or 0, reminder.attempts))

        assert session.bot is not None
        session.bot.scheduler.register("test.kind", handler)
        await session.bot.scheduler.wait_idle()
        assert sorted(sent) == [(1, 2), (2, 2)]
        outcomes = await _rows(session.bot, "SELECT target_id, outcome FROM reminders ORDER BY target_id")
        assert outcomes == [(1, "sent"), (2, "sent"), (3, "sent"), (4, "dropped: past its deadline")]
