"""``/model info``: what a checkpoint is — family, size, languages, card, bias — from local files only.

Everything is read from the model's files in the local cache (or the tiny model's directory):
``config.json`` for the architecture, the safetensors headers for the parameter count (no
weights are loaded), and the model card's README for its bias and limitations section.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from math import prod
from pathlib import Path
from typing import Any

import discord

from bot.inference.catalog import CatalogEntry, ResolvedModel
from bot.inference.tiny import TINY_LABEL

COURSE_BIAS_URL = "https://huggingface.co/learn/llm-course/chapter1/9"
FAMILY_NOTES = {
    "encoder": (
        "Encoder (bidirectional self-attention: every token sees the whole text). Suits understanding "
        "tasks: classification, named entities, extractive question answering, masked-word guessing."
    ),
    "decoder": (
        "Decoder (masked self-attention: each token sees only the tokens before it). Suits generating "
        "text one token at a time."
    ),
    "encoder-decoder": (
        "Encoder-decoder (the decoder reads the encoded input through cross-attention). Suits turning "
        "one text into another: summarization, translation, generative question answering."
    ),
}
STANDARD_BIAS_NOTE = (
    "This model's card has no bias section here. Remember that pre-trained models learn from large "
    "amounts of internet text and inherit its biases: check their outputs before trusting them."
)
_DECODER_HINTS = ("CausalLM", "LMHeadModel")
_BIAS_HEADING = re.compile(r"^(#{1,6})\s*(.*(bias|limitation|risk).*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ModelFacts:
    """What /model info shows (plain data)."""

    entry: CatalogEntry
    tiny: bool
    available: bool
    architecture: str | None
    family: str | None
    parameters: int | None
    bias_note: str | None

    @property
    def card_url(self) -> str:
        return f"https://huggingface.co/{self.entry.id}"


def family_of(config: dict[str, Any]) -> str:
    """encoder, decoder or encoder-decoder, from a config.json."""
    if config.get("is_encoder_decoder"):
        return "encoder-decoder"
    architectures = config.get("architectures") or []
    if any(hint in name for name in architectures for hint in _DECODER_HINTS) or config.get("is_decoder"):
        return "decoder"
    return "encoder"


def safetensors_parameters(path: Path) -> int:
    """Parameters stored in one safetensors file, from its header alone."""
    with path.open("rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    return sum(prod(info["shape"]) for name, info in header.items() if name != "__metadata__")


def bias_section(card: str, limit: int = 700) -> str | None:
    """The text under the card's first heading about bias, limitations or risks."""
    match = _BIAS_HEADING.search(card)
    if match is None:
        return None
    level = len(match.group(1))
    rest = card[match.end() :]
    following = re.search(rf"^#{{1,{level}}}\s", rest, re.MULTILINE)
    body = rest[: following.start()] if following else rest
    body = re.sub(r"<[^>]+>", "", body)  # HTML tags some cards use
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    if not body:
        return None
    return body if len(body) <= limit else body[: limit - 1].rsplit(" ", 1)[0] + "…"


def _file(ref: str, name: str, cache_dir: Path | None) -> Path | None:
    local = Path(ref).expanduser()
    if local.is_dir():
        candidate = local / name
        return candidate if candidate.is_file() else None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(ref, name, cache_dir=str(cache_dir) if cache_dir else None)
    return Path(found) if isinstance(found, str) else None


def gather_facts(resolved: ResolvedModel, cache_dir: Path | None) -> ModelFacts:
    """Read what the local files say about the model (runs in a thread: file reads)."""
    config_path = _file(resolved.ref, "config.json", cache_dir)
    if config_path is None:
        return ModelFacts(resolved.entry, resolved.tiny, False, None, None, None, None)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    architecture = (config.get("architectures") or [config.get("model_type")])[0]
    parameters = None
    single = _file(resolved.ref, "model.safetensors", cache_dir)
    if single is not None:
        parameters = safetensors_parameters(single)
    else:
        index = _file(resolved.ref, "model.safetensors.index.json", cache_dir)
        if index is not None:
            shards = set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values())
            paths = [_file(resolved.ref, shard, cache_dir) for shard in shards]
            if all(paths):
                parameters = sum(safetensors_parameters(path) for path in paths if path)
    card_path = None if resolved.tiny else _file(resolved.ref, "README.md", cache_dir)
    note = bias_section(card_path.read_text(encoding="utf-8", errors="replace")) if card_path else None
    return ModelFacts(resolved.entry, resolved.tiny, True, architecture, family_of(config), parameters, note)


def _count(parameters: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if parameters >= size:
            return f"{parameters / size:.1f}{unit}"
    return str(parameters)


def model_info_embed(facts: ModelFacts, course_url: str) -> discord.Embed:
    """The /model info embed (pure)."""
    entry = facts.entry
    embed = discord.Embed(title=entry.label, url=facts.card_url, colour=discord.Colour(0xFFD21E))
    embed.add_field(name="Checkpoint", value=f"`{entry.id}`", inline=False)
    embed.add_field(name="Task", value=entry.task)
    embed.add_field(name="Languages", value=", ".join(entry.languages) or "not stated")
    size = f"{_count(facts.parameters)} parameters" if facts.parameters else f"about {entry.size_mb:,.0f} MB"
    if facts.tiny:
        real = f"the real checkpoint is about {entry.size_mb:,.0f} MB"
        size = f"{size} (the small offline stand-in running here; {real})"
    embed.add_field(name="Size", value=size)
    if facts.family:
        embed.add_field(
            name=f"Architecture: {facts.architecture}", value=FAMILY_NOTES[facts.family], inline=False
        )
    elif not facts.available:
        embed.add_field(
            name="Architecture",
            value="Not downloaded here yet: its files are not in the local cache.",
            inline=False,
        )
    bias = facts.bias_note or STANDARD_BIAS_NOTE
    embed.add_field(
        name="Bias and limitations", value=f"{bias}\n[Why this matters]({COURSE_BIAS_URL})", inline=False
    )
    embed.add_field(
        name="Links",
        value=f"[Model card]({facts.card_url}) · [Learn more in the course]({course_url})",
        inline=False,
    )
    if facts.tiny:
        embed.set_footer(
            text=f"offline profile: a {TINY_LABEL}; `studybot models download` fetches the real one"
        )
    return embed
