"""Runners: one per task, each turning a batch of inputs into v4 pipeline-schema results.

``RUNNER_TYPES`` maps every task name to its runner class; :func:`bot.inference.loading.load_runner`
loads the model with the class's ``auto_model_class`` and builds the runner. The runner modules
(and numpy with them) are imported on first use of these names, so that the bot process, which
only reads helpers such as :mod:`bot.inference.runners.seq2seq_config`, does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.inference.runners.base import BaseRunner, Runner, to_plain

__all__ = ["RUNNER_TYPES", "BaseRunner", "Runner", "to_plain"]

_RUNNER_CLASSES = (
    ("classification", "SentimentRunner"),
    ("classification", "ZeroShotRunner"),
    ("generation", "TextGenerationRunner"),
    ("fill_mask", "FillMaskRunner"),
    ("ner", "NerRunner"),
    ("question_answering", "QuestionAnsweringRunner"),
    ("seq2seq", "SummarizationRunner"),
    ("seq2seq", "TranslationRunner"),
    ("tokenization", "TokenizeRunner"),
    ("attention", "AttentionRunner"),
)


def _runner_types() -> dict[str, type[BaseRunner]]:
    classes = [
        getattr(importlib.import_module(f"{__name__}.{module}"), name) for module, name in _RUNNER_CLASSES
    ]
    return {runner.task: runner for runner in classes}


def __getattr__(name: str) -> Any:
    if name == "RUNNER_TYPES":
        value: Any = _runner_types()
    elif name in ("BaseRunner", "Runner", "to_plain"):
        value = getattr(importlib.import_module(f"{__name__}.base"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
