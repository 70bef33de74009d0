"""/session as moderators type it: times like 6pm, days like next monday (confirmed first), one
edit for a whole series with its Discord events, and a second announcement that asks first."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from tests.support.sessions import LINK, channel_posts, clocked, event_requests, rows, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]
NEW_LINK = "https://meet.example.org/new-room"


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)
        yield session, clock


def unix(moment) -> int:
    return int(moment.timestamp())


async def test_a_session_time_can_be_written_6pm_or_7_30_pm(env: Env) -> None:
    session, _ = env
    done = await schedule(session, weeks=1, time="7:30 pm")
    assert done.reply.content == "Scheduled 1 session. Created 1 Discord event."
    (created,) = event_requests(session, "POST")
    assert created.json["scheduled_start_time"] == utc(2031, 3, 20, 18, 30).isoformat()  # Paris, UTC+1


async def test_a_relative_start_day_is_shown_and_confirmed_before_anything_is_saved(env: Env) -> None:
    session, _ = env
    asked = await schedule(session, weeks=2, extra="start:next monday")
    first = utc(2031, 3, 27, 17)  # the first Thursday on or after Monday 24 March, 18:00 in Paris
    assert asked.reply.ephemeral
    assert f"<t:{unix(first)}:F> (<t:{unix(first)}:R>)" in asked.reply.content
    assert "check that 'next monday' is the day you meant" in asked.reply.content
    assert await rows(session, "SELECT COUNT(*) FROM sessions") == [(0,)]
    assert event_requests(session, "POST") == []

    stale = copy.deepcopy(asked.reply)  # the confirmation as a slow client still shows it
    done = await session.click(asked.reply, "Schedule them", moderator=True)
    assert done.reply.content.startswith("✅ Scheduling 2 sessions")
    assert done.reply.components == []
    final = done.messages[-1]
    assert final.ephemeral and final.content == "Scheduled 2 sessions. Created 2 Discord events."
    starts = [request.json["scheduled_start_time"] for request in event_requests(session, "POST")]
    # 18:00 in Paris both weeks: UTC+2 from Sunday 30 March.
    assert starts == [first.isoformat(), (first + timedelta(weeks=1, hours=-1)).isoformat()]
    # A second press of the same confirmation (a stale client) saves nothing twice.
    again = await session.click(stale, "Schedule them", moderator=True)
    assert "expired" in again.reply.content
    assert await rows(session, "SELECT COUNT(*) FROM sessions") == [(2,)]


async def test_cancel_on_a_confirmation_saves_nothing(env: Env) -> None:
    session, _ = env
    asked = await schedule(session, weeks=2, extra="start:in 2 days")
    dropped = await session.click(asked.reply, "Cancel", moderator=True)
    assert dropped.reply.content == "Cancelled: nothing was saved."
    assert await rows(session, "SELECT COUNT(*) FROM sessions") == [(0,)]


async def test_one_edit_changes_the_call_link_of_the_rest_of_the_series_and_its_events(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=10)
    events = dict(await rows(session, "SELECT id, event_id FROM sessions"))
    done = await session.run(f"/session edit session:3 scope:this and later link:{NEW_LINK}", moderator=True)
    assert done.reply.ephemeral
    assert done.reply.content == "Updated 8 sessions (link). 8 Discord events followed."
    links = await rows(session, "SELECT id, link FROM sessions ORDER BY id")
    assert links == [(1, LINK), (2, LINK)] + [(number, NEW_LINK) for number in range(3, 11)]
    patches = event_requests(session, "PATCH")
    assert sorted(int(request.path.rsplit("/", 1)[1]) for request in patches) == sorted(
        events[number] for number in range(3, 11)
    )
    assert all(request.json["entity_metadata"] == {"location": NEW_LINK} for request in patches)
    assert all("scheduled_start_time" not in request.json for request in patches)  # times unchanged
    audited = await rows(session, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.edit'")
    assert audited == [(8,)]


async def test_a_new_time_for_the_whole_series_keeps_each_day_across_the_dst_change(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=3)
    done = await session.run("/session edit session:1 scope:all time:7pm", moderator=True)
    assert done.reply.content == "Updated 3 sessions (time). 3 Discord events followed."
    starts = [request.json["scheduled_start_time"] for request in event_requests(session, "PATCH")]
    # 19:00 in Paris: UTC+1 before Sunday 30 March, UTC+2 after.
    assert starts == [
        utc(2031, 3, 20, 18).isoformat(),
        utc(2031, 3, 27, 18).isoformat(),
        utc(2031, 4, 3, 17).isoformat(),
    ]
    reminders = await rows(session, "SELECT COUNT(*) FROM reminders WHERE kind = 'session.channel'")
    assert reminders == [(3,)]  # one per session, at its new time


async def test_a_series_edit_skips_what_is_over_and_refuses_a_date(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=3)
    await clock.set(utc(2031, 3, 21))  # the first session is over
    done = await session.run(f"/session edit session:2 scope:all link:{NEW_LINK}", moderator=True)
    assert done.reply.content == "Updated 2 sessions (link). 2 Discord events followed."
    assert await rows(session, "SELECT link FROM sessions WHERE id = 1") == [(LINK,)]
    refused = await session.run("/session edit session:2 scope:all date:2031-04-01", moderator=True)
    assert refused.reply.ephemeral and "belongs to one session" in refused.reply.content
    same = await session.run(f"/session edit session:2 scope:all link:{NEW_LINK}", moderator=True)
    assert "already has that" in same.reply.content


async def test_moving_one_session_to_a_weekday_phrase_asks_first(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2)
    asked = await session.run("/session edit session:1 date:friday 19:00", moderator=True)
    moved = utc(2031, 3, 21, 18)  # Friday 21 March, 19:00 in Paris
    assert f"<t:{unix(moved)}:F>" in asked.reply.content and "Save it?" in asked.reply.content
    assert event_requests(session, "PATCH") == []
    saved = await session.click(asked.reply, "Save it", moderator=True)
    assert saved.messages[-1].content == "Updated session #1 (time)."
    (patch,) = event_requests(session, "PATCH")
    assert patch.json["scheduled_start_time"] == moved.isoformat()


async def test_announcing_the_same_session_twice_asks_with_the_first_link(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2)
    first = await session.run("/session announce", moderator=True)
    (post,) = channel_posts(session, "sessions")
    link = f"https://discord.com/channels/{session.double.world.guild_id}/{post.channel_id}/{post.id}"
    assert link in first.reply.content

    second = await session.run("/session announce", moderator=True)
    assert second.reply.ephemeral and "already announced" in second.reply.content
    assert link in second.reply.content
    assert len(channel_posts(session, "sessions")) == 1
    kept = await session.click(second.reply, "Cancel", moderator=True)
    assert kept.reply.content == "Cancelled: nothing was saved."
    assert len(channel_posts(session, "sessions")) == 1

    third = await session.run("/session announce session:1", moderator=True)
    again = await session.click(third.reply, "Post it again", moderator=True)
    assert again.messages[-1].content.startswith("Announced session #1 in")
    assert len(channel_posts(session, "sessions")) == 2
    # Another session is announced at once.
    other = await session.run("/session announce session:2", moderator=True)
    assert other.reply.content.startswith("Announced session #2 in")
