"""A cog used only by the tests: commands that break Discord's rules on purpose, or fail.

It is added to the running bot with ``bot.add_cog`` (the way any cog is), so the bot's own tree,
error handler and reply helper handle it exactly as they handle the real commands.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import moderator_only
from bot.errors import UserFacingError
from bot.replies import reply


async def raw_callback(interaction: discord.Interaction, payload: dict[str, Any]) -> None:
    """POST an interaction callback directly, past discord.py's own checks."""
    route = discord.http.Route(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_id=interaction.id,
        interaction_token=interaction.token,
    )
    await interaction.client.http.request(route, json=payload)


class Probe(commands.GroupCog, group_name="probe"):
    """Test-only commands."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    @app_commands.command(name="late")
    async def late(self, interaction: discord.Interaction) -> None:
        """Answer after the configured delay."""
        await asyncio.sleep(self.delay)
        await interaction.response.send_message("late")

    @app_commands.command(name="twice")
    async def twice(self, interaction: discord.Interaction) -> None:
        """Send two initial responses (the second one raw: discord.py itself refuses it)."""
        await interaction.response.send_message("one")
        await raw_callback(interaction, {"type": 4, "data": {"content": "two"}})

    @app_commands.command(name="long")
    async def long(self, interaction: discord.Interaction, size: int = 2001) -> None:
        """Send a message of `size` characters."""
        await interaction.response.send_message("x" * size)

    @app_commands.command(name="fields")
    async def fields(self, interaction: discord.Interaction, count: int = 26) -> None:
        """Send an embed with `count` fields."""
        embed = discord.Embed(title="fields")
        for number in range(count):
            embed.add_field(name=f"f{number}", value="v")
        await interaction.response.send_message(embed=embed)

    @app_commands.command(name="embed")
    async def embed(
        self,
        interaction: discord.Interaction,
        title: int = 10,
        description: int = 10,
        fields: int = 0,
        value: int = 10,
    ) -> None:
        """Send one embed whose parts have the given sizes in characters."""
        built = discord.Embed(title="t" * title, description="d" * description)
        for number in range(fields):
            built.add_field(name=f"f{number}", value="v" * value)
        await interaction.response.send_message(embed=built)

    @app_commands.command(name="log")
    async def log(self, interaction: discord.Interaction, logger: str) -> None:
        """Log an ERROR on the logger named `logger`, then answer normally."""
        logging.getLogger(logger).error("the probe logged an error on %s", logger)
        await interaction.response.send_message("logged")

    @app_commands.command(name="perms")
    @app_commands.checks.has_permissions(manage_messages=True, kick_members=True)
    async def perms(self, interaction: discord.Interaction) -> None:
        """Needs Manage Messages and Kick Members."""
        await reply(interaction, "allowed")

    @app_commands.command(name="botperms")
    @app_commands.checks.bot_has_permissions(manage_threads=True)
    async def botperms(self, interaction: discord.Interaction) -> None:
        """The bot needs Manage Threads."""
        await reply(interaction, "allowed")

    @app_commands.command(name="rows")
    async def rows(self, interaction: discord.Interaction) -> None:
        """Send six action rows."""
        payload = {
            "type": 4,
            "data": {
                "content": "rows",
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 1, "label": str(n), "custom_id": f"r{n}"}],
                    }
                    for n in range(6)
                ],
            },
        }
        await raw_callback(interaction, payload)

    @app_commands.command(name="suggest")
    async def suggest(self, interaction: discord.Interaction, word: str) -> None:
        """Echo `word` (its autocomplete offers too many choices)."""
        await reply(interaction, word)

    @suggest.autocomplete("word")
    async def suggest_word(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current}{n}", value=f"{current}{n}") for n in range(30)]

    @app_commands.command(name="followup")
    async def followup(self, interaction: discord.Interaction) -> None:
        """Send a followup without answering first."""
        await interaction.followup.send("too early")

    @app_commands.command(name="refuse")
    async def refuse(self, interaction: discord.Interaction) -> None:
        """Fail with a sentence for the member."""
        raise UserFacingError("That text is empty: type at least one word.")

    @app_commands.command(name="boom")
    async def boom(self, interaction: discord.Interaction) -> None:
        """Fail unexpectedly."""
        raise RuntimeError("the probe exploded")

    @app_commands.command(name="slow")
    @app_commands.checks.cooldown(1, 60.0)
    async def slow(self, interaction: discord.Interaction) -> None:
        """Usable once a minute."""
        await reply(interaction, "ok")

    @app_commands.command(name="mod")
    @moderator_only()
    async def mod(self, interaction: discord.Interaction) -> None:
        """Moderators only."""
        await reply(interaction, "hello moderator")

    @app_commands.command(name="defer")
    async def defer(self, interaction: discord.Interaction, fail: bool = False) -> None:
        """Think first, then answer (or fail)."""
        await interaction.response.defer(thinking=True)
        if fail:
            raise UserFacingError("It failed after thinking.")
        await reply(interaction, "after thinking")
        await reply(interaction, "a second message")

    @app_commands.command(name="echo")
    async def echo(self, interaction: discord.Interaction, text: str) -> None:
        """Repeat `text` back."""
        await reply(interaction, text)
