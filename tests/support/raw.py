"""Raw HTTP requests straight to the Discord double, past discord.py (which refuses some itself)."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.local.server import DiscordDouble
from bot.local.store import InteractionState, StoredMessage


@dataclass
class Answer:
    """The double's answer: status, JSON body (None when empty) and headers."""

    status: int
    body: Any
    headers: dict[str, str]

    def error_codes(self, *path: str | int) -> list[str]:
        """The ``code``s Discord's ``errors`` tree lists at ``path``."""
        node = (self.body or {}).get("errors") or {}
        for key in path:
            node = node.get(str(key)) or {}
        return [item["code"] for item in node.get("_errors") or []]


class RawDiscord:
    """Sends requests to a running double as a bot would, without discord.py in between."""

    def __init__(self, double: DiscordDouble, http: aiohttp.ClientSession) -> None:
        self.double = double
        self.http = http
        self.world = double.world

    async def request(
        self, method: str, path: str, body: Any = None, *, files: dict[str, bytes] | None = None
    ) -> Answer:
        """``method path`` with a JSON ``body`` (multipart with ``payload_json`` when ``files``)."""
        url = self.double.api_base + path
        headers = {"Authorization": "Bot local"}
        if files:
            form = aiohttp.FormData(quote_fields=False)
            form.add_field("payload_json", json.dumps(body), content_type="application/json")
            for index, (name, data) in enumerate(files.items()):
                form.add_field(f"files[{index}]", data, filename=name, content_type="text/plain")
            kwargs: dict[str, Any] = {"data": form}
        else:
            kwargs = {"json": body} if body is not None else {}
        async with self.http.request(method, url, headers=headers, **kwargs) as response:
            text = await response.text()
            return Answer(response.status, json.loads(text) if text else None, dict(response.headers))

    def channel_id(self, name: str = "general") -> int:
        return self.world.channel(name).id

    async def post_message(self, body: dict[str, Any], channel: str = "general", **kwargs: Any) -> Answer:
        return await self.request("POST", f"/channels/{self.channel_id(channel)}/messages", body, **kwargs)

    def interaction(self, kind: int = 2, *, message: StoredMessage | None = None) -> InteractionState:
        """Register an interaction of type ``kind`` (as if just sent to the bot) and return it."""
        payload: dict[str, Any] = {
            "id": str(self.double.ids.next()),
            "type": kind,
            "token": "raw-" + secrets.token_urlsafe(16),
            "channel_id": str(self.channel_id()),
            "application_id": str(self.world.application_id),
            "member": self.world.user("Grace").member_json(),
            "data": {"name": "probe", "type": 1},
        }
        if message is not None:
            payload["message"] = message.to_json(self.world)
        state = InteractionState(id=int(payload["id"]), token=payload["token"], payload=payload)
        state.issued_at = self.double.clock.now()
        self.double.interactions[state.token] = state
        return state

    async def callback(self, state: InteractionState, body: dict[str, Any], **kwargs: Any) -> Answer:
        return await self.request("POST", f"/interactions/{state.id}/{state.token}/callback", body, **kwargs)

    def webhook(self, state: InteractionState, tail: str = "") -> str:
        return f"/webhooks/{self.world.application_id}/{state.token}{tail}"


@asynccontextmanager
async def raw_double(double: DiscordDouble | None = None) -> AsyncIterator[RawDiscord]:
    """A started double (no bot connected) and a client for it."""
    double = double or DiscordDouble()
    async with double, aiohttp.ClientSession() as http:
        double.identified.set()  # no bot: gateway events go nowhere
        yield RawDiscord(double, http)


__all__ = ["Answer", "RawDiscord", "raw_double"]
