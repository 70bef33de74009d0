"""Persistent buttons for /resources: list pages and the remove confirmation.

They are :class:`discord.ui.DynamicItem` s whose custom ids carry everything they need, so they
keep working after a restart and answer politely when their resource is gone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import ensure_moderator
from bot.components import cog_for, routed_errors
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from cogs.resources._cog import Resources

log = logging.getLogger(__name__)


def resources_cog(interaction: discord.Interaction) -> Resources:
    from cogs.resources._cog import Resources

    return cog_for(interaction.client, Resources, "Resources")


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"resources:page:(?P<owner>\d+):(?P<page>\d+):(?P<dir>[pn]):(?P<category>[a-z]*)",
):
    """Previous / Next on a resource list; only the member who asked for the list can turn pages."""

    def __init__(self, owner_id: int, page: int, direction: str, category: str, *, disabled: bool = False):
        label = "◀ Previous" if direction == "p" else "Next ▶"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"resources:page:{owner_id}:{page}:{direction}:{category}",
                disabled=disabled,
            )
        )
        self.owner_id, self.page, self.category = owner_id, page, category

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> PageButton:
        return cls(int(match["owner"]), int(match["page"]), match["dir"], match["category"])

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.owner_id:
            raise UserFacingError(
                "These buttons turn the pages for whoever ran the list; use /resources list to get your own."
            )
        assert interaction.guild_id is not None
        embed, view = await resources_cog(interaction).list_page(
            interaction.guild_id, self.category or None, self.page, self.owner_id
        )
        await interaction.response.edit_message(embed=embed, view=view)


def page_view(owner_id: int, page: int, pages: int, category: str | None) -> discord.ui.View | None:
    """Previous / Next buttons for page ``page`` of ``pages`` (None when everything fits on one)."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(owner_id, max(page - 1, 0), "p", category or "", disabled=page <= 0))
    view.add_item(
        PageButton(owner_id, min(page + 1, pages - 1), "n", category or "", disabled=page >= pages - 1)
    )
    return view


class RemoveButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"resources:remove:(?P<id>\d+)"):
    """Confirms removing one resource (moderators)."""

    def __init__(self, resource_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remove", style=discord.ButtonStyle.danger, custom_id=f"resources:remove:{resource_id}"
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> RemoveButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        assert interaction.guild_id is not None
        removed = await resources_cog(interaction).remove_now(
            interaction.guild_id, self.resource_id, interaction.user.id
        )
        text = (
            f"Removed **{removed.title}**."
            if removed
            else "That resource was already removed; nothing changed."
        )
        await interaction.response.edit_message(content=text, embed=None, view=None)


class KeepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"resources:keep:(?P<id>\d+)"):
    """Cancels a remove confirmation."""

    def __init__(self, resource_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it",
                style=discord.ButtonStyle.secondary,
                custom_id=f"resources:keep:{resource_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> KeepButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Kept: nothing was removed.", embed=None, view=None)


def confirm_remove_view(resource_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemoveButton(resource_id))
    view.add_item(KeepButton(resource_id))
    return view


DYNAMIC_ITEMS = (PageButton, RemoveButton, KeepButton)

__all__ = ["DYNAMIC_ITEMS", "confirm_remove_view", "page_view"]
