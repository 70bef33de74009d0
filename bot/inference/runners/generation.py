"""Pipeline-backed text generation runner (GPT-2 style causal language models)."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners._pipeline import build_pipeline
from bot.inference.runners.base import BaseRunner


class TextGenerationRunner(BaseRunner):
    """``text-generation`` with batched, left-padded prompts and an explicit ``max_new_tokens``.

    GPT-2 has no pad token: the EOS token pads, on the left, so a batch of prompts of different
    lengths generates the same text as each prompt alone. The result per input is the list of
    ``{"generated_text": prompt + continuation}``.
    """

    task: ClassVar[str] = "text-generation"
    auto_model_class: ClassVar[str | None] = "AutoModelForCausalLM"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("text-generation", model, tokenizer)

    def _check(self, item: str, params: dict[str, Any]) -> None:
        """The prompt plus the new tokens must fit in the model's positions."""
        self.check_fits(item, extra_tokens=params["max_new_tokens"])

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        settings: dict[str, Any] = {
            "max_new_tokens": params["max_new_tokens"],
            "num_return_sequences": params["num_return_sequences"],
            "num_beams": params["num_beams"],
            "do_sample": params["do_sample"],
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if params["do_sample"]:
            settings.update(temperature=params["temperature"], top_k=params["top_k"], top_p=params["top_p"])
        return self._pipeline(inputs, batch_size=len(inputs), **settings)
