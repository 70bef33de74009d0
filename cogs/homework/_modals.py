"""The form a moderator fills in when ``/homework post`` is used without options."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.checks import ensure_moderator
from bot.db.homework import DESCRIPTION_MAX, TITLE_MAX
from bot.errors import StudyModal, UserFacingError
from cogs.homework._due import DUE_EXAMPLES

#: ``HomeworkCog.post_and_reply``: validates, saves, announces and confirms.
PostHomework = Callable[..., Awaitable[None]]

_YES = {"yes", "y", "true", "1", "optional"}
_NO = {"", "no", "n", "false", "0"}


def parse_yes_no(text: str, what: str) -> bool:
    """``yes`` / ``no`` (empty: no) from a form field."""
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise UserFacingError(f"{what} should be yes or no, not {text.strip()[:20]!r}.")


def parse_week(text: str) -> int:
    """A week number from 1 to 52 typed in a form."""
    value = text.strip().lower().removeprefix("week").strip()
    if not re.fullmatch("[0-9]{1,2}", value) or not 1 <= int(value) <= 52:  # "²".isdigit() is true
        raise UserFacingError(f"The week should be a number from 1 to 52, not {text.strip()[:20]!r}.")
    return int(value)


class PostHomeworkModal(StudyModal, title="Post homework"):
    """Week, title, due date, description and whether it is optional."""

    week: discord.ui.TextInput[PostHomeworkModal] = discord.ui.TextInput(
        label="Week", max_length=8, placeholder="1"
    )
    homework_title: discord.ui.TextInput[PostHomeworkModal] = discord.ui.TextInput(
        label="Title", max_length=TITLE_MAX, placeholder="Read chapter 1 and try the pipelines"
    )
    due: discord.ui.TextInput[PostHomeworkModal] = discord.ui.TextInput(
        label="Due date", max_length=40, placeholder=DUE_EXAMPLES
    )
    description: discord.ui.TextInput[PostHomeworkModal] = discord.ui.TextInput(
        label="Description (optional)",
        style=discord.TextStyle.paragraph,
        max_length=DESCRIPTION_MAX,
        required=False,
    )
    optional: discord.ui.TextInput[PostHomeworkModal] = discord.ui.TextInput(
        label="Optional homework? (yes / no)", max_length=5, required=False, placeholder="no"
    )

    def __init__(self, post: PostHomework, zone_name: str) -> None:
        super().__init__(timeout=15 * 60)
        self.post = post
        self.due.placeholder = f"{DUE_EXAMPLES} ({zone_name} time)"[:100]

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        ensure_moderator(interaction)
        await self.post(
            interaction,
            week=parse_week(self.week.value),
            title=self.homework_title.value,
            due=self.due.value,
            description=self.description.value,
            optional=parse_yes_no(self.optional.value, "Optional"),
            channel_reminder=False,
        )
