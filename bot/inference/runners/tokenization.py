"""The tokenize task: what a tokenizer does to a text (no model is loaded)."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.inference.runners.base import BaseRunner
from bot.inference.tasks import declared_max_length


class TokenizeRunner(BaseRunner):
    """Tokens, ids, masks and the decoded text with special tokens, as in chapter 2 of the course.

    ``tokens`` lines up with ``input_ids`` (special tokens included); ``token_type_ids`` is
    present only for tokenizers that produce them; ``model_max_length`` is None when the
    tokenizer sets no limit.
    """

    task: ClassVar[str] = "tokenize"
    auto_model_class: ClassVar[str | None] = None

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[dict[str, Any]]:
        encoded = self.tokenizer(inputs, return_attention_mask=True)
        limit = declared_max_length(self.tokenizer)
        results = []
        for number, ids in enumerate(encoded["input_ids"]):
            result: dict[str, Any] = {
                "tokens": self.tokenizer.convert_ids_to_tokens(ids),
                "input_ids": list(ids),
            }
            if "token_type_ids" in encoded:
                result["token_type_ids"] = list(encoded["token_type_ids"][number])
            result["attention_mask"] = list(encoded["attention_mask"][number])
            result["decoded"] = self.tokenizer.decode(ids)
            result["vocab_size"] = len(self.tokenizer)
            result["model_max_length"] = limit
            result["tokenizer_class"] = type(self.tokenizer).__name__
            results.append(result)
        return results
