"""One test of the whole real start path: bot.start() → setup_hook → gateway → on_ready → close."""

from __future__ import annotations

import asyncio
import logging

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.app import StudyBot, extension_names
from bot.db import MigrationError, open_database
from bot.local.patching import pointed_at
from bot.local.server import DiscordDouble
from bot.local.session import LOCAL_TOKEN, LocalSession
from bot.settings import Settings


async def test_start_runs_setup_hook_connects_and_becomes_ready(settings: Settings) -> None:
    async with DiscordDouble() as double:
        with pointed_at(double):
            client = StudyBot(settings.replace(discord_token=LOCAL_TOKEN), guild_ready_timeout=0.05)
            ready = asyncio.Event()

            async def on_ready() -> None:
                ready.set()

            client.add_listener(on_ready)
            runner = asyncio.create_task(client.start(LOCAL_TOKEN.reveal()))
            await asyncio.wait_for(ready.wait(), timeout=30)

            assert client.user is not None and client.user.id == double.world.bot_user.id
            assert [guild.id for guild in client.guilds] == [double.world.guild_id]
            assert sorted(client.extensions) == extension_names()
            async with client.db.execute("PRAGMA user_version") as cursor:
                assert (await cursor.fetchone())[0] >= 1
            paths = [request.path for request in double.requests]
            assert "/users/@me" in paths and "/oauth2/applications/@me" in paths
            # Commands are never synced on a plain start (no DEV_GUILD_ID).
            assert not any(path.endswith("/commands") for path in paths)

            await client.close()
            await asyncio.wait_for(runner, timeout=10)
            assert client.is_closed()
            assert client._db is None


async def test_discord_py_is_pointed_back_at_discord_afterwards() -> None:
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    async with DiscordDouble() as double:
        with pointed_at(double):
            assert double.api_base == Route.BASE
            assert str(DiscordWebSocket.DEFAULT_GATEWAY) == double.gateway_url
    assert before == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert Route.BASE == "https://discord.com/api/v10"


async def test_a_failed_start_closes_everything_it_opened(settings: Settings) -> None:
    db = await open_database(settings.database_path)
    await db.execute("PRAGMA user_version = 999")  # a database from a newer studybot
    await db.close()
    before = Route.BASE
    local = LocalSession(settings, backend=None)
    with pytest.raises(MigrationError, match="schema version 999"):
        await local.start()
    assert before == Route.BASE  # discord.py pointed back at Discord
    assert local._watch not in logging.getLogger("discord").handlers
    assert local.bot is None  # closed: its database connection too
    assert local.double._runner is None  # the double stopped listening


async def test_dev_guild_gets_the_commands_at_start(settings: Settings) -> None:
    guild_id = 123456789012345678
    async with DiscordDouble() as double:
        with pointed_at(double):
            client = StudyBot(settings.replace(discord_token=LOCAL_TOKEN, dev_guild_id=guild_id))
            async with client:
                await client.login(LOCAL_TOKEN.reveal())
    synced = {command["name"] for command in double.synced_commands[guild_id]}
    assert "about" in synced
    assert None not in double.synced_commands  # nothing global
