"""How to cut a window into batches so that it runs fastest here, learned from measured batches.

The best batch depends on the device, the model and the input lengths: on the team's 2-core CPU
DistilBERT runs fastest at about a thousand padded tokens a batch, while GPT-2 and a BART-sized
summarizer want batches of 16 to 32 prompts, whatever their length (GPT-2 runs 16 prompts of 20
new tokens in about three times what one takes: each decoding step has a fixed cost). So
``MAX_BATCH`` and ``MAX_BATCH_TOKENS`` are only upper bounds; a :class:`BatchTuner` per (task,
model) in each worker learns the rest, online, from the batches it runs.

- *A cost model, fitted to what was measured.* A batch of ``n`` inputs padded to ``T`` tokens
  (``n`` times the longest input's cost) takes about ``a + b·n + c·T + d·T²`` seconds: a fixed
  cost per batch (a forward pass's overhead, or a decoding step's, times the steps), a cost per
  input (its pre- and post-processing), one per padded token, and a superlinear part (attention,
  and a working set that outgrows the CPU's caches). :class:`CostModel` fits the four
  coefficients, none negative, by least squares on the relative error over the last
  ``HISTORY`` batches, the newer weighing more (a shared machine drifts).
- *The cut that the model says is fastest.* :meth:`BatchTuner.plan` cuts a length-sorted window
  into consecutive batches by dynamic programming: the cut whose predicted seconds sum to the
  least, within ``MAX_BATCH`` inputs, ``MAX_BATCH_TOKENS`` padded tokens and the latency bound
  (an input too long for them runs alone). There is no remainder to patch up: a window that
  divides badly at one size is cut into even batches of another.
- *Exploring.* Until ``MIN_SAMPLES`` batches of at least two sizes are measured, windows are
  cut greedily at ``START_TOKENS``. After that the fit is only as good as the batch shapes it has
  seen: a window cut the same way every time cannot tell a batch's fixed cost from its tokens'.
  So the model is optimistic one step past what it has seen: a batch of up to twice the padded
  tokens of the largest ever measured is predicted to cost, per token, no more than that one.
  Where that makes a bigger batch look faster, the plan cuts it, and its measurement corrects
  the fit (or extends the range again). Each doubling is tried about once, so exploring costs a
  few batches in all (the benchmark's summarizer found its best batch, a whole window of 32, on
  its second window this way, where it had stayed at 22 and 10 without).
- *Small batches.* The plan cuts no batch smaller than the fewest inputs of the batches the
  model is fitted to (unless the window is smaller, or the bounds leave no other cut): it knows
  nothing below them. A burst's batches are all of similar sizes, and fitted to those alone the
  model cannot tell a fixed cost per batch from the costs per input and per token; once it put
  the fixed cost at zero, and a window of 256 would have run as 256 batches of one. A light load's
  small windows run as they come, and their measurements extend the range downwards.
- *The latency bound.* A batch may take at most a tenth of its task's timeout. The plan keeps
  every batch's predicted seconds within it, and a batch measured over it forbids its padded
  size and every larger one.
- *Light load.* A Poisson stream's windows are small: the fixed cost makes one batch the fastest
  cut of a few inputs, so each runs at once, as one batch; a window is never held to fill a
  batch (the pool sends it after at most ``MAX_WAIT_MS``). Its batches are measurements too.

Written here rather than taken from a library because no serving library plans batches over a
window whose order must be kept by length (Ray Serve and TorchServe batch what arrives, with a
fixed maximum). Deterministic (no clock, no randomness): the caller passes the measured seconds.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Batches the cost model is fitted to (the newest).
HISTORY = 48
#: Weight of a batch in the fit, per batch measured after it (older ones count less).
DECAY = 0.97
#: Batches measured before the model plans (of at least two sizes).
MIN_SAMPLES = 4
#: The budget of padded tokens a batch is cut at before the model is fitted.
START_TOKENS = 1024
#: Weight of the newest window in an input's average cost (a moving average).
WEIGHT = 0.3
#: Padded tokens are counted in thousands in the fit, so its columns have similar scales.
_TOKEN_UNIT = 1000.0


@dataclass(frozen=True)
class PlannedBatch:
    """Consecutive inputs of a length-sorted window, cut to run as one batch."""

    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start


class CostModel:
    """Seconds of a batch from its inputs ``n`` and padded tokens ``T``: ``a + b·n + c·T + d·T²``,
    with non-negative coefficients fitted to the measured batches (see the module's docstring)."""

    def __init__(self) -> None:
        self.samples: deque[tuple[int, int, float]] = deque(maxlen=HISTORY)
        self.coefficients: np.ndarray | None = None
        self.largest = 0  # padded tokens of the largest batch ever measured

    @staticmethod
    def features(items: np.ndarray, tokens: np.ndarray, measured_up_to: float = np.inf) -> np.ndarray:
        """The four terms' columns. With ``measured_up_to`` (M) the two that grow with the padded
        tokens are optimistic in (M, 2M]: they stay at M's, then grow again from there."""
        edge = measured_up_to / _TOKEN_UNIT
        thousands = tokens / _TOKEN_UNIT
        counted = np.minimum(thousands, edge) + np.maximum(0.0, thousands - 2 * edge)
        return np.stack([np.ones_like(counted), items, counted, counted * counted], axis=-1)

    def add(self, items: int, tokens: int, seconds: float) -> None:
        self.samples.append((items, tokens, seconds))
        self.largest = max(self.largest, tokens)
        if len(self.samples) >= MIN_SAMPLES and len({n for n, _, _ in self.samples}) >= 2:
            self.coefficients = self._fit()

    def _fit(self) -> np.ndarray:
        """Non-negative least squares on the relative error, exactly: every subset of the four
        terms is solved and the best solution with no negative coefficient wins."""
        items, tokens, seconds = (np.array(column, dtype=float) for column in zip(*self.samples, strict=True))
        weights = DECAY ** np.arange(len(seconds) - 1, -1, -1) / seconds
        design = self.features(items, tokens) * weights[:, None]
        target = seconds * weights
        best, best_error = np.zeros(4), float(np.sum(target**2))
        for size in range(1, 5):
            for terms in itertools.combinations(range(4), size):
                solution, *_ = np.linalg.lstsq(design[:, terms], target, rcond=None)
                if np.any(solution < 0):
                    continue
                error = float(np.sum((design[:, terms] @ solution - target) ** 2))
                if error < best_error:
                    best, best_error = np.zeros(4), error
                    best[list(terms)] = solution
        return best

    def predict(self, items: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """Predicted seconds of batches of ``items`` inputs and ``tokens`` padded tokens: beyond
        the largest batch measured, optimistic (see *Exploring* in the module's docstring)."""
        assert self.coefficients is not None, "predict() before two sizes were measured"
        return self.features(items, tokens, self.largest) @ self.coefficients


class BatchTuner:
    """Learns, for one (task, model) on one device, how to cut its windows into batches."""

    def __init__(
        self,
        max_items: int,
        max_tokens: int,
        *,
        latency_bound_s: float,
        start_tokens: int = START_TOKENS,
    ) -> None:
        self.max_items = max_items
        self.max_tokens = max_tokens
        self.latency_bound_s = latency_bound_s
        self.start_tokens = min(start_tokens, max_tokens)
        self.model = CostModel()
        #: the fewest padded tokens of a batch measured over the latency bound (larger are forbidden)
        self.too_slow_tokens: int | None = None
        self._cost: float | None = None  # an input's cost, on average

    def best_batch(self) -> tuple[int, int]:
        """(inputs, padded tokens) of the batch of average inputs that the model predicts to run
        the most inputs a second, within the bounds (``MAX_BATCH`` and ``START_TOKENS`` before
        it is fitted). The pool sizes its windows by it; unlike the batches a light load cuts
        (one small batch a window), it says what a busy worker would run."""
        if self.model.coefficients is None or self._cost is None:
            return self.max_items, self.start_tokens
        items = np.arange(1, self.max_items + 1)
        tokens = items * self._cost
        seconds = self.model.predict(items, tokens)
        allowed = (items == 1) | ((tokens <= self._token_limit()) & (seconds <= self.latency_bound_s))
        rates = np.where(allowed, items / np.maximum(seconds, 1e-9), 0.0)
        best = int(np.argmax(rates))
        return int(items[best]), round(float(tokens[best]))

    @property
    def batch_size(self) -> int:
        """Inputs of :meth:`best_batch`."""
        return self.best_batch()[0]

    @property
    def token_budget(self) -> int:
        """Padded tokens of :meth:`best_batch`."""
        return self.best_batch()[1]

    def _token_limit(self) -> int:
        if self.too_slow_tokens is None:
            return self.max_tokens
        return min(self.max_tokens, self.too_slow_tokens - 1)

    def plan(self, costs: Sequence[int]) -> list[PlannedBatch]:
        """Cut a window's inputs, sorted by cost (shortest first), into batches to run in order."""
        if not costs:
            return []
        if self.model.coefficients is None:
            plan = self._greedy(costs, min(self.start_tokens, self._token_limit()))
        else:
            plan = self._fastest(costs)
        mean = sum(costs) / len(costs)
        self._cost = mean if self._cost is None else self._cost + WEIGHT * (mean - self._cost)
        return plan

    def _greedy(self, costs: Sequence[int], budget: int) -> list[PlannedBatch]:
        """Each batch as many of the next inputs as ``MAX_BATCH`` and ``budget`` allow."""
        plan, start = [], 0
        while start < len(costs):
            stop = start + 1
            while (
                stop < len(costs)
                and stop - start < self.max_items
                and (stop + 1 - start) * costs[stop] <= budget
            ):
                stop += 1
            plan.append(PlannedBatch(start, stop))
            start = stop
        return plan

    def _fastest(self, costs: Sequence[int]) -> list[PlannedBatch]:
        """The cut whose predicted seconds sum to the least, of batches no smaller than the fewest
        inputs measured (see *Small batches*), or of any size where the bounds allow no such cut."""
        fewest = min(items for items, _, _ in self.model.samples)
        return self._cheapest(costs, min(fewest, len(costs))) or self._cheapest(costs, 1)

    def _cheapest(self, costs: Sequence[int], fewest: int) -> list[PlannedBatch]:
        """Dynamic programming over the sorted window (``best[j]``: the fastest cut of its first
        ``j`` inputs) into batches of at least ``fewest`` inputs within the bounds (with ``fewest``
        1, an input too long for any batch runs alone); empty if there is no such cut."""
        count, limit = len(costs), self._token_limit()
        best = np.full(count + 1, np.inf)
        best[0] = 0.0
        cut_at = np.zeros(count + 1, dtype=int)
        for stop in range(1, count + 1):
            starts = np.arange(max(0, stop - self.max_items), stop)
            items = stop - starts
            tokens = items * costs[stop - 1]
            seconds = self.model.predict(items, tokens)
            fits = (tokens <= limit) & (seconds <= self.latency_bound_s) & (items >= fewest)
            allowed = fits | ((items == 1) & (fewest == 1))
            totals = np.where(allowed, best[starts] + seconds, np.inf)
            choice = int(np.argmin(totals))
            best[stop], cut_at[stop] = totals[choice], starts[choice]
        if not np.isfinite(best[count]):
            return []
        plan, stop = [], count
        while stop > 0:
            plan.append(PlannedBatch(int(cut_at[stop]), stop))
            stop = int(cut_at[stop])
        return plan[::-1]

    def record(self, batch: PlannedBatch, padded: int, seconds: float) -> None:
        """What one planned batch measured: its padded tokens and seconds."""
        if seconds <= 0:
            return
        if seconds > self.latency_bound_s and len(batch) > 1:
            self.too_slow_tokens = min(padded, self.too_slow_tokens or padded)
        self.model.add(len(batch), padded, seconds)
