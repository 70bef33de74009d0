"""Discord scheduled events changed in Discord itself: the sessions follow.

- An event deleted (by a moderator in Discord's event list), or cancelled there: its session
  forgets it, so ``/session edit`` creates a new one instead of editing one that is gone or frozen.
- Interest (members pressing "Interested") is not stored: discord.py drops
  GUILD_SCHEDULED_EVENT_USER_ADD / _REMOVE for members it has not cached (the bot runs without the
  members intent), so the count is asked of Discord (``with_counts``) when it is needed.
- Changes to name or time made in Discord are left as they are: the session is the source of
  truth, and the next ``/session edit`` writes it back to the event.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from cogs.sessions._session_cog import SessionDirectory

log = logging.getLogger(__name__)


class SessionEventSync(commands.Cog):
    """Listens for GUILD_SCHEDULED_EVENT_UPDATE and _DELETE."""

    def __init__(self, directory: SessionDirectory) -> None:
        self.directory = directory

    async def _forget(self, event: discord.ScheduledEvent, why: str) -> None:
        session_id = await self.directory.store.forget_event(event.guild_id, event.id)
        if session_id is not None:
            log.info("Session %d: its Discord event %d was %s in Discord", session_id, event.id, why)
            await self.directory.cache.refresh(event.guild_id)

    @commands.Cog.listener()
    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        await self._forget(event, "deleted")

    @commands.Cog.listener()
    async def on_scheduled_event_update(
        self, before: discord.ScheduledEvent, after: discord.ScheduledEvent
    ) -> None:
        if (
            after.status is discord.EventStatus.cancelled
            and before.status is not discord.EventStatus.cancelled
        ):
            await self._forget(after, "cancelled")


__all__ = ["SessionEventSync"]
