"""Homework (``/homework``): posts, each member's status, and their reminders.

Every query is filtered by ``guild_id``. Each write is one unit of work (the rows, the reminder
rows, the audit entry for moderator writes, one commit) through
:func:`bot.db.transaction.transaction`. Reminders are rows of :mod:`bot.db.reminders`: the
scheduler sends them once; callers ``wake()`` it after a write that adds or moves some.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import aiosqlite

from bot.db import audit, posted
from bot.db.changes import Changes
from bot.db.connection import StoreConnection
from bot.db.reminders import ReminderStore, from_text, to_text
from bot.db.transaction import transaction
from bot.errors import UserFacingError

log = logging.getLogger(__name__)

KIND_MEMBER = "homework.member"
KIND_CHANNEL = "homework.channel"
KINDS = (KIND_CHANNEL, KIND_MEMBER)
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
WEEK_MAX = 52


@dataclass(frozen=True)
class HomeworkDraft:
    """What a moderator posts (validated by the caller)."""

    week: int
    title: str
    due_at: datetime
    description: str = ""
    optional: bool = False
    channel_reminder: bool = False


@dataclass(frozen=True)
class HomeworkChanges(Changes):
    """What an edit changes (validated by the caller); None leaves a field as it is."""

    week: int | None = None
    title: str | None = None
    description: str | None = None
    due_at: datetime | None = None
    optional: bool | None = None
    channel_reminder: bool | None = None


@dataclass(frozen=True)
class Homework:
    """One homework as stored."""

    id: int
    guild_id: int
    week: int
    title: str
    description: str
    due_at: datetime
    optional: bool
    channel_reminder: bool
    status: str
    channel_id: int | None
    message_id: int | None
    created_by: int

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def label(self) -> str:
        """``Week 1 · Read chapter 1``."""
        return f"Week {self.week} · {self.title}"


@dataclass(frozen=True)
class MemberStatus:
    """One member's marks on one homework."""

    homework_id: int
    user_id: int
    done_at: datetime | None
    remind: bool

    @property
    def done(self) -> bool:
        return self.done_at is not None


RemindOutcome = Literal["added", "already_sent", "done", "removed", "unchanged"]


def _homework(row: aiosqlite.Row) -> Homework:
    return Homework(
        id=row["id"],
        guild_id=row["guild_id"],
        week=row["week"],
        title=row["title"],
        description=row["description"],
        due_at=from_text(row["due_at"]),
        optional=bool(row["optional"]),
        channel_reminder=bool(row["channel_reminder"]),
        status=row["status"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        created_by=row["created_by"],
    )


def _status(row: aiosqlite.Row) -> MemberStatus:
    return MemberStatus(
        homework_id=row["homework_id"],
        user_id=row["user_id"],
        done_at=from_text(row["done_at"]) if row["done_at"] else None,
        remind=bool(row["remind"]),
    )


def member_dedupe_key(homework: Homework, user_id: int) -> str:
    """One member reminder per homework, member and due date: never sent twice for one date."""
    return f"homework:{homework.id}:member:{user_id}:{int(homework.due_at.timestamp())}"


def channel_dedupe_key(homework: Homework) -> str:
    return f"homework:{homework.id}:channel:{int(homework.due_at.timestamp())}"


_COLUMNS = (
    "id, guild_id, week, title, description, due_at, optional, channel_reminder, status, channel_id, "
    "message_id, created_by"
)
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


class HomeworkStore:
    """One method per query over ``homework`` and ``homework_status``."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db
        self.reminders = ReminderStore(db)

    # --- reads ---------------------------------------------------------------------------

    async def get(self, guild_id: int, homework_id: int) -> Homework | None:
        """One homework of this server."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM homework WHERE guild_id = ? AND id = ?", (guild_id, homework_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _homework(row) if row else None

    async def find(
        self, guild_id: int, *, week: int | None = None, open_only: bool = False
    ) -> list[Homework]:
        """The server's homework (one week, or all; open only, or all), soonest due first."""
        query = f"SELECT {_COLUMNS} FROM homework WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if week is not None:
            query += " AND week = ?"
            args.append(week)
        if open_only:
            query += " AND status = 'open'"
        async with self.db.execute(query + " ORDER BY due_at, id", args) as cursor:
            return [_homework(row) for row in await cursor.fetchall()]

    async def status(self, guild_id: int, homework_id: int, user_id: int) -> MemberStatus | None:
        """One member's marks on one homework (None if they never pressed anything)."""
        async with self.db.execute(
            "SELECT * FROM homework_status WHERE guild_id = ? AND homework_id = ? AND user_id = ?",
            (guild_id, homework_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        return _status(row) if row else None

    async def statuses(self, guild_id: int, homework_id: int) -> list[MemberStatus]:
        """Every member's marks on one homework, first done first."""
        async with self.db.execute(
            "SELECT * FROM homework_status WHERE guild_id = ? AND homework_id = ? "
            "ORDER BY done_at IS NULL, done_at, user_id",
            (guild_id, homework_id),
        ) as cursor:
            return [_status(row) for row in await cursor.fetchall()]

    async def member_statuses(self, guild_id: int, user_id: int) -> dict[int, MemberStatus]:
        """One member's marks on every homework of the server, by homework id."""
        async with self.db.execute(
            "SELECT * FROM homework_status WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            return {row["homework_id"]: _status(row) for row in await cursor.fetchall()}

    async def member_reminder_counts(self, guild_id: int, homework_id: int) -> tuple[int, int]:
        """Members' reminders for one homework: (still to go out, already sent)."""
        async with self.db.execute(
            "SELECT COUNT(*) FILTER (WHERE sent_at IS NULL), COUNT(*) FILTER (WHERE sent_at IS NOT NULL) "
            "FROM reminders WHERE guild_id = ? AND kind = ? AND target_id = ?",
            (guild_id, KIND_MEMBER, homework_id),
        ) as cursor:
            row = await cursor.fetchone()
        return (row[0], row[1]) if row else (0, 0)

    # --- moderator writes ------------------------------------------------------------------

    async def _require(self, guild_id: int, homework_id: int) -> Homework:
        homework = await self.get(guild_id, homework_id)
        if homework is None:
            raise UserFacingError("That homework no longer exists.")
        return homework

    async def _schedule_channel(self, homework: Homework, remind_at: datetime | None) -> None:
        if homework.channel_reminder and not homework.closed and remind_at is not None:
            await self.reminders.add(
                homework.guild_id,
                KIND_CHANNEL,
                remind_at,
                expires_at=homework.due_at,
                target_id=homework.id,
                channel_id=homework.channel_id,
                dedupe_key=channel_dedupe_key(homework),
            )

    async def _member_reminder_sent(self, homework: Homework, user_id: int) -> bool:
        """Whether the member's reminder for this due date has gone out already."""
        async with self.db.execute(
            "SELECT 1 FROM reminders WHERE dedupe_key = ? AND sent_at IS NOT NULL",
            (member_dedupe_key(homework, user_id),),
        ) as cursor:
            return await cursor.fetchone() is not None

    async def _schedule_member(self, homework: Homework, user_id: int, remind_at: datetime) -> bool:
        return await self.reminders.add(
            homework.guild_id,
            KIND_MEMBER,
            remind_at,
            expires_at=homework.due_at,
            target_id=homework.id,
            user_id=user_id,
            channel_id=homework.channel_id,
            dedupe_key=member_dedupe_key(homework, user_id),
        )

    async def post(
        self,
        guild_id: int,
        draft: HomeworkDraft,
        *,
        user_id: int,
        channel_id: int,
        channel_remind_at: datetime | None,
    ) -> Homework:
        """Save new homework with its channel reminder (if asked for), in one transaction."""
        async with transaction(self.db):
            cursor = await self.db.execute(
                "INSERT INTO homework (guild_id, week, title, description, due_at, optional, "
                "channel_reminder, channel_id, created_by, announce_pending) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (
                    guild_id,
                    draft.week,
                    draft.title,
                    draft.description,
                    to_text(draft.due_at),
                    int(draft.optional),
                    int(draft.channel_reminder),
                    channel_id,
                    user_id,
                ),
            )
            assert cursor.lastrowid is not None
            homework = await self._require(guild_id, cursor.lastrowid)
            await self._schedule_channel(homework, channel_remind_at)
            await audit.record(
                self.db,
                guild_id,
                user_id,
                "homework.post",
                f"#{homework.id} {homework.label}, due {to_text(homework.due_at)}",
            )
        log.info("Homework %d posted in guild %d by %d", homework.id, guild_id, user_id)
        return homework

    async def attach_message(
        self, guild_id: int, homework_id: int, channel_id: int, message_id: int
    ) -> Homework:
        """Remember where the announcement (with its buttons) is."""
        async with transaction(self.db):
            await self.db.execute(
                "UPDATE homework SET channel_id = ?, message_id = ?, announce_pending = 0 "
                "WHERE guild_id = ? AND id = ?",
                (channel_id, message_id, guild_id, homework_id),
            )
            await self.db.execute(
                "UPDATE reminders SET channel_id = ? WHERE guild_id = ? AND target_id = ? "
                "AND kind IN (?, ?) AND sent_at IS NULL",
                (channel_id, guild_id, homework_id, KIND_MEMBER, KIND_CHANNEL),
            )
        return await self._require(guild_id, homework_id)

    async def pending_announcements(self) -> list[Homework]:
        """Posts whose announcement was not attached (the bot stopped between the two), every server."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM homework WHERE announce_pending = 1 ORDER BY id"
        ) as cursor:
            return [_homework(row) for row in await cursor.fetchall()]

    async def forget_messages(self, guild_id: int, channel_id: int, message_ids: list[int]) -> list[int]:
        """Forget announcements deleted in Discord (the homework stays); returns the homework ids."""
        return await posted.forget_messages(self.db, "homework", guild_id, channel_id, message_ids)

    async def update(
        self,
        guild_id: int,
        homework_id: int,
        changes: HomeworkChanges,
        *,
        user_id: int,
        member_remind_at: datetime,
        channel_remind_at: datetime | None,
    ) -> Homework:
        """Change fields (validated by the caller); a new due date moves every pending reminder.

        ``member_remind_at`` / ``channel_remind_at`` are when reminders for the (new) due date go
        out. Members who asked for a reminder get one for the new date even if they were already
        reminded of the old one; never two for the same date.
        """
        async with transaction(self.db):
            current = await self._require(guild_id, homework_id)
            given = changes.given()
            updated = replace(current, **given)
            await self.db.execute(
                f"UPDATE homework SET week = ?, title = ?, description = ?, due_at = ?, optional = ?, "
                f"channel_reminder = ?, updated_at = {_NOW} WHERE guild_id = ? AND id = ?",
                (
                    updated.week,
                    updated.title,
                    updated.description,
                    to_text(updated.due_at),
                    int(updated.optional),
                    int(updated.channel_reminder),
                    guild_id,
                    homework_id,
                ),
            )
            if "due_at" in given or "channel_reminder" in given:
                await self.reminders.cancel(guild_id, KIND_CHANNEL, target_id=homework_id)
                await self._schedule_channel(updated, channel_remind_at)
            if "due_at" in given and updated.due_at != current.due_at:
                await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=homework_id)
                if not updated.closed:
                    for status in await self.statuses(guild_id, homework_id):
                        if status.remind and not status.done:
                            await self._schedule_member(updated, status.user_id, member_remind_at)
            await audit.record(
                self.db,
                guild_id,
                user_id,
                "homework.edit",
                f"#{homework_id} {updated.label}: {', '.join(given)}",
            )
        return updated

    async def close(self, guild_id: int, homework_id: int, *, user_id: int) -> Homework:
        """Close homework: marks can no longer change and pending reminders are dropped."""
        async with transaction(self.db):
            current = await self._require(guild_id, homework_id)
            if current.closed:
                raise UserFacingError(f"**{current.label}** is already closed.")
            await self.db.execute(
                f"UPDATE homework SET status = 'closed', updated_at = {_NOW} WHERE guild_id = ? AND id = ?",
                (guild_id, homework_id),
            )
            await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=homework_id)
            await self.reminders.cancel(guild_id, KIND_CHANNEL, target_id=homework_id)
            await audit.record(
                self.db, guild_id, user_id, "homework.close", f"#{homework_id} {current.label}"
            )
        return replace(current, status="closed")

    async def delete(
        self, guild_id: int, homework_id: int, *, user_id: int, action: str = "homework.delete"
    ) -> Homework | None:
        """Delete homework, every member's marks and its pending reminders; None if already gone."""
        async with transaction(self.db):
            current = await self.get(guild_id, homework_id)
            if current is None:
                return None
            await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=homework_id)
            await self.reminders.cancel(guild_id, KIND_CHANNEL, target_id=homework_id)
            await self.db.execute(
                "DELETE FROM homework WHERE guild_id = ? AND id = ?", (guild_id, homework_id)
            )
            await audit.record(self.db, guild_id, user_id, action, f"#{homework_id} {current.label}")
        log.info("Homework %d deleted in guild %d by %d (%s)", homework_id, guild_id, user_id, action)
        return current

    # --- member writes ---------------------------------------------------------------------

    async def _upsert(self, guild_id: int, homework_id: int, user_id: int) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO homework_status (homework_id, guild_id, user_id) VALUES (?, ?, ?)",
            (homework_id, guild_id, user_id),
        )

    async def set_done(
        self, guild_id: int, homework_id: int, user_id: int, done: bool, *, now: datetime, remind_at: datetime
    ) -> bool:
        """Mark (or unmark) homework done for a member; False if it already was so.

        Done drops the member's pending reminder; undone brings it back if they asked for one and
        the homework is not due yet (``remind_at``: when it should then go out).
        """
        async with transaction(self.db):
            homework = await self._require(guild_id, homework_id)
            if homework.closed:
                raise UserFacingError(f"**{homework.label}** is closed: marks can't change any more.")
            current = await self.status(guild_id, homework_id, user_id)
            if (current is not None and current.done) == done:
                return False
            await self._upsert(guild_id, homework_id, user_id)
            await self.db.execute(
                "UPDATE homework_status SET done_at = ? "
                "WHERE guild_id = ? AND homework_id = ? AND user_id = ?",
                (to_text(now) if done else None, guild_id, homework_id, user_id),
            )
            if done:
                await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=homework_id, user_id=user_id)
            elif current is not None and current.remind and now < homework.due_at:
                await self._schedule_member(homework, user_id, remind_at)
        return True

    async def set_remind(
        self, guild_id: int, homework_id: int, user_id: int, on: bool, *, now: datetime, remind_at: datetime
    ) -> RemindOutcome:
        """Turn a member's "Remind me" on or off and say what happened to the reminder."""
        async with transaction(self.db):
            homework = await self._require(guild_id, homework_id)
            if homework.closed:
                raise UserFacingError(f"**{homework.label}** is closed: there is nothing to remind you of.")
            if on and now >= homework.due_at:
                raise UserFacingError(f"**{homework.label}** is already past its due date.")
            current = await self.status(guild_id, homework_id, user_id)
            if (current is not None and current.remind) == on:
                if on and await self._member_reminder_sent(homework, user_id):
                    return "already_sent"
                return "unchanged"
            await self._upsert(guild_id, homework_id, user_id)
            await self.db.execute(
                "UPDATE homework_status SET remind = ? "
                "WHERE guild_id = ? AND homework_id = ? AND user_id = ?",
                (int(on), guild_id, homework_id, user_id),
            )
            if not on:
                await self.reminders.cancel(guild_id, KIND_MEMBER, target_id=homework_id, user_id=user_id)
                return "removed"
            if current is not None and current.done:
                return "done"
            added = await self._schedule_member(homework, user_id, remind_at)
        return "added" if added else "already_sent"


__all__ = [
    "KINDS",
    "KIND_CHANNEL",
    "KIND_MEMBER",
    "Homework",
    "HomeworkChanges",
    "HomeworkDraft",
    "HomeworkStore",
    "MemberStatus",
    "RemindOutcome",
]
