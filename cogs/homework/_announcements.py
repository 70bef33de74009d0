"""Homework posts a stop cut in two (row saved, announcement not attached), finished at the next
start (:mod:`bot.unfinished_posts`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.db.homework import Homework, HomeworkStore
from bot.unfinished_posts import UnfinishedPosts, bot_user_id, find_or_post
from cogs.homework._embeds import announcement_embed
from cogs.homework._views import HOMEWORK, announcement_view

if TYPE_CHECKING:
    from cogs.homework._homework_cog import HomeworkCog

log = logging.getLogger(__name__)


class PendingAnnouncements(UnfinishedPosts[Homework]):
    """Homework saved but not announced when the bot stopped."""

    def __init__(self, homework: HomeworkCog) -> None:
        super().__init__(homework.bot)
        self.homework = homework

    async def pending(self) -> list[Homework]:
        return await HomeworkStore(self.homework.bot.db).pending_announcements()

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

            async def post() -> discord.Message:
                return await channel.send(
                    embed=announcement_embed(homework),
                    view=announcement_view(homework),
                    allowed_mentions=discord.AllowedMentions.none(),
                )

            found, posted = await find_or_post(
                channel, HOMEWORK.custom_id("done", homework.id), bot_user_id(bot), post
            )
            await store.attach_message(homework.guild_id, homework.id, channel.id, found.id)
            log.info(
                "Homework %d: announcement %s after a restart",
                homework.id,
                "posted" if posted else "found in the channel and attached",
            )
        await self.homework.cache.refresh(homework.guild_id)
        bot.scheduler.wake()


__all__ = ["PendingAnnouncements"]
