"""The tokenizer: tokens, ids and masks as the course's chapter 2 shows them."""

from __future__ import annotations

from typing import Any

import discord

from bot.replies import truncate
from cogs._live.code import Snippet, header
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import FIELD_LIMIT, code_list, quote


def subword_note(tokenizer_class: str, tokens: list[str]) -> str:
    """One line on how this tokenizer splits words, pointing at the markers it uses."""
    if any(token.startswith("##") for token in tokens) or "Bert" in tokenizer_class:
        return (
            "WordPiece: a word missing from the vocabulary is split into pieces; `##` marks a piece that "
            "continues the previous one."
        )
    if (
        any(token.startswith("Ġ") for token in tokens)
        or "GPT2" in tokenizer_class
        or "Roberta" in tokenizer_class
    ):
        return "Byte-level BPE: `Ġ` marks a token that starts with a space; rare words become several tokens."
    if any(token.startswith("▁") for token in tokens):
        return "SentencePiece: `▁` marks the start of a word; rare words become several pieces."
    return "Words the vocabulary lacks are split into smaller, known pieces."


def tokenize_embed(done: Finished) -> discord.Embed:
    """The text, its tokens, ids, masks, the decoded round trip and the tokenizer's facts."""
    embed = base_embed(done.meta)
    result: dict[str, Any] = done.result
    embed.description = quote(done.item, 1000)
    tokens = [f"'{token}'" for token in result["tokens"]]
    embed.add_field(name=f"Tokens ({len(result['tokens'])})", value=code_list(tokens), inline=False)
    embed.add_field(name="input_ids", value=code_list(result["input_ids"]), inline=False)
    if result.get("token_type_ids") is not None:
        embed.add_field(name="token_type_ids", value=code_list(result["token_type_ids"]), inline=False)
    embed.add_field(name="attention_mask", value=code_list(result["attention_mask"]), inline=False)
    decoded = truncate(result["decoded"], FIELD_LIMIT - 8, " …")
    embed.add_field(name="Decoded, with special tokens", value=f"```\n{decoded}\n```", inline=False)
    embed.add_field(name="Tokenizer", value=result["tokenizer_class"])
    embed.add_field(name="Vocabulary", value=f"{result['vocab_size']:,} tokens")
    limit = result.get("model_max_length")
    embed.add_field(name="Max length", value=f"{limit:,} tokens" if limit else "no limit set")
    note = subword_note(result["tokenizer_class"], result["tokens"])
    embed.add_field(name="Sub-words", value=note, inline=False)
    return embed


class TokenizePresenter(Presenter):
    task = "tokenize"
    title = "Tokenizer"
    learn_more = f"{COURSE}/chapter2/4"

    def render(self, done: Finished) -> discord.Embed:
        return tokenize_embed(done)

    def overflow(self, result: Any) -> str | None:
        """Every list in full, and the round trip, when a field had to cut one."""
        lists = {
            "tokens": [f"'{token}'" for token in result["tokens"]],
            "input_ids": result["input_ids"],
            "token_type_ids": result.get("token_type_ids"),
            "attention_mask": result["attention_mask"],
        }
        shown = {key: ", ".join(map(str, values)) for key, values in lists.items() if values is not None}
        if (
            all(len(text) <= FIELD_LIMIT - 8 for text in shown.values())
            and len(result["decoded"]) <= FIELD_LIMIT - 8
        ):
            return None
        blocks = [f"{key}\n{text}" for key, text in shown.items()]
        return "\n\n".join([*blocks, f"decoded\n{result['decoded']}"])

    def snippet(self, call: CodeCall) -> Snippet:
        code = f"""from transformers import AutoTokenizer

{header(call.checkpoint, call.ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
encoded = tokenizer({call.item!r})
print(tokenizer.convert_ids_to_tokens(encoded["input_ids"]))
print(encoded)
print(tokenizer.decode(encoded["input_ids"]))
"""
        return Snippet(code, input_chars=len(call.item))
