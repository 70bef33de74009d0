"""Named entity recognition: entities highlighted in the text, grouped or token by token."""

from __future__ import annotations

from typing import Any

import discord

from bot.replies import truncate
from cogs._live.code import Snippet, header
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import DESCRIPTION_LIMIT, FIELD_LIMIT, escape, highlight

GROUPED_TITLE = 'Entities (grouped: aggregation_strategy="simple")'
TOKENS_TITLE = 'Sub-word tokens with their B-/I- tags (aggregation_strategy="none")'


def ner_embed(done: Finished) -> discord.Embed:
    """The text with each entity marked and tagged, then the list with scores."""
    embed = base_embed(done.meta)
    text: str = done.item
    entities: list[dict[str, Any]] = done.result
    grouped = done.params.get("aggregation_strategy", "simple") != "none"
    key = "entity_group" if grouped else "entity"
    spans = [(e["start"], e["end"], e[key]) for e in entities if e.get("start") is not None]
    embed.description = highlight(text, spans, DESCRIPTION_LIMIT)
    if not entities:
        embed.add_field(name="Entities", value="No entities found.", inline=False)
        return embed
    lines = [f"`{e[key]:<6}` {escape(e['word'])} — {e['score']:.1%}" for e in entities]
    value = truncate("\n".join(lines), FIELD_LIMIT, "\n…")
    embed.add_field(name=GROUPED_TITLE if grouped else TOKENS_TITLE, value=value, inline=False)
    return embed


class NerPresenter(Presenter):
    task = "ner"
    title = "Named entity recognition"
    learn_more = f"{COURSE}/chapter1/3#named-entity-recognition"

    def render(self, done: Finished) -> discord.Embed:
        return ner_embed(done)

    def snippet(self, call: CodeCall) -> Snippet:
        strategy = call.params.get("aggregation_strategy", "simple")
        lines = [
            "from transformers import pipeline",
            "",
            header(call.checkpoint, call.ref),
            f'ner = pipeline("ner", model=checkpoint, aggregation_strategy={strategy!r})',
            f"print(ner({call.item!r}))",
        ]
        return Snippet("\n".join(lines) + "\n", input_chars=len(call.item))
