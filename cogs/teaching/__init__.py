"""Teaching extras: ``/attention`` heatmaps, the ``/architecture`` guide and ``/help``."""

from __future__ import annotations

from bot.app import StudyBot


async def setup(client: StudyBot) -> None:
    from cogs.teaching._architecture_cog import ArchitectureCog
    from cogs.teaching._attention_cog import AttentionCog
    from cogs.teaching._help_cog import HelpCog

    await client.add_cog(AttentionCog(client))
    await client.add_cog(ArchitectureCog(client))
    await client.add_cog(HelpCog(client))
