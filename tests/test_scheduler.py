"""The one reminder scheduler: on time by the injected clock, once each, across restarts."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock, utc
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


async def test_a_failing_handler_is_recorded_and_not_retried(settings: Settings) -> None:
    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True) as session:
        calls: list[int] = []

        async def handler(reminder: Reminder) -> None:
            calls.append(reminder.id)
            raise RuntimeError("the channel is gone")

        bot = session.bot
        assert bot is not None
        store = ReminderStore(bot.db)
        await store.add(session.double.world.guild_id, "test.fail", START + timedelta(minutes=5))
        await bot.db.commit()
        bot.scheduler.register("test.fail", handler)
        await clock.advance(timedelta(minutes=10))
        await bot.scheduler.wait_idle()
        await clock.advance(timedelta(minutes=10))
        await bot.scheduler.wait_idle()
        assert len(calls) == 1
        async with bot.db.execute("SELECT outcome FROM reminders") as cursor:
            (outcome,) = await cursor.fetchone()
        assert outcome.startswith("failed: RuntimeError")
