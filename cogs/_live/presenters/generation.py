"""Text generation: the prompt in bold, then each continuation."""

from __future__ import annotations

from typing import Any

import discord

from bot.inference.runners.generation import SAMPLING, decoding, stored_decoding
from bot.replies import truncate
from cogs._live.code import Snippet, kwargs, pipeline_code
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import CUT, FIELD_LIMIT, escape, quote

#: Room left in a field for the prompt's end shown in bold before the continuation.
PROMPT_ROOM = 250


def ignored_sampling(params: dict[str, Any]) -> list[str]:
    """The sampling settings a member gave along with ``do_sample:false`` (greedy ignores them)."""
    if params.get("do_sample") is not False:
        return []
    return [key for key in SAMPLING if params.get(key) is not None]


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
        embed = generation_embed(done)
        ignored = ignored_sampling(done.params)
        if ignored:
            names = ", ".join(f"`{name}`" for name in ignored)
            embed.add_field(
                name="Ignored",
                value=f"{names}: `do_sample:false` always takes the likeliest token, so sampling settings "
                "change nothing.",
                inline=False,
            )
        return embed

    def samples(self, params: dict[str, Any]) -> bool:
        """Unless told not to, the course's GPT-2 samples (its checkpoint says so): Run again."""
        return params.get("do_sample") is not False

    def overflow(self, result: Any) -> str | None:
        texts = [item["generated_text"] for item in result]
        if any(len(escape(text)) > FIELD_LIMIT - PROMPT_ROOM for text in texts):
            return "\n\n---\n\n".join(texts)
        return None

    def snippet(self, call: CodeCall) -> Snippet:
        # Decoding as the bot ran it, said outright: transformers 5's pipeline would otherwise
        # sample at temperature 0.7 where the checkpoint (and v4) did not.
        sizes = ("max_new_tokens", "num_return_sequences", "num_beams")
        chosen = {key: call.params[key] for key in sizes if call.params.get(key) is not None}
        chosen.update(decoding(stored_decoding(call.ref, call.cache_dir), call.params))
        line = f"print(generator({call.item!r}, {kwargs(chosen)}))"
        code = pipeline_code(self.task, call.ref, call.checkpoint, "generator", [line])
        return Snippet(code, input_chars=len(call.item))
