"""The generation settings transformers 4.57's summarization / translation pipelines used.

In v4, a ``Text2TextGenerationPipeline`` built its generation config like this:

1. the pipeline's own defaults ``max_new_tokens=256`` and ``num_beams=4``, over which the
   model's generation config was laid only for keys the pipeline left at the global default,
   so the pipeline's ``num_beams=4`` and ``max_new_tokens=256`` won over the model's;
2. if the model's ``max_length`` was set to something other than the global default (20),
   ``max_new_tokens`` was dropped so that ``max_length`` counted (opus-mt's 512, for example);
3. the model config's ``task_specific_params[task]`` were applied on top, their ``prefix``
   replacing the config's ``prefix`` (T5's ``"summarize: "``);
4. the tokenizer's pad token filled a missing ``pad_token_id``.

transformers 5 leaves unset generation values as None and fills them from the model's config
at ``generate`` time, so the settings here are expressed as explicit overrides of the model's
generation config, with the length always given explicitly and capped.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: v4's ``Text2TextGenerationPipeline._default_generation_config``.
V4_PIPELINE_DEFAULTS: dict[str, Any] = {"max_new_tokens": 256, "num_beams": 4}
#: v4's global ``GenerationConfig().max_length``.
V4_DEFAULT_MAX_LENGTH = 20


@dataclass(frozen=True)
class Seq2SeqDefaults:
    """What the v4 pipeline set up once per model: the input prefix and generation overrides."""

    prefix: str
    overrides: dict[str, Any] = field(default_factory=dict)


def v4_pipeline_defaults(
    model_config: Any, generation_config: Any, task: str, tokenizer_pad_token_id: int | None
) -> Seq2SeqDefaults:
    """The prefix and generation overrides a v4 ``task`` pipeline derived for this model."""
    overrides: dict[str, Any] = dict(V4_PIPELINE_DEFAULTS)
    model_max_length = generation_config.max_length
    if model_max_length is not None and model_max_length != V4_DEFAULT_MAX_LENGTH:
        overrides["max_new_tokens"] = None
        overrides["max_length"] = model_max_length
    prefix = getattr(model_config, "prefix", None) or ""
    task_params = dict((getattr(model_config, "task_specific_params", None) or {}).get(task) or {})
    if "prefix" in task_params:
        prefix = task_params.pop("prefix") or ""
    overrides.update(task_params)
    if generation_config.pad_token_id is None and tokenizer_pad_token_id is not None:
        overrides["pad_token_id"] = tokenizer_pad_token_id
    return Seq2SeqDefaults(prefix=prefix, overrides=overrides)


def effective_new_tokens(
    overrides: Mapping[str, Any], generation_config: Any, decoder_start_length: int = 1
) -> int:
    """How many tokens the v4 pipeline would generate at most with these overrides.

    ``max_new_tokens`` wins when set; otherwise ``max_length`` counts the decoder's start
    token too (encoder-decoder models), as in v4.
    """
    if overrides.get("max_new_tokens") is not None:
        return int(overrides["max_new_tokens"])
    max_length = overrides.get("max_length", generation_config.max_length)
    if max_length is None:
        max_length = V4_DEFAULT_MAX_LENGTH
    return max(int(max_length) - decoder_start_length, 0)


#: The member's decoding choices passed to ``generate`` as given (None: the model's / v4's default).
DECODING_PARAMS = ("do_sample", "num_beams", "num_return_sequences")


def generation_config_for_request(
    generation_config: Any,
    defaults: Seq2SeqDefaults,
    params: Mapping[str, Any],
    *,
    max_new_tokens_cap: int,
) -> Any:
    """A copy of the model's generation config with the v4 defaults and the member's params.

    A member's ``max_length`` is honoured (v4 let its 256-token default win over it when the
    model set no ``max_length``); a member's ``max_new_tokens`` wins over any ``max_length``, as
    v4's ``generate`` did (with a warning); ``min_length``, ``do_sample``, ``num_beams`` and
    ``num_return_sequences`` are passed through. The number of new tokens is written as
    ``max_length = new tokens + 1`` and capped at ``max_new_tokens_cap``. Sampling settings the
    model leaves unset take ``generate``'s global defaults (``top_k=50``, ``temperature=1.0``), as
    in v4.
    """
    overrides = dict(defaults.overrides)
    if params.get("max_length") is not None:
        overrides["max_length"] = params["max_length"]
        overrides["max_new_tokens"] = None
    if params.get("max_new_tokens") is not None:
        overrides["max_new_tokens"] = params["max_new_tokens"]
    if params.get("min_length") is not None:
        overrides["min_length"] = params["min_length"]
    for key in DECODING_PARAMS:
        if params.get(key) is not None:
            overrides[key] = params[key]
    new_tokens = min(effective_new_tokens(overrides, generation_config), max_new_tokens_cap)
    overrides["max_length"] = new_tokens + 1
    # Leave max_new_tokens unset (so max_length counts) unless the model's own config sets it,
    # in which case generate() would otherwise fill it back in.
    overrides["max_new_tokens"] = new_tokens if generation_config.max_new_tokens is not None else None
    config = copy.deepcopy(generation_config)
    config.update(**overrides)
    return config


def decoding_width(
    generation_config: Any, defaults: Seq2SeqDefaults, params: Mapping[str, Any]
) -> tuple[bool, int, int]:
    """``(samples, beams, sequences)`` of a request, worked out before a config is built.

    (``GenerationConfig.update`` raises a ValueError when there are more sequences than beams
    without sampling, so the runner checks these first and refuses with a sentence.)
    """
    chosen = {key: getattr(generation_config, key, None) for key in DECODING_PARAMS}
    chosen.update({key: value for key, value in defaults.overrides.items() if key in DECODING_PARAMS})
    chosen.update({key: params[key] for key in DECODING_PARAMS if params.get(key) is not None})
    return bool(chosen["do_sample"]), int(chosen["num_beams"] or 1), int(chosen["num_return_sequences"] or 1)
