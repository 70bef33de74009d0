"""Opening the bot's SQLite database, and telling at once when it cannot be used as it should."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol
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
    """The writing connection: WAL (unless the file is read as immutable) and foreign keys on."""
    journal = [] if read_only else ["PRAGMA journal_mode = WAL"]
    return await _connect_with(path, [*journal, "PRAGMA foreign_keys = ON"], immutable=read_only)


async def _connect_with(path: Path, pragmas: Iterable[str], *, immutable: bool) -> aiosqlite.Connection:
    """A connection to ``path`` (an immutable file's when asked) whose rows read by name, with
    ``pragmas`` and :data:`BUSY_TIMEOUT_MS` set."""
    if immutable:
        db = await aiosqlite.connect(_immutable_uri(path), uri=True)
    else:
        db = await aiosqlite.connect(path)
    try:
        db.row_factory = aiosqlite.Row
        for pragma in [*pragmas, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"]:
            await db.execute(pragma)
        # Reading the schema reads the file's header and first page: garbage and damage show here.
        async with db.execute("SELECT count(*) FROM sqlite_master") as cursor:
            await cursor.fetchone()
    except BaseException:
        await db.close()
        raise
    return db


async def open_reader(path: Path, *, immutable: bool = False) -> aiosqlite.Connection:
    """A second connection to the database at ``path`` that only reads (``PRAGMA query_only``).

    In WAL mode it reads the last committed state while the writer's connection writes: aiosqlite
    runs each connection's calls on that connection's own thread, one at a time, so reads sent here
    never wait behind a write. ``immutable`` opens a read-only file as :func:`open_database` does
    when SQLite cannot create the files WAL needs beside it.
    """
    return await _connect_with(path, ["PRAGMA query_only = ON"], immutable=immutable)


#: Statements that only read; everything else (and every statement inside a unit of work) goes
#: to the connection that writes.
_READS = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
#: The task inside a unit of work (:func:`bot.db.transaction.transaction`): its reads must see its
#: own uncommitted changes, so they go to the writer too. (A task it starts inherits the variable
#: but is another task: its reads go to the reader.)
in_unit_of_work: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
    "in_unit_of_work", default=None
)


class StoreConnection(Protocol):
    """What the stores use of a connection: an ``aiosqlite.Connection`` (tests, the command line)
    or the bot's :class:`Database` (a writer and a reader used like one connection)."""

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Any: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    @property
    def in_transaction(self) -> bool: ...


class Database:
    """The bot's database: one connection that writes and one that reads, used like one connection.

    aiosqlite runs every call of a connection on that connection's thread, in order, so a long
    write (an import, a burst of small units of work) held up every read queued behind it
    (``benchmarks/db_contention.py`` measures it). Here a ``SELECT`` sent outside a unit of work
    goes to the reader (WAL: it sees the last committed state, never waiting for the writer);
    writes, ``PRAGMA`` s and every statement inside :func:`~bot.db.transaction.transaction` go to
    the writer, in order, as before. Stores keep calling ``execute`` / ``commit`` as on one
    connection.
    """

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.writer = writer
        self.reader = reader

    def _for(self, sql: str) -> aiosqlite.Connection:
        unit = in_unit_of_work.get()
        if (unit is not None and unit is asyncio.current_task()) or not _READS.match(sql):
            return self.writer
        return self.reader

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Any:
        """``aiosqlite.Connection.execute`` on the connection the statement belongs to."""
        return self._for(sql).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Any:
        return self.writer.executemany(sql, parameters)

    def executescript(self, script: str) -> Any:
        return self.writer.executescript(script)

    async def commit(self) -> None:
        await self.writer.commit()

    async def rollback(self) -> None:
        await self.writer.rollback()

    @property
    def in_transaction(self) -> bool:
        return self.writer.in_transaction

    @property
    def total_changes(self) -> int:
        return self.writer.total_changes

    async def close(self) -> None:
        """Close both connections (the reader first)."""
        try:
            await self.reader.close()
        finally:
            await self.writer.close()


async def with_reader(writer: aiosqlite.Connection, path: Path) -> Database:
    """``writer`` (from :func:`open_database`) with a second connection for reads beside it."""
    try:
        reader = await open_reader(path)
    except sqlite3.Error:  # a read-only folder or filesystem: read the file as open_database did
        reader = await open_reader(path, immutable=True)
    return Database(writer, reader)


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
