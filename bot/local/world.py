"""The fixed local world the Discord double serves: one guild, its channels, roles and members.

Everything here is plain Discord JSON (the shapes the real API sends), built from a few small
dataclasses so tests can look members and channels up by name.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
#: The local world's fixed IDs start here (a snowflake from 2023, well below the ones made now).
FIXED_ID_BASE = 1_100_000_000_000_000_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
ADD_REACTIONS = 1 << 6
USE_EXTERNAL_EMOJIS = 1 << 18
MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44

MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = (
    MEMBER_PERMISSIONS | MANAGE_GUILD | MANAGE_EVENTS | CREATE_EVENTS | MENTION_EVERYONE | MANAGE_MESSAGES
)
BOT_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_EVENTS | CREATE_EVENTS
#: What anyone (the app included) may do in a DM: Discord's fixed DM permissions, no guild ones.
DM_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)


class SnowflakeFactory:
    """Increasing Discord IDs whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> int:
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._counter) % (1 << 22))


def iso_now() -> str:
    """The current time as Discord writes timestamps."""
    return datetime.now(UTC).isoformat()


@dataclass
class LocalUser:
    """A user of the local world; ``permissions`` are their guild-wide permission bits."""

    id: int
    name: str
    bot: bool = False
    role_ids: list[int] = field(default_factory=list)
    permissions: int = MEMBER_PERMISSIONS
    dms_open: bool = True

    def user_json(self) -> dict[str, Any]:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }

    def me_json(self) -> dict[str, Any]:
        """``GET /users/@me``: the user object with the fields only its owner sees (``flags`` …)."""
        return {
            **self.user_json(),
            "flags": 0,
            "mfa_enabled": False,
            "verified": True,
            "locale": "en-US",
            "premium_type": 0,
            "email": None,
        }

    def member_json(self, *, with_user: bool = True) -> dict[str, Any]:
        """The guild member object (``flags`` is required by discord.py)."""
        data: dict[str, Any] = {
            "roles": [str(role_id) for role_id in self.role_ids],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
            "permissions": str(self.permissions),
        }
        if with_user:
            data["user"] = self.user_json()
        return data


@dataclass
class LocalChannel:
    """A text channel (type 0), thread (type 11) or DM channel (type 1)."""

    id: int
    name: str
    type: int = 0
    parent_id: int | None = None
    recipient_id: int | None = None
    auto_archive_duration: int = 1440

    def channel_json(self, guild_id: int | None, users: dict[int, LocalUser]) -> dict[str, Any]:
        """The channel object."""
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name}
        if self.type == 1:
            recipient = users[self.recipient_id] if self.recipient_id else None
            data["recipients"] = [recipient.user_json()] if recipient else []
            data.pop("name")
            return data
        data.update({"guild_id": str(guild_id), "position": 0, "permission_overwrites": [], "nsfw": False})
        if self.type == 11:
            data.update(
                {
                    "parent_id": str(self.parent_id),
                    "owner_id": "0",
                    "thread_metadata": {
                        "archived": False,
                        "auto_archive_duration": self.auto_archive_duration,
                        "archive_timestamp": iso_now(),
                        "locked": False,
                    },
                    "message_count": 0,
                    "member_count": 1,
                }
            )
        else:
            data.update({"topic": None, "last_message_id": None, "rate_limit_per_user": 0, "parent_id": None})
        return data


@dataclass
class LocalWorld:
    """One guild with a moderator role, a few members and text channels."""

    application_id: int
    guild_id: int
    guild_name: str
    bot_user: LocalUser
    users: dict[int, LocalUser]
    channels: dict[int, LocalChannel]
    moderator_role_id: int
    bot_permissions: int = BOT_PERMISSIONS
    timezone_note: str = "UTC"

    @classmethod
    def create(cls) -> LocalWorld:
        """The standard local world used by the console, ``studybot try`` and the tests.

        Its guild, channels, roles and members have fixed IDs, so what one ``studybot try``
        stores (per guild, per member) is there for the next one, as on a real server.
        """
        fixed = iter(range(FIXED_ID_BASE, FIXED_ID_BASE + 100))
        guild_id = next(fixed)
        moderator_role = next(fixed)
        bot_user = LocalUser(next(fixed), "studybot", bot=True, permissions=BOT_PERMISSIONS)
        people = [
            LocalUser(next(fixed), "Ada", role_ids=[moderator_role], permissions=MODERATOR_PERMISSIONS),
            LocalUser(next(fixed), "Grace"),
            LocalUser(next(fixed), "Linus"),
        ]
        channels = [LocalChannel(next(fixed), name) for name in ("general", "homework", "sessions", "demos")]
        return cls(
            application_id=next(fixed),
            guild_id=guild_id,
            guild_name="Study Group (local)",
            bot_user=bot_user,
            users={user.id: user for user in [bot_user, *people]},
            channels={channel.id: channel for channel in channels},
            moderator_role_id=moderator_role,
        )

    def user(self, name: str) -> LocalUser:
        """A member by name (case-insensitive)."""
        for user in self.users.values():
            if user.name.lower() == name.lower():
                return user
        raise KeyError(f"no local member named {name!r}")

    def channel(self, name: str) -> LocalChannel:
        """A guild channel by name."""
        for channel in self.channels.values():
            if channel.name == name and channel.type != 1:
                return channel
        raise KeyError(f"no local channel named {name!r}")

    def add_user(self, ids: SnowflakeFactory, name: str, *, moderator: bool = False) -> LocalUser:
        """Add a member (tests use this for many distinct members)."""
        user = LocalUser(
            ids.next(),
            name,
            role_ids=[self.moderator_role_id] if moderator else [],
            permissions=MODERATOR_PERMISSIONS if moderator else MEMBER_PERMISSIONS,
        )
        self.users[user.id] = user
        return user

    def dm_channel(self, ids: SnowflakeFactory, user_id: int) -> LocalChannel:
        """The DM channel with ``user_id``, created on first use."""
        for channel in self.channels.values():
            if channel.type == 1 and channel.recipient_id == user_id:
                return channel
        channel = LocalChannel(ids.next(), "dm", type=1, recipient_id=user_id)
        self.channels[channel.id] = channel
        return channel

    def roles_json(self) -> list[dict[str, Any]]:
        """The guild's roles: @everyone (same id as the guild) and Moderator."""

        def role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
            return {
                "id": str(role_id),
                "name": name,
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "position": position,
                "permissions": str(permissions),
                "managed": False,
                "mentionable": True,
                "flags": 0,
            }

        return [
            role(self.guild_id, "@everyone", MEMBER_PERMISSIONS, 0),
            # The role grants no Manage Server: members with it are moderators by the role's name.
            role(self.moderator_role_id, "Moderator", MEMBER_PERMISSIONS | MANAGE_EVENTS | CREATE_EVENTS, 1),
        ]

    def guild_json(self, scheduled_events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The full GUILD_CREATE payload (with the guild's current scheduled events)."""
        members = [user.member_json() for user in self.users.values()]
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.user("Ada").id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": self.roles_json(),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "members": members,
            "channels": [
                channel.channel_json(self.guild_id, self.users)
                for channel in self.channels.values()
                if channel.type == 0
            ],
            "threads": [
                channel.channel_json(self.guild_id, self.users)
                for channel in self.channels.values()
                if channel.type == 11
            ],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": list(scheduled_events or []),
            "soundboard_sounds": [],
        }

    def application_json(self) -> dict[str, Any]:
        """``GET /oauth2/applications/@me``."""
        owner = self.user("Ada")
        return {
            "id": str(self.application_id),
            "name": "studybot (local)",
            "icon": None,
            "description": "The local Discord double's application.",
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": owner.user_json(),
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
        }
