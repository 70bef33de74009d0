"""``/config``: the server settings moderators choose (time zone, channels, reminder times)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.acknowledge import acknowledge
from bot.app import StudyBot
from bot.checks import moderator_only
from bot.db import homework, sessions
from bot.db.guilds import GuildConfig, GuildStore
from bot.durations import OFF, lead_text, parse_lead
from bot.errors import UserFacingError
from bot.guild_feature import GuildFeature, guild_id_of
from bot.interactions import Interaction
from bot.replies import reply
from bot.when import read_time_of_day

_ZONES = sorted(available_timezones() | {"UTC"})


def config_embed(config: GuildConfig) -> discord.Embed:
    """The server's settings as one embed (pure)."""
    embed = discord.Embed(title="Server settings", colour=discord.Colour.blurple())
    embed.add_field(name="Time zone", value=config.timezone)
    for purpose in ("homework", "sessions", "questions"):
        channel = config.channel(purpose)
        embed.add_field(name=f"{purpose.title()} channel", value=f"<#{channel}>" if channel else "not set")
    reminders = ", ".join(
        f"{area}: {lead_text(minutes) + ' before' if minutes != OFF else 'off'}"
        for area, minutes in config.reminder_minutes.items()
    )
    embed.add_field(name="Reminders", value=reminders, inline=False)
    due = config.due_time or "the end of the day (23:59)"
    embed.add_field(name="Due time for a date without one", value=due, inline=False)
    return embed


@app_commands.guild_only()
class ConfigCog(GuildFeature[GuildStore], commands.GroupCog, group_name="config"):
    """Server settings for moderators."""

    store_type = GuildStore

    @app_commands.command(name="show")
    @moderator_only()
    async def show(self, interaction: Interaction) -> None:
        """Show this server's studybot settings."""
        guild_id = guild_id_of(interaction)
        await reply(interaction, embed=config_embed(await self.store.get(guild_id)), ephemeral=True)

    @app_commands.command(name="timezone")
    @app_commands.describe(name="An IANA time zone, e.g. Europe/Paris; due dates and sessions use it")
    @moderator_only()
    async def timezone(self, interaction: Interaction, name: app_commands.Range[str, 1, 64]) -> None:
        """Set the time zone that homework due dates and session times are given in."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        zone = await self.store.set_timezone(guild_id, name, user_id=interaction.user.id)
        await reply(interaction, f"Time zone set to **{zone}**.", ephemeral=True)

    @timezone.autocomplete("name")
    async def timezone_names(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().replace(" ", "_")
        found = [zone for zone in _ZONES if wanted in zone.lower()]
        found.sort(key=lambda zone: (not zone.lower().startswith(wanted), len(zone)))
        return [app_commands.Choice(name=zone, value=zone) for zone in found[:25]]

    @app_commands.command(name="channel")
    @app_commands.describe(purpose="What the channel is for", channel="The channel (leave out to unset)")
    @moderator_only()
    async def channel(
        self,
        interaction: Interaction,
        purpose: Literal["homework", "sessions", "questions"],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Choose where homework, session announcements or Q&A posts go."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        await self.store.set_channel(
            guild_id, purpose, channel.id if channel else None, user_id=interaction.user.id
        )
        where = channel.mention if channel else "not set (posts go to the channel the command is used in)"
        await reply(interaction, f"The {purpose} channel is now {where}.", ephemeral=True)

    @app_commands.command(name="due-time")
    @app_commands.describe(time="e.g. 18:00 or 6pm; leave it out for the end of the day")
    @moderator_only()
    async def due_time(
        self, interaction: Interaction, time: app_commands.Range[str, 1, 10] | None = None
    ) -> None:
        """Set the time a due date written without one takes (default: the end of that day)."""
        guild_id = guild_id_of(interaction)
        clock = read_time_of_day(time) if time is not None else None
        if time is not None and clock is None:
            raise UserFacingError(f"{time.strip()[:10]!r} is not a time of day: write it like 18:00 or 6pm.")
        value = f"{clock:%H:%M}" if clock is not None else None
        await self.store.set_due_time(guild_id, value, user_id=interaction.user.id)
        said = f"**{value}**" if value else "the end of that day (23:59)"
        await reply(interaction, f"A due date given without a time is now due at {said}.", ephemeral=True)

    @app_commands.command(name="reminders")
    @app_commands.describe(
        area="Which reminders",
        minutes="How long before the due date or session start: 30, 2 hours, 1 day… or off",
    )
    @moderator_only()
    async def reminders(
        self,
        interaction: Interaction,
        area: Literal["homework", "sessions"],
        minutes: app_commands.Range[str, 1, 30],
    ) -> None:
        """Set how long before a due date or a session the reminders go out, or turn them off."""
        guild_id = guild_id_of(interaction)
        lead = parse_lead(minutes)
        kinds = homework.KINDS if area == "homework" else sessions.KINDS
        await acknowledge(interaction)  # before the write (issue 13)
        moved = await self.store.set_reminder_minutes(
            guild_id,
            area,
            lead,
            user_id=interaction.user.id,
            reminder_kinds=kinds,
            now=self.bot.clock.now(),
        )
        self.bot.scheduler.wake()
        name = "Homework" if area == "homework" else "Session"
        if lead == OFF:
            text = (
                f"{name} reminders are off: none go out, and Remind me says so. Turn them on again "
                "with a lead time, e.g. `/config reminders minutes:1 day`."
            )
        else:
            plural = "" if moved == 1 else "s"
            pending = f" {moved} pending reminder{plural} moved to the new time." if moved else ""
            text = f"{name} reminders now go out {lead_text(lead)} before.{pending}"
        await reply(interaction, text, ephemeral=True)


async def setup(client: StudyBot) -> None:
    await client.add_cog(ConfigCog(client))
