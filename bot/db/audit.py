"""The audit table: who changed what, when. Written inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.connection import StoreConnection


@dataclass(frozen=True)
class AuditEntry:
    """One moderator write."""

    guild_id: int
    user_id: int
    action: str
    detail: str
    created_at: str


async def record(db: StoreConnection, guild_id: int, user_id: int, action: str, detail: str = "") -> None:
    """Add an entry; the caller commits it together with the write it describes."""
    await db.execute(
        "INSERT INTO audit_log (guild_id, user_id, action, detail) VALUES (?, ?, ?, ?)",
        (guild_id, user_id, action, detail[:1000]),
    )


async def recent(db: StoreConnection, guild_id: int, limit: int = 50) -> list[AuditEntry]:
    """The server's latest entries, newest first."""
    async with db.execute(
        "SELECT guild_id, user_id, action, detail, created_at FROM audit_log "
        "WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
        (guild_id, limit),
    ) as cursor:
        return [AuditEntry(*row) for row in await cursor.fetchall()]
