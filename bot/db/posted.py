"""Rows that point at a message in Discord (an announcement, a question's public post)."""

from __future__ import annotations

from bot.db.connection import StoreConnection
from bot.db.transaction import transaction

#: The tables whose rows carry ``channel_id`` / ``message_id`` of their public message.
POSTED_TABLES = ("homework", "questions")


async def forget_messages(
    db: StoreConnection, table: str, guild_id: int, channel_id: int, message_ids: list[int]
) -> list[int]:
    """Forget the messages deleted in Discord (the rows stay); returns the ids of the rows that
    pointed at them."""
    if table not in POSTED_TABLES:
        raise ValueError(f"{table!r} has no posted messages")
    if not message_ids:
        return []
    marks = ", ".join("?" * len(message_ids))
    where = f"guild_id = ? AND channel_id = ? AND message_id IN ({marks})"
    async with transaction(db):
        async with db.execute(
            f"SELECT id FROM {table} WHERE {where}", (guild_id, channel_id, *message_ids)
        ) as cursor:
            found = [int(row[0]) for row in await cursor.fetchall()]
        await db.execute(
            f"UPDATE {table} SET message_id = NULL WHERE {where}", (guild_id, channel_id, *message_ids)
        )
    return found


__all__ = ["POSTED_TABLES", "forget_messages"]
