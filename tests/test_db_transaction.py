"""The unit-of-work helper on a real SQLite file: all or nothing, even when the commit fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.db import open_database
from bot.db.transaction import transaction


async def test_a_failed_commit_is_rolled_back_and_does_not_leak_into_the_next_unit(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        await db.executescript(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));"
        )
        # A deferred foreign key is checked at COMMIT: the commit itself fails, as it can on a full disk.
        await db.execute("PRAGMA defer_foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            async with transaction(db):
                await db.execute("INSERT INTO child (id, parent_id) VALUES (1, 99)")
        assert not db.in_transaction
        async with transaction(db):
            await db.execute("INSERT INTO parent (id) VALUES (1)")
        async with db.execute("SELECT (SELECT count(*) FROM child), (SELECT count(*) FROM parent)") as cursor:
            counts = await cursor.fetchone()
        assert counts is not None and tuple(counts) == (0, 1)
    finally:
        await db.close()


async def test_an_error_inside_rolls_back(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        await db.execute("CREATE TABLE t (x)")
        with pytest.raises(RuntimeError):
            async with transaction(db):
                await db.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("boom")
        async with db.execute("SELECT count(*) FROM t") as cursor:
            row = await cursor.fetchone()
        assert row is not None and row[0] == 0
    finally:
        await db.close()
