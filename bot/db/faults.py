"""What a failing database means: one sentence for the operator, one for members.

SQLite reports storage faults as error codes (``sqlite3.Error.sqlite_errorname``: ``SQLITE_FULL``,
``SQLITE_READONLY_…``, ``SQLITE_BUSY``, ``SQLITE_CORRUPT``, ``SQLITE_NOTADB`` …); the operating
system reports them as ``OSError`` numbers when the bot creates the database's folder.
:func:`classify` turns either into a :class:`Fault` (what is wrong, in words, and what the operator
can do about it); anything else — a constraint, a bug — is not a fault and gets ``None``.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass

__all__ = ["DatabaseUnavailable", "Fault", "classify"]


class DatabaseUnavailable(Exception):
    """The database cannot be opened or brought up to date; the message says why and what to do."""


@dataclass(frozen=True)
class Fault:
    """A storage fault: ``reason`` completes "the bot cannot save right now (…)"."""

    kind: str
    reason: str
    advice: str
    #: True when reads fail too (a damaged file), not only writes.
    reads_fail: bool = False


FULL = Fault("full", "the disk is full", "free some space on the disk that holds the database")
READ_ONLY = Fault(
    "read-only",
    "the database is read-only",
    "make the database file, its folder and its filesystem writable for the bot",
)
LOCKED = Fault(
    "locked",
    "the database is locked by another program",
    "stop the other program using it (another studybot?), or give this one its own DATABASE_PATH",
)
DAMAGED = Fault(
    "damaged",
    "the database file is damaged",
    "restore a backup (studybot db backup makes one), or move the file away to start an empty one",
    reads_fail=True,
)
NOT_A_DATABASE = Fault(
    "not-a-database",
    "the database file is not an SQLite database",
    "point DATABASE_PATH at the bot's database, or move this file away to start an empty one",
    reads_fail=True,
)
CANNOT_OPEN = Fault(
    "cannot-open",
    "the database file cannot be opened",
    "check that the database file and its folder exist and that the bot may read and write them",
    reads_fail=True,
)
DISK_ERROR = Fault(
    "disk-error",
    "the disk reported an error",
    "check the disk and the filesystem that hold the database",
    reads_fail=True,
)

_BY_CODE = {
    "SQLITE_FULL": FULL,
    # The -shm file could not grow: on a full disk this comes before any SQLITE_FULL.
    "SQLITE_IOERR_SHMSIZE": FULL,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_PERM": READ_ONLY,
    "SQLITE_BUSY": LOCKED,
    "SQLITE_LOCKED": LOCKED,
    "SQLITE_CORRUPT": DAMAGED,
    "SQLITE_NOTADB": NOT_A_DATABASE,
    "SQLITE_CANTOPEN": CANNOT_OPEN,
    "SQLITE_IOERR": DISK_ERROR,
}
_BY_ERRNO = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
}


def classify(error: BaseException) -> Fault | None:
    """The storage fault behind ``error``, or None when it is something else."""
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", None) or ""
        if name in _BY_CODE:
            return _BY_CODE[name]
        # Extended codes name their family first: SQLITE_READONLY_DIRECTORY, SQLITE_IOERR_WRITE …
        family = next((code for code in _BY_CODE if name.startswith(code + "_")), None)
        return _BY_CODE[family] if family else None
    if isinstance(error, OSError):
        return _BY_ERRNO.get(error.errno or 0)
    return None
