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


async def test_a_token_that_discord_refuses_exits_2_with_one_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with DiscordDouble() as double:
        double.accepted_token = "another.bot.token"
        with pointed_at(double):
            assert await asyncio.wait_for(_run_bot(settings.replace(discord_token=LOCAL_TOKEN)), 30) == 2
    assert capsys.readouterr().err == (
        "studybot: Discord refused DISCORD_TOKEN; copy it again from the developer portal.\n"
    )
    assert not settings.database_path.exists()  # refused at login, before anything was opened
