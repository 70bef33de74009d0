"""Messages and components sent straight to the double: each of Discord's rules refused with its
400 (``code``, ``message`` and the nested ``errors`` tree), and a valid message accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.local.ratelimits import RateLimiter
from bot.local.server import DiscordDouble
from tests.support.raw import RawDiscord, raw_double


@pytest.fixture
async def raw() -> AsyncIterator[RawDiscord]:
    async with raw_double(DiscordDouble(rate_limits=RateLimiter(enabled=False))) as client:
        yield client


def button(custom_id: str = "b", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Press", "custom_id": custom_id, **extra}


def select(count: int = 3, **extra: Any) -> dict[str, Any]:
    options = [{"label": f"Option {n}", "value": f"v{n}"} for n in range(count)]
    return {"type": 3, "custom_id": "pick", "options": options, **extra}


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(items)}


def embed(**parts: Any) -> dict[str, Any]:
    return {"type": "rich", "title": "t", **parts}


BAD_MESSAGES: list[tuple[str, dict[str, Any], tuple[Any, ...], str]] = [
    # (rule, body, path in the errors tree, Discord's error code there)
    ("content over 2000", {"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
    ("11 embeds", {"embeds": [embed() for _ in range(11)]}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
    ("title over 256", {"embeds": [embed(title="t" * 257)]}, ("embeds", 0, "title"), "BASE_TYPE_MAX_LENGTH"),
    (
        "description over 4096",
        {"embeds": [embed(description="d" * 4097)]},
        ("embeds", 0, "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 fields",
        {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
        ("embeds", 0, "fields"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field name over 256",
        {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
        ("embeds", 0, "fields", 0, "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field value over 1024",
        {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
        ("embeds", 0, "fields", 0, "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "blank field value",
        {"embeds": [embed(fields=[{"name": "n", "value": "  "}])]},
        ("embeds", 0, "fields", 0, "value"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "footer over 2048",
        {"embeds": [embed(footer={"text": "f" * 2049})]},
        ("embeds", 0, "footer", "text"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "author over 256",
        {"embeds": [embed(author={"name": "a" * 257})]},
        ("embeds", 0, "author", "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "6001 characters over two embeds",
        {"embeds": [embed(title="", description="d" * 3000), embed(title="", description="d" * 3001)]},
        ("embeds",),
        "MAX_EMBED_SIZE_EXCEEDED",
    ),
    (
        "embed url not http",
        {"embeds": [embed(url="ftp://example.org/x")]},
        ("embeds", 0, "url"),
        "URL_TYPE_INVALID_URL",
    ),
    (
        "image url not a url",
        {"embeds": [embed(image={"url": "not a url"})]},
        ("embeds", 0, "image", "url"),
        "URL_TYPE_INVALID_URL",
    ),
    (
        "author url not a url",
        {"embeds": [embed(author={"name": "a", "url": "javascript:alert(1)"})]},
        ("embeds", 0, "author", "url"),
        "URL_TYPE_INVALID_URL",
    ),
    ("colour over 0xFFFFFF", {"embeds": [embed(color=0x1000000)]}, ("embeds", 0, "color"), "NUMBER_TYPE_MAX"),
    ("colour not a number", {"embeds": [embed(color="red")]}, ("embeds", 0, "color"), "NUMBER_TYPE_COERCE"),
    (
        "timestamp not ISO8601",
        {"embeds": [embed(timestamp="yesterday")]},
        ("embeds", 0, "timestamp"),
        "DATE_TYPE_PARSE",
    ),
    (
        "parse users with a users list",
        {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
        ("allowed_mentions",),
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
    ),
    (
        "parse roles with a roles list",
        {"content": "hi", "allowed_mentions": {"parse": ["roles"], "roles": ["1"]}},
        ("allowed_mentions",),
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
    ),
    (
        "unknown parse value",
        {"content": "hi", "allowed_mentions": {"parse": ["here"]}},
        ("allowed_mentions", "parse", 0),
        "ENUM_TYPE_COERCE",
    ),
    ("ephemeral channel message", {"content": "hi", "flags": 64}, ("flags",), "MESSAGE_FLAGS_INVALID"),
    (
        "attachment id with no upload",
        {"content": "hi", "attachments": [{"id": 0, "filename": "a.txt"}]},
        ("attachments", 0, "id"),
        "ATTACHMENT_NOT_FOUND",
    ),
    (
        "reply to an unknown message",
        {"content": "hi", "message_reference": {"message_id": "123"}},
        ("message_reference",),
        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
    ),
    # --- components -------------------------------------------------------------------------
    (
        "6 action rows",
        {"components": [row(button(f"b{n}")) for n in range(6)]},
        ("components",),
        "BASE_TYPE_BAD_LENGTH",
    ),
    ("an empty action row", {"components": [row()]}, ("components", 0, "components"), "BASE_TYPE_BAD_LENGTH"),
    (
        "6 buttons in a row",
        {"components": [row(*[button(f"b{n}") for n in range(6)])]},
        ("components", 0, "components"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "a select beside a button",
        {"components": [row(select(), button())]},
        ("components", 0, "components"),
        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
    ),
    (
        "a button outside an action row",
        {"components": [button()]},
        ("components", 0, "type"),
        "UNION_TYPE_CHOICES",
    ),
    (
        "a text input in a message",
        {"components": [row({"type": 4, "custom_id": "t", "style": 1, "label": "x"})]},
        ("components", 0, "components", 0, "type"),
        "BASE_TYPE_INVALID",
    ),
    (
        "duplicate custom_id",
        {"components": [row(button("same")), row(button("same"))]},
        ("components", 1, "components", 0, "custom_id"),
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    ),
    (
        "custom_id over 100",
        {"components": [row(button("c" * 101))]},
        ("components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "link button with a custom_id",
        {
            "components": [
                row({"type": 2, "style": 5, "label": "L", "url": "https://x.org", "custom_id": "c"})
            ]
        },
        ("components", 0, "components", 0, "custom_id"),
        "BUTTON_COMPONENT_INVALID",
    ),
    (
        "link button without a url",
        {"components": [row({"type": 2, "style": 5, "label": "L"})]},
        ("components", 0, "components", 0, "url"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "link button with a bad url",
        {"components": [row({"type": 2, "style": 5, "label": "L", "url": "www.example.org"})]},
        ("components", 0, "components", 0, "url"),
        "URL_TYPE_INVALID_URL",
    ),
    (
        "button without a custom_id",
        {"components": [row({"type": 2, "style": 1, "label": "L"})]},
        ("components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "non-link button with a url",
        {"components": [row(button(url="https://x.org"))]},
        ("components", 0, "components", 0, "url"),
        "BUTTON_COMPONENT_INVALID",
    ),
    (
        "button with neither label nor emoji",
        {"components": [row({"type": 2, "style": 1, "custom_id": "c"})]},
        ("components", 0, "components", 0),
        "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
    ),
    (
        "button label over 80",
        {"components": [row(button(label="l" * 81))]},
        ("components", 0, "components", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "button style 7",
        {"components": [row(button(style=7))]},
        ("components", 0, "components", 0, "style"),
        "BASE_TYPE_INVALID",
    ),
    (
        "select without options",
        {"components": [row(select(0))]},
        ("components", 0, "components", 0, "options"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "select with 26 options",
        {"components": [row(select(26))]},
        ("components", 0, "components", 0, "options"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "max_values above the options",
        {"components": [row(select(3, max_values=4))]},
        ("components", 0, "components", 0, "max_values"),
        "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH",
    ),
    (
        "min_values above max_values",
        {"components": [row(select(5, min_values=3, max_values=2))]},
        ("components", 0, "components", 0, "min_values"),
        "BASE_TYPE_INVALID",
    ),
    (
        "max_values 26",
        {"components": [row({"type": 5, "custom_id": "u", "max_values": 26})]},
        ("components", 0, "components", 0, "max_values"),
        "BASE_TYPE_INVALID",
    ),
    (
        "placeholder over 150",
        {"components": [row(select(placeholder="p" * 151))]},
        ("components", 0, "components", 0, "placeholder"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "option label over 100",
        {"components": [row({"type": 3, "custom_id": "s", "options": [{"label": "l" * 101, "value": "v"}]})]},
        ("components", 0, "components", 0, "options", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "option value over 100",
        {"components": [row({"type": 3, "custom_id": "s", "options": [{"label": "l", "value": "v" * 101}]})]},
        ("components", 0, "components", 0, "options", 0, "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "option description over 100",
        {
            "components": [
                row(
                    {
                        "type": 3,
                        "custom_id": "s",
                        "options": [{"label": "l", "value": "v", "description": "d" * 101}],
                    }
                )
            ]
        },
        ("components", 0, "components", 0, "options", 0, "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "duplicate option values",
        {
            "components": [
                row(
                    {
                        "type": 3,
                        "custom_id": "s",
                        "options": [{"label": "a", "value": "v"}, {"label": "b", "value": "v"}],
                    }
                )
            ]
        },
        ("components", 0, "components", 0, "options", 1, "value"),
        "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
    ),
    (
        "duplicate component ids",
        {"components": [row(button("a", id=7), button("b", id=7))]},
        ("components", 0, "components", 1, "id"),
        "COMPONENT_ID_DUPLICATED",
    ),
]


@pytest.mark.parametrize(
    ("rule", "body", "path", "code"), BAD_MESSAGES, ids=[case[0] for case in BAD_MESSAGES]
)
async def test_a_message_breaking_a_rule_gets_discords_400(
    raw: RawDiscord, rule: str, body: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    answer = await raw.post_message(body)
    assert answer.status == 400, answer.body
    assert answer.body["code"] == 50035
    assert answer.body["message"] == "Invalid Form Body"
    assert code in answer.error_codes(*path), answer.body
    assert raw.double.breaches, "the breach was not recorded"
    assert not raw.double.channel_messages(raw.channel_id())  # nothing was posted


@pytest.mark.parametrize("body", [{}, {"content": "   "}, {"content": "", "embeds": [], "components": []}])
async def test_an_empty_message_is_refused_with_50006(raw: RawDiscord, body: dict[str, Any]) -> None:
    answer = await raw.post_message(body)
    assert (answer.status, answer.body) == (400, {"code": 50006, "message": "Cannot send an empty message"})
    assert raw.double.breaches[-1].rule == "message limits"


async def test_a_message_at_every_limit_is_accepted(raw: RawDiscord) -> None:
    full = {
        "type": "rich",
        "title": "t" * 256,
        "description": "d" * 2000,
        "url": "https://huggingface.co/learn",
        "color": 0xFFFFFF,
        "timestamp": "2031-03-17T09:00:00+00:00",
        "footer": {"text": "f" * 100, "icon_url": "attachment://logo.png"},
        "author": {"name": "a" * 256, "url": "http://example.org"},
        "image": {"url": "attachment://chart.png"},
        "fields": [{"name": "n" * 10, "value": "v" * 100} for _ in range(25)],
    }
    body = {
        "content": "c" * 2000,
        "embeds": [full, {"type": "rich", "description": "d" * (6000 - 256 - 2000 - 356 - 2750)}],
        "components": [
            row(
                *[button(f"b{n}", label="l" * 80) for n in range(4)],
                {"type": 2, "style": 5, "emoji": {"name": "📖"}, "url": "https://x.org"},
            ),
            row(select(25, max_values=25, min_values=0, placeholder="p" * 150)),
            row({"type": 5, "custom_id": "users", "max_values": 25}),
            row(button("last")),
            row(button("very-last", style=4)),
        ],
        "allowed_mentions": {"parse": [], "users": ["1"], "roles": []},
        "flags": 4 | 4096,
        "attachments": [{"id": 0, "filename": "notes.txt", "description": "d" * 1024}],
    }
    answer = await raw.post_message(body, files={"notes.txt": b"hello"})
    assert answer.status == 200, answer.body
    assert raw.double.breaches == []
    stored = raw.double.messages[int(answer.body["id"])]
    assert [item["filename"] for item in stored.attachments] == ["notes.txt"]
    assert stored.attachments[0]["description"] == "d" * 1024
    # Discord gives every component a numeric id, in order, and echoes them.
    ids = [row["id"] for row in answer.body["components"]]
    ids += [item["id"] for row in answer.body["components"] for item in row["components"]]
    assert sorted(ids) == list(range(1, len(ids) + 1))


async def test_an_edit_is_checked_on_the_message_it_leaves(raw: RawDiscord) -> None:
    posted = await raw.post_message({"content": "hello", "embeds": [embed(description="d" * 3000)]})
    path = f"/channels/{raw.channel_id()}/messages/{posted.body['id']}"
    # Every part within its limits, but with the embed it keeps the message is 6,000+.
    grown = await raw.request(
        "PATCH", path, {"embeds": [embed(description="d" * 3000), embed(description="e" * 3000)]}
    )
    assert grown.error_codes("embeds") == ["MAX_EMBED_SIZE_EXCEEDED"]
    emptied = await raw.request("PATCH", path, {"content": "", "embeds": []})
    assert emptied.body == {"code": 50006, "message": "Cannot send an empty message"}
    flagged = await raw.request("PATCH", path, {"flags": 64})
    assert flagged.error_codes("flags") == ["MESSAGE_FLAGS_INVALID"]
    kept = await raw.request("PATCH", path, {"content": "edited", "flags": 4})
    assert kept.status == 200 and kept.body["content"] == "edited"


async def test_attachments_are_matched_to_their_uploads_on_edit(raw: RawDiscord) -> None:
    posted = await raw.post_message(
        {"content": "files", "attachments": [{"id": 0, "filename": "a.txt"}]}, files={"a.txt": b"a"}
    )
    old = posted.body["attachments"][0]["id"]
    path = f"/channels/{raw.channel_id()}/messages/{posted.body['id']}"
    # Keep the old file by its id and add a new one as files[0].
    edited = await raw.request(
        "PATCH", path, {"attachments": [{"id": old}, {"id": 0, "filename": "b.txt"}]}, files={"b.txt": b"b"}
    )
    assert [item["filename"] for item in edited.body["attachments"]] == ["a.txt", "b.txt"]
    wrong = await raw.request("PATCH", path, {"attachments": [{"id": "99"}]})
    assert wrong.error_codes("attachments", 0, "id") == ["ATTACHMENT_NOT_FOUND"]


async def test_the_double_answers_a_message_as_discord_does(raw: RawDiscord) -> None:
    answer = await raw.post_message({"content": "hi", "components": [row(button())]})
    message = answer.body
    assert {"id", "channel_id", "author", "content", "timestamp", "edited_timestamp", "flags"} <= set(message)
    assert message["components"][0]["components"][0]["id"] == 2  # the row is 1
    me = await raw.request("GET", "/users/@me")
    assert me.body["flags"] == 0 and me.body["bot"] is True  # the owner's view of the user has flags
