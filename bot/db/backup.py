"""``studybot db backup``: a consistent copy of the live database (SQLite's online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup_database(source: Path, target: Path) -> int:
    """Copy ``source`` into ``target`` while the bot may be writing to it; return the page count.

    The backup API copies page by page under SQLite's own locking, so the copy is a consistent
    snapshot even in WAL mode with another connection writing.
    """
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        (pages,) = dst.execute("PRAGMA page_count").fetchone()
    finally:
        dst.close()
        src.close()
    return int(pages)
