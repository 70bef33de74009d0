"""Attention maps: what each token of a short text attends to, drawn from the model as a heatmap.

The result is a PNG (:mod:`.heatmap`, drawn in a thread, never on the event loop) attached to the
message, with Layer and Head menus (:mod:`.controls`) that the teaching cog answers by running the
model again for another layer or head.
"""

from __future__ import annotations

import asyncio
import io

import discord

from bot.components import link_button, persistent_view
from cogs._live.code import Snippet, header
from cogs._live.presenter import COURSE, NOT_STORED, CodeCall, Finished, Presented, Presenter
from cogs._live.presenters.attention.controls import attention_view
from cogs._live.presenters.attention.embed import IMAGE_NAME, attention_embed
from cogs._live.presenters.attention.heatmap import FocusNotFound, PlotData, plot_data, render_png


class AttentionPresenter(Presenter):
    task = "attention"
    title = "Attention"
    learn_more = f"{COURSE}/chapter1/4#attention-layers"

    def plot(self, done: Finished) -> PlotData:
        """What the map shows (the focus word's row too, when the tokenizer kept the word)."""
        meta, focus = done.meta, done.extra.get("focus")
        try:
            return plot_data(done.result, done.item, meta.checkpoint, focus=focus, tiny=meta.tiny)
        except FocusNotFound:  # e.g. a word the tokenizer folded into a special token
            return plot_data(done.result, done.item, meta.checkpoint, tiny=meta.tiny)

    def render(self, done: Finished) -> discord.Embed:
        return self._embed(done, self.plot(done))

    def _embed(self, done: Finished, data: PlotData) -> discord.Embed:
        result = done.result
        return attention_embed(
            done.meta,
            done.item,
            data,
            result["layer"],
            result["num_layers"],
            result["head"],
            result["num_heads"],
        )

    async def present(self, done: Finished, key: str | None) -> Presented:
        data = self.plot(done)
        png = await asyncio.to_thread(render_png, data)
        embed = self._embed(done, data)
        if key is None:
            embed.add_field(name="Not saved", value=NOT_STORED, inline=False)
            view = persistent_view(link_button("Learn more", self.learn_more, emoji="📖"))
        else:
            view = attention_view(key, done.result, self.learn_more)
        return Presented(embed, [discord.File(io.BytesIO(png), filename=IMAGE_NAME)], view)

    def snippet(self, call: CodeCall) -> Snippet:
        """The attention weights as drawn: AutoModel with ``output_attentions=True``."""
        layer, head = call.params.get("layer"), call.params.get("head")
        pick = (
            "layer_weights.mean(dim=0)  # the average of every head"
            if head is None
            else f"layer_weights[{head - 1}]"
        )
        chosen = "model.config.num_hidden_layers" if layer is None else str(layer)
        code = f"""import torch
from transformers import AutoModel, AutoTokenizer

{header(call.checkpoint, call.ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
# "eager" attention returns its weights (the default, SDPA, computes them without returning them).
model = AutoModel.from_pretrained(checkpoint, attn_implementation="eager")

inputs = tokenizer({call.item!r}, return_tensors="pt")
with torch.no_grad():
    outputs = model(**inputs, output_attentions=True)

# One tensor per layer, shaped (batch, heads, tokens, tokens); layers and heads count from 1 here.
layer = {chosen}
layer_weights = outputs.attentions[layer - 1][0]
weights = {pick}
print(tokenizer.convert_ids_to_tokens(inputs["input_ids"][0]))
print(weights)  # row i: how much token i attends to each token (each row sums to 1)
"""
        return Snippet(code, input_chars=len(call.item))
