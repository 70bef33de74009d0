"""A loopback Discord: enough of the REST API and gateway for an unmodified discord.py bot.

The double listens on 127.0.0.1 on an ephemeral port. A bot started with
:func:`bot.local.patching.pointed_at` connects to it over the real gateway protocol (HELLO,
IDENTIFY → READY, GUILD_CREATE, heartbeats) and makes its REST calls to it. The double records
every request, keeps messages and scheduled events as they are created and edited, sends the
gateway events Discord sends for them, applies Discord's rate limits, and refuses, as Discord
would, requests that break Discord's rules (:mod:`bot.local.rules`) — recording each such breach
so the test that caused it fails.

The routes live in :mod:`bot.local.routes`, one mixin per area; this module is the HTTP server,
the gateway and the route table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from bot.clock import Clock
from bot.local.core import Call, DiscordError, Handler, json_response
from bot.local.ratelimits import RateLimiter
from bot.local.routes.application import ApplicationRoutes
from bot.local.routes.channels import ChannelRoutes
from bot.local.routes.events import EventRoutes
from bot.local.routes.interactions import InteractionRoutes
from bot.local.rules.interactions import (
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    COMMAND,
    COMPONENT,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE,
    MODAL,
    MODAL_SUBMIT,
    UPDATE,
)
from bot.local.store import InteractionState, RecordedFile, RecordedRequest
from bot.local.world import LocalWorld, iso_now

log = logging.getLogger(__name__)

#: A fault a test injects: given the call and a function that answers it as Discord would, return
#: the reply (answer first, then hold or fail; or fail without answering). See ``intercept``.
Interceptor = Callable[[Call, Callable[[], Awaitable[web.StreamResponse]]], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One REST route: method, path pattern, handler, and how Discord rate-limits it.

    ``bucket`` names its per-route limit (None: none); ``major`` is the path parameter(s) that
    make the top-level resource the limit is counted per; ``interaction`` routes are exempt from
    the global limit.
    """

    method: str
    regex: re.Pattern[str]
    handler: Handler
    bucket: str | None
    major: tuple[str, ...]
    interaction: bool


class DiscordDouble(InteractionRoutes, ChannelRoutes, EventRoutes, ApplicationRoutes):
    """The loopback Discord server. Use ``async with DiscordDouble() as double:``.

    ``clock`` is the double's "now" (token expiry, events in the past), ``rate_limits`` its rate
    limiter (Discord-like limits by default; tests pass a small ``scale``).
    """

    def __init__(
        self,
        world: LocalWorld | None = None,
        *,
        clock: Clock | None = None,
        rate_limits: RateLimiter | None = None,
    ) -> None:
        super().__init__(world, clock=clock, rate_limits=rate_limits)
        #: Set by a test to inject faults (outages, answers held or lost) into the REST calls.
        self.intercept: Interceptor | None = None
        #: Seconds each REST answer takes to travel back, as over a real network (0: at once).
        self.answer_latency_s = 0.0
        self._sockets: list[web.WebSocketResponse] = []
        self._inflight = 0
        self._runner: web.AppRunner | None = None
        self._routes: list[Route] = []
        self._add_routes()

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> DiscordDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._dispatch_rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.debug("Discord double listening on %s", self.api_base)

    async def stop(self) -> None:
        """Close every gateway socket and stop listening."""
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` points at."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` points at."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- driving the bot ---------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (op 0) to every connected bot."""
        await asyncio.wait_for(self.identified.wait(), timeout=10)
        await self._send_frames([self._frame(event, data)])

    def _frame(self, event: str, data: dict[str, Any]) -> str:
        """The next gateway frame (op 0) for ``event``, numbered and recorded."""
        self.sequence += 1
        self.dispatched.append((event, data))
        return json.dumps({"op": 0, "t": event, "s": self.sequence, "d": data})

    async def _send_frames(self, frames: list[str]) -> None:
        for socket in list(self._sockets):
            for frame in frames:
                if not socket.closed:
                    await socket.send_str(frame)

    async def send_interaction(self, payload: dict[str, Any]) -> InteractionState:
        """Register and send an INTERACTION_CREATE; the 3-second and 15-minute clocks start now."""
        (state,) = await self.send_interactions([payload])
        return state

    async def send_interactions(self, payloads: Sequence[dict[str, Any]]) -> list[InteractionState]:
        """Send INTERACTION_CREATEs as one burst: their frames written back to back, without a turn
        of this loop between them, as Discord's gateway sends what many members did at once (the
        bot then reads several in one read of its socket). Each one's clocks start now."""
        await asyncio.wait_for(self.identified.wait(), timeout=10)
        states: list[InteractionState] = []
        frames: list[str] = []
        for payload in payloads:
            state = InteractionState(id=int(payload["id"]), token=payload["token"], payload=payload)
            self.interactions[state.token] = state
            state.sent_at = time.monotonic()
            state.issued_at = self.clock.now()
            states.append(state)
            frames.append(self._frame("INTERACTION_CREATE", payload))
        await self._send_frames(frames)
        return states

    def upload(self, filename: str, data: bytes, content_type: str = "text/plain") -> dict[str, Any]:
        """Store a member's attachment; returns the attachment object for ``resolved.attachments``."""
        attachment_id = self.ids.next()
        self.uploads[attachment_id] = RecordedFile(filename, data)
        url = self.attachment_url(attachment_id, filename)
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    @property
    def is_quiet(self) -> bool:
        """No request from the bot is being handled right now."""
        return self._inflight == 0

    def requests_since(self, since: float) -> list[RecordedRequest]:
        return [request for request in self.requests if request.at >= since]

    # --- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                if frame.get("op") == 1:
                    await socket.send_str(json.dumps({"op": 11}))
                elif frame.get("op") == 2:
                    await self._identify(socket)
                elif frame.get("op") == 6:
                    await socket.send_str(json.dumps({"op": 9, "d": False}))
        finally:
            self._sockets.remove(socket)
        return socket

    async def _identify(self, socket: web.WebSocketResponse) -> None:
        world = self.world
        ready = {
            "v": 10,
            "user": world.bot_user.user_json(),
            "guilds": [{"id": str(world.guild_id), "unavailable": True}],
            "session_id": "local-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        guild = world.guild_json(list(self.scheduled_events.values()))
        for event, data in (("READY", ready), ("GUILD_CREATE", guild)):
            self.sequence += 1
            await socket.send_str(json.dumps({"op": 0, "t": event, "s": self.sequence, "d": data}))
        self.identified.set()

    # --- REST plumbing ------------------------------------------------------------------------

    def _route(
        self,
        method: str,
        pattern: str,
        handler: Handler,
        bucket: str | None = "default",
        *,
        interaction: bool = False,
    ) -> None:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        names = re.findall(r"\{(\w+)\}", pattern)
        major = tuple(name for name in names if name in ("channel", "guild", "app", "token"))
        self._routes.append(Route(method, regex, handler, bucket, major, interaction))

    async def _dispatch_rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/attachments/"):
            return self._serve_attachment(path)
        path = re.sub(r"^/api/v\d+", "", path)
        self._inflight += 1
        try:
            body, files = await self._read_body(request)
            record = RecordedRequest(request.method, path, body, files, time.monotonic())
            self.requests.append(record)
            response = await self._handle(request, path, body, files, record)
            record.status = response.status
            if self.answer_latency_s > 0:
                await asyncio.sleep(self.answer_latency_s)
            record.answered_at = time.monotonic()
            return response
        finally:
            self._inflight -= 1

    async def _handle(
        self, request: web.Request, path: str, body: Any, files: list[RecordedFile], record: RecordedRequest
    ) -> web.StreamResponse:
        for route in self._routes:
            match = route.regex.match(path)
            if not match or route.method != request.method:
                continue
            call = Call(request, match.groupdict(), body, files, record)
            gate = self.held.get(route.bucket or "")
            if gate is not None:
                await gate.wait()

            async def answer(route: Route = route, call: Call = call) -> web.StreamResponse:
                resource = ":".join(call.params[name] for name in route.major)
                verdict = self.rate_limits.check(route.bucket, resource, global_exempt=route.interaction)
                response: web.StreamResponse
                if verdict.refusal is not None:
                    response = json_response(verdict.refusal, 429)
                else:
                    try:
                        response = await route.handler(call)
                    except DiscordError as exc:
                        response = json_response(exc.body, exc.status)
                response.headers.update(verdict.headers)
                return response

            return await (self.intercept(call, answer) if self.intercept is not None else answer())
        detail = f"the double does not implement {request.method} {path}"
        call = Call(request, {}, body, files, record)
        self.breach("unhandled route", detail, call)
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[RecordedFile] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):  # nested multipart: not used by discord.py
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.filename:
                    files.append(RecordedFile(part.filename, bytes(data), part.name or ""))
            return payload, files
        text = await request.text()
        return (json.loads(text) if text else None), []

    def _serve_attachment(self, path: str) -> web.StreamResponse:
        parts = path.split("/")
        attachment_id = int(parts[2]) if len(parts) > 2 and parts[2].isdecimal() else 0
        upload = self.uploads.get(attachment_id)
        if upload is None:
            return web.Response(status=404)
        return web.Response(body=upload.data, headers={"Content-Type": "application/octet-stream"})

    def _add_routes(self) -> None:
        r = self._route
        r("GET", "/users/@me", self._get_me)
        r("GET", "/oauth2/applications/@me", self._get_application)
        r("GET", "/applications/@me", self._get_application)
        r("GET", "/gateway", self._get_gateway)
        r("GET", "/gateway/bot", self._get_gateway)
        r("PUT", "/applications/{app}/commands", self._put_commands, "commands")
        r("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands, "commands")
        r("GET", "/applications/{app}/commands", self._get_commands)
        r("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        # The callback has no limit at all; the interaction webhooks only their per-token bucket.
        r("POST", "/interactions/{interaction}/{token}/callback", self._callback, None, interaction=True)
        webhook: dict[str, Any] = {"bucket": "webhook", "interaction": True}
        r("GET", "/webhooks/{app}/{token}/messages/@original", self._get_original, **webhook)
        r("PATCH", "/webhooks/{app}/{token}/messages/@original", self._edit_original, **webhook)
        r("DELETE", "/webhooks/{app}/{token}/messages/@original", self._delete_original, **webhook)
        r("POST", "/webhooks/{app}/{token}", self._followup, **webhook)
        r("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message, **webhook)
        r("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message, **webhook)
        r("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message, **webhook)
        r("GET", "/channels/{channel}", self._get_channel, "channel-read")
        r("POST", "/channels/{channel}/messages", self._create_message, "message-create")
        r("GET", "/channels/{channel}/messages", self._list_messages, "channel-read")
        r("POST", "/channels/{channel}/messages/bulk-delete", self._bulk_delete, "message-delete")
        r("GET", "/channels/{channel}/messages/{message}", self._get_message, "channel-read")
        r("PATCH", "/channels/{channel}/messages/{message}", self._edit_message, "message-edit")
        r("DELETE", "/channels/{channel}/messages/{message}", self._delete_message, "message-delete")
        r("POST", "/channels/{channel}/typing", self._no_content, "typing")
        r("POST", "/channels/{channel}/threads", self._create_thread, "thread-create")
        r("POST", "/channels/{channel}/messages/{message}/threads", self._create_thread, "thread-create")
        r("POST", "/users/@me/channels", self._open_dm, "dm-open")
        r("GET", "/users/{user}", self._get_user)
        r("GET", "/guilds/{guild}", self._get_guild, "guild-read")
        r("GET", "/guilds/{guild}/members/{user}", self._get_member, "guild-read")
        r("GET", "/guilds/{guild}/channels", self._get_guild_channels, "guild-read")
        r("GET", "/guilds/{guild}/roles", self._get_roles, "guild-read")
        r("GET", "/guilds/{guild}/scheduled-events", self._list_events, "event-read")
        r("POST", "/guilds/{guild}/scheduled-events", self._create_event, "event-create")
        r("GET", "/guilds/{guild}/scheduled-events/{event}", self._get_event, "event-read")
        r("PATCH", "/guilds/{guild}/scheduled-events/{event}", self._edit_event, "event-edit")
        r("DELETE", "/guilds/{guild}/scheduled-events/{event}", self._delete_event, "event-edit")


__all__ = [
    "AUTOCOMPLETE",
    "AUTOCOMPLETE_RESULT",
    "COMMAND",
    "COMPONENT",
    "DEFERRED_MESSAGE",
    "DEFERRED_UPDATE",
    "MESSAGE",
    "MODAL",
    "MODAL_SUBMIT",
    "UPDATE",
    "DiscordDouble",
    "DiscordError",
    "iso_now",
]
