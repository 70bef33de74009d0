"""Public question posts deleted in Discord: the store forgets them (the questions stay queued),
so votes and status changes no longer try to edit a message that is gone."""

from __future__ import annotations

import logging

from bot.app import StudyBot
from bot.db.questions import QuestionStore
from bot.message_deletes import DeletedMessages

log = logging.getLogger(__name__)


class QuestionMessageSync(DeletedMessages):
    """Forgets deleted public question posts."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    async def forget(self, guild_id: int, channel_id: int, message_ids: list[int]) -> None:
        found = await QuestionStore(self.bot.db).forget_messages(guild_id, channel_id, message_ids)
        if found:
            log.info("Questions %s: public post deleted in Discord", found)


__all__ = ["QuestionMessageSync"]
