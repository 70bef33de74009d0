"""HomeworkStore and due-date parsing, without Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.clock import utc
from bot.db import apply_migrations, audit, open_database
from bot.db.homework import KIND_CHANNEL, KIND_MEMBER, HomeworkChanges, HomeworkDraft, HomeworkStore
from bot.db.reminders import ReminderStore
from bot.errors import UserFacingError
from cogs.homework._due import parse_due, remind_time
from cogs.homework._modals import parse_week, parse_yes_no

GUILD_A, GUILD_B, MOD, MEMBER = 111, 222, 7, 8
NOW = utc(2030, 3, 1, 12, 0)
DUE = utc(2030, 3, 10, 18, 0)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(tmp_path / "store.sqlite3")
    await apply_migrations(connection)
    yield connection
    await connection.close()


async def _post(store: HomeworkStore, guild: int, *, channel_reminder: bool = False) -> int:
    draft = HomeworkDraft(week=1, title="Read", due_at=DUE, channel_reminder=channel_reminder)
    homework = await store.post(
        guild, draft, user_id=MOD, channel_id=5, channel_remind_at=DUE - timedelta(days=1)
    )
    return homework.id


# --- due dates -------------------------------------------------------------------------------------


def test_due_dates_are_read_in_the_servers_time_zone() -> None:
    assert parse_due("2030-03-10 18:00", PARIS, NOW) == utc(2030, 3, 10, 17, 0)  # winter: UTC+1
    assert parse_due("2030-07-10 18:00", PARIS, NOW) == utc(2030, 7, 10, 16, 0)  # summer: UTC+2
    assert parse_due(" 2030-3-1 18:05 ", ZoneInfo("UTC"), NOW) == utc(2030, 3, 1, 18, 5)
    assert parse_due("2030-03-10T09:30", ZoneInfo("Asia/Kolkata"), NOW) == utc(2030, 3, 10, 4, 0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/31/2030 18:00", "I can't read '31/31/2030 18:00' as a due date: write it like 2026-12-01 18:00"),
        ("someday soon", "I can't read 'someday soon' as a due date"),
        ("2030-13-01 18:00", "not a real date"),  # dateparser alone would read the 13th of January
        ("last friday", "already past"),
        ("2030-02-29 10:00", "not a real date"),
        ("2030-03-10 24:00", "not a real date"),
        ("2030-03-31 02:30", "does not exist in Europe/Paris"),
        ("2030-10-27 02:30", "happens twice in Europe/Paris"),
        ("2030-03-01 12:00", "already past"),
        ("2036-01-01 12:00", "five years"),
    ],
)
def test_bad_due_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(UserFacingError, match=reason):
        parse_due(text, PARIS, NOW)


def test_the_day_after_a_dst_change_is_fine() -> None:
    assert parse_due("2030-03-31 03:30", PARIS, NOW) == utc(2030, 3, 31, 1, 30)
    assert parse_due("2030-10-27 03:30", PARIS, NOW) == utc(2030, 10, 27, 2, 30)


def test_remind_time_is_the_lead_before_or_halfway() -> None:
    assert remind_time(DUE, timedelta(days=1), NOW) == DUE - timedelta(days=1)
    soon = NOW + timedelta(hours=4)
    assert remind_time(soon, timedelta(days=1), NOW) == NOW + timedelta(hours=2)


def test_form_fields_are_checked() -> None:
    assert parse_week(" Week 4 ") == 4 and parse_yes_no("Yes", "x") and not parse_yes_no("", "x")
    with pytest.raises(UserFacingError, match="1 to 52"):
        parse_week("0")
    with pytest.raises(UserFacingError, match="yes or no"):
        parse_yes_no("maybe", "Optional")


# --- the store -------------------------------------------------------------------------------------


async def test_one_server_cannot_read_or_change_anothers_homework(db: aiosqlite.Connection) -> None:
    store = HomeworkStore(db)
    mine = await _post(store, GUILD_A, channel_reminder=True)
    await store.set_remind(GUILD_A, mine, MEMBER, True, now=NOW, remind_at=DUE - timedelta(days=1))
    assert await store.get(GUILD_B, mine) is None
    assert await store.find(GUILD_B) == []
    assert await store.statuses(GUILD_B, mine) == []
    assert await store.member_statuses(GUILD_B, MEMBER) == {}
    assert await store.delete(GUILD_B, mine, user_id=MOD) is None
    for attempt in (
        store.close(GUILD_B, mine, user_id=MOD),
        store.set_done(GUILD_B, mine, MEMBER, True, now=NOW, remind_at=NOW),
        store.set_remind(GUILD_B, mine, MEMBER, False, now=NOW, remind_at=NOW),
        store.update(
            GUILD_B,
            mine,
            HomeworkChanges(title="x"),
            user_id=MOD,
            member_remind_at=NOW,
            channel_remind_at=None,
        ),
    ):
        with pytest.raises(UserFacingError, match="no longer exists"):
            await attempt
    homework = await store.get(GUILD_A, mine)
    assert homework is not None and homework.title == "Read" and not homework.closed
    assert len(await ReminderStore(db).pending(GUILD_A)) == 2
    assert await ReminderStore(db).pending(GUILD_B) == []
    status = await store.status(GUILD_A, mine, MEMBER)
    assert status is not None and status.remind and not status.done


async def test_a_post_lands_whole_or_not_at_all(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = HomeworkStore(db)

    async def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_audit)
    with pytest.raises(RuntimeError, match="disk full"):
        await _post(store, GUILD_A, channel_reminder=True)
    monkeypatch.undo()
    assert await store.find(GUILD_A) == []
    assert await ReminderStore(db).pending(GUILD_A) == []
    assert not db.in_transaction


async def test_member_marks_and_reminders(db: aiosqlite.Connection) -> None:
    store = HomeworkStore(db)
    reminders = ReminderStore(db)
    homework = await _post(store, GUILD_A)
    at = DUE - timedelta(days=1)
    assert await store.set_remind(GUILD_A, homework, MEMBER, True, now=NOW, remind_at=at) == "added"
    assert await store.set_remind(GUILD_A, homework, MEMBER, True, now=NOW, remind_at=at) == "unchanged"
    assert await store.set_done(GUILD_A, homework, MEMBER, True, now=NOW, remind_at=at)
    assert not await store.set_done(GUILD_A, homework, MEMBER, True, now=NOW, remind_at=at)
    assert await reminders.pending(GUILD_A, KIND_MEMBER) == []
    assert await store.set_done(GUILD_A, homework, MEMBER, False, now=NOW, remind_at=at)
    assert len(await reminders.pending(GUILD_A, KIND_MEMBER)) == 1
    assert await store.set_remind(GUILD_A, homework, MEMBER, False, now=NOW, remind_at=at) == "removed"
    assert await reminders.pending(GUILD_A, KIND_MEMBER) == []
    assert [e.action for e in await audit.recent(db, GUILD_A)] == ["homework.post"]  # members aren't audited


async def test_deleting_homework_removes_marks_and_pending_reminders(db: aiosqlite.Connection) -> None:
    store = HomeworkStore(db)
    homework = await _post(store, GUILD_A, channel_reminder=True)
    other = await _post(store, GUILD_A, channel_reminder=True)
    await store.set_remind(GUILD_A, homework, MEMBER, True, now=NOW, remind_at=NOW + timedelta(days=1))
    await store.set_done(GUILD_A, homework, MEMBER + 1, True, now=NOW, remind_at=NOW)
    deleted = await store.delete(GUILD_A, homework, user_id=MOD)
    assert deleted is not None and deleted.id == homework
    assert await store.statuses(GUILD_A, homework) == []
    pending = await ReminderStore(db).pending(GUILD_A)
    assert [(r.kind, r.target_id) for r in pending] == [(KIND_CHANNEL, other)]
    assert (await audit.recent(db, GUILD_A))[0].action == "homework.delete"
