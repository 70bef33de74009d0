"""Homework reminders: on time by a ManualClock, once each, across restarts, DM or channel fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.db.reminders import ReminderStore
from bot.local.session import LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings

START = utc(2030, 3, 1, 12, 0)
DUE = "2030-03-03 12:00"  # UTC (the server's default time zone)
REMIND_AT = utc(2030, 3, 2, 12, 0)  # one day before, the default


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def hw(settings: Settings, clock: ManualClock) -> AsyncIterator[LocalSession]:
    async with LocalSession(settings, clock=clock, fail_on_errors=True, answer_timeout=60) as local:
        yield local
        local.raise_failures()


async def _post(session: LocalSession, extra: str = "") -> StoredMessage:
    done = await session.run(f"/homework post week:1 title:Read chapter 1 due:{DUE} {extra}", moderator=True)
    assert done.reply.content.startswith("Posted"), done.reply.content
    (announcement,) = [m for m in done.messages if not m.ephemeral]
    return announcement


def _posts(session: LocalSession, channel_id: int, announcement: StoredMessage) -> list[StoredMessage]:
    """What the bot posted in a channel besides the announcement (not interaction replies)."""
    return [
        m
        for m in session.double.channel_messages(channel_id)
        if m.webhook_id is None and m.id != announcement.id
    ]


def _dms(session: LocalSession, name: str) -> list[StoredMessage]:
    user = session.member(name)
    channels = {
        c.id for c in session.double.world.channels.values() if c.type == 1 and c.recipient_id == user.id
    }
    return [m for m in session.double.messages.values() if m.channel_id in channels]


async def _advance_to(session: LocalSession, clock: ManualClock, moment: object) -> None:
    assert session.bot is not None
    await clock.set(moment)  # type: ignore[arg-type]
    await session.bot.scheduler.wait_idle()


async def _outcomes(session: LocalSession) -> list[tuple[str, str | None]]:
    assert session.bot is not None
    async with session.bot.db.execute("SELECT kind, outcome FROM reminders ORDER BY id") as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_a_member_reminder_is_sent_once_across_restarts(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    await _advance_to(hw, clock, REMIND_AT - timedelta(minutes=1))
    assert _dms(hw, "Grace") == []

    # The bot is down when the reminder falls due; the next start sends it (it is still before the due date).
    await hw.restart()
    await _advance_to(hw, clock, REMIND_AT + timedelta(hours=3))
    (dm,) = _dms(hw, "Grace")
    (embed,) = dm.embeds
    unix = int(utc(2030, 3, 3, 12, 0).timestamp())
    assert embed["title"] == "⏰ Reminder: Week 1 · Read chapter 1"
    assert embed["fields"][0]["value"] == f"<t:{unix}:F> (<t:{unix}:R>)"
    assert announcement.id and str(announcement.id) in embed["fields"][1]["value"]

    await hw.restart()
    await _advance_to(hw, clock, REMIND_AT + timedelta(hours=20))
    assert len(_dms(hw, "Grace")) == 1
    assert await _outcomes(hw) == [("homework.member", "sent")]
    # Pressing Remind me again for the same due date does not bring a second reminder.
    again = await hw.click(announcement, "Remind me", user="Grace")
    assert "already reminded" in again.reply.content
    progress = await hw.run("/homework progress homework:Read chapter 1", moderator=True)
    fields = {field["name"]: field["value"] for field in progress.reply.embeds[0]["fields"]}
    assert fields["Reminders"] == "0 to go out · 1 sent"  # a sent reminder is not waiting


async def test_closed_dms_fall_back_to_a_channel_mention_of_that_member_only(
    hw: LocalSession, clock: ManualClock
) -> None:
    await hw.run("/config channel purpose:homework channel:#homework", moderator=True)
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    await hw.click(announcement, "Remind me", user="Linus")
    grace = hw.member("Grace")
    grace.dms_open = False
    await _advance_to(hw, clock, REMIND_AT + timedelta(minutes=1))
    assert _dms(hw, "Grace") == [] and len(_dms(hw, "Linus")) == 1
    posts = _posts(hw, hw.channel("homework").id, announcement)
    (fallback,) = posts
    assert fallback.content.startswith(f"<@{grace.id}>") and "DMs are closed" in fallback.content
    assert fallback.pings() == [f"user:{grace.id}"]
    assert fallback.embeds[0]["title"] == "⏰ Reminder: Week 1 · Read chapter 1"
    assert sorted(await _outcomes(hw)) == [("homework.member", "sent"), ("homework.member", "sent")]


async def test_the_optional_channel_reminder_pings_nobody(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw, "channel_reminder:true")
    await _advance_to(hw, clock, REMIND_AT + timedelta(seconds=30))
    posts = _posts(hw, announcement.channel_id, announcement)
    (post,) = posts
    assert post.embeds[0]["title"] == "⏰ Due soon: Week 1 · Read chapter 1"
    assert post.pings() == [] and post.allowed_mentions == {"parse": []}
    await hw.restart()
    await _advance_to(hw, clock, REMIND_AT + timedelta(hours=2))
    assert len(_posts(hw, announcement.channel_id, announcement)) == 1


async def test_a_reminder_missed_until_the_due_date_is_never_sent(
    hw: LocalSession, clock: ManualClock
) -> None:
    announcement = await _post(hw, "channel_reminder:true")
    await hw.click(announcement, "Remind me", user="Grace")
    assert hw.bot is not None
    await hw.bot.close()  # down from before the reminder until after the due date
    await clock.set(utc(2030, 3, 3, 13, 0))
    await hw.restart()
    assert hw.bot is not None
    await hw.bot.scheduler.wait_idle()
    assert _dms(hw, "Grace") == []
    assert sorted(await _outcomes(hw)) == [("homework.channel", "expired"), ("homework.member", "expired")]


async def test_done_cancels_the_reminder_and_undo_brings_it_back(
    hw: LocalSession, clock: ManualClock
) -> None:
    announcement = await _post(hw)
    assert hw.bot is not None
    store = ReminderStore(hw.bot.db)
    guild = hw.double.world.guild_id
    await hw.click(announcement, "Remind me", user="Grace")
    await hw.click(announcement, "Mark done", user="Grace")
    assert await store.pending(guild) == []
    await hw.run("/homework undo homework:Read chapter 1", user="Grace")
    (pending,) = await store.pending(guild)
    assert pending.due_at == REMIND_AT
    await _advance_to(hw, clock, REMIND_AT + timedelta(minutes=1))
    assert len(_dms(hw, "Grace")) == 1


async def test_a_new_due_date_moves_the_reminders(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw, "channel_reminder:true")
    await hw.click(announcement, "Remind me", user="Grace")
    await hw.run("/homework edit homework:Read chapter 1 due:2030-03-05 12:00", moderator=True)
    await _advance_to(hw, clock, REMIND_AT + timedelta(hours=1))  # the old reminder time
    assert _dms(hw, "Grace") == []
    await _advance_to(hw, clock, utc(2030, 3, 4, 12, 1))  # the new one
    assert len(_dms(hw, "Grace")) == 1
    channel_posts = _posts(hw, announcement.channel_id, announcement)
    assert len(channel_posts) == 1


async def test_lead_time_follows_the_setting_and_a_short_notice_reminds_halfway(
    hw: LocalSession, clock: ManualClock
) -> None:
    await hw.run("/config reminders area:homework minutes:60", moderator=True)
    announcement = await _post(hw)
    pressed = await hw.click(announcement, "Remind me", user="Grace")
    unix = int(utc(2030, 3, 3, 11, 0).timestamp())
    assert f"<t:{unix}:R>" in pressed.reply.content

    await hw.run("/config reminders area:homework minutes:10080", moderator=True)  # a week: already past
    soon = await hw.run("/homework post week:1 title:Quick quiz due:2030-03-01 16:00", moderator=True)
    (quiz,) = [m for m in soon.messages if not m.ephemeral]
    pressed = await hw.click(quiz, "Remind me", user="Linus")
    halfway = int(utc(2030, 3, 1, 14, 0).timestamp())
    assert f"<t:{halfway}:R>" in pressed.reply.content
    await _advance_to(hw, clock, utc(2030, 3, 1, 14, 1))
    assert len(_dms(hw, "Linus")) == 1


async def test_remind_me_after_the_due_date_is_refused(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw)
    await _advance_to(hw, clock, utc(2030, 3, 3, 12, 30))
    late = await hw.click(announcement, "Remind me", user="Grace")
    assert late.reply.ephemeral and "already past its due date" in late.reply.content
    done = await hw.click(announcement, "Mark done", user="Grace")  # late work can still be marked
    assert "as done" in done.reply.content


async def test_a_new_reminder_time_moves_the_pending_reminders(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    changed = await hw.run("/config reminders area:homework minutes:120", moderator=True)
    assert changed.reply.content.endswith("2 hours before. 1 pending reminder moved to the new time.")
    due = utc(2030, 3, 3, 12, 0)
    await _advance_to(hw, clock, REMIND_AT)  # the old time: nothing yet
    assert _dms(hw, "Grace") == []
    await _advance_to(hw, clock, due - timedelta(minutes=120))
    assert len(_dms(hw, "Grace")) == 1
    assert await _outcomes(hw) == [("homework.member", "sent")]
