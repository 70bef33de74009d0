"""INTERACTION_CREATE payloads as Discord sends them: commands, autocomplete, components, modals."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from bot.local.commandline import (
    ATTACHMENT,
    CHANNEL,
    MENTIONABLE,
    ROLE,
    USER,
    CommandLineError,
    ParsedCommand,
    check_value,
    nest_options,
    required_missing,
)
from bot.local.server import AUTOCOMPLETE, COMMAND, COMPONENT, MODAL_SUBMIT, DiscordDouble
from bot.local.store import StoredMessage
from bot.local.world import DM_PERMISSIONS, LocalChannel, LocalUser

ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024
_MENTION = re.compile(r"^<[@#][!&]?(\d+)>$")


class PayloadFactory:
    """Builds interaction payloads from the local world's members and channels."""

    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.world = double.world

    def base(
        self, kind: int, user: LocalUser, channel: LocalChannel, *, in_guild: bool = True
    ) -> dict[str, Any]:
        """The fields every interaction has (id, token, version, application, member or user…)."""
        world = self.world
        payload: dict[str, Any] = {
            "id": str(self.double.ids.next()),
            "application_id": str(world.application_id),
            "type": kind,
            "token": "local-" + secrets.token_urlsafe(24),
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if in_guild and channel.type != 1:
            payload.update(
                {
                    "app_permissions": str(world.bot_permissions),
                    "guild_id": str(world.guild_id),
                    "guild_locale": "en-US",
                    "guild": {"id": str(world.guild_id), "locale": "en-US", "features": []},
                    "channel_id": str(channel.id),
                    "channel": channel.channel_json(world.guild_id, world.users),
                    "member": user.member_json(),
                    "authorizing_integration_owners": {"0": str(world.guild_id)},
                    "context": 0,
                }
            )
        else:
            # A DM with the bot of a guild-installed app: the DM's own permissions (not the guild's),
            # context BOT_DM (1), and the guild-install owner "0" (Discord's value in bot DMs).
            dm = world.dm_channel(self.double.ids, user.id) if channel.type != 1 else channel
            payload.update(
                {
                    "app_permissions": str(DM_PERMISSIONS),
                    "channel_id": str(dm.id),
                    "channel": dm.channel_json(None, world.users),
                    "user": user.user_json(),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        return payload

    def command(
        self, parsed: ParsedCommand, user: LocalUser, channel: LocalChannel, *, in_guild: bool = True
    ) -> dict[str, Any]:
        """A slash command (type 2) with its options converted and resolved."""
        missing = required_missing(parsed.leaf, parsed.raw_options)
        if missing:
            raise CommandLineError(f"{parsed.display} needs {', '.join(m + ':' for m in missing)}")
        schema_options = {o["name"]: o for o in parsed.leaf.get("options") or []}
        resolved: dict[str, dict[str, Any]] = {}
        options = []
        for name, raw in parsed.raw_options.items():
            option = schema_options[name]
            value = self._resolve(option, check_value(option, raw), resolved, user)
            options.append({"name": name, "type": option["type"], "value": value})
        payload = self.base(COMMAND, user, channel, in_guild=in_guild)
        data: dict[str, Any] = {
            "id": str(parsed.schema.get("id") or self.double.ids.next()),
            "name": parsed.schema["name"],
            "type": 1,
        }
        nested = nest_options(parsed.path, options)
        if nested:  # Discord sends no "options" key at all for a command without any
            data["options"] = nested
        if resolved:
            data["resolved"] = resolved
        payload["data"] = data
        return payload

    def autocomplete(
        self, parsed: ParsedCommand, focused: str, user: LocalUser, channel: LocalChannel
    ) -> dict[str, Any]:
        """An autocomplete request (type 4): the options typed so far, ``focused`` being edited."""
        schema_options = {o["name"]: o for o in parsed.leaf.get("options") or []}
        if focused not in schema_options:
            raise CommandLineError(f"{parsed.display} has no option {focused}:")
        options = []
        for name, raw in parsed.raw_options.items():
            item: dict[str, Any] = {"name": name, "type": schema_options[name]["type"], "value": raw}
            if name == focused:
                item["focused"] = True
            options.append(item)
        if focused not in parsed.raw_options:
            options.append(
                {"name": focused, "type": schema_options[focused]["type"], "value": "", "focused": True}
            )
        payload = self.base(AUTOCOMPLETE, user, channel)
        payload["data"] = {
            "id": str(parsed.schema.get("id") or self.double.ids.next()),
            "name": parsed.schema["name"],
            "type": 1,
            "options": nest_options(parsed.path, options),
        }
        return payload

    def component(
        self,
        message: StoredMessage,
        custom_id: str,
        component_type: int,
        user: LocalUser,
        *,
        values: list[str] | None = None,
    ) -> dict[str, Any]:
        """A button (component type 2) or select (3) interaction on ``message``."""
        channel = self.world.channels[message.channel_id]
        payload = self.base(COMPONENT, user, channel)
        payload["message"] = message.to_json(self.world)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        numeric_id = _component_id(message.components, custom_id)
        if numeric_id is not None:
            data["id"] = numeric_id
        if values is not None:
            data["values"] = values
        payload["data"] = data
        return payload

    def modal_submit(
        self,
        modal: dict[str, Any],
        values: dict[str, str],
        user: LocalUser,
        channel: LocalChannel,
        message: StoredMessage | None = None,
    ) -> dict[str, Any]:
        """A modal submission (type 5) with the text inputs' values by custom id."""
        rows = []
        for row in modal.get("components") or []:
            if row.get("type") == 18:  # a Label wrapping one component
                inner = row["component"]
                rows.append(
                    {
                        "type": 18,
                        "id": row.get("id"),
                        "component": {
                            "type": inner["type"],
                            "id": inner.get("id"),
                            "custom_id": inner["custom_id"],
                            "value": values.get(inner["custom_id"], ""),
                        },
                    }
                )
            else:
                rows.append(
                    {
                        "type": 1,
                        "id": row.get("id"),
                        "components": [
                            {
                                "type": item["type"],
                                "id": item.get("id"),
                                "custom_id": item["custom_id"],
                                "value": values.get(item["custom_id"], ""),
                            }
                            for item in row.get("components") or []
                        ],
                    }
                )
        payload = self.base(MODAL_SUBMIT, user, channel)
        payload["data"] = {"custom_id": modal["custom_id"], "components": rows}
        if message is not None:
            payload["message"] = message.to_json(self.world)
        return payload

    # --- option values ----------------------------------------------------------------------

    def _resolve(
        self, option: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]], invoker: LocalUser
    ) -> Any:
        kind, name = option["type"], option["name"]
        if kind in (USER, MENTIONABLE):
            user = self._find_user(value)
            if user is not None:
                resolved.setdefault("users", {})[str(user.id)] = user.user_json()
                resolved.setdefault("members", {})[str(user.id)] = _partial_member(user)
                return str(user.id)
            if kind == USER:
                raise CommandLineError(f"{name}: no member {value!r} here; members: {self._member_names()}")
        if kind in (ROLE, MENTIONABLE):
            role = self._find_role(value)
            if role is not None:
                resolved.setdefault("roles", {})[role["id"]] = role
                return role["id"]
            raise CommandLineError(f"{name}: no role or member {value!r} here")
        if kind == CHANNEL:
            channel = self._find_channel(value)
            if channel is None:
                raise CommandLineError(f"{name}: no channel {value!r} here")
            data = channel.channel_json(self.world.guild_id, self.world.users)
            # The invoking member's computed permissions in that channel (the world has no overwrites).
            data["permissions"] = str(invoker.permissions)
            resolved.setdefault("channels", {})[str(channel.id)] = data
            return str(channel.id)
        if kind == ATTACHMENT:
            path = Path(str(value)).expanduser()
            if not path.is_file():
                raise CommandLineError(f"{name}: no file at {path}")
            attachment = self.double.upload(path.name, path.read_bytes(), _content_type(path))
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        return value

    def _member_names(self) -> str:
        return ", ".join(u.name for u in self.world.users.values() if not u.bot)

    def _find_user(self, text: str) -> LocalUser | None:
        key = text.strip().lstrip("@")
        match = _MENTION.match(text.strip())
        for user in self.world.users.values():
            if (
                (match and int(match.group(1)) == user.id)
                or key.lower() == user.name.lower()
                or key == str(user.id)
            ):
                return user
        return None

    def _find_role(self, text: str) -> dict[str, Any] | None:
        key = text.strip().lstrip("@")
        match = _MENTION.match(text.strip())
        for role in self.world.roles_json():
            if (match and match.group(1) == role["id"]) or key.lower() == role["name"].lstrip("@").lower():
                return role
        return None

    def _find_channel(self, text: str) -> LocalChannel | None:
        key = text.strip().lstrip("#")
        match = _MENTION.match(text.strip())
        for channel in self.world.channels.values():
            if channel.type == 1:
                continue
            if (match and int(match.group(1)) == channel.id) or key == channel.name or key == str(channel.id):
                return channel
        return None


def _partial_member(user: LocalUser) -> dict[str, Any]:
    """A member as ``resolved.members`` has it: without ``user``, ``deaf`` and ``mute``."""
    member = user.member_json(with_user=False)
    member.pop("deaf", None)
    member.pop("mute", None)
    return member


def _component_id(rows: list[dict[str, Any]], custom_id: str) -> int | None:
    """The numeric id Discord gave the component ``custom_id`` on a message."""
    for row in rows:
        for item in row.get("components") or []:
            if item.get("custom_id") == custom_id:
                return item.get("id")
    return None


def _content_type(path: Path) -> str:
    return {
        ".txt": "text/plain; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
        ".json": "application/json",
        ".yaml": "application/yaml",
        ".yml": "application/yaml",
        ".png": "image/png",
        ".pdf": "application/pdf",
    }.get(path.suffix.lower(), "application/octet-stream")
