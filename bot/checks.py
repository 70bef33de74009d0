"""Who may do what: the moderator check used by every moderator command, on the server side."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import ModeratorOnly

if TYPE_CHECKING:
    from bot.app import StudyBot

T = TypeVar("T")


def is_moderator(user: discord.abc.User, moderator_roles: tuple[str, ...]) -> bool:
    """Manage Server permission, or one of the configured moderator role names (case-insensitive)."""
    if not isinstance(user, discord.Member):
        return False
    if user.guild_permissions.manage_guild:
        return True
    wanted = {name.lower() for name in moderator_roles}
    return any(role.name.lower() in wanted for role in user.roles)


def ensure_moderator(interaction: discord.Interaction[StudyBot]) -> None:
    """Raise :class:`ModeratorOnly` unless the member is a moderator (for buttons and modals)."""
    roles = interaction.client.settings.moderator_roles
    if not is_moderator(interaction.user, roles):
        raise ModeratorOnly(roles)


def moderator_only() -> Callable[[T], T]:
    """Command decorator: refused on the server side unless the member is a moderator.

    Discord can also hide a command from members, but only a top-level command or group
    (``@app_commands.default_permissions(manage_guild=True)``); subcommands in a group that
    members use too rely on this check alone.
    """

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        ensure_moderator(interaction)
        return True

    return app_commands.check(predicate)
