"""The inference worker pool: the event loop's side of every model request.

``checked = pool.check(task, model, inputs, params, user=…)`` validates a request, admits it or
refuses it at once (a global queue limit and a per-member in-flight limit) and reserves its place
in the line; ``await pool.submit(checked, on_update=…)`` runs it (see
:mod:`bot.inference.backend`). A dispatcher hands *windows* of the line (see
:mod:`bot.inference.jobs` for the policy) to free worker processes — one or more per device —
which sort them by length, cut them into the batches they measure to run fastest and answer
each window at once. A window holds about ``WINDOW_S`` seconds of work at the throughput
measured for its task and model, more (up to ``WINDOW_MAX_S``) when a backlog waits, from
``WINDOW_MIN_BATCHES`` to ``WINDOW_MAX_BATCHES`` batches.
The pool reports every request's state (queued #N, about 20 s → loading model → running)
through ``on_update``, enforces per-task timeouts, kills and restarts a worker that dies or
hangs (failing only the requests it held), and drains on shutdown. The event loop never runs a
model or a tokenizer.

Faults
------
*Clocks.* A request's timeout counts from when its window is sent (see *Deadlines* in
:mod:`bot.inference.jobs`): requests queued behind a hung worker run on its replacement.
A window whose models must be loaded first gets each one's *load timeout* on top, stated up
front (never a paused clock): ``LOAD_FLOOR_S`` times TIMEOUT_SCALE (at least ``LOAD_MIN_S``)
plus ``LOAD_SLACK`` times the model's size on disk at the measured load rate, at most
``LOAD_CEILING_S``; the part of it the load did not use is taken back when the worker reports
that it runs. The watchdog kills a worker whose load outlives its load timeout, or whose window
outlives its requests' deadlines (they have timed out: nobody waits for it any more).

*Restarts.* A worker that exits is restarted after ``RESTART_BACKOFF_S`` (growing with each exit
until it finishes a window again). A model whose load ends its worker (a crash, or a hang past its
load timeout) ``QUARANTINE_AFTER`` times in a row is off for ``QUARANTINE_S``: its waiting
requests fail, new ones are refused with a sentence that says until when, other models go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

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
from bot.inference.loading import shown_name
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
from bot.user_facing import UserFacingError

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

#: A model's load timeout: the floor (times TIMEOUT_SCALE, at least the minimum) plus the slack
#: times its size on disk over the load rate, at most the ceiling (see *Faults* above).
LOAD_FLOOR_S = 60.0
LOAD_MIN_S = 10.0
LOAD_CEILING_S = 900.0
LOAD_SLACK = 4.0
#: Megabytes per second a model loads at, assumed until one of at least LOAD_RATE_MIN_MB is measured
#: (smaller ones take mostly fixed time, which says nothing about the rate).
LOAD_RATE_MB_S = 20.0
LOAD_RATE_MIN_MB = 50.0
WATCHDOG_INTERVAL_S = 0.25
#: Seconds before restarting a worker after its 1st, 2nd, … exit in a row.
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: Loads in a row that end their worker before a model is quarantined, and for how long.
QUARANTINE_AFTER = 3
QUARANTINE_S = 1800.0
LOAD_TOO_LONG = (
    "Loading the model {model} took longer than {seconds} seconds, so its worker was stopped "
    "(it is being restarted); please try again in a minute."
)
CRASHED_LOADING = "The model worker stopped while loading {model} (it is being restarted); please try again."
TOOK_TOO_LONG = "The model took too long and was stopped; try a shorter input or fewer new tokens."
QUARANTINED = (
    "The model {model} keeps crashing its worker, so it is off until {until} UTC; "
    "please use another model meanwhile (the others still work)."
)
#: Seconds of measured work a window holds (at least one batch): long enough to sort well by
#: length, short enough that its first inputs are not kept waiting long for its last.
WINDOW_S = 1.5
#: The most seconds of work a window holds when more waits (see :meth:`InferencePool.window_size`).
WINDOW_MAX_S = 4.0
#: The fewest and the most batches (of the size the worker predicts fastest) one window holds:
#: two leave a slow task's plan the choice between one batch and two.
WINDOW_MIN_BATCHES = 2
WINDOW_MAX_BATCHES = 16


@dataclass(eq=False)
class Batch:
    """A window sent to one worker; ``items`` in the order of its parts (as outcomes come back)."""

    id: int
    window: Window
    items: list[QueuedInput]
    sent: float
    #: the models the worker had not loaded when it was sent, with their load timeouts
    to_load: dict[tuple[str, str], float] = field(default_factory=dict)
    #: until when its models may load (None: loaded, the worker said it runs)
    load_deadline: float | None = None
    hard_deadline: float = 0.0
    timed_out: bool = False
    load_timed_out: bool = False

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
            clock_from_start=True,
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
        #: (worker index, task, ref) → preloads waiting for that worker's answer
        self._preloads: dict[tuple[int, str, str], list[asyncio.Future[str]]] = defaultdict(list)
        self._available: set[str] = set()  # hub models found in the cache
        self._sizes_mb: dict[str, float] = {}  # model ref → megabytes on disk
        #: megabytes per second of the models measured loading (None: none measured yet)
        self.load_rate_mb_s: float | None = None
        #: (task, ref) → loads in a row that ended their worker; → until when it is quarantined
        self.load_crashes: Counter[tuple[str, str]] = Counter()
        self.quarantined: dict[tuple[str, str], float] = {}

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Resolve the devices, start the worker processes and return; they come up in the background.

        A command that runs no model never waits for them, and a model request that arrives first
        waits in the line like any other. The processes start here, so that their imports (torch
        and transformers: seconds) run beside the rest of the bot's start-up. When the tiny models'
        profile is on and they are missing, the processes start after they are built, in the
        background too. PRELOAD_MODELS are loaded once the workers are up. A bad DEVICES
        fails here, in one sentence (on a machine without an NVIDIA driver this imports no torch).
        """
        if self._started:
            return
        self._started = True
        self.devices = await asyncio.to_thread(resolve_devices, self.settings.devices)
        self.workers = self._plan_workers()
        if not self._build_needed():
            # Only the processes' start (milliseconds): they import torch and load in the
            # background while the bot goes on starting, instead of after it.
            await self._spawn_workers()
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

    def _build_needed(self) -> bool:
        """Whether the tiny models' profile is on and some of them are not built yet."""
        if self.settings.model_profile != "tiny":
            return False
        from bot.inference.catalog import TASK_NAMES
        from bot.inference.tiny import is_tiny_model_dir, tiny_model_dir

        root = self.settings.tiny_models_dir
        return not all(is_tiny_model_dir(tiny_model_dir(root, task)) for task in TASK_NAMES)

    async def _models_here(self) -> None:
        """Build the tiny models if they are needed (in a thread)."""
        if self._build_needed():
            from bot.inference.tiny import build_tiny_models

            await asyncio.to_thread(build_tiny_models, self.settings.tiny_models_dir)

    def _plan_workers(self) -> list[WorkerHandle]:
        cpu_workers = self.devices.count("cpu") * self.settings.workers_per_device
        threads = self.settings.torch_threads or max(1, (os.cpu_count() or 1) // max(1, cpu_workers))
        workers: list[WorkerHandle] = []
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
                    niceness=self.settings.worker_niceness,
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
                self._preloads[(worker.index, task, resolved.ref)].append(future)
                futures.append(future)
                worker.send(LoadModel(task, resolved.ref))
            results = await asyncio.gather(*futures)
            if any(results):
                errors[spec] = next(result for result in results if result)
        for spec, problem in errors.items():
            log.warning("Preloading %s failed: %s", spec, problem)
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
            self._check_quarantine(checked.spec.name, checked.model.ref, time.monotonic())
            self._check_available(checked)
        except UserFacingError:
            checked.release()
            raise
        return checked

    def _check_quarantine(self, task: str, ref: str, now: float) -> None:
        """Refuse a model that keeps crashing its worker, until its quarantine ends."""
        until = self.quarantined.get((task, ref))
        if until is None:
            return
        if now >= until:
            del self.quarantined[(task, ref)]
            self.load_crashes.pop((task, ref), None)
            log.info("%s (%s) is out of quarantine", ref, task)
            return
        raise PoolError(self._quarantine_message(ref, until - now))

    @staticmethod
    def _quarantine_message(ref: str, left_s: float) -> str:
        until = datetime.now(UTC) + timedelta(seconds=left_s + 59)  # rounded up to the minute
        return QUARANTINED.format(model=shown_name(ref), until=f"{until:%H:%M}")

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
        """How many inputs the next window of ``job``'s model holds, at its measured throughput:
        ``WINDOW_S`` seconds of work, or, when more of that model waits, an even share of the
        backlog among the workers and the line behind them (a burst of 256 on one worker: two
        windows of 128 rather than four of 64), at most ``WINDOW_MAX_S`` seconds; a remainder
        shorter than ``WINDOW_S`` joins the window instead of following it alone. Then bounded
        to ``WINDOW_MIN_BATCHES``…``WINDOW_MAX_BATCHES`` batches of the tuned size (one
        ``MAX_BATCH`` before anything is measured).

        A window is sorted by length as a whole, so the more it holds, the closer its batches'
        lengths: the benchmark's 256 classification texts, sorted in windows of 64, 128 and all 256,
        pad to 1.34, 1.17 and 1.08 tokens per real token at batch 32 (``benchmarks/window_replay.py``
        measures what that costs the worker's planner; the README has its figures). But a window's
        first inputs wait for its last. Growing it only with the backlog keeps a light load's
        windows as they were, and costs a burst's head what it gives back to its tail.
        """
        batch = self.tuned_batch.get(job.model, self.settings.max_batch)
        rate = self.queue.rates.get(job.model)
        if rate is None:
            return batch
        waiting = self.queue.waiting_for(job.lane, job.model)
        seconds = min(WINDOW_MAX_S, max(WINDOW_S, waiting / rate / (self.queue.servers(job.lane) + 1)))
        size = round(rate * seconds)
        if waiting - size < rate * WINDOW_S and waiting <= rate * WINDOW_MAX_S:
            size = waiting  # the tail joins: no short window left behind
        return max(WINDOW_MIN_BATCHES * batch, min(size, WINDOW_MAX_BATCHES * batch))

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

    def load_timeout_s(self, ref: str) -> float:
        """Seconds a worker may take to load ``ref`` (see *Faults* above)."""
        size = self._sizes_mb.get(ref)
        if size is None:
            from bot.inference.loading import size_on_disk_mb

            size = self._sizes_mb[ref] = size_on_disk_mb(ref, self.settings.model_cache_dir)
        floor = max(LOAD_MIN_S, LOAD_FLOOR_S * self.settings.timeout_scale)
        rate = self.load_rate_mb_s or LOAD_RATE_MB_S
        return min(LOAD_CEILING_S, floor + LOAD_SLACK * size / rate)

    def _send_batch(self, worker: WorkerHandle, window: Window, now: float) -> None:
        parts = window.parts()
        batch = Batch(next(self._batch_ids), window, [item for part in parts for item in part], now)
        for items in parts:
            model = items[0].job.model
            if not worker.loaded(*model) and model not in batch.to_load:
                batch.to_load[model] = self.load_timeout_s(model[1])
        jobs = owners(window.items)
        if batch.to_load:
            allowance = sum(batch.to_load.values())
            batch.load_deadline = now + allowance
            for job in jobs:
                job.deadline += allowance
        batch.hard_deadline = max(job.deadline for job in jobs)
        self._batches[batch.id] = batch
        worker.batch = batch
        worker.send(RunBatch(batch.id, [_part(items) for items in parts]))
        for owner in jobs:
            self.queue.set_state(owner, JobUpdate("loading" if batch.to_load else "running"))

    # --- messages from workers ---------------------------------------------------------------

    def _on_message(self, worker: WorkerHandle, message: Any) -> None:
        if isinstance(message, WorkerReady):
            worker.ready = True
            worker.device_name = message.device_name
            self._ready.set()
            log.info("Worker %d ready on %s (%s)", worker.index, message.device, message.device_name)
            self._wake.set()
        elif isinstance(message, BatchState):
            self._on_batch_state(message)
        elif isinstance(message, BatchDone):
            worker.status = message.status
            worker.batch = None
            worker.failures = 0  # it works: the next exit is restarted at once again
            self._on_batch_done(message)
            self._wake.set()
        elif isinstance(message, ModelLoaded):
            worker.status = message.status
            if not message.error:
                self.load_crashes.pop((message.task, message.ref), None)
            waiters = self._preloads.get((worker.index, message.task, message.ref), [])
            if waiters:
                future = waiters.pop(0)
                if not future.done():
                    future.set_result(message.error)

    def _on_batch_state(self, message: BatchState) -> None:
        batch = self._batches.get(message.batch_id)
        if batch is None:
            return
        now = time.monotonic()
        if message.state == "loading" and batch.load_deadline is None:
            self._late_load(batch, now)  # a model the pool thought loaded (it was evicted)
        if message.state == "running" and batch.load_deadline is not None:
            # Loaded: the part of the load timeout it did not use is taken back.
            unused = max(0.0, batch.load_deadline - now)
            batch.load_deadline = None
            for job in owners(batch.items):
                job.deadline -= unused
            batch.hard_deadline -= unused
            for model in batch.to_load:
                self.load_crashes.pop(model, None)
        for job in owners(batch.items):
            self.queue.set_state(job, JobUpdate(message.state))

    def _late_load(self, batch: Batch, now: float) -> None:
        """The worker loads a model the pool thought it had (evicted for another of the window's):
        the window gets its models' load timeouts (which one it loads is not said)."""
        for item in batch.items:
            model = item.job.model
            if model not in batch.to_load:
                batch.to_load[model] = self.load_timeout_s(model[1])
        allowance = sum(batch.to_load.values())
        batch.load_deadline = now + allowance
        for job in owners(batch.items):
            job.deadline += allowance
        batch.hard_deadline += allowance

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
        self._learn_load_rate(batch, message.load_s)
        if not self._batches:
            self._drained.set()
        for item, outcome in zip(batch.items, message.outcomes, strict=True):
            self.queue.settle(item, outcome)
        self.queue.finish_window(batch.window, measured)

    def _learn_load_rate(self, batch: Batch, load_s: float) -> None:
        """Learn the load rate from a window whose models (big enough to tell) were loaded."""
        size = sum(self._sizes_mb.get(ref, 0.0) for _, ref in batch.to_load)
        if size < LOAD_RATE_MIN_MB or load_s <= 0:
            return
        rate, old = size / load_s, self.load_rate_mb_s
        self.load_rate_mb_s = rate if old is None else min(rate, old + 0.3 * (rate - old))

    def _on_exit(self, worker: WorkerHandle, code: int | None) -> None:
        batch, worker.batch = worker.batch, None
        if not any(w.ready for w in self.workers):
            self._ready.clear()  # wait_ready() waits for the restarted one
        self.metrics.restarts += 0 if self.queue.closing else 1
        crashed: list[tuple[str, str]] = []  # the models whose load ended the worker
        for (index, task, ref), waiters in list(self._preloads.items()):
            if index == worker.index and waiters:
                crashed.append((task, ref))
                for future in waiters:
                    if not future.done():
                        future.set_result(CRASHED_LOADING.format(model=shown_name(ref)))
                waiters.clear()
        if batch is not None:
            self._batches.pop(batch.id, None)
            self.queue.finish_window(batch.window, None)
            if not self._batches:
                self._drained.set()
            if batch.load_deadline is not None and not self.queue.closing:
                crashed.extend(model for model in batch.to_load if model not in crashed)
            self._fail_batch(batch)
        if self.queue.closing:
            return
        for model in crashed:
            self._count_load_crash(model)
        worker.restarts += 1
        worker.failures += 1
        delay = RESTART_BACKOFF_S[min(worker.failures - 1, len(RESTART_BACKOFF_S) - 1)]
        log.warning("Worker %d exited (code %s); restarting in %.1f s", worker.index, code, delay)
        asyncio.get_running_loop().call_later(delay, self._restart, worker)

    def _fail_batch(self, batch: Batch) -> None:
        """Fail the requests of a window whose worker ended (those timed out already are over)."""
        loading = ", ".join(shown_name(ref) for _, ref in batch.to_load)
        if batch.load_timed_out:
            seconds = round(sum(batch.to_load.values()))
            error: PoolError = WorkerLost(LOAD_TOO_LONG.format(model=loading, seconds=seconds))
        elif batch.timed_out:
            error = WorkerLost(TOOK_TOO_LONG)
        elif batch.load_deadline is not None:
            error = WorkerLost(CRASHED_LOADING.format(model=loading))
        else:
            error = WorkerLost(WORKER_LOST)
        for item in batch.items:
            self.queue.fail(item.job, error)

    def _count_load_crash(self, model: tuple[str, str]) -> None:
        """One more load of ``model`` ended its worker; quarantine it after QUARANTINE_AFTER."""
        self.load_crashes[model] += 1
        count = self.load_crashes[model]
        task, ref = model
        if count < QUARANTINE_AFTER:
            log.warning("Loading %s (%s) ended its worker (%d in a row)", ref, task, count)
            return
        self.quarantined[model] = time.monotonic() + QUARANTINE_S
        log.error(
            "Loading %s (%s) ended its worker %d times in a row: it is off for %.0f minutes",
            ref,
            task,
            count,
            QUARANTINE_S / 60,
        )
        error = PoolError(self._quarantine_message(ref, QUARANTINE_S))
        for job in list(self.queue.waiting_jobs()):
            if job.model == model:
                self.queue.fail(job, error)

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
        """Time out requests past their deadlines; kill a worker whose load outlived its load
        timeout, or whose window outlived its requests' deadlines."""
        self.queue.expire(now)
        for worker in self.workers:
            batch = worker.batch
            if batch is None or batch.timed_out:
                continue
            if batch.load_deadline is not None and now > batch.load_deadline:
                batch.timed_out = batch.load_timed_out = True
                log.error(
                    "Worker %d hung loading %s for %.0f s: killing it",
                    worker.index,
                    ", ".join(ref for _, ref in batch.to_load),
                    now - batch.sent,
                )
                worker.kill()
            elif now > batch.hard_deadline:
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
