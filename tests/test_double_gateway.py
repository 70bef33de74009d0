"""Gateway events for what the bot and members change in Discord, and the bot's stores following:
scheduled events (create, update, delete, user add/remove) and deleted messages (one or in bulk)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, rows, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)
        yield session, clock


def cached_events(session: LocalSession) -> set[int]:
    """The ids of the events in the bot's own (discord.py) cache of the guild."""
    assert session.bot is not None
    guild = session.bot.get_guild(session.double.world.guild_id)
    assert guild is not None
    return {event.id for event in guild.scheduled_events}


async def test_the_bots_events_reach_its_cache_and_survive_a_restart(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=3)
    await session.settle()
    assert cached_events(session) == set(session.double.scheduled_events)
    sent = [name for name, _ in session.double.dispatched]
    assert sent.count("GUILD_SCHEDULED_EVENT_CREATE") == 3  # the cache above is built from them
    await session.restart()  # GUILD_CREATE carries the guild's current events
    assert cached_events(session) == set(session.double.scheduled_events)


async def test_an_event_deleted_or_cancelled_in_discord_is_forgotten_by_its_session(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=3)
    ada = session.member(moderator=True)
    first, second, _ = [row[0] for row in await rows(session, "SELECT event_id FROM sessions ORDER BY id")]
    await session.double.delete_event_as(ada, first)
    await session.double.edit_event_as(ada, second, status=4)  # cancelled in Discord's event page
    await session.settle()
    stored = await rows(session, "SELECT id, event_id FROM sessions ORDER BY id")
    assert [event for _, event in stored][:2] == [None, None]
    assert stored[2][1] is not None
    assert first not in cached_events(session)
    # The next edit creates a fresh event instead of editing one that is gone or frozen.
    again = await session.run("/session edit session:1 title:Renamed", moderator=True)
    assert "It had no Discord event" in again.reply.embeds[0]["description"]
    (event_id,) = (await rows(session, "SELECT event_id FROM sessions WHERE id = 1"))[0]
    assert event_id in session.double.scheduled_events


async def test_interest_in_an_event_is_sent_as_user_add_and_remove_and_counted(env: Env) -> None:
    session, _ = env
    assert session.bot is not None
    await schedule(session, weeks=1)
    (event_id,) = session.double.scheduled_events
    grace, linus = session.member("Grace"), session.member("Linus")
    await session.double.subscribe(grace, event_id)
    await session.double.subscribe(linus, event_id)
    await session.double.unsubscribe(linus, event_id)
    await session.settle()
    sent = [(name, data) for name, data in session.double.dispatched if "_USER_" in name]
    assert [(name, data["user_id"]) for name, data in sent] == [
        ("GUILD_SCHEDULED_EVENT_USER_ADD", str(grace.id)),
        ("GUILD_SCHEDULED_EVENT_USER_ADD", str(linus.id)),
        ("GUILD_SCHEDULED_EVENT_USER_REMOVE", str(linus.id)),
    ]
    assert all(data["guild_scheduled_event_id"] == str(event_id) for _, data in sent)
    # discord.py drops these for members it has not cached (the bot has no members intent), so
    # the count is read from Discord when needed.
    guild = session.bot.get_guild(session.double.world.guild_id)
    assert guild is not None
    counted = await guild.fetch_scheduled_event(event_id, with_counts=True)
    assert counted.user_count == 1


async def test_a_homework_announcement_deleted_by_a_moderator_is_forgotten(env: Env) -> None:
    session, _ = env
    done = await session.run(
        "/homework post week:1 title:Read chapter 1 due:2031-03-30 18:00", moderator=True
    )
    (announcement,) = [m for m in done.messages if not m.ephemeral]
    await session.double.delete_message_as(session.member(moderator=True), announcement)
    await session.settle()
    assert await rows(session, "SELECT message_id FROM homework") == [(None,)]
    listed = await session.run("/homework list")
    assert f"/{announcement.id}" not in str(listed.reply.embeds)  # no jump link to a deleted message
    # Editing the homework posts a new announcement instead of editing the deleted one.
    edited = await session.run("/homework edit homework:1 title:Read chapters 1 and 2", moderator=True)
    assert not any(r.method == "PATCH" and str(announcement.id) in r.path for r in edited.requests)
    (new_id,) = (await rows(session, "SELECT message_id FROM homework"))[0]
    assert new_id is not None and new_id != announcement.id


async def test_question_posts_purged_in_bulk_are_forgotten(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await clock.set(utc(2031, 3, 20, 17, 10))
    await session.run("/ask question:What is a tensor?", user="Grace")
    await session.run("/ask question:Why attention?", user="Linus")
    posts = [m for m in channel_posts(session, "general") if m.embeds]
    assert len(posts) == 2
    await session.double.delete_messages_as(session.member(moderator=True), posts)
    await session.settle()
    assert await rows(session, "SELECT message_id FROM questions ORDER BY id") == [(None,), (None,)]
    panel = (await session.run("/questions list", moderator=True)).reply
    answered = await session.click(panel, "Next", moderator=True)
    # No edit of a post that is gone (and so no warning about it).
    assert not any(r.method == "PATCH" and "/channels/" in r.path for r in answered.requests)


async def test_a_member_cannot_delete_others_messages_through_the_double(env: Env) -> None:
    session, _ = env
    done = await session.run(
        "/homework post week:1 title:Read chapter 1 due:2031-03-30 18:00", moderator=True
    )
    (announcement,) = [m for m in done.messages if not m.ephemeral]
    with pytest.raises(PermissionError):
        await session.double.delete_message_as(session.member("Grace"), announcement)
    assert not announcement.deleted
