"""Which embed shows which task's result (pure: plain data in, embed out)."""

from __future__ import annotations

from typing import Any

import discord

from bot.embeds import fit
from cogs.demos import _embeds as embeds


def render_result(
    task: str, meta: embeds.ResultMeta, item: Any, result: Any, params: dict[str, Any]
) -> discord.Embed:
    """The result embed of one input of ``task``."""
    if task == "sentiment-analysis":
        return embeds.sentiment_embed(meta, item, result)
    if task == "zero-shot-classification":
        return embeds.zero_shot_embed(meta, result, bool(params.get("multi_label")))
    if task == "text-generation":
        return embeds.generation_embed(meta, item, result)
    if task == "fill-mask":
        return embeds.fill_mask_embed(meta, item, result)
    if task == "ner":
        return embeds.ner_embed(meta, item, result, params.get("aggregation_strategy", "simple") != "none")
    if task == "question-answering":
        answers = result if isinstance(result, list) else [result]
        return embeds.qa_embed(meta, item["question"], item["context"], answers)
    if task == "summarization":
        return embeds.text_output_embed(meta, item, result["summary_text"], "Summary")
    if task == "translation":
        return embeds.text_output_embed(meta, item, result["translation_text"], "Translation")
    if task == "tokenize":
        return embeds.tokenize_embed(meta, item, result)
    raise ValueError(f"no embed for task {task!r}")


def within_total(embed: discord.Embed, overflow: str | None) -> str | None:
    """Fit ``embed`` (in place) to Discord's 6,000-character total; returns the text to attach:
    ``overflow`` (the full output the embed cut) with the fields that did not fit added."""
    moved = fit([embed])
    if moved is None:
        return overflow
    return (overflow + "\n\n---\n\n" if overflow else "") + moved.text()


def render_with_overflow(
    task: str, meta: embeds.ResultMeta, item: Any, result: Any, params: dict[str, Any]
) -> tuple[discord.Embed, str | None]:
    """The result embed, within Discord's 6,000-character total, and the text to attach (or None):
    the full output when the embed cut it, and the fields that did not fit the total."""
    embed = render_result(task, meta, item, result, params)
    return embed, within_total(embed, embeds.overflow_text(task, result))
