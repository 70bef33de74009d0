"""/config: moderators set the server's time zone, channels and reminder times."""

from __future__ import annotations

from bot.checks import is_moderator_command
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
    assert fields["Reminders"] == "homework: 1 day before, sessions: 45 minutes before"
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


async def test_lead_times_are_typed_and_shown_in_words_and_can_be_turned_off(session: LocalSession) -> None:
    hours = await session.run("/config reminders area:sessions minutes:2 hours", moderator=True)
    assert hours.reply.content == "Session reminders now go out 2 hours before."
    day = await session.run("/config reminders area:homework minutes:1440", moderator=True)
    assert day.reply.content == "Homework reminders now go out 1 day before."
    off = await session.run("/config reminders area:sessions minutes:off", moderator=True)
    assert off.reply.content.startswith("Session reminders are off: none go out")
    shown = await session.run("/config show", moderator=True)
    fields = {field["name"]: field["value"] for field in shown.reply.embeds[0]["fields"]}
    assert fields["Reminders"] == "homework: 1 day before, sessions: off"
    assert session.bot is not None
    config = await GuildStore(session.bot.db).get(session.double.world.guild_id)
    assert config.reminders_off("sessions") and not config.reminders_off("homework")
    bad = await session.run("/config reminders area:sessions minutes:soon", moderator=True)
    assert bad.reply.ephemeral and "'soon' is not a lead time" in bad.reply.content
    long = await session.run("/config reminders area:sessions minutes:3 weeks", moderator=True)
    assert "from 1 minute to 14 days" in long.reply.content
    assert (await GuildStore(session.bot.db).get(session.double.world.guild_id)).reminders_off("sessions")


async def test_the_default_due_time(session: LocalSession) -> None:
    done = await session.run("/config due-time time:6pm", moderator=True)
    assert done.reply.content == "A due date given without a time is now due at **18:00**."
    shown = await session.run("/config show", moderator=True)
    fields = {field["name"]: field["value"] for field in shown.reply.embeds[0]["fields"]}
    assert fields["Due time for a date without one"] == "18:00"
    bad = await session.run("/config due-time time:later", moderator=True)
    assert bad.reply.ephemeral and "not a time of day" in bad.reply.content
    reset = await session.run("/config due-time", moderator=True)
    assert reset.reply.content.endswith("the end of that day (23:59).")
    assert session.bot is not None
    assert (await GuildStore(session.bot.db).get(session.double.world.guild_id)).due_time is None


async def test_moderator_commands_are_visible_to_everyone_and_checked_on_use(session: LocalSession) -> None:
    """No command is hidden with default_member_permissions: moderators with a MODERATOR_ROLES role
    but without Manage Server must see /config and /status like every other moderator command
    (README: admins restrict them in Server Settings → Integrations)."""
    assert session.bot is not None
    schemas = session.schemas()
    assert [s["name"] for s in schemas if s.get("default_member_permissions") is not None] == []
    commands = {command.name: command for command in session.bot.tree.get_commands()}
    assert is_moderator_command(commands["config"]) and is_moderator_command(commands["status"])
    assert not is_moderator_command(commands["homework"])  # members use some of its subcommands
    refused = await session.run("/config show", user="Grace")
    assert refused.reply.ephemeral and "This is for moderators" in refused.reply.content
