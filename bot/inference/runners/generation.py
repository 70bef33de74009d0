"""Pipeline-backed text generation runner (GPT-2 style causal language models)."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners._pipeline import build_pipeline
from bot.inference.runners.base import BaseRunner

#: The settings that only matter when sampling.
SAMPLING = ("temperature", "top_k", "top_p")
#: transformers 4's ``generate`` defaults for them.
V4_SAMPLING_DEFAULTS = {"temperature": 1.0, "top_k": 50, "top_p": 1.0}


class TextGenerationRunner(BaseRunner):
    """``text-generation`` with batched, left-padded prompts and an explicit ``max_new_tokens``.

    GPT-2 has no pad token: the EOS token pads, on the left, so a batch of prompts of different
    lengths generates the same text as each prompt alone. The result per input is the list of
    ``{"generated_text": prompt + continuation}``. Decoding follows the checkpoint unless the call
    says otherwise (:func:`decoding`).
    """

    task: ClassVar[str] = "text-generation"
    auto_model_class: ClassVar[str | None] = "AutoModelForCausalLM"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"
        super().__init__(model, tokenizer, ref=ref)
        self._pipeline = build_pipeline("text-generation", model, tokenizer)
        self.checkpoint_decoding = checkpoint_decoding(model.config, model.generation_config)

    def _check(self, item: str, params: dict[str, Any]) -> None:
        """The prompt plus the new tokens must fit in the model's positions."""
        self.check_fits(item, extra_tokens=params["max_new_tokens"])

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        settings: dict[str, Any] = {
            "max_new_tokens": params["max_new_tokens"],
            "num_return_sequences": params["num_return_sequences"],
            "num_beams": params["num_beams"],
            "pad_token_id": self.tokenizer.pad_token_id,
            **decoding(self.checkpoint_decoding, params),
        }
        return self._pipeline(inputs, batch_size=len(inputs), **settings)


def checkpoint_decoding(model_config: Any, generation_config: Any) -> dict[str, Any]:
    """How the checkpoint decodes when a call says nothing, as transformers 4 pipelines ran it: its
    generation config, with the model config's ``task_specific_params["text-generation"]`` on top
    (GPT-2's ``{"do_sample": true}`` is why the course's generator samples; transformers 5 no
    longer reads them), and v4's sampling defaults where neither says (v5's pipeline would sample
    at temperature 0.7)."""
    chosen: dict[str, Any] = {key: getattr(generation_config, key, None) for key in ("do_sample", *SAMPLING)}
    tasks = getattr(model_config, "task_specific_params", None) or {}
    task_params = tasks.get("text-generation") or {}
    chosen.update({key: value for key, value in task_params.items() if key in chosen})
    chosen["do_sample"] = bool(chosen["do_sample"])
    for key, value in V4_SAMPLING_DEFAULTS.items():
        if chosen[key] is None:
            chosen[key] = value
    return chosen


def stored_decoding(ref: str, cache_dir: Any = None) -> dict[str, Any]:
    """:func:`checkpoint_decoding` read from the checkpoint's files (for Show code; no weights)."""
    from transformers import AutoConfig, GenerationConfig

    config = AutoConfig.from_pretrained(ref, cache_dir=cache_dir)
    try:
        generation = GenerationConfig.from_pretrained(ref, cache_dir=cache_dir)
    except OSError:  # no generation_config.json: the model config's values
        generation = GenerationConfig.from_model_config(config)
    return checkpoint_decoding(config, generation)


def decoding(checkpoint: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``do_sample`` and the sampling settings of a call: the member's where given, else the
    checkpoint's. A sampling setting given without ``do_sample`` turns sampling on (it would
    change nothing otherwise), as does asking for more sequences than beams (greedy search gives
    one); with ``do_sample`` false they are left out (greedy ignores them)."""
    do_sample = params.get("do_sample")
    if do_sample is None:
        do_sample = (
            checkpoint["do_sample"]
            or any(params.get(key) is not None for key in SAMPLING)
            or params.get("num_return_sequences", 1) > params.get("num_beams", 1)
        )
    chosen: dict[str, Any] = {"do_sample": do_sample}
    if do_sample:
        for key in SAMPLING:
            value = params.get(key) if params.get(key) is not None else checkpoint.get(key)
            if value is not None:
                chosen[key] = value
    return chosen
