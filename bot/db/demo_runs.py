"""Model demo calls, stored so their buttons (Show code, Run again, attention menus) work after a
restart.

A call belongs to where it was made: its server, or — in direct messages — its member. Every
lookup says where it comes from (:meth:`DemoRunStore.find`), and a call is found only there, so a
button id copied from another server's message (or from someone's DM) finds nothing. Buttons
name a call by an unguessable key (:data:`KEY_BYTES` random bytes), so ids say nothing about how
many calls there are; buttons posted before keys existed name it by its row id, which is still
accepted — only where the call was made, whose members saw its input in the result anyway.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.db.connection import StoreConnection
from bot.db.reminders import to_text
from bot.db.transaction import transaction

#: How long a demo's buttons keep working.
KEEP_FOR = timedelta(days=30)
#: Random bytes in a key: 15 bytes are 20 URL-safe characters (120 bits).
KEY_BYTES = 15


@dataclass(frozen=True)
class DemoRun:
    """One demo call: who asked what of which model, where."""

    id: int
    guild_id: int | None
    user_id: int
    task: str
    model: str | None
    inputs: list[Any]
    params: dict[str, Any]
    key: str | None = None  # None for calls stored before keys existed

    @property
    def reference(self) -> str:
        """What a button's id names this call by: its key (its row id for calls without one)."""
        return self.key or str(self.id)


def new_key() -> str:
    """A fresh unguessable key (URL-safe: letters, digits, ``-`` and ``_``)."""
    return secrets.token_urlsafe(KEY_BYTES)


class DemoRunStore:
    """One method per query over ``demo_runs``."""

    #: A reference in a custom id: an old row id (at most 19 digits) or a key (20 URL-safe characters).
    KEY_PATTERN: ClassVar[str] = r"[0-9]{1,19}|[A-Za-z0-9_-]{20}"
    _LEGACY_ID = re.compile(r"[0-9]{1,19}")

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int | None,
        user_id: int,
        task: str,
        model: str | None,
        inputs: list[Any],
        params: dict[str, Any],
    ) -> DemoRun:
        """Store a call (committed) under a new key and return it."""
        key = new_key()
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "INSERT INTO demo_runs (guild_id, user_id, task, model, inputs, params, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, task, model, json.dumps(inputs), json.dumps(params), key),
            )
        assert cursor.lastrowid is not None
        return DemoRun(cursor.lastrowid, guild_id, user_id, task, model, list(inputs), dict(params), key)

    async def find(self, reference: str, *, guild_id: int | None, user_id: int) -> DemoRun | None:
        """The call ``reference`` names, as seen from ``guild_id`` (None: ``user_id``'s DMs).

        None when it is unknown, was pruned, or belongs to another server or another member's DMs.
        """
        value: int | str
        if self._LEGACY_ID.fullmatch(reference):
            where, value = "id = ?", int(reference)
        else:
            where, value = "key = ?", reference
        if guild_id is None:
            sql = f"SELECT * FROM demo_runs WHERE {where} AND guild_id IS NULL AND user_id = ?"
            args: tuple[Any, ...] = (value, user_id)
        else:
            sql = f"SELECT * FROM demo_runs WHERE {where} AND guild_id = ?"
            args = (value, guild_id)
        async with self.db.execute(sql, args) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return DemoRun(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["task"],
            row["model"],
            json.loads(row["inputs"]),
            json.loads(row["params"]),
            row["key"],
        )

    async def prune(self, now: datetime) -> int:
        """Forget calls older than :data:`KEEP_FOR` (their buttons then answer "expired")."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "DELETE FROM demo_runs WHERE created_at < ?", (to_text(now - KEEP_FOR),)
            )
        return cursor.rowcount
