"""The pure parts of the pool: percentiles, the model cache, throttled updates, batch isolation."""

from __future__ import annotations

import asyncio
import time

from bot.inference.backend import JobUpdate
from bot.inference.metrics import percentile
from bot.inference.model_cache import ModelCache
from bot.inference.notify import Notifier
from bot.inference.worker_process import BatchRunner


def test_percentile_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.5) is None


class CountingLoader:
    def __init__(self) -> None:
        self.loads: list[tuple[str, str]] = []

    def __call__(self, task: str, ref: str) -> object:
        self.loads.append((task, ref))
        return object()


def test_the_model_cache_evicts_the_least_recently_used() -> None:
    loader = CountingLoader()
    cache = ModelCache(loader, max_models=2)
    first = cache.get("ner", "a")
    cache.get("ner", "b")
    assert cache.get("ner", "a") is first  # a hit: no load, and "a" becomes the most recent
    cache.get("ner", "c")  # evicts "b", the least recently used
    assert cache.keys() == (("ner", "a"), ("ner", "c"))
    assert loader.loads == [("ner", "a"), ("ner", "b"), ("ner", "c")]
    assert cache.evictions == 1


async def test_updates_are_throttled_coalesced_and_closed_in_order() -> None:
    seen: list[tuple[float, JobUpdate]] = []

    async def deliver(update: JobUpdate) -> None:
        seen.append((time.monotonic(), update))

    notifier = Notifier(deliver, min_interval_s=0.2)
    notifier.update(JobUpdate("queued", position=3))
    await asyncio.sleep(0.01)
    notifier.update(JobUpdate("queued", position=2))  # superseded before it is sent
    notifier.update(JobUpdate("queued", position=1))
    await asyncio.sleep(0.3)
    notifier.update(JobUpdate("running"))
    await notifier.close()  # "running" is still inside the interval: dropped, never sent late
    assert [update for _, update in seen] == [
        JobUpdate("queued", position=3),
        JobUpdate("queued", position=1),
    ]
    assert seen[1][0] - seen[0][0] >= 0.19


class FlakyRunner:
    """A model that runs out of memory on batches larger than two, and fails on "bad"."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.succeeded: list[int] = []

    def check(self, item: str, params: dict) -> None:
        from bot.inference.tasks import InvalidRequestError

        if item == "invalid":
            raise InvalidRequestError("That input is invalid.")

    def run(self, items: list[str], params: dict) -> list[str]:
        self.batches.append(len(items))
        if len(items) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if "bad" in items:
            raise ValueError("the model choked")
        self.succeeded.append(len(items))
        return [text.upper() for text in items]


def test_out_of_memory_splits_the_batch_and_bad_inputs_fail_alone() -> None:
    runner = FlakyRunner()
    outcomes = BatchRunner(runner).run(["a", "invalid", "b", "c", "bad", "d"], {})
    assert [o.ok for o in outcomes] == [True, False, True, True, False, True]
    assert [o.value for o in outcomes if o.ok] == ["A", "B", "C", "D"]
    assert outcomes[1].error == "That input is invalid." and outcomes[1].user_facing
    assert "error code" in outcomes[4].error and not outcomes[4].user_facing
    assert runner.batches[0] == 5  # tried whole first, then split on the out-of-memory error
    assert runner.succeeded and max(runner.succeeded) <= 2
