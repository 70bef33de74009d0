"""Opening the bot's SQLite database."""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the database at ``path`` in WAL mode with foreign keys on.

    Rows come back as :class:`sqlite3.Row`, so stores can read columns by name. The caller owns the
    connection and closes it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(path)
    try:
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        await db.close()
        raise
    log.info("Opened database %s", path)
    return db
