"""Finishing homework posts that a stopped bot left half done.

``/homework post`` saves the row (committed) and then posts the announcement, whose buttons are the
homework's. A bot killed between the two left homework that members could not see or mark done, and a
moderator who posted again got a duplicate. The row is saved ``announce_pending`` until its message
is attached; at start, once connected, each pending post is finished: its announcement is looked
for among the channel's recent messages (it may have gone out just before the stop) and posted only
if it is not there, so members see one announcement either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.db.homework import Homework, HomeworkStore
from cogs.homework._embeds import announcement_embed
from cogs.homework._views import HOMEWORK, announcement_view

if TYPE_CHECKING:
    from cogs.homework._homework_cog import HomeworkCog

log = logging.getLogger(__name__)

#: How far back in the channel an announcement posted just before a stop is looked for.
SCAN_LIMIT = 50


def is_announcement(message: discord.Message, homework: Homework, author_id: int) -> bool:
    """Whether ``message`` is the bot's announcement of ``homework`` (its Mark done button)."""
    wanted = HOMEWORK.custom_id("done", homework.id)
    rows = [row for row in message.components if isinstance(row, discord.ActionRow)]
    return message.author.id == author_id and any(
        getattr(child, "custom_id", None) == wanted for row in rows for child in row.children
    )


class PendingAnnouncements(commands.Cog):
    """Finishes, once the bot is connected, the posts a stop interrupted."""

    def __init__(self, homework: HomeworkCog) -> None:
        self.homework = homework
        self.finished: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.finished = asyncio.create_task(self._finish_when_ready())

    async def cog_unload(self) -> None:
        if self.finished is not None and not self.finished.done():
            self.finished.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.finished

    async def _finish_when_ready(self) -> None:
        bot = self.homework.bot
        await bot.wait_until_ready()
        try:
            pending = await HomeworkStore(bot.db).pending_announcements()
        except Exception:
            log.exception("Could not read the homework posts left half done")
            return
        for homework in pending:
            try:
                await self.finish(homework)
            except discord.HTTPException as error:  # kept pending: the next start tries again
                log.warning("Homework %d: its announcement could not be finished: %s", homework.id, error)

    async def finish(self, homework: Homework) -> None:
        """Attach ``homework``'s announcement: the one already posted, else a new one."""
        bot = self.homework.bot
        store = HomeworkStore(bot.db)
        channel = bot.get_channel(homework.channel_id) if homework.channel_id is not None else None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            # Nothing was confirmed to the moderator and members cannot see it: as if never posted.
            await store.delete(
                homework.guild_id, homework.id, user_id=homework.created_by, action="homework.discard"
            )
            log.warning("Homework %d: its channel is gone, so the unfinished post is discarded", homework.id)
        else:
            assert bot.user is not None
            found = None
            async for message in channel.history(limit=SCAN_LIMIT):
                if is_announcement(message, homework, bot.user.id):
                    found = message
                    break
            posted = found is None
            if found is None:
                found = await channel.send(
                    embed=announcement_embed(homework),
                    view=announcement_view(homework),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            await store.attach_message(homework.guild_id, homework.id, channel.id, found.id)
            log.info(
                "Homework %d: announcement %s after a restart",
                homework.id,
                "posted" if posted else "found in the channel and attached",
            )
        await self.homework.cache.refresh(homework.guild_id)
        bot.scheduler.wake()


__all__ = ["SCAN_LIMIT", "PendingAnnouncements", "is_announcement"]
