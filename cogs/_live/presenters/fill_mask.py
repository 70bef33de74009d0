"""Mask filling: the model's guesses for the one masked word."""

from __future__ import annotations

from typing import Any

import discord

from bot.replies import truncate
from cogs._live.code import Snippet, pipeline_code
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import CUT, FIELD_LIMIT, escape, quote, scored_line


def fill_mask_embed(done: Finished) -> discord.Embed:
    """The text, the guesses with their scores, and the sentence filled in with the best one."""
    embed = base_embed(done.meta)
    candidates: list[dict[str, Any]] = done.result
    embed.description = quote(done.item, 1500)
    lines = [scored_line(c["token_str"].strip() or repr(c["token_str"]), c["score"]) for c in candidates]
    embed.add_field(name="Guesses for the mask", value="\n".join(lines), inline=False)
    if candidates:
        best = truncate(escape(candidates[0]["sequence"]), FIELD_LIMIT, CUT)
        embed.add_field(name="Filled in with the top guess", value=best, inline=False)
    return embed


class FillMaskPresenter(Presenter):
    task = "fill-mask"
    title = "Mask filling"
    learn_more = f"{COURSE}/chapter1/3#mask-filling"

    def render(self, done: Finished) -> discord.Embed:
        return fill_mask_embed(done)

    def snippet(self, call: CodeCall) -> Snippet:
        lines = [
            "# Each model has its own mask token: [MASK] for BERT, <mask> for RoBERTa.",
            f"text = {call.item!r}.replace('[MASK]', unmasker.tokenizer.mask_token)"
            ".replace('<mask>', unmasker.tokenizer.mask_token)",
            f"print(unmasker(text, top_k={call.params.get('top_k', 5)!r}))",
        ]
        code = pipeline_code(self.task, call.ref, call.checkpoint, "unmasker", lines)
        return Snippet(code, input_chars=len(call.item))
