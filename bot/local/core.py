"""What every part of the Discord double shares: its state, how it refuses a request, its messages.

:class:`DoubleCore` holds the double's memory (requests, messages, interactions, events, breaches)
and the helpers the route groups in :mod:`bot.local.routes` use; :class:`~bot.local.server.DiscordDouble`
adds the HTTP server and the gateway on top.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.local import rules
from bot.local.ratelimits import RateLimiter
from bot.local.rules import Problem, error_body
from bot.local.store import (
    LOADING,
    Breach,
    InteractionState,
    RecordedFile,
    RecordedRequest,
    StoredMessage,
)
from bot.local.world import LocalWorld, SnowflakeFactory

log = logging.getLogger(__name__)


class DiscordError(Exception):
    """Answered to the bot as a Discord JSON error: ``{"code", "message"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, *, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.body = body or {"message": message, "code": code}


@dataclass
class Call:
    """One incoming REST call: its path parameters, JSON body and uploaded files."""

    request: web.Request
    params: dict[str, str]
    json: Any
    files: list[RecordedFile]
    record: RecordedRequest

    def int_param(self, name: str) -> int:
        return int(self.params[name])

    @property
    def uploaded(self) -> list[int]:
        """The ``files[n]`` indexes uploaded with this call."""
        return [item.index for item in self.files if item.index is not None]


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON reply with exactly ``Content-Type: application/json`` (discord.py checks it)."""
    if data is None:
        return web.Response(status=204)
    return web.Response(
        status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )


class DoubleCore:
    """The double's state and shared helpers (no HTTP here)."""

    def __init__(
        self,
        world: LocalWorld | None = None,
        *,
        clock: Clock | None = None,
        rate_limits: RateLimiter | None = None,
    ) -> None:
        self.ids = SnowflakeFactory()
        self.world = world or LocalWorld.create()
        #: The double's notion of "now" (token expiry, events in the past): the test's clock if any.
        self.clock: Clock = clock or SystemClock()
        self.rate_limits = rate_limits or RateLimiter()
        self.requests: list[RecordedRequest] = []
        self.breaches: list[Breach] = []
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[str, InteractionState] = {}
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        #: Who is "interested" in each scheduled event (user ids).
        self.event_subscribers: dict[int, set[int]] = {}
        self.synced_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.uploads: dict[int, RecordedFile] = {}
        self.breach_listeners: list[Callable[[Breach], None]] = []
        self.response_deadline_s = rules.INITIAL_RESPONSE_DEADLINE_S
        self.token_lifetime = rules.TOKEN_LIFETIME
        #: The only bot token ``GET /users/@me`` accepts (as Discord checks it at login); None: any.
        self.accepted_token: str | None = None
        self.identified = asyncio.Event()
        #: The sequence number of the last gateway event sent, and every event sent (name, data).
        self.sequence = 0
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self.port = 0
        self.held: dict[str, asyncio.Event] = {}

    @contextlib.contextmanager
    def holding(self, bucket: str) -> Iterator[None]:
        """Inside, requests to the routes of ``bucket`` wait, as if Discord were slow to answer;
        they go on when the block ends (tests move the clock meanwhile)."""
        gate = self.held[bucket] = asyncio.Event()
        try:
            yield
        finally:
            del self.held[bucket]
            gate.set()

    # --- breaches --------------------------------------------------------------------------

    def breach(self, rule: str, detail: str, call: Call) -> None:
        """Record a broken rule and tell the listeners (tests fail on it at once)."""
        item = Breach(rule, detail, call.record.method, call.record.path)
        self.breaches.append(item)
        log.warning("Discord rule broken: %s", item)
        for listener in list(self.breach_listeners):
            listener(item)

    def refuse(self, problems: Sequence[Problem], call: Call) -> None:
        """Record every problem as a breach and answer 400 with Discord's error body, if any."""
        if not problems:
            return
        for problem in problems:
            self.breach(problem.rule, problem.detail, call)
        body = error_body(problems)
        raise DiscordError(400, body["code"], body["message"], body=body)

    def _check_guild(self, call: Call) -> None:
        if call.int_param("guild") != self.world.guild_id:
            raise DiscordError(404, 10004, "Unknown Guild")

    # --- gateway events ----------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (op 0) to every connected bot."""
        raise NotImplementedError

    # --- messages ----------------------------------------------------------------------------

    def new_message(
        self, channel_id: int, webhook_id: int | None, flags: int, *, author_id: int | None = None
    ) -> StoredMessage:
        """A new message in ``channel_id``, by the bot unless ``author_id`` says otherwise."""
        author = author_id if author_id is not None else self.world.bot_user.id
        message = StoredMessage(self.ids.next(), channel_id, author, flags=flags, webhook_id=webhook_id)
        self.messages[message.id] = message
        return message

    def edit_stored(self, message: StoredMessage, call: Call) -> web.Response:
        """Apply an edit request to ``message`` (a webhook or channel message), checked as Discord does."""
        data = call.json or {}
        existing = message.to_json(self.world)
        self.refuse(
            rules.check_message(data, context="edit", uploaded=call.uploaded, existing=existing), call
        )
        touches_files = bool(call.files) or "attachments" in data
        message.apply(
            data, self.attachments_for(call.files, data, message.attachments) if touches_files else None
        )
        if message.flags & LOADING:
            message.flags &= ~LOADING
        message.edits += 1
        return json_response(message.to_json(self.world))

    async def remove_message(self, message: StoredMessage) -> None:
        """Delete ``message`` and tell the bot over the gateway (MESSAGE_DELETE), as Discord does for
        messages the channel shows (not ephemeral ones)."""
        message.deleted = True
        if message.ephemeral:
            return
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        channel = self.world.channels.get(message.channel_id)
        if channel is not None and channel.type != 1:
            data["guild_id"] = str(self.world.guild_id)
        await self.dispatch("MESSAGE_DELETE", data)

    def attachment_url(self, attachment_id: int, filename: str) -> str:
        return f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"

    def attachments_for(
        self, files: list[RecordedFile], data: dict[str, Any], current: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """The attachment objects a message gets from ``files`` and ``data["attachments"]``.

        Entries whose id is a ``files[n]`` index become new attachments (with their description);
        the others keep attachments the message has (``current``); uploads no entry names are
        attached too.
        """
        by_index = {item.index: item for item in files if item.index is not None}
        existing = {str(item["id"]): item for item in current or []}
        result: list[dict[str, Any]] = []
        used: set[int] = set()
        for entry in data.get("attachments") or []:
            key = str(entry.get("id"))
            if key.isdecimal() and int(key) in by_index and int(key) not in used:
                used.add(int(key))
                result.append(self._stored_attachment(by_index[int(key)], entry.get("description")))
            elif key in existing:
                result.append(existing[key])
        for index, upload in by_index.items():
            if index not in used:
                result.append(self._stored_attachment(upload, None))
        result.extend(self._stored_attachment(item, None) for item in files if item.index is None)
        return result

    def _stored_attachment(self, upload: RecordedFile, description: str | None) -> dict[str, Any]:
        attachment_id = self.ids.next()
        self.uploads[attachment_id] = upload
        url = self.attachment_url(attachment_id, upload.filename)
        item: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
        }
        if description:
            item["description"] = description
        return item


__all__ = ["Call", "DiscordError", "DoubleCore", "Handler", "json_response"]
