"""/homework through the real bot and the Discord double (time from a ManualClock)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock, utc
from bot.db import audit
from bot.db.homework import HomeworkStore
from bot.db.reminders import ReminderStore
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings

START = utc(2030, 3, 1, 12, 0)
DUE = "2030-03-10 18:00"
DUE_UTC = utc(2030, 3, 10, 18, 0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def hw(settings: Settings, clock: ManualClock) -> AsyncIterator[LocalSession]:
    async with LocalSession(settings, clock=clock, fail_on_errors=True, answer_timeout=60) as local:
        yield local
        local.raise_failures()


def _store(session: LocalSession) -> HomeworkStore:
    assert session.bot is not None
    return HomeworkStore(session.bot.db)


async def _actions(session: LocalSession) -> list[str]:
    assert session.bot is not None
    return [entry.action for entry in await audit.recent(session.bot.db, session.double.world.guild_id)]


def _announcement(exchange: Exchange, channel_id: int) -> StoredMessage:
    (message,) = [m for m in exchange.messages if m.channel_id == channel_id and not m.ephemeral]
    return message


def _button(message: StoredMessage, label: str) -> dict:
    return next(
        item for row in message.components for item in row["components"] if item.get("label") == label
    )


async def _post(session: LocalSession, extra: str = "", title: str = "Read chapter 1") -> StoredMessage:
    done = await session.run(f"/homework post week:1 title:{title} due:{DUE} {extra}", moderator=True)
    assert done.reply.ephemeral and done.reply.content.startswith("Posted"), done.reply.content
    (announcement,) = [m for m in done.messages if not m.ephemeral]
    return announcement


# --- posting --------------------------------------------------------------------------------------


async def test_post_announces_in_the_homework_channel_with_timestamps_and_buttons(hw: LocalSession) -> None:
    await hw.run("/config timezone name:Europe/Paris", moderator=True)
    await hw.run("/config channel purpose:homework channel:#homework", moderator=True)
    homework_channel = hw.channel("homework")
    done = await hw.run(
        f"/homework post week:1 title:Read chapter 1 due:{DUE} description:Try the pipelines optional:true",
        moderator=True,
    )
    assert done.reply.ephemeral
    assert f"<#{homework_channel.id}>" in done.reply.content
    announcement = _announcement(done, homework_channel.id)
    (embed,) = announcement.embeds
    unix = int(utc(2030, 3, 10, 17, 0).timestamp())  # 18:00 in Paris (winter time) is 17:00 UTC
    assert embed["title"] == "📚 Week 1 · Read chapter 1"
    assert embed["description"] == "Try the pipelines"
    due_field = embed["fields"][0]
    assert due_field["name"] == "Due" and due_field["value"] == f"<t:{unix}:F> (<t:{unix}:R>)"
    assert any(field["name"] == "Optional" for field in embed["fields"])
    assert _button(announcement, "Mark done")["custom_id"].startswith("homework:done:")
    assert _button(announcement, "Remind me")["custom_id"].startswith("homework:remind:")
    assert announcement.pings() == []
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.message_id == announcement.id and saved.channel_id == homework_channel.id
    assert saved.due_at == utc(2030, 3, 10, 17, 0) and saved.optional
    assert "homework.post" in await _actions(hw)


async def test_without_a_homework_channel_it_posts_where_the_command_was_used(hw: LocalSession) -> None:
    done = await hw.run(f"/homework post week:2 title:Chapter 2 due:{DUE}", moderator=True, channel="demos")
    announcement = _announcement(done, hw.channel("demos").id)
    assert announcement.embeds[0]["title"] == "📚 Week 2 · Chapter 2"


async def test_post_without_options_opens_a_form(hw: LocalSession) -> None:
    opened = await hw.run("/homework post", moderator=True)
    assert opened.modal is not None and opened.modal["title"] == "Post homework"
    bad = await hw.submit(opened, {"Week": "1", "Title": "Read", "Due date": "someday"}, moderator=True)
    assert bad.reply.ephemeral and "I can't read 'someday' as a due date" in bad.reply.content
    assert "2026-12-01 18:00" in bad.reply.content
    bad_week = await hw.submit(opened, {"Week": "99", "Title": "Read", "Due date": DUE}, moderator=True)
    assert "from 1 to 52" in bad_week.reply.content
    assert await _store(hw).find(hw.double.world.guild_id) == []
    posted = await hw.submit(
        opened,
        {
            "Week": "week 3",
            "Title": "Read",
            "Due date": DUE,
            "Optional homework? (yes / no)": "yes",
        },
        moderator=True,
    )
    assert posted.reply.content.startswith("Posted **Week 3 · Read**")
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.week == 3 and saved.optional and saved.due_at == DUE_UTC


async def test_the_form_asks_to_confirm_a_relative_due_date(hw: LocalSession) -> None:
    opened = await hw.run("/homework post", moderator=True)
    asked = await hw.submit(opened, {"Week": "1", "Title": "Read", "Due date": "tomorrow"}, moderator=True)
    unix = int(utc(2030, 3, 2, 23, 59).timestamp())  # the end of tomorrow (UTC, the default zone)
    assert asked.reply.ephemeral
    assert f"<t:{unix}:F> (<t:{unix}:R>)" in asked.reply.content
    assert await _store(hw).find(hw.double.world.guild_id) == []
    posted = await hw.click(asked.reply, "Post it", moderator=True)
    assert posted.reply.content.startswith("✅ Posting **Week 1 · Read**")
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.due_at == utc(2030, 3, 2, 23, 59)


@pytest.mark.parametrize(
    ("due", "reason"),
    [
        ("whenever", r"I can't read 'whenever' as a due date: write it like 2026-12-01 18:00"),
        ("2030-02-30 18:00", r"not a real date and time \(day is out of range"),
        ("2030-13-01 18:00", r"not a real date and time"),
        ("2030-02-01 18:00", r"already past \(<t:\d+:R>\)"),
        ("2030-03-31 02:30", r"does not exist in Europe/Paris.*such as 03:30"),
        ("2030-10-27 02:30", r"happens twice in Europe/Paris"),
        ("2039-01-01 10:00", r"more than five years away"),
    ],
)
async def test_bad_due_dates_are_explained_and_nothing_is_posted(
    hw: LocalSession, due: str, reason: str
) -> None:
    await hw.run("/config timezone name:Europe/Paris", moderator=True)
    refused = await hw.run(f"/homework post week:1 title:Read due:{due}", moderator=True)
    assert refused.reply.ephemeral
    assert re.search(reason, refused.reply.content), refused.reply.content
    assert [m for m in refused.messages if not m.ephemeral] == []
    assert await _store(hw).find(hw.double.world.guild_id) == []


async def test_missing_options_are_explained(hw: LocalSession) -> None:
    refused = await hw.run("/homework post week:1 title:Read", moderator=True)
    assert refused.reply.ephemeral and "Give week, title and due" in refused.reply.content


async def test_a_failed_announcement_saves_nothing(hw: LocalSession) -> None:
    sessions = hw.channel("sessions")
    await hw.run("/config channel purpose:homework channel:#sessions", moderator=True)
    del hw.double.world.channels[sessions.id]  # Discord now answers 404 Unknown Channel
    refused = await hw.run(f"/homework post week:1 title:Read due:{DUE}", moderator=True)
    assert refused.reply.ephemeral and "was not saved" in refused.reply.content
    assert await _store(hw).find(hw.double.world.guild_id) == []
    assert hw.bot is not None
    assert await ReminderStore(hw.bot.db).pending(hw.double.world.guild_id) == []


@pytest.mark.parametrize(
    "line",
    [
        f"/homework post week:1 title:Sneaky due:{DUE}",
        "/homework post",
        "/homework edit homework:1 title:Sneaky",
        "/homework close homework:1",
        "/homework delete homework:1",
        "/homework progress homework:1",
    ],
)
async def test_moderator_commands_are_refused_for_members(
    hw: LocalSession, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _post(hw)
    caplog.set_level(logging.INFO, logger="bot.errors")
    refused = await hw.run(line, user="Grace")
    assert refused.reply.ephemeral and "This is for moderators" in refused.reply.content
    assert refused.modal is None
    assert any("Refused /homework" in record.getMessage() for record in caplog.records)
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.title == "Read chapter 1" and not saved.closed
    assert await _actions(hw) == ["homework.post"]


async def test_titles_never_ping(hw: LocalSession) -> None:
    announcement = await _post(hw, title="@everyone read <@&123> now")
    assert announcement.pings() == []
    assert announcement.allowed_mentions == {"parse": []}


# --- buttons --------------------------------------------------------------------------------------


async def test_mark_done_sets_survives_a_restart_and_undo_unsets(hw: LocalSession) -> None:
    announcement = await _post(hw)
    grace = hw.member("Grace")
    pressed = await hw.click(announcement, "Mark done", user="Grace")
    assert pressed.reply.ephemeral and pressed.reply.content.startswith(
        "✅ Marked **Week 1 · Read chapter 1** as done"
    )
    (homework,) = await _store(hw).find(hw.double.world.guild_id)
    status = await _store(hw).status(hw.double.world.guild_id, homework.id, grace.id)
    assert status is not None and status.done

    await hw.restart()
    # A second press (a laggy double tap) never undoes the first.
    again = await hw.click(announcement, "Mark done", user="Grace")
    assert again.reply.content == "You had already marked **Week 1 · Read chapter 1** as done."
    status = await _store(hw).status(hw.double.world.guild_id, homework.id, grace.id)
    assert status is not None and status.done
    statuses = await _store(hw).statuses(hw.double.world.guild_id, homework.id)
    assert sum(item.done for item in statuses) == 1
    undone = await hw.click(again.reply, "Undo", user="Grace")
    assert undone.reply.id == again.reply.id  # the confirmation itself says it, without its button
    assert undone.reply.content == "**Week 1 · Read chapter 1** is no longer marked done."
    assert undone.reply.components == []
    status = await _store(hw).status(hw.double.world.guild_id, homework.id, grace.id)
    assert status is not None and not status.done
    third = await hw.click(announcement, "Mark done", user="Grace")
    assert "as done" in third.reply.content


async def test_two_presses_at_once_mark_done_once(hw: LocalSession) -> None:
    announcement = await _post(hw)
    button = _button(announcement, "Mark done")
    grace = hw.member("Grace")
    payloads = [
        hw.payloads.component(announcement, button["custom_id"], button["type"], grace) for _ in range(2)
    ]
    first, second = await hw.send_many(payloads)
    texts = sorted([first.reply.content, second.reply.content])
    assert texts == [
        "You had already marked **Week 1 · Read chapter 1** as done.",
        "✅ Marked **Week 1 · Read chapter 1** as done. Well done!",
    ]
    (homework,) = await _store(hw).find(hw.double.world.guild_id)
    status = await _store(hw).status(hw.double.world.guild_id, homework.id, grace.id)
    assert status is not None and status.done


async def test_remind_me_sets_a_stored_reminder_and_undo_cancels_it(hw: LocalSession) -> None:
    announcement = await _post(hw)
    assert hw.bot is not None
    reminders = ReminderStore(hw.bot.db)
    guild = hw.double.world.guild_id
    on = await hw.click(announcement, "Remind me", user="Grace")
    assert on.reply.ephemeral and on.reply.content.startswith(
        "🔔 I'll remind you about **Week 1 · Read chapter 1**"
    )
    unix = int(utc(2030, 3, 9, 18, 0).timestamp())  # the default: one day before
    assert f"<t:{unix}:R>" in on.reply.content
    (pending,) = await reminders.pending(guild, "homework.member")
    assert pending.user_id == hw.member("Grace").id and pending.expires_at == DUE_UTC
    await hw.restart()
    twice = await hw.click(announcement, "Remind me", user="Grace")
    assert twice.reply.content == "🔔 Your reminder for **Week 1 · Read chapter 1** is already on."
    assert len(await ReminderStore(hw.bot.db).pending(guild, "homework.member")) == 1
    off = await hw.click(twice.reply, "Undo", user="Grace")
    assert off.reply.content == "🔕 No reminder for **Week 1 · Read chapter 1** any more."
    assert await ReminderStore(hw.bot.db).pending(guild, "homework.member") == []


async def test_buttons_of_deleted_homework_answer_politely(hw: LocalSession) -> None:
    announcement = await _post(hw)
    asked = await hw.run("/homework delete homework:Read chapter 1", moderator=True)
    assert asked.reply.ephemeral and "Delete **Week 1 · Read chapter 1**" in asked.reply.content
    kept = await hw.click(asked.reply, "Keep it", moderator=True)
    assert kept.reply.content == "Kept: nothing was deleted."
    assert len(await _store(hw).find(hw.double.world.guild_id)) == 1

    asked = await hw.run("/homework delete homework:Read chapter 1", moderator=True)
    refused = await hw.click(asked.reply, "Delete", user="Grace")
    assert refused.reply.ephemeral and "moderators" in refused.reply.content
    await hw.restart()
    deleted = await hw.click(asked.reply, "Delete", moderator=True)
    assert deleted.reply.content == "Deleted **Week 1 · Read chapter 1** and everyone's marks."
    assert hw.double.messages[announcement.id].deleted
    assert await _store(hw).find(hw.double.world.guild_id) == []
    stale = await hw.click(announcement, "Mark done", user="Grace")
    assert stale.reply.ephemeral and stale.reply.content == "This homework was deleted."
    stale = await hw.click(announcement, "Remind me", user="Grace")
    assert stale.reply.content == "This homework was deleted."
    assert (await _actions(hw)).count("homework.delete") == 1


# --- moderators: edit, close, progress ------------------------------------------------------------


async def test_edit_rerenders_the_announcement_and_moves_reminders(hw: LocalSession) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    (homework,) = await _store(hw).find(hw.double.world.guild_id)
    edited = await hw.run(
        f"/homework edit homework:{homework.id} title:Read chapters 1 and 2 due:2030-03-12 09:00",
        moderator=True,
    )
    assert edited.reply.ephemeral and "Updated **Week 1 · Read chapters 1 and 2**" in edited.reply.content
    assert "The announcement is updated." in edited.reply.content
    message = hw.double.messages[announcement.id]
    unix = int(utc(2030, 3, 12, 9, 0).timestamp())
    assert message.embeds[0]["title"] == "📚 Week 1 · Read chapters 1 and 2"
    assert message.embeds[0]["fields"][0]["value"] == f"<t:{unix}:F> (<t:{unix}:R>)"
    assert _button(message, "Mark done")  # the buttons are still there
    assert hw.bot is not None
    (pending,) = await ReminderStore(hw.bot.db).pending(hw.double.world.guild_id, "homework.member")
    assert pending.due_at == utc(2030, 3, 11, 9, 0) and pending.expires_at == utc(2030, 3, 12, 9, 0)

    nothing = await hw.run(f"/homework edit homework:{homework.id}", moderator=True)
    assert "Give at least one thing" in nothing.reply.content
    past = await hw.run(f"/homework edit homework:{homework.id} due:2030-01-01 10:00", moderator=True)
    assert "already past" in past.reply.content
    unknown = await hw.run("/homework edit homework:Read chapter 9 week:2", moderator=True)
    assert "no homework called 'Read chapter 9'" in unknown.reply.content
    assert (await _actions(hw)).count("homework.edit") == 1


async def test_an_edit_reposts_a_deleted_announcement(hw: LocalSession) -> None:
    announcement = await _post(hw)
    hw.double.messages[announcement.id].deleted = True  # someone deleted it in Discord
    edited = await hw.run("/homework edit homework:Read chapter 1 week:2", moderator=True)
    assert "posted it again" in edited.reply.content
    (homework,) = await _store(hw).find(hw.double.world.guild_id)
    assert homework.message_id != announcement.id
    assert hw.double.messages[homework.message_id or 0].embeds[0]["title"] == "📚 Week 2 · Read chapter 1"


async def test_close_disables_the_buttons_and_freezes_marks(hw: LocalSession) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    closed = await hw.run("/homework close homework:Read chapter 1", moderator=True)
    assert closed.reply.content.startswith("Closed **Week 1 · Read chapter 1**")
    message = hw.double.messages[announcement.id]
    assert _button(message, "Mark done").get("disabled") is True
    assert any(field["name"] == "Status" for field in message.embeds[0]["fields"])
    assert hw.bot is not None
    assert await ReminderStore(hw.bot.db).pending(hw.double.world.guild_id) == []
    late = await hw.click(announcement, "Mark done", user="Linus")  # a stale client still shows it enabled
    assert late.reply.ephemeral and "is closed" in late.reply.content
    again = await hw.run("/homework close homework:Read chapter 1", moderator=True)
    assert "already closed" in again.reply.content
    done = await hw.run("/homework done homework:Read chapter 1", user="Linus")
    assert "is closed" in done.reply.content


async def test_progress_counts_and_names_who_is_done(hw: LocalSession) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Mark done", user="Grace")
    await hw.click(announcement, "Mark done", user="Linus")
    await hw.click(announcement, "Remind me", user="Ada")
    shown = await hw.run("/homework progress homework:Read chapter 1", moderator=True)
    assert shown.reply.ephemeral
    fields = {field["name"]: field["value"] for field in shown.reply.embeds[0]["fields"]}
    assert fields["Done"] == "2" and fields["Reminders"] == "1 to go out · 0 sent"
    # Members show as mentions: Discord renders them as names, and mentions in embeds never ping.
    grace, linus = hw.member("Grace").id, hw.member("Linus").id
    assert fields["Marked done by"] == f"<@{grace}>, <@{linus}>"


# --- members: list, done, undo, mine --------------------------------------------------------------


async def test_members_list_mark_and_review_their_homework(hw: LocalSession) -> None:
    await _post(hw)
    await hw.run(
        "/homework post week:2 title:Fine-tune a model due:2030-03-17 18:00 optional:true", moderator=True
    )
    listed = await hw.run("/homework list", user="Grace")
    assert listed.reply.ephemeral
    assert [field["name"] for field in listed.reply.embeds[0]["fields"]] == ["Week 1", "Week 2"]

    choices = await hw.autocomplete("/homework done homework:chapter", "homework", user="Grace")
    assert [choice["name"] for choice in choices] == ["Week 1 · Read chapter 1 · due 2030-03-10 18:00 UTC"]
    done = await hw.run(f"/homework done homework:{choices[0]['value']}", user="Grace")
    assert done.reply.content.startswith("✅ Marked **Week 1 · Read chapter 1** as done")
    twice = await hw.run("/homework done homework:Read chapter 1", user="Grace")
    assert twice.reply.content == "You had already marked **Week 1 · Read chapter 1** as done."

    week1 = await hw.run("/homework list week:1", user="Grace")
    assert "✅" in week1.reply.embeds[0]["fields"][0]["value"]
    mine = await hw.run("/homework mine", user="Grace")
    fields = {field["name"]: field["value"] for field in mine.reply.embeds[0]["fields"]}
    assert "Fine-tune a model" in fields["Due next (1)"] and "Read chapter 1" in fields["Done (1)"]

    undone = await hw.run("/homework undo homework:Read chapter 1", user="Grace")
    assert undone.reply.content == "**Week 1 · Read chapter 1** is no longer marked done."
    nothing = await hw.run("/homework list week:9", user="Grace")
    assert nothing.reply.ephemeral and "no homework for week 9" in nothing.reply.content
    unknown = await hw.run("/homework done homework:Read chaptr 1", user="Grace")
    assert "Did you mean **Week 1 · Read chapter 1**" in unknown.reply.content


async def test_homework_autocomplete_is_bounded(hw: LocalSession) -> None:
    assert hw.bot is not None
    for n in range(30):
        await hw.run(f"/homework post week:{n % 5 + 1} title:Exercise {n:02d} due:{DUE}", moderator=True)
    choices = await hw.autocomplete("/homework done homework:", "homework")
    assert len(choices) == 25 and all(len(choice["name"]) <= 100 for choice in choices)
    narrowed = await hw.autocomplete("/homework progress homework:exercise 07", "homework", moderator=True)
    assert [choice["name"].split(" · ")[1] for choice in narrowed] == ["Exercise 07"]


# --- durability -----------------------------------------------------------------------------------


async def test_a_crash_between_commit_and_reply_loses_nothing(
    hw: LocalSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cogs.homework._homework_cog as cog_module

    async def lost_connection(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("the gateway went away before the reply")

    monkeypatch.setattr(cog_module, "reply", lost_connection)
    with hw.allowing_errors():
        posted = await hw.run(f"/homework post week:1 title:Read chapter 1 due:{DUE}", moderator=True)
    monkeypatch.undo()
    await hw.restart()
    (homework,) = await _store(hw).find(hw.double.world.guild_id)
    assert homework.title == "Read chapter 1" and homework.message_id is not None
    announcement = hw.double.messages[homework.message_id]
    assert announcement in posted.messages
    pressed = await hw.click(announcement, "Mark done", user="Grace")
    assert "as done" in pressed.reply.content


async def test_homework_commands_only_work_in_a_server(hw: LocalSession) -> None:
    assert next(s for s in hw.schemas() if s["name"] == "homework").get("contexts") == [0]
    refused = await hw.run("/homework mine", dm=True)
    assert refused.reply.ephemeral and "only works in a server" in refused.reply.content


# --- due dates as a study group writes them ---------------------------------------------------------


async def test_a_date_alone_is_confirmed_as_the_end_of_that_day_or_the_groups_due_time(
    hw: LocalSession,
) -> None:
    await hw.run("/config timezone name:Europe/Paris", moderator=True)
    asked = await hw.run("/homework post week:1 title:Read chapter 1 due:2030-03-12", moderator=True)
    end_of_day = utc(2030, 3, 12, 22, 59)  # 23:59 in Paris (UTC+1)
    unix = int(end_of_day.timestamp())
    assert asked.reply.ephemeral and f"<t:{unix}:F> (<t:{unix}:R>)" in asked.reply.content
    assert "no time was given, so it is due at the end of that day" in asked.reply.content
    assert [m for m in asked.messages if not m.ephemeral] == []  # nothing announced yet
    assert await _store(hw).find(hw.double.world.guild_id) == []
    dropped = await hw.click(asked.reply, "Cancel", moderator=True)
    assert dropped.reply.content == "Cancelled: nothing was saved."

    await hw.run("/config due-time time:18:00", moderator=True)
    again = await hw.run("/homework post week:1 title:Read chapter 1 due:2030-03-12", moderator=True)
    assert "the group's due time, 18:00" in again.reply.content
    posted = await hw.click(again.reply, "Post it", moderator=True)
    (announcement,) = [m for m in posted.messages if not m.ephemeral]
    assert announcement.embeds[0]["title"] == "📚 Week 1 · Read chapter 1"
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.due_at == utc(2030, 3, 12, 17)  # 18:00 in Paris


async def test_exact_due_dates_with_6pm_are_posted_at_once(hw: LocalSession) -> None:
    done = await hw.run("/homework post week:1 title:Read chapter 1 due:2030-03-12 6pm", moderator=True)
    assert done.reply.content.startswith("Posted **Week 1 · Read chapter 1**")
    (saved,) = await _store(hw).find(hw.double.world.guild_id)
    assert saved.due_at == utc(2030, 3, 12, 18)


async def test_an_edit_to_a_weekday_asks_first_then_moves_the_announcement(hw: LocalSession) -> None:
    announcement = await _post(hw)
    asked = await hw.run("/homework edit homework:Read chapter 1 due:next friday 18:00", moderator=True)
    friday = utc(2030, 3, 8, 18)  # START is Friday 1 March: the next one
    assert f"<t:{int(friday.timestamp())}:F>" in asked.reply.content and "Save it?" in asked.reply.content
    (unchanged,) = await _store(hw).find(hw.double.world.guild_id)
    assert unchanged.due_at == DUE_UTC
    saved = await hw.click(asked.reply, "Save it", moderator=True)
    assert saved.messages[-1].content.startswith("Updated **Week 1 · Read chapter 1**, due <t:")
    (moved,) = await _store(hw).find(hw.double.world.guild_id)
    assert moved.due_at == friday
    unix = int(friday.timestamp())
    assert announcement.embeds[0]["fields"][0]["value"] == f"<t:{unix}:F> (<t:{unix}:R>)"


async def test_only_the_moderator_who_asked_can_confirm(hw: LocalSession) -> None:
    asked = await hw.run("/homework post week:1 title:Read due:tomorrow", moderator=True)
    stranger = await hw.click(asked.reply, "Post it", user="Grace")
    assert stranger.reply.ephemeral and "Only the member who ran the command" in stranger.reply.content
    assert await _store(hw).find(hw.double.world.guild_id) == []


async def test_homework_reminders_turned_off(hw: LocalSession, clock: ManualClock) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    await hw.run("/config reminders area:homework minutes:off", moderator=True)
    refused = await hw.click(announcement, "Remind me", user="Linus")
    assert refused.reply.ephemeral and "Homework reminders are turned off" in refused.reply.content
    posted = await hw.run(
        "/homework post week:2 title:Chapter 2 due:2030-03-11 18:00 channel_reminder:true", moderator=True
    )
    assert "Reminders are off on this server" in posted.reply.content
    assert hw.bot is not None
    assert len(await ReminderStore(hw.bot.db).pending(hw.double.world.guild_id)) == 2
    for moment in (utc(2030, 3, 9, 18), DUE_UTC, utc(2030, 3, 11, 18)):  # past both reminders' times
        await clock.set(moment)
        await hw.bot.scheduler.wait_idle()
    assert await ReminderStore(hw.bot.db).pending(hw.double.world.guild_id) == []  # handled: skipped
    titles = [str(m.embeds[0].get("title")) for m in hw.double.messages.values() if m.embeds]
    assert not [title for title in titles if title.startswith("⏰")]
