"""Messages deleted in Discord (by a moderator, or a purge), for the features that remember posts.

Discord sends MESSAGE_DELETE for one message and MESSAGE_DELETE_BULK for a purge, and only their
ids. A feature that keeps the ids of its posts (homework announcements, questions' public posts)
subclasses :class:`DeletedMessages` and says what forgetting them means for it; this listens to
both events, in a server, and hands it the ids in one call.
"""

from __future__ import annotations

import discord
from discord.ext import commands


class DeletedMessages(commands.Cog):
    """Listens for MESSAGE_DELETE and MESSAGE_DELETE_BULK in servers; subclasses forget the posts."""

    async def forget(self, guild_id: int, channel_id: int, message_ids: list[int]) -> None:
        """Forget these messages of ``channel_id`` (ids the feature does not know are ignored)."""
        raise NotImplementedError

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self.forget(payload.guild_id, payload.channel_id, [payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self.forget(payload.guild_id, payload.channel_id, sorted(payload.message_ids))


__all__ = ["DeletedMessages"]
