"""The Runner protocol and what every runner shares.

A runner owns one loaded model (and its tokenizer) for one task and turns a batch of validated
inputs into one result per input, in the transformers v4 pipeline output schema, as plain
JSON-serialisable values. Runners are synchronous and run inside a worker (never on the event
loop).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, runtime_checkable

from bot.inference.tasks import InvalidRequestError, get_task, max_input_tokens
from bot.inference.tiny import is_tiny_config, is_tiny_model_dir

log = logging.getLogger(__name__)


@runtime_checkable
class Runner(Protocol):
    """What the worker pool and the CLI call.

    ``run`` takes a batch of inputs that share one params dict (as returned by the task's
    ``validate``; missing keys take the task's defaults) and returns one result per input.
    ``check`` validates one input against the loaded tokenizer (e.g. QA window sizes) and
    raises ``InvalidRequestError``; the pool may call it per item so that one bad item does not
    fail a whole batch. ``run`` calls it too.
    """

    task: ClassVar[str]
    ref: str
    is_tiny: bool
    tokenizer: Any

    def check(self, item: Any, params: Mapping[str, Any]) -> None:
        """Raise InvalidRequestError if ``item`` cannot run with this model and ``params``."""

    def run(self, inputs: list[Any], params: Mapping[str, Any]) -> list[Any]:
        """Return one v4-schema result per input."""


class BaseRunner:
    """Common state: model, tokenizer, reference, tiny marker, parameter defaults.

    Subclasses set ``task`` and ``auto_model_class`` (the name of the ``transformers`` Auto
    class that loads the model, or None for tokenizer-only tasks) and implement ``_run``.
    """

    task: ClassVar[str] = ""
    auto_model_class: ClassVar[str | None] = None
    #: True where the runner loads a bare model from checkpoints that carry a task head (the
    #: head's weights are dropped on purpose, so transformers' loading report is not shown).
    drops_checkpoint_head: ClassVar[bool] = False

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.ref = ref
        #: True for the offline stand-in models: their outputs must be labelled as such.
        self.is_tiny = is_tiny_config(model.config) if model is not None else is_tiny_model_dir(ref)

    @property
    def device(self) -> Any:
        """The torch device of the model (CPU for tokenizer-only runners)."""
        import torch

        return self.model.device if self.model is not None else torch.device("cpu")

    def check(self, item: Any, params: Mapping[str, Any]) -> None:
        """Raise InvalidRequestError if ``item`` cannot run with this model and ``params``."""
        self._check(item, get_task(self.task).with_defaults(params))

    def _check(self, item: Any, params: dict[str, Any]) -> None:
        """Model-dependent checks of one item (params complete); none by default."""

    def run(self, inputs: list[Any], params: Mapping[str, Any]) -> list[Any]:
        """Fill in default params, check every item, run the batch and return plain values."""
        full_params = get_task(self.task).with_defaults(params)
        if not inputs:
            return []
        for item in inputs:
            self._check(item, full_params)
        results = self._run(list(inputs), full_params)
        if len(results) != len(inputs):  # pragma: no cover - a runner bug
            raise RuntimeError(
                f"{type(self).__name__} returned {len(results)} results for {len(inputs)} inputs"
            )
        return [to_plain(result) for result in results]

    def _run(self, inputs: list[Any], params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def max_input_tokens(self) -> int:
        """The longest sequence the model reads, from the tokenizer or else the model config."""
        return max_input_tokens(self.tokenizer, self.model.config if self.model is not None else None)

    def check_fits(self, text: str, extra_tokens: int = 0) -> None:
        """Refuse a text that (plus ``extra_tokens``) is longer than the model reads."""
        tokens = len(self.tokenizer(text)["input_ids"])
        limit = self.max_input_tokens()
        if tokens + extra_tokens > limit:
            if extra_tokens:
                raise InvalidRequestError(
                    f"The text is {tokens} tokens long; with {extra_tokens} new tokens that exceeds the "
                    f"{limit} tokens this model reads. Shorten the text or ask for fewer tokens."
                )
            raise InvalidRequestError(
                f"The text is {tokens} tokens long; this model reads at most {limit}. Shorten the text."
            )


def to_plain(value: Any) -> Any:
    """Convert numpy / torch scalars and arrays inside ``value`` to plain Python values."""
    import numpy as np  # here, not at import: the bot process reads this module's checks only

    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "tolist") and type(value).__module__.startswith("torch"):
        return value.tolist()
    return value
