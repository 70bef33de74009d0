"""The batch shape that runs fastest here, learned from measured batches.

The best batch depends on the device, the model and the input lengths (on the team's 2-core CPU
DistilBERT is fastest at about 8 sentences a batch, GPT-2 generation at 32 prompts), so
``MAX_BATCH`` and ``MAX_BATCH_TOKENS`` are only upper bounds. A :class:`BatchTuner` per (task,
model) in each worker learns the rest, online, from the windows it runs: a window's inputs are
sorted by length and cut (:meth:`BatchTuner.plan`) into batches of at most ``MAX_BATCH`` inputs
and at most the tuned *token budget* of padded tokens (inputs × the longest one's cost). A token
budget rather than a fixed count, because sorted short inputs then share bigger batches and long
ones smaller, at the same cost a batch; the benchmark's offline sweep finds it faster than any
fixed batch size for DistilBERT (see the README's benchmark).

- *Token budget: hill-climbing on measured throughput.* Budgets form a ladder of ≈√2 steps up to
  ``MAX_BATCH_TOKENS``; the tuner starts at ``START_TOKENS``. Most batches use the current budget
  (a window's first always does); every other one may be a probe of a neighbour (the next budget
  down or up), until each neighbour is measured, then every ``REPROBE_EVERY`` batches. Each batch
  cut by its budget or by ``MAX_BATCH`` (not by the window's end) is a sample of that budget's
  throughput, in work units per second (the task's token cost of its inputs, so short and long
  batches compare fairly), kept as a moving average. When a neighbour beats the current budget by
  more than ``MARGIN`` (with ``MIN_SAMPLES`` each), the tuner moves there. Like Clipper's AIMD
  (NSDI 2017) it adapts to what it measures, but it climbs towards the measured peak instead of
  growing until a latency bound, because on a CPU throughput falls again past a point.
- *The latency bound.* A batch that takes longer than the bound (a tenth of the task's timeout)
  forbids its budget and every larger one.
- *Light load.* A batch cut short because the window had no more inputs (a Poisson stream's small
  windows) teaches nothing and moves nothing, unless it probes the budget above and comes near
  it; a window is never held to fill a batch (the pool sends it after at most ``MAX_WAIT_MS``).
- *Remainders.* A window's last few inputs join the batch before them rather than run as a
  small batch of their own, within ``MAX_BATCH`` and one step of the ladder.

Pure and deterministic (no clock): the caller passes the measured seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: A neighbour must beat the current budget's throughput by this fraction to take its place.
MARGIN = 0.04
#: Samples a budget needs before it is compared.
MIN_SAMPLES = 2
#: Weight of the newest sample in a budget's moving average.
WEIGHT = 0.3
#: Batches between two probes of a neighbour already measured (to follow a drifting machine).
REPROBE_EVERY = 24
#: The smallest and the first budget tried, in padded tokens.
MIN_TOKENS = 32
START_TOKENS = 1024


def budget_ladder(max_tokens: int, min_tokens: int = MIN_TOKENS) -> list[int]:
    """Token budgets ≈√2 apart (32, 45, 64, 91, 128, …), ending at ``max_tokens``."""
    budgets = []
    step = 0
    while (value := round(min_tokens * math.sqrt(2) ** step)) < max_tokens:
        budgets.append(value)
        step += 1
    budgets.append(max_tokens)
    return budgets


@dataclass
class BudgetFigures:
    """What the tuner knows of one token budget."""

    tokens: int
    rate: float | None = None  # work units per second, moving average
    samples: int = 0
    last_probe: int = -(10**9)  # the batch count when it was last probed


@dataclass(frozen=True)
class PlannedBatch:
    """Consecutive inputs of a length-sorted window, the budget they were cut with, and whether
    that budget (or ``MAX_BATCH``) cut them, rather than the window's end."""

    start: int
    stop: int
    tokens: int
    full: bool

    def __len__(self) -> int:
        return self.stop - self.start


class BatchTuner:
    """Learns, for one (task, model) on one device, the token budget of its batches."""

    def __init__(
        self,
        max_items: int,
        max_tokens: int,
        *,
        latency_bound_s: float,
        start_tokens: int = START_TOKENS,
    ) -> None:
        self.max_items = max_items
        self.latency_bound_s = latency_bound_s
        self.levels = [BudgetFigures(tokens) for tokens in budget_ladder(max_tokens)]
        self.index = max(
            i for i, level in enumerate(self.levels) if level.tokens <= max(MIN_TOKENS, start_tokens)
        )
        self.top = len(self.levels) - 1  # the largest budget allowed (lowered by the latency bound)
        self.batches = 0
        self.moves = 0
        self._items = float(max_items)  # inputs per full batch at the current budget (average)

    @property
    def token_budget(self) -> int:
        """The budget most batches use now."""
        return self.levels[self.index].tokens

    @property
    def batch_size(self) -> int:
        """How many inputs a full batch holds now, on average (``MAX_BATCH`` before any)."""
        return max(1, round(self._items))

    def _neighbours(self) -> list[int]:
        return [i for i in (self.index - 1, self.index + 1) if 0 <= i <= self.top]

    def _probe_due(self, position: int) -> int | None:
        """The neighbour to probe with the window's ``position``-th batch, if one is due. A
        window's even batches (its first among them) use the current budget, so it is measured too."""
        if position % 2 == 0:
            return None
        for i in self._neighbours():
            level = self.levels[i]
            if level.samples < MIN_SAMPLES or self.batches - level.last_probe >= REPROBE_EVERY:
                return i
        return None

    def plan(self, costs: Sequence[int]) -> list[PlannedBatch]:
        """Cut a window's inputs, sorted by cost (shortest first), into batches to run in order.

        Each batch holds as many of the next inputs as ``MAX_BATCH`` and its budget allow (an input
        over the budget on its own still runs, alone).
        """
        plan: list[PlannedBatch] = []
        start = 0
        while start < len(costs):
            probe = self._probe_due(len(plan))
            index = probe if probe is not None else self.index
            budget = self.levels[index].tokens
            stop = self._cut(costs, start, budget)
            full = (
                stop < len(costs)
                or stop - start == self.max_items
                or (index > self.index and self._fills_the_probe(costs, start, stop, budget))
            )
            if probe is None and stop < len(costs) and self._takes_the_tail(costs, start, stop):
                budget, stop, full = self.token_budget, len(costs), False
            elif probe is not None:
                self.levels[index].last_probe = self.batches
            plan.append(PlannedBatch(start, stop, budget, full=full))
            self.batches += 1
            start = stop
        return plan

    def _fills_the_probe(self, costs: Sequence[int], start: int, stop: int, budget: int) -> bool:
        """Whether a probe of the budget above, cut short by the window's end, still measures it:
        its padded tokens are nearer that budget than the current one (on the ladder's scale).

        A slow task's window holds about two batches, so a probe up in its second batch gets only
        what is left; counted as no sample, the budget above would never be measured and the tuner
        could not climb past the budgets its first, larger windows measured (in the tests' model of
        generation, it stayed at 1,448 tokens where 2,048 and more run faster).
        """
        padded = (stop - start) * costs[stop - 1]
        return padded * padded >= budget * self.token_budget

    def _cut(self, costs: Sequence[int], start: int, budget: int) -> int:
        """Where a batch from ``start`` ends: as many inputs as ``MAX_BATCH`` and ``budget`` allow."""
        stop = start + 1
        while (
            stop < len(costs) and stop - start < self.max_items and (stop + 1 - start) * costs[stop] <= budget
        ):
            stop += 1
        return stop

    def _takes_the_tail(self, costs: Sequence[int], start: int, stop: int) -> bool:
        """Whether the batch ``start:stop`` should take the rest of the window too.

        A window rarely divides into whole batches: cut greedily, its last batch is a small
        remainder, which runs at the small batches' poor throughput (on the team's CPU, GPT-2 ran
        4 prompts at 1.9 a second against 32 at 4.05: a remainder of 4 after 28 cost 2 s of the
        window's 9). The remainder joins this batch instead when it is at most half as many inputs
        and the batch then stays within ``MAX_BATCH`` and one step of the ladder above the current
        budget. The merged batch is not a sample (its size was the window's, not a budget's); a
        probe keeps its size, since it is one.
        """
        rest = len(costs) - stop
        together = len(costs) - start
        limit = self.levels[min(self.index + 1, self.top)].tokens
        return rest * 2 <= stop - start and together <= self.max_items and together * costs[-1] <= limit

    def record(self, batch: PlannedBatch, work: int, padded: int, seconds: float) -> None:
        """What one planned batch measured: its work units, padded tokens, and seconds."""
        if seconds <= 0:
            return
        index = next(i for i, level in enumerate(self.levels) if level.tokens == batch.tokens)
        if seconds > self.latency_bound_s:
            if index > 0:  # this budget and every larger one are too slow here
                self.top = min(self.top, index - 1)
                self.index = min(self.index, self.top)
            return
        if not batch.full:  # cut by the window's end: says nothing about the budget
            return
        level = self.levels[index]
        rate = work / seconds
        level.rate = rate if level.rate is None else level.rate + WEIGHT * (rate - level.rate)
        level.samples += 1
        if index == self.index:
            self._items += WEIGHT * (len(batch) - self._items)
        self._maybe_move()

    def _maybe_move(self) -> None:
        current = self.levels[self.index]
        if current.rate is None or current.samples < MIN_SAMPLES:
            return
        best, best_rate = self.index, current.rate * (1 + MARGIN)
        for i in self._neighbours():
            level = self.levels[i]
            if level.rate is not None and level.samples >= MIN_SAMPLES and level.rate > best_rate:
                best, best_rate = i, level.rate
        if best != self.index:
            self.index = best
            self.moves += 1
