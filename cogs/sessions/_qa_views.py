"""Persistent components of the live Q&A.

On a question's public post: **Upvote** and **Withdraw** (members). On the moderators' queue
panel: **Next**, **Answered** (a form for an optional written answer), **Skip**, **Merge
duplicate**, page buttons and a select to pick the question the buttons act on. Custom ids carry
only question and session ids (never the asker), so they work after a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import ensure_moderator
from bot.components import cog_for, routed_errors
from bot.db.questions import ANSWER_MAX, Question
from bot.errors import StudyModal
from cogs.sessions._qa_embeds import question_option_label

if TYPE_CHECKING:
    from cogs.sessions._qa_cog import QuestionsCog


def qa_cog(interaction: discord.Interaction) -> QuestionsCog:
    from cogs.sessions._qa_cog import QuestionsCog

    return cog_for(interaction.client, QuestionsCog, "The Q&A")


def _button(
    label: str, custom_id: str, style: discord.ButtonStyle, disabled: bool = False, emoji: str | None = None
):
    return discord.ui.Button(label=label, custom_id=custom_id, style=style, disabled=disabled, emoji=emoji)


# --- a question's public post ------------------------------------------------------------------


class UpvoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:upvote:(?P<id>\d+)"):
    """One vote per member; pressing again takes it back."""

    def __init__(self, question_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            _button("Upvote", f"qa:upvote:{question_id}", discord.ButtonStyle.primary, disabled, "👍")
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> UpvoteButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await qa_cog(interaction).upvote(interaction, self.question_id)


class WithdrawButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:withdraw:(?P<id>\d+)"):
    """The asker takes their question back."""

    def __init__(self, question_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            _button("Withdraw", f"qa:withdraw:{question_id}", discord.ButtonStyle.secondary, disabled)
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> WithdrawButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await qa_cog(interaction).withdraw(interaction, self.question_id)


def question_view(question: Question) -> discord.ui.View | None:
    """Upvote and Withdraw while the question is open; nothing once it is dealt with."""
    if question.status not in ("open", "answering"):
        return None
    view = discord.ui.View(timeout=None)
    closed = question.status != "open"
    view.add_item(UpvoteButton(question.id, disabled=closed))
    view.add_item(WithdrawButton(question.id, disabled=closed))
    return view


def withdraw_view(question_id: int) -> discord.ui.View:
    """The Withdraw button on the asker's ephemeral receipt."""
    view = discord.ui.View(timeout=None)
    view.add_item(WithdrawButton(question_id))
    return view


# --- the moderators' panel ---------------------------------------------------------------------


class NextButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:next:(?P<session>\d+)"):
    """Takes the top question: being answered, posted for the presenter."""

    def __init__(self, session_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            _button("Next", f"qa:next:{session_id}", discord.ButtonStyle.primary, disabled, "🎤")
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> NextButton:
        return cls(int(match["session"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).panel_next(interaction, self.session_id)


class AnsweredButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:answered:(?P<id>\d+)"):
    """Marks the chosen question answered (a form takes an optional written answer)."""

    def __init__(self, question_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            _button("Answered", f"qa:answered:{question_id}", discord.ButtonStyle.success, disabled, "✅")
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> AnsweredButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).panel_answered(interaction, self.question_id)


class SkipButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:skip:(?P<id>\d+)"):
    """Takes the chosen question out of the queue unanswered."""

    def __init__(self, question_id: int, *, disabled: bool = False) -> None:
        super().__init__(_button("Skip", f"qa:skip:{question_id}", discord.ButtonStyle.secondary, disabled))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> SkipButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).panel_skip(interaction, self.question_id)


class MergeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:merge:(?P<id>\d+)"):
    """Asks which question the chosen one duplicates."""

    def __init__(self, question_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            _button("Merge duplicate", f"qa:merge:{question_id}", discord.ButtonStyle.secondary, disabled)
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> MergeButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).panel_merge(interaction, self.question_id)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"qa:page:(?P<session>\d+):(?P<page>\d+):(?P<tag>[rpnb])",
):
    """Shows a page of the panel again (refresh, previous, next, back from a merge)."""

    def __init__(
        self, session_id: int, page: int, tag: str, label: str = "Refresh", *, disabled: bool = False
    ):
        super().__init__(
            _button(label, f"qa:page:{session_id}:{page}:{tag}", discord.ButtonStyle.secondary, disabled)
        )
        self.session_id = session_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> PageButton:
        return cls(int(match["session"]), int(match["page"]), match["tag"])

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).panel_page(interaction, self.session_id, self.page)


class FocusSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"qa:focus:(?P<session>\d+):(?P<page>\d+)"
):
    """Picks the question that Answered, Skip and Merge act on."""

    def __init__(self, session_id: int, page: int, options: Sequence[discord.SelectOption] = ()) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"qa:focus:{session_id}:{page}",
                placeholder="Act on another question…",
                options=list(options) or [discord.SelectOption(label="-", value="0")],
            )
        )
        self.session_id = session_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: Any
    ) -> FocusSelect:
        return cls(int(match["session"]), int(match["page"]), item.options)

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        chosen = int(self.item.values[0]) if self.item.values else 0
        await qa_cog(interaction).panel_page(interaction, self.session_id, self.page, focus_id=chosen)


class MergeSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"qa:mergeinto:(?P<id>\d+)"):
    """Picks the question a duplicate is merged into."""

    def __init__(self, duplicate_id: int, options: Sequence[discord.SelectOption] = ()) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"qa:mergeinto:{duplicate_id}",
                placeholder="It duplicates…",
                options=list(options) or [discord.SelectOption(label="-", value="0")],
            )
        )
        self.duplicate_id = duplicate_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: Any
    ) -> MergeSelect:
        return cls(int(match["id"]), item.options)

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        chosen = int(self.item.values[0]) if self.item.values else 0
        await qa_cog(interaction).merge_into(interaction, self.duplicate_id, chosen)


class AnswerModal(StudyModal):
    """The optional written answer for a question marked answered."""

    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Written answer (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=ANSWER_MAX,
        placeholder="Leave empty if it was answered on the call.",
    )

    def __init__(self, question_id: int) -> None:
        super().__init__(
            title=f"Answered: question #{question_id}", custom_id=f"qa:answer-form:{question_id}"
        )
        self.question_id = question_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await qa_cog(interaction).finish_answer(interaction, self.question_id, self.answer.value)


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
    view = discord.ui.View(timeout=None)
    focus_id = focus.id if focus is not None else 0
    view.add_item(NextButton(session_id, disabled=queue_empty))
    view.add_item(AnsweredButton(focus_id, disabled=focus is None))
    view.add_item(SkipButton(focus_id, disabled=focus is None))
    view.add_item(MergeButton(focus_id, disabled=focus is None))
    view.add_item(PageButton(session_id, page, "r", "Refresh"))
    if pages > 1:
        previous = PageButton(session_id, max(page - 1, 0), "p", "◀ Page", disabled=page == 0)
        following = PageButton(
            session_id, min(page + 1, pages - 1), "n", "Page ▶", disabled=page >= pages - 1
        )
        previous.row = following.row = 1
        view.add_item(previous)
        view.add_item(following)
    if choices:
        options = [
            discord.SelectOption(label=question_option_label(question), value=str(question.id))
            for question in choices[:25]
        ]
        select = FocusSelect(session_id, page, options)
        select.row = 2
        view.add_item(select)
    return view


def merge_view(session_id: int, duplicate_id: int, targets: Sequence[Question]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(label=question_option_label(question), value=str(question.id))
        for question in targets[:25]
    ]
    view.add_item(MergeSelect(duplicate_id, options))
    back = PageButton(session_id, 0, "b", "Back to the queue")
    back.row = 1
    view.add_item(back)
    return view


DYNAMIC_ITEMS = (
    UpvoteButton,
    WithdrawButton,
    NextButton,
    AnsweredButton,
    SkipButton,
    MergeButton,
    PageButton,
    FocusSelect,
    MergeSelect,
)

__all__ = [
    "DYNAMIC_ITEMS",
    "AnswerModal",
    "merge_view",
    "panel_view",
    "qa_cog",
    "question_view",
    "withdraw_view",
]
