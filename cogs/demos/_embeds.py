"""Pure embed builders for the model demos: plain data in, a discord.Embed out.

Every text a member typed or a model wrote is escaped (no accidental markdown) and cut to the
embed limits with a visible marker; the caller attaches the full text as a file when
:func:`overflow_text` says something was cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.inference.backend import JobUpdate
from bot.inference.tiny import TINY_LABEL
from bot.replies import truncate

DEMO_COLOUR = discord.Colour(0xFFD21E)  # Hugging Face yellow
WAIT_COLOUR = discord.Colour.light_grey()
ERROR_COLOUR = discord.Colour.red()
BAR_WIDTH = 12
CUT = " … (cut: the full text is attached)"
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096


@dataclass(frozen=True)
class ResultMeta:
    """What every result shows besides the output itself."""

    task_title: str
    checkpoint: str  # the catalog checkpoint (what the course shows with model.name_or_path)
    tiny: bool
    elapsed_s: float
    course_url: str


def bar(score: float, width: int = BAR_WIDTH) -> str:
    """``██████░░░░░░`` for a score between 0 and 1."""
    filled = max(0, min(width, round(score * width)))
    return "█" * filled + "░" * (width - filled)


def scored_line(label: str, score: float) -> str:
    return f"`{bar(score)}` **{discord.utils.escape_markdown(label)}** {score:.1%}"


def quote(text: str, limit: int) -> str:
    """Member or model text as a Markdown quote, escaped and cut to ``limit`` characters."""
    body = truncate(discord.utils.escape_markdown(text), limit - 2 - text.count("\n") * 2, "…")
    return "\n".join("> " + line for line in body.splitlines() or [""])


def footer(meta: ResultMeta) -> str:
    parts = [f"model: {meta.checkpoint}", f"{meta.elapsed_s:.2f} s"]
    if meta.tiny:
        parts.append(TINY_LABEL)
    return " · ".join(parts)


def _base(meta: ResultMeta) -> discord.Embed:
    embed = discord.Embed(title=meta.task_title, colour=DEMO_COLOUR, url=meta.course_url)
    embed.set_footer(text=footer(meta))
    return embed


STATE_LINES = {
    "queued": "⏳ Waiting in the queue",
    "loading": "📦 Loading the model (first use: this can take a little while)",
    "running": "⚙️ Running the model…",
}


def status_embed(task_title: str, update: JobUpdate, checkpoint: str) -> discord.Embed:
    """The message shown while a request waits or runs."""
    line = STATE_LINES.get(update.state, update.state)
    if update.state == "queued" and update.position is not None:
        line += f": #{update.position} in line"
    embed = discord.Embed(title=task_title, description=line, colour=WAIT_COLOUR)
    embed.set_footer(text=f"model: {checkpoint}")
    return embed


def error_embed(task_title: str, message: str) -> discord.Embed:
    """A request that failed after it was accepted (timeout, cancelled, worker lost …)."""
    return discord.Embed(title=task_title, description=f"❌ {message}", colour=ERROR_COLOUR)


def sentiment_embed(meta: ResultMeta, text: str, scores: list[dict[str, Any]]) -> discord.Embed:
    embed = _base(meta)
    embed.description = quote(text, 1500)
    ranked = sorted(scores, key=lambda item: item["score"], reverse=True)
    embed.add_field(
        name="Label scores",
        value="\n".join(scored_line(s["label"], s["score"]) for s in ranked),
        inline=False,
    )
    return embed


def zero_shot_embed(meta: ResultMeta, result: dict[str, Any], multi_label: bool) -> discord.Embed:
    embed = _base(meta)
    embed.description = quote(result["sequence"], 1500)
    lines = [
        scored_line(label, score) for label, score in zip(result["labels"], result["scores"], strict=True)
    ]
    note = "each label scored on its own (multi_label)" if multi_label else "scores share 100% between labels"
    embed.add_field(name=f"Labels — {note}", value="\n".join(lines), inline=False)
    return embed


def generation_embed(meta: ResultMeta, prompt: str, sequences: list[dict[str, Any]]) -> discord.Embed:
    embed = _base(meta)
    embed.description = quote(prompt, 1000)
    for number, item in enumerate(sequences, start=1):
        text = item["generated_text"]
        continuation = text[len(prompt) :] if text.startswith(prompt) else text
        shown = f"**{discord.utils.escape_markdown(prompt.strip()[-200:])}**" + discord.utils.escape_markdown(
            continuation
        )
        name = f"Continuation {number}" if len(sequences) > 1 else "Continuation"
        embed.add_field(name=name, value=truncate(shown, FIELD_LIMIT, CUT) or "(nothing)", inline=False)
    return embed


def fill_mask_embed(meta: ResultMeta, text: str, candidates: list[dict[str, Any]]) -> discord.Embed:
    embed = _base(meta)
    embed.description = quote(text, 1500)
    lines = [scored_line(c["token_str"].strip() or repr(c["token_str"]), c["score"]) for c in candidates]
    embed.add_field(name="Guesses for the mask", value="\n".join(lines), inline=False)
    if candidates:
        best = truncate(discord.utils.escape_markdown(candidates[0]["sequence"]), FIELD_LIMIT, CUT)
        embed.add_field(name="Filled in with the top guess", value=best, inline=False)
    return embed


def highlight(text: str, spans: list[tuple[int, int, str]], limit: int) -> str:
    """``text`` with each (start, end, tag) span shown as **span**`tag`, escaped, cut to ``limit``."""
    pieces, cursor = [], 0
    for start, end, tag in sorted(spans):
        if start < cursor:
            continue
        pieces.append(discord.utils.escape_markdown(text[cursor:start]))
        pieces.append(
            f"**{discord.utils.escape_markdown(text[start:end])}**`{tag}`"
            if tag
            else f"**__{discord.utils.escape_markdown(text[start:end])}__**"
        )
        cursor = end
    pieces.append(discord.utils.escape_markdown(text[cursor:]))
    return truncate("".join(pieces), limit, CUT)


def ner_embed(meta: ResultMeta, text: str, entities: list[dict[str, Any]], grouped: bool) -> discord.Embed:
    embed = _base(meta)
    key = "entity_group" if grouped else "entity"
    spans = [(e["start"], e["end"], e[key]) for e in entities if e.get("start") is not None]
    embed.description = highlight(text, spans, DESCRIPTION_LIMIT)
    if not entities:
        embed.add_field(name="Entities", value="No entities found.", inline=False)
        return embed
    lines = [f"`{e[key]:<6}` {discord.utils.escape_markdown(e['word'])} — {e['score']:.1%}" for e in entities]
    title = (
        'Entities (grouped: aggregation_strategy="simple")'
        if grouped
        else ('Sub-word tokens with their B-/I- tags (aggregation_strategy="none")')
    )
    value = truncate("\n".join(lines), FIELD_LIMIT, "\n…")
    embed.add_field(name=title, value=value, inline=False)
    return embed


def context_window(context: str, start: int, end: int, radius: int = 600) -> tuple[str, int, int, bool]:
    """The part of ``context`` around [start, end) that fits an embed, with the span shifted."""
    if len(context) <= 2 * radius + (end - start):
        return context, start, end, False
    left = max(0, start - radius)
    right = min(len(context), end + radius)
    return context[left:right], start - left, end - left, True


def qa_embed(meta: ResultMeta, question: str, context: str, answers: list[dict[str, Any]]) -> discord.Embed:
    embed = _base(meta)
    embed.add_field(
        name="Question",
        value=truncate(discord.utils.escape_markdown(question), FIELD_LIMIT, "…"),
        inline=False,
    )
    if not answers or all(not a["answer"] for a in answers):
        embed.description = quote(context, 1500)
        embed.add_field(name="Answer", value="The model found no answer in the context.", inline=False)
        return embed
    best = answers[0]
    window, start, end, cut = context_window(context, best["start"], best["end"])
    shown = highlight(window, [(start, end, "")], DESCRIPTION_LIMIT - 4)
    embed.description = ("…" if cut else "") + shown + ("…" if cut else "")
    for number, answer in enumerate(answers, start=1):
        name = "Answer" if len(answers) == 1 else f"Answer {number}"
        text = discord.utils.escape_markdown(answer["answer"]) or "(no answer)"
        span = f"characters {answer['start']}–{answer['end']}"
        value = f"{truncate(text, 900, '…')}\nscore {answer['score']:.1%} · {span}"
        embed.add_field(name=name, value=value, inline=False)
    return embed


def text_output_embed(meta: ResultMeta, source: str, output: str, output_name: str) -> discord.Embed:
    """Summaries and translations: the source quoted, the output in a field."""
    embed = _base(meta)
    embed.description = quote(source, 1500)
    embed.add_field(
        name=output_name,
        value=truncate(discord.utils.escape_markdown(output) or "(empty)", FIELD_LIMIT, CUT),
        inline=False,
    )
    return embed


def _code_list(values: list[Any], limit: int = FIELD_LIMIT) -> str:
    body = truncate(", ".join(str(v) for v in values), limit - 8, " …")
    return f"```\n{body}\n```"


def tokenize_embed(meta: ResultMeta, text: str, result: dict[str, Any]) -> discord.Embed:
    embed = _base(meta)
    embed.description = quote(text, 1000)
    tokens = [f"'{token}'" for token in result["tokens"]]
    embed.add_field(name=f"Tokens ({len(result['tokens'])})", value=_code_list(tokens), inline=False)
    embed.add_field(name="input_ids", value=_code_list(result["input_ids"]), inline=False)
    if result.get("token_type_ids") is not None:
        embed.add_field(name="token_type_ids", value=_code_list(result["token_type_ids"]), inline=False)
    embed.add_field(name="attention_mask", value=_code_list(result["attention_mask"]), inline=False)
    decoded = truncate(result["decoded"], FIELD_LIMIT - 8, " …")
    embed.add_field(name="Decoded, with special tokens", value=f"```\n{decoded}\n```", inline=False)
    embed.add_field(name="Tokenizer", value=result["tokenizer_class"])
    embed.add_field(name="Vocabulary", value=f"{result['vocab_size']:,} tokens")
    limit = result.get("model_max_length")
    embed.add_field(name="Max length", value=f"{limit:,} tokens" if limit else "no limit set")
    embed.add_field(
        name="Sub-words", value=subword_note(result["tokenizer_class"], result["tokens"]), inline=False
    )
    return embed


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


def overflow_text(task: str, result: Any) -> str | None:
    """The full output as text when the embed had to cut it (attached as a file), else None."""
    if task == "text-generation":
        texts = [item["generated_text"] for item in result]
        if any(len(discord.utils.escape_markdown(t)) > FIELD_LIMIT - 250 for t in texts):
            return "\n\n---\n\n".join(texts)
    for key in ("summary_text", "translation_text"):
        if isinstance(result, dict) and len(discord.utils.escape_markdown(result.get(key, ""))) > FIELD_LIMIT:
            return str(result[key])
    return None
