"""Model demos: the course's pipelines as slash commands, plus ``/model info``."""

from bot.app import StudyBot
from cogs.demos._cog import Demos
from cogs.demos._model_cog import ModelInfo


async def setup(client: StudyBot) -> None:
    await client.add_cog(Demos(client))
    await client.add_cog(ModelInfo(client))
