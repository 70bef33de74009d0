"""``/model info``: what a catalog checkpoint is, for a task or a model."""

from __future__ import annotations

import asyncio
from typing import cast

from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.errors import UserFacingError
from bot.inference.catalog import TaskName
from bot.interactions import Interaction
from bot.replies import reply
from cogs._live.options import ModelName
from cogs._live.presenters import presenter_for
from cogs.demos._model_info import gather_facts, model_info_embed


async def any_model(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Every catalog checkpoint (once each) whose label or id matches."""
    backend = interaction.client.backend
    if backend is None:
        return []
    wanted, seen, choices = current.strip().casefold(), set(), []
    for entry in backend.catalog.entries():
        name = f"{entry.label} ({entry.id})"
        if entry.id not in seen and wanted in name.casefold():
            seen.add(entry.id)
            choices.append(app_commands.Choice(name=name[:100], value=entry.id))
    return choices[:25]


class ModelInfoCog(commands.GroupCog, group_name="model"):
    """About the models behind the demos."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    @app_commands.command(name="info")
    @app_commands.describe(task="A task: show its default model", model="Or a model from the catalog")
    @app_commands.autocomplete(model=any_model)
    async def info(
        self, interaction: Interaction, task: TaskName | None = None, model: ModelName | None = None
    ) -> None:
        """What a model is: checkpoint, architecture family, size, languages, bias and limitations"""
        backend = self.bot.backend
        if backend is None:
            raise UserFacingError("The models are not running right now; try again in a minute.")
        if (task is None) == (model is None):
            raise UserFacingError("Give either a `task` (to see its default model) or a `model`.")
        catalog = backend.catalog
        if task is None:
            entry = catalog.lookup(str(model))  # a hub id, its short form, a label or an alias
            task, model = cast(TaskName, entry.task), entry.id  # the catalog holds these tasks only
        assert task is not None
        settings = self.bot.settings
        resolved = catalog.resolve(
            task, model, profile=settings.model_profile, tiny_dir=settings.tiny_models_dir
        )
        await interaction.response.defer(thinking=True)  # the facts come from the model's files
        facts = await asyncio.to_thread(gather_facts, resolved, settings.model_cache_dir)
        await reply(interaction, embed=model_info_embed(facts, presenter_for(task).learn_more))
