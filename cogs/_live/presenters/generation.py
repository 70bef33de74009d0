"""Text generation: the prompt in bold, then each continuation."""

from __future__ import annotations

from typing import Any

import discord

from bot.replies import truncate
from cogs._live.code import Snippet, kwargs, pipeline_code
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import CUT, FIELD_LIMIT, escape, quote

GENERATION_PARAMS = (
    "max_new_tokens",
    "num_return_sequences",
    "do_sample",
    "temperature",
    "top_k",
    "top_p",
    "num_beams",
)
SAMPLING_ONLY = ("temperature", "top_k", "top_p")
#: Room left in a field for the prompt's end shown in bold before the continuation.
PROMPT_ROOM = 250


def generation_embed(done: Finished) -> discord.Embed:
    """The prompt, then one field per continuation (the prompt's end in bold, the new text after)."""
    embed = base_embed(done.meta)
    prompt: str = done.item
    sequences: list[dict[str, Any]] = done.result
    embed.description = quote(prompt, 1000)
    for number, item in enumerate(sequences, start=1):
        generated = item["generated_text"]
        continuation = generated[len(prompt) :] if generated.startswith(prompt) else generated
        shown = f"**{escape(prompt.strip()[-200:])}**" + escape(continuation)
        name = f"Continuation {number}" if len(sequences) > 1 else "Continuation"
        embed.add_field(name=name, value=truncate(shown, FIELD_LIMIT, CUT) or "(nothing)", inline=False)
    return embed


class GenerationPresenter(Presenter):
    task = "text-generation"
    title = "Text generation"
    learn_more = f"{COURSE}/chapter1/3#text-generation"
    sampling_param = "do_sample"

    def render(self, done: Finished) -> discord.Embed:
        return generation_embed(done)

    def overflow(self, result: Any) -> str | None:
        texts = [item["generated_text"] for item in result]
        if any(len(escape(text)) > FIELD_LIMIT - PROMPT_ROOM for text in texts):
            return "\n\n---\n\n".join(texts)
        return None

    def snippet(self, call: CodeCall) -> Snippet:
        chosen = {key: call.params[key] for key in GENERATION_PARAMS if key in call.params}
        if not chosen.get("do_sample"):
            for key in SAMPLING_ONLY:
                chosen.pop(key, None)
        line = f"print(generator({call.item!r}, {kwargs(chosen)}))"
        code = pipeline_code(self.task, call.ref, call.checkpoint, "generator", [line])
        return Snippet(code, input_chars=len(call.item))
