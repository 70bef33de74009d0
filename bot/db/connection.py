"""Opening the bot's SQLite database, and telling at once when it cannot be used as it should."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import aiosqlite

from bot.db.faults import CANNOT_OPEN, READ_ONLY, DatabaseUnavailable, Fault, classify

log = logging.getLogger(__name__)

#: How long a statement waits for another program's lock before it fails with "locked". Short, so
#: that a member's command still gets its answer within Discord's 3 seconds.
BUSY_TIMEOUT_MS = 1500


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the database at ``path`` in WAL mode with foreign keys on.

    Rows come back as :class:`sqlite3.Row`, so stores can read columns by name. The caller owns the
    connection and closes it. A database that cannot be read (damaged, not a database, no room to
    create it) raises :class:`DatabaseUnavailable` with one sentence; one that can be read but not
    written (read-only, locked by another program) opens, with a warning: reads work, and each
    write fails with an error that :mod:`bot.errors` explains to the member.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unavailable(path, error, f"its folder {path.parent} cannot be created") from None
    try:
        db = await _connect(path)
    except sqlite3.Error as error:
        if classify(error) is not CANNOT_OPEN or not await asyncio.to_thread(path.is_file):
            raise _unavailable(path, error) from None
        # The file is there but SQLite cannot create its -shm/-wal files next to it: a read-only
        # folder or filesystem. Nobody can write the file there, so it is read as immutable —
        # unless changes are still waiting in a -wal file (a crash), which that mode would skip.
        if await asyncio.to_thread(_has_pending_log, path):
            raise DatabaseUnavailable(
                f"cannot open the database {path}: it is read-only and its last changes are still in "
                f"{path.name}-wal; {READ_ONLY.advice}"
            ) from None
        try:
            db = await _connect(path, read_only=True)
        except sqlite3.Error as second:
            raise _unavailable(path, second) from None
    problem = await write_problem(db)
    if problem is not None:
        log.warning(
            "The database %s can be read but not written: %s. The bot starts; members can read, "
            "and their changes are refused until this is fixed: %s",
            path,
            problem.reason,
            problem.advice,
        )
    log.info("Opened database %s", path)
    return db


async def _connect(path: Path, *, read_only: bool = False) -> aiosqlite.Connection:
    if read_only:
        db = await aiosqlite.connect(_immutable_uri(path), uri=True)
    else:
        db = await aiosqlite.connect(path)
    try:
        db.row_factory = aiosqlite.Row
        if not read_only:
            await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reading the schema reads the file's header and first page: garbage and damage show here.
        async with db.execute("SELECT count(*) FROM sqlite_master") as cursor:
            await cursor.fetchone()
    except BaseException:
        await db.close()
        raise
    return db


def _has_pending_log(path: Path) -> bool:
    log_file = path.with_name(path.name + "-wal")
    return log_file.is_file() and log_file.stat().st_size > 0


def _immutable_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` read-only, promising SQLite that nobody changes it."""
    return f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1"


async def write_problem(db: aiosqlite.Connection) -> Fault | None:
    """Why a write would fail right now (read-only, locked), or None; found without writing.

    The probe takes the write lock without waiting and changes the schema version to itself
    inside a transaction that is rolled back: nothing reaches the file.
    """
    try:
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        await db.execute("PRAGMA busy_timeout = 0")
        await db.execute("BEGIN IMMEDIATE")
        await db.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")
    except sqlite3.Error as error:
        fault = classify(error)
        if fault is None:
            raise
        return fault
    finally:
        if db.in_transaction:
            await db.rollback()
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return None


def _unavailable(path: Path, error: BaseException, what: str | None = None) -> DatabaseUnavailable:
    """One sentence: what is wrong with the database at ``path``, and what to do about it."""
    fault = classify(error)
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    problem = f"{what} ({detail})" if what else (fault.reason if fault else detail)
    advice = f"; {fault.advice}" if fault else ""
    return DatabaseUnavailable(f"cannot open the database {path}: {problem}{advice}")
