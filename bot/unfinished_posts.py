"""Finishing, at start, the public posts a stopped bot left half done.

Posting homework and asking a question each save a row (committed) and then post its message with
the buttons. A stop between the two left rows that members could not see; each such row is saved as
pending until its message is attached. Once connected, the bot finishes them: the message may have
gone out just before the stop, so it is looked for among the channel's recent messages by the
component that only it carries, and posted only if it is not there. Members see one message either
way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import discord
from discord.ext import commands

log = logging.getLogger(__name__)

#: How far back in the channel a message posted just before a stop is looked for.
SCAN_LIMIT = 50


def carries(message: discord.Message, custom_id: str, author_id: int) -> bool:
    """Whether ``message`` is the bot's and has the component ``custom_id``."""
    rows = [row for row in message.components if isinstance(row, discord.ActionRow)]
    return message.author.id == author_id and any(
        getattr(child, "custom_id", None) == custom_id for row in rows for child in row.children
    )


async def find_or_post(
    channel: discord.abc.Messageable,
    custom_id: str,
    author_id: int,
    post: Callable[[], Awaitable[discord.Message]],
) -> tuple[discord.Message, bool]:
    """The message with ``custom_id`` among the channel's recent ones, else ``post()``'s; and
    whether it was posted now."""
    async for message in channel.history(limit=SCAN_LIMIT):
        if carries(message, custom_id, author_id):
            return message, False
    return await post(), True


RowT = TypeVar("RowT")


class UnfinishedPosts(commands.Cog, Generic[RowT]):
    """Finishes, once the bot is connected, the rows :meth:`pending` lists (each with :meth:`finish`).

    ``finished`` is the task doing it (tests wait on it). A Discord error keeps that row pending:
    the next start tries again.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.finished: asyncio.Task[None] | None = None

    async def pending(self) -> Sequence[RowT]:
        raise NotImplementedError

    async def finish(self, row: RowT) -> None:
        raise NotImplementedError

    async def cog_load(self) -> None:
        self.finished = asyncio.create_task(self._finish_when_ready())

    async def cog_unload(self) -> None:
        if self.finished is not None and not self.finished.done():
            self.finished.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.finished

    async def _finish_when_ready(self) -> None:
        await self.client.wait_until_ready()
        try:
            rows = await self.pending()
        except Exception:
            log.exception("Could not read the posts left half done (%s)", type(self).__name__)
            return
        for row in rows:
            try:
                await self.finish(row)
            except discord.HTTPException as error:
                log.warning("%s: could not finish %r: %s", type(self).__name__, row, error)


def bot_user_id(client: Any) -> int:
    """The connected bot's user id."""
    assert client.user is not None
    return int(client.user.id)


__all__ = ["SCAN_LIMIT", "UnfinishedPosts", "bot_user_id", "carries", "find_or_post"]
