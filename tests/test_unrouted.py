"""Presses and form submissions that nothing routes are answered, not dropped (issue 14).

discord.py itself drops them (the member would see "This interaction failed"); the bot answers
with a sentence, and a closed form gives back what the member typed.
"""

from __future__ import annotations

import pytest

from bot.components import OUTDATED
from bot.db.resources import ResourceStore
from bot.local.session import LocalSession
from bot.unrouted import FORM_CLOSED, FORM_CLOSED_EMPTY, TYPED_FILE, closed_form_reply, typed_values
from tests.test_component_ids import press

HUB = "https://huggingface.co/models"


async def titles(session: LocalSession) -> list[str]:
    assert session.bot is not None
    found = await ResourceStore(session.bot.db).find(session.double.world.guild_id)
    return sorted(resource.title for resource in found)


@pytest.mark.parametrize("custom_id", ["zzz:nothing:1", "not-ours", "homework", "Homework:done:1", "x" * 100])
async def test_a_press_no_feature_knows_is_answered(session: LocalSession, custom_id: str) -> None:
    posted = await session.run("/help")
    pressed = await press(session, posted.reply, custom_id)
    assert pressed.answered
    assert pressed.reply.ephemeral and pressed.reply.content == OUTDATED


async def test_a_select_no_feature_knows_is_answered(session: LocalSession) -> None:
    posted = await session.run("/help")
    pressed = await press(session, posted.reply, "gone:pick", values=["1"])
    assert pressed.reply.ephemeral and pressed.reply.content == OUTDATED


async def test_a_known_press_is_answered_once(session: LocalSession) -> None:
    """The fallback stays out of the way of presses the registry answers (a second answer fails)."""
    posted = await session.run("/help")
    pressed = await press(session, posted.reply, "homework:done:99999")
    assert pressed.reply.ephemeral and pressed.reply.content == "This homework was deleted."
    assert sum(request.path.endswith("/callback") for request in pressed.requests) == 1


async def test_a_form_sent_twice_says_the_second_changed_nothing(session: LocalSession) -> None:
    opened = await session.run("/resources add", moderator=True)
    values = {"Title": "Hub", "Link": HUB, "Category": "tools"}
    saved = await session.submit(opened, values, moderator=True)
    assert saved.reply.content == "Saved **Hub** in tools."
    again = await session.submit(opened, values, moderator=True)
    assert again.reply.ephemeral
    assert again.reply.content.startswith(FORM_CLOSED)
    assert "```\nHub\n```" in again.reply.content and f"```\n{HUB}\n```" in again.reply.content
    assert await titles(session) == ["Hub"]


async def test_a_form_from_before_a_restart_gives_back_long_text_as_a_file(session: LocalSession) -> None:
    opened = await session.run("/resources add", moderator=True)
    assert opened.modal is not None
    opened.modal["custom_id"] = "f" * 32  # the id of a form the bot no longer waits for
    description, tags = "a long note " * 83, "tag, " * 80  # 996 and 400 characters
    values = {"Title": "T" * 100, "Link": HUB + "/" + "p" * 480, "Category": "tools"}
    values |= {"Description (optional)": description, "Tags, comma-separated (optional)": tags}
    late = await session.submit(opened, values, moderator=True)
    assert late.reply.ephemeral and late.reply.content.startswith(FORM_CLOSED)
    (upload,) = [upload for request in late.requests for upload in request.files]
    assert upload.filename == TYPED_FILE
    assert all(value.encode() in upload.data for value in values.values())
    assert await titles(session) == []


def test_typed_values_read_both_form_layouts() -> None:
    data = {
        "custom_id": "x",
        "components": [
            {"type": 18, "component": {"type": 4, "custom_id": "a", "value": "first"}},
            {"type": 1, "components": [{"type": 4, "custom_id": "b", "value": "second"}]},
            {"type": 1, "components": [{"type": 4, "custom_id": "c", "value": "  "}]},
            {"type": 18, "component": {"type": 3, "custom_id": "d", "values": ["x"]}},
            "junk",
        ],
    }
    assert list(typed_values(data)) == ["first", "second"]
    assert list(typed_values({"components": "junk"})) == []


def test_a_closed_form_reply_fits_a_message_or_attaches() -> None:
    assert closed_form_reply([]) == (FORM_CLOSED_EMPTY, None)
    content, file = closed_form_reply(["short", "has ``` fences"])
    assert file is None and content.startswith(FORM_CLOSED) and content.count("```") == 4
    content, file = closed_form_reply(["y" * 1990])
    assert file is not None and file.filename == TYPED_FILE and len(content) <= 2000
