"""Pipeline-backed named entity recognition runner."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners._pipeline import build_pipeline
from bot.inference.runners.base import BaseRunner


class NerRunner(BaseRunner):
    """``token-classification`` with ``aggregation_strategy`` ``simple`` or ``none``.

    ``simple`` gives the groups v4's ``grouped_entities=True`` gave; ``none`` shows every
    sub-word token with its own label.
    """

    task: ClassVar[str] = "ner"
    auto_model_class: ClassVar[str | None] = "AutoModelForTokenClassification"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("token-classification", model, tokenizer)

    def _check(self, item: str, params: dict[str, Any]) -> None:
        """The text must fit in one model window."""
        self.check_fits(item)

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        return self._pipeline(
            inputs, aggregation_strategy=params["aggregation_strategy"], batch_size=len(inputs)
        )
