"""Sentiment analysis: the course's first pipeline, label scores as bars."""

from __future__ import annotations

from typing import Any

import discord

from cogs._live.code import Snippet, pipeline_code
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import quote, scored_line


def sentiment_embed(done: Finished) -> discord.Embed:
    """The text, then every label's score, best first."""
    embed = base_embed(done.meta)
    embed.description = quote(done.item, 1500)
    scores: list[dict[str, Any]] = done.result
    ranked = sorted(scores, key=lambda item: item["score"], reverse=True)
    embed.add_field(
        name="Label scores",
        value="\n".join(scored_line(s["label"], s["score"]) for s in ranked),
        inline=False,
    )
    return embed


class SentimentPresenter(Presenter):
    task = "sentiment-analysis"
    title = "Sentiment analysis"
    learn_more = f"{COURSE}/chapter1/3#working-with-pipelines"

    def render(self, done: Finished) -> discord.Embed:
        return sentiment_embed(done)

    def snippet(self, call: CodeCall) -> Snippet:
        code = pipeline_code(
            self.task,
            call.ref,
            call.checkpoint,
            "classifier",
            [f"print(classifier({call.item!r}, top_k=None))"],
        )
        return Snippet(code, input_chars=len(call.item))
