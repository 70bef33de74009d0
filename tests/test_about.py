"""/about through the whole path: gateway event in, interaction callback out."""

from __future__ import annotations

import re

from bot.local.session import LocalSession


async def test_about_answers_with_version_uptime_and_devices(session: LocalSession) -> None:
    exchange = await session.run("/about")
    assert exchange.answered
    (request,) = exchange.requests
    assert request.method == "POST" and request.path.endswith("/callback")
    assert request.json["type"] == 4
    assert request.json["data"]["allowed_mentions"] == {"parse": []}
    (embed,) = exchange.reply.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    import bot

    assert fields["Version"] == bot.__version__
    assert fields["Up since"].startswith("<t:") and fields["Up since"].endswith(":R>")
    assert fields["Servers"] == "1"
    assert fields["Devices"] == "cpu"  # DEVICES=cpu in the tests
    profile = r"small offline models trained on studybot's own examples"
    assert re.fullmatch(rf"\d+ \({profile}\)", fields["Models loaded"])
    assert "discord.py" in embed["footer"]["text"]
    assert not exchange.reply.ephemeral


async def test_about_works_in_direct_messages(session: LocalSession) -> None:
    exchange = await session.run("/about", dm=True)
    assert exchange.reply.embeds[0]["title"] == "studybot"
