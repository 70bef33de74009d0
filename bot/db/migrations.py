"""Numbered SQL migrations, tracked by SQLite's ``PRAGMA user_version``.

Migrations are the files ``bot/db/migrations/NNN-name.sql``. Version N is reached by applying file
N; each file runs inside its own transaction together with the ``user_version`` bump, so a failing
migration leaves the database exactly as it was. A database newer than this code refuses to open;
a migration that the storage refuses (a full disk, a read-only or locked file) raises
:class:`~bot.db.faults.DatabaseUnavailable` saying so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.db.faults import DatabaseUnavailable, classify

log = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^(\d{3})-[a-z0-9-]+\.sql$")


class MigrationError(Exception):
    """The schema cannot be brought to the version this code expects."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL script."""

    version: int
    name: str
    sql: str


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """The migrations in ``folder`` (default: the bundled ones), ordered and checked for gaps."""
    root = folder if folder is not None else resources.files("bot.db") / "migrations"
    found: list[Migration] = []
    for entry in root.iterdir():
        match = _NAME_RE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {migration.name} breaks the numbering: expected {expected:03d}")
    return found


def latest_version(folder: Path | None = None) -> int:
    """The schema version that applying every migration reaches."""
    migrations = load_migrations(folder)
    return migrations[-1].version if migrations else 0


async def schema_version(db: aiosqlite.Connection) -> int:
    """The database's current ``PRAGMA user_version``."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def apply_migrations(db: aiosqlite.Connection, folder: Path | None = None) -> int:
    """Bring ``db`` to the latest version, one atomic migration at a time; return that version."""
    migrations = load_migrations(folder)
    latest = migrations[-1].version if migrations else 0
    current = await schema_version(db)
    if current > latest:
        raise MigrationError(
            f"the database is at schema version {current}, but this studybot only knows versions up "
            f"to {latest}; run a newer studybot or restore a backup"
        )
    for migration in migrations[current:]:
        await _apply_one(db, migration)
    return latest


async def _apply_one(db: aiosqlite.Connection, migration: Migration) -> None:
    # executescript() commits any open transaction first, then runs the script as given; wrapping
    # the script in BEGIN … COMMIT makes the statements and the version bump one transaction.
    script = f"BEGIN;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
    try:
        await db.executescript(script)
    except Exception as exc:
        if db.in_transaction:
            await db.rollback()
        fault = classify(exc)
        if fault is not None:  # the storage, not the script: say what the operator can do
            raise DatabaseUnavailable(
                f"cannot bring the database to schema version {migration.version} "
                f"({migration.name}, nothing applied): {fault.reason}; {fault.advice}"
            ) from None
        raise MigrationError(f"migration {migration.name} failed and was rolled back: {exc}") from exc
    log.info("Applied migration %s", migration.name)
