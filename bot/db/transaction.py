"""One unit of work on the shared connection: serialised, committed once, rolled back on error."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator

from bot.db.connection import StoreConnection, in_unit_of_work

log = logging.getLogger(__name__)

_locks: weakref.WeakKeyDictionary[StoreConnection, asyncio.Lock] = weakref.WeakKeyDictionary()


def _lock(db: StoreConnection) -> asyncio.Lock:
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


@contextlib.asynccontextmanager
async def transaction(db: StoreConnection) -> AsyncIterator[StoreConnection]:
    """Run the statements inside as one transaction: commit at the end, roll back on any error.

    The bot shares one connection for writes, so units of work that use this helper wait for each
    other instead of interleaving their statements in one SQLite transaction; the reads inside go
    to that connection too (they see the unit's own changes), while reads elsewhere go on beside
    it (:class:`~bot.db.connection.Database`). Never await a Discord call inside: validate first,
    write here, reply after.
    """
    async with _lock(db):
        inside = in_unit_of_work.set(asyncio.current_task())  # its reads see its own changes (Database)
        try:
            yield db
            # A commit can fail too (a full disk, a deferred constraint): SQLite then keeps the
            # transaction open, and the next unit of work would commit this one's changes with its
            # own. Roll back there as well, so that a failed unit of work changes nothing.
            await db.commit()
        except BaseException:
            if db.in_transaction:
                await db.rollback()
                log.debug("Rolled back a unit of work")
            raise
        finally:
            in_unit_of_work.reset(inside)


__all__ = ["transaction"]
