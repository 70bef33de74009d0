"""Persistent buttons for /homework: Mark done and Remind me on announcements, and the delete
confirmation. DynamicItems whose custom ids carry the homework id: they work after a restart and
answer politely once the homework is gone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.checks import ensure_moderator
from bot.components import cog_for, routed_errors
from bot.db.homework import Homework

if TYPE_CHECKING:
    from cogs.homework._homework_cog import HomeworkCog


def homework_cog(interaction: discord.Interaction) -> HomeworkCog:
    from cogs.homework._homework_cog import HomeworkCog

    return cog_for(interaction.client, HomeworkCog, "Homework")


class DoneButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"homework:done:(?P<id>\d+)"):
    """Mark done / undo, for the member who presses it."""

    def __init__(self, homework_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Mark done",
                emoji="✅",
                style=discord.ButtonStyle.success,
                custom_id=f"homework:done:{homework_id}",
                disabled=disabled,
            )
        )
        self.homework_id = homework_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> DoneButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await homework_cog(interaction).toggle_done(interaction, self.homework_id)


class RemindButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"homework:remind:(?P<id>\d+)"):
    """Remind me / stop reminding me, for the member who presses it."""

    def __init__(self, homework_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remind me",
                emoji="🔔",
                style=discord.ButtonStyle.secondary,
                custom_id=f"homework:remind:{homework_id}",
                disabled=disabled,
            )
        )
        self.homework_id = homework_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> RemindButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await homework_cog(interaction).toggle_remind(interaction, self.homework_id)


def announcement_view(homework: Homework) -> discord.ui.View:
    """The two buttons under an announcement (disabled once the homework is closed)."""
    view = discord.ui.View(timeout=None)
    view.add_item(DoneButton(homework.id, disabled=homework.closed))
    view.add_item(RemindButton(homework.id, disabled=homework.closed))
    return view


class DeleteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"homework:delete:(?P<id>\d+)"):
    """Confirms deleting homework (moderators)."""

    def __init__(self, homework_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Delete", style=discord.ButtonStyle.danger, custom_id=f"homework:delete:{homework_id}"
            )
        )
        self.homework_id = homework_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> DeleteButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await homework_cog(interaction).delete_now(interaction, self.homework_id)


class KeepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"homework:keep:(?P<id>\d+)"):
    """Cancels a delete confirmation."""

    def __init__(self, homework_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it", style=discord.ButtonStyle.secondary, custom_id=f"homework:keep:{homework_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> KeepButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Kept: nothing was deleted.", embed=None, view=None)


def confirm_delete_view(homework_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteButton(homework_id))
    view.add_item(KeepButton(homework_id))
    return view


DYNAMIC_ITEMS = (DoneButton, RemindButton, DeleteButton, KeepButton)

__all__ = ["DYNAMIC_ITEMS", "announcement_view", "confirm_delete_view"]
