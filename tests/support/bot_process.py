"""The real bot in a process of its own, against a Discord double in the test's process (kill tests).

``python -m tests.support.bot_process API_BASE GATEWAY_URL NOW`` runs an unmodified
:class:`~bot.app.StudyBot` whose REST calls and gateway go to the double at those addresses, on a
:class:`~bot.clock.ManualClock` standing at ``NOW`` (ISO 8601), with settings from the environment
(as ``studybot run`` reads them). It runs until it is killed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.app import StudyBot
from bot.clock import ManualClock
from bot.local.session import LOCAL_TOKEN
from bot.settings import load_settings


async def main(api_base: str, gateway_url: str, now: datetime) -> None:
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    settings = load_settings(dotenv_path=None).replace(discord_token=LOCAL_TOKEN)
    bot = StudyBot(settings, clock=ManualClock(now), guild_ready_timeout=0.05)
    async with bot:
        await bot.start(LOCAL_TOKEN.reveal(), reconnect=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(main(sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])))
