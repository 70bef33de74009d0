"""Build the "Show code" snippet of a stored demo call (reads tokenizer/config files: run in a thread)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.inference.loading import load_tokenizer
from bot.inference.runners.seq2seq_config import generation_config_for_request, v4_pipeline_defaults
from bot.inference.tasks import SEQ2SEQ_MAX_NEW_TOKENS, qa_window_settings
from cogs.demos import _code as code

PIPELINE_TASKS = ("sentiment-analysis", "zero-shot-classification", "text-generation", "fill-mask", "ner")


def _seq2seq_generation(
    task: str, ref: str, params: dict[str, Any], cache_dir: Path | None
) -> tuple[str, dict]:
    """The input prefix and the generate() keyword arguments the bot's runner used for ``params``."""
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


def build_snippet(
    task: str, ref: str, checkpoint: str, item: Any, params: dict[str, Any], cache_dir: Path | None
) -> str:
    """The Python code reproducing one call of ``task`` on ``item`` with ``params``."""
    if task in PIPELINE_TASKS:
        return code.pipeline_code(task, ref, checkpoint, item, params)
    if task == "question-answering":
        tokenizer = load_tokenizer(ref, cache_dir, task=task)
        max_seq_len, doc_stride = qa_window_settings(tokenizer, params)
        return code.qa_code(ref, checkpoint, item, params, max_seq_len, doc_stride)
    if task in ("summarization", "translation"):
        prefix, generation = _seq2seq_generation(task, ref, params, cache_dir)
        return code.seq2seq_code(task, ref, checkpoint, item, prefix, generation)
    if task == "tokenize":
        return code.tokenize_code(ref, checkpoint, item)
    if task == "attention":
        return code.attention_code(ref, checkpoint, item, params.get("layer"), params.get("head"))
    raise ValueError(f"no snippet for task {task!r}")
