"""The option that names one resource: its title (as autocomplete fills it in), ``12`` or ``#12``."""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands

from bot.db.resources import Resource
from bot.guild_feature import RowReference
from bot.replies import truncate
from cogs.resources._search import rank


class ResourceRef(RowReference[Resource]):
    """A resource of the server; suggestions are ranked by title, tags and description."""

    noun = "resource"
    empty = "This server has no resources yet."
    names_first = True  # suggestions fill in titles, and a title may look like an id

    def names(self, row: Resource) -> Sequence[str]:
        return (row.title,)

    def suggestions(self, rows: list[Resource], current: str) -> list[app_commands.Choice[str]]:
        found = rank(current, rows, limit=25) if current.strip() else rows[:25]
        return [
            app_commands.Choice(name=truncate(f"{row.title} · {row.category}", 100), value=row.title)
            for row in found
        ]


__all__ = ["ResourceRef"]
