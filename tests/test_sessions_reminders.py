"""Session reminders: to the sessions channel and to members who pressed Remind me, on time by the
injected clock, sent once, across restarts; cancelled and moved sessions remind accordingly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, field, rows, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]
FIRST_START = utc(2031, 3, 20, 17)  # Thursday 18:00 in Paris
DUE = FIRST_START - timedelta(minutes=45)


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session, remind=45)
        yield session, clock


def dms(session: LocalSession, name: str) -> list[StoredMessage]:
    user = session.double.world.user(name)
    channels = {
        c.id for c in session.double.world.channels.values() if c.type == 1 and c.recipient_id == user.id
    }
    return [m for m in session.double.messages.values() if m.channel_id in channels]


async def settle(session: LocalSession, clock: ManualClock, moment) -> None:
    await clock.set(moment)
    assert session.bot is not None
    await session.bot.scheduler.wait_idle()


async def opt_in(session: LocalSession, name: str) -> str:
    shown = await session.run("/session next", user=name)
    pressed = await session.click(shown.reply, "Remind me", user=name)
    return pressed.reply.content


async def test_channel_and_member_reminders_go_out_once_across_restarts(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=2)
    assert "I'll remind you 45 minutes before" in await opt_in(session, "Grace")
    session.double.world.user("Linus").dms_open = False
    await opt_in(session, "Linus")

    await settle(session, clock, DUE - timedelta(minutes=1))
    assert channel_posts(session, "sessions") == [] and dms(session, "Grace") == []

    # Down across the due time; the next start sends what fell due (still before the session).
    await session.restart()
    await settle(session, clock, DUE + timedelta(minutes=5))
    posts = channel_posts(session, "sessions")
    starting = [m for m in posts if m.embeds and m.embeds[0]["title"].startswith("Starting soon")]
    assert len(starting) == 1 and starting[0].pings() == []
    start = int(FIRST_START.timestamp())
    assert f"<t:{start}:F>" in field(starting[0], "When") and f"<t:{start}:R>" in field(starting[0], "When")
    (dm,) = dms(session, "Grace")
    assert dm.embeds[0]["title"] == "Reminder: HF course study group"
    linus = session.double.world.user("Linus")
    (fallback,) = [m for m in posts if m.content.startswith(f"<@{linus.id}>")]
    assert fallback.pings() == [f"user:{linus.id}"]  # only the member who asked

    await session.restart()
    await settle(session, clock, FIRST_START + timedelta(hours=2))
    assert len(channel_posts(session, "sessions")) == 2 and len(dms(session, "Grace")) == 1
    outcomes = await rows(session, "SELECT kind, outcome FROM reminders WHERE target_id = 1 ORDER BY id")
    assert outcomes == [("session.channel", "sent"), ("session.member", "sent"), ("session.member", "sent")]


async def test_a_reminder_missed_until_the_session_started_is_dropped(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await session.restart()
    await settle(session, clock, FIRST_START + timedelta(minutes=1))
    assert channel_posts(session, "sessions") == []
    assert await rows(session, "SELECT outcome FROM reminders") == [("expired",)]


async def test_remind_me_twice_keeps_one_reminder_and_undo_turns_it_off(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await opt_in(session, "Grace")
    shown = await session.run("/session next", user="Grace")
    again = await session.click(shown.reply, "Remind me", user="Grace")
    assert again.reply.content.startswith("🔔 Your reminder for **HF course study group** is already on")
    assert await rows(session, "SELECT COUNT(*) FROM reminders WHERE kind = 'session.member'") == [(1,)]
    undone = await session.click(again.reply, "Undo", user="Grace")
    assert undone.reply.id == again.reply.id and undone.reply.components == []
    assert undone.reply.content == "🔕 OK: no reminder for **HF course study group**."
    await settle(session, clock, FIRST_START)
    assert dms(session, "Grace") == []


async def test_reminders_turned_off_go_out_to_nobody(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await opt_in(session, "Grace")
    await session.run("/config reminders area:sessions minutes:off", moderator=True)
    shown = await session.run("/session next", user="Linus")
    refused = await session.click(shown.reply, "Remind me", user="Linus")
    assert refused.reply.ephemeral and "Session reminders are turned off" in refused.reply.content
    await settle(session, clock, FIRST_START)
    assert dms(session, "Grace") == [] and channel_posts(session, "sessions") == []


async def test_cancelled_sessions_remind_nobody(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await opt_in(session, "Grace")
    asked = await session.run("/session cancel session:1", moderator=True)
    await session.click(asked.reply, "Cancel 1 session", moderator=True)
    await settle(session, clock, FIRST_START)
    assert channel_posts(session, "sessions") == [] and dms(session, "Grace") == []
    pressed = await session.run("/session list", user="Grace")
    assert pressed.reply.embeds[0]["description"] == "No session is scheduled."


async def test_a_moved_session_reminds_at_its_new_time(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await opt_in(session, "Grace")
    await session.run("/session edit session:1 time:20:00", moderator=True)  # two hours later
    await settle(session, clock, DUE + timedelta(minutes=1))
    assert dms(session, "Grace") == []
    await settle(session, clock, DUE + timedelta(hours=2, minutes=1))
    assert len(dms(session, "Grace")) == 1
    assert len(channel_posts(session, "sessions")) == 1


async def test_remind_me_on_an_announcement_works_after_a_restart(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await session.run("/session announce", moderator=True)
    (post,) = channel_posts(session, "sessions")
    await session.restart()
    pressed = await session.click(post, "Remind me", user="Linus")
    assert pressed.reply.ephemeral and "I'll remind you" in pressed.reply.content
    await settle(session, clock, DUE)
    assert len(dms(session, "Linus")) == 1
    await clock.set(FIRST_START)
    late = await session.click(post, "Remind me", user="Grace")
    assert "already started" in late.reply.content


async def test_a_new_reminder_time_moves_the_pending_reminders(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await opt_in(session, "Grace")
    changed = await session.run("/config reminders area:sessions minutes:90", moderator=True)
    assert changed.reply.ephemeral
    assert changed.reply.content.endswith(
        "1 hour 30 minutes before. 2 pending reminders moved to the new time."
    )
    early = FIRST_START - timedelta(minutes=90)
    await settle(session, clock, early - timedelta(minutes=1))
    assert dms(session, "Grace") == [] and channel_posts(session, "sessions") == []
    await settle(session, clock, early)
    assert len(dms(session, "Grace")) == 1 and len(channel_posts(session, "sessions")) == 1
    # Homework reminders are another area: nothing of the sessions' moved with a homework change.
    unchanged = await session.run("/config reminders area:homework minutes:60", moderator=True)
    assert unchanged.reply.content == "Homework reminders now go out 1 hour before."
