"""``/status`` (moderators) with its Refresh button, and the optional Prometheus endpoint.

The metrics endpoint starts with this cog (``METRICS_PORT`` above 0, and only for a bot that
runs its services) and stops when the cog unloads at shutdown: /status and the exporter read
the same pool figures, so they live and die together.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import ensure_moderator, moderator_only
from bot.components import cog_for, routed_errors
from bot.inference.metrics import PoolSnapshot
from bot.prometheus import MetricsServer, start_metrics
from bot.replies import reply
from cogs.admin._status import StatusInfo, database_bytes, status_embed

log = logging.getLogger(__name__)


class RefreshButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"status:refresh"):
    """Read every figure again and edit the same message (moderators)."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Refresh", style=discord.ButtonStyle.secondary, emoji="🔄", custom_id="status:refresh"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> RefreshButton:
        return cls()

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        ensure_moderator(interaction)
        cog = cog_for(interaction.client, StatusCog, "The status page")
        embed = status_embed(await cog.read_status())
        await interaction.response.edit_message(embed=embed, view=status_view())


def status_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RefreshButton())
    return view


class StatusCog(commands.Cog):
    """Operator tools: how the bot and its inference workers are doing."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.metrics: MetricsServer | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RefreshButton)
        settings = self.bot.settings
        if self.bot.start_services and settings.metrics_port:
            try:
                self.metrics = start_metrics(self.bot, settings.metrics_host, settings.metrics_port)
            except OSError as error:  # the port is taken: the bot runs on without metrics
                log.error(
                    "Cannot serve metrics on %s:%d: %s", settings.metrics_host, settings.metrics_port, error
                )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RefreshButton)
        metrics, self.metrics = self.metrics, None
        if metrics is not None:
            await asyncio.to_thread(metrics.stop)

    async def read_status(self) -> StatusInfo:
        """Every figure /status shows, now."""
        bot, settings = self.bot, self.bot.settings
        pool = bot.pool
        snapshot = pool.snapshot() if pool is not None else PoolSnapshot({}, 0, 0, 0, [])
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
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """How the bot is doing: devices, workers, queue, latency per task, uptime (moderators)"""
        embed = status_embed(await self.read_status())
        await reply(interaction, embed=embed, view=status_view(), ephemeral=True)
