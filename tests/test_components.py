"""The one persistent-component registry (bot/components.py) and the row options
(bot/guild_feature.py): ids, arguments, refusals, and references typed as ``12`` or ``#12``."""

from __future__ import annotations

from typing import Any

import pytest

from bot.components import (
    NOT_IN_DMS,
    NUMBER,
    OUTDATED,
    Action,
    ActionRegistry,
    Feature,
    marker,
    text,
)
from bot.guild_feature import row_id
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage

HOMEWORK_POST = "/homework post week:1 title:Read chapter 1 due:2031-03-25 18:00"


async def handler(*_: object) -> None:
    """A handler for actions whose presses these tests only parse."""


# --- ids and arguments ----------------------------------------------------------------------------


def test_arguments_are_matched_whole_converted_and_markers_dropped() -> None:
    page = Action("page", handler, NUMBER, NUMBER, marker("[pn]"), text("[a-z]*"))
    assert page.parse("12:3:n:tools") == [12, 3, "tools"]
    assert page.parse("12:3:p:") == [12, 3, ""]
    assert page.parse("12:3:x:tools") is None
    assert page.parse("12:3:n") is None
    assert page.parse("12:3:n:tools:more") is None
    cancel = Action("cancel", handler, NUMBER, text("one|series"))
    assert cancel.parse("5:series") == [5, "series"]
    assert cancel.parse("5:ones") is None
    refresh = Action("refresh", handler)
    assert refresh.parse(None) == [] and refresh.parse("1") is None


def test_a_model_id_may_hold_slashes_and_colons() -> None:
    try_it = Action("try", handler, text("[a-z-]+"), text(r"\S+"))
    assert try_it.parse("fill-mask:org/model:v2") == ["fill-mask", "org/model:v2"]


def test_ids_are_feature_action_arguments_and_never_longer_than_discord_allows() -> None:
    feature = Feature("resources", "Resources")
    assert feature.custom_id("page", 7, 0, "p", "") == "resources:page:7:0:p:"
    assert feature.custom_id("refresh") == "resources:refresh"
    with pytest.raises(ValueError, match="longer than 100"):
        feature.custom_id("try", "x" * 100)


def test_a_feature_registers_once_and_an_action_name_once() -> None:
    registry = ActionRegistry()
    feature = Feature("homework", "Homework")
    registry.add(feature, [Action("done", handler, NUMBER)])
    with pytest.raises(ValueError, match="registered already"):
        registry.add(feature, [])
    registry.remove(feature)
    with pytest.raises(ValueError, match="twice"):
        registry.add(feature, [Action("done", handler), Action("done", handler)])
    assert registry.knows("homework:done:1") and not registry.knows("nobody:listens")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12),
        ("#12", 12),
        (" #7 ", 7),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("#", None),
        ("1 2", None),
    ],
)
def test_a_row_id_is_ascii_digits_with_an_optional_hash(typed: str, expected: int | None) -> None:
    assert row_id(typed) == expected


# --- presses through the real bot -------------------------------------------------------------------


def press_payload(session: LocalSession, message: StoredMessage, custom_id: str, user: str) -> dict[str, Any]:
    payload = session.payloads.component(message, custom_id, 2, session.member(user))
    component = {"type": 2, "style": 2, "label": "Old button", "custom_id": custom_id}
    payload["message"]["components"] = [{"type": 1, "components": [component]}]
    return payload


def in_direct_messages(session: LocalSession, payload: dict[str, Any], user: str) -> dict[str, Any]:
    """The same press, made in a DM with the bot (a message that reached the member there)."""
    member = session.member(user)
    dm = session.double.world.dm_channel(session.double.ids, member.id)
    for key in ("guild_id", "guild", "guild_locale", "member"):
        payload.pop(key, None)
    payload.update(
        {
            "channel_id": str(dm.id),
            "channel": dm.channel_json(None, session.double.world.users),
            "user": member.user_json(),
            "authorizing_integration_owners": {"1": str(member.id)},
            "context": 1,
        }
    )
    payload["message"]["channel_id"] = str(dm.id)
    return payload


def answer(exchange: Exchange) -> str:
    assert exchange.reply.ephemeral, exchange.render()
    return exchange.reply.content


async def test_a_server_button_pressed_in_direct_messages_is_refused_clearly(session: LocalSession) -> None:
    posted = await session.run(HOMEWORK_POST, moderator=True)
    payload = in_direct_messages(
        session, press_payload(session, posted.reply, "homework:done:1", "Grace"), "Grace"
    )
    refused = await session.send(payload)
    assert answer(refused) == NOT_IN_DMS


async def test_an_unknown_action_of_a_known_feature_says_the_button_is_outdated(
    session: LocalSession,
) -> None:
    posted = await session.run(HOMEWORK_POST, moderator=True)
    for custom_id in ("homework:explode:1", "homework:done:one", "homework:done:1:2", "homework:done"):
        pressed = await session.send(press_payload(session, posted.reply, custom_id, "Grace"))
        assert answer(pressed) == OUTDATED, custom_id


async def test_buttons_of_an_unloaded_feature_say_it_is_unavailable(session: LocalSession) -> None:
    posted = await session.run(HOMEWORK_POST, moderator=True)
    assert session.bot is not None
    await session.bot.unload_extension("cogs.homework")
    pressed = await session.send(press_payload(session, posted.reply, "homework:done:1", "Grace"))
    assert answer(pressed) == "Homework is not available right now; try again in a minute."
    await session.bot.load_extension("cogs.homework")
    again = await session.send(press_payload(session, posted.reply, "homework:done:1", "Grace"))
    assert answer(again).startswith("✅ Marked **Week 1 · Read chapter 1** as done.")


# --- references: 12, #12, a name, or a clear refusal -------------------------------------------------


async def test_homework_papers_and_resources_accept_12_and_hash_12(session: LocalSession) -> None:
    await session.run(HOMEWORK_POST, moderator=True)
    done = await session.run("/homework done homework:#1", user="Grace")
    assert answer(done).startswith("✅ Marked **Week 1 · Read chapter 1** as done.")
    undone = await session.run("/homework undo homework:1", user="Grace")
    assert answer(undone) == "**Week 1 · Read chapter 1** is no longer marked done."

    await session.run("/papers add title:Attention Is All You Need week:1 arxiv:1706.03762", moderator=True)
    for typed in ("1", "#1"):
        read = await session.run(f"/papers read paper:{typed}", user="Grace")
        assert "**Attention Is All You Need**" in answer(read)

    await session.run(
        "/resources add title:Model hub url:https://huggingface.co/models category:tools", moderator=True
    )
    for typed in ("1", "#1", "model HUB"):
        shown = await session.run(f"/resources show name:{typed}", user="Grace")
        assert shown.reply.embeds[0]["title"].endswith("Model hub"), typed


async def test_a_reference_that_names_nothing_is_refused_before_the_handler(session: LocalSession) -> None:
    await session.run(HOMEWORK_POST, moderator=True)
    for typed in ("²", "#99", "Read chapter 9"):
        refused = await session.run(f"/homework done homework:{typed}", user="Grace")
        assert answer(refused).startswith(f"There is no homework called {typed!r}."), typed
    empty = await session.run("/papers read paper:#1", user="Grace")
    assert answer(empty) == "The reading list is empty; moderators can start it with /papers starter-list."
    nothing = await session.run("/resources show name:12", user="Grace")
    assert answer(nothing) == "This server has no resources yet."


async def test_homework_references_offer_25_suggestions_at_most_from_memory(session: LocalSession) -> None:
    await session.run(HOMEWORK_POST, moderator=True)
    choices = await session.autocomplete("/homework done homework:#1", "homework", user="Grace")
    assert [choice["value"] for choice in choices] == ["1"]
    closed = await session.run("/homework close homework:1", moderator=True)
    assert closed.reply.content.startswith("Closed **Week 1 · Read chapter 1**")
    assert await session.autocomplete("/homework done homework:", "homework", user="Grace") == []
    late = await session.run("/homework done homework:1", user="Grace")
    assert answer(late) == "**Week 1 · Read chapter 1** is closed: marks can't change any more."
