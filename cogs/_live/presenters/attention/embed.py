"""The embed around an attention map (pure: plain data in, embed out)."""

from __future__ import annotations

import discord

from cogs._live.presenter import ResultMeta, base_embed
from cogs._live.presenters.attention.heatmap import PlotData, head_label, top_attended
from cogs._live.text import quote, scored_line

IMAGE_NAME = "attention.png"
READING = (
    "Each row is one token looking at the whole text (an encoder's self-attention is bidirectional): "
    "the brighter a cell, the more attention that token pays to the column's token. Every row adds up "
    "to 100%. Special tokens are in red; many heads park attention on them when nothing else matters."
)


def attention_embed(
    meta: ResultMeta, text: str, data: PlotData, layer: int, layers: int, head: int | None, heads: int
) -> discord.Embed:
    """The result message: the text, what the map shows, the focus word's top tokens, the image."""
    embed = base_embed(meta)
    embed.description = quote(text, 1000)
    specials = sum(data.special)
    embed.add_field(
        name="Map",
        value=(
            f"Layer {layer} of {layers} · {head_label(head, heads)} · {len(data.tokens)} tokens "
            f"({specials} special)"
        ),
        inline=False,
    )
    embed.add_field(name="Reading it", value=READING, inline=False)
    if data.focus_word is not None:
        lines = [scored_line(token, weight) for _column, token, weight in top_attended(data)]
        embed.add_field(
            name=f"What {data.focus_word[:50]!r} attends to most", value="\n".join(lines), inline=False
        )
    embed.set_image(url=f"attachment://{IMAGE_NAME}")
    return embed
