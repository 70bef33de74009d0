"""Helpers for the session and Q&A tests: the bot on a ManualClock, and looks into what it sent."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from bot.clock import ManualClock, utc
from bot.inference.backend import InferenceBackend
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.limits import fast_rate_limits

#: Monday 17 March 2031, 09:00 UTC (10:00 in Paris). The clocks in Paris go forward on Sunday 30 March.
START = utc(2031, 3, 17, 9, 0)
LINK = "https://meet.example.org/hf-study"


@contextlib.asynccontextmanager
async def clocked(
    settings: Settings, backend: InferenceBackend | None, start: datetime = START
) -> AsyncIterator[tuple[LocalSession, ManualClock]]:
    """The real bot against the double, with time driven by the test."""
    clock = ManualClock(start)
    async with LocalSession(
        settings,
        clock=clock,
        fail_on_errors=True,
        answer_timeout=60,
        backend=backend,
        rate_limits=fast_rate_limits(),
    ) as session:
        yield session, clock
        session.raise_failures()


async def setup_guild(
    session: LocalSession, *, timezone: str = "Europe/Paris", channels: bool = True, remind: int | None = None
) -> None:
    """Set the time zone, the sessions/questions channels and the reminder lead, as a moderator would."""
    await session.run(f"/config timezone name:{timezone}", moderator=True)
    if channels:
        await session.run("/config channel purpose:sessions channel:#sessions", moderator=True)
        await session.run("/config channel purpose:questions channel:#general", moderator=True)
    if remind is not None:
        await session.run(f"/config reminders area:sessions minutes:{remind}", moderator=True)


async def schedule(
    session: LocalSession,
    *,
    weeks: int = 3,
    weekday: str = "Thursday",
    time: str = "18:00",
    duration: int = 90,
    extra: str = "",
) -> Exchange:
    """``/session schedule`` as a moderator."""
    return await session.run(
        f"/session schedule title:HF course study group weekday:{weekday} time:{time} "
        f"duration:{duration} weeks:{weeks} link:{LINK} {extra}".strip(),
        moderator=True,
    )


def event_requests(session: LocalSession, method: str = "POST") -> list[Any]:
    """The bot's scheduled-event requests of one method, oldest first."""
    return [
        request
        for request in session.double.requests
        if request.method == method and "/scheduled-events" in request.path
    ]


def channel_posts(session: LocalSession, channel: str) -> list[StoredMessage]:
    """Messages the bot posted in a channel (not interaction responses)."""
    channel_id = session.channel(channel).id
    return [m for m in session.double.channel_messages(channel_id) if m.interaction_id is None]


def everything_sent(session: LocalSession) -> str:
    """Every message (as it stands, with what Discord shows about it, and as it was created or
    edited), every request body and every uploaded file the bot sent, as one text."""
    parts = []
    for message in session.double.messages.values():
        shown = message.to_json(session.double.world)
        if message.ephemeral:
            # Discord's "X used /command" header: only X sees an ephemeral message. On a public
            # message it stays in, since everyone sees it there.
            shown.pop("interaction_metadata", None)
        parts.append(json.dumps(shown))
        parts.extend(json.dumps(payload) for payload in message.history)
    for request in session.double.requests:
        parts.append(json.dumps(request.json))
        parts.extend(item.data.decode("utf-8", "replace") for item in request.files)
    for channel in session.double.world.channels.values():
        parts.append(channel.name)
    return "\n".join(parts)


async def rows(session: LocalSession, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    assert session.bot is not None
    async with session.bot.db.execute(sql, args) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


def field(message: StoredMessage, name: str, embed: int = 0) -> str:
    """An embed field's value by name."""
    for item in message.embeds[embed].get("fields") or []:
        if item["name"] == name:
            return str(item["value"])
    raise KeyError(
        f"no field {name!r}; fields: {[f['name'] for f in message.embeds[embed].get('fields') or []]}"
    )


__all__ = [
    "LINK",
    "START",
    "channel_posts",
    "clocked",
    "event_requests",
    "everything_sent",
    "field",
    "rows",
    "schedule",
    "setup_guild",
]
