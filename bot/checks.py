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


IN_DMS = (
    "Moderator commands work in the server, not in direct messages: here I cannot see your roles "
    "or permissions. Use it in a channel of the server."
)


def ensure_moderator(interaction: discord.Interaction[StudyBot]) -> None:
    """Raise :class:`ModeratorOnly` unless the member is a moderator (for buttons and modals).

    In direct messages no roles can be seen, so a moderator is told to use the server instead of
    being told they lack the role.
    """
    roles = interaction.client.settings.moderator_roles
    if interaction.guild_id is None:
        raise app_commands.CheckFailure(IN_DMS)
    if not is_moderator(interaction.user, roles):
        raise ModeratorOnly(roles)


def moderator_only() -> Callable[[T], T]:
    """Command decorator: refused on the server side unless the member is a moderator.

    Moderator commands are *not* hidden with ``default_permissions``: Discord could only hide them
    from members without Manage Server, which hides them from moderators who hold a
    ``MODERATOR_ROLES`` role too (and subcommands of groups that members also use cannot be hidden
    at all). So every moderator command is visible and refused on use; a server admin who wants them
    hidden restricts them to the role in Server Settings → Integrations (see the README).
    """

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        ensure_moderator(interaction)
        return True

    predicate.studybot_moderators = True  # type: ignore[attr-defined]  # see is_moderator_command
    return app_commands.check(predicate)


def is_moderator_command(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> bool:
    """Whether :func:`moderator_only` guards ``command`` (a group: every one of its subcommands)."""
    if isinstance(command, app_commands.Group):
        subcommands = command.walk_commands()
        found = [is_moderator_command(sub) for sub in subcommands if isinstance(sub, app_commands.Command)]
        return bool(found) and all(found)
    return any(getattr(check, "studybot_moderators", False) for check in command.checks)
