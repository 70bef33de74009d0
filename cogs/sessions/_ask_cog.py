"""``/ask``: a member's question for the live (or next) session's Q&A queue.

A top-level command, so it lives outside the ``/questions`` group; the queue itself is
:class:`~cogs.sessions._questions_cog.QuestionsCog`.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.guild_feature import GuildFeature
from bot.interactions import Interaction
from cogs.sessions._questions_cog import QuestionsCog


class AskCog(GuildFeature[Any]):
    """``/ask``, handed to the Q&A queue."""

    def __init__(self, questions: QuestionsCog) -> None:
        super().__init__(questions.bot)
        self.questions = questions

    @app_commands.command(name="ask")
    @app_commands.guild_only()
    @app_commands.describe(
        question="Your question for the presenter (at most 500 characters)",
        anonymous="Hide your name from everyone, moderators included (default: no)",
    )
    async def ask(
        self,
        interaction: Interaction,
        question: app_commands.Range[str, 1, 500],
        anonymous: bool = False,
    ) -> None:
        """Ask a question for the live (or next) session's Q&A queue."""
        await self.questions.ask(interaction, question, anonymous)


__all__ = ["AskCog"]
