"""Persistent confirmation buttons for ``/papers remove`` (DynamicItems: they survive restarts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.checks import ensure_moderator
from bot.components import cog_for, routed_errors

if TYPE_CHECKING:
    from cogs.homework._papers_cog import PapersCog


def papers_cog(interaction: discord.Interaction) -> PapersCog:
    from cogs.homework._papers_cog import PapersCog

    return cog_for(interaction.client, PapersCog, "Reading lists")


class RemovePaperButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"papers:remove:(?P<id>\d+)"
):
    """Confirms removing a paper with its reads and votes (moderators)."""

    def __init__(self, paper_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remove", style=discord.ButtonStyle.danger, custom_id=f"papers:remove:{paper_id}"
            )
        )
        self.paper_id = paper_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> RemovePaperButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        assert interaction.guild_id is not None
        removed = await papers_cog(interaction).remove_now(
            interaction.guild_id, self.paper_id, interaction.user.id
        )
        text = (
            f"Removed **{removed.title}** from the reading list."
            if removed
            else "That paper was already removed; nothing changed."
        )
        await interaction.response.edit_message(content=text, embed=None, view=None)


class KeepPaperButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"papers:keep:(?P<id>\d+)"):
    """Cancels a remove confirmation."""

    def __init__(self, paper_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it", style=discord.ButtonStyle.secondary, custom_id=f"papers:keep:{paper_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> KeepPaperButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Kept: nothing was removed.", embed=None, view=None)


def confirm_remove_view(paper_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemovePaperButton(paper_id))
    view.add_item(KeepPaperButton(paper_id))
    return view


DYNAMIC_ITEMS = (RemovePaperButton, KeepPaperButton)

__all__ = ["DYNAMIC_ITEMS", "confirm_remove_view"]
