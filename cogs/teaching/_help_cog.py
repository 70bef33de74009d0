"""``/help``: every command, grouped as the course is, with one example each."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.errors import UserFacingError
from bot.interactions import Interaction
from bot.replies import reply
from cogs.teaching._help import command_embed, command_infos, find_example, load_sections, overview_embeds


async def command_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The bot's top-level commands (from the live tree)."""
    wanted = current.strip().lstrip("/").casefold()
    names = sorted(command_infos(interaction.client.tree))
    return [app_commands.Choice(name=f"/{name}", value=name) for name in names if wanted in name][:25]


class HelpCog(commands.Cog):
    """What the bot can do."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    @app_commands.command(name="help")
    @app_commands.describe(command="One command to explain with its options (default: all of them)")
    @app_commands.autocomplete(command=command_autocomplete)
    async def help(
        self, interaction: Interaction, command: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        """Every command, grouped like the course, with an example of each"""
        sections, infos = load_sections(), command_infos(self.bot.tree)
        if command is None:
            await reply(interaction, embeds=overview_embeds(sections, infos), ephemeral=True)
            return
        name = command.strip().lstrip("/").split(" ")[0].lower()
        info = infos.get(name)
        if info is None:
            raise UserFacingError(f"There is no /{name[:32]} command; type /help to see them all.")
        section, example = find_example(sections, name)
        await reply(interaction, embed=command_embed(info, section, example), ephemeral=True)
