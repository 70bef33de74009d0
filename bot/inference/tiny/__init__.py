"""Small models trained on this machine for every course task, for when the Hub is out of reach.

The tiny profile (``MODEL_PROFILE=tiny``), the offline console and the tests use these models
instead of hub checkpoints. Each is trained at build time on sentences that studybot writes
itself from the word lists in ``words.toml`` (:mod:`.corpora`), keeps the architecture family
and tokenizer scheme of the course checkpoint it stands in for (:mod:`.recipes`), and is saved
with ``save_pretrained``, so it loads through exactly the same code path as a hub checkpoint.
The build takes about 190 CPU seconds, a little over 90 s on two idle cores
(``benchmarks/tiny_build.py``; the README has the figures), and is cached (:mod:`.build`).

They answer like the course's models within their small world (see the README's "Offline
models"), so their outputs are labelled :data:`TINY_LABEL` wherever they are shown. Every config
carries ``studybot_tiny_model = true`` and every directory is named ``tiny-<task>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.inference.tiny.build import MODEL_STAMP, STAMP_FILE, Progress, build_models, recipe_hash
from bot.inference.tiny.recipes import CONLL_LABELS, NLI_LABELS, RECIPES, SENTIMENT_LABELS, TINY_MARKER

__all__ = [
    "CONLL_LABELS",
    "MODEL_STAMP",
    "NLI_LABELS",
    "RECIPES",
    "SENTIMENT_LABELS",
    "STAMP_FILE",
    "TASK_DIRS",
    "TINY_LABEL",
    "TINY_MARKER",
    "build_tiny_models",
    "is_tiny_config",
    "is_tiny_model_dir",
    "recipe_hash",
    "tiny_model_dir",
]

#: How outputs of these models are labelled wherever they are shown.
TINY_LABEL = "small offline model trained on studybot's own examples"

#: The directory (under the build root) that serves each task by default. The tokenize and
#: attention tasks pick a model of the requested checkpoint's family (:func:`tiny_model_dir`).
TASK_DIRS: dict[str, str] = {
    "sentiment-analysis": "tiny-sentiment-analysis",
    "zero-shot-classification": "tiny-zero-shot-classification",
    "text-generation": "tiny-text-generation",
    "fill-mask": "tiny-fill-mask",
    "ner": "tiny-ner",
    "question-answering": "tiny-question-answering",
    "summarization": "tiny-summarization",
    "translation": "tiny-translation",
    "tokenize": "tiny-ner",
    "attention": "tiny-ner",
}

#: For /tokenize: (a word in the checkpoint's id, the model whose tokenizer has its scheme).
_TOKENIZER_FAMILIES = (
    ("gpt", "tiny-text-generation"),  # byte-level BPE with Ġ
    ("opus-mt", "tiny-translation"),  # SentencePiece with ▁
    ("marian", "tiny-translation"),
    ("t5", "tiny-translation"),  # SentencePiece too (T5's own tokenizer class is not built here)
    ("roberta", "tiny-fill-mask"),  # byte-level BPE, <s> … </s>
    ("bart", "tiny-summarization"),
    ("uncased", "tiny-sentiment-analysis"),  # lower-cased WordPiece
)
#: For /attention: the bare encoder of the model of the same architecture.
_ENCODER_FAMILIES = (
    ("distilbert", "tiny-sentiment-analysis"),
    ("roberta", "tiny-fill-mask"),
)


def tiny_model_dir(root: Path, task: str, model_id: str | None = None) -> Path:
    """The directory of the offline model that stands in for ``model_id`` (or the task's default).

    For most tasks one model serves every catalog entry of the task. ``tokenize`` and
    ``attention`` show what a checkpoint's tokenizer or encoder does, so they pick the offline
    model of the same family: a GPT-2 id gets the byte-level BPE tokenizer, an opus-mt id the
    SentencePiece one, a RoBERTa id the RoBERTa encoder, and so on (cased BERT otherwise).
    """
    if task not in TASK_DIRS:
        raise ValueError(f"no tiny model for task {task!r}")
    families = {"tokenize": _TOKENIZER_FAMILIES, "attention": _ENCODER_FAMILIES}.get(task, ())
    wanted = (model_id or "").casefold()
    for word, directory in families:
        if word in wanted:
            return Path(root) / directory
    return Path(root) / TASK_DIRS[task]


def is_tiny_config(config: Any) -> bool:
    """Whether a model config comes from :func:`build_tiny_models`."""
    return bool(getattr(config, TINY_MARKER, False))


def is_tiny_model_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding an offline model (its config.json carries the marker)."""
    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and config.get(TINY_MARKER) is True


def build_tiny_models(
    dest: Path, *, progress: Progress | None = None, workers: int | None = None
) -> dict[str, Path]:
    """Build (or reuse) every offline model under ``dest`` and return ``{task: directory}``.

    Nothing is done when ``dest`` already holds a complete build of the current recipe; else
    the missing or outdated models are trained, reporting through ``progress(done, total,
    message)`` (logged at INFO by default).
    """
    build_models(Path(dest), progress=progress, workers=workers)
    return {task: tiny_model_dir(Path(dest), task) for task in TASK_DIRS}
