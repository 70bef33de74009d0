"""The controls under an attention map: Layer and Head menus, Show code, Learn more.

Each is a :class:`discord.ui.DynamicItem` whose custom id holds the stored call's id and the
map's current layer and head (and the model's shape, to rebuild the menu's options), so the
menus keep working after a restart; the text, model and focus word come from the stored call
(:class:`~bot.db.demo_runs.DemoRunStore`). Choosing a layer or a head runs the model again and
edits the same message.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.components import cog_for, routed_errors
from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from cogs.teaching._attention_cog import AttentionCog

MAX_OPTIONS = 25  # Discord's limit for a select menu
AVERAGE = 0  # the head menu's value for "the average of every head"


def _cog(interaction: discord.Interaction) -> AttentionCog:
    from cogs.teaching._attention_cog import AttentionCog

    return cog_for(interaction.client, AttentionCog, "The attention maps")


async def stored_run(interaction: discord.Interaction, run_id: int) -> DemoRun:
    run = await DemoRunStore(interaction.client.db).get(run_id)  # type: ignore[attr-defined]
    if run is None or run.task != "attention":
        raise UserFacingError("This attention map is too old to change. Run /attention again.")
    return run


def window(current: int, first: int, last: int, size: int) -> range:
    """At most ``size`` consecutive numbers from ``first`` to ``last`` that include ``current``."""
    if last - first + 1 <= size:
        return range(first, last + 1)
    start = min(max(first, current - size // 2), last - size + 1)
    return range(start, start + size)


def layer_options(layer: int, layers: int) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=f"Layer {number} of {layers}", value=str(number), default=number == layer)
        for number in window(layer, 1, layers, MAX_OPTIONS)
    ]


def head_options(head: int | None, heads: int) -> list[discord.SelectOption]:
    options = [
        discord.SelectOption(
            label=f"Average of all {heads} heads", value=str(AVERAGE), default=head is None, emoji="➗"
        )
    ]
    options += [
        discord.SelectOption(label=f"Head {number} of {heads}", value=str(number), default=number == head)
        for number in window(head or 1, 1, heads, MAX_OPTIONS - 1)
    ]
    return options


class LayerSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"attn:layer:(?P<run>\d+):(?P<head>\d+):(?P<layers>\d+):(?P<heads>\d+)",
):
    """Show another layer of the same text (the head stays)."""

    def __init__(self, run_id: int, head: int | None, layers: int, heads: int, layer: int) -> None:
        self.run_id, self.head, self.layers, self.heads = run_id, head, layers, heads
        super().__init__(
            discord.ui.Select(
                placeholder="Layer",
                options=layer_options(layer, layers),
                custom_id=f"attn:layer:{run_id}:{head or AVERAGE}:{layers}:{heads}",
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: re.Match[str]
    ) -> LayerSelect:
        head = int(match["head"]) or None
        chosen = next((int(option.value) for option in item.options if option.default), 1)
        return cls(int(match["run"]), head, int(match["layers"]), int(match["heads"]), chosen)

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        run = await stored_run(interaction, self.run_id)
        await _cog(interaction).change(interaction, run, int(self.item.values[0]), self.head)


class HeadSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"attn:head:(?P<run>\d+):(?P<layer>\d+):(?P<layers>\d+):(?P<heads>\d+)",
):
    """Show another head (or the heads' average) of the same layer."""

    def __init__(self, run_id: int, layer: int, layers: int, heads: int, head: int | None) -> None:
        self.run_id, self.layer, self.layers, self.heads = run_id, layer, layers, heads
        super().__init__(
            discord.ui.Select(
                placeholder="Head",
                options=head_options(head, heads),
                custom_id=f"attn:head:{run_id}:{layer}:{layers}:{heads}",
                row=1,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: re.Match[str]
    ) -> HeadSelect:
        chosen = next((int(option.value) for option in item.options if option.default), AVERAGE)
        return cls(
            int(match["run"]), int(match["layer"]), int(match["layers"]), int(match["heads"]), chosen or None
        )

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        run = await stored_run(interaction, self.run_id)
        await _cog(interaction).change(interaction, run, self.layer, int(self.item.values[0]) or None)


class AttentionCodeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"attn:code:(?P<run>\d+):(?P<layer>\d+):(?P<head>\d+)",
):
    """The transformers code for the map as shown (this layer and head), ephemerally."""

    def __init__(self, run_id: int, layer: int, head: int | None) -> None:
        self.run_id, self.layer, self.head = run_id, layer, head
        super().__init__(
            discord.ui.Button(
                label="Show code",
                style=discord.ButtonStyle.secondary,
                emoji="🐍",
                custom_id=f"attn:code:{run_id}:{layer}:{head or AVERAGE}",
                row=2,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> AttentionCodeButton:
        return cls(int(match["run"]), int(match["layer"]), int(match["head"]) or None)

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        from cogs.demos._cog import Demos

        run = await stored_run(interaction, self.run_id)
        shown = dataclasses.replace(run, params={"layer": self.layer, "head": self.head})
        await cog_for(interaction.client, Demos, "The model demos").show_code(interaction, shown)


DYNAMIC_ITEMS = (LayerSelect, HeadSelect, AttentionCodeButton)


def attention_view(run_id: int, result: dict[str, Any], course_url: str) -> discord.ui.View:
    """The menus and buttons under a map showing ``result``'s layer and head."""
    layer, head = int(result["layer"]), result["head"]
    layers, heads = int(result["num_layers"]), int(result["num_heads"])
    view = discord.ui.View(timeout=None)
    view.add_item(LayerSelect(run_id, head, layers, heads, layer))
    view.add_item(HeadSelect(run_id, layer, layers, heads, head))
    view.add_item(AttentionCodeButton(run_id, layer, head))
    view.add_item(
        discord.ui.Button(
            label="Learn more", style=discord.ButtonStyle.link, url=course_url, emoji="📖", row=2
        )
    )
    return view
