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
from bot.guild_feature import GuildFeature, guild_id_of
from bot.interactions import Interaction
from bot.replies import reply

_ZONES = sorted(available_timezones() | {"UTC"})


def config_embed(config: GuildConfig) -> discord.Embed:
    """The server's settings as one embed (pure)."""
    embed = discord.Embed(title="Server settings", colour=discord.Colour.blurple())
    embed.add_field(name="Time zone", value=config.timezone)
    for purpose in ("homework", "sessions", "questions"):
        channel = config.channel(purpose)
        embed.add_field(name=f"{purpose.title()} channel", value=f"<#{channel}>" if channel else "not set")
    reminders = ", ".join(
        f"{area}: {minutes} min before" for area, minutes in config.reminder_minutes.items()
    )
    embed.add_field(name="Reminders", value=reminders, inline=False)
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
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

    @app_commands.command(name="reminders")
    @app_commands.describe(area="Which reminders", minutes="Minutes before the due date or session start")
    @moderator_only()
    async def reminders(
        self,
        interaction: Interaction,
        area: Literal["homework", "sessions"],
        minutes: app_commands.Range[int, 1, 20160],
    ) -> None:
        """Set how long before a due date or a session the reminders go out."""
        guild_id = guild_id_of(interaction)
        kinds = homework.KINDS if area == "homework" else sessions.KINDS
        await acknowledge(interaction)  # before the write (issue 13)
        moved = await self.store.set_reminder_minutes(
            guild_id,
            area,
            minutes,
            user_id=interaction.user.id,
            reminder_kinds=kinds,
            now=self.bot.clock.now(),
        )
        self.bot.scheduler.wake()
        plural = "" if moved == 1 else "s"
        pending = f" {moved} pending reminder{plural} moved to the new time." if moved else ""
        await reply(
            interaction,
            f"{area.title()} reminders now go out {minutes} minutes before.{pending}",
            ephemeral=True,
        )


async def setup(client: StudyBot) -> None:
    await client.add_cog(ConfigCog(client))
