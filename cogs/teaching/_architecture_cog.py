"""``/architecture``: the three transformer families and the checkpoints to start from per task."""

from __future__ import annotations

import logging

from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.components import Action, pressed_label, text
from bot.errors import UserFacingError
from bot.inference.catalog import Catalog
from bot.interactions import Interaction
from bot.replies import reply
from cogs._live.options import NAME_LIMIT
from cogs._live.service import live_jobs
from cogs.teaching._architecture_data import DemoChoice, demo_choices, load_guide
from cogs.teaching._architecture_embeds import family_embed, overview_embed, task_embed
from cogs.teaching._architecture_views import ARCHITECTURE, MODEL, TASK, DemoForm, guide_view

log = logging.getLogger(__name__)


async def family_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The guide's families."""
    wanted = current.strip().casefold()
    return [
        app_commands.Choice(name=f"{family.name} — {family.attention}"[:100], value=family.key)
        for family in load_guide().families
        if wanted in f"{family.key} {family.name}".casefold()
    ][:25]


async def task_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The guide's tasks."""
    wanted = current.strip().casefold()
    return [
        app_commands.Choice(name=task.name[:100], value=task.key)
        for task in load_guide().tasks
        if wanted in f"{task.key} {task.name}".casefold()
    ][:25]


class ArchitectureCog(commands.Cog):
    """The architecture guide."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    async def cog_load(self) -> None:
        self.bot.actions.add(ARCHITECTURE, (Action("try", self.try_button, text(TASK), text(MODEL)),))

    async def cog_unload(self) -> None:
        self.bot.actions.remove(ARCHITECTURE)

    async def try_button(self, interaction: Interaction, task: str, model: str) -> None:
        """A Try button: the demo's form for this checkpoint, prefilled with the guide's sample."""
        live = live_jobs(interaction.client)
        live.check_channel(interaction)
        _ = live.backend  # refuses while the models are not running
        if not any(entry.id == model for entry in self._catalog().entries(task)):
            raise UserFacingError(f"{model} is no longer in this bot's model catalog for that demo.")
        sample = load_guide().sample_for(task, model) or {}
        label = pressed_label(interaction) or f"Try {model}"
        await interaction.response.send_modal(DemoForm(DemoChoice(task, model, label, sample)))

    def _catalog(self) -> Catalog:
        backend = self.bot.backend
        catalog = getattr(backend, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.load(self.bot.settings.catalog_path)

    @app_commands.command(name="architecture")
    @app_commands.describe(
        family="encoder, decoder or encoder-decoder: how it attends and what it is good at",
        task="Or a task: the checkpoints to start from, with buttons that run the demo",
    )
    @app_commands.autocomplete(family=family_autocomplete, task=task_autocomplete)
    async def architecture(
        self,
        interaction: Interaction,
        family: app_commands.Range[str, 1, NAME_LIMIT] | None = None,
        task: app_commands.Range[str, 1, NAME_LIMIT] | None = None,
    ) -> None:
        """Encoder, decoder, encoder-decoder: which transformer for which task, with checkpoints"""
        guide = load_guide()
        if family is not None and task is not None:
            raise UserFacingError("Give either a `family` or a `task`, not both.")
        if family is not None:
            chosen = guide.family(family.strip().lower())
            if chosen is None:
                names = ", ".join(item.key for item in guide.families)
                raise UserFacingError(f"{family[:50]!r} is not a family here; choose one of: {names}.")
            choices = demo_choices(guide, self._catalog(), family=chosen)
            await reply(
                interaction, embed=family_embed(guide, chosen), view=guide_view(choices, chosen.course_url)
            )
            return
        if task is not None:
            found = guide.task(task.strip().lower())
            if found is None:
                names = ", ".join(item.key for item in guide.tasks)
                raise UserFacingError(f"{task[:50]!r} is not a task here; choose one of: {names}.")
            choices = demo_choices(guide, self._catalog(), task=found)
            await reply(
                interaction, embed=task_embed(guide, found), view=guide_view(choices, found.course_url)
            )
            return
        course = guide.families[0].course_url.split("#")[0] if guide.families else None
        await reply(interaction, embed=overview_embed(guide), view=guide_view([], course))
