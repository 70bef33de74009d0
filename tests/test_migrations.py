"""Numbered migrations: forward from every version, atomic, and no downgrade."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.db import MigrationError, apply_migrations, latest_version, open_database
from bot.db.migrations import load_migrations, schema_version


async def _schema(db: aiosqlite.Connection) -> list[tuple[str, str]]:
    async with db.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ) as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_open_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "sub" / "x.sqlite3")
    try:
        async with db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"
        async with db.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1
    finally:
        await db.close()


@pytest.mark.parametrize("start", range(latest_version() + 1))
async def test_migrates_from_every_version_to_the_latest(tmp_path: Path, start: int) -> None:
    fresh = await open_database(tmp_path / "fresh.sqlite3")
    old = await open_database(tmp_path / "old.sqlite3")
    try:
        await apply_migrations(fresh)
        for migration in load_migrations()[:start]:
            await old.executescript(f"BEGIN;{migration.sql};PRAGMA user_version={migration.version};COMMIT;")
        assert await schema_version(old) == start
        assert await apply_migrations(old) == latest_version()
        assert await schema_version(old) == latest_version()
        assert await _schema(old) == await _schema(fresh)
    finally:
        await fresh.close()
        await old.close()


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001-first.sql").write_text("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);")
    (folder / "002-broken.sql").write_text(
        "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2); CREATE TABLE a (z);"
    )
    db = await open_database(tmp_path / "x.sqlite3")
    try:
        with pytest.raises(MigrationError, match=r"002-broken\.sql failed and was rolled back"):
            await apply_migrations(db, folder)
        assert await schema_version(db) == 1
        assert [name for name, _ in await _schema(db)] == ["a"]
        async with db.execute("SELECT x FROM a") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == [1]
    finally:
        await db.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "x.sqlite3")
    try:
        await db.execute(f"PRAGMA user_version = {latest_version() + 3}")
        with pytest.raises(MigrationError, match="only knows versions up to"):
            await apply_migrations(db)
    finally:
        await db.close()


def test_migration_numbering_has_no_gap(tmp_path: Path) -> None:
    (tmp_path / "001-a.sql").write_text("SELECT 1;")
    (tmp_path / "003-c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="expected 002"):
        load_migrations(tmp_path)
    assert [m.version for m in load_migrations()] == list(range(1, latest_version() + 1))
