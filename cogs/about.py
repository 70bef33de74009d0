"""``/about``: what the bot is and what it runs on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import metadata

import discord
from discord import app_commands
from discord.ext import commands

import bot
from bot.app import StudyBot
from bot.interactions import Interaction
from bot.replies import reply

BRAND_COLOUR = discord.Colour(0xFFD21E)  # Hugging Face yellow


@dataclass(frozen=True)
class AboutInfo:
    """Everything ``/about`` shows, as plain data."""

    version: str
    started_at: datetime
    guilds: int
    latency_ms: float | None
    devices: list[str]
    loaded_models: int
    model_profile: str
    libraries: dict[str, str]


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in ("discord.py", "transformers", "torch"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def about_embed(info: AboutInfo) -> discord.Embed:
    """The ``/about`` embed, built from plain data."""
    embed = discord.Embed(
        title="studybot",
        description=(
            "A study-group companion for the Hugging Face course: run the course's pipelines as "
            "slash commands, and keep resources, homework and sessions in one place."
        ),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Version", value=info.version)
    embed.add_field(name="Up since", value=discord.utils.format_dt(info.started_at, "R"))
    embed.add_field(name="Servers", value=str(info.guilds))
    latency = f"{info.latency_ms:.0f} ms" if info.latency_ms is not None else "not measured yet"
    embed.add_field(name="Gateway latency", value=latency)
    embed.add_field(name="Devices", value=", ".join(info.devices) or "none started")
    profile = (
        "small offline models trained on studybot's own examples"
        if info.model_profile == "tiny"
        else "Hugging Face Hub checkpoints"
    )
    embed.add_field(name="Models loaded", value=f"{info.loaded_models} ({profile})")
    embed.set_footer(text=" · ".join(f"{name} {version}" for name, version in info.libraries.items()))
    return embed


class AboutCog(commands.Cog):
    """Information about the bot itself."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    @app_commands.command(name="about")
    async def about(self, interaction: Interaction) -> None:
        """Show studybot's version, uptime and the devices its models run on."""
        backend = self.bot.backend
        latency = self.bot.latency
        info = AboutInfo(
            version=bot.__version__,
            started_at=self.bot.started_at,
            guilds=len(self.bot.guilds),
            latency_ms=latency * 1000 if latency == latency and latency != float("inf") else None,
            devices=backend.device_names() if backend is not None else [],
            loaded_models=backend.loaded_model_count() if backend is not None else 0,
            model_profile=self.bot.settings.model_profile,
            libraries=_library_versions(),
        )
        await reply(interaction, embed=about_embed(info))


async def setup(client: StudyBot) -> None:
    await client.add_cog(AboutCog(client))
