"""SessionStore on a real SQLite file: reminders follow the sessions, and servers never mix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.clock import utc
from bot.db import apply_migrations, open_database
from bot.db.reminders import ReminderStore
from bot.db.sessions import KIND_CHANNEL, KIND_MEMBER, SessionChanges, SessionDraft, SessionStore
from bot.errors import UserFacingError

GUILD, OTHER = 111, 222
NOW = utc(2031, 3, 17, 9)
LEAD = timedelta(minutes=30)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(tmp_path / "sessions.sqlite3")
    await apply_migrations(connection)
    yield connection
    await connection.close()


def drafts(weeks: int, title: str = "Study group") -> list[SessionDraft]:
    first = utc(2031, 3, 20, 17)
    return [
        SessionDraft(
            number=week + 1,
            week=week + 1,
            title=title,
            topic=f"Section {week + 1}",
            starts_at=first + timedelta(weeks=week),
            ends_at=first + timedelta(weeks=week, minutes=90),
            link="https://meet.example.org/x",
        )
        for week in range(weeks)
    ]


async def schedule(store: SessionStore, guild_id: int, weeks: int = 2, title: str = "Study group") -> list:
    return await store.schedule(
        guild_id, title, drafts(weeks, title), user_id=7, channel_id=99, lead=LEAD, detail="test"
    )


async def test_scheduling_adds_one_channel_reminder_per_session_and_an_audit_entry(
    db: aiosqlite.Connection,
) -> None:
    store = SessionStore(db)
    sessions = await schedule(store, GUILD, 3)
    pending = await ReminderStore(db).pending(GUILD, KIND_CHANNEL)
    assert [(r.target_id, r.due_at, r.expires_at) for r in pending] == [
        (s.id, s.starts_at - LEAD, s.starts_at) for s in sessions
    ]
    async with db.execute("SELECT guild_id, action FROM audit_log") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [(GUILD, "session.schedule")]


async def test_a_new_time_moves_the_channel_and_member_reminders(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, _ = await schedule(store, GUILD)
    _, outcome = await store.set_remind(GUILD, first.id, 42, True, lead=LEAD, now=NOW)
    assert outcome == "added"
    later = first.starts_at + timedelta(hours=2)
    changes = SessionChanges(starts_at=later, ends_at=later + timedelta(hours=1))
    await store.update(GUILD, first.id, changes, user_id=7, lead=LEAD)
    reminders = ReminderStore(db)
    assert [r.due_at for r in await reminders.pending(GUILD, KIND_MEMBER)] == [later - LEAD]
    channel = [r for r in await reminders.pending(GUILD, KIND_CHANNEL) if r.target_id == first.id]
    assert [(r.due_at, r.expires_at) for r in channel] == [(later - LEAD, later)]


async def test_remind_me_sets_twice_without_undoing_and_off_removes(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, _ = await schedule(store, GUILD)
    assert (await store.set_remind(GUILD, first.id, 42, True, lead=LEAD, now=NOW))[1] == "added"
    assert (await store.set_remind(GUILD, first.id, 42, True, lead=LEAD, now=NOW))[1] == "unchanged"
    assert len(await ReminderStore(db).pending(GUILD, KIND_MEMBER)) == 1
    assert (await store.set_remind(GUILD, first.id, 42, False, lead=LEAD, now=NOW))[1] == "removed"
    assert (await store.set_remind(GUILD, first.id, 42, False, lead=LEAD, now=NOW))[1] == "unchanged"
    assert await ReminderStore(db).pending(GUILD, KIND_MEMBER) == []
    with pytest.raises(UserFacingError, match="already started"):
        await store.set_remind(GUILD, first.id, 42, True, lead=LEAD, now=first.starts_at)


async def test_cancelling_drops_pending_reminders_and_keeps_the_row(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, second = await schedule(store, GUILD)
    await store.set_remind(GUILD, first.id, 42, True, lead=LEAD, now=NOW)
    cancelled = await store.cancel(GUILD, [first.id], user_id=7, now=NOW)
    assert [s.id for s in cancelled] == [first.id]
    assert await store.cancel(GUILD, [first.id], user_id=7, now=NOW) == []  # once only
    assert [r.target_id for r in await ReminderStore(db).pending(GUILD)] == [second.id]
    kept = await store.get(GUILD, first.id)
    assert kept is not None and kept.cancelled
    assert [s.id for s in await store.upcoming(GUILD, NOW)] == [second.id]


async def test_announcements_are_remembered_latest_first(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, second = await schedule(store, GUILD)
    assert await store.announcements(GUILD, first.id) == []
    await store.record_announcement(GUILD, first.id, user_id=7, channel_id=5, message_id=100)
    await store.record_announcement(GUILD, first.id, user_id=8, channel_id=5, message_id=200)
    found = await store.announcements(GUILD, first.id)
    assert [(item.message_id, item.user_id) for item in found] == [(200, 8), (100, 7)]
    assert await store.announcements(GUILD, second.id) == []
    assert await store.announcements(OTHER, first.id) == []


async def test_several_sessions_change_in_one_edit(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, second = await schedule(store, GUILD)
    link = "https://meet.example.org/new"
    updated = await store.update_many(
        GUILD,
        [(first.id, SessionChanges(link=link)), (second.id, SessionChanges(link=link))],
        user_id=7,
        lead=LEAD,
    )
    assert [item.link for item in updated] == [link, link]
    assert [item.link for item in await store.series(GUILD, first.series_id)] == [link, link]
    async with db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'session.edit'") as cursor:
        assert (await cursor.fetchone())[0] == 2


async def test_live_and_next(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    first, second = await schedule(store, GUILD)
    assert (await store.current_or_next(GUILD, NOW)) == first
    live = first.starts_at + timedelta(minutes=10)
    assert (await store.current_or_next(GUILD, live)) == first and first.is_live(live)
    after = first.ends_at + timedelta(minutes=1)
    assert (await store.current_or_next(GUILD, after)) == second
    assert (await store.last_started(GUILD, after)) == first
    assert await store.last_started(GUILD, NOW) is None


async def test_one_server_never_reads_or_changes_anothers_sessions(db: aiosqlite.Connection) -> None:
    store = SessionStore(db)
    mine = (await schedule(store, GUILD, title="Ours"))[0]
    theirs = (await schedule(store, OTHER, title="Theirs"))[0]
    assert await store.get(OTHER, mine.id) is None
    assert [s.title for s in await store.upcoming(OTHER, NOW)] == ["Theirs", "Theirs"]
    assert await store.count_upcoming(GUILD, NOW) == 2
    assert await store.series(OTHER, mine.series_id) == []
    with pytest.raises(UserFacingError, match="no session"):
        await store.update(OTHER, mine.id, SessionChanges(title="Hijacked"), user_id=7, lead=LEAD)
    with pytest.raises(UserFacingError, match="no session"):
        await store.set_remind(OTHER, mine.id, 42, True, lead=LEAD, now=NOW)
    assert await store.cancel(OTHER, [mine.id], user_id=7, now=NOW) == []
    await store.set_event(OTHER, mine.id, 12345)
    unchanged = await store.get(GUILD, mine.id)
    assert unchanged is not None and unchanged.title == "Ours" and not unchanged.cancelled
    assert unchanged.event_id is None
    assert (await store.get(OTHER, theirs.id)) is not None
    assert {r.target_id for r in await ReminderStore(db).pending(GUILD)} == {mine.id, mine.id + 1}
