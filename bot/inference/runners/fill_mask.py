"""Pipeline-backed fill-mask runner."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners._pipeline import build_pipeline
from bot.inference.runners.base import BaseRunner
from bot.inference.tasks import with_model_mask


class FillMaskRunner(BaseRunner):
    """``fill-mask``: the member writes ``[MASK]`` or ``<mask>``; the model's own token is used."""

    task: ClassVar[str] = "fill-mask"
    auto_model_class: ClassVar[str | None] = "AutoModelForMaskedLM"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("fill-mask", model, tokenizer)

    def _check(self, item: str, params: dict[str, Any]) -> None:
        """The text must fit in one model window (truncating could cut the mask off)."""
        self.check_fits(with_model_mask(item, self.tokenizer.mask_token))

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        texts = [with_model_mask(text, self.tokenizer.mask_token) for text in inputs]
        outputs = self._pipeline(texts, top_k=params["top_k"], batch_size=len(texts))
        # One text in a list comes back unwrapped as that text's list of predictions.
        if len(texts) == 1 and outputs and isinstance(outputs[0], dict):
            outputs = [outputs]
        return outputs
