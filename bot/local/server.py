"""A loopback Discord: enough of the REST API and gateway for an unmodified discord.py bot.

The double listens on 127.0.0.1 on an ephemeral port. A bot started with
:func:`bot.local.patching.pointed_at` connects to it over the real gateway protocol (HELLO,
IDENTIFY → READY, GUILD_CREATE, heartbeats) and makes its REST calls to it. The double records
every request, keeps messages as they are created and edited, and refuses, as Discord would,
requests that break Discord's rules — recording each such breach so the test that caused it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from bot.local import rules
from bot.local.store import (
    LOADING,
    Breach,
    InteractionState,
    RecordedFile,
    RecordedRequest,
    StoredMessage,
)
from bot.local.world import LocalChannel, LocalWorld, SnowflakeFactory, iso_now

log = logging.getLogger(__name__)

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]
#: A fault a test injects: given the call and a function that answers it as Discord would, return
#: the reply (answer first, then hold or fail; or fail without answering). See ``intercept``.
Interceptor = Callable[["Call", Callable[[], Awaitable[web.StreamResponse]]], Awaitable[web.StreamResponse]]

# Interaction callback types.
PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 1, 4, 5, 6, 7, 8, 9
# Interaction types.
COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5


class DiscordError(Exception):
    """Answered to the bot as a Discord JSON error (status, code, message)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON reply with exactly ``Content-Type: application/json`` (discord.py checks it)."""
    if data is None:
        return web.Response(status=204)
    return web.Response(
        status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )


class DiscordDouble:
    """The loopback Discord server. Use ``async with DiscordDouble() as double:``."""

    def __init__(self, world: LocalWorld | None = None) -> None:
        self.ids = SnowflakeFactory()
        self.world = world or LocalWorld.create()
        self.requests: list[RecordedRequest] = []
        self.breaches: list[Breach] = []
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[str, InteractionState] = {}
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        self.synced_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.uploads: dict[int, RecordedFile] = {}
        self.breach_listeners: list[Callable[[Breach], None]] = []
        self.response_deadline_s = rules.INITIAL_RESPONSE_DEADLINE_S
        #: The only bot token ``GET /users/@me`` accepts (as Discord checks it at login); None: any.
        self.accepted_token: str | None = None
        self.identified = asyncio.Event()
        #: Set by a test to inject faults (outages, answers held or lost) into the REST calls.
        self.intercept: Interceptor | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._inflight = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
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
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
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

    def attachment_url(self, attachment_id: int, filename: str) -> str:
        return f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"

    # --- driving the bot ---------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (op 0) to every connected bot."""
        await asyncio.wait_for(self.identified.wait(), timeout=10)
        self._sequence += 1
        frame = json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data})
        for socket in list(self._sockets):
            if not socket.closed:
                await socket.send_str(frame)

    async def send_interaction(self, payload: dict[str, Any]) -> InteractionState:
        """Register and send an INTERACTION_CREATE; the 3-second clock starts now."""
        state = InteractionState(id=int(payload["id"]), token=payload["token"], payload=payload)
        self.interactions[state.token] = state
        state.sent_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return state

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

    def channel_messages(self, channel_id: int) -> list[StoredMessage]:
        """Messages in a channel (not deleted), oldest first."""
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    def breach(self, rule: str, detail: str, call: Call) -> None:
        """Record a broken rule and tell the listeners (tests fail on it at once)."""
        item = Breach(rule, detail, call.record.method, call.record.path)
        self.breaches.append(item)
        log.warning("Discord rule broken: %s", item)
        for listener in list(self.breach_listeners):
            listener(item)

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
        for event, data in (("READY", ready), ("GUILD_CREATE", world.guild_json())):
            self._sequence += 1
            await socket.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))
        self.identified.set()

    # --- REST plumbing ------------------------------------------------------------------------

    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        self._routes.append((method, re.compile(regex), handler))

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
            return response
        finally:
            self._inflight -= 1

    async def _handle(
        self, request: web.Request, path: str, body: Any, files: list[RecordedFile], record: RecordedRequest
    ) -> web.StreamResponse:
        for method, regex, handler in self._routes:
            match = regex.match(path)
            if match and method == request.method:
                call = Call(request, match.groupdict(), body, files, record)

                async def answer(handler: Handler = handler, call: Call = call) -> web.StreamResponse:
                    try:
                        return await handler(call)
                    except DiscordError as exc:
                        return json_response({"message": exc.message, "code": exc.code}, exc.status)

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
                    files.append(RecordedFile(part.filename, bytes(data)))
            return payload, files
        text = await request.text()
        return (json.loads(text) if text else None), []

    def _serve_attachment(self, path: str) -> web.StreamResponse:
        parts = path.split("/")
        attachment_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
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
        r("PUT", "/applications/{app}/commands", self._put_commands)
        r("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r("GET", "/applications/{app}/commands", self._get_commands)
        r("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        r("POST", "/interactions/{interaction}/{token}/callback", self._callback)
        r("GET", "/webhooks/{app}/{token}/messages/@original", self._get_original)
        r("PATCH", "/webhooks/{app}/{token}/messages/@original", self._edit_original)
        r("DELETE", "/webhooks/{app}/{token}/messages/@original", self._delete_original)
        r("POST", "/webhooks/{app}/{token}", self._followup)
        r("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message)
        r("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message)
        r("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message)
        r("GET", "/channels/{channel}", self._get_channel)
        r("POST", "/channels/{channel}/messages", self._create_message)
        r("GET", "/channels/{channel}/messages", self._list_messages)
        r("GET", "/channels/{channel}/messages/{message}", self._get_message)
        r("PATCH", "/channels/{channel}/messages/{message}", self._edit_message)
        r("DELETE", "/channels/{channel}/messages/{message}", self._delete_message)
        r("POST", "/channels/{channel}/typing", self._no_content)
        r("POST", "/channels/{channel}/threads", self._create_thread)
        r("POST", "/channels/{channel}/messages/{message}/threads", self._create_thread)
        r("POST", "/users/@me/channels", self._open_dm)
        r("GET", "/users/{user}", self._get_user)
        r("GET", "/guilds/{guild}", self._get_guild)
        r("GET", "/guilds/{guild}/members/{user}", self._get_member)
        r("GET", "/guilds/{guild}/channels", self._get_guild_channels)
        r("GET", "/guilds/{guild}/roles", self._get_roles)
        r("GET", "/guilds/{guild}/scheduled-events", self._list_events)
        r("POST", "/guilds/{guild}/scheduled-events", self._create_event)
        r("GET", "/guilds/{guild}/scheduled-events/{event}", self._get_event)
        r("PATCH", "/guilds/{guild}/scheduled-events/{event}", self._edit_event)
        r("DELETE", "/guilds/{guild}/scheduled-events/{event}", self._delete_event)

    # --- application, users, guild ------------------------------------------------------------

    async def _get_me(self, call: Call) -> web.Response:
        token = self.accepted_token
        if token is not None and call.request.headers.get("Authorization") != f"Bot {token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        return json_response(self.world.bot_user.user_json())

    async def _get_application(self, call: Call) -> web.Response:
        return json_response(self.world.application_json())

    async def _get_gateway(self, call: Call) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_user(self, call: Call) -> web.Response:
        user = self.world.users.get(call.int_param("user"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return json_response(user.user_json())

    async def _get_member(self, call: Call) -> web.Response:
        user = self.world.users.get(call.int_param("user"))
        if user is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(user.member_json())

    async def _get_guild(self, call: Call) -> web.Response:
        self._check_guild(call)
        data = self.world.guild_json()
        for key in ("members", "channels", "threads", "voice_states", "presences"):
            data.pop(key, None)
        return json_response(data)

    async def _get_guild_channels(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response(self.world.guild_json()["channels"])

    async def _get_roles(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response(self.world.roles_json())

    def _check_guild(self, call: Call) -> None:
        if call.int_param("guild") != self.world.guild_id:
            raise DiscordError(404, 10004, "Unknown Guild")

    async def _no_content(self, call: Call) -> web.Response:
        return json_response(None)

    # --- application commands -----------------------------------------------------------------

    async def _put_commands(self, call: Call) -> web.Response:
        guild = int(call.params["guild"]) if "guild" in call.params else None
        synced = []
        for command in call.json or []:
            item = dict(command)
            item.update(
                {
                    "id": str(self.ids.next()),
                    "application_id": str(self.world.application_id),
                    "version": str(self.ids.next()),
                }
            )
            if guild is not None:
                item["guild_id"] = str(guild)
            synced.append(item)
        self.synced_commands[guild] = synced
        return json_response(synced)

    async def _get_commands(self, call: Call) -> web.Response:
        guild = int(call.params["guild"]) if "guild" in call.params else None
        return json_response(self.synced_commands.get(guild, []))

    # --- interactions --------------------------------------------------------------------------

    def _interaction(self, call: Call) -> InteractionState:
        state = self.interactions.get(call.params["token"])
        if state is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        call.record.interaction_id = state.id
        return state

    async def _callback(self, call: Call) -> web.Response:
        state = self.interactions.get(call.params["token"])
        if state is None or str(state.id) != call.params["interaction"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        call.record.interaction_id = state.id
        body = call.json or {}
        kind = int(body.get("type", 0))
        elapsed = call.record.at - state.sent_at
        if state.responded:
            self.breach("one initial response", f"interaction {state.id} was already acknowledged", call)
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.response_deadline_s:
            self.breach("3-second deadline", f"initial response after {elapsed:.2f} s", call)
            raise DiscordError(404, 10062, "Unknown interaction")
        data = body.get("data") or {}
        allowed = {
            COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
            COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL},
            AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
            MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE},
        }.get(state.kind, set())
        if kind not in allowed:
            self.breach(
                "callback type", f"type {kind} is not a valid answer to interaction type {state.kind}", call
            )
            raise DiscordError(400, 50035, "Invalid Form Body")
        if kind in (MESSAGE, UPDATE):
            self._refuse_if_broken(rules.check_message(data), call)
        elif kind == AUTOCOMPLETE_RESULT:
            self._refuse_if_broken(rules.check_autocomplete(data), call)
        elif kind == MODAL:
            self._refuse_if_broken(rules.check_modal(data), call)

        state.response_type, state.responded_at = kind, call.record.at
        message: StoredMessage | None = None
        if kind in (MESSAGE, DEFERRED_MESSAGE):
            flags = int(data.get("flags") or 0) | (LOADING if kind == DEFERRED_MESSAGE else 0)
            message = self._new_message(int(state.payload["channel_id"]), self.world.application_id, flags)
            message.interaction_id = state.id
            if kind == MESSAGE:
                message.apply(data, self._attachments(call.files, data))
            state.original_message_id = message.id
            state.created_message_ids.append(message.id)
        elif kind in (DEFERRED_UPDATE, UPDATE):
            message_id = int(state.payload["message"]["id"]) if state.payload.get("message") else None
            state.original_message_id = message_id
            message = self.messages.get(message_id) if message_id else None
            if kind == UPDATE and message is not None:
                message.apply(data, self._attachments(call.files, data) if call.files else None)
                message.edits += 1
        elif kind == MODAL:
            state.modal = data
        elif kind == AUTOCOMPLETE_RESULT:
            state.choices = list(data.get("choices") or [])

        reply: dict[str, Any] = {
            "interaction": {
                "id": str(state.id),
                "type": state.kind,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(message and message.ephemeral),
            }
        }
        if message is not None and kind in (MESSAGE, DEFERRED_MESSAGE, UPDATE):
            reply["resource"] = {"type": kind, "message": message.to_json(self.world)}
        return json_response(reply)

    def _refuse_if_broken(self, breaches: list[str], call: Call) -> None:
        if breaches:
            for detail in breaches:
                self.breach("message limits", detail, call)
            raise DiscordError(400, 50035, "Invalid Form Body: " + "; ".join(breaches))

    def _original(self, state: InteractionState, call: Call) -> StoredMessage:
        if not state.responded:
            self.breach(
                "respond first", "the original response was used before the interaction was answered", call
            )
            raise DiscordError(404, 10015, "Unknown Webhook")
        message = self.messages.get(state.original_message_id or 0)
        if message is None or message.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        return json_response(self._original(state, call).to_json(self.world))

    async def _edit_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        return self._edit(self._original(state, call), call)

    async def _delete_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        self._original(state, call).deleted = True
        return json_response(None)

    async def _followup(self, call: Call) -> web.Response:
        state = self._interaction(call)
        if not state.responded:
            self.breach("respond first", "a followup was sent before the interaction was answered", call)
            raise DiscordError(404, 10015, "Unknown Webhook")
        data = call.json or {}
        self._refuse_if_broken(rules.check_message(data), call)
        original = self.messages.get(state.original_message_id or 0)
        if original is not None and not original.deleted and original.flags & LOADING and not original.edits:
            # The first followup after a "thinking" defer replaces the loading message.
            original.flags &= ~LOADING
            original.apply(data, self._attachments(call.files, data))
            original.edits += 1
            return json_response(original.to_json(self.world))
        channel_id = int(state.payload["channel_id"])
        message = self._new_message(channel_id, self.world.application_id, int(data.get("flags") or 0))
        message.interaction_id = state.id
        message.apply(data, self._attachments(call.files, data))
        state.followup_ids.append(message.id)
        state.created_message_ids.append(message.id)
        return json_response(message.to_json(self.world))

    def _webhook_message(self, call: Call) -> StoredMessage:
        state = self._interaction(call)
        message = self.messages.get(call.int_param("message"))
        if message is None or message.deleted or message.id not in state.created_message_ids:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_webhook_message(self, call: Call) -> web.Response:
        return json_response(self._webhook_message(call).to_json(self.world))

    async def _edit_webhook_message(self, call: Call) -> web.Response:
        return self._edit(self._webhook_message(call), call)

    async def _delete_webhook_message(self, call: Call) -> web.Response:
        self._webhook_message(call).deleted = True
        return json_response(None)

    # --- messages ----------------------------------------------------------------------------

    def _new_message(self, channel_id: int, webhook_id: int | None, flags: int) -> StoredMessage:
        author = self.world.bot_user.id
        message = StoredMessage(self.ids.next(), channel_id, author, flags=flags, webhook_id=webhook_id)
        self.messages[message.id] = message
        return message

    def _attachments(self, files: list[RecordedFile], data: dict[str, Any]) -> list[dict[str, Any]]:
        kept = [item for item in data.get("attachments") or [] if "filename" not in item and "id" in item]
        result = []
        for item in kept:
            for message in self.messages.values():
                result.extend(a for a in message.attachments if a["id"] == str(item["id"]))
        for upload in files:
            attachment_id = self.ids.next()
            self.uploads[attachment_id] = upload
            url = self.attachment_url(attachment_id, upload.filename)
            result.append(
                {
                    "id": str(attachment_id),
                    "filename": upload.filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                }
            )
        return result

    def _edit(self, message: StoredMessage, call: Call) -> web.Response:
        data = call.json or {}
        self._refuse_if_broken(rules.check_message({**message.to_json(self.world), **data}), call)
        touches_files = bool(call.files) or "attachments" in data
        message.apply(data, self._attachments(call.files, data) if touches_files else None)
        if message.flags & LOADING:
            message.flags &= ~LOADING
        message.edits += 1
        return json_response(message.to_json(self.world))

    def _channel(self, call: Call) -> int:
        channel_id = call.int_param("channel")
        if channel_id not in self.world.channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel_id

    async def _get_channel(self, call: Call) -> web.Response:
        channel = self.world.channels[self._channel(call)]
        return json_response(channel.channel_json(self.world.guild_id, self.world.users))

    async def _create_message(self, call: Call) -> web.Response:
        channel_id = self._channel(call)
        channel = self.world.channels[channel_id]
        recipient = self.world.users.get(channel.recipient_id or 0)
        if channel.type == 1 and recipient is not None and not recipient.dms_open:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        data = call.json or {}
        self._refuse_if_broken(rules.check_message(data), call)
        message = self._new_message(channel_id, None, int(data.get("flags") or 0))
        reference = data.get("message_reference") or {}
        if reference.get("message_id"):
            message.reference_id = int(reference["message_id"])
        message.apply(data, self._attachments(call.files, data))
        return json_response(message.to_json(self.world))

    def _message(self, call: Call) -> StoredMessage:
        self._channel(call)
        message = self.messages.get(call.int_param("message"))
        if message is None or message.deleted or message.channel_id != call.int_param("channel"):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _list_messages(self, call: Call) -> web.Response:
        channel_id = self._channel(call)
        limit = int(call.request.query.get("limit", "50"))
        found = [m for m in self.channel_messages(channel_id) if not m.ephemeral]
        return json_response([m.to_json(self.world) for m in reversed(found)][:limit])

    async def _get_message(self, call: Call) -> web.Response:
        return json_response(self._message(call).to_json(self.world))

    async def _edit_message(self, call: Call) -> web.Response:
        return self._edit(self._message(call), call)

    async def _delete_message(self, call: Call) -> web.Response:
        self._message(call).deleted = True
        return json_response(None)

    async def _create_thread(self, call: Call) -> web.Response:
        parent_id = self._channel(call)
        data = call.json or {}
        name = str(data.get("name") or "")
        if not 1 <= len(name) <= 100:
            self.breach("thread name", f"thread name of {len(name)} characters (1 to 100)", call)
            raise DiscordError(400, 50035, "Invalid Form Body")
        thread = LocalChannel(self.ids.next(), name, type=11, parent_id=parent_id)
        self.world.channels[thread.id] = thread
        if "message" in call.params:
            self._message(call).thread_id = thread.id
        payload = thread.channel_json(self.world.guild_id, self.world.users)
        if isinstance(data.get("message"), dict):  # a forum-style first message
            first = self._new_message(thread.id, None, 0)
            first.apply(data["message"], self._attachments(call.files, data["message"]))
            payload["message"] = first.to_json(self.world)
        return json_response(payload, 201)

    async def _open_dm(self, call: Call) -> web.Response:
        recipient = int((call.json or {}).get("recipient_id", 0))
        if recipient not in self.world.users:
            raise DiscordError(400, 50035, "Invalid Form Body")
        channel = self.world.dm_channel(self.ids, recipient)
        return json_response(channel.channel_json(None, self.world.users))

    # --- scheduled events -----------------------------------------------------------------------

    async def _list_events(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response(list(self.scheduled_events.values()))

    def _event(self, call: Call) -> dict[str, Any]:
        self._check_guild(call)
        event = self.scheduled_events.get(call.int_param("event"))
        if event is None:
            raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    async def _create_event(self, call: Call) -> web.Response:
        self._check_guild(call)
        if not self.world.bot_permissions & (1 << 33 | 1 << 44):
            raise DiscordError(403, 50013, "Missing Permissions")
        data = dict(call.json or {})
        breaches = _event_breaches(data)
        self._refuse_if_broken(breaches, call)
        event_id = self.ids.next()
        event = {
            "id": str(event_id),
            "guild_id": str(self.world.guild_id),
            "channel_id": data.get("channel_id"),
            "creator_id": str(self.world.bot_user.id),
            "creator": self.world.bot_user.user_json(),
            "name": data["name"],
            "description": data.get("description"),
            "scheduled_start_time": data["scheduled_start_time"],
            "scheduled_end_time": data.get("scheduled_end_time"),
            "privacy_level": data.get("privacy_level", 2),
            "status": 1,
            "entity_type": data["entity_type"],
            "entity_id": None,
            "entity_metadata": data.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
        }
        self.scheduled_events[event_id] = event
        return json_response(event)

    async def _get_event(self, call: Call) -> web.Response:
        return json_response(self._event(call))

    async def _edit_event(self, call: Call) -> web.Response:
        event = self._event(call)
        event.update({key: value for key, value in (call.json or {}).items() if key in event})
        return json_response(event)

    async def _delete_event(self, call: Call) -> web.Response:
        event = self._event(call)
        del self.scheduled_events[int(event["id"])]
        return json_response(None)


def _event_breaches(data: dict[str, Any]) -> list[str]:
    """Discord's rules for creating a scheduled event (external events need location and end)."""
    breaches = []
    name = str(data.get("name") or "")
    if not 1 <= len(name) <= 100:
        breaches.append(f"event name of {len(name)} characters (1 to 100)")
    if len(str(data.get("description") or "")) > 1000:
        breaches.append("event description over 1000 characters")
    if not data.get("scheduled_start_time"):
        breaches.append("event without scheduled_start_time")
    if data.get("entity_type") == 3:
        location = (data.get("entity_metadata") or {}).get("location")
        if not location or len(location) > 100:
            breaches.append("external event needs entity_metadata.location (1 to 100 characters)")
        if not data.get("scheduled_end_time"):
            breaches.append("external event needs scheduled_end_time")
    return breaches


__all__ = ["DiscordDouble", "DiscordError", "iso_now"]
