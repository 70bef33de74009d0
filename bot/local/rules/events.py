"""Guild scheduled events (docs/resources/guild-scheduled-event):

- ``name`` is 1 to 100 characters, ``description`` at most 1000.
- ``privacy_level`` is required and is GUILD_ONLY (2), the only level there is.
- ``entity_type`` is STAGE_INSTANCE (1), VOICE (2) or EXTERNAL (3).
- Field requirements by entity type: STAGE_INSTANCE and VOICE need a ``channel_id`` and no
  ``entity_metadata``; EXTERNAL needs ``entity_metadata.location`` (1 to 100 characters) and a
  ``scheduled_end_time``, and its ``channel_id`` is null.
- ``scheduled_start_time`` is an ISO8601 timestamp in the future; ``scheduled_end_time``, when
  given, is after the start.
- ``status`` moves only SCHEDULED (1) → ACTIVE (2) or CANCELED (4), and ACTIVE → COMPLETED (3);
  a completed or cancelled event cannot change any more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.local.rules._problems import Problem, is_int, length_between, not_allowed, required

RULE = "scheduled event"
STAGE_INSTANCE, VOICE, EXTERNAL = 1, 2, 3
GUILD_ONLY = 2
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


def parse_time(value: Any) -> datetime | None:
    """An ISO8601 timestamp as an aware datetime; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def check_event(
    event: dict[str, Any],
    now: datetime,
    *,
    changed: set[str],
    voice_channels: set[int],
    before: int | None = None,
) -> list[Problem]:
    """Breaches of a scheduled event as it would stand after a create (``before`` None) or an edit.

    ``changed``: the fields the request sets (an edit is checked on the merged event, but a start
    time in the past is refused only when the request sets it). ``voice_channels``: the guild's
    voice and stage channels.
    """
    problems: list[Problem] = []
    if event.get("name") is None:
        problems.append(required(RULE, ("name",), "an event's name"))
    else:
        problems.extend(
            Problem(
                RULE,
                f"event name of {len(str(event['name']))} characters (1 to 100)",
                ("name",),
                p.code,
                p.message,
            )
            for p in length_between(RULE, ("name",), "event name", str(event["name"]), 1, 100)
        )
    description = event.get("description")
    if description is not None and len(str(description)) > 1000:
        problems.append(
            Problem(
                RULE,
                "event description over 1000 characters",
                ("description",),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 1000 or fewer in length.",
            )
        )
    if event.get("privacy_level") != GUILD_ONLY:
        problems.append(
            not_allowed(
                RULE,
                ("privacy_level",),
                f"privacy_level {event.get('privacy_level')!r} is not GUILD_ONLY (2)",
            )
        )
    problems.extend(_entity(event, voice_channels))
    problems.extend(_times(event, now, changed))
    if before in (COMPLETED, CANCELED):
        problems.append(not_allowed(RULE, (), "a completed or cancelled event cannot be edited"))
    elif before is not None:
        status = event.get("status")
        if status not in TRANSITIONS.get(before, set()):
            problems.append(
                not_allowed(RULE, ("status",), f"an event's status cannot go from {before} to {status!r}")
            )
    return problems


def _entity(event: dict[str, Any], voice_channels: set[int]) -> list[Problem]:
    kind = event.get("entity_type")
    if kind not in (STAGE_INSTANCE, VOICE, EXTERNAL):
        return [not_allowed(RULE, ("entity_type",), f"entity_type {kind!r} is not 1, 2 or 3")]
    problems: list[Problem] = []
    channel_id = event.get("channel_id")
    metadata = event.get("entity_metadata")
    if kind == EXTERNAL:
        location = (metadata or {}).get("location")
        if not location or len(location) > 100:
            problems.append(
                Problem(
                    RULE,
                    "external event needs entity_metadata.location (1 to 100 characters)",
                    ("entity_metadata", "location"),
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
            )
        if not event.get("scheduled_end_time"):
            problems.append(
                Problem(
                    RULE,
                    "external event needs scheduled_end_time",
                    ("scheduled_end_time",),
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
            )
        if channel_id is not None:
            problems.append(not_allowed(RULE, ("channel_id",), "an external event has no channel_id"))
        return problems
    if channel_id is None:
        problems.append(required(RULE, ("channel_id",), "a stage or voice event's channel_id"))
    elif not str(channel_id).isdecimal() or int(channel_id) not in voice_channels:
        problems.append(
            not_allowed(RULE, ("channel_id",), f"channel {channel_id} is not a voice or stage channel here")
        )
    if metadata:
        problems.append(
            not_allowed(RULE, ("entity_metadata",), "a stage or voice event has no entity_metadata")
        )
    return problems


def _times(event: dict[str, Any], now: datetime, changed: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    raw_start = event.get("scheduled_start_time")
    if not raw_start:
        return [
            Problem(
                RULE,
                "event without scheduled_start_time",
                ("scheduled_start_time",),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            )
        ]
    start = parse_time(raw_start)
    if start is None:
        return [
            not_allowed(RULE, ("scheduled_start_time",), f"scheduled_start_time {raw_start!r} is not ISO8601")
        ]
    if "scheduled_start_time" in changed and start <= now:
        problems.append(
            Problem(
                RULE,
                f"event starts in the past ({raw_start}; now {now.isoformat()})",
                ("scheduled_start_time",),
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                "Cannot schedule event in the past.",
            )
        )
    raw_end = event.get("scheduled_end_time")
    if raw_end:
        end = parse_time(raw_end)
        if end is None:
            problems.append(
                not_allowed(RULE, ("scheduled_end_time",), f"scheduled_end_time {raw_end!r} is not ISO8601")
            )
        elif end <= start:
            problems.append(
                Problem(
                    RULE,
                    f"event ends ({raw_end}) before it starts ({raw_start})",
                    ("scheduled_end_time",),
                    "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                    "Cannot schedule event to end before starting.",
                )
            )
    return problems


def check_status_value(value: Any) -> list[Problem]:
    """A ``status`` that is not one of the four."""
    if value is None or (is_int(value) and value in (SCHEDULED, ACTIVE, COMPLETED, CANCELED)):
        return []
    return [not_allowed(RULE, ("status",), f"status {value!r} is not 1 to 4")]


__all__ = [
    "CANCELED",
    "COMPLETED",
    "EXTERNAL",
    "SCHEDULED",
    "check_event",
    "check_status_value",
    "parse_time",
]
