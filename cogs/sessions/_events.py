"""Discord Scheduled Events for sessions: external events whose location is the call link."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.db.sessions import Session
from bot.replies import truncate

log = logging.getLogger(__name__)

EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000


def can_manage_events(permissions: discord.Permissions) -> bool:
    """Whether the bot may create events and edit or delete its own.

    Manage Events covers every event; Create Events is enough for the events the bot created.
    """
    return permissions.manage_events or permissions.create_events


def event_fields(session: Session, total: int | None = None) -> dict[str, Any]:
    """The scheduled event's fields for ``session`` (pure)."""
    lines = [session.topic] if session.topic else []
    numbering = f"Session {session.number}" + (f" of {total}" if total else "")
    lines.append(f"{numbering} · course week {session.week}")
    lines.append(f"Join the call: {session.link}")
    return {
        "name": truncate(session.name, EVENT_NAME_MAX),
        "description": truncate("\n".join(lines), EVENT_DESCRIPTION_MAX),
        "start_time": session.starts_at,
        "end_time": session.ends_at,
        "location": session.link,
    }


def refusal_note(error: discord.HTTPException | discord.RateLimited, first: Session, missing: int) -> str:
    """What to tell a moderator when Discord stopped event creation at ``first`` (pure)."""
    rest = f"{missing} session{'s' if missing != 1 else ''}"
    later = "`/session edit` on a session creates its missing event."
    rate_limited = isinstance(error, discord.RateLimited) or error.status == 429
    if rate_limited:
        wait = getattr(error, "retry_after", None)
        minutes = f" for about {max(1, round(wait / 60))} min" if wait else ""
        return (
            f"Discord is rate limiting event creation{minutes}, so I stopped at session #{first.id}: "
            f"{rest} from there on have no Discord event yet. {later}"
        )
    assert isinstance(error, discord.HTTPException)
    return (
        f"Discord refused to create the event for session #{first.id} ({error.text or error.status}); "
        f"{rest} have no Discord event."
    )


async def create_event(guild: discord.Guild, session: Session, total: int | None = None) -> int:
    """Create the session's event; returns its id (Discord errors propagate)."""
    event = await guild.create_scheduled_event(
        **event_fields(session, total),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        reason=f"studybot session #{session.id}",
    )
    return event.id


async def _find(guild: discord.Guild, event_id: int) -> discord.ScheduledEvent | None:
    event = guild.get_scheduled_event(event_id)
    if event is not None:
        return event
    try:
        return await guild.fetch_scheduled_event(event_id, with_counts=False)
    except discord.NotFound:
        return None


async def update_event(guild: discord.Guild, event_id: int, session: Session, *, times: bool = True) -> bool:
    """Make the event match the session; False if the event no longer exists.

    ``times=False`` leaves its start and end alone: Discord refuses a start time in the past, which
    a session that is live already has.
    """
    event = await _find(guild, event_id)
    if event is None:
        return False
    fields = event_fields(session)
    changes: dict[str, Any] = (
        {"start_time": fields["start_time"], "end_time": fields["end_time"]} if times else {}
    )
    try:
        await event.edit(
            name=fields["name"],
            description=fields["description"],
            entity_type=discord.EntityType.external,
            location=fields["location"],
            reason=f"studybot session #{session.id} edited",
            **changes,
        )
    except discord.NotFound:  # deleted while the bot was not listening: its cached copy was stale
        return False
    return True


async def delete_event(guild: discord.Guild, event_id: int) -> bool:
    """Delete the event; False if it was already gone."""
    event = await _find(guild, event_id)
    if event is None:
        return False
    try:
        await event.delete(reason="studybot session cancelled")
    except discord.NotFound:
        return False
    return True


__all__ = [
    "can_manage_events",
    "create_event",
    "delete_event",
    "event_fields",
    "refusal_note",
    "update_event",
]
