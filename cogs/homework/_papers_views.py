"""The persistent confirmation of ``/papers remove`` (ids ``papers:<action>:<paper id>``)."""

from __future__ import annotations

import discord

from bot.components import Feature, persistent_view

PAPERS = Feature("papers", "Reading lists")


def confirm_remove_view(paper_id: int) -> discord.ui.View:
    return persistent_view(
        PAPERS.button("remove", paper_id, label="Remove", style=discord.ButtonStyle.danger),
        PAPERS.button("keep", paper_id, label="Keep it"),
    )


__all__ = ["PAPERS", "confirm_remove_view"]
