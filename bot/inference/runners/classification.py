"""Pipeline-backed runners: sentiment analysis and zero-shot classification."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners._pipeline import build_pipeline
from bot.inference.runners.base import BaseRunner


class SentimentRunner(BaseRunner):
    """``text-classification`` as v4 called with ``top_k``: ``None`` (the default) every label's
    score, an int k the k best; best first either way, a list per input (``top_k=1`` a list of one,
    as v4 returned when ``top_k`` was given)."""

    task: ClassVar[str] = "sentiment-analysis"
    auto_model_class: ClassVar[str | None] = "AutoModelForSequenceClassification"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("text-classification", model, tokenizer)

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        results = self._pipeline(inputs, top_k=None, truncation=True, batch_size=len(inputs))
        top_k = params["top_k"]
        return results if top_k is None else [labels[:top_k] for labels in results]


class ZeroShotRunner(BaseRunner):
    """``zero-shot-classification`` on an NLI model.

    Each input is ``{"text": str, "candidate_labels": [str, ...]}``. Items with the same labels
    go through the pipeline together (every text-label pair in one batch).
    """

    task: ClassVar[str] = "zero-shot-classification"
    auto_model_class: ClassVar[str | None] = "AutoModelForSequenceClassification"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("zero-shot-classification", model, tokenizer)

    def _run(self, inputs: list[dict[str, Any]], params: dict[str, Any]) -> list[Any]:
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, item in enumerate(inputs):
            groups.setdefault(tuple(item["candidate_labels"]), []).append(index)
        results: list[Any] = [None] * len(inputs)
        for labels, indices in groups.items():
            texts = [inputs[index]["text"] for index in indices]
            outputs = self._pipeline(
                texts,
                candidate_labels=list(labels),
                multi_label=params["multi_label"],
                hypothesis_template=params["hypothesis_template"],
                batch_size=len(texts) * len(labels),
            )
            for index, output in zip(indices, outputs, strict=True):
                results[index] = output
        return results
