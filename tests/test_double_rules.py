"""The Discord double enforces Discord's rules, and a breach fails the test that caused it."""

from __future__ import annotations

import pytest

from bot.local.server import DiscordDouble
from bot.local.session import LocalSession
from tests.support.probe import Probe


@pytest.fixture
async def probed(session: LocalSession) -> LocalSession:
    assert session.bot is not None
    await session.bot.add_cog(Probe(delay=0.3))
    return session


async def test_a_late_initial_response_is_refused_and_fails_the_test(probed: LocalSession) -> None:
    probed.double.response_deadline_s = 0.1  # the 3 s rule, scaled down so the test stays fast
    async with probed.expect_failure("3-second deadline"):
        await probed.run("/probe late")
    breach = probed.double.breaches[-1]
    assert breach.rule == "3-second deadline"
    assert breach.path.endswith("/callback")


async def test_an_answer_inside_the_deadline_passes(probed: LocalSession) -> None:
    probed.double.response_deadline_s = 2.0
    exchange = await probed.run("/probe late")
    assert exchange.reply.content == "late"
    assert probed.double.breaches == []


async def test_a_second_initial_response_is_refused(probed: LocalSession) -> None:
    async with probed.expect_failure("one initial response"):
        await probed.run("/probe twice")
    assert [b.rule for b in probed.double.breaches] == ["one initial response"]


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        ("/probe long size:2001", "message content is 2001 characters (limit 2000)"),
        ("/probe fields count:26", "embed 0 has 26 fields (limit 25)"),
        ("/probe rows", "6 action rows (limit 5)"),
        ("/probe embed title:257", "embed 0 title is 257 characters (limit 256)"),
        ("/probe embed description:4097", "embed 0 description is 4097 characters (limit 4096)"),
        # Every part within its own limit, but 4000 + 3 × (2 + 1000) characters in all.
        ("/probe embed description:4000 fields:3 value:1000", "embeds total 7016 characters (limit 6000)"),
    ],
)
async def test_message_limits_are_checked(probed: LocalSession, line: str, detail: str) -> None:
    async with probed.expect_failure("message limits"):
        await probed.run(line)
    assert any(b.detail == detail for b in probed.double.breaches), probed.double.breaches


async def test_content_at_the_limit_is_accepted(probed: LocalSession) -> None:
    exchange = await probed.run("/probe long size:2000")
    assert len(exchange.reply.content) == 2000


async def test_embeds_at_the_limits_are_accepted(probed: LocalSession) -> None:
    exchange = await probed.run("/probe embed title:256 description:4096")
    (embed,) = exchange.reply.embeds
    assert (len(embed["title"]), len(embed["description"])) == (256, 4096)
    # 25 fields and exactly 6000 characters in all (10 + 65 names + 25 × 237): at the limits.
    exchange = await probed.run("/probe embed title:0 description:10 fields:25 value:237")
    assert len(exchange.reply.embeds[0]["fields"]) == 25
    assert probed.double.breaches == []


async def test_more_than_25_autocomplete_choices_is_a_breach(probed: LocalSession) -> None:
    async with probed.expect_failure("30 autocomplete choices"):
        await probed.autocomplete("/probe suggest word:ab", "word")


@pytest.mark.parametrize("logger", ["discord.client", "asyncio"])
async def test_an_error_logged_by_discord_or_asyncio_fails_the_test(
    probed: LocalSession, logger: str
) -> None:
    async with probed.expect_failure(f"{logger}: the probe logged an error") as caught:
        await probed.run(f"/probe log logger:{logger}")
    assert caught == [f"{logger}: the probe logged an error on {logger}"]


async def test_a_followup_before_any_answer_is_a_breach(probed: LocalSession) -> None:
    async with probed.expect_failure("respond first"):
        await probed.run("/probe followup")


async def test_every_request_is_recorded_with_its_json(probed: LocalSession) -> None:
    exchange = await probed.run("/probe echo text:hello @everyone")
    (callback,) = [r for r in exchange.requests if r.path.endswith("/callback")]
    assert callback.method == "POST"
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "hello @everyone"
    assert callback.json["data"]["allowed_mentions"] == {"parse": []}
    assert exchange.reply.pings() == []
    line = exchange.requests_json()[0]
    assert set(line) == {"method", "path", "json", "files", "at_ms"}
    assert 0 <= line["at_ms"] < 3000


@pytest.mark.discord_deadline
def test_a_marked_test_keeps_discords_three_seconds() -> None:
    assert DiscordDouble().response_deadline_s == 3.0


def test_other_tests_get_a_deadline_a_busy_machine_meets() -> None:
    """See ``first_response_deadline`` in conftest.py: the order is tested, not the wall clock."""
    assert DiscordDouble().response_deadline_s == 60.0
