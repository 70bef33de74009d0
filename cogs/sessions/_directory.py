"""What the session and Q&A cogs share: the server's sessions (lookups, autocomplete from
memory, channels) and the base class that hands them the directory."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import discord
from discord import app_commands

from bot.app import StudyBot
from bot.db.guilds import GuildConfig, GuildStore
from bot.db.sessions import Session, SessionStore
from bot.errors import UserFacingError
from bot.guild_cache import GuildCache
from bot.guild_feature import GuildFeature
from bot.interactions import Interaction
from cogs.sessions._embeds import choice_name

StoreT = TypeVar("StoreT")

#: How far back autocomplete (and /questions export) looks for sessions.
RECENT = timedelta(days=90)


class SessionDirectory:
    """Sessions shared by the session and Q&A cogs: lookups, autocomplete from memory, posting."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.cache: GuildCache[Session] = GuildCache(self._load)

    @property
    def store(self) -> SessionStore:
        return SessionStore(self.bot.db)

    async def _load(self, guild_id: int) -> list[Session]:
        return await self.store.since(guild_id, self.bot.clock.now() - RECENT)

    async def config(self, guild_id: int) -> GuildConfig:
        return await GuildStore(self.bot.db).get(guild_id)

    async def require(self, guild_id: int, session_id: int) -> Session:
        """A session of this server, or a sentence saying there is none."""
        session = await self.store.get(guild_id, session_id)
        if session is None:
            raise UserFacingError(
                f"There is no session #{session_id} on this server; pick one from the list."
            )
        return session

    async def choices(
        self, interaction: Interaction, current: str, *, upcoming_only: bool
    ) -> list[app_commands.Choice[int]]:
        """Sessions matching what is typed (id, date or title), soonest first, from memory."""
        if interaction.guild_id is None:
            return []
        now = self.bot.clock.now()
        zone = (await self.config(interaction.guild_id)).zone
        wanted = current.strip().lstrip("#").casefold()
        found = []
        for session in await self.cache.get(interaction.guild_id):
            if session.cancelled or (upcoming_only and session.has_ended(now)):
                continue
            label = choice_name(session, zone)
            if wanted in label.casefold():
                found.append(app_commands.Choice(name=label, value=session.id))
        if not upcoming_only:  # most recent first: the session that just ended is the likely one
            found.reverse()
        return found[:25]

    def channel(self, channel_id: int, guild_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)


class SessionFeature(GuildFeature[StoreT]):
    """A cog of the sessions package (``/session``, ``/questions``, ``/ask``): it reads sessions
    through the shared :class:`SessionDirectory`."""

    def __init__(self, client: StudyBot, directory: SessionDirectory) -> None:
        super().__init__(client)
        self.directory = directory


__all__ = ["RECENT", "SessionDirectory", "SessionFeature"]
