"""Options, component values and form fields are checked on the server against their own
declarations (issue 14, "Leaks and trust"): what Discord's client would refuse, sent anyway, is
refused with one sentence and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.local.commandline import parse_command_line
from bot.local.session import Exchange, LocalSession
from bot.option_checks import (
    BOOLEAN,
    CHANNEL,
    INTEGER,
    NUMBER,
    STRING,
    USER,
    InvalidOption,
    OutOfDateOption,
    check_options,
)
from tests.support.sessions import event_requests, rows

WEEKS = {"name": "weeks", "type": INTEGER, "required": True, "min_value": 1, "max_value": 52}
FORMAT = {
    "name": "format",
    "type": STRING,
    "required": False,
    "choices": [{"name": "file", "value": "file"}, {"name": "thread", "value": "thread"}],
}
TITLE = {"name": "title", "type": STRING, "required": False, "min_length": 1, "max_length": 100}
RATE = {"name": "rate", "type": NUMBER, "required": False, "min_value": 0.1, "max_value": 2.0}
FLAG = {"name": "flag", "type": BOOLEAN, "required": False}
WHERE = {"name": "where", "type": CHANNEL, "required": False, "channel_types": [0, 5]}
WHO = {"name": "who", "type": USER, "required": False}
PICK = {"name": "pick", "type": STRING, "required": False, "autocomplete": True}
DECLARED = [WEEKS, FORMAT, TITLE, RATE, FLAG, WHERE, WHO, PICK]


def option(name: str, value: Any, **extra: Any) -> dict[str, Any]:
    kind = next(item["type"] for item in DECLARED if item["name"] == name)
    return {"name": name, "type": kind, "value": value, **extra}


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        (53, "must be a whole number from 1 to 52"),
        (0, "must be a whole number from 1 to 52"),
        (10**30, "must be a whole number from 1 to 52"),
        (2**53, "must be a whole number from 1 to 52"),
        ("12", "must be a whole number."),
        (12.5, "must be a whole number."),
        (True, "must be a whole number."),
        (None, "must be a whole number."),
    ],
)
def test_integers_outside_their_declaration_are_refused(value: Any, sentence: str) -> None:
    with pytest.raises(InvalidOption, match=sentence):
        check_options(DECLARED, [option("weeks", value)], {})


@pytest.mark.parametrize(
    ("given", "sentence"),
    [
        (option("format", "pdf"), "must be one of: file, thread"),
        (option("format", 1), "must be text"),
        (option("title", "x" * 101), "is 101 characters long; the limit is 100"),
        (option("title", ""), "`title` is empty"),
        (option("rate", 2.5), "must be a number from 0.1 to 2.0"),
        (option("rate", 1e300), "must be a number from 0.1 to 2.0"),
        (option("rate", "nan"), "must be a number."),
        (option("flag", "yes"), "must be true or false"),
        (option("who", "123"), "must be a member that Discord resolved"),
        (option("who", "²"), "must be a member."),
        (option("where", "7"), "must be a text or news channel"),
    ],
)
def test_other_values_outside_their_declaration_are_refused(given: dict[str, Any], sentence: str) -> None:
    resolved = {"channels": {"7": {"id": "7", "type": 2}}}
    with pytest.raises(InvalidOption, match=sentence):
        check_options(DECLARED, [option("weeks", 3), given], resolved)


def test_values_inside_their_declaration_pass() -> None:
    resolved = {"channels": {"7": {"id": "7", "type": 0}}, "users": {"9": {"id": "9"}}}
    given = [
        option("weeks", 52),
        option("format", "thread"),
        option("title", "x" * 100),
        option("rate", 2),
        option("flag", False),
        option("where", "7"),
        option("who", "9"),
    ]
    check_options(DECLARED, given, resolved)


@pytest.mark.parametrize(
    "options",
    [
        [option("format", "file")],  # the required weeks left out
        [option("weeks", 3), {"name": "nope", "type": STRING, "value": "x"}],
        [{"name": "weeks", "type": STRING, "value": "3"}],  # registered as another type
    ],
)
def test_options_that_do_not_fit_the_command_say_it_changed(options: list[dict[str, Any]]) -> None:
    with pytest.raises(OutOfDateOption, match="studybot sync"):
        check_options(DECLARED, options, {})


def test_an_autocomplete_needs_exactly_one_focused_option_that_completes() -> None:
    typed = option("pick", "²", focused=True)
    check_options(DECLARED, [typed], {}, autocomplete=True)  # required weeks may still be missing
    for options in ([option("pick", "a")], [typed, option("title", "b", focused=True)]):
        with pytest.raises(InvalidOption, match="nothing to suggest"):
            check_options(DECLARED, options, {}, autocomplete=True)
    with pytest.raises(InvalidOption, match="still being typed"):
        check_options(DECLARED, [option("weeks", 3), typed], {})


# --- through the double -----------------------------------------------------------------------


def leaf_options(payload: dict[str, Any]) -> list[dict[str, Any]]:
    options = payload["data"]["options"]
    while options and options[0]["type"] in (1, 2):
        options = options[0]["options"]
    return options


def refusal(exchange: Exchange) -> str:
    (message,) = exchange.messages
    assert message.ephemeral, exchange.render()
    assert "Something went wrong" not in message.content
    return message.content


SCHEDULE = (
    "/session schedule title:Study group weekday:Thursday time:18:00 duration:90 weeks:52 "
    "link:https://meet.example.org/hf"
)


async def test_fifty_three_weeks_sent_anyway_schedule_nothing(session: LocalSession) -> None:
    await session.run("/config timezone name:Europe/Paris", moderator=True)
    for name, value in (("weeks", 53), ("weeks", 2**60), ("weekday", "Someday"), ("duration", "90")):
        payload = session.command_payload(SCHEDULE, moderator=True)
        next(item for item in leaf_options(payload) if item["name"] == name)["value"] = value
        content = refusal(await session.send(payload))
        assert f"`{name}`" in content, content
    assert await rows(session, "SELECT COUNT(*) FROM sessions") == [(0,)]
    assert event_requests(session) == []


async def test_superscript_digits_name_no_homework(session: LocalSession) -> None:
    await session.run("/homework post week:1 title:Read chapter 1 due:2031-06-30 18:00", moderator=True)
    for line in ("/homework close homework:²", "/homework done homework:#²", "/homework progress homework:¹"):
        content = refusal(await session.run(line, moderator=True))
        assert "There is no homework called" in content, content


async def test_a_select_value_that_is_not_offered_is_refused(session: LocalSession) -> None:
    await session.run("/papers starter-list", moderator=True)
    listed = (await session.run("/papers list", user="Grace")).reply
    menu = next(item for row in listed.components for item in row["components"] if item["type"] == 3)
    for values in (["abc"], ["²"], [str(2**70)], ["1", "2"]):
        payload = session.payloads.component(
            listed, menu["custom_id"], 3, session.member("Grace"), values=values
        )
        assert "not one this menu offers" in refusal(await session.send(payload))


async def test_a_server_button_pressed_in_direct_messages_is_refused(session: LocalSession) -> None:
    posted = await session.run(
        "/homework post week:1 title:Read chapter 1 due:2031-06-30 18:00", moderator=True
    )
    assert posted.reply is not None
    announcement = next(m for m in session.double.messages.values() if m.components and not m.ephemeral)
    button = announcement.components[0]["components"][0]
    member = session.member("Grace")
    payload = session.payloads.component(announcement, button["custom_id"], 2, member)
    moved = session.payloads.base(payload["type"], member, session.channel(), in_guild=False)
    moved |= {"data": payload["data"], "message": {**payload["message"], "channel_id": moved["channel_id"]}}
    assert "only works in a server" in refusal(await session.send(moved))
    assert await rows(session, "SELECT COUNT(*) FROM homework_status") == [(0,)]


async def test_a_form_field_over_its_length_is_refused_and_nothing_is_saved(session: LocalSession) -> None:
    opened = await session.run("/resources add", moderator=True)
    assert opened.modal is not None
    values = {"Title": "x" * 101, "Link": "https://example.org/a", "Category": "course"}
    content = refusal(await session.submit(opened, values, moderator=True))
    assert "**Title** must be at most 100 characters long; it has 101" in content, content
    values["Title"] = "A fine title"
    values["Link"] = ""
    assert "**Link** is required" in refusal(await session.submit(opened, values, moderator=True))
    assert await rows(session, "SELECT COUNT(*) FROM resources") == [(0,)]


async def test_an_autocomplete_without_a_focused_option_gets_no_suggestions(session: LocalSession) -> None:
    parsed = parse_command_line("/homework close homework:1", session.schemas())
    payload = session.payloads.autocomplete(parsed, "homework", session.member("Grace"), session.channel())
    for item in leaf_options(payload):
        item.pop("focused", None)
    exchange = await session.send(payload)
    assert exchange.answered and exchange.choices == [] and exchange.messages == []


@pytest.mark.parametrize(
    "options",
    ["garbage", [{"name": 5, "type": 3, "value": "x"}], [{"type": 1, "name": "close", "options": "x"}], [7]],
)
async def test_options_that_are_not_shaped_as_discord_shapes_them_are_refused(
    session: LocalSession, options: Any
) -> None:
    payload = session.command_payload("/homework close homework:1")
    payload["data"]["options"] = options
    assert "cannot read" in refusal(await session.send(payload))
