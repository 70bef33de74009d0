"""``/attention``: what each token of a short text attends to, as a heatmap drawn from the model.

The command runs like every model demo (see :meth:`cogs.demos._cog.DemosCog.run`): the same
channel and rate checks, errors before acknowledging, a "queued #N" message edited as the request
runs through the worker pool (task ``attention``), then the result. The result is a PNG rendered
with matplotlib in a thread (never on the event loop) and attached to the same message, with Layer
and Head menus that run the model again for another layer or head and edit the message in place.
The call is stored (:class:`~bot.db.demo_runs.DemoRunStore`), so the menus work after a restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import is_moderator
from bot.components import NUMBER, Action, cog_for, marker, selected_number
from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.errors import UserFacingError
from bot.inference.backend import CheckedRequest, InferenceBackend, JobUpdate
from bot.inference.errors import RequestCancelled
from bot.inference.tasks import get_task
from bot.interactions import Interaction
from cogs.demos import _embeds as embeds
from cogs.demos._cog import DemosCog, model_autocomplete
from cogs.demos._views import RUN_KEY, waiting_view
from cogs.teaching._attention_checks import check_focus, check_locally, local_facts, parse_head
from cogs.teaching._attention_embed import IMAGE_NAME, attention_embed
from cogs.teaching._attention_views import ATTENTION, attention_view, stored_run
from cogs.teaching._heatmap import FocusNotFound, plot_data, render_png

log = logging.getLogger(__name__)

TASK = "attention"
#: Seconds the optional pre-check on local model files may take before it is skipped.
PRECHECK_S = 1.5


async def head_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """ "average" and head numbers (bert-base has 12 heads per layer)."""
    wanted = current.strip().lower()
    names = ["average", *(str(number) for number in range(1, 17))]
    return [app_commands.Choice(name=name, value=name) for name in names if name.startswith(wanted)][:25]


class AttentionCog(commands.Cog):
    """Attention maps of the catalog's encoders."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    async def cog_load(self) -> None:
        shape = (marker("[0-9]+"), marker("[0-9]+"))  # layers and heads: the menus' options, on the message
        self.bot.actions.add(
            ATTENTION,
            (
                Action("layer", self.layer_menu, RUN_KEY, NUMBER, *shape),
                Action("head", self.head_menu, RUN_KEY, NUMBER, *shape),
                Action("code", self.code_button, RUN_KEY, NUMBER, NUMBER),
            ),
        )

    async def cog_unload(self) -> None:
        self.bot.actions.remove(ATTENTION)

    async def layer_menu(self, interaction: Interaction, key: str, head: int) -> None:
        """The Layer menu: another layer of the same text (the head stays; 0 is the average)."""
        run = await stored_run(interaction, key)
        await self.change(interaction, run, selected_number(interaction), head or None)

    async def head_menu(self, interaction: Interaction, key: str, layer: int) -> None:
        """The Head menu: another head (or the heads' average) of the same layer."""
        run = await stored_run(interaction, key)
        await self.change(interaction, run, layer, selected_number(interaction) or None)

    async def code_button(self, interaction: Interaction, key: str, layer: int, head: int) -> None:
        """Show code: the transformers code for the map as shown (this layer and head), ephemerally."""
        run = await stored_run(interaction, key)
        shown = dataclasses.replace(run, params={"layer": layer, "head": head or None})
        await self._demos().show_code(interaction, shown)

    def _demos(self) -> DemosCog:
        demos = self.bot.get_cog(DemosCog.__name__)
        if not isinstance(demos, DemosCog):
            raise UserFacingError("The model demos are not available right now; try again in a minute.")
        return demos

    @app_commands.command(name="attention")
    @app_commands.describe(
        text="A short text (at most 64 tokens): The animal didn't cross the street because it was too tired",
        model="An encoder from the catalog (default: BERT base uncased)",
        layer="Which layer, from 1 (default: the last one)",
        head="A head number, or average (default: the average of the layer's heads)",
        focus="A word of the text: also show what it attends to, e.g. it",
    )
    @app_commands.autocomplete(model=model_autocomplete(TASK), head=head_autocomplete)
    async def attention(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 500],
        model: str | None = None,
        layer: app_commands.Range[int, 1, 48] | None = None,
        head: str | None = None,
        focus: app_commands.Range[str, 1, 50] | None = None,
    ) -> None:
        """Draw an encoder's attention over your text as a heatmap: which words look at which"""
        await self.start(interaction, text, model, layer=layer, head=parse_head(head), focus=focus)

    async def start(
        self,
        interaction: discord.Interaction,
        text: str,
        model: str | None,
        *,
        layer: int | None = None,
        head: int | None = None,
        focus: str | None = None,
    ) -> None:
        """Check, store the call, acknowledge, run, draw (the command and /architecture's form)."""
        demos = self._demos()
        demos.check_channel(interaction)
        demos.check_cooldown(interaction)
        params = {"layer": layer, "head": head}
        pool = demos.pool
        checked = pool.check(TASK, model, [text], params, user=interaction.user.id)
        with checked:  # its reserved place is given back if anything fails before it is submitted
            check_focus(text, focus)
            await self._precheck(checked, text)
            stored = {**checked.params, "focus": focus}
            run = await DemoRunStore(self.bot.db).add(
                interaction.guild_id, interaction.user.id, TASK, model, checked.inputs, stored
            )
            await self._draw_new(interaction, pool, run.reference, checked, focus)

    async def _precheck(self, checked: CheckedRequest, text: str) -> None:
        """Refuse, before acknowledging, what the model's local files already show is wrong."""
        cache_dir = self.bot.settings.model_cache_dir
        try:
            facts = await asyncio.wait_for(
                asyncio.to_thread(local_facts, checked.model.ref, text, cache_dir), PRECHECK_S
            )
        except TimeoutError:
            return
        check_locally(facts, checked.params["layer"], checked.params["head"])

    async def _draw_new(
        self,
        interaction: discord.Interaction,
        pool: InferenceBackend,
        key: str,
        checked: CheckedRequest,
        focus: str | None,
    ) -> None:
        """Acknowledge with the queue status, run, then put the map in the same message."""
        user, entry, title = interaction.user.id, checked.model.entry, checked.spec.title
        request_id = f"attention-{interaction.id}"
        started = time.monotonic()
        await interaction.response.send_message(
            embed=embeds.status_embed(title, checked.status, entry.id),
            view=waiting_view(request_id, user),
        )

        async def on_update(update: JobUpdate) -> None:
            view = waiting_view(request_id, user) if update.state == "queued" else None
            await interaction.edit_original_response(
                embed=embeds.status_embed(title, update, entry.id), view=view
            )

        try:
            (result,) = await pool.submit(checked, on_update=on_update, request_id=request_id)
        except RequestCancelled:
            await interaction.edit_original_response(embed=embeds.error_embed(title, "Cancelled."), view=None)
            return
        except UserFacingError as error:
            await interaction.edit_original_response(
                embed=embeds.error_embed(title, error.message), view=None
            )
            return
        embed, picture = await self._picture(checked, result, focus, time.monotonic() - started)
        await interaction.edit_original_response(
            embed=embed,
            attachments=[picture],
            view=attention_view(key, result, checked.spec.course_url),
        )

    async def change(
        self, interaction: discord.Interaction, run: DemoRun, layer: int, head: int | None
    ) -> None:
        """A Layer or Head menu: run the stored call again for ``layer``/``head``, edit the message."""
        roles = self.bot.settings.moderator_roles
        if interaction.user.id != run.user_id and not is_moderator(interaction.user, roles):
            raise UserFacingError(
                f"Only <@{run.user_id}> (or a moderator) can change this map. Draw your own with "
                f"/attention text:{run.inputs[0][:200]}"
            )
        demos = cog_for(interaction, DemosCog, "The model demos")
        demos.check_channel(interaction)
        pool = demos.pool
        checked = pool.check(
            TASK, run.model, run.inputs, {"layer": layer, "head": head}, user=interaction.user.id
        )
        focus = run.params.get("focus")
        with checked:  # its reserved place is given back if the acknowledgement fails
            await interaction.response.defer()
        started = time.monotonic()
        try:
            (result,) = await pool.submit(checked, request_id=f"attention-{interaction.id}")
        except UserFacingError as error:
            await interaction.followup.send(error.message, ephemeral=True)
            return
        embed, picture = await self._picture(checked, result, focus, time.monotonic() - started)
        await interaction.edit_original_response(
            embed=embed,
            attachments=[picture],
            view=attention_view(run.reference, result, checked.spec.course_url),
        )

    async def _picture(
        self, checked: CheckedRequest, result: dict[str, Any], focus: str | None, elapsed: float
    ) -> tuple[discord.Embed, discord.File]:
        """The result embed and the PNG (rendered in a thread)."""
        text, entry = checked.inputs[0], checked.model.entry
        try:
            data = plot_data(result, text, entry.id, focus=focus, tiny=checked.model.tiny)
        except FocusNotFound:  # e.g. a word the tokenizer folded into a special token
            data = plot_data(result, text, entry.id, tiny=checked.model.tiny)
        png = await asyncio.to_thread(render_png, data)
        meta = embeds.ResultMeta(
            get_task(TASK).title, entry.id, checked.model.tiny, elapsed, checked.spec.course_url
        )
        embed = attention_embed(
            meta, text, data, result["layer"], result["num_layers"], result["head"], result["num_heads"]
        )
        return embed, discord.File(io.BytesIO(png), filename=IMAGE_NAME)
