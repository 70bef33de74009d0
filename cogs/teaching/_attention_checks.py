"""What /attention checks before it acknowledges: the head option, the focus word, and — when the
model's files are on this machine — the text's token count and the model's layers and heads.

The checks on the model's files are a courtesy (an ephemeral sentence instead of a failed map);
the worker's runner checks the same things for every request. They read ``config.json`` and
``tokenizer.json`` with the ``tokenizers`` library only (no transformers import, no network), in a
thread, and give up silently when the files are not local yet.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import UserFacingError
from bot.inference.runners.attention import check_attention_request
from bot.inference.tasks import get_task
from cogs._live.presenters.attention.heatmap import FocusNotFound, focus_span

log = logging.getLogger(__name__)

AVERAGE_WORDS = ("", "average", "avg", "mean", "all")
_TOKENIZERS: dict[str, Any] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class LocalFacts:
    """What the model's local files say about a text."""

    tokens: int
    layers: int
    heads: int


def head_bounds() -> tuple[int, int]:
    """The head numbers the engine accepts (its ``head`` Param)."""
    param = get_task("attention").param_index["head"]
    return int(param.minimum or 1), int(param.maximum or 1)


def parse_head(value: str | None) -> int | None:
    """A head number from 1, or None for "average" (the option's text)."""
    if value is None or value.strip().lower() in AVERAGE_WORDS:
        return None
    text = value.strip()
    low, high = head_bounds()
    if re.fullmatch("[0-9]{1,3}", text) and low <= int(text) <= high:
        return int(text)
    raise UserFacingError(f"head must be a head number such as 3, or 'average' (got {text[:20]!r}).")


def check_focus(text: str, focus: str | None) -> None:
    """Refuse a focus word that is not in the text."""
    if focus is None:
        return
    try:
        focus_span(text, focus)
    except FocusNotFound as error:
        raise UserFacingError(str(error)) from None


def local_file(ref: str, name: str, cache_dir: Path | None) -> Path | None:
    """``name`` of a local model directory, or of a hub model in the local cache; else None."""
    path = Path(ref).expanduser()
    if ref.startswith(("/", ".", "~")) or path.is_dir():
        candidate = path / name
        return candidate if candidate.is_file() else None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(ref, name, cache_dir=str(cache_dir) if cache_dir else None)
    return Path(found) if isinstance(found, str) else None


def shape_from_config(config: dict[str, Any]) -> tuple[int, int] | None:
    """(layers, heads) from a config.json (BERT/RoBERTa names, or DistilBERT's)."""
    layers = config.get("num_hidden_layers", config.get("n_layers"))
    heads = config.get("num_attention_heads", config.get("n_heads"))
    if isinstance(layers, int) and isinstance(heads, int):
        return layers, heads
    return None


def local_facts(ref: str, text: str, cache_dir: Path | None) -> LocalFacts | None:
    """Token count and shape from local files, or None when they are not here (runs in a thread)."""
    config_path = local_file(ref, "config.json", cache_dir)
    tokenizer_path = local_file(ref, "tokenizer.json", cache_dir)
    if config_path is None or tokenizer_path is None:
        return None
    try:
        shape = shape_from_config(json.loads(config_path.read_text(encoding="utf-8")))
        with _LOCK:
            tokenizer = _TOKENIZERS.get(str(tokenizer_path))
            if tokenizer is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(tokenizer_path))
                _TOKENIZERS[str(tokenizer_path)] = tokenizer
        tokens = len(tokenizer.encode(text).ids)
    except Exception:  # unreadable or unusual files: the worker will check for real
        log.debug("No local attention pre-check for %s", ref, exc_info=True)
        return None
    if shape is None:
        return None
    return LocalFacts(tokens, *shape)


def check_locally(facts: LocalFacts | None, layer: int | None, head: int | None) -> None:
    """Raise the runner's own sentence for a text too long or a layer/head the model lacks."""
    if facts is not None:
        check_attention_request(facts.tokens, facts.layers, facts.heads, layer, head)
