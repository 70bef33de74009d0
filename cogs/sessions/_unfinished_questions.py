"""Questions queued but not put up for votes when the bot stopped, posted at the next start
(:mod:`bot.unfinished_posts`): the asker may already have had the confirmation."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.db.questions import Question, QuestionStore
from bot.unfinished_posts import UnfinishedPosts, bot_user_id, find_or_post
from cogs.sessions._questions_embeds import question_embed
from cogs.sessions._questions_views import QUESTIONS, question_view

if TYPE_CHECKING:
    from cogs.sessions._questions_cog import QuestionsCog

log = logging.getLogger(__name__)


class PendingQuestionPosts(UnfinishedPosts[Question]):
    """Open questions whose public post was not attached."""

    def __init__(self, questions: QuestionsCog) -> None:
        super().__init__(questions.bot)
        self.questions = questions

    async def pending(self) -> list[Question]:
        return await QuestionStore(self.questions.bot.db).pending_posts()

    async def finish(self, question: Question) -> None:
        """Attach ``question``'s post: the one already in its channel, else a new one."""
        assert question.channel_id is not None  # pending posts were saved with their channel
        channel = self.questions.directory.channel(question.channel_id, question.guild_id)
        session = await self.questions.directory.require(question.guild_id, question.session_id)

        async def post() -> discord.Message:
            return await channel.send(
                embed=question_embed(question, session),
                view=question_view(question) or discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
            )

        upvote = QUESTIONS.custom_id("upvote", question.id)
        found, posted = await find_or_post(channel, upvote, bot_user_id(self.questions.bot), post)
        await QuestionStore(self.questions.bot.db).attach_message(
            question.guild_id, question.id, question.channel_id, found.id
        )
        log.info(
            "Question %d: public post %s after a restart",
            question.id,
            "posted" if posted else "found in the channel and attached",
        )


__all__ = ["PendingQuestionPosts"]
