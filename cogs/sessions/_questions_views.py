"""Persistent components of the live Q&A (ids ``qa:<action>:…``, as they were first posted).

On a question's public post: **Upvote** and **Withdraw** (members). On the moderators' queue
panel: **Next**, **Answered** (a form for an optional written answer), **Skip**, **Merge
duplicate**, page buttons and a select to pick the question the buttons act on. Ids carry only
question and session ids (never the asker), so they work after a restart;
:class:`~cogs.sessions._questions_cog.QuestionsCog` answers them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.checks import ensure_moderator
from bot.components import Feature, persistent_view
from bot.db.questions import ANSWER_MAX, Question
from bot.errors import StudyModal
from cogs.sessions._questions_embeds import question_option_label

QUESTIONS = Feature("qa", "The Q&A")
#: ``QuestionsCog.finish_answer(interaction, question_id, answer)``
FinishAnswer = Callable[[discord.Interaction[Any], int, str], Awaitable[None]]


def question_view(question: Question) -> discord.ui.View | None:
    """Upvote and Withdraw while the question is open; nothing once it is dealt with."""
    if question.status not in ("open", "answering"):
        return None
    closed = question.status != "open"
    return persistent_view(
        QUESTIONS.button(
            "upvote",
            question.id,
            label="Upvote",
            emoji="👍",
            style=discord.ButtonStyle.primary,
            disabled=closed,
        ),
        QUESTIONS.button("withdraw", question.id, label="Withdraw", disabled=closed),
    )


def undo_vote_view(question_id: int) -> discord.ui.View:
    """The **Undo** under a member's upvote confirmation."""
    return persistent_view(QUESTIONS.button("unvote", question_id, label="Undo", emoji="↩️"))


def withdraw_view(question_id: int) -> discord.ui.View:
    """The Withdraw button on the asker's ephemeral receipt."""
    return persistent_view(QUESTIONS.button("withdraw", question_id, label="Withdraw"))


def _options(questions: Sequence[Question]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=question_option_label(question), value=str(question.id))
        for question in questions[:25]
    ]


def panel_view(
    session_id: int,
    *,
    page: int,
    pages: int,
    focus: Question | None,
    choices: Sequence[Question],
    queue_empty: bool,
) -> discord.ui.View:
    """The panel's buttons: actions on the focus, pages, and the focus picker."""
    focus_id = focus.id if focus is not None else 0
    nothing = focus is None
    success, primary = discord.ButtonStyle.success, discord.ButtonStyle.primary
    items: list[discord.ui.Item[Any] | None] = [
        QUESTIONS.button("next", session_id, label="Next", emoji="🎤", style=primary, disabled=queue_empty),
        QUESTIONS.button("answered", focus_id, label="Answered", emoji="✅", style=success, disabled=nothing),
        QUESTIONS.button("skip", focus_id, label="Skip", disabled=nothing),
        QUESTIONS.button("merge", focus_id, label="Merge duplicate", disabled=nothing),
        QUESTIONS.button("page", session_id, page, "r", label="Refresh"),
    ]
    if pages > 1:
        previous, following = max(page - 1, 0), min(page + 1, pages - 1)
        items.append(
            QUESTIONS.button("page", session_id, previous, "p", label="◀ Page", disabled=page == 0, row=1)
        )
        items.append(
            QUESTIONS.button(
                "page", session_id, following, "n", label="Page ▶", disabled=page >= pages - 1, row=1
            )
        )
    if choices:
        items.append(
            QUESTIONS.select(
                "focus",
                session_id,
                page,
                options=_options(choices),
                placeholder="Act on another question…",
                row=2,
            )
        )
    return persistent_view(*items)


def merge_view(session_id: int, duplicate_id: int, targets: Sequence[Question]) -> discord.ui.View:
    return persistent_view(
        QUESTIONS.select("mergeinto", duplicate_id, options=_options(targets), placeholder="It duplicates…"),
        QUESTIONS.button("page", session_id, 0, "b", label="Back to the queue", row=1),
    )


class AnswerModal(StudyModal):
    """The optional written answer for a question marked answered."""

    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Written answer (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=ANSWER_MAX,
        placeholder="Leave empty if it was answered on the call.",
    )

    def __init__(self, question_id: int, finish: FinishAnswer) -> None:
        super().__init__(
            title=f"Answered: question #{question_id}", custom_id=f"qa:answer-form:{question_id}"
        )
        self.question_id = question_id
        self.finish = finish

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        ensure_moderator(interaction)
        await self.finish(interaction, self.question_id, self.answer.value)


__all__ = [
    "QUESTIONS",
    "AnswerModal",
    "merge_view",
    "panel_view",
    "question_view",
    "undo_vote_view",
    "withdraw_view",
]
