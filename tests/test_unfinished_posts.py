"""Posts that a stop cut in two (the row saved, its public message not attached) are finished at the
next start: members see one announcement or question post with its buttons, whichever step the stop
came after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock, utc
from bot.db.homework import HomeworkDraft, HomeworkStore
from bot.db.questions import QuestionStore
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, rows, schedule, setup_guild

START = utc(2030, 3, 1, 9)
DUE = utc(2030, 3, 10, 18)


@pytest.fixture
async def hw(settings: Settings) -> AsyncIterator[LocalSession]:
    clock = ManualClock(START)
    async with LocalSession(settings, clock=clock, fail_on_errors=True, answer_timeout=60) as local:
        yield local
        local.raise_failures()


def store(session: LocalSession) -> HomeworkStore:
    assert session.bot is not None
    return HomeworkStore(session.bot.db)


async def restart_and_finish(session: LocalSession, cog_name: str = "PendingAnnouncements") -> None:
    """Restart the bot and wait until it has finished the posts left half done."""
    await session.restart()
    assert session.bot is not None
    cog = session.bot.get_cog(cog_name)  # a fresh import of the extension at each start
    finished = getattr(cog, "finished", None)
    assert finished is not None
    await finished


def labels(message: StoredMessage) -> list[str]:
    return [item["label"] for row in message.components for item in row["components"]]


def announcements(session: LocalSession, title: str) -> list[StoredMessage]:
    return [
        message
        for message in channel_posts(session, "general")
        if message.embeds and title in str(message.embeds[0].get("title"))
    ]


async def test_a_post_stopped_before_its_announcement_is_announced_once_at_the_next_start(
    hw: LocalSession,
) -> None:
    guild_id, channel = hw.double.world.guild_id, hw.channel("general")
    draft = HomeworkDraft(week=1, title="Read chapter 2", due_at=DUE)
    # What /homework post had committed when the bot stopped: the row, no message yet.
    saved = await store(hw).post(guild_id, draft, user_id=1, channel_id=channel.id, channel_remind_at=None)
    assert announcements(hw, "Read chapter 2") == []
    await restart_and_finish(hw)
    (posted,) = announcements(hw, "Read chapter 2")
    assert labels(posted) == ["Mark done", "Remind me"]
    finished = await store(hw).get(guild_id, saved.id)
    assert finished is not None and finished.message_id == posted.id
    await restart_and_finish(hw)  # nothing left pending: no second announcement
    assert len(announcements(hw, "Read chapter 2")) == 1
    pressed = await hw.click(posted, "Mark done", user="Grace")
    assert "as done" in pressed.reply.content


async def test_an_announcement_posted_just_before_the_stop_is_found_not_posted_again(
    hw: LocalSession,
) -> None:
    done = await hw.run("/homework post week:1 title:Read chapter 3 due:2030-03-10 18:00", moderator=True)
    assert done.reply.content.startswith("Posted")
    (original,) = announcements(hw, "Read chapter 3")
    assert hw.bot is not None
    # What a stop between posting and attaching leaves: the message is out, the row does not know it.
    await hw.bot.db.execute("UPDATE homework SET message_id = NULL, announce_pending = 1")
    await hw.bot.db.commit()
    await restart_and_finish(hw)
    assert [message.id for message in announcements(hw, "Read chapter 3")] == [original.id]
    (homework,) = await store(hw).find(hw.double.world.guild_id)
    assert homework.message_id == original.id


async def test_a_post_whose_channel_is_gone_is_discarded(hw: LocalSession) -> None:
    guild_id = hw.double.world.guild_id
    draft = HomeworkDraft(week=1, title="Nowhere to go", due_at=DUE)
    saved = await store(hw).post(guild_id, draft, user_id=1, channel_id=999, channel_remind_at=None)
    await restart_and_finish(hw)
    assert await store(hw).get(guild_id, saved.id) is None


async def test_a_question_queued_but_not_posted_is_put_up_for_votes_once(
    settings: Settings, shared_pool: InferencePool
) -> None:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)  # questions go to #general
        await schedule(session, weeks=1)
        await clock.set(utc(2031, 3, 20, 17, 10))  # the first session is live
        guild_id, channel = session.double.world.guild_id, session.channel("general")
        assert session.bot is not None
        grace = session.member("Grace")
        (live,) = [row[0] for row in await rows(session, "SELECT id FROM sessions")][:1]
        # What /ask had committed when the bot stopped: the question, not its public post.
        await QuestionStore(session.bot.db).ask(
            guild_id,
            live,
            grace.id,
            "Is the queue safe?",
            asker_name="Grace",
            anonymous=False,
            now=clock.now(),
            channel_id=channel.id,
        )
        await restart_and_finish(session, "PendingQuestionPosts")
        (post,) = [
            m for m in channel_posts(session, "general") if m.embeds and "Question #1" in str(m.embeds[0])
        ]
        assert [item["label"] for row in post.components for item in row["components"]] == [
            "Upvote",
            "Withdraw",
        ]
        # Asked normally, posted just before a stop, not yet linked: found, not posted again.
        await session.run("/ask question:And the second one?", user="Linus")
        await session.bot.db.execute("UPDATE questions SET message_id = NULL, post_pending = 1 WHERE id = 2")
        await session.bot.db.commit()
        await restart_and_finish(session, "PendingQuestionPosts")
        seconds = [
            m for m in channel_posts(session, "general") if m.embeds and "Question #2" in str(m.embeds[0])
        ]
        assert len(seconds) == 1
        question = await QuestionStore(session.bot.db).get(guild_id, 2)
        assert question is not None and question.message_id == seconds[0].id
        upvoted = await session.click(post, "Upvote", user="Linus")
        assert any("You upvoted question #1" in m.content for m in upvoted.messages if m.ephemeral)
