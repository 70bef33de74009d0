"""Summarization and translation on ``AutoModelForSeq2SeqLM`` + ``generate``.

transformers 5 removed the ``summarization`` and ``translation`` pipelines; these runners
reproduce what transformers 4.57's pipelines returned: the model's prefix and
``task_specific_params``, v4's generation defaults (see
:mod:`bot.inference.runners.seq2seq_config`), decoding with ``skip_special_tokens=True`` and
``clean_up_tokenization_spaces=False``. Two deliberate differences: inputs are truncated to the
model's maximum length (v4 did not truncate and failed on over-long inputs) and the number of
new tokens is capped at ``SEQ2SEQ_MAX_NEW_TOKENS``. A result whose input was truncated says so:
``"truncated": {"input_tokens": …, "kept_tokens": …}`` (an input v4 refused, so no v4 output
changes).

The pipelines' call parameters ``do_sample``, ``num_beams``, ``num_return_sequences``,
``max_new_tokens``, ``min_length`` and ``max_length`` are honoured as v4 honoured them. With
``num_return_sequences`` above 1 the result of an input is the list of that many dicts, best
first, as v4 returned for one text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners.base import BaseRunner
from bot.inference.runners.seq2seq_config import (
    decoding_width,
    generation_config_for_request,
    v4_pipeline_defaults,
)
from bot.inference.tasks import SEQ2SEQ_MAX_NEW_TOKENS, InvalidRequestError, sequences_problem


class Seq2SeqRunner(BaseRunner):
    """Shared by summarization and translation; subclasses name the task and the output key."""

    auto_model_class: ClassVar[str | None] = "AutoModelForSeq2SeqLM"
    output_key: ClassVar[str] = ""

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        self.defaults = v4_pipeline_defaults(
            model.config, model.generation_config, self.task, tokenizer.pad_token_id
        )

    def generation_config(self, params: dict[str, Any]) -> Any:
        """The generation config used for a batch with these params."""
        return generation_config_for_request(
            self.model.generation_config, self.defaults, params, max_new_tokens_cap=SEQ2SEQ_MAX_NEW_TOKENS
        )

    def _check(self, item: str, params: dict[str, Any]) -> None:
        """Several sequences need sampling or as many beams (``generate`` refuses otherwise); the
        model's own beams and sampling count where the request sets none."""
        samples, beams, sequences = decoding_width(self.model.generation_config, self.defaults, params)
        problem = sequences_problem(samples, beams, sequences, model_default=params.get("num_beams") is None)
        if problem is not None:
            raise InvalidRequestError(problem)

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[Any]:
        import torch

        texts = [self.defaults.prefix + text for text in inputs]
        lengths = [len(ids) for ids in self.tokenizer(texts)["input_ids"]]
        encoded = self.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        kept = [int(row.sum()) for row in encoded["attention_mask"]]
        encoded.pop("token_type_ids", None)
        encoded = {name: tensor.to(self.device) for name, tensor in encoded.items()}
        config = self.generation_config(params)
        with torch.inference_mode():
            output_ids = self.model.generate(**encoded, generation_config=config)
        texts_out = self.tokenizer.batch_decode(
            output_ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
        )
        per_input = int(config.num_return_sequences or 1)
        results: list[Any] = []
        for number, (length, read) in enumerate(zip(lengths, kept, strict=True)):
            sequences = []
            for text in texts_out[number * per_input : (number + 1) * per_input]:
                result: dict[str, Any] = {self.output_key: text}
                if length > read:
                    result["truncated"] = {"input_tokens": length, "kept_tokens": read}
                sequences.append(result)
            results.append(sequences[0] if per_input == 1 else sequences)
        return results


class SummarizationRunner(Seq2SeqRunner):
    """v4 ``summarization``: one ``{"summary_text"}`` per input (a list of them for several sequences)."""

    task: ClassVar[str] = "summarization"
    output_key: ClassVar[str] = "summary_text"


class TranslationRunner(Seq2SeqRunner):
    """v4 ``translation`` (single-pair models such as opus-mt): one ``{"translation_text"}`` per input
    (a list of them for several sequences)."""

    task: ClassVar[str] = "translation"
    output_key: ClassVar[str] = "translation_text"
