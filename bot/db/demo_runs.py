"""Model demo calls, stored so their buttons (Show code, Run again) work after a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.db.reminders import to_text
from bot.db.transaction import transaction

#: How long a demo's buttons keep working.
KEEP_FOR = timedelta(days=30)


@dataclass(frozen=True)
class DemoRun:
    """One demo call: who asked what of which model."""

    id: int
    guild_id: int | None
    user_id: int
    task: str
    model: str | None
    inputs: list[Any]
    params: dict[str, Any]


class DemoRunStore:
    """One method per query over ``demo_runs``."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int | None,
        user_id: int,
        task: str,
        model: str | None,
        inputs: list[Any],
        params: dict[str, Any],
    ) -> int:
        """Store a call (committed) and return its id."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "INSERT INTO demo_runs (guild_id, user_id, task, model, inputs, params) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, task, model, json.dumps(inputs), json.dumps(params)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, run_id: int) -> DemoRun | None:
        """A stored call, or None when it is unknown or was pruned."""
        async with self.db.execute("SELECT * FROM demo_runs WHERE id = ?", (run_id,)) as cursor:
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
        )

    async def prune(self, now: datetime) -> int:
        """Forget calls older than :data:`KEEP_FOR` (their buttons then answer "expired")."""
        async with transaction(self.db) as db:
            cursor = await db.execute(
                "DELETE FROM demo_runs WHERE created_at < ?", (to_text(now - KEEP_FOR),)
            )
        return cursor.rowcount
