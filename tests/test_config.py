"""/config: moderators set the server's time zone, channels and reminder times."""

from __future__ import annotations

from bot.db.guilds import GuildStore
from bot.local.session import LocalSession


async def test_moderators_set_and_show_settings(session: LocalSession) -> None:
    done = await session.run("/config timezone name:Europe/Paris", moderator=True)
    assert done.reply.ephemeral and "Europe/Paris" in done.reply.content
    homework = session.channel("homework")
    await session.run("/config channel purpose:homework channel:#homework", moderator=True)
    await session.run("/config reminders area:sessions minutes:45", moderator=True)
    shown = await session.run("/config show", moderator=True)
    fields = {field["name"]: field["value"] for field in shown.reply.embeds[0]["fields"]}
    assert fields["Time zone"] == "Europe/Paris"
    assert fields["Homework channel"] == f"<#{homework.id}>"
    assert "sessions: 45 min before" in fields["Reminders"]
    assert session.bot is not None
    config = await GuildStore(session.bot.db).get(session.double.world.guild_id)
    assert config.timezone == "Europe/Paris" and config.channel("homework") == homework.id
    async with session.bot.db.execute("SELECT action, detail FROM audit_log") as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert ("settings.set", "timezone=Europe/Paris") in rows


async def test_a_bad_time_zone_is_explained(session: LocalSession) -> None:
    refused = await session.run("/config timezone name:Mars/Olympus", moderator=True)
    assert refused.reply.ephemeral
    assert "not a time zone I know" in refused.reply.content


async def test_members_cannot_change_settings(session: LocalSession) -> None:
    refused = await session.run("/config timezone name:Asia/Tokyo")
    assert refused.reply.ephemeral and "moderators" in refused.reply.content
    assert session.bot is not None
    config = await GuildStore(session.bot.db).get(session.double.world.guild_id)
    assert config.timezone == "UTC"


async def test_time_zone_autocomplete_is_bounded_and_ranked(session: LocalSession) -> None:
    choices = await session.autocomplete("/config timezone name:paris", "name", moderator=True)
    assert choices[0]["value"] == "Europe/Paris"
    assert len(await session.autocomplete("/config timezone name:a", "name", moderator=True)) == 25


async def test_settings_survive_a_restart_and_stay_per_server(session: LocalSession) -> None:
    await session.run("/config timezone name:Asia/Kolkata", moderator=True)
    await session.restart()
    assert session.bot is not None
    store = GuildStore(session.bot.db)
    assert (await store.get(session.double.world.guild_id)).timezone == "Asia/Kolkata"
    assert (await store.get(1)).timezone == "UTC"
