"""Homework announcements deleted in Discord (by a moderator, or a purge): the store forgets them.

The homework itself stays; its jump links disappear, and ``/homework edit`` posts a new
announcement instead of editing a message that is gone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.db.homework import HomeworkStore
from bot.message_deletes import DeletedMessages

if TYPE_CHECKING:
    from cogs.homework._homework_cog import HomeworkCog

log = logging.getLogger(__name__)


class HomeworkMessageSync(DeletedMessages):
    """Forgets deleted homework announcements."""

    def __init__(self, homework: HomeworkCog) -> None:
        self.homework = homework

    async def forget(self, guild_id: int, channel_id: int, message_ids: list[int]) -> None:
        found = await HomeworkStore(self.homework.bot.db).forget_messages(guild_id, channel_id, message_ids)
        if found:
            log.info("Homework %s: announcement deleted in Discord", found)
            await self.homework.cache.refresh(guild_id)


__all__ = ["HomeworkMessageSync"]
