"""``/status`` (moderators) with its Refresh button, and the optional Prometheus endpoint.

The metrics endpoint starts with this cog (``METRICS_PORT`` above 0, and only for a bot that
runs its services) and stops when the cog unloads at shutdown: /status and the exporter read
the same backend figures, so they live and die together.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import moderator_only
from bot.components import Action, Feature, persistent_view
from bot.inference.metrics import PoolSnapshot
from bot.interactions import Interaction
from bot.prometheus import MetricsServer, start_metrics
from bot.replies import reply
from cogs.admin._status import StatusInfo, database_bytes, status_embed

log = logging.getLogger(__name__)


STATUS = Feature("status", "The status page", guild_only=False)


def status_view() -> discord.ui.View:
    return persistent_view(STATUS.button("refresh", label="Refresh", emoji="🔄"))


class StatusCog(commands.Cog):
    """Operator tools: how the bot and its inference workers are doing."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.metrics: MetricsServer | None = None

    async def cog_load(self) -> None:
        self.bot.actions.add(STATUS, (Action("refresh", self.refresh, moderators=True),))
        settings = self.bot.settings
        if self.bot.start_services and settings.metrics_port:
            try:
                self.metrics = start_metrics(self.bot, settings.metrics_host, settings.metrics_port)
            except OSError as error:  # the port is taken: the bot runs on without metrics
                log.error(
                    "Cannot serve metrics on %s:%d: %s", settings.metrics_host, settings.metrics_port, error
                )

    async def cog_unload(self) -> None:
        self.bot.actions.remove(STATUS)
        metrics, self.metrics = self.metrics, None
        if metrics is not None:
            await asyncio.to_thread(metrics.stop)

    async def read_status(self) -> StatusInfo:
        """Every figure /status shows, now."""
        bot, settings = self.bot, self.bot.settings
        backend = bot.backend
        snapshot = backend.snapshot() if backend is not None else PoolSnapshot({}, 0, 0, 0, [])
        report = bot.health_report()
        size = await asyncio.to_thread(database_bytes, settings.database_path)
        return StatusInfo(
            snapshot=snapshot,
            started_at=bot.started_at,
            uptime_s=bot.uptime_seconds,
            database_bytes=size,
            gateway_connected=report.gateway_connected,
            workers_alive=report.workers_alive,
            workers_expected=report.workers_expected,
            queue_limit=settings.queue_limit,
            model_profile=settings.model_profile,
            now=discord.utils.utcnow(),
        )

    @app_commands.command(name="status")
    @app_commands.guild_only()
    @moderator_only()
    async def status(self, interaction: Interaction) -> None:
        """How the bot is doing: devices, workers, queue, latency per task, uptime (moderators)"""
        embed = status_embed(await self.read_status())
        await reply(interaction, embed=embed, view=status_view(), ephemeral=True)

    async def refresh(self, interaction: Interaction) -> None:
        """The Refresh button: read every figure again and edit the same message (moderators)."""
        embed = status_embed(await self.read_status())
        await interaction.response.edit_message(embed=embed, view=status_view())
