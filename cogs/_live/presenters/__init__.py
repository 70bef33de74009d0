"""One presenter per task, found by the task's name (the engine's task names, ``bot.inference.tasks``).

This registry is the one place that maps a task to how its results look: commands, buttons and
``/model info`` ask :func:`presenter_for` and never compare task names themselves.
"""

from __future__ import annotations

from cogs._live.presenter import Presenter
from cogs._live.presenters.attention import AttentionPresenter
from cogs._live.presenters.fill_mask import FillMaskPresenter
from cogs._live.presenters.generation import GenerationPresenter
from cogs._live.presenters.ner import NerPresenter
from cogs._live.presenters.question_answering import QuestionAnsweringPresenter
from cogs._live.presenters.sentiment import SentimentPresenter
from cogs._live.presenters.seq2seq import SummarizationPresenter, TranslationPresenter
from cogs._live.presenters.tokenize import TokenizePresenter
from cogs._live.presenters.zero_shot import ZeroShotPresenter

PRESENTERS: dict[str, Presenter] = {
    presenter.task: presenter
    for presenter in (
        SentimentPresenter(),
        ZeroShotPresenter(),
        GenerationPresenter(),
        FillMaskPresenter(),
        NerPresenter(),
        QuestionAnsweringPresenter(),
        SummarizationPresenter(),
        TranslationPresenter(),
        TokenizePresenter(),
        AttentionPresenter(),
    )
}


def presenter_for(task: str) -> Presenter:
    """The presenter of ``task`` (a KeyError names a task nobody presents: a programming error)."""
    try:
        return PRESENTERS[task]
    except KeyError:
        raise KeyError(f"no presenter for task {task!r}; add one to cogs/_live/presenters") from None


__all__ = ["PRESENTERS", "Presenter", "presenter_for"]
