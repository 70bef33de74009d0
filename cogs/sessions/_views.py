"""Persistent buttons for ``/session``: Remind me, list pages, the cancel confirmation.

DynamicItems whose custom ids carry what they act on, so they work after a restart and answer
politely once their session is gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.checks import ensure_moderator
from bot.components import cog_for, routed_errors
from bot.db.sessions import Session

if TYPE_CHECKING:
    from cogs.sessions._session_cog import SessionCog


def session_cog(interaction: discord.Interaction) -> SessionCog:
    from cogs.sessions._session_cog import SessionCog

    return cog_for(interaction.client, SessionCog, "Sessions")


class RemindButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:remind:(?P<id>\d+)"):
    """Remind me / stop reminding me of one session, for the member who presses it."""

    def __init__(self, session_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remind me",
                emoji="🔔",
                style=discord.ButtonStyle.secondary,
                custom_id=f"session:remind:{session_id}",
                disabled=disabled,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> RemindButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await session_cog(interaction).toggle_remind(interaction, self.session_id)


class ListPageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:list:(?P<page>\d+)"):
    """Turns a page of ``/session list``."""

    def __init__(self, page: int, label: str = "Page", *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"session:list:{page}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> ListPageButton:
        return cls(int(match["page"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await session_cog(interaction).show_list_page(interaction, self.page)


class CancelButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"session:cancel:(?P<id>\d+):(?P<scope>one|series)",
):
    """Confirms cancelling one session or the rest of its series (moderators)."""

    def __init__(self, session_id: int, scope: str, count: int = 1) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Cancel {count} session{'s' if count != 1 else ''}",
                style=discord.ButtonStyle.danger,
                custom_id=f"session:cancel:{session_id}:{scope}",
            )
        )
        self.session_id = session_id
        self.scope = scope

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> CancelButton:
        return cls(int(match["id"]), match["scope"])

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        await session_cog(interaction).cancel_now(interaction, self.session_id, self.scope)


class KeepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:keep:(?P<id>\d+)"):
    """Dismisses a cancel confirmation."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep them", style=discord.ButtonStyle.secondary, custom_id=f"session:keep:{session_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
    ) -> KeepButton:
        return cls(int(match["id"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Kept: nothing was cancelled.", embed=None, view=None)


def session_view(session: Session, *, remind: bool = True) -> discord.ui.View:
    """Under a session post: Remind me (persistent) and a link to the call."""
    view = discord.ui.View(timeout=None)
    if remind:
        view.add_item(RemindButton(session.id, disabled=session.cancelled))
    view.add_item(discord.ui.Button(label="Join the call", style=discord.ButtonStyle.link, url=session.link))
    return view


def list_view(page: int, pages: int) -> discord.ui.View | None:
    """Previous / next page buttons (none for a single page)."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ListPageButton(max(page - 1, 0), "◀ Previous", disabled=page == 0))
    view.add_item(ListPageButton(min(page + 1, pages - 1), "Next ▶", disabled=page >= pages - 1))
    return view


def cancel_view(session_id: int, scope: str, count: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CancelButton(session_id, scope, count))
    view.add_item(KeepButton(session_id))
    return view


DYNAMIC_ITEMS = (RemindButton, ListPageButton, CancelButton, KeepButton)

__all__ = ["DYNAMIC_ITEMS", "cancel_view", "list_view", "session_cog", "session_view"]
