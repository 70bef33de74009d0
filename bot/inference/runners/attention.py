"""The attention task: the attention weights an encoder gives a short text (for /attention).

The model is loaded with ``AutoModel`` (the bare encoder: a fine-tuned checkpoint's head is left
out) and switched to the "eager" attention implementation: transformers 5 loads encoders with
SDPA, which computes attention without returning the weights (``output_attentions=True`` then
yields an empty tuple and a warning).

What comes back, per text (plain JSON values):

- ``tokens``: the tokens as the tokenizer splits them, special tokens included;
- ``special``: whether each token is a special token (``[CLS]``, ``[SEP]``, ``<s>`` …);
- ``offsets``: each token's ``[start, end)`` characters in the text (``[0, 0]`` for specials);
- ``num_layers`` / ``num_heads``: the model's shape; ``layer`` (1-based) and ``head`` (1-based,
  or None for the average of every head of the layer) say what ``attention`` holds;
- ``attention``: the ``tokens × tokens`` matrix of that layer and head; row *i* is how much token
  *i* attends to every token, and sums to 1.

Only the selected layer and head travel back to the bot: at most 64 × 64 floats (about 40 kB),
where every layer and head of bert-base would be 12 × 12 × 64 × 64 floats (about 2.4 MB) per
request. Changing the layer or head runs the model again (a forward pass of at most 64 tokens).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from bot.inference.runners.base import BaseRunner
from bot.inference.tasks import ATTENTION_MAX_TOKENS, InvalidRequestError

log = logging.getLogger(__name__)

#: Decimals kept for each weight (rows still sum to 1 within 1e-4 over 64 tokens).
DECIMALS = 6


def model_shape(config: Any) -> tuple[int, int]:
    """(layers, heads) of an encoder config (BERT, RoBERTa, DistilBERT … all map these names)."""
    return int(config.num_hidden_layers), int(config.num_attention_heads)


def check_attention_request(
    tokens: int, layers: int, heads: int, layer: int | None, head: int | None
) -> None:
    """Refuse a text longer than the limit, or a layer or head the model does not have."""
    if tokens > ATTENTION_MAX_TOKENS:
        raise InvalidRequestError(
            f"The text is {tokens} tokens long (special tokens included); an attention map shows at "
            f"most {ATTENTION_MAX_TOKENS}. Shorten the text."
        )
    if layer is not None and not 1 <= layer <= layers:
        raise InvalidRequestError(f"This model has {layers} layers: choose a layer from 1 to {layers}.")
    if head is not None and not 1 <= head <= heads:
        raise InvalidRequestError(
            f"This model has {heads} attention heads per layer: choose a head from 1 to {heads}, "
            "or leave it empty for their average."
        )


class AttentionRunner(BaseRunner):
    """Attention weights of one layer (one head, or the heads' average) for each text."""

    task: ClassVar[str] = "attention"
    auto_model_class: ClassVar[str | None] = "AutoModel"
    drops_checkpoint_head: ClassVar[bool] = True

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        super().__init__(model, tokenizer, ref=ref)
        if model is not None and hasattr(model, "set_attn_implementation"):
            model.set_attn_implementation("eager")
        self.num_layers, self.num_heads = model_shape(model.config)

    def _check(self, item: str, params: dict[str, Any]) -> None:
        tokens = len(self.tokenizer(item)["input_ids"])
        check_attention_request(tokens, self.num_layers, self.num_heads, params["layer"], params["head"])

    def _run(self, inputs: list[str], params: dict[str, Any]) -> list[dict[str, Any]]:
        import torch

        encoded = self.tokenizer(
            inputs,
            padding=True,
            return_tensors="pt",
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
        )
        offsets = encoded.pop("offset_mapping")
        special = encoded.pop("special_tokens_mask")
        mask = encoded["attention_mask"]
        with torch.inference_mode():
            outputs = self.model(**encoded.to(self.device), output_attentions=True)
        if not outputs.attentions:  # pragma: no cover - a model without eager attention
            raise RuntimeError(f"{self.ref} returned no attention weights")
        layer = params["layer"] or self.num_layers
        head = params["head"]
        weights = outputs.attentions[layer - 1].float()  # (batch, heads, tokens, tokens)
        chosen = weights[:, head - 1] if head is not None else weights.mean(dim=1)
        chosen = chosen.cpu()
        results = []
        for row, ids in enumerate(encoded["input_ids"]):
            keep = mask[row].nonzero().flatten()  # real tokens (padding may sit on either side)
            matrix = chosen[row][keep][:, keep]
            tokens = self.tokenizer.convert_ids_to_tokens(ids[keep].tolist())
            results.append(
                {
                    "tokens": tokens,
                    "special": [bool(value) for value in special[row][keep].tolist()],
                    "offsets": [list(pair) for pair in offsets[row][keep].tolist()],
                    "num_layers": self.num_layers,
                    "num_heads": self.num_heads,
                    "layer": layer,
                    "head": head,
                    "attention": [[round(value, DECIMALS) for value in line] for line in matrix.tolist()],
                }
            )
        return results
