"""Runners: one per task, each turning a batch of inputs into v4 pipeline-schema results.

``RUNNER_TYPES`` maps every task name to its runner class; :func:`bot.inference.loading.load_runner`
loads the model with the class's ``auto_model_class`` and builds the runner.
"""

from __future__ import annotations

from bot.inference.runners.attention import AttentionRunner
from bot.inference.runners.base import BaseRunner, Runner, to_plain
from bot.inference.runners.classification import SentimentRunner, ZeroShotRunner
from bot.inference.runners.fill_mask import FillMaskRunner
from bot.inference.runners.generation import TextGenerationRunner
from bot.inference.runners.ner import NerRunner
from bot.inference.runners.question_answering import QuestionAnsweringRunner
from bot.inference.runners.seq2seq import SummarizationRunner, TranslationRunner
from bot.inference.runners.tokenization import TokenizeRunner

RUNNER_TYPES: dict[str, type[BaseRunner]] = {
    runner.task: runner
    for runner in (
        SentimentRunner,
        ZeroShotRunner,
        TextGenerationRunner,
        FillMaskRunner,
        NerRunner,
        QuestionAnsweringRunner,
        SummarizationRunner,
        TranslationRunner,
        TokenizeRunner,
        AttentionRunner,
    )
}

__all__ = ["RUNNER_TYPES", "BaseRunner", "Runner", "to_plain"]
