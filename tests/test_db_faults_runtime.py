"""Database faults while the bot runs, through the real bot and the Discord double.

The faults are SQLite's own, on the bot's real database file: ``PRAGMA max_page_count`` reached
(SQLite answers ``SQLITE_FULL``, as on a full disk), ``PRAGMA query_only`` (``SQLITE_READONLY``,
as on a read-only file) and a second connection holding the write lock (``SQLITE_BUSY`` once the
bot's busy timeout runs out). Members are told what happened and that nothing changed, reads keep
working, the operator's log gets one line per kind of fault, and the bot recovers by itself.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator

import pytest

from bot import errors
from bot.db.demo_runs import DemoRunStore
from bot.db.faults import FULL, LOCKED
from bot.db.reminders import to_text
from bot.db.resources import ResourceStore
from bot.errors import FaultLog
from bot.local.session import Exchange, LocalSession

ADD = "/resources add title:{title} url:https://huggingface.co/{title} category:tools"


@pytest.fixture(autouse=True)
def fresh_fault_log(monkeypatch: pytest.MonkeyPatch) -> FaultLog:
    """A fault log of this test's own (the rate limit is per process)."""
    log = FaultLog()
    monkeypatch.setattr(errors, "fault_log", log)
    return log


async def _titles(session: LocalSession) -> list[str]:
    assert session.bot is not None
    rows = await ResourceStore(session.bot.db).find(session.double.world.guild_id)
    return sorted(row.title for row in rows)


async def _add(session: LocalSession, title: str) -> Exchange:
    return await session.run(ADD.format(title=title), moderator=True)


def _fault_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.errors" and record.getMessage().startswith("Database fault")
    ]


async def _assert_refused_then_reads_work(session: LocalSession, reason: str, line: str = "") -> None:
    for title in ("Docs", "Spaces"):  # two refusals: the members each hear it, the log once
        refused = await session.run(line or ADD.format(title=title), moderator=True)
        assert refused.reply.ephemeral
        assert refused.reply.content == (
            f"The bot cannot save right now ({reason}); nothing was changed. Try again later."
        )
    listed = await session.run("/resources list")
    assert "Hub" in listed.render() and "cannot" not in listed.render()
    assert await _titles(session) == ["Hub"]


async def test_a_full_database_refuses_changes_clearly_and_keeps_reads(
    session: LocalSession, caplog: pytest.LogCaptureFixture, fresh_fault_log: FaultLog
) -> None:
    assert session.bot is not None
    assert "Saved" in (await _add(session, "Hub")).reply.content
    db = session.bot.db
    async with db.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    pages = row[0]
    # The file may not grow by a page: the starter pack (about 6 kB of rows, more than the
    # resources table's one page holds) meets SQLITE_FULL, as on a full disk.
    await db.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level(logging.WARNING, logger="bot.errors"):
        await _assert_refused_then_reads_work(session, "the disk is full", "/resources starter-pack")
    (line,) = _fault_lines(caplog)
    assert "the disk is full (first seen in /resources starter-pack)" in line and "free some space" in line
    assert fresh_fault_log.seen == {"full": 2}
    await db.execute("PRAGMA max_page_count = 1073741823")  # room again: no restart needed
    added = await session.run("/resources starter-pack", moderator=True)
    assert "added" in added.reply.embeds[0]["title"]
    assert len(await _titles(session)) > 10


async def test_a_read_only_database_refuses_changes_clearly_and_keeps_reads(
    session: LocalSession, caplog: pytest.LogCaptureFixture
) -> None:
    assert session.bot is not None
    assert "Saved" in (await _add(session, "Hub")).reply.content
    await session.bot.db.execute("PRAGMA query_only = ON")  # every write: SQLITE_READONLY
    with caplog.at_level(logging.WARNING, logger="bot.errors"):
        await _assert_refused_then_reads_work(session, "the database is read-only")
    (line,) = _fault_lines(caplog)
    assert "make the database file, its folder and its filesystem writable" in line
    await session.bot.db.execute("PRAGMA query_only = OFF")
    assert "Saved" in (await _add(session, "Docs")).reply.content


@contextlib.contextmanager
def write_lock(session: LocalSession) -> Iterator[None]:
    """Another connection to the bot's file holds the write lock (as another program would)."""
    other = sqlite3.connect(session.settings.database_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.close()


async def test_a_locked_database_refuses_changes_clearly_and_keeps_reads(
    session: LocalSession, caplog: pytest.LogCaptureFixture, fresh_fault_log: FaultLog
) -> None:
    assert "Saved" in (await _add(session, "Hub")).reply.content
    with write_lock(session), caplog.at_level(logging.WARNING, logger="bot.errors"):
        # The bot waits its short busy timeout for the lock, then answers within Discord's 3 s
        # (the double refuses a late first response).
        await _assert_refused_then_reads_work(session, "the database is locked by another program")
    (line,) = _fault_lines(caplog)
    assert "another studybot" in line
    assert fresh_fault_log.seen == {"locked": 2}
    assert "Saved" in (await _add(session, "Docs")).reply.content  # the lock is gone: saved again


def test_the_fault_log_logs_each_kind_once_per_period(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    log = FaultLog(every_s=600, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.errors"):
        for _ in range(5):
            log.note(FULL, "/resources add")
        log.note(LOCKED, "/homework done")
        now[0] += 599
        log.note(FULL, "/papers vote")
        now[0] += 2
        log.note(FULL, "/papers vote")
    lines = _fault_lines(caplog)
    assert len(lines) == 3
    assert "first seen in /resources add" in lines[0] and "locked" in lines[1]
    assert "first seen in /papers vote" in lines[2]
    assert log.seen == {"full": 7, "locked": 1}


async def test_old_demo_calls_are_forgotten_in_the_background_after_start(session: LocalSession) -> None:
    assert session.bot is not None
    store = DemoRunStore(session.bot.db)
    old = await store.add(None, 1, "sentiment-analysis", None, ["old"], {})
    recent = await store.add(None, 1, "sentiment-analysis", None, ["recent"], {})
    await session.bot.db.execute(
        "UPDATE demo_runs SET created_at = ? WHERE id = ?",
        (to_text(session.bot.clock.now().replace(year=2000)), old.id),
    )
    await session.bot.db.commit()
    await session.restart()  # a new start: the pruning runs in the background, not in the start
    assert session.bot is not None
    await session.bot.housekept.wait()
    store = DemoRunStore(session.bot.db)
    assert await store.find(old.reference, guild_id=None, user_id=1) is None
    assert await store.find(recent.reference, guild_id=None, user_id=1) is not None
