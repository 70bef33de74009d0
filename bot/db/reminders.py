"""Stored reminders: added by the cogs, claimed once and sent by :mod:`bot.scheduler`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

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
    )


class ReminderStore:
    """One method per query over ``reminders``. Writes do not commit: callers commit their unit of work."""

    def __init__(self, db: aiosqlite.Connection) -> None:
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
        """Unsent reminders of ``kinds`` whose time has come, oldest first."""
        marks = ",".join("?" * len(kinds)) or "NULL"
        async with self.db.execute(
            f"SELECT * FROM reminders WHERE sent_at IS NULL AND due_at <= ? AND kind IN ({marks}) "
            "ORDER BY due_at, id LIMIT ?",
            (to_text(now), *kinds, limit),
        ) as cursor:
            return [_reminder(row) for row in await cursor.fetchall()]

    async def next_due_at(self, *, kinds: tuple[str, ...]) -> datetime | None:
        """When the next unsent reminder of ``kinds`` is due."""
        marks = ",".join("?" * len(kinds)) or "NULL"
        async with self.db.execute(
            f"SELECT MIN(due_at) FROM reminders WHERE sent_at IS NULL AND kind IN ({marks})", kinds
        ) as cursor:
            row = await cursor.fetchone()
        return from_text(row[0]) if row and row[0] else None

    async def claim(self, reminder_id: int, now: datetime, outcome: str) -> bool:
        """Mark a reminder as taken (committed at once); False if it was already taken."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "UPDATE reminders SET sent_at = ?, outcome = ? WHERE id = ? AND sent_at IS NULL",
                (to_text(now), outcome, reminder_id),
            )
        return cursor.rowcount == 1

    async def set_outcome(self, reminder_id: int, outcome: str) -> None:
        """Record how sending went (committed at once)."""
        async with transaction(self.db) as db:
            await db.execute("UPDATE reminders SET outcome = ? WHERE id = ?", (outcome[:500], reminder_id))
