"""The batch size and token budget that run fastest here, learned from measured batches.

The best batch size depends on the device, the model and the input lengths (on the team's 2-core
CPU DistilBERT is fastest at 8 per batch, GPT-2 generation at 32), so ``MAX_BATCH`` and
``MAX_BATCH_TOKENS`` are only upper bounds. A :class:`BatchTuner` per (task, model) in each worker
learns the rest, online, from the windows it runs (a window's inputs sorted by length and cut into
batches, see :func:`plan_batches`):

- *Batch size: hill-climbing on measured throughput.* Sizes form a ladder of ≈√2 steps up to
  ``MAX_BATCH``. Most batches use the current size (a window's first always does); now and then
  one uses a neighbour (the next size down or up) as a probe, until each neighbour is measured,
  then every ``REPROBE_EVERY`` batches. Each batch cut by its size is a sample of that size's throughput,
  in work units per second (the task's token cost of its inputs, so short and long batches
  compare fairly), kept as a moving average. When a neighbour beats the current size by more than
  ``MARGIN`` (with ``MIN_SAMPLES`` each), the tuner moves there. Like Clipper's AIMD (NSDI 2017) it
  adapts to what it measures, but it climbs towards the measured peak instead of growing until a
  latency bound, because on a CPU throughput falls again past a point.
- *Token budget: the latency bound.* A batch that takes longer than the bound (a tenth of the
  task's timeout) lowers the budget of padded tokens (items × longest input) in proportion, and
  forbids the size that caused it; the budget starts at ``MAX_BATCH_TOKENS``.
- *Light load.* A batch cut short because the window had no more inputs (a Poisson stream's
  small windows) teaches nothing about its size and moves nothing; a window is never held to
  fill a batch (the pool sends it after at most ``MAX_WAIT_MS``).

Pure and deterministic (no clock): the caller passes the measured seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: A neighbour must beat the current size's throughput by this fraction to take its place.
MARGIN = 0.04
#: Samples a size needs before it is compared.
MIN_SAMPLES = 2
#: Weight of the newest sample in a size's moving average.
WEIGHT = 0.3
#: Batches between two probes of a neighbour already measured (to follow a drifting machine).
REPROBE_EVERY = 24
#: The fewest padded tokens a budget is lowered to.
MIN_TOKENS = 16


def size_ladder(max_items: int) -> list[int]:
    """Batch sizes ≈√2 apart (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, …), ending at ``max_items``."""
    sizes: list[int] = []
    power = 1
    while power <= max_items:
        sizes.append(power)
        half_step = power + power // 2
        if power >= 2 and half_step <= max_items:
            sizes.append(half_step)
        power *= 2
    if sizes[-1] != max_items:
        sizes.append(max_items)
    return sorted(set(sizes))


@dataclass
class SizeFigures:
    """What the tuner knows of one batch size."""

    size: int
    rate: float | None = None  # work units per second, moving average
    samples: int = 0
    last_probe: int = -(10**9)  # the batch count when it was last probed


@dataclass(frozen=True)
class PlannedBatch:
    """Consecutive inputs of a length-sorted window, and the batch size they were cut with."""

    start: int
    stop: int
    size: int

    def __len__(self) -> int:
        return self.stop - self.start


class BatchTuner:
    """Learns, for one (task, model) on one device, the batch size and token budget to use."""

    def __init__(
        self,
        max_items: int,
        max_tokens: int,
        *,
        latency_bound_s: float,
        start: int | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.latency_bound_s = latency_bound_s
        self.sizes = [SizeFigures(size) for size in size_ladder(max_items)]
        wanted = start if start is not None else max_items
        self.index = max(i for i, figures in enumerate(self.sizes) if figures.size <= max(1, wanted))
        self.top = len(self.sizes) - 1  # the largest size allowed (lowered by the latency bound)
        self.token_budget = max_tokens
        self.batches = 0
        self.moves = 0

    @property
    def batch_size(self) -> int:
        """The size most batches use now."""
        return self.sizes[self.index].size

    def _neighbours(self) -> list[int]:
        return [i for i in (self.index - 1, self.index + 1) if 0 <= i <= self.top]

    def _probe_due(self, position: int, remaining: int) -> int | None:
        """The neighbour to probe with the window's ``position``-th batch, if one is due and fits
        in what is left. A window's even batches (its first among them) use the current size, so
        that it is measured too."""
        if position % 2 == 0:
            return None
        for i in self._neighbours():
            figures = self.sizes[i]
            if figures.size > remaining:
                continue
            if figures.samples < MIN_SAMPLES or self.batches - figures.last_probe >= REPROBE_EVERY:
                return i
        return None

    def plan(self, costs: Sequence[int]) -> list[PlannedBatch]:
        """Cut a window's inputs, sorted by cost (shortest first), into batches to run in order.

        Each batch holds as many of the next inputs as its size and the token budget allow (an
        input over the budget on its own still runs, alone).
        """
        plan: list[PlannedBatch] = []
        start = 0
        while start < len(costs):
            remaining = len(costs) - start
            probe = self._probe_due(len(plan), remaining)
            index = probe if probe is not None else self.index
            size = self.sizes[index].size
            if probe is not None:
                self.sizes[index].last_probe = self.batches
            stop = start + 1
            while (
                stop < len(costs)
                and stop - start < size
                and (stop + 1 - start) * costs[stop] <= self.token_budget
            ):
                stop += 1
            plan.append(PlannedBatch(start, stop, size))
            self.batches += 1
            start = stop
        return plan

    def record(self, batch: PlannedBatch, work: int, padded: int, seconds: float) -> None:
        """What one planned batch measured: its work units, padded tokens, and seconds."""
        if seconds <= 0:
            return
        index = next(i for i, figures in enumerate(self.sizes) if figures.size == batch.size)
        if seconds > self.latency_bound_s:
            self.token_budget = max(
                MIN_TOKENS, min(self.token_budget, int(padded * self.latency_bound_s / seconds))
            )
            if len(batch) == batch.size and index > 0:
                self.top = min(self.top, index - 1)
                self.index = min(self.index, self.top)
            return
        if len(batch) != batch.size:  # cut by the window's end or by the token budget
            return
        figures = self.sizes[index]
        rate = work / seconds
        figures.rate = rate if figures.rate is None else figures.rate + WEIGHT * (rate - figures.rate)
        figures.samples += 1
        self._maybe_move()

    def _maybe_move(self) -> None:
        current = self.sizes[self.index]
        if current.rate is None or current.samples < MIN_SAMPLES:
            return
        best, best_rate = self.index, current.rate * (1 + MARGIN)
        for i in self._neighbours():
            figures = self.sizes[i]
            if figures.rate is not None and figures.samples >= MIN_SAMPLES and figures.rate > best_rate:
                best, best_rate = i, figures.rate
        if best != self.index:
            self.index = best
            self.moves += 1
