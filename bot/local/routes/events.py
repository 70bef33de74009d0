"""Guild scheduled event routes, their gateway events, and members acting on events in Discord."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.local import rules
from bot.local.core import Call, DiscordError, DoubleCore, json_response
from bot.local.rules import events as event_rules
from bot.local.world import CREATE_EVENTS, MANAGE_EVENTS, LocalUser

#: Fields a create or edit request may set.
WRITABLE = (
    "channel_id",
    "entity_metadata",
    "name",
    "privacy_level",
    "scheduled_start_time",
    "scheduled_end_time",
    "description",
    "entity_type",
    "status",
    "image",
    "recurrence_rule",
)


class EventRoutes(DoubleCore):
    """``/guilds/{guild}/scheduled-events/…``: the event as Discord returns it, and
    GUILD_SCHEDULED_EVENT_CREATE / UPDATE / DELETE / USER_ADD / USER_REMOVE on the gateway."""

    def _voice_channels(self) -> set[int]:
        return {channel.id for channel in self.world.channels.values() if channel.type in (2, 13)}

    def _event(self, call: Call) -> dict[str, Any]:
        self._check_guild(call)
        event = self.scheduled_events.get(call.int_param("event"))
        if event is None:
            raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    def _shown(self, event: dict[str, Any], call: Call) -> dict[str, Any]:
        """The event as returned: ``user_count`` only when asked with ``with_user_count``."""
        shown = dict(event)
        if call.request.query.get("with_user_count") in ("true", "True", "1"):
            shown["user_count"] = len(self.event_subscribers.get(int(event["id"]), set()))
        return shown

    async def _list_events(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response([self._shown(event, call) for event in self.scheduled_events.values()])

    async def _get_event(self, call: Call) -> web.Response:
        return json_response(self._shown(self._event(call), call))

    async def _create_event(self, call: Call) -> web.Response:
        self._check_guild(call)
        if not self.world.bot_permissions & (MANAGE_EVENTS | CREATE_EVENTS):
            raise DiscordError(403, 50013, "Missing Permissions")
        data = {key: value for key, value in (call.json or {}).items() if key in WRITABLE}
        data.pop("status", None)
        draft = {"status": event_rules.SCHEDULED, **data}
        problems = rules.check_event(
            draft, self.clock.now(), changed=set(data), voice_channels=self._voice_channels()
        )
        self.refuse(problems, call)
        event = self._new_event(data, self.world.bot_user)
        await self.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
        return json_response(event)

    def _new_event(self, data: dict[str, Any], creator: LocalUser) -> dict[str, Any]:
        event_id = self.ids.next()
        event = {
            "id": str(event_id),
            "guild_id": str(self.world.guild_id),
            "channel_id": data.get("channel_id"),
            "creator_id": str(creator.id),
            "creator": creator.user_json(),
            "name": data["name"],
            "description": data.get("description"),
            "scheduled_start_time": data["scheduled_start_time"],
            "scheduled_end_time": data.get("scheduled_end_time"),
            "privacy_level": data.get("privacy_level", event_rules.GUILD_ONLY),
            "status": event_rules.SCHEDULED,
            "entity_type": data["entity_type"],
            "entity_id": None,
            "entity_metadata": data.get("entity_metadata"),
            "image": data.get("image"),
            "recurrence_rule": data.get("recurrence_rule"),
            "auto_start": False,
        }
        self.scheduled_events[event_id] = event
        self.event_subscribers[event_id] = set()
        return event

    async def _edit_event(self, call: Call) -> web.Response:
        event = self._event(call)
        changes = {key: value for key, value in (call.json or {}).items() if key in WRITABLE}
        self.refuse(self._edit_problems(event, changes), call)
        event.update(changes)
        if event.get("entity_type") == event_rules.EXTERNAL:
            event["channel_id"] = None
        await self.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return json_response(event)

    def _edit_problems(self, event: dict[str, Any], changes: dict[str, Any]) -> list[rules.Problem]:
        merged = {**event, **changes}
        if changes.get("entity_type") == event_rules.EXTERNAL and "channel_id" not in changes:
            merged["channel_id"] = None
        problems = event_rules.check_status_value(changes.get("status"))
        problems.extend(
            rules.check_event(
                merged,
                self.clock.now(),
                changed=set(changes),
                voice_channels=self._voice_channels(),
                before=int(event["status"]),
            )
        )
        return problems

    async def _delete_event(self, call: Call) -> web.Response:
        await self.remove_event(self._event(call))
        return json_response(None)

    async def remove_event(self, event: dict[str, Any]) -> None:
        """Delete ``event`` and send GUILD_SCHEDULED_EVENT_DELETE."""
        event_id = int(event["id"])
        del self.scheduled_events[event_id]
        self.event_subscribers.pop(event_id, None)
        await self.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)

    # --- members acting in Discord's own UI ---------------------------------------------------------

    def _may_manage(self, user: LocalUser, event: dict[str, Any]) -> None:
        own = event.get("creator_id") == str(user.id) and user.permissions & CREATE_EVENTS
        if not (own or user.permissions & MANAGE_EVENTS):
            raise PermissionError(f"{user.name} may not manage this event")

    async def delete_event_as(self, user: LocalUser, event_id: int) -> None:
        """``user`` deletes the event in Discord's event list."""
        event = self.scheduled_events[event_id]
        self._may_manage(user, event)
        await self.remove_event(event)

    async def edit_event_as(self, user: LocalUser, event_id: int, **changes: Any) -> dict[str, Any]:
        """``user`` edits the event in Discord (e.g. ``status=4`` cancels it, ``name=…`` renames it)."""
        event = self.scheduled_events[event_id]
        self._may_manage(user, event)
        problems = self._edit_problems(event, changes)
        if problems:
            raise ValueError("; ".join(str(problem) for problem in problems))
        event.update(changes)
        await self.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return event

    async def subscribe(self, user: LocalUser, event_id: int) -> None:
        """``user`` presses "Interested" on the event."""
        self.event_subscribers[event_id].add(user.id)
        await self.dispatch("GUILD_SCHEDULED_EVENT_USER_ADD", self._user_event(user, event_id))

    async def unsubscribe(self, user: LocalUser, event_id: int) -> None:
        """``user`` is no longer interested."""
        self.event_subscribers[event_id].discard(user.id)
        await self.dispatch("GUILD_SCHEDULED_EVENT_USER_REMOVE", self._user_event(user, event_id))

    def _user_event(self, user: LocalUser, event_id: int) -> dict[str, Any]:
        return {
            "guild_scheduled_event_id": str(event_id),
            "user_id": str(user.id),
            "guild_id": str(self.world.guild_id),
        }


__all__ = ["EventRoutes"]
