"""Per-server settings moderators choose: time zone, channels by purpose, reminder lead times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.db import audit
from bot.db.connection import StoreConnection
from bot.db.reminders import ReminderStore
from bot.db.transaction import transaction
from bot.errors import UserFacingError

#: What a channel can be configured for.
CHANNEL_PURPOSES = ("homework", "sessions", "questions")
DEFAULT_REMINDER_MINUTES = {"homework": 24 * 60, "sessions": 30}


def check_timezone(name: str) -> ZoneInfo:
    """The zone for an IANA name such as ``Europe/Paris``; a clear error otherwise."""
    try:
        if name.strip() in available_timezones() or name.strip() == "UTC":
            return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise UserFacingError(
        f"{name[:60]!r} is not a time zone I know. Use an IANA name such as Europe/Paris, "
        "America/New_York or Asia/Kolkata."
    )


@dataclass(frozen=True)
class GuildConfig:
    """One server's settings, with defaults filled in."""

    guild_id: int
    timezone: str = "UTC"
    channels: dict[str, int] = field(default_factory=dict)
    #: Minutes before a due date / session start; 0: that area's reminders are off.
    reminder_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_REMINDER_MINUTES))
    #: The time of day a due date given without one takes (``HH:MM``); None: the end of that day.
    due_time: str | None = None

    def reminders_off(self, area: str) -> bool:
        """Whether moderators turned ``area``'s reminders off."""
        return self.reminder_minutes.get(area) == 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def channel(self, purpose: str) -> int | None:
        return self.channels.get(purpose)


class GuildStore:
    """Reads and writes ``guild_settings``; every write commits before it returns."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    async def get(self, guild_id: int) -> GuildConfig:
        """The server's settings (defaults for anything never set)."""
        async with self.db.execute(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            values = {row["key"]: row["value"] for row in await cursor.fetchall()}
        channels = {
            purpose: int(values[f"channel.{purpose}"])
            for purpose in CHANNEL_PURPOSES
            if f"channel.{purpose}" in values
        }
        minutes = {
            area: int(values.get(f"remind.{area}", default))
            for area, default in DEFAULT_REMINDER_MINUTES.items()
        }
        return GuildConfig(
            guild_id, values.get("timezone", "UTC"), channels, minutes, values.get("homework.due_time")
        )

    async def _set(self, guild_id: int, key: str, value: str | None, user_id: int) -> None:
        async with transaction(self.db) as db:
            await self._write(db, guild_id, key, value, user_id)

    @staticmethod
    async def _write(db: StoreConnection, guild_id: int, key: str, value: str | None, user_id: int) -> None:
        if value is None:
            await db.execute("DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key))
        else:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (guild_id, key, value),
            )
        await audit.record(db, guild_id, user_id, "settings.set", f"{key}={value or '(default)'}")

    async def set_timezone(self, guild_id: int, name: str, *, user_id: int) -> str:
        """Set the server's time zone (validated); returns the canonical name."""
        zone = check_timezone(name)
        await self._set(guild_id, "timezone", zone.key, user_id)
        return zone.key

    async def set_channel(self, guild_id: int, purpose: str, channel_id: int | None, *, user_id: int) -> None:
        """Use ``channel_id`` for ``purpose`` (None: forget it)."""
        if purpose not in CHANNEL_PURPOSES:
            raise UserFacingError(f"Channels can be set for: {', '.join(CHANNEL_PURPOSES)}.")
        await self._set(guild_id, f"channel.{purpose}", str(channel_id) if channel_id else None, user_id)

    async def set_due_time(self, guild_id: int, clock: str | None, *, user_id: int) -> None:
        """The time of day (``HH:MM``) a due date without a time takes; None: the end of that day."""
        await self._set(guild_id, "homework.due_time", clock, user_id)

    async def set_reminder_minutes(
        self,
        guild_id: int,
        area: str,
        minutes: int,
        *,
        user_id: int,
        reminder_kinds: tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> int:
        """How many minutes before a homework due date / session start reminders go out (0: off,
        none go out). The area's unsent reminders (``reminder_kinds``) move to the new time in the
        same transaction; returns how many moved."""
        if area not in DEFAULT_REMINDER_MINUTES:
            raise UserFacingError(f"Reminder times can be set for: {', '.join(DEFAULT_REMINDER_MINUTES)}.")
        if not 0 <= minutes <= 14 * 24 * 60:
            raise UserFacingError("A reminder can go out from 1 minute to 14 days before (0: off).")
        async with transaction(self.db) as db:
            await self._write(db, guild_id, f"remind.{area}", str(minutes), user_id)
            if minutes == 0:  # off: pending reminders keep their times and are skipped when due
                return 0
            return await ReminderStore(db).move_before_expiry(
                guild_id, reminder_kinds, timedelta(minutes=minutes), now or datetime.now(UTC)
            )
