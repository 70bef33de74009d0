"""``/resources``: the study group's links, courses and tools (see ``_cog.py``)."""

from __future__ import annotations

from bot.app import StudyBot


async def setup(client: StudyBot) -> None:
    from cogs.resources._cog import ResourcesCog

    await client.add_cog(ResourcesCog(client))
