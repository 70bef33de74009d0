"""What the Discord double remembers: requests, messages, interactions, scheduled events, breaches."""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.local.world import LocalWorld, iso_now

EPHEMERAL = 1 << 6
LOADING = 1 << 7

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True)
class RecordedFile:
    """A file the bot uploaded with a request."""

    filename: str
    data: bytes
    #: The multipart field it came in (``files[0]``…), which ``attachments[].id`` refers to.
    field: str = ""

    @property
    def index(self) -> int | None:
        """``n`` of a ``files[n]`` field; None for any other field name."""
        match = re.fullmatch(r"files\[(\d+)\]", self.field)
        return int(match.group(1)) if match else None

    def summary(self) -> dict[str, Any]:
        """``{"filename", "bytes"}`` as ``studybot try --json`` prints it."""
        return {"filename": self.filename, "bytes": len(self.data)}


@dataclass
class RecordedRequest:
    """One HTTP request the bot made to the double, with the reply it got."""

    method: str
    path: str
    json: Any
    files: list[RecordedFile]
    at: float
    status: int = 0
    interaction_id: int | None = None
    #: When its answer left the double (monotonic; 0 until then).
    answered_at: float = 0.0

    def to_dict(self, since: float) -> dict[str, Any]:
        """The JSON line of ``studybot try --json``; ``at_ms`` counts from ``since`` (monotonic)."""
        return {
            "method": self.method,
            "path": self.path,
            "json": self.json,
            "files": [item.summary() for item in self.files],
            "at_ms": round((self.at - since) * 1000, 1),
        }


def with_component_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``rows`` where every component has Discord's numeric ``id``.

    Discord numbers the components of a message (or modal) in order, from 1, skipping the ids the
    sender chose itself; it echoes them in the message and sends them back in interactions.
    """
    result = copy.deepcopy(rows)
    taken = {item["id"] for item in _walk(result) if isinstance(item.get("id"), int) and item["id"] > 0}
    counter = 0
    for item in _walk(result):
        if not isinstance(item.get("id"), int) or item["id"] <= 0:
            counter += 1
            while counter in taken:
                counter += 1
            item["id"] = counter
    return result


def _walk(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        found.append(row)
        children = list(row.get("components") or [])
        if isinstance(row.get("component"), dict):
            children.append(row["component"])
        found.extend(_walk(children))
    return found


@dataclass(frozen=True)
class Breach:
    """A request that broke one of Discord's rules (and was refused as Discord would)."""

    rule: str
    detail: str
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail} ({self.method} {self.path})"


@dataclass
class StoredMessage:
    """A message as it stands now, with the payloads that created and edited it."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    reference_id: int | None = None
    thread_id: int | None = None
    edits: int = 0
    deleted: bool = False
    created: str = field(default_factory=iso_now)
    created_mono: float = field(default_factory=time.monotonic)
    history: list[dict[str, Any]] = field(default_factory=list)
    #: For messages that answer an interaction: Discord's ``interaction_metadata`` object.
    interaction_metadata: dict[str, Any] | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def apply(self, payload: dict[str, Any], attachments: list[dict[str, Any]] | None = None) -> None:
        """Apply a create or edit payload (absent keys stay as they are, as on Discord)."""
        self.history.append(payload)
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in payload:
                default: Any = "" if key == "content" else ([] if key != "allowed_mentions" else None)
                value = payload[key] if payload[key] is not None else default
                setattr(self, key, with_component_ids(value) if key == "components" else value)
        if "flags" in payload and payload["flags"] is not None:
            self.flags = (self.flags & EPHEMERAL) | int(payload["flags"])
        if attachments is not None:
            self.attachments = attachments

    def pings(self) -> list[str]:
        """Who this message would notify under Discord's allowed-mentions rules."""
        allowed = self.allowed_mentions
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        users = {int(x) for x in (allowed or {}).get("users") or []}
        roles = {int(x) for x in (allowed or {}).get("roles") or []}
        text = self.content
        found = []
        if ("@everyone" in text or "@here" in text) and "everyone" in parse:
            found.append("@everyone")
        for match in _USER_MENTION.finditer(text):
            user_id = int(match.group(1))
            if "users" in parse or user_id in users:
                found.append(f"user:{user_id}")
        for match in _ROLE_MENTION.finditer(text):
            role_id = int(match.group(1))
            if "roles" in parse or role_id in roles:
                found.append(f"role:{role_id}")
        return found

    def to_json(self, world: LocalWorld) -> dict[str, Any]:
        """The message object as the REST API returns it."""
        author = world.users[self.author_id].user_json() if self.author_id in world.users else {}
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": author,
            "content": self.content,
            "timestamp": self.created,
            "edited_timestamp": iso_now() if self.edits else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 19 if self.reference_id else (20 if self.interaction_id else 0),
            "flags": self.flags,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.reference_id is not None:
            data["message_reference"] = {
                "message_id": str(self.reference_id),
                "channel_id": str(self.channel_id),
            }
        return data


@dataclass
class InteractionState:
    """One interaction the double sent, and how the bot answered it."""

    id: int
    token: str
    payload: dict[str, Any]
    sent_at: float = field(default_factory=time.monotonic)
    #: When the token was issued, on the double's clock (tokens last 15 minutes).
    issued_at: datetime | None = None
    response_type: int | None = None
    responded_at: float | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    created_message_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None

    @property
    def kind(self) -> int:
        """The interaction type: 2 command, 3 component, 4 autocomplete, 5 modal submit."""
        return int(self.payload["type"])

    @property
    def responded(self) -> bool:
        return self.response_type is not None
