"""``/attention``: what each token of a short text attends to, as a heatmap drawn from the model.

The command runs like every model command, through the live-job service
(:class:`~cogs._live.service.LiveJobs`): the same channel and rate checks, refusals before
anything is posted, a "queued #N" message edited as the request runs (task ``attention``), then the
result, drawn by the attention presenter (:mod:`cogs._live.presenters.attention`): a PNG attached
to the same message, with Layer and Head menus that run the model again for another layer or head
and edit the message in place. The call is stored, so the menus work after a restart.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import is_moderator
from bot.components import NUMBER, Action, marker, selected_number
from bot.db.demo_runs import DemoRun
from bot.errors import UserFacingError
from bot.inference.backend import CheckedRequest
from bot.interactions import Interaction
from cogs._live.controls import RUN_KEY, stored_run
from cogs._live.options import ModelName, model_autocomplete
from cogs._live.presenters.attention.controls import ATTENTION
from cogs._live.service import LiveJobs, ModelRequest, live_jobs
from cogs.teaching._attention_checks import check_focus, check_locally, local_facts, parse_head

log = logging.getLogger(__name__)

TASK = "attention"
KIND = "attention"  # the requests' ids: attention-<interaction id>
#: Stored with the call but not sent to the engine.
FOCUS = "focus"
TOO_OLD = "This attention map is too old to change. Run /attention again."
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
        self.live: LiveJobs = live_jobs(client)

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
        run = await stored_run(interaction, key, TOO_OLD, task=TASK)
        await self.change(interaction, run, selected_number(interaction), head or None)

    async def head_menu(self, interaction: Interaction, key: str, layer: int) -> None:
        """The Head menu: another head (or the heads' average) of the same layer."""
        run = await stored_run(interaction, key, TOO_OLD, task=TASK)
        await self.change(interaction, run, layer, selected_number(interaction) or None)

    async def code_button(self, interaction: Interaction, key: str, layer: int, head: int) -> None:
        """Show code: the transformers code for the map as shown (this layer and head), ephemerally."""
        await self.live.show_code(
            interaction,
            key,
            too_old=TOO_OLD,
            task=TASK,
            params=lambda run: {"layer": layer, "head": head or None},
        )

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
        model: ModelName | None = None,
        layer: app_commands.Range[int, 1, 48] | None = None,
        head: app_commands.Range[str, 1, 20] | None = None,
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
        """A new map (the command and /architecture's form): checked, acknowledged, drawn."""
        self.live.admit(interaction)
        check_focus(text, focus)
        request = ModelRequest(TASK, [text], {"layer": layer, "head": head}, model, {FOCUS: focus})
        await self.live.run(interaction, request, precheck=self._precheck, kind=KIND)

    async def _precheck(self, checked: CheckedRequest) -> None:
        """Refuse what the model's local files already show is wrong (after acknowledging: the
        files are read and the text tokenized in a thread; skipped when they are not here)."""
        cache_dir = self.bot.settings.model_cache_dir
        text = checked.inputs[0]
        try:
            facts = await asyncio.wait_for(
                asyncio.to_thread(local_facts, checked.model.ref, text, cache_dir), PRECHECK_S
            )
        except TimeoutError:
            return
        check_locally(facts, checked.params["layer"], checked.params["head"])

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
        self.live.check_channel(interaction)
        stored = ModelRequest.of(run, extra_keys=(FOCUS,))
        request = ModelRequest(
            TASK, stored.inputs, {"layer": layer, "head": head}, stored.model, stored.extra
        )
        await self.live.rerun(interaction, request, run.reference, kind=KIND)
