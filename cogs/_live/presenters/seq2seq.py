"""Summarization and translation: the source quoted, the model's text in a field.

transformers 5 removed both pipelines; "Show code" shows the course's one-line call, then the
tokenize → generate → decode code with the generation settings the bot's runner used
(:mod:`bot.inference.runners.seq2seq`), so it gives the bot's text.
"""

from __future__ import annotations

from typing import Any, ClassVar

import discord

from bot.inference.loading import load_tokenizer
from bot.inference.runners.seq2seq_config import generation_config_for_request, v4_pipeline_defaults
from bot.inference.tasks import SEQ2SEQ_MAX_NEW_TOKENS
from cogs._live.code import Snippet, header, kwargs
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import FIELD_LIMIT, escape, field_text, quote


def generation_settings(task: str, ref: str, params: dict[str, Any], cache_dir: Any) -> tuple[str, dict]:
    """The input prefix and the ``generate()`` arguments the bot's runner used for ``params``."""
    from transformers import AutoConfig, GenerationConfig

    tokenizer = load_tokenizer(ref, cache_dir, task=task)
    config = AutoConfig.from_pretrained(ref, cache_dir=cache_dir)
    base = GenerationConfig.from_pretrained(ref, cache_dir=cache_dir)
    defaults = v4_pipeline_defaults(config, base, task, tokenizer.pad_token_id)
    final = generation_config_for_request(base, defaults, params, max_new_tokens_cap=SEQ2SEQ_MAX_NEW_TOKENS)
    before, after = base.to_dict(), final.to_dict()
    changed = {
        key: value
        for key, value in after.items()
        if value != before.get(key) and not key.startswith("_") and key != "transformers_version"
    }
    return defaults.prefix, changed


class Seq2SeqPresenter(Presenter):
    """Shared by summarization and translation; subclasses name the output and the course call."""

    output_key: ClassVar[str]
    output_name: ClassVar[str]
    variable: ClassVar[str]
    #: The course's call options that the bot's options map to (``max_length``, ``min_length``).
    course_params: ClassVar[tuple[str, ...]] = ()

    #: The result's verb for the note on a truncated input ("Summarized", "Translated").
    done_verb: ClassVar[str]

    def render(self, done: Finished) -> discord.Embed:
        embed = base_embed(done.meta)
        embed.description = quote(done.item, 1500)
        embed.add_field(name=self.output_name, value=field_text(done.result[self.output_key]), inline=False)
        note = self.truncation_note(done.item, done.result.get("truncated"))
        if note is not None:
            embed.add_field(name="Only the start was read", value=note, inline=False)
        return embed

    def truncation_note(self, text: str, truncated: dict[str, int] | None) -> str | None:
        """What the model did not read of ``text``, when the engine says it cut the input."""
        if not truncated:
            return None
        tokens, kept = truncated["input_tokens"], truncated["kept_tokens"]
        read = len(text) * kept / max(1, tokens)
        about = int(round(read, -2)) if read >= 100 else round(read)
        return (
            f"✂️ {self.done_verb} the first ~{about:,} of {len(text):,} characters: the model reads "
            f"{kept:,} tokens, and this text is {tokens:,}. Give it a shorter part to cover the rest."
        )

    def overflow(self, result: Any) -> str | None:
        output = str(result.get(self.output_key, ""))
        return output if len(escape(output)) > FIELD_LIMIT else None

    def course_call(self, checkpoint: str, text: str, params: dict[str, Any]) -> str:
        """The course's transformers 4 call."""
        chosen = {key: params[key] for key in self.course_params if params.get(key) is not None}
        extra = f", {kwargs(chosen)}" if chosen else ""
        return (
            "from transformers import pipeline\n\n"
            f'{self.variable} = pipeline("{self.task}", model={checkpoint!r})\n'
            f"{self.variable}({text!r}{extra})\n"
        )

    def snippet(self, call: CodeCall) -> Snippet:
        prefix, generation = generation_settings(self.task, call.ref, call.params, call.cache_dir)
        prefix_note = f"# This model expects the prefix {prefix!r} before the text.\n" if prefix else ""
        code = f'''from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

{header(call.checkpoint, call.ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
model = AutoModelForSeq2SeqLM.from_pretrained(checkpoint)

text = {call.item!r}
{prefix_note}inputs = tokenizer({prefix!r} + text, return_tensors="pt", truncation=True)
outputs = model.generate(**inputs, {kwargs(generation)})
print([{{"{self.output_key}": tokenizer.decode(outputs[0], skip_special_tokens=True,
                                      clean_up_tokenization_spaces=False)}}])
'''
        why = (
            f"the {self.task} pipeline is gone (v5 removed the summarization, translation and "
            "question-answering pipelines), so the same text takes the steps it ran inside — "
            "tokenize, generate, decode — with its generation settings:"
        )
        return Snippet(code, self.course_call(call.checkpoint, call.item, call.params), why, len(call.item))


class SummarizationPresenter(Seq2SeqPresenter):
    task = "summarization"
    title = "Summarization"
    learn_more = f"{COURSE}/chapter1/3#summarization"
    output_key = "summary_text"
    output_name = "Summary"
    done_verb = "Summarized"
    variable = "summarizer"
    course_params = ("max_length", "min_length")


class TranslationPresenter(Seq2SeqPresenter):
    task = "translation"
    title = "Translation"
    learn_more = f"{COURSE}/chapter1/3#translation"
    output_key = "translation_text"
    output_name = "Translation"
    done_verb = "Translated"
    variable = "translator"
    course_params = ("max_length",)
