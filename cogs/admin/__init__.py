"""Operator tools: ``/status`` and the optional Prometheus metrics endpoint."""

from __future__ import annotations

from bot.app import StudyBot


async def setup(client: StudyBot) -> None:
    from cogs.admin._status_cog import StatusCog

    await client.add_cog(StatusCog(client))
