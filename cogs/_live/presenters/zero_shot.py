"""Zero-shot classification: labels the member chose, scored without training."""

from __future__ import annotations

import discord

from cogs._live.code import Snippet, pipeline_code
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import quote, scored_line


def zero_shot_embed(done: Finished) -> discord.Embed:
    """The text, then each candidate label's score (shared, or each on its own with multi_label)."""
    embed = base_embed(done.meta)
    result = done.result
    embed.description = quote(result["sequence"], 1500)
    lines = [
        scored_line(label, score) for label, score in zip(result["labels"], result["scores"], strict=True)
    ]
    multi_label = bool(done.params.get("multi_label"))
    note = "each label scored on its own (multi_label)" if multi_label else "scores share 100% between labels"
    embed.add_field(name=f"Labels — {note}", value="\n".join(lines), inline=False)
    return embed


class ZeroShotPresenter(Presenter):
    task = "zero-shot-classification"
    title = "Zero-shot classification"
    learn_more = f"{COURSE}/chapter1/3#zero-shot-classification"

    def render(self, done: Finished) -> discord.Embed:
        return zero_shot_embed(done)

    def snippet(self, call: CodeCall) -> Snippet:
        item, multi_label = call.item, call.params.get("multi_label", False)
        line = (
            f"print(classifier({item['text']!r}, candidate_labels={item['candidate_labels']!r}, "
            f"multi_label={multi_label!r}))"
        )
        code = pipeline_code(self.task, call.ref, call.checkpoint, "classifier", [line])
        return Snippet(code, input_chars=len(item["text"]))
