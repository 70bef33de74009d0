"""Point discord.py at the Discord double, and put it back afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.local.server import DiscordDouble


@contextlib.contextmanager
def pointed_at(double: DiscordDouble) -> Iterator[None]:
    """Send discord.py's REST calls (interaction webhooks included) and gateway to ``double``."""
    saved_base, saved_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = double.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved_base, saved_gateway
