"""The integer options that name a session (autocomplete fills in its id)."""

from __future__ import annotations

from datetime import datetime

from discord import AppCommandOptionType, app_commands

from bot.app import StudyBot
from bot.db.sessions import Session
from bot.errors import UserFacingError
from bot.guild_feature import BadReference, bound_cog, guild_id_of
from bot.interactions import Interaction
from cogs.sessions._directory import SessionFeature


class SessionRef(app_commands.Transformer[StudyBot]):
    """Any session of the server; suggestions come most recent first (from the directory's cache)."""

    upcoming_only = False

    @property
    def type(self) -> AppCommandOptionType:
        return AppCommandOptionType.integer

    def accept(self, session: Session, now: datetime) -> Session:
        """Refuse a session this option may not name (raise :class:`BadReference`)."""
        return session

    async def transform(self, interaction: Interaction, value: int, /) -> Session:
        directory = bound_cog(interaction, SessionFeature).directory
        try:
            session = await directory.require(guild_id_of(interaction), int(value))
        except UserFacingError as error:
            raise BadReference(error.message) from None
        return self.accept(session, interaction.client.clock.now())

    async def autocomplete(  # type: ignore[override]  # integer choices
        self, interaction: Interaction, value: int | str, /
    ) -> list[app_commands.Choice[int]]:
        directory = bound_cog(interaction, SessionFeature).directory
        return await directory.choices(interaction, str(value), upcoming_only=self.upcoming_only)


class UpcomingSessionRef(SessionRef):
    """A session that is not over and not cancelled (suggested soonest first)."""

    upcoming_only = True

    def accept(self, session: Session, now: datetime) -> Session:
        if session.cancelled:
            raise BadReference(f"Session #{session.id} ({session.name}) was cancelled.")
        if session.has_ended(now):
            raise BadReference(f"Session #{session.id} ({session.name}) has already taken place.")
        return session


AnySession = app_commands.Transform[Session, SessionRef]
UpcomingSession = app_commands.Transform[Session, UpcomingSessionRef]

__all__ = ["AnySession", "SessionRef", "UpcomingSession", "UpcomingSessionRef"]
