"""/session through the Discord double: scheduling with Discord events, editing, cancelling,
announcing, next and list; moderators only where it matters; bad inputs change nothing."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.db.homework import HomeworkDraft, HomeworkStore
from bot.db.papers import PaperDraft, PaperStore
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.local.world import CREATE_EVENTS, MANAGE_EVENTS
from bot.settings import Settings
from tests.support.sessions import (
    LINK,
    START,
    channel_posts,
    clocked,
    event_requests,
    field,
    rows,
    schedule,
    setup_guild,
)

Env = tuple[LocalSession, ManualClock]


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)
        yield session, clock


def iso(moment) -> str:
    return moment.isoformat()


async def test_schedule_creates_discord_events_at_local_time_across_the_dst_change(env: Env) -> None:
    session, _ = env
    topics = "Section 0 & 1: setup, transformer models; Section 2: using transformers"
    done = await schedule(session, weeks=12, extra=f"topics:{topics}")
    assert done.reply.ephemeral
    assert done.reply.content == "Scheduled 12 sessions. Created 12 Discord events."
    assert any("Creating Discord events 4/12" in (p.get("content") or "") for p in done.reply.history)
    created = event_requests(session, "POST")
    assert len(created) == 12
    # 18:00 in Paris: 17:00 UTC before the clocks go forward on 30 March, 16:00 UTC after.
    expected = [utc(2031, 3, 20, 17), utc(2031, 3, 27, 17)] + [
        utc(2031, 4, 3, 16) + timedelta(weeks=week) for week in range(10)
    ]
    assert [r.json["scheduled_start_time"] for r in created] == [iso(t) for t in expected]
    assert [r.json["scheduled_end_time"] for r in created] == [
        iso(t + timedelta(minutes=90)) for t in expected
    ]
    first = created[0].json
    assert first["entity_type"] == 3 and first["privacy_level"] == 2
    assert first["entity_metadata"] == {"location": LINK}
    assert first["name"] == "HF course study group — Section 0 & 1: setup, transformer models"
    assert created[1].json["name"] == "HF course study group — Section 2: using transformers"
    assert created[2].json["name"] == "HF course study group"
    stored = await rows(session, "SELECT event_id, week FROM sessions ORDER BY id")
    assert sorted(event for event, _ in stored) == sorted(session.double.scheduled_events)
    assert [week for _, week in stored] == list(range(1, 13))
    assert ("session.schedule",) in await rows(session, "SELECT action FROM audit_log")
    assert "Thu 20 Mar 2031, 18:00" in done.reply.embeds[0]["description"]


async def test_without_manage_events_sessions_are_scheduled_without_events(env: Env) -> None:
    session, _ = env
    session.double.world.bot_permissions &= ~(MANAGE_EVENTS | CREATE_EVENTS)
    done = await schedule(session, weeks=3)
    assert event_requests(session, "POST") == []
    assert done.reply.ephemeral and done.reply.content == "Scheduled 3 sessions."
    assert "Manage Events" in field(done.reply, "Notes")
    assert await rows(session, "SELECT COUNT(*), COUNT(event_id) FROM sessions") == [(3, 0)]
    listed = await session.run("/session list")
    assert listed.reply.embeds[0]["description"].count("HF course study group") == 3


async def test_bad_inputs_are_refused_and_change_nothing(env: Env) -> None:
    session, _ = env

    def line(
        title: str = "HF", weekday: str = "Thursday", time: str = "18:00", link: str = LINK, extra: str = ""
    ) -> str:
        options = f"title:{title} weekday:{weekday} time:{time} duration:60 weeks:3 link:{link} {extra}"
        return f"/session schedule {options}"

    cases = [
        (line(time="25:00"), "not a time of day"),
        (line(link="ftp://meet.example.org/x"), "must start with http"),
        (line(link="https://meet.example.org/" + "x" * 90), "Discord events take at most 100"),
        (line(extra="topics:a; b; c; d"), "4 topics for 3 weeks"),
        (line(weekday="Monday", extra="start:2031-03-10"), "already past"),
        (line(extra="start:2031-02-30"), "not a real date"),
        (line(title="'   '"), "title is empty"),
    ]
    for command, message in cases:
        refused = await session.run(command, moderator=True)
        assert refused.reply.ephemeral, command
        assert message in refused.reply.content, (command, refused.reply.content)
    assert await rows(session, "SELECT COUNT(*) FROM sessions") == [(0,)]
    assert await rows(session, "SELECT COUNT(*) FROM reminders") == [(0,)]
    assert event_requests(session, "POST") == []


async def test_members_cannot_use_moderator_commands(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2)
    before = len(session.double.requests)
    for line in (
        f"/session schedule title:Mine weekday:Friday time:10:00 duration:60 weeks:1 link:{LINK}",
        "/session edit session:1 title:Hijacked",
        "/session cancel session:1",
        "/session announce",
    ):
        refused = await session.run(line, user="Grace")
        assert refused.reply.ephemeral and "moderators" in refused.reply.content, line
    assert not [r for r in session.double.requests[before:] if "/scheduled-events" in r.path]
    assert (
        await rows(session, "SELECT title, cancelled_at FROM sessions")
        == [("HF course study group", None)] * 2
    )
    assert channel_posts(session, "sessions") == []
    # Members do have next and list.
    assert (await session.run("/session next", user="Grace")).reply.embeds
    assert (await session.run("/session list", user="Grace")).reply.embeds


async def test_next_shows_times_topic_link_and_the_weeks_homework_and_papers(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=2, extra="topics:Section 2: using transformers; Section 3 first_week:2")
    assert session.bot is not None
    guild = session.double.world.guild_id
    homework = HomeworkStore(session.bot.db)
    for week, title in ((2, "Run the pipeline notebook"), (1, "Install transformers")):
        await homework.post(
            guild,
            HomeworkDraft(week=week, title=title, due_at=utc(2031, 3, 26, 17)),
            user_id=1,
            channel_id=session.channel("homework").id,
            channel_remind_at=None,
        )
    papers = PaperStore(session.bot.db)
    await papers.add(
        guild,
        PaperDraft.build(
            title="Attention Is All You Need",
            arxiv="1706.03762",
            week=2,
            companion_title="The Illustrated Transformer",
            companion_url="https://jalammar.github.io/illustrated-transformer/",
        ),
        user_id=1,
    )
    shown = await session.run("/session next", user="Grace")
    assert shown.reply.ephemeral
    embed = shown.reply.embeds[0]
    assert embed["title"] == "Next session: HF course study group"
    start = int(utc(2031, 3, 20, 17).timestamp())
    assert f"<t:{start}:F>" in field(shown.reply, "When") and f"<t:{start}:R>" in field(shown.reply, "When")
    assert field(shown.reply, "Topic") == "Section 2: using transformers"
    assert field(shown.reply, "Join") == LINK
    assert "Run the pipeline notebook" in field(shown.reply, "Homework · week 2")
    assert "Install transformers" not in field(shown.reply, "Homework · week 2")
    papers_text = field(shown.reply, "Papers · week 2")
    assert "[Attention Is All You Need](https://arxiv.org/abs/1706.03762)" in papers_text
    assert "The Illustrated Transformer" in papers_text
    labels = [item.get("label") for row in shown.reply.components for item in row["components"]]
    assert labels == ["Remind me", "Join the call"]
    await clock.set(utc(2031, 3, 20, 17, 30))
    live = await session.run("/session next public:true")
    assert not live.reply.ephemeral and live.reply.embeds[0]["title"].startswith("Live now")
    await clock.set(utc(2031, 3, 20, 18, 31))
    after = await session.run("/session next")
    assert field(after.reply, "Topic") == "Section 3"


async def test_no_session_yet_is_explained(env: Env) -> None:
    session, _ = env
    refused = await session.run("/session next")
    assert refused.reply.ephemeral and "No session is scheduled yet" in refused.reply.content


async def test_edit_moves_the_session_its_event_and_its_reminders(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2)
    event_id = (await rows(session, "SELECT event_id FROM sessions WHERE id = 1"))[0][0]
    done = await session.run("/session edit session:1 time:19:30 topic:Tokenizers", moderator=True)
    assert done.reply.ephemeral and done.reply.content == "Updated session #1 (topic, time)."
    (patch,) = event_requests(session, "PATCH")
    assert patch.path.endswith(f"/scheduled-events/{event_id}")
    assert patch.json["scheduled_start_time"] == iso(utc(2031, 3, 20, 18, 30))  # 19:30 in Paris (UTC+1)
    assert patch.json["scheduled_end_time"] == iso(utc(2031, 3, 20, 20))
    assert patch.json["name"] == "HF course study group — Tokenizers"
    assert session.double.scheduled_events[event_id]["scheduled_start_time"] == iso(utc(2031, 3, 20, 18, 30))
    assert await rows(
        session,
        "SELECT due_at FROM reminders WHERE target_id = 1 AND sent_at IS NULL AND kind = 'session.channel'",
    ) == [("2031-03-20T18:00:00.000000Z",)]
    assert "Its Discord event was updated too." in done.reply.embeds[0]["description"]
    assert ("session.edit",) in await rows(session, "SELECT action FROM audit_log")
    # An event deleted by hand in Discord: the edit lands, and a new event replaces the lost one.
    session.double.scheduled_events.pop(event_id)
    again = await session.run("/session edit session:1 title:Renamed", moderator=True)
    assert "had been deleted, so I created one." in again.reply.embeds[0]["description"]
    ((title, new_id),) = await rows(session, "SELECT title, event_id FROM sessions WHERE id = 1")
    assert title == "Renamed" and new_id not in (None, event_id)
    assert session.double.scheduled_events[new_id]["name"] == "Renamed — Tokenizers"
    assert session.double.scheduled_events[new_id]["scheduled_start_time"] == iso(utc(2031, 3, 20, 18, 30))


async def test_edit_creates_the_event_a_session_scheduled_without_the_permission_lacks(env: Env) -> None:
    session, clock = env
    granted = session.double.world.bot_permissions
    session.double.world.bot_permissions &= ~(MANAGE_EVENTS | CREATE_EVENTS)
    await schedule(session, weeks=2)
    quiet = await session.run("/session edit session:2 topic:Datasets", moderator=True)
    assert "Discord event" not in quiet.reply.embeds[0].get("description", "")  # nothing to say
    assert event_requests(session, "POST") == []

    session.double.world.bot_permissions = granted
    done = await session.run("/session edit session:2 topic:Pipelines", moderator=True)
    assert "It had no Discord event, so I created one." in done.reply.embeds[0]["description"]
    (post,) = event_requests(session, "POST")
    ((event_id,),) = await rows(session, "SELECT event_id FROM sessions WHERE id = 2")
    event = session.double.scheduled_events[event_id]
    assert event["entity_metadata"] == post.json["entity_metadata"] == {"location": LINK}
    assert event["description"].startswith("Pipelines")
    assert await rows(session, "SELECT event_id FROM sessions WHERE id = 1") == [(None,)]

    await clock.set(utc(2031, 3, 20, 17, 10))  # session 1 is live: Discord refuses a start in the past
    live = await session.run("/session edit session:1 topic:Live questions", moderator=True)
    assert "none was created, as the session has already started" in live.reply.embeds[0]["description"]
    assert len(event_requests(session, "POST")) == 1


async def test_edit_refuses_nothing_to_change_a_past_time_and_unknown_sessions(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=1)
    for line, message in (
        ("/session edit session:1 time:18:00", "Nothing to change"),
        ("/session edit session:1 date:2031-03-01", "already past"),
        ("/session edit session:1 time:24:00", "not a time of day"),
        ("/session edit session:1 link:not-a-link", "must start with http"),
        ("/session edit session:99 title:X", "no session #99"),
    ):
        refused = await session.run(line, moderator=True)
        assert refused.reply.ephemeral and message in refused.reply.content, (line, refused.reply.content)
    assert event_requests(session, "PATCH") == []


async def test_cancel_a_whole_series_after_confirmation_deletes_its_events(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=4)
    await clock.set(utc(2031, 3, 20, 19))  # the first session is over: it stays in the history
    asked = await session.run("/session cancel session:2 scope:whole series", moderator=True)
    assert asked.reply.ephemeral and asked.reply.embeds[0]["title"] == "Cancel 3 sessions?"
    assert event_requests(session, "DELETE") == []
    refused = await session.click(asked.reply, "Cancel 3 sessions", user="Grace")
    assert "moderators" in refused.reply.content
    stale = copy.deepcopy(asked.reply)  # a second moderator still sees the confirmation
    done = await session.click(asked.reply, "Cancel 3 sessions", moderator=True)
    assert asked.reply.content.startswith("Cancelled 3 sessions; their reminders are off.")
    assert "Deleted 3 Discord events." in asked.reply.content
    assert done.answered and len(event_requests(session, "DELETE")) == 3
    assert len(session.double.scheduled_events) == 1
    assert await rows(session, "SELECT id FROM sessions WHERE cancelled_at IS NULL") == [(1,)]
    assert await rows(session, "SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL AND target_id > 1") == [
        (0,)
    ]
    assert ("session.cancel",) in await rows(session, "SELECT action FROM audit_log")
    again = await session.click(stale, "Cancel 3 sessions", moderator=True)
    (refusal,) = [m for m in again.messages if m.id != asked.reply.id]  # a followup: acknowledged first
    assert refusal.ephemeral and "Nothing left to cancel" in refusal.content


async def test_keep_them_cancels_nothing(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2)
    asked = await session.run("/session cancel session:1", moderator=True)
    assert asked.reply.embeds[0]["title"] == "Cancel 1 session?"
    await session.click(asked.reply, "Keep them", moderator=True)
    assert asked.reply.content == "Kept: nothing was cancelled." and asked.reply.components == []
    assert await rows(session, "SELECT COUNT(*) FROM sessions WHERE cancelled_at IS NULL") == [(2,)]
    assert event_requests(session, "DELETE") == []


async def test_announce_posts_the_next_session_in_the_sessions_channel(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=2, extra="topics:Section 1")
    done = await session.run("/session announce note:Bring questions! @everyone", moderator=True)
    assert done.reply.ephemeral and "Announced session #1 in" in done.reply.content
    (post,) = channel_posts(session, "sessions")
    assert post.embeds[0]["title"] == "Next session: HF course study group"
    assert post.embeds[0]["description"] == "Bring questions! @everyone"
    assert post.pings() == []
    labels = [item.get("label") for row in post.components for item in row["components"]]
    assert labels == ["Remind me", "Join the call"]
    assert ("session.announce",) in await rows(session, "SELECT action FROM audit_log")


async def test_list_pages_through_upcoming_sessions(env: Env) -> None:
    session, _ = env
    session.double.world.bot_permissions &= ~(MANAGE_EVENTS | CREATE_EVENTS)
    await schedule(session, weeks=20)
    listed = await session.run("/session list", user="Linus")
    assert listed.reply.ephemeral
    assert listed.reply.embeds[0]["footer"]["text"] == "Page 1 of 3 · 20 upcoming"
    assert (
        "**#1 " in listed.reply.embeds[0]["description"]
        and "**#9 " not in listed.reply.embeds[0]["description"]
    )
    await session.click(listed.reply, "Next ▶", user="Linus")
    assert listed.reply.embeds[0]["footer"]["text"] == "Page 2 of 3 · 20 upcoming"
    assert "**#9 " in listed.reply.embeds[0]["description"]
    await session.restart()  # the page buttons outlive the bot
    await session.click(listed.reply, "Next ▶", user="Linus")
    assert listed.reply.embeds[0]["footer"]["text"] == "Page 3 of 3 · 20 upcoming"


async def test_autocomplete_offers_upcoming_sessions_in_the_server_time_zone(env: Env) -> None:
    session, _ = env
    await schedule(session, weeks=3, extra="topics:Intro; Pipelines; Tokenizers")
    choices = await session.autocomplete("/session edit session:token", "session", moderator=True)
    assert choices == [
        {"name": "#3 · Thu 3 Apr 2031, 18:00 · HF course study group — Tokenizers", "value": 3}
    ]
    assert len(await session.autocomplete("/session edit session:", "session", moderator=True)) == 3


async def test_sessions_start_from_the_clock_not_the_wall(env: Env) -> None:
    session, _ = env
    assert START.weekday() == 0
    await schedule(session, weeks=1, weekday="Monday", time="11:00")  # 10:00 UTC, one hour from START
    assert await rows(session, "SELECT starts_at FROM sessions") == [("2031-03-17T10:00:00.000000Z",)]


async def test_renaming_a_live_session_leaves_its_event_times_alone(env: Env) -> None:
    session, clock = env
    await schedule(session, weeks=1)
    await clock.set(utc(2031, 3, 20, 17, 15))  # live: Discord refuses a start time in the past
    done = await session.run("/session edit session:1 title:Study group (live)", moderator=True)
    assert done.reply.content == "Updated session #1 (title)."
    (patch,) = event_requests(session, "PATCH")
    assert patch.json["name"] == "Study group (live)"
    assert "scheduled_start_time" not in patch.json and "scheduled_end_time" not in patch.json
