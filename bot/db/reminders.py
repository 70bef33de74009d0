"""Stored reminders: added by the cogs, claimed, sent and retried by :mod:`bot.scheduler`.

A reminder is *pending* while ``sent_at`` is NULL: waiting for ``due_at``, being sent
(``outcome = 'sending'``, ``attempts`` counts the attempts started), or waiting for ``retry_at``
after a failed attempt. ``sent_at`` is set once, when it is finished: ``sent``, ``expired`` (never
tried before its deadline) or ``dropped: …`` (tried, and not delivered by its deadline).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from bot.db.connection import StoreConnection
from bot.db.transaction import transaction


def remind_time(due: datetime, lead: timedelta, now: datetime) -> datetime:
    """When a reminder for ``due`` goes out: ``lead`` before it, or halfway there if that is past."""
    at = due - lead
    if at <= now:
        at = now + (due - now) / 2
    return at


def to_text(moment: datetime) -> str:
    """A UTC ISO-8601 string that sorts in time order (as SQLite compares text)."""
    if moment.tzinfo is None:
        raise ValueError("reminder times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Reminder:
    """One reminder to send."""

    id: int
    guild_id: int
    kind: str
    target_id: int | None
    user_id: int | None
    channel_id: int | None
    due_at: datetime
    expires_at: datetime | None
    payload: dict[str, Any]
    #: Attempts started so far (counting the one being made): above 1, an earlier one may have posted.
    attempts: int = 0
    #: Chosen at the first attempt and kept: Discord's message nonce and the marker on what is posted.
    nonce: str | None = None


def _reminder(row: aiosqlite.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        guild_id=row["guild_id"],
        kind=row["kind"],
        target_id=row["target_id"],
        user_id=row["user_id"],
        channel_id=row["channel_id"],
        due_at=from_text(row["due_at"]),
        expires_at=from_text(row["expires_at"]) if row["expires_at"] else None,
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
        nonce=row["nonce"],
    )


def new_nonce() -> str:
    """A nonce for one reminder: 12 random hex digits (Discord takes up to 25 characters)."""
    return secrets.token_hex(6)


# When a pending reminder is next looked at: its retry time after a failed attempt, else its due time.
_NEXT = "COALESCE(retry_at, due_at)"


class ReminderStore:
    """One method per query over ``reminders``. Writes do not commit: callers commit their unit of work."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int,
        kind: str,
        due_at: datetime,
        *,
        expires_at: datetime | None = None,
        target_id: int | None = None,
        user_id: int | None = None,
        channel_id: int | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
    ) -> bool:
        """Add a reminder; with a ``dedupe_key`` already present nothing changes. True if added."""
        cursor = await self.db.execute(
            "INSERT OR IGNORE INTO reminders (guild_id, kind, target_id, user_id, channel_id, due_at, "
            "expires_at, payload, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                kind,
                target_id,
                user_id,
                channel_id,
                to_text(due_at),
                to_text(expires_at) if expires_at else None,
                json.dumps(payload or {}),
                dedupe_key,
            ),
        )
        return cursor.rowcount == 1

    async def cancel(
        self, guild_id: int, kind: str, *, target_id: int | None = None, user_id: int | None = None
    ) -> int:
        """Delete unsent reminders of ``kind`` (for one target and/or member); returns how many."""
        query = "DELETE FROM reminders WHERE guild_id = ? AND kind = ? AND sent_at IS NULL"
        args: list[Any] = [guild_id, kind]
        if target_id is not None:
            query += " AND target_id = ?"
            args.append(target_id)
        if user_id is not None:
            query += " AND user_id = ?"
            args.append(user_id)
        cursor = await self.db.execute(query, args)
        return cursor.rowcount

    async def move_before_expiry(
        self, guild_id: int, kinds: tuple[str, ...], lead: timedelta, now: datetime
    ) -> int:
        """Set every unsent reminder of ``kinds`` that has an expiry (a due date, a session start)
        to go out ``lead`` before it (see :func:`remind_time`), after the server changed how early
        reminders go out. Returns how many moved."""
        marks = ",".join("?" * len(kinds)) or "NULL"
        async with self.db.execute(
            f"SELECT id, expires_at FROM reminders WHERE guild_id = ? AND kind IN ({marks}) "
            "AND sent_at IS NULL AND expires_at IS NOT NULL",
            (guild_id, *kinds),
        ) as cursor:
            rows = list(await cursor.fetchall())
        await self.db.executemany(
            "UPDATE reminders SET due_at = ? WHERE id = ?",
            [(to_text(remind_time(from_text(row["expires_at"]), lead, now)), row["id"]) for row in rows],
        )
        return len(rows)

    async def pending(self, guild_id: int, kind: str | None = None) -> list[Reminder]:
        """Unsent reminders of a server, soonest first."""
        query = "SELECT * FROM reminders WHERE guild_id = ? AND sent_at IS NULL"
        args: list[Any] = [guild_id]
        if kind is not None:
            query += " AND kind = ?"
            args.append(kind)
        async with self.db.execute(query + " ORDER BY due_at, id", args) as cursor:
            return [_reminder(row) for row in await cursor.fetchall()]

    async def due(self, now: datetime, *, kinds: tuple[str, ...], limit: int = 100) -> list[Reminder]:
        """Pending reminders of ``kinds`` whose time (or retry time) has come, oldest first."""
        marks = ",".join("?" * len(kinds)) or "NULL"
        async with self.db.execute(
            f"SELECT * FROM reminders WHERE sent_at IS NULL AND {_NEXT} <= ? AND kind IN ({marks}) "
            f"ORDER BY {_NEXT}, id LIMIT ?",
            (to_text(now), *kinds, limit),
        ) as cursor:
            return [_reminder(row) for row in await cursor.fetchall()]

    async def next_due_at(self, *, kinds: tuple[str, ...]) -> datetime | None:
        """When the next pending reminder of ``kinds`` is due (or due to be retried)."""
        marks = ",".join("?" * len(kinds)) or "NULL"
        async with self.db.execute(
            f"SELECT MIN({_NEXT}) FROM reminders WHERE sent_at IS NULL AND kind IN ({marks})", kinds
        ) as cursor:
            row = await cursor.fetchone()
        return from_text(row[0]) if row and row[0] else None

    async def claim(self, reminder_id: int, now: datetime, retry_at: datetime) -> Reminder | None:
        """Start an attempt (committed at once, before anything is posted): count it, give the
        reminder its nonce if it has none, and set it to be tried again at ``retry_at`` should this
        attempt never report back. None if the reminder is finished or not due."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "UPDATE reminders SET attempts = attempts + 1, outcome = 'sending', retry_at = ?, "
                f"nonce = COALESCE(nonce, ?) WHERE id = ? AND sent_at IS NULL AND {_NEXT} <= ? "
                "RETURNING *",
                (to_text(retry_at), new_nonce(), reminder_id, to_text(now)),
            )
            row = await cursor.fetchone()
            await cursor.close()
        return _reminder(row) if row is not None else None

    async def retry_later(self, reminder_id: int, retry_at: datetime, outcome: str) -> None:
        """Record a failed attempt and when to try again (committed at once)."""
        async with transaction(self.db) as db:
            await db.execute(
                "UPDATE reminders SET outcome = ?, retry_at = ? WHERE id = ? AND sent_at IS NULL",
                (outcome[:500], to_text(retry_at), reminder_id),
            )

    async def set_outcome(self, reminder_id: int, outcome: str, now: datetime) -> bool:
        """Finish a pending reminder: ``sent``, ``expired`` or ``dropped: …`` (committed at once).
        False if it was already finished (or deleted meanwhile)."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "UPDATE reminders SET sent_at = ?, outcome = ?, retry_at = NULL "
                "WHERE id = ? AND sent_at IS NULL",
                (to_text(now), outcome[:500], reminder_id),
            )
        return cursor.rowcount == 1

    async def resume_interrupted(self, now: datetime) -> list[int]:
        """Make the attempts that never reported back (the bot stopped mid-send) due at once;
        returns their ids (committed at once). Only one bot process uses a database, so at start
        every ``sending`` reminder is one that the previous process left unfinished. Nothing is
        written when there are none (a read-only or locked database still starts quietly)."""
        cursor = await self.db.execute(
            "SELECT 1 FROM reminders WHERE sent_at IS NULL AND outcome = 'sending' LIMIT 1"
        )
        found = await cursor.fetchone()
        await cursor.close()
        if found is None:
            return []
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "UPDATE reminders SET retry_at = ? WHERE sent_at IS NULL AND outcome = 'sending' "
                "RETURNING id",
                (to_text(now),),
            )
            rows = await cursor.fetchall()
            await cursor.close()
        return sorted(row[0] for row in rows)
