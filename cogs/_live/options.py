"""Slash-option helpers shared by the model commands."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.interactions import Interaction


def model_autocomplete(task: str) -> Any:
    """An autocomplete callback offering the catalog's models for ``task`` (≤ 25, from memory)."""

    async def complete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        pool = interaction.client.pool
        if pool is None:
            return []
        wanted = current.strip().casefold()
        choices = []
        for entry in pool.catalog.choices(task):
            name = f"{entry.label} ({entry.id})"
            if wanted in name.casefold():
                choices.append(app_commands.Choice(name=name[:100], value=entry.id))
        return choices[:25]

    return complete
