"""Study sessions (``/session``): weekly series, their Discord events, reminders and opt-ins.

Every query is filtered by ``guild_id``. Each write is one unit of work through
:func:`bot.db.transaction.transaction` (rows, reminder rows, the audit entry for moderator writes,
one commit). Reminders are rows of :mod:`bot.db.reminders`, sent once by the scheduler: one to the
sessions channel per session (``session.channel``) and one per member who pressed "Remind me"
(``session.member``); callers ``wake()`` the scheduler after a write that adds or moves some.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import aiosqlite

from bot.db import audit
from bot.db.changes import Changes
from bot.db.connection import StoreConnection
from bot.db.reminders import ReminderStore, from_text, to_text
from bot.db.transaction import transaction
from bot.errors import UserFacingError

log = logging.getLogger(__name__)

KIND_CHANNEL = "session.channel"
KIND_MEMBER = "session.member"
KINDS = (KIND_CHANNEL, KIND_MEMBER)
TITLE_MAX = 100  # a Discord scheduled event's name
TOPIC_MAX = 200
LINK_MAX = 100  # a Discord external event's location


@dataclass(frozen=True)
class SessionDraft:
    """One meeting of a new series (validated by the caller)."""

    number: int
    week: int
    title: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    link: str


@dataclass(frozen=True)
class SessionChanges(Changes):
    """What an edit changes in one session (validated by the caller); None leaves a field as it
    is, ``topic=""`` removes the topic."""

    title: str | None = None
    topic: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    link: str | None = None


@dataclass(frozen=True)
class Session:
    """One meeting as stored."""

    id: int
    guild_id: int
    series_id: int
    number: int
    week: int
    title: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    link: str
    event_id: int | None
    cancelled_at: datetime | None
    channel_id: int | None  # where the series was scheduled (fallback for posts)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def is_live(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    @property
    def name(self) -> str:
        """``Title — topic`` (or the title alone)."""
        return f"{self.title} — {self.topic}" if self.topic else self.title


RemindOutcome = Literal["added", "removed", "already_sent", "unchanged"]


@dataclass(frozen=True)
class Announcement:
    """Where a moderator announced a session with /session announce."""

    channel_id: int
    message_id: int
    user_id: int
    announced_at: datetime


def _session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        guild_id=row["guild_id"],
        series_id=row["series_id"],
        number=row["number"],
        week=row["week"],
        title=row["title"],
        topic=row["topic"],
        starts_at=from_text(row["starts_at"]),
        ends_at=from_text(row["ends_at"]),
        link=row["link"],
        event_id=row["event_id"],
        cancelled_at=from_text(row["cancelled_at"]) if row["cancelled_at"] else None,
        channel_id=row["channel_id"],
    )


def channel_dedupe_key(session: Session) -> str:
    """One channel reminder per session and start time (a new time gets a new reminder)."""
    return f"session:{session.id}:channel:{int(session.starts_at.timestamp())}"


def member_dedupe_key(session: Session, user_id: int) -> str:
    return f"session:{session.id}:member:{user_id}:{int(session.starts_at.timestamp())}"


_SELECT = (
    "SELECT s.id, s.guild_id, s.series_id, s.number, s.week, s.title, s.topic, s.starts_at, s.ends_at, "
    "s.link, s.event_id, s.cancelled_at, r.channel_id FROM sessions s "
    "JOIN session_series r ON r.id = s.series_id"
)


class SessionStore:
    """One method per query over ``session_series``, ``sessions`` and ``session_optins``."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db
        self.reminders = ReminderStore(db)

    # --- reads ---------------------------------------------------------------------------

    async def _many(self, where: str, args: Sequence[Any]) -> list[Session]:
        async with self.db.execute(f"{_SELECT} WHERE {where}", args) as cursor:
            return [_session(row) for row in await cursor.fetchall()]

    async def get(self, guild_id: int, session_id: int) -> Session | None:
        """One session of this server (cancelled ones included)."""
        found = await self._many("s.guild_id = ? AND s.id = ?", (guild_id, session_id))
        return found[0] if found else None

    async def series(self, guild_id: int, series_id: int) -> list[Session]:
        """Every session of one series, in order."""
        return await self._many("s.guild_id = ? AND s.series_id = ? ORDER BY s.number", (guild_id, series_id))

    async def upcoming(
        self, guild_id: int, now: datetime, *, limit: int = -1, offset: int = 0
    ) -> list[Session]:
        """Sessions not cancelled that have not ended (a live one first), soonest first."""
        return await self._many(
            "s.guild_id = ? AND s.cancelled_at IS NULL AND s.ends_at > ? "
            "ORDER BY s.starts_at, s.id LIMIT ? OFFSET ?",
            (guild_id, to_text(now), limit, offset),
        )

    async def count_upcoming(self, guild_id: int, now: datetime) -> int:
        """How many sessions :meth:`upcoming` lists."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM sessions WHERE guild_id = ? AND cancelled_at IS NULL AND ends_at > ?",
            (guild_id, to_text(now)),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def current_or_next(self, guild_id: int, now: datetime) -> Session | None:
        """The live session, else the next one (not cancelled)."""
        found = await self.upcoming(guild_id, now, limit=1)
        return found[0] if found else None

    async def last_started(self, guild_id: int, now: datetime) -> Session | None:
        """The most recent session that has started (live or over; not cancelled)."""
        found = await self._many(
            "s.guild_id = ? AND s.cancelled_at IS NULL AND s.starts_at <= ? "
            "ORDER BY s.starts_at DESC, s.id DESC LIMIT 1",
            (guild_id, to_text(now)),
        )
        return found[0] if found else None

    async def since(self, guild_id: int, moment: datetime, *, limit: int = 500) -> list[Session]:
        """Sessions not cancelled that end after ``moment`` (autocomplete's cache), soonest first."""
        return await self._many(
            "s.guild_id = ? AND s.cancelled_at IS NULL AND s.ends_at > ? ORDER BY s.starts_at, s.id LIMIT ?",
            (guild_id, to_text(moment), limit),
        )

    async def is_opted_in(self, guild_id: int, session_id: int, user_id: int) -> bool:
        """Whether a member pressed "Remind me" for a session."""
        async with self.db.execute(
            "SELECT 1 FROM session_optins WHERE guild_id = ? AND session_id = ? AND user_id = ?",
            (guild_id, session_id, user_id),
        ) as cursor:
            return await cursor.fetchone() is not None

    async def optins(self, guild_id: int, session_id: int) -> list[int]:
        """The members who asked to be reminded of a session."""
        async with self.db.execute(
            "SELECT user_id FROM session_optins WHERE guild_id = ? AND session_id = ? ORDER BY created_at",
            (guild_id, session_id),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    # --- moderator writes ------------------------------------------------------------------

    async def _require(self, guild_id: int, session_id: int) -> Session:
        session = await self.get(guild_id, session_id)
        if session is None:
            raise UserFacingError(f"There is no session #{session_id} on this server.")
        return session

    async def _add_channel_reminder(self, session: Session, lead: timedelta) -> None:
        await self.reminders.add(
            session.guild_id,
            KIND_CHANNEL,
            session.starts_at - lead,
            expires_at=session.starts_at,
            target_id=session.id,
            channel_id=session.channel_id,
            dedupe_key=channel_dedupe_key(session),
        )

    async def _add_member_reminder(self, session: Session, user_id: int, lead: timedelta) -> bool:
        return await self.reminders.add(
            session.guild_id,
            KIND_MEMBER,
            session.starts_at - lead,
            expires_at=session.starts_at,
            target_id=session.id,
            user_id=user_id,
            channel_id=session.channel_id,
            dedupe_key=member_dedupe_key(session, user_id),
        )

    async def schedule(
        self,
        guild_id: int,
        title: str,
        drafts: Sequence[SessionDraft],
        *,
        user_id: int,
        channel_id: int | None,
        lead: timedelta,
        detail: str,
    ) -> list[Session]:
        """Save a series with its sessions and their channel reminders, in one transaction."""
        if not drafts:
            raise ValueError("a series needs at least one session")
        async with transaction(self.db):
            cursor = await self.db.execute(
                "INSERT INTO session_series (guild_id, title, channel_id, created_by) VALUES (?, ?, ?, ?)",
                (guild_id, title, channel_id, user_id),
            )
            series_id = cursor.lastrowid
            assert series_id is not None
            for draft in drafts:
                await self.db.execute(
                    "INSERT INTO sessions (guild_id, series_id, number, week, title, topic, starts_at, "
                    "ends_at, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        guild_id,
                        series_id,
                        draft.number,
                        draft.week,
                        draft.title,
                        draft.topic,
                        to_text(draft.starts_at),
                        to_text(draft.ends_at),
                        draft.link,
                    ),
                )
            sessions = await self.series(guild_id, series_id)
            for session in sessions:
                await self._add_channel_reminder(session, lead)
            await audit.record(
                self.db, guild_id, user_id, "session.schedule", f"series {series_id}: {detail}"
            )
        log.info(
            "Series %d (%d sessions) scheduled in guild %d by %d", series_id, len(sessions), guild_id, user_id
        )
        return sessions

    async def set_event(self, guild_id: int, session_id: int, event_id: int | None) -> None:
        """Remember (or forget) a session's Discord scheduled event."""
        async with transaction(self.db):
            await self.db.execute(
                "UPDATE sessions SET event_id = ? WHERE guild_id = ? AND id = ?",
                (event_id, guild_id, session_id),
            )

    async def forget_event(self, guild_id: int, event_id: int) -> int | None:
        """Forget a Discord event deleted or cancelled in Discord; returns its session's id, if any."""
        async with transaction(self.db):
            async with self.db.execute(
                "SELECT id FROM sessions WHERE guild_id = ? AND event_id = ?", (guild_id, event_id)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await self.db.execute(
                "UPDATE sessions SET event_id = NULL WHERE guild_id = ? AND id = ?", (guild_id, row[0])
            )
        return int(row[0])

    async def update(
        self,
        guild_id: int,
        session_id: int,
        changes: SessionChanges,
        *,
        user_id: int,
        lead: timedelta,
    ) -> Session:
        """Change one session (validated by the caller); a new time moves its reminders.

        Members who opted in get a reminder for the new time even if they had one for the old
        time already; never two for the same time.
        """
        (updated,) = await self.update_many(guild_id, [(session_id, changes)], user_id=user_id, lead=lead)
        return updated

    async def update_many(
        self,
        guild_id: int,
        edits: Sequence[tuple[int, SessionChanges]],
        *,
        user_id: int,
        lead: timedelta,
    ) -> list[Session]:
        """Change several sessions (``/session edit`` over a series) in one transaction, each as
        :meth:`update` does, with one audit entry each."""
        updated_sessions = []
        async with transaction(self.db):
            for session_id, changes in edits:
                current = await self._require(guild_id, session_id)
                given = changes.given()
                updated = replace(current, **given)
                await self.db.execute(
                    "UPDATE sessions SET title = ?, topic = ?, starts_at = ?, ends_at = ?, link = ?, "
                    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE guild_id = ? AND id = ?",
                    (
                        updated.title,
                        updated.topic,
                        to_text(updated.starts_at),
                        to_text(updated.ends_at),
                        updated.link,
                        guild_id,
                        session_id,
                    ),
                )
                if updated.starts_at != current.starts_at:
                    for kind in KINDS:
                        await self.reminders.cancel(guild_id, kind, target_id=session_id)
                    await self._add_channel_reminder(updated, lead)
                    for member in await self.optins(guild_id, session_id):
                        await self._add_member_reminder(updated, member, lead)
                await audit.record(
                    self.db,
                    guild_id,
                    user_id,
                    "session.edit",
                    f"#{session_id} {updated.name}: {', '.join(given)}",
                )
                updated_sessions.append(updated)
        return updated_sessions

    async def cancel(
        self, guild_id: int, session_ids: Sequence[int], *, user_id: int, now: datetime
    ) -> list[Session]:
        """Cancel sessions (those not cancelled yet) and drop their pending reminders."""
        cancelled: list[Session] = []
        async with transaction(self.db):
            for session_id in session_ids:
                session = await self.get(guild_id, session_id)
                if session is None or session.cancelled:
                    continue
                await self.db.execute(
                    "UPDATE sessions SET cancelled_at = ? WHERE guild_id = ? AND id = ?",
                    (to_text(now), guild_id, session_id),
                )
                for kind in KINDS:
                    await self.reminders.cancel(guild_id, kind, target_id=session_id)
                cancelled.append(replace(session, cancelled_at=now))
            if cancelled:
                ids = ", ".join(f"#{session.id}" for session in cancelled)
                await audit.record(
                    self.db, guild_id, user_id, "session.cancel", f"{ids} ({cancelled[0].title})"
                )
        return cancelled

    async def record_announcement(
        self, guild_id: int, session_id: int, *, user_id: int, channel_id: int, message_id: int
    ) -> None:
        """Remember where a session was announced (and audit it)."""
        async with transaction(self.db):
            await self.db.execute(
                "INSERT INTO session_announcements (session_id, guild_id, channel_id, message_id, "
                "announced_by) VALUES (?, ?, ?, ?, ?)",
                (session_id, guild_id, channel_id, message_id, user_id),
            )
            await audit.record(
                self.db, guild_id, user_id, "session.announce", f"#{session_id} in channel {channel_id}"
            )

    async def announcements(self, guild_id: int, session_id: int) -> list[Announcement]:
        """Where a session was announced, latest first."""
        async with self.db.execute(
            "SELECT channel_id, message_id, announced_by, announced_at FROM session_announcements "
            "WHERE guild_id = ? AND session_id = ? ORDER BY announced_at DESC, message_id DESC",
            (guild_id, session_id),
        ) as cursor:
            return [
                Announcement(row[0], row[1], row[2], from_text(row[3])) for row in await cursor.fetchall()
            ]

    # --- member writes ---------------------------------------------------------------------

    async def set_remind(
        self, guild_id: int, session_id: int, user_id: int, on: bool, *, lead: timedelta, now: datetime
    ) -> tuple[Session, RemindOutcome]:
        """Turn a member's "Remind me" on (their reminder is added) or off (it is removed); pressing
        it twice never undoes it."""
        async with transaction(self.db):
            session = await self._require(guild_id, session_id)
            opted_in = await self.is_opted_in(guild_id, session_id, user_id)
            if not on:
                if not opted_in:
                    return session, "unchanged"
                await self.db.execute(
                    "DELETE FROM session_optins WHERE guild_id = ? AND session_id = ? AND user_id = ?",
                    (guild_id, session_id, user_id),
                )
                await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=session_id, user_id=user_id)
                return session, "removed"
            if session.cancelled:
                raise UserFacingError(f"**{session.name}** was cancelled: there is nothing to remind you of.")
            if now >= session.starts_at:
                raise UserFacingError(f"**{session.name}** has already started.")
            if opted_in:
                added = await self._add_member_reminder(session, user_id, lead)
                if added:
                    return session, "added"
                pending = await self._member_pending(session, user_id)
                return session, "unchanged" if pending else "already_sent"
            await self.db.execute(
                "INSERT INTO session_optins (session_id, guild_id, user_id) VALUES (?, ?, ?)",
                (session_id, guild_id, user_id),
            )
            added = await self._add_member_reminder(session, user_id, lead)
        return session, "added" if added else "already_sent"

    async def _member_pending(self, session: Session, user_id: int) -> bool:
        """Whether the member's reminder for the session's current time is still to go out."""
        async with self.db.execute(
            "SELECT 1 FROM reminders WHERE dedupe_key = ? AND sent_at IS NULL",
            (member_dedupe_key(session, user_id),),
        ) as cursor:
            return await cursor.fetchone() is not None


__all__ = [
    "KINDS",
    "KIND_CHANNEL",
    "KIND_MEMBER",
    "LINK_MAX",
    "TITLE_MAX",
    "TOPIC_MAX",
    "Announcement",
    "RemindOutcome",
    "Session",
    "SessionChanges",
    "SessionDraft",
    "SessionStore",
]
