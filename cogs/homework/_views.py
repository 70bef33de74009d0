"""The persistent buttons of ``/homework``: Mark done and Remind me under an announcement, Undo
under a member's confirmation, and the delete confirmation. Their ids,
``homework:<action>:<homework id>``, keep them working after a restart;
:class:`~cogs.homework._homework_cog.HomeworkCog` answers them."""

from __future__ import annotations

import discord

from bot.components import Feature, persistent_view
from bot.db.homework import Homework

HOMEWORK = Feature("homework", "Homework")


def announcement_view(homework: Homework) -> discord.ui.View:
    """The two buttons under an announcement (disabled once the homework is closed)."""
    return persistent_view(
        HOMEWORK.button(
            "done",
            homework.id,
            label="Mark done",
            emoji="✅",
            style=discord.ButtonStyle.success,
            disabled=homework.closed,
        ),
        HOMEWORK.button("remind", homework.id, label="Remind me", emoji="🔔", disabled=homework.closed),
    )


def undo_view(action: str, homework_id: int) -> discord.ui.View:
    """The **Undo** under a member's ephemeral confirmation: ``undo`` (done) or ``unremind``."""
    return persistent_view(HOMEWORK.button(action, homework_id, label="Undo", emoji="↩️"))


def confirm_delete_view(homework_id: int) -> discord.ui.View:
    return persistent_view(
        HOMEWORK.button("delete", homework_id, label="Delete", style=discord.ButtonStyle.danger),
        HOMEWORK.button("keep", homework_id, label="Keep it"),
    )


__all__ = ["HOMEWORK", "announcement_view", "confirm_delete_view", "undo_view"]
