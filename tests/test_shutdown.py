"""`studybot run` shuts down cleanly on SIGTERM and SIGINT: gateway closed, database closed."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from bot.__main__ import _run_bot
from bot.local.patching import pointed_at
from bot.local.server import DiscordDouble
from bot.local.session import LOCAL_TOKEN
from bot.settings import Settings


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_shuts_the_running_bot_down_cleanly(settings: Settings, signum: int) -> None:
    async with DiscordDouble() as double:
        with pointed_at(double):
            run = asyncio.create_task(_run_bot(settings.replace(discord_token=LOCAL_TOKEN)))
            await asyncio.wait_for(double.identified.wait(), 30)
            os.kill(os.getpid(), signum)
            assert await asyncio.wait_for(run, 30) == 0
    # The database was created, migrated and closed: SQLite removes the WAL file when the last
    # connection closes, so a leftover -wal file would mean the bot never closed it.
    assert settings.database_path.is_file()
    assert not settings.database_path.with_name(settings.database_path.name + "-wal").exists()
    assert asyncio.get_running_loop().remove_signal_handler(signum) is False  # handlers were removed
