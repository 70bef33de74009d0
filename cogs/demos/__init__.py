"""Model demos: the course's pipelines as slash commands, plus ``/model info``."""

from bot.app import StudyBot
from cogs.demos._cog import DemosCog
from cogs.demos._model_cog import ModelInfoCog


async def setup(client: StudyBot) -> None:
    await client.add_cog(DemosCog(client))
    await client.add_cog(ModelInfoCog(client))
