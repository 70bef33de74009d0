"""The persistent buttons of ``/resources``: list pages and the remove confirmation.

Their ids carry everything they need (``resources:page:<owner>:<page>:<p|n>:<category>``,
``resources:remove:<id>``), so they keep working after a restart;
:class:`~cogs.resources._cog.ResourcesCog` answers them.
"""

from __future__ import annotations

import discord

from bot.components import Feature, persistent_view

RESOURCES = Feature("resources", "Resources")


def page_view(owner_id: int, page: int, pages: int, category: str | None) -> discord.ui.View | None:
    """Previous / Next buttons for page ``page`` of ``pages`` (None when everything fits on one)."""
    if pages <= 1:
        return None
    kind = category or ""
    return persistent_view(
        RESOURCES.button(
            "page", owner_id, max(page - 1, 0), "p", kind, label="◀ Previous", disabled=page <= 0
        ),
        RESOURCES.button(
            "page", owner_id, min(page + 1, pages - 1), "n", kind, label="Next ▶", disabled=page >= pages - 1
        ),
    )


def confirm_remove_view(resource_id: int) -> discord.ui.View:
    return persistent_view(
        RESOURCES.button("remove", resource_id, label="Remove", style=discord.ButtonStyle.danger),
        RESOURCES.button("keep", resource_id, label="Keep it"),
    )


__all__ = ["RESOURCES", "confirm_remove_view", "page_view"]
