"""Reads never wait behind an unrelated write (issue 13): the bot's database sends reads outside
units of work to a second connection, and everything else to the writer, in order."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.db import apply_migrations, open_database
from bot.db.connection import Database, with_reader
from bot.db.transaction import transaction

ADD = "INSERT INTO demo_runs (guild_id, user_id, task, inputs, params) VALUES (1, ?, 'ner', '[]', '{}')"


@pytest.fixture
async def database(tmp_path: Path) -> Database:
    writer = await open_database(tmp_path / "bot.sqlite3")
    await apply_migrations(writer)
    db = await with_reader(writer, tmp_path / "bot.sqlite3")
    yield db  # type: ignore[misc]
    await db.close()


async def count(db: Database) -> int:
    async with db.execute("SELECT count(*) FROM demo_runs") as cursor:
        row = await cursor.fetchone()
    return int(row[0])


async def test_a_read_is_answered_while_the_writer_is_stuck_in_a_write(database: Database) -> None:
    entered, release = threading.Event(), threading.Event()

    def stall() -> int:  # runs on the writer's thread, inside its INSERT statement
        entered.set()
        release.wait(30)
        return 7

    await database.writer.create_function("stall", 0, stall)
    await database.execute(ADD, (1,))
    await database.commit()

    async def long_write() -> None:
        async with transaction(database) as db:
            await db.execute(
                "INSERT INTO demo_runs (guild_id, user_id, task, inputs, params) "
                "VALUES (1, stall(), 'ner', '[]', '{}')"
            )

    writing = asyncio.create_task(long_write())
    await asyncio.to_thread(entered.wait, 30)
    try:
        assert await asyncio.wait_for(count(database), 10) == 1  # the committed state, at once
        assert not writing.done()
    finally:
        release.set()
    await writing
    assert await count(database) == 2  # and the write's result once it is committed


async def test_reads_inside_a_unit_of_work_see_its_own_changes(database: Database) -> None:
    async with transaction(database) as db:
        await db.execute(ADD, (1,))
        assert await count(db) == 1  # on the writer, before the commit
        seen_outside = await asyncio.create_task(count(database))  # another task: the reader
        assert seen_outside == 0
    assert await count(database) == 1


async def test_the_reader_cannot_write(database: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match=r"readonly"):
        await database.reader.execute(ADD, (1,))
    await database.execute(ADD, (2,))  # a write sent to the database goes to the writer
    await database.commit()
    assert await count(database) == 1
