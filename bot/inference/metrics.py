"""Counters the pool keeps for /status and the benchmark: latency, batch sizes, throughput."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 2000  # most recent requests and batches kept per task
RATE_WINDOW_S = 60.0


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class TaskMetrics:
    """One task's figures over the recent window."""

    requests: int
    failures: int
    batches: int
    items: int
    mean_batch: float
    max_batch: int
    p50_ms: float | None
    p95_ms: float | None
    items_per_s: float
    queued: int


@dataclass(frozen=True)
class WorkerInfo:
    """One worker as the pool last heard from it."""

    index: int
    device: str
    device_name: str
    alive: bool
    busy: bool
    loaded: tuple[tuple[str, str], ...]
    memory_used_mb: float
    memory_total_mb: float | None
    restarts: int
    # Set by the Ray backend, where a worker is a Serve replica of one task's deployment.
    deployment: str = ""
    replica_id: str = ""
    state: str = ""  # Serve's replica state: STARTING, RUNNING, STOPPING, …
    ongoing: int | None = None  # requests the replica holds now, as Serve reports it


@dataclass(frozen=True)
class PoolSnapshot:
    """Everything /status and the benchmark read, at one moment."""

    tasks: dict[str, TaskMetrics]
    queue_depth: int
    running: int
    restarts: int
    workers: list[WorkerInfo]
    batch_sizes: list[int] = field(default_factory=list)

    @property
    def loaded_models(self) -> int:
        return sum(len(worker.loaded) for worker in self.workers)


class PoolMetrics:
    """Rolling counters, updated by the pool on the event loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.latencies: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=WINDOW))
        self.batch_sizes: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=WINDOW))
        self.completions: dict[str, deque[tuple[float, int]]] = defaultdict(lambda: deque(maxlen=WINDOW))
        self.requests: dict[str, int] = defaultdict(int)
        self.failures: dict[str, int] = defaultdict(int)
        self.batches: dict[str, int] = defaultdict(int)
        self.items: dict[str, int] = defaultdict(int)
        self.busy_s: dict[str, float] = defaultdict(float)  # seconds workers spent running batches
        self.restarts = 0

    def record_batch(self, task: str, size: int, run_s: float = 0.0) -> None:
        self.busy_s[task] += run_s
        self.batch_sizes[task].append(size)
        self.batches[task] += 1
        self.items[task] += size
        self.completions[task].append((self._clock(), size))

    def record_request(self, task: str, seconds: float, *, failed: bool) -> None:
        self.requests[task] += 1
        if failed:
            self.failures[task] += 1
        else:
            self.latencies[task].append(seconds)

    def task_metrics(self, task: str, queued: int) -> TaskMetrics:
        sizes = list(self.batch_sizes[task])
        latencies = list(self.latencies[task])
        now = self._clock()
        recent = [n for at, n in self.completions[task] if now - at <= RATE_WINDOW_S]
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        return TaskMetrics(
            requests=self.requests[task],
            failures=self.failures[task],
            batches=self.batches[task],
            items=self.items[task],
            mean_batch=sum(sizes) / len(sizes) if sizes else 0.0,
            max_batch=max(sizes, default=0),
            p50_ms=p50 * 1000 if p50 is not None else None,
            p95_ms=p95 * 1000 if p95 is not None else None,
            items_per_s=sum(recent) / RATE_WINDOW_S,
            queued=queued,
        )

    def tasks(self) -> list[str]:
        return sorted(set(self.requests) | set(self.batches))
