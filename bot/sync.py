"""Registering the slash commands with Discord: on request, never on every start."""

from __future__ import annotations

import logging

import discord

from bot.app import StudyBot

log = logging.getLogger(__name__)


async def sync_commands(client: StudyBot, guild_id: int | None, *, clear: bool = False) -> list[str]:
    """Sync the command tree globally, or to one server; ``clear`` removes them instead.

    A server sync copies the global commands to that server first, so they show there at once
    (global commands can take up to an hour to reach every client). Returns the synced names.
    """
    tree = client.tree
    guild = discord.Object(guild_id) if guild_id is not None else None
    if clear:
        tree.clear_commands(guild=guild)
    elif guild is not None:
        tree.copy_global_to(guild=guild)
    synced = await tree.sync(guild=guild)
    log.info("Synced %d commands to %s", len(synced), guild_id or "all servers")
    return [command.name for command in synced]
