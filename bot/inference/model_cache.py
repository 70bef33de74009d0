"""A worker's loaded models: least recently used first out, by count and by memory budget."""

from __future__ import annotations

import gc
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Loader = Callable[[str, str], Any]


def model_megabytes(runner: Any) -> float:
    """Parameter and buffer memory of a runner's model (0 for tokenizer-only runners)."""
    model = getattr(runner, "model", None)
    if model is None:
        return 0.0
    total = sum(t.numel() * t.element_size() for t in model.parameters())
    total += sum(t.numel() * t.element_size() for t in model.buffers())
    return total / 2**20


class ModelCache:
    """Runners keyed by (task, ref), evicting the least recently used.

    At most ``max_models`` stay loaded, and, when ``budget_mb`` is above zero, their weights stay
    within that many megabytes (the newest model is always kept, even alone over budget).
    Evicting drops every reference to the model and, on CUDA, returns the memory to the device.
    """

    def __init__(self, loader: Loader, *, max_models: int, budget_mb: float = 0.0) -> None:
        self._loader = loader
        self._runners: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._sizes: dict[tuple[str, str], float] = {}
        self.max_models = max_models
        self.budget_mb = budget_mb
        self.evictions = 0

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._runners

    def keys(self) -> tuple[tuple[str, str], ...]:
        """Loaded (task, ref) pairs, least recently used first."""
        return tuple(self._runners)

    @property
    def megabytes(self) -> float:
        return sum(self._sizes.values())

    def get(self, task: str, ref: str) -> Any:
        """The runner for (task, ref), loading it (and evicting others) when needed."""
        key = (task, ref)
        if key in self._runners:
            self._runners.move_to_end(key)
            return self._runners[key]
        runner = self._loader(task, ref)
        self._runners[key] = runner
        self._sizes[key] = model_megabytes(runner)
        self._evict(keep=key)
        return runner

    def _evict(self, keep: tuple[str, str]) -> None:
        def over() -> bool:
            if len(self._runners) > self.max_models:
                return True
            return self.budget_mb > 0 and self.megabytes > self.budget_mb and len(self._runners) > 1

        evicted = False
        while over():
            oldest = next(key for key in self._runners if key != keep)
            del self._runners[oldest]
            del self._sizes[oldest]
            self.evictions += 1
            evicted = True
            log.info("Evicted %s (%s) to make room", oldest[1], oldest[0])
        if evicted:
            gc.collect()
            _empty_cuda_cache()

    def clear(self) -> None:
        """Unload everything."""
        self._runners.clear()
        self._sizes.clear()
        gc.collect()
        _empty_cuda_cache()


def _empty_cuda_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
