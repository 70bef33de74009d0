"""The inference worker pool: the event loop's side of every model request.

``checked = pool.check(task, model, inputs, params, user=…)`` validates a request, admits it or
refuses it at once (a global queue limit and a per-member in-flight limit) and reserves its place
in the line; ``await pool.submit(checked, on_update=…)`` runs it (see
:mod:`bot.inference.backend`). A dispatcher hands *windows* of the line (see
:mod:`bot.inference.jobs` for the policy) to free worker processes — one or more per device —
which sort them by length, batch them with their tuned sizes and answer each window at once. A
window holds about ``WINDOW_S`` seconds of work at the throughput measured for its task and
model, from ``WINDOW_MIN_BATCHES`` to ``WINDOW_MAX_BATCHES`` batches. The pool reports every
request's state (queued #N, about 20 s → loading model → running) through ``on_update``,
enforces per-task timeouts, kills and restarts a worker that dies or hangs (failing only the
requests it held), and drains on shutdown. The event loop never runs a model or a tokenizer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import UserFacingError
from bot.inference.backend import CheckedRequest, JobUpdate, UpdateCallback
from bot.inference.catalog import Catalog
from bot.inference.devices import resolve_devices
from bot.inference.errors import (
    SHUTTING_DOWN,
    WORKER_LOST,
    MemberLimitError,
    PoolClosed,
    PoolError,
    QueueFullError,
    RequestCancelled,
    RequestTimeout,
    WorkerLost,
)
from bot.inference.jobs import Job, JobQueue, QueuedInput, Window, owners
from bot.inference.metrics import PoolMetrics, PoolSnapshot, WorkerInfo
from bot.inference.notify import MIN_INTERVAL_S
from bot.inference.protocol import (
    BatchDone,
    BatchState,
    LoadModel,
    ModelLoaded,
    RunBatch,
    Stop,
    WindowPart,
    WorkerReady,
)
from bot.inference.worker_process import WorkerConfig
from bot.inference.worker_supervisor import WorkerHandle
from bot.settings import Settings

__all__ = [
    "InferencePool",
    "MemberLimitError",
    "PoolClosed",
    "PoolError",
    "QueueFullError",
    "RequestCancelled",
    "RequestTimeout",
    "WorkerLost",
]

log = logging.getLogger(__name__)

#: Seconds a worker may spend loading one model before it is considered hung.
LOAD_TIMEOUT_S = 900.0
WATCHDOG_INTERVAL_S = 0.25
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: Seconds of measured work a window holds (at least one batch): long enough to sort well by
#: length, short enough that its first inputs are not kept waiting long for its last.
WINDOW_S = 1.5
#: The fewest and the most batches (of the tuned size) one window holds: two let the tuner
#: measure its current size and a neighbour in every window.
WINDOW_MIN_BATCHES = 2
WINDOW_MAX_BATCHES = 16


@dataclass(eq=False)
class Batch:
    """A window sent to one worker; ``items`` in the order of its parts (as outcomes come back)."""

    id: int
    window: Window
    items: list[QueuedInput]
    sent: float
    load_started: float | None = None
    loading: bool = False
    hard_deadline: float = 0.0
    timed_out: bool = False

    @property
    def tasks(self) -> str:
        return ", ".join(sorted({item.job.task for item in self.items}))


def _part(items: list[QueuedInput]) -> WindowPart:
    """What a worker needs of one group of a window."""
    job = items[0].job
    return WindowPart(job.task, job.ref, job.params, [item.payload for item in items])


class InferencePool:
    """Worker processes per device, fed micro-batches from one bounded, fair queue."""

    def __init__(
        self, settings: Settings, *, catalog: Catalog | None = None, update_interval_s: float = MIN_INTERVAL_S
    ) -> None:
        self.settings = settings
        self.update_interval_s = update_interval_s
        self.catalog = catalog or Catalog.load(settings.catalog_path)
        self.metrics = PoolMetrics()
        self.devices: list[str] = []
        self.workers: list[WorkerHandle] = []
        self._wake = asyncio.Event()
        self.queue = JobQueue(
            settings,
            self.metrics,
            wake=self._wake.set,
            servers=lambda lane: max(1, len(self.workers)),
            update_interval_s=update_interval_s,
        )
        self._batches: dict[int, Batch] = {}
        #: (task, model) → the batch size its workers' tuners use now (reported with each window)
        self.tuned_batch: dict[tuple[str, str], int] = {}
        self._batch_ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned = False
        self._all_spawned = asyncio.Event()
        self._started = False
        self._ready = asyncio.Event()
        self._drained = asyncio.Event()
        self._preloads: dict[tuple[str, str], list[asyncio.Future[str]]] = defaultdict(list)
        self._available: set[str] = set()  # hub models found in the cache

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Resolve the devices and return; the worker processes come up in the background.

        A command that runs no model never waits for them, and a model request that arrives first
        waits in the line like any other. The tiny models are built first when that profile is on
        and they are missing, and PRELOAD_MODELS are loaded once the workers are up. A bad DEVICES
        fails here, in one sentence (on a machine without an NVIDIA driver this imports no torch).
        """
        if self._started:
            return
        self._started = True
        self.devices = await asyncio.to_thread(resolve_devices, self.settings.devices)
        self.workers = self._plan_workers()
        self._tasks = [
            asyncio.create_task(self._dispatch_forever(), name="pool-dispatcher"),
            asyncio.create_task(self._watch_forever(), name="pool-watchdog"),
            asyncio.create_task(self._bring_up(), name="pool-bring-up"),
        ]
        log.info("Inference pool: %d workers on %s", len(self.workers), ", ".join(self.devices))

    async def _bring_up(self) -> None:
        await self._spawn_workers()
        if self.settings.preload_models:
            await self.preload(self.settings.preload_models)

    async def _models_here(self) -> None:
        """Build the tiny models if that profile is on and they are not built yet (in a thread)."""
        if self.settings.model_profile != "tiny":
            return
        from bot.inference.catalog import TASK_NAMES
        from bot.inference.tiny import build_tiny_models, is_tiny_model_dir, tiny_model_dir

        root = self.settings.tiny_models_dir
        if not all(is_tiny_model_dir(tiny_model_dir(root, task)) for task in TASK_NAMES):
            await asyncio.to_thread(build_tiny_models, root)

    def _plan_workers(self) -> list[WorkerHandle]:
        cpu_workers = self.devices.count("cpu") * self.settings.workers_per_device
        threads = self.settings.torch_threads or max(1, (os.cpu_count() or 1) // max(1, cpu_workers))
        workers = []
        for device in self.devices:
            for _ in range(self.settings.workers_per_device):
                config = WorkerConfig(
                    device=device,
                    torch_threads=threads,
                    cache_dir=self.settings.model_cache_dir,
                    max_models=self.settings.max_models_per_device,
                    memory_budget_mb=float(self.settings.model_memory_budget_mb),
                    log_level=self.settings.log_level,
                    max_batch=self.settings.max_batch,
                    max_batch_tokens=self.settings.max_batch_tokens,
                    timeout_scale=self.settings.timeout_scale,
                )
                workers.append(WorkerHandle(len(workers), config, self._on_message, self._on_exit))
        return workers

    async def _spawn_workers(self) -> None:
        """Start the worker processes (once; later callers wait until they have been started)."""
        if self._spawned:
            await self._all_spawned.wait()
            return
        self._spawned = True
        try:
            await self._models_here()
        except Exception:  # the workers report the missing models with each request
            log.exception("Building the tiny models failed")
        try:
            loop = asyncio.get_running_loop()
            for worker in self.workers:
                if self.queue.closing:
                    return
                await asyncio.to_thread(worker.start, loop)
        finally:
            self._all_spawned.set()

    async def wait_ready(self, limit_s: float = 120.0) -> None:
        """Start the workers if needed and wait until at least one can take batches now."""
        await self._spawn_workers()
        await asyncio.wait_for(self._ready.wait(), limit_s)

    async def preload(self, specs: Sequence[str]) -> dict[str, str]:
        """Load ``task`` or ``task=model`` entries on every worker; returns errors by entry."""
        await self._spawn_workers()
        errors: dict[str, str] = {}
        for spec in specs:
            task, _, model = spec.partition("=")
            try:
                resolved = self.catalog.resolve(
                    task,
                    model or None,
                    profile=self.settings.model_profile,
                    tiny_dir=self.settings.tiny_models_dir,
                )
            except UserFacingError as error:
                errors[spec] = error.message
                continue
            futures = []
            for worker in self.workers:
                future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
                self._preloads[(task, resolved.ref)].append(future)
                futures.append(future)
                worker.send(LoadModel(task, resolved.ref))
            results = await asyncio.gather(*futures)
            if any(results):
                errors[spec] = next(result for result in results if result)
        for spec, error in errors.items():
            log.warning("Preloading %s failed: %s", spec, error)
        return errors

    async def close(self, drain_timeout: float = 30.0) -> None:
        """Refuse new requests, let running batches finish (up to ``drain_timeout``), stop workers."""
        if self.queue.closing:
            return
        self.queue.closing = True
        self.queue.fail_waiting(PoolClosed(SHUTTING_DOWN))
        if self._batches:
            self._drained.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), drain_timeout)
        self.queue.fail_all(PoolClosed(SHUTTING_DOWN))
        for worker in self.workers:
            if worker.ready:
                worker.send(Stop())
            else:  # still importing torch: it holds nothing, no need to wait for it
                worker.kill()
        for worker in self.workers:
            if worker.process is not None:
                await asyncio.to_thread(worker.process.join, 10)
                if worker.alive:
                    worker.kill()
            worker.stop_threads()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        log.info("Inference pool stopped")

    # --- submitting --------------------------------------------------------------------------

    def check(
        self,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        *,
        user: Hashable = 0,
    ) -> CheckedRequest:
        """Validate a request and reserve its place in the line (see :meth:`JobQueue.check`).

        Raises at once what refuses it: an unknown task or model, a bad input or parameter, a
        model that is not here while HF_HUB_OFFLINE is set, shutting down, a full queue, the
        member's limit. A cog calls this before it acknowledges an interaction, so bad input gets
        an ephemeral error and nothing is queued.
        """
        checked = self.queue.check(self.catalog, task, model, inputs, params, user)
        try:
            self._check_available(checked)
        except UserFacingError:
            checked.release()
            raise
        return checked

    def _check_available(self, checked: CheckedRequest) -> None:
        """Refuse a hub model that is not cached while the hub may not be asked (HF_HUB_OFFLINE)."""
        model = checked.model
        if model.tiny or model.ref in self._available:
            return
        from bot.inference.loading import unavailable_offline

        error = unavailable_offline(model.ref, self.settings.model_cache_dir, task=checked.spec.name)
        if error is not None:
            raise error
        self._available.add(model.ref)

    async def submit(
        self,
        checked: CheckedRequest,
        *,
        on_update: UpdateCallback | None = None,
        request_id: str | None = None,
    ) -> list[Any]:
        """Run a checked request and return one result per input (v4 pipeline schema).

        Raises a :class:`~bot.errors.UserFacingError` for anything the member should read: a
        timeout, a cancelled request, a worker that died, or an input the model failed on.
        """
        if not self._started:
            await self.start()
        return await self.queue.run(checked, on_update=on_update, request_id=request_id)

    def cancel(self, request_id: str) -> bool:
        """Cancel a request by id. Queued inputs never run; a running batch's result is dropped."""
        return self.queue.cancel(request_id)

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a request stands now, or None when it is not in the pool."""
        return self.queue.job_state(request_id)

    # --- dispatching --------------------------------------------------------------------------

    async def _dispatch_forever(self) -> None:
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None
        while True:
            await self._wake.wait()
            self._wake.clear()
            if timer is not None:
                timer.cancel()
                timer = None
            delay = self._dispatch()
            if delay:
                timer = loop.call_later(delay, self._wake.set)

    def window_size(self, job: Job) -> int:
        """How many inputs the next window of ``job``'s model holds: about ``WINDOW_S`` seconds at
        the measured throughput, from ``WINDOW_MIN_BATCHES`` to ``WINDOW_MAX_BATCHES`` batches of
        the tuned size (one ``MAX_BATCH`` before anything is measured)."""
        batch = self.tuned_batch.get(job.model, self.settings.max_batch)
        rate = self.queue.rates.get(job.model)
        if rate is None:
            return batch
        return max(WINDOW_MIN_BATCHES * batch, min(round(rate * WINDOW_S), WINDOW_MAX_BATCHES * batch))

    def _dispatch(self) -> float:
        """Send windows to free workers; return seconds until the next one may go (0: none)."""
        queue = self.queue
        while True:
            free = [w for w in self.workers if w.ready and w.batch is None]
            if not free:
                return 0.0
            now = time.monotonic()
            items, wait = queue.window(None, self.window_size, now, self.settings.max_wait_ms / 1000)
            if not items:
                return wait
            job = items[0].job
            worker = next((w for w in free if w.loaded(job.task, job.ref)), None) or min(
                free, key=lambda w: len(w.status.loaded)
            )
            self._send_batch(worker, queue.take(items, now), now)

    def _send_batch(self, worker: WorkerHandle, window: Window, now: float) -> None:
        parts = window.parts()
        batch = Batch(next(self._batch_ids), window, [item for part in parts for item in part], now)
        batch.hard_deadline = max(item.job.deadline for item in window.items) + self.queue.hang_grace_s
        self._batches[batch.id] = batch
        worker.batch = batch
        worker.send(RunBatch(batch.id, [_part(items) for items in parts]))
        loaded = all(worker.loaded(*items[0].job.model) for items in parts)
        for owner in owners(window.items):
            self.queue.set_state(owner, JobUpdate("running" if loaded else "loading"))

    # --- messages from workers ---------------------------------------------------------------

    def _on_message(self, worker: WorkerHandle, message: Any) -> None:
        if isinstance(message, WorkerReady):
            worker.ready = True
            worker.failures = 0
            worker.device_name = message.device_name
            self._ready.set()
            log.info("Worker %d ready on %s (%s)", worker.index, message.device, message.device_name)
            self._wake.set()
        elif isinstance(message, BatchState):
            self._on_batch_state(message)
        elif isinstance(message, BatchDone):
            worker.status = message.status
            worker.batch = None
            self._on_batch_done(message)
            self._wake.set()
        elif isinstance(message, ModelLoaded):
            worker.status = message.status
            waiters = self._preloads.get((message.task, message.ref), [])
            if waiters:
                future = waiters.pop(0)
                if not future.done():
                    future.set_result(message.error)

    def _on_batch_state(self, message: BatchState) -> None:
        batch = self._batches.get(message.batch_id)
        if batch is None:
            return
        now = time.monotonic()
        if message.state == "loading":
            batch.load_started, batch.loading = now, True
        elif batch.load_started is not None:
            batch.loading = False
            # Loading a model is not the member's wait: move their deadlines by its duration.
            loading = now - batch.load_started
            for job in owners(batch.items):
                job.deadline += loading
            batch.hard_deadline += loading
        for job in owners(batch.items):
            self.queue.set_state(job, JobUpdate(message.state))

    def _on_batch_done(self, message: BatchDone) -> None:
        batch = self._batches.pop(message.batch_id, None)
        if batch is None:
            return
        measured: dict[tuple[str, str], tuple[int, float]] = {}
        for forward in message.batches:
            self.metrics.record_batch(forward.task, forward.items, forward.seconds)
            items, seconds = measured.get((forward.task, forward.ref), (0, 0.0))
            measured[(forward.task, forward.ref)] = (items + forward.items, seconds + forward.seconds)
        for task, ref, size, _ in message.tuned:
            self.tuned_batch[(task, ref)] = size
        if not self._batches:
            self._drained.set()
        for item, outcome in zip(batch.items, message.outcomes, strict=True):
            self.queue.settle(item, outcome)
        self.queue.finish_window(batch.window, measured)

    def _on_exit(self, worker: WorkerHandle, code: int | None) -> None:
        batch, worker.batch = worker.batch, None
        if not any(w.ready for w in self.workers):
            self._ready.clear()  # wait_ready() waits for the restarted one
        self.metrics.restarts += 0 if self.queue.closing else 1
        if batch is not None:
            self._batches.pop(batch.id, None)
            self.queue.finish_window(batch.window, None)
            if not self._batches:
                self._drained.set()
            if batch.timed_out:
                error: PoolError = WorkerLost(
                    "The model took too long and was stopped; try a shorter input or fewer new tokens."
                )
            else:
                error = WorkerLost(WORKER_LOST)
            for item in batch.items:
                self.queue.fail(item.job, error)
        if self.queue.closing:
            return
        worker.restarts += 1
        worker.failures += 1
        delay = RESTART_BACKOFF_S[min(worker.failures - 1, len(RESTART_BACKOFF_S) - 1)]
        log.warning("Worker %d exited (code %s); restarting in %.1f s", worker.index, code, delay)
        asyncio.get_running_loop().call_later(delay, self._restart, worker)

    def _restart(self, worker: WorkerHandle) -> None:
        if self.queue.closing:
            return
        worker.status = type(worker.status)()
        worker.start(asyncio.get_running_loop())

    # --- timing out -----------------------------------------------------------------------------

    async def _watch_forever(self) -> None:
        while True:
            await asyncio.sleep(WATCHDOG_INTERVAL_S)
            self._check_deadlines(time.monotonic())

    def _check_deadlines(self, now: float) -> None:
        # Time spent loading a model is not the member's wait: those jobs' clocks are stopped
        # (and moved on by the load's duration once it ends).
        loading = {id(item.job) for b in self._batches.values() if b.loading for item in b.items}
        self.queue.expire(now, loading)
        for worker in self.workers:
            batch = worker.batch
            if batch is None or batch.timed_out:
                continue
            loading_since = batch.load_started if batch.loading else None
            limit = loading_since + LOAD_TIMEOUT_S if loading_since is not None else batch.hard_deadline
            if now > limit:
                batch.timed_out = True
                log.error(
                    "Worker %d hung on a %s batch for %.0f s: killing it",
                    worker.index,
                    batch.tasks,
                    now - batch.sent,
                )
                worker.kill()

    # --- reporting ----------------------------------------------------------------------------

    def device_names(self) -> list[str]:
        names = []
        for device in self.devices or list(self.settings.devices):
            described = next(
                (w.device_name for w in self.workers if w.config.device == device and w.device_name), ""
            )
            names.append(f"{device} ({described})" if described and described != "CPU" else device)
        return names

    def worker_health(self) -> tuple[int, int]:
        if not self._spawned:
            return (0, 0)
        return (sum(1 for w in self.workers if w.alive), len(self.workers))

    def loaded_model_count(self) -> int:
        return sum(len(worker.status.loaded) for worker in self.workers)

    def snapshot(self) -> PoolSnapshot:
        """Every figure /status and the benchmark show."""
        queued = self.queue.queued_by_task()
        tasks = {
            task: self.metrics.task_metrics(task, queued.get(task, 0))
            for task in sorted(set(self.metrics.tasks()) | set(queued))
        }
        workers = [
            WorkerInfo(
                index=worker.index,
                device=worker.config.device,
                device_name=worker.device_name,
                alive=worker.alive,
                busy=worker.batch is not None,
                loaded=worker.status.loaded,
                memory_used_mb=worker.status.memory_used_mb,
                memory_total_mb=worker.status.memory_total_mb,
                restarts=worker.restarts,
            )
            for worker in self.workers
        ]
        sizes = [size for task in tasks for size in self.metrics.batch_sizes[task]]
        return PoolSnapshot(
            tasks,
            self.queue.waiting_count,
            sum(len(b.items) for b in self._batches.values()),
            self.metrics.restarts,
            workers,
            sizes,
        )
