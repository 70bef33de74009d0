"""Helpers for persistent components (``discord.ui.DynamicItem``) that answer like commands.

discord.py logs an exception raised in a dynamic item's callback and drops it: the member sees
"This interaction failed". :func:`routed_errors` sends such errors through the one error reporter
instead (a :class:`~bot.errors.UserFacingError` becomes an ephemeral sentence).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from bot.errors import UserFacingError, report_error

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])
CogT = TypeVar("CogT")
Callback = Callable[[ItemT, discord.Interaction], Awaitable[None]]


def routed_errors(callback: Callback[ItemT]) -> Callback[ItemT]:
    """Decorate a component callback so that its errors reach the member as ephemeral replies."""

    @functools.wraps(callback)
    async def wrapper(self: ItemT, interaction: discord.Interaction) -> None:
        try:
            await callback(self, interaction)
        except Exception as error:
            await report_error(interaction, error, f"the button {getattr(self, 'custom_id', '?')}")

    return wrapper


def cog_for(interaction: discord.Interaction, cog_type: type[CogT], feature: str) -> CogT:
    """The loaded cog a persistent component talks to; a polite refusal while it is unloaded."""
    cog = interaction.client.get_cog(cog_type.__name__)  # type: ignore[attr-defined]
    if not isinstance(cog, cog_type):
        raise UserFacingError(
            f"{feature} {'are' if feature.endswith('s') else 'is'} not available right now; "
            "try again in a minute."
        )
    return cog


__all__ = ["cog_for", "routed_errors"]
