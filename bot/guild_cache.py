"""A small per-server, in-memory copy of rows that autocomplete reads (never the database)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class GuildCache(Generic[T]):
    """Rows per guild, loaded once and refreshed by the cog after each of its writes.

    ``loader(guild_id)`` reads one server's rows (one indexed query) the first time the server is
    asked for and after each of the cog's writes; every other read, autocomplete included, is
    served from memory.
    """

    def __init__(self, loader: Callable[[int], Awaitable[list[T]]]) -> None:
        self._loader = loader
        self._rows: dict[int, list[T]] = {}

    async def get(self, guild_id: int) -> list[T]:
        """The server's rows, loading them on first use."""
        if guild_id not in self._rows:
            await self.refresh(guild_id)
        return self._rows[guild_id]

    async def refresh(self, guild_id: int) -> list[T]:
        """Reload one server's rows (after a write)."""
        rows = await self._loader(guild_id)
        self._rows[guild_id] = rows
        log.debug("Cached %d rows for guild %s", len(rows), guild_id)
        return rows

    def clear(self) -> None:
        self._rows.clear()


__all__ = ["GuildCache"]
