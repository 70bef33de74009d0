"""Homework announcements deleted in Discord (by a moderator, or a purge): the store forgets them.

The homework itself stays; its jump links disappear, and ``/homework edit`` posts a new
announcement instead of editing a message that is gone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.db.homework import HomeworkStore

if TYPE_CHECKING:
    from cogs.homework._homework_cog import HomeworkCog

log = logging.getLogger(__name__)


class HomeworkMessageSync(commands.Cog):
    """Listens for MESSAGE_DELETE and MESSAGE_DELETE_BULK."""

    def __init__(self, homework: HomeworkCog) -> None:
        self.homework = homework

    async def _forget(self, guild_id: int | None, channel_id: int, message_ids: list[int]) -> None:
        if guild_id is None:
            return
        found = await HomeworkStore(self.homework.bot.db).forget_messages(guild_id, channel_id, message_ids)
        if found:
            log.info("Homework %s: announcement deleted in Discord", found)
            await self.homework.cache.refresh(guild_id)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._forget(payload.guild_id, payload.channel_id, [payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self._forget(payload.guild_id, payload.channel_id, sorted(payload.message_ids))


__all__ = ["HomeworkMessageSync"]
