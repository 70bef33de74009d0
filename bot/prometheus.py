"""Optional Prometheus metrics (``METRICS_PORT``, off by default): the pool's figures at ``/metrics``.

A custom collector answers each scrape from the inference pool's own counters, so nothing in the
pool changes. prometheus_client serves scrapes on a thread of its own, while the pool's state
belongs to the event loop: every scrape asks the loop for a consistent copy
(``run_coroutine_threadsafe``) and waits at most ``GATHER_TIMEOUT_S`` for it.

Exposed (``task``, ``worker`` and ``device`` labels where they apply):

- ``studybot_queue_depth`` / ``studybot_running_items`` / ``studybot_queued_items{task}``
- ``studybot_requests_total{task}``, ``studybot_request_failures_total{task}``,
  ``studybot_batches_total{task}``, ``studybot_batch_items_total{task}``
- ``studybot_request_latency_seconds{task}`` and ``studybot_batch_size{task}``: histograms
  (cumulative since the exporter started, fed from the pool's recent-request windows)
- ``studybot_request_latency_p50_seconds{task}`` / ``..._p95_seconds{task}``,
  ``studybot_items_per_second{task}`` (last minute)
- ``studybot_worker_up{worker,device}``, ``studybot_worker_busy``, ``studybot_worker_memory_used_bytes``,
  ``studybot_worker_restarts_total``, ``studybot_loaded_models{device}``, ``studybot_restarts_total``
- ``studybot_gateway_connected``, ``studybot_uptime_seconds``
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.inference.metrics import PoolSnapshot

log = logging.getLogger(__name__)

GATHER_TIMEOUT_S = 5.0
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 180.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024)


@dataclass(frozen=True)
class Reading:
    """Everything one scrape reports, copied on the event loop."""

    snapshot: PoolSnapshot
    latencies: dict[str, list[float]]  # the pool's recent successful request latencies, oldest first
    successes: dict[str, int]  # successful requests ever, per task
    batch_sizes: dict[str, list[int]]  # the pool's recent batch sizes, oldest first
    batches: dict[str, int]  # batches ever, per task
    gateway_connected: bool
    uptime_s: float


@dataclass
class _Histogram:
    """Cumulative bucket counts fed with the values seen since the last scrape."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    seen: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.bounds) + 1)

    def feed(self, window: list[float], ever: int) -> None:
        """Add the newest ``ever - seen`` values of ``window`` (older ones fell out of it)."""
        new = max(0, ever - self.seen)
        for value in window[len(window) - min(new, len(window)) :]:
            index = next((i for i, bound in enumerate(self.bounds) if value <= bound), len(self.bounds))
            self.counts[index] += 1
            self.total += value
        self.seen = ever

    def buckets(self) -> list[tuple[str, float]]:
        running, out = 0, []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else f"{bound:g}", float(running)))
        return out


def read_pool(pool: Any, gateway_connected: bool, uptime_s: float) -> Reading:
    """Copy what a scrape needs from ``pool`` (call on the event loop)."""
    snapshot = pool.snapshot()
    metrics = getattr(pool, "metrics", None)
    latencies: dict[str, list[float]] = {}
    successes: dict[str, int] = {}
    sizes: dict[str, list[int]] = {}
    batches: dict[str, int] = {}
    if metrics is not None:
        for task in snapshot.tasks:
            latencies[task] = list(metrics.latencies[task])
            successes[task] = metrics.requests[task] - metrics.failures[task]
            sizes[task] = list(metrics.batch_sizes[task])
            batches[task] = metrics.batches[task]
    return Reading(snapshot, latencies, successes, sizes, batches, gateway_connected, uptime_s)


class PoolCollector:
    """A prometheus_client collector over the bot's inference pool."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read: Callable[[], Reading]) -> None:
        self._loop = loop
        self._read = read
        self._latency: dict[str, _Histogram] = defaultdict(lambda: _Histogram(LATENCY_BUCKETS))
        self._sizes: dict[str, _Histogram] = defaultdict(lambda: _Histogram(BATCH_BUCKETS))

    async def _gather(self) -> Reading:
        return self._read()

    def reading(self) -> Reading | None:
        """A reading made on the event loop, or None when the loop does not answer in time."""
        future = asyncio.run_coroutine_threadsafe(self._gather(), self._loop)
        try:
            return future.result(GATHER_TIMEOUT_S)
        except Exception:
            future.cancel()
            log.warning("A metrics scrape got no answer from the event loop", exc_info=True)
            return None

    def describe(self) -> list[Any]:
        return []  # no fixed list: families depend on the tasks seen (and collect() needs the loop)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        reading = self.reading()
        if reading is None:
            return
        snapshot = reading.snapshot
        yield GaugeMetricFamily(
            "studybot_queue_depth", "Inputs waiting in the queue.", value=snapshot.queue_depth
        )
        yield GaugeMetricFamily(
            "studybot_running_items", "Inputs in running batches.", value=snapshot.running
        )
        yield GaugeMetricFamily(
            "studybot_gateway_connected",
            "1 when the Discord gateway is connected.",
            value=int(reading.gateway_connected),
        )
        yield GaugeMetricFamily(
            "studybot_uptime_seconds", "Seconds since the bot started.", value=reading.uptime_s
        )
        yield CounterMetricFamily(
            "studybot_restarts", "Worker processes restarted after dying or hanging.", value=snapshot.restarts
        )

        families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {
            "queued": GaugeMetricFamily(
                "studybot_queued_items", "Inputs waiting, per task.", labels=["task"]
            ),
            "requests": CounterMetricFamily(
                "studybot_requests", "Requests finished, per task.", labels=["task"]
            ),
            "failures": CounterMetricFamily(
                "studybot_request_failures", "Requests that failed (any reason), per task.", labels=["task"]
            ),
            "batches": CounterMetricFamily("studybot_batches", "Batches run, per task.", labels=["task"]),
            "items": CounterMetricFamily(
                "studybot_batch_items", "Inputs run in batches, per task.", labels=["task"]
            ),
            "rate": GaugeMetricFamily(
                "studybot_items_per_second", "Inputs run per second over the last minute.", labels=["task"]
            ),
            "p50": GaugeMetricFamily(
                "studybot_request_latency_p50_seconds", "Median latency of recent requests.", labels=["task"]
            ),
            "p95": GaugeMetricFamily(
                "studybot_request_latency_p95_seconds",
                "95th percentile latency of recent requests.",
                labels=["task"],
            ),
        }
        latency = HistogramMetricFamily(
            "studybot_request_latency_seconds", "Request latency, queue wait included.", labels=["task"]
        )
        sizes = HistogramMetricFamily("studybot_batch_size", "Inputs per batch.", labels=["task"])
        for task, figures in snapshot.tasks.items():
            families["queued"].add_metric([task], figures.queued)
            families["requests"].add_metric([task], figures.requests)
            families["failures"].add_metric([task], figures.failures)
            families["batches"].add_metric([task], figures.batches)
            families["items"].add_metric([task], figures.items)
            families["rate"].add_metric([task], figures.items_per_s)
            if figures.p50_ms is not None:
                families["p50"].add_metric([task], figures.p50_ms / 1000)
            if figures.p95_ms is not None:
                families["p95"].add_metric([task], figures.p95_ms / 1000)
            if task in reading.successes:
                histogram = self._latency[task]
                histogram.feed(reading.latencies[task], reading.successes[task])
                latency.add_metric([task], histogram.buckets(), histogram.total)
                batch_histogram = self._sizes[task]
                batch_histogram.feed(
                    [float(size) for size in reading.batch_sizes[task]], reading.batches[task]
                )
                sizes.add_metric([task], batch_histogram.buckets(), batch_histogram.total)
        yield from families.values()
        yield latency
        yield sizes

        up = GaugeMetricFamily(
            "studybot_worker_up", "1 while the worker process is alive.", labels=["worker", "device"]
        )
        busy = GaugeMetricFamily(
            "studybot_worker_busy", "1 while the worker runs a batch.", labels=["worker", "device"]
        )
        memory = GaugeMetricFamily(
            "studybot_worker_memory_used_bytes",
            "GPU memory in use (CUDA workers) or the worker's resident memory (CPU workers).",
            labels=["worker", "device"],
        )
        restarts = CounterMetricFamily(
            "studybot_worker_restarts", "Restarts of this worker.", labels=["worker", "device"]
        )
        loaded: dict[str, int] = defaultdict(int)
        for worker in snapshot.workers:
            labels = [str(worker.index), worker.device]
            up.add_metric(labels, int(worker.alive))
            busy.add_metric(labels, int(worker.busy))
            memory.add_metric(labels, worker.memory_used_mb * 2**20)
            restarts.add_metric(labels, worker.restarts)
            loaded[worker.device] += len(worker.loaded)
        models = GaugeMetricFamily("studybot_loaded_models", "Models loaded, per device.", labels=["device"])
        for device, count in sorted(loaded.items()):
            models.add_metric([device], count)
        yield from (up, busy, memory, restarts, models)


class MetricsServer:
    """The ``/metrics`` HTTP endpoint on its own thread; :meth:`stop` closes it."""

    def __init__(self, collector: PoolCollector, host: str, port: int) -> None:
        self.collector, self.host, self.port = collector, host, port
        self._server: Any = None

    def start(self) -> None:
        from prometheus_client import CollectorRegistry, start_http_server

        registry = CollectorRegistry(auto_describe=False)
        registry.register(self.collector)
        self._server, _thread = start_http_server(self.port, addr=self.host, registry=registry)
        self.port = self._server.server_port
        log.info("Prometheus metrics on http://%s:%d/metrics", self.host, self.port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start_metrics(bot: Any, host: str, port: int) -> MetricsServer:
    """Serve ``bot``'s pool metrics on ``host:port`` (call on the event loop)."""

    def read() -> Reading:
        connected = bool(bot.is_ready() and not bot.is_closed())
        if bot.backend is None:
            return Reading(PoolSnapshot({}, 0, 0, 0, []), {}, {}, {}, {}, connected, bot.uptime_seconds)
        return read_pool(bot.backend, connected, bot.uptime_seconds)

    server = MetricsServer(PoolCollector(asyncio.get_running_loop(), read), host, port)
    server.start()
    return server
