"""The one error handler and the one reply helper, through the real bot and the double."""

from __future__ import annotations

import re
import time

import pytest

from bot.local.session import LocalSession
from bot.local.store import EPHEMERAL
from tests.support.probe import Probe


@pytest.fixture
async def probed(session: LocalSession) -> LocalSession:
    assert session.bot is not None
    await session.bot.add_cog(Probe())
    return session


async def test_a_user_facing_error_is_an_ephemeral_sentence(probed: LocalSession) -> None:
    exchange = await probed.run("/probe refuse")
    assert exchange.reply.content == "That text is empty: type at least one word."
    assert exchange.reply.flags & EPHEMERAL
    assert probed.error_records == []  # expected failures are not logged as errors


async def test_an_unexpected_error_shows_a_code_that_is_logged(probed: LocalSession) -> None:
    with probed.allowing_errors():
        exchange = await probed.run("/probe boom")
    match = re.search(r"error code `([0-9a-f]{6})`", exchange.reply.content)
    assert match, exchange.reply.content
    assert exchange.reply.ephemeral
    (record,) = probed.error_records
    assert match.group(1) in record.getMessage()
    assert record.exc_info is not None and "the probe exploded" in str(record.exc_info[1])


async def test_an_unexpected_error_fails_the_test_at_once(probed: LocalSession) -> None:
    async with probed.expect_failure("Unexpected error") as caught:
        await probed.run("/probe boom")
    assert any("the probe exploded" in failure for failure in caught)


async def test_a_cooldown_says_when_to_retry(probed: LocalSession) -> None:
    first = await probed.run("/probe slow")
    assert first.reply.content == "ok"
    second = await probed.run("/probe slow")
    assert second.reply.ephemeral
    match = re.search(r"you can use this again <t:(\d+):R>", second.reply.content)
    assert match, second.reply.content
    assert 55 <= int(match.group(1)) - time.time() <= 61  # the one-minute cooldown, as a relative time


async def test_missing_permissions_are_listed(probed: LocalSession) -> None:
    exchange = await probed.run("/probe perms")
    assert exchange.reply.ephemeral
    assert exchange.reply.content == "You need the Manage Messages and Kick Members permissions for this."
    refused = await probed.run("/probe botperms")
    assert refused.reply.ephemeral
    assert refused.reply.content.startswith("I need the Manage Threads permission in this channel")
    assert probed.error_records == []


async def test_moderator_commands_are_refused_for_members(probed: LocalSession) -> None:
    refused = await probed.run("/probe mod")
    assert refused.reply.ephemeral
    assert "Manage Server" in refused.reply.content and "Moderator" in refused.reply.content
    allowed = await probed.run("/probe mod", moderator=True)
    assert allowed.reply.content == "hello moderator"


async def test_moderator_role_counts_without_manage_server(probed: LocalSession) -> None:
    world = probed.double.world
    helper = world.add_user(probed.double.ids, "Helper")
    helper.role_ids.append(world.moderator_role_id)  # the role, but not the permission bit
    assert probed.bot is not None
    await probed.restart()  # the new member arrives with the next GUILD_CREATE
    await probed.bot.add_cog(Probe())
    exchange = await probed.run("/probe mod", user="Helper")
    assert exchange.reply.content == "hello moderator"


async def test_reply_after_a_thinking_defer_replaces_the_placeholder(probed: LocalSession) -> None:
    exchange = await probed.run("/probe defer")
    paths = [(r.method, r.path.split("/")[-1]) for r in exchange.requests]
    assert paths[0] == ("POST", "callback")
    assert ("PATCH", "@original") in paths  # the placeholder becomes the answer
    assert exchange.original is not None and exchange.original.content == "after thinking"
    followups = [m for m in exchange.messages if m.id != exchange.original.id]
    assert [m.content for m in followups] == ["a second message"]


async def test_an_error_after_a_thinking_defer_replaces_the_placeholder(probed: LocalSession) -> None:
    exchange = await probed.run("/probe defer fail:true")
    assert exchange.original is not None
    assert exchange.original.content == "It failed after thinking."
    assert len(exchange.messages) == 1


async def test_a_command_discord_still_offers_but_the_bot_dropped_asks_for_a_sync(
    session: LocalSession,
) -> None:
    payload = session.command_payload("/about")
    payload["data"]["name"] = "retired-command"  # registered once, since removed from the bot
    exchange = await session.send(payload)
    assert exchange.reply.ephemeral and "studybot sync" in exchange.reply.content
    assert session.error_records == []


async def test_options_that_changed_since_the_last_sync_ask_for_a_sync(session: LocalSession) -> None:
    payload = session.command_payload("/sentiment text:An older registration")
    payload["data"]["options"] = []  # Discord's copy lacks the now-required text option
    exchange = await session.send(payload)
    assert exchange.reply.ephemeral and "studybot sync" in exchange.reply.content
    assert session.error_records == []


async def test_an_autocomplete_for_a_dropped_command_is_answered_with_no_choices(
    session: LocalSession,
) -> None:
    payload = session.command_payload("/about")
    payload.update(type=4)  # APPLICATION_COMMAND_AUTOCOMPLETE
    payload["data"]["name"] = "retired-command"
    payload["data"]["options"] = [{"name": "topic", "type": 3, "value": "tok", "focused": True}]
    exchange = await session.send(payload)
    assert exchange.answered and exchange.choices == [] and exchange.messages == []
    assert session.error_records == []
