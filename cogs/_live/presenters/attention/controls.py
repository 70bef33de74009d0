"""The controls under an attention map: Layer and Head menus, Show code, Learn more.

Their ids hold the stored call's key and the map's current layer and head, and the model's shape
(``attn:layer:<key>:<head>:<layers>:<heads>``, ``attn:head:<key>:<layer>:<layers>:<heads>``,
``attn:code:<key>:<layer>:<head>``, head 0 for the heads' average), so the menus keep working
after a restart; the text, model and focus word come from the stored call
(:class:`~bot.db.demo_runs.DemoRunStore`). :class:`~cogs.teaching._attention_cog.AttentionCog`
answers them: choosing a layer or a head runs the model again and edits the same message.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.components import Feature, link_button, persistent_view

ATTENTION = Feature("attn", "The attention maps", guild_only=False)
MAX_OPTIONS = 25  # Discord's limit for a select menu
AVERAGE = 0  # the head menu's value for "the average of every head"


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


def attention_view(key: str, result: dict[str, Any], course_url: str) -> discord.ui.View:
    """The menus and buttons under a map showing ``result``'s layer and head."""
    layer, head = int(result["layer"]), result["head"]
    layers, heads = int(result["num_layers"]), int(result["num_heads"])
    return persistent_view(
        ATTENTION.select(
            "layer",
            key,
            head or AVERAGE,
            layers,
            heads,
            options=layer_options(layer, layers),
            placeholder="Layer",
            row=0,
        ),
        ATTENTION.select(
            "head", key, layer, layers, heads, options=head_options(head, heads), placeholder="Head", row=1
        ),
        ATTENTION.button("code", key, layer, head or AVERAGE, label="Show code", emoji="🐍", row=2),
        link_button("Learn more", course_url, emoji="📖", row=2),
    )
