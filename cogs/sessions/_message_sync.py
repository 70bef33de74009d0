"""Public question posts deleted in Discord: the store forgets them (the questions stay queued),
so votes and status changes no longer try to edit a message that is gone."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.app import StudyBot
from bot.db.questions import QuestionStore

log = logging.getLogger(__name__)


class QuestionMessageSync(commands.Cog):
    """Listens for MESSAGE_DELETE and MESSAGE_DELETE_BULK."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    async def _forget(self, guild_id: int | None, channel_id: int, message_ids: list[int]) -> None:
        if guild_id is None:
            return
        found = await QuestionStore(self.bot.db).forget_messages(guild_id, channel_id, message_ids)
        if found:
            log.info("Questions %s: public post deleted in Discord", found)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._forget(payload.guild_id, payload.channel_id, [payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self._forget(payload.guild_id, payload.channel_id, sorted(payload.message_ids))


__all__ = ["QuestionMessageSync"]
