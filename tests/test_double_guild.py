"""Threads, DMs, scheduled events and command sync sent straight to the double: each rule refused
with Discord's error, and one valid request per route accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock, utc
from bot.local.ratelimits import RateLimiter
from bot.local.server import DiscordDouble
from bot.local.world import LocalChannel
from tests.support.raw import RawDiscord, raw_double

NOW = utc(2031, 3, 17, 9)


def at(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


@pytest.fixture
async def raw() -> AsyncIterator[RawDiscord]:
    double = DiscordDouble(clock=ManualClock(NOW), rate_limits=RateLimiter(enabled=False))
    voice = LocalChannel(double.ids.next(), "Study room", type=2)
    double.world.channels[voice.id] = voice
    async with raw_double(double) as client:
        yield client


# --- threads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"name": ""}, ("name",), "BASE_TYPE_BAD_LENGTH"),
        ({"name": "n" * 101}, ("name",), "BASE_TYPE_MAX_LENGTH"),
        ({"name": "ok", "auto_archive_duration": 30}, ("auto_archive_duration",), "BASE_TYPE_CHOICES"),
        ({"name": "ok", "rate_limit_per_user": 21601}, ("rate_limit_per_user",), "BASE_TYPE_INVALID"),
        ({"name": "ok", "type": 0}, ("type",), "BASE_TYPE_INVALID"),
    ],
)
async def test_a_thread_breaking_a_rule_is_refused(
    raw: RawDiscord, body: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    answer = await raw.request("POST", f"/channels/{raw.channel_id()}/threads", body)
    assert answer.status == 400 and answer.body["code"] == 50035
    assert code in answer.error_codes(*path), answer.body
    assert raw.double.breaches[-1].rule == "thread"


async def test_threads_valid_twice_from_one_message_and_inside_a_thread(raw: RawDiscord) -> None:
    posted = await raw.post_message({"content": "start here"})
    path = f"/channels/{raw.channel_id()}/messages/{posted.body['id']}/threads"
    created = await raw.request("POST", path, {"name": "n" * 100, "auto_archive_duration": 10080})
    assert created.status == 201, created.body
    assert created.body["thread_metadata"]["auto_archive_duration"] == 10080
    again = await raw.request("POST", path, {"name": "again"})
    assert (again.status, again.body["code"]) == (400, 160004)
    inside = await raw.request(
        "POST", f"/channels/{created.body['id']}/threads", {"name": "nested", "type": 11}
    )
    assert (inside.status, inside.body["code"]) == (400, 50024)
    alone = await raw.request("POST", f"/channels/{raw.channel_id()}/threads", {"name": "alone", "type": 11})
    assert alone.status == 201


# --- DMs ------------------------------------------------------------------------------------


async def test_dms_open_to_members_only_and_respect_closed_dms(raw: RawDiscord) -> None:
    grace = raw.world.user("Grace")
    opened = await raw.request("POST", "/users/@me/channels", {"recipient_id": str(grace.id)})
    assert opened.status == 200 and opened.body["type"] == 1
    sent = await raw.request("POST", f"/channels/{opened.body['id']}/messages", {"content": "hi"})
    assert sent.status == 200
    ephemeral = await raw.request(
        "POST", f"/channels/{opened.body['id']}/messages", {"content": "hi", "flags": 64}
    )
    assert ephemeral.error_codes("flags") == ["MESSAGE_FLAGS_INVALID"]
    grace.dms_open = False
    closed = await raw.request("POST", f"/channels/{opened.body['id']}/messages", {"content": "hi"})
    assert (closed.status, closed.body["code"]) == (403, 50007)
    unknown = await raw.request("POST", "/users/@me/channels", {"recipient_id": "12345"})
    assert unknown.status == 400 and unknown.body["code"] == 50035
    bot = await raw.request("POST", "/users/@me/channels", {"recipient_id": str(raw.world.bot_user.id)})
    assert (bot.status, bot.body["code"]) == (400, 50007)


# --- scheduled events ---------------------------------------------------------------------------


def external(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "Study group",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": at(timedelta(days=1)),
        "scheduled_end_time": at(timedelta(days=1, hours=1)),
        "entity_metadata": {"location": "https://meet.example.org/hf"},
        "description": "Section 1",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


BAD_EVENTS: list[tuple[str, dict[str, Any], tuple[Any, ...], str]] = [
    ("name over 100", external(name="n" * 101), ("name",), "BASE_TYPE_MAX_LENGTH"),
    ("empty name", external(name=""), ("name",), "BASE_TYPE_BAD_LENGTH"),
    ("no name", external(name=...), ("name",), "BASE_TYPE_REQUIRED"),
    ("description over 1000", external(description="d" * 1001), ("description",), "BASE_TYPE_MAX_LENGTH"),
    ("privacy level 1", external(privacy_level=1), ("privacy_level",), "BASE_TYPE_INVALID"),
    ("no privacy level", external(privacy_level=...), ("privacy_level",), "BASE_TYPE_INVALID"),
    ("entity type 4", external(entity_type=4), ("entity_type",), "BASE_TYPE_INVALID"),
    (
        "external without location",
        external(entity_metadata=...),
        ("entity_metadata", "location"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "location over 100",
        external(entity_metadata={"location": "l" * 101}),
        ("entity_metadata", "location"),
        "BASE_TYPE_REQUIRED",
    ),
    ("external without end", external(scheduled_end_time=...), ("scheduled_end_time",), "BASE_TYPE_REQUIRED"),
    ("external with a channel", external(channel_id="1"), ("channel_id",), "BASE_TYPE_INVALID"),
    (
        "voice without a channel",
        external(entity_type=2, entity_metadata=...),
        ("channel_id",),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "start in the past",
        external(scheduled_start_time=at(-timedelta(minutes=1))),
        ("scheduled_start_time",),
        "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
    ),
    (
        "end before start",
        external(scheduled_end_time=at(timedelta(hours=2))),
        ("scheduled_end_time",),
        "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
    ),
    (
        "start not ISO8601",
        external(scheduled_start_time="next thursday"),
        ("scheduled_start_time",),
        "BASE_TYPE_INVALID",
    ),
    ("no start", external(scheduled_start_time=...), ("scheduled_start_time",), "BASE_TYPE_REQUIRED"),
]


@pytest.mark.parametrize(("rule", "body", "path", "code"), BAD_EVENTS, ids=[case[0] for case in BAD_EVENTS])
async def test_a_scheduled_event_breaking_a_rule_is_refused(
    raw: RawDiscord, rule: str, body: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    answer = await raw.request("POST", f"/guilds/{raw.world.guild_id}/scheduled-events", body)
    assert answer.status == 400 and answer.body["code"] == 50035
    assert code in answer.error_codes(*path), answer.body
    assert raw.double.scheduled_events == {}
    assert raw.double.breaches[-1].rule == "scheduled event"


async def test_a_voice_event_needs_a_voice_channel_and_no_metadata(raw: RawDiscord) -> None:
    path = f"/guilds/{raw.world.guild_id}/scheduled-events"
    voice = raw.world.channel("Study room").id
    text = await raw.request(
        "POST", path, external(entity_type=2, entity_metadata=..., channel_id=str(raw.channel_id()))
    )
    assert text.error_codes("channel_id") == ["BASE_TYPE_INVALID"]
    metadata = await raw.request("POST", path, external(entity_type=2, channel_id=str(voice)))
    assert metadata.error_codes("entity_metadata") == ["BASE_TYPE_INVALID"]
    good = await raw.request(
        "POST", path, external(entity_type=2, entity_metadata=..., channel_id=str(voice))
    )
    assert good.status == 200, good.body


async def test_an_event_is_created_edited_and_deleted_in_discords_shape(raw: RawDiscord) -> None:
    path = f"/guilds/{raw.world.guild_id}/scheduled-events"
    created = await raw.request("POST", path, external(name="n" * 100, description="d" * 1000))
    assert created.status == 200, created.body
    event = created.body
    assert set(event) >= {
        "id", "guild_id", "channel_id", "creator_id", "creator", "name", "description",
        "scheduled_start_time", "scheduled_end_time", "privacy_level", "status", "entity_type",
        "entity_id", "entity_metadata", "image", "recurrence_rule",
    }  # fmt: skip
    assert (event["status"], event["channel_id"], event["creator_id"]) == (
        1,
        None,
        str(raw.world.bot_user.id),
    )
    counted = await raw.request("GET", f"{path}/{event['id']}?with_user_count=true")
    assert counted.body["user_count"] == 0
    # An edit is checked on the event it leaves: moving the end before the start is refused.
    backwards = await raw.request(
        "PATCH", f"{path}/{event['id']}", {"scheduled_end_time": at(timedelta(hours=1))}
    )
    assert backwards.error_codes("scheduled_end_time") == ["GUILD_SCHEDULED_EVENT_END_BEFORE_START"]
    skipped = await raw.request("PATCH", f"{path}/{event['id']}", {"status": 3})  # SCHEDULED → COMPLETED
    assert skipped.error_codes("status") == ["BASE_TYPE_INVALID"]
    renamed = await raw.request("PATCH", f"{path}/{event['id']}", {"name": "Renamed"})
    assert renamed.body["name"] == "Renamed"
    cancelled = await raw.request("PATCH", f"{path}/{event['id']}", {"status": 4})
    assert cancelled.body["status"] == 4
    after = await raw.request("PATCH", f"{path}/{event['id']}", {"name": "Again"})
    assert after.status == 400  # a cancelled event cannot change any more
    gone = await raw.request("DELETE", f"{path}/{event['id']}")
    assert gone.status == 204
    missing = await raw.request("GET", f"{path}/{event['id']}")
    assert (missing.status, missing.body["code"]) == (404, 10070)


# --- command sync -------------------------------------------------------------------------------


def command(name: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Say hello", "type": 1, **extra}


def option(name: str = "who", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Whom", "type": 3, **extra}


BAD_COMMANDS: list[tuple[str, list[dict[str, Any]], tuple[Any, ...], str]] = [
    ("uppercase name", [command("Hello")], (0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    ("a space in the name", [command("say hello")], (0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    ("name over 32", [command("h" * 33)], (0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    ("empty description", [command(description="")], (0, "description"), "BASE_TYPE_BAD_LENGTH"),
    ("description over 100", [command(description="d" * 101)], (0, "description"), "BASE_TYPE_MAX_LENGTH"),
    (
        "26 options",
        [command(options=[option(f"o{n}") for n in range(26)])],
        (0, "options"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "required after optional",
        [command(options=[option("a"), option("b", required=True)])],
        (0, "options", 1, "required"),
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "26 choices",
        [command(options=[option(choices=[{"name": str(n), "value": str(n)} for n in range(26)])])],
        (0, "options", 0, "choices"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "choice name over 100",
        [command(options=[option(choices=[{"name": "c" * 101, "value": "c"}])])],
        (0, "options", 0, "choices", 0, "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "autocomplete with choices",
        [command(options=[option(autocomplete=True, choices=[{"name": "a", "value": "a"}])])],
        (0, "options", 0, "autocomplete"),
        "BASE_TYPE_INVALID",
    ),
    (
        "option name uppercase",
        [command(options=[option("Who")])],
        (0, "options", 0, "name"),
        "APPLICATION_COMMAND_INVALID_NAME",
    ),
    (
        "a subcommand inside a subcommand",
        [
            command(
                options=[
                    {
                        "name": "a",
                        "description": "d",
                        "type": 1,
                        "options": [{"name": "b", "description": "d", "type": 1}],
                    }
                ]
            )
        ],
        (0, "options", 0, "options", 0, "type"),
        "BASE_TYPE_INVALID",
    ),
    ("duplicate names", [command(), command()], (1, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME"),
    ("101 commands", [command(f"c{n}") for n in range(101)], (), "BASE_TYPE_MAX_LENGTH"),
    (
        "a user command with a description",
        [{"name": "Profile", "type": 2, "description": "x"}],
        (0, "description"),
        "BASE_TYPE_INVALID",
    ),
]


@pytest.mark.parametrize(
    ("rule", "body", "path", "code"), BAD_COMMANDS, ids=[case[0] for case in BAD_COMMANDS]
)
async def test_a_command_sync_breaking_a_rule_is_refused(
    raw: RawDiscord, rule: str, body: list[dict[str, Any]], path: tuple[Any, ...], code: str
) -> None:
    answer = await raw.request("PUT", f"/applications/{raw.world.application_id}/commands", body)
    assert answer.status == 400 and answer.body["code"] == 50035
    assert code in answer.error_codes(*path), answer.body
    assert raw.double.synced_commands == {}


async def test_a_valid_command_sync_is_stored(raw: RawDiscord) -> None:
    body = [command(f"c{n}", options=[option("a", required=True), option("b")]) for n in range(100)]
    body.append({"name": "Show profile", "type": 2, "description": ""})
    answer = await raw.request(
        "PUT", f"/applications/{raw.world.application_id}/guilds/{raw.world.guild_id}/commands", body
    )
    assert answer.status == 200, answer.body
    assert len(raw.double.synced_commands[raw.world.guild_id]) == 101
