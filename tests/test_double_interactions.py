"""Interaction callbacks, modals, autocomplete, followups and edits sent straight to the double:
each rule refused as Discord refuses it, and one valid request per route accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock, utc
from bot.local.ratelimits import RateLimiter
from bot.local.server import AUTOCOMPLETE, COMMAND, COMPONENT, MODAL_SUBMIT, DiscordDouble
from tests.support.raw import RawDiscord, raw_double

START = utc(2031, 3, 17, 9)


@pytest.fixture
async def raw() -> AsyncIterator[RawDiscord]:
    double = DiscordDouble(clock=ManualClock(START), rate_limits=RateLimiter(enabled=False))
    async with raw_double(double) as client:
        yield client


def text_input(custom_id: str = "answer", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Answer", **extra}


def modal(*rows: dict[str, Any], **extra: Any) -> dict[str, Any]:
    components = list(rows) or [{"type": 1, "components": [text_input()]}]
    return {"type": 9, "data": {"custom_id": "form", "title": "A form", "components": components, **extra}}


async def posted_message(raw: RawDiscord) -> Any:
    answer = await raw.post_message(
        {
            "content": "with a button",
            "components": [
                {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}
            ],
        }
    )
    return raw.double.messages[int(answer.body["id"])]


# --- callback types per interaction -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "callback", "from_message"),
    [
        (COMMAND, 8, False),  # autocomplete result to a slash command
        (COMMAND, 7, False),  # update message: a command has no message
        (COMMAND, 6, False),
        (COMPONENT, 8, True),
        (AUTOCOMPLETE, 4, False),  # a message in answer to autocomplete
        (AUTOCOMPLETE, 9, False),  # a modal in answer to autocomplete
        (MODAL_SUBMIT, 9, False),  # a modal in answer to a modal
        (MODAL_SUBMIT, 7, False),  # update: the modal came from a slash command
        (MODAL_SUBMIT, 6, False),
        (COMMAND, 3, False),  # a type that does not exist any more
    ],
)
async def test_a_callback_type_that_does_not_fit_the_interaction_is_refused(
    raw: RawDiscord, kind: int, callback: int, from_message: bool
) -> None:
    message = await posted_message(raw) if from_message else None
    state = raw.interaction(kind, message=message)
    body: dict[str, Any] = {"type": callback, "data": {"content": "x", "choices": []}}
    if callback == 9:
        body = modal()
    answer = await raw.callback(state, body)
    assert answer.status == 400
    assert answer.error_codes("type") == ["INTERACTION_RESPONSE_TYPE_INVALID"]
    assert raw.double.breaches[-1].rule == "callback type"
    assert not state.responded


@pytest.mark.parametrize(
    ("kind", "callback", "from_message"),
    [
        (COMMAND, 4, False),
        (COMMAND, 5, False),
        (COMMAND, 9, False),
        (COMPONENT, 6, True),
        (COMPONENT, 7, True),
        (COMPONENT, 9, True),
        (AUTOCOMPLETE, 8, False),
        (MODAL_SUBMIT, 4, False),
        (MODAL_SUBMIT, 7, True),  # the modal came from a button on a message
    ],
)
async def test_every_fitting_callback_type_is_accepted(
    raw: RawDiscord, kind: int, callback: int, from_message: bool
) -> None:
    message = await posted_message(raw) if from_message else None
    state = raw.interaction(kind, message=message)
    bodies: dict[int, dict[str, Any]] = {
        4: {"type": 4, "data": {"content": "hello", "flags": 64}},
        5: {"type": 5, "data": {"flags": 64}},
        6: {"type": 6},
        7: {"type": 7, "data": {"content": "updated"}},
        8: {"type": 8, "data": {"choices": [{"name": "a" * 100, "value": "v" * 100}] * 25}},
        9: modal(),
    }
    answer = await raw.callback(state, bodies[callback])
    assert answer.status == 200, answer.body
    assert answer.body["interaction"]["id"] == str(state.id)
    assert raw.double.breaches == []
    assert state.response_type == callback


async def test_a_second_initial_response_gets_40060(raw: RawDiscord) -> None:
    state = raw.interaction(COMMAND)
    assert (await raw.callback(state, {"type": 5})).status == 200
    again = await raw.callback(state, {"type": 4, "data": {"content": "two"}})
    assert (again.status, again.body["code"]) == (400, 40060)
    assert again.body["message"] == "Interaction has already been acknowledged."


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"type": 4, "data": {"content": "x" * 2001}}, ("content",), "BASE_TYPE_MAX_LENGTH"),
        ({"type": 4, "data": {"content": "x", "flags": 1 << 1}}, ("flags",), "MESSAGE_FLAGS_INVALID"),
        ({"type": 5, "data": {"flags": 4}}, ("flags",), "MESSAGE_FLAGS_INVALID"),
        (
            {"type": 8, "data": {"choices": [{"name": str(n), "value": n} for n in range(26)]}},
            ("data", "choices"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"type": 8, "data": {"choices": [{"name": "", "value": "v"}]}},
            ("data", "choices", 0, "name"),
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            {"type": 8, "data": {"choices": [{"name": "n", "value": "v" * 101}]}},
            ("data", "choices", 0, "value"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        ({"type": 8, "data": {}}, ("data", "choices"), "BASE_TYPE_REQUIRED"),
    ],
)
async def test_a_callback_payload_breaking_a_rule_is_refused(
    raw: RawDiscord, body: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    state = raw.interaction(AUTOCOMPLETE if body["type"] == 8 else COMMAND)
    answer = await raw.callback(state, body)
    assert answer.status == 400 and answer.body["code"] == 50035
    assert code in answer.error_codes(*path), answer.body
    assert not state.responded


async def test_an_empty_initial_message_is_refused(raw: RawDiscord) -> None:
    answer = await raw.callback(raw.interaction(COMMAND), {"type": 4, "data": {"content": ""}})
    assert answer.body == {"code": 50006, "message": "Cannot send an empty message"}


# --- modals --------------------------------------------------------------------------------------


def rows(*inputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": 1, "components": [item]} for item in inputs]


BAD_MODALS: list[tuple[str, dict[str, Any], tuple[Any, ...], str]] = [
    ("title over 45", modal(title="t" * 46), ("data", "title"), "BASE_TYPE_BAD_LENGTH"),
    ("no title", modal(title=""), ("data", "title"), "BASE_TYPE_BAD_LENGTH"),
    ("custom_id over 100", modal(custom_id="c" * 101), ("data", "custom_id"), "BASE_TYPE_MAX_LENGTH"),
    ("no components", modal(components=[]), ("data", "components"), "BASE_TYPE_BAD_LENGTH"),
    (
        "6 components",
        modal(components=rows(*[text_input(f"t{n}") for n in range(6)])),
        ("data", "components"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "two text inputs in a row",
        modal(components=[{"type": 1, "components": [text_input("a"), text_input("b")]}]),
        ("data", "components", 0, "components"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "a button in a modal",
        modal(components=rows({"type": 2, "style": 1, "label": "x", "custom_id": "b"})),
        ("data", "components", 0, "components"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "label over 45",
        modal(components=rows(text_input(label="l" * 46))),
        ("data", "components", 0, "components", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "no label",
        modal(components=rows({"type": 4, "custom_id": "a", "style": 1})),
        ("data", "components", 0, "components", 0, "label"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "style 3",
        modal(components=rows(text_input(style=3))),
        ("data", "components", 0, "components", 0, "style"),
        "BASE_TYPE_INVALID",
    ),
    (
        "min_length 4001",
        modal(components=rows(text_input(min_length=4001))),
        ("data", "components", 0, "components", 0, "min_length"),
        "BASE_TYPE_INVALID",
    ),
    (
        "max_length 0",
        modal(components=rows(text_input(max_length=0))),
        ("data", "components", 0, "components", 0, "max_length"),
        "BASE_TYPE_INVALID",
    ),
    (
        "min above max",
        modal(components=rows(text_input(min_length=10, max_length=5))),
        ("data", "components", 0, "components", 0, "min_length"),
        "BASE_TYPE_INVALID",
    ),
    (
        "value over max_length",
        modal(components=rows(text_input(max_length=5, value="123456"))),
        ("data", "components", 0, "components", 0, "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "placeholder over 100",
        modal(components=rows(text_input(placeholder="p" * 101))),
        ("data", "components", 0, "components", 0, "placeholder"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "duplicate custom ids",
        modal(components=rows(text_input("a"), text_input("a"))),
        ("data", "components", 1, "components", 0, "custom_id"),
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    ),
    (
        "text input without custom_id",
        modal(components=rows({"type": 4, "style": 1, "label": "x"})),
        ("data", "components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "label component over 45",
        modal(components=[{"type": 18, "label": "l" * 46, "component": text_input(label=None)}]),
        ("data", "components", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "label description over 100",
        modal(
            components=[
                {
                    "type": 18,
                    "label": "l",
                    "description": "d" * 101,
                    "component": {"type": 4, "custom_id": "a", "style": 2},
                }
            ]
        ),
        ("data", "components", 0, "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
]


@pytest.mark.parametrize(("rule", "body", "path", "code"), BAD_MODALS, ids=[case[0] for case in BAD_MODALS])
async def test_a_modal_breaking_a_rule_is_refused(
    raw: RawDiscord, rule: str, body: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    # A label component carries the label: its text input may not have one of its own.
    for row in body["data"]["components"]:
        if row.get("type") == 18 and row["component"].get("label") is None:
            row["component"].pop("label", None)
    state = raw.interaction(COMMAND)
    answer = await raw.callback(state, body)
    assert answer.status == 400 and answer.body["code"] == 50035, answer.body
    assert code in answer.error_codes(*path), answer.body
    assert raw.double.breaches[-1].rule == "modal"


async def test_a_modal_at_every_limit_is_accepted_and_gets_component_ids(raw: RawDiscord) -> None:
    inputs = [
        text_input(
            "a" * 100,
            label="l" * 45,
            style=2,
            min_length=0,
            max_length=4000,
            value="v" * 4000,
            placeholder="p" * 100,
        ),
        text_input("b", min_length=4000, max_length=4000),
        text_input("c"),
        text_input("d"),
    ]
    labelled = {
        "type": 18,
        "label": "l" * 45,
        "description": "d" * 100,
        "component": {"type": 4, "custom_id": "e", "style": 1},
    }
    state = raw.interaction(COMMAND)
    answer = await raw.callback(state, modal(*rows(*inputs), labelled, title="t" * 45, custom_id="f" * 100))
    assert answer.status == 200, answer.body
    assert state.modal is not None
    assert [row["id"] for row in state.modal["components"]] == [1, 3, 5, 7, 9]


# --- followups, edits and the 15-minute token ---------------------------------------------------


async def test_followups_and_edits_are_checked_like_messages(raw: RawDiscord) -> None:
    state = raw.interaction(COMMAND)
    early = await raw.request("POST", raw.webhook(state), {"content": "too early"})
    assert (early.status, early.body["code"]) == (404, 10015)
    assert raw.double.breaches[-1].rule == "respond first"
    raw.double.breaches.clear()
    await raw.callback(state, {"type": 4, "data": {"content": "first"}})
    long = await raw.request("POST", raw.webhook(state), {"content": "x" * 2001})
    assert long.error_codes("content") == ["BASE_TYPE_MAX_LENGTH"]
    empty = await raw.request("POST", raw.webhook(state), {"content": " "})
    assert empty.body["code"] == 50006
    ephemeral = await raw.request("POST", raw.webhook(state), {"content": "only you", "flags": 64})
    assert ephemeral.status == 200 and ephemeral.body["flags"] == 64
    flagged = await raw.request("PATCH", raw.webhook(state, "/messages/@original"), {"flags": 64})
    assert flagged.error_codes("flags") == ["MESSAGE_FLAGS_INVALID"]  # a public message stays public
    edited = await raw.request("PATCH", raw.webhook(state, "/messages/@original"), {"content": "edited"})
    assert edited.status == 200 and edited.body["content"] == "edited"
    assert edited.body["interaction_metadata"]["id"] == str(state.id)


async def test_an_interaction_token_expires_after_15_minutes_on_the_doubles_clock(raw: RawDiscord) -> None:
    clock = raw.double.clock
    assert isinstance(clock, ManualClock)
    state = raw.interaction(COMMAND)
    await raw.callback(state, {"type": 5})
    await clock.advance(timedelta(minutes=14, seconds=59))
    ok = await raw.request("PATCH", raw.webhook(state, "/messages/@original"), {"content": "still in time"})
    assert ok.status == 200
    await clock.advance(timedelta(seconds=2))
    for method, tail, body in (
        ("PATCH", "/messages/@original", {"content": "too late"}),
        ("POST", "", {"content": "too late"}),
        ("GET", "/messages/@original", None),
    ):
        late = await raw.request(method, raw.webhook(state, tail), body)
        assert (late.status, late.body) == (401, {"message": "Invalid Webhook Token", "code": 50027})
    unknown = await raw.request("POST", f"/webhooks/{raw.world.application_id}/nope", {"content": "x"})
    assert (unknown.status, unknown.body["code"]) == (404, 10015)
