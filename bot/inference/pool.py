"""The inference worker pool: the event loop's side of every model request.

``await pool.submit(task, model, inputs, params, user=…, on_update=…)`` validates the request,
admits it or refuses it at once (a global queue limit and a per-member in-flight limit), measures
each input's token length off the event loop, and queues it. A dispatcher builds micro-batches
(see :mod:`bot.inference.batching`) for free worker processes — one or more per device — and
routes each input's outcome back to its request. The pool reports every request's state
(queued #N → loading model → running) through ``on_update``, enforces per-task timeouts, kills
and restarts a worker that dies or hangs (failing only the requests it held), and drains on
shutdown. The event loop never runs a model or tokenizes a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.errors import UserFacingError
from bot.inference.backend import CheckedRequest, JobUpdate, UpdateCallback
from bot.inference.batching import WaitingItem, choose_anchor, select_batch, should_wait
from bot.inference.catalog import Catalog
from bot.inference.devices import resolve_devices
from bot.inference.metrics import PoolMetrics, PoolSnapshot, WorkerInfo
from bot.inference.notify import MIN_INTERVAL_S, Notifier
from bot.inference.protocol import (
    BatchDone,
    BatchState,
    LoadModel,
    ModelLoaded,
    Outcome,
    RunBatch,
    Stop,
    WorkerReady,
)
from bot.inference.tasks import TaskSpec, get_task
from bot.inference.worker import WorkerConfig
from bot.inference.workers import WorkerHandle
from bot.settings import Settings

log = logging.getLogger(__name__)

#: Seconds a request may take, queue wait included (model loading is not counted).
TASK_TIMEOUTS_S = {
    "sentiment-analysis": 60.0,
    "zero-shot-classification": 90.0,
    "text-generation": 180.0,
    "fill-mask": 60.0,
    "ner": 60.0,
    "question-answering": 90.0,
    "summarization": 180.0,
    "translation": 180.0,
    "tokenize": 30.0,
}
#: Extra seconds (times TIMEOUT_SCALE) a running batch gets past its requests' deadlines before
#: its worker is killed as hung.
HANG_GRACE_S = 15.0
#: Seconds a worker may spend loading one model before it is considered hung.
LOAD_TIMEOUT_S = 900.0
WATCHDOG_INTERVAL_S = 0.25
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class PoolError(UserFacingError):
    """A request the pool cannot serve; the message is for the member."""


class QueueFullError(PoolError):
    """The global queue limit is reached."""


class MemberLimitError(PoolError):
    """The member already has the allowed number of requests in flight."""


class RequestTimeout(PoolError):
    """The request took longer than its task's timeout."""


class RequestCancelled(PoolError):
    """The request was cancelled before it finished."""


class WorkerLost(PoolError):
    """The worker running the request died or hung and was restarted."""


class PoolClosed(PoolError):
    """The pool is shutting down."""


@dataclass(eq=False)
class Job:
    """One submitted request: its inputs' places in the queue, and their outcomes."""

    id: str
    task: str
    ref: str
    member: Hashable
    params: dict[str, Any]
    submitted: float
    deadline: float
    future: asyncio.Future[list[Any]]
    notifier: Notifier
    items: list[WaitingItem] = field(default_factory=list)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    position: int | None = None

    @property
    def finished(self) -> bool:
        return self.future.done()


@dataclass(eq=False)
class Batch:
    """Inputs sent together to one worker."""

    id: int
    task: str
    ref: str
    items: list[WaitingItem]
    sent: float
    load_started: float | None = None
    loading: bool = False
    hard_deadline: float = 0.0
    timed_out: bool = False


def _timeout_for(task: str, settings: Settings) -> float:
    return TASK_TIMEOUTS_S.get(task, 120.0) * settings.timeout_scale


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
        self._jobs: dict[str, Job] = {}
        self._waiting: list[WaitingItem] = []
        self._groups: dict[Hashable, list[WaitingItem]] = defaultdict(list)
        self._batches: dict[int, Batch] = {}
        self._last_served: dict[Hashable, float] = {}
        self._member_jobs: dict[Hashable, int] = defaultdict(int)
        self._admitted_items = 0
        self._tokenizers: dict[str, Any] = {}
        self._tokenizer_lock = threading.Lock()
        self._batch_ids = itertools.count(1)
        self._job_ids = itertools.count(1)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned = False
        self._closing = False
        self._started = False
        self._ready = asyncio.Event()
        self._drained = asyncio.Event()
        self._preloads: dict[tuple[str, str], list[asyncio.Future[str]]] = defaultdict(list)

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Resolve devices, build tiny models if that profile is on, preload what is asked.

        Worker processes start with the first request (or now, when models are preloaded), so a
        bot that is only asked for homework never pays for them.
        """
        if self._started:
            return
        self._started = True
        self.devices = await asyncio.to_thread(resolve_devices, self.settings.devices)
        self.workers = self._plan_workers()
        if self.settings.model_profile == "tiny":
            from bot.inference.tiny import build_tiny_models

            await asyncio.to_thread(build_tiny_models, self.settings.tiny_models_dir)
        self._tasks = [
            asyncio.create_task(self._dispatch_forever(), name="pool-dispatcher"),
            asyncio.create_task(self._watch_forever(), name="pool-watchdog"),
        ]
        log.info("Inference pool: %d workers on %s", len(self.workers), ", ".join(self.devices))
        if self.settings.preload_models:
            await self.preload(self.settings.preload_models)

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
                )
                workers.append(WorkerHandle(len(workers), config, self._on_message, self._on_exit))
        return workers

    async def _spawn_workers(self) -> None:
        if self._spawned or self._closing:
            return
        self._spawned = True
        loop = asyncio.get_running_loop()
        for worker in self.workers:
            await asyncio.to_thread(worker.start, loop)

    async def wait_ready(self, limit_s: float = 120.0) -> None:
        """Start the workers if needed and wait until at least one can take batches."""
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
        if self._closing:
            return
        self._closing = True
        for item in list(self._waiting):
            self._fail_job(item.job, PoolClosed("The bot is shutting down; please ask again in a minute."))
        if self._batches:
            self._drained.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), drain_timeout)
        for job in list(self._jobs.values()):
            self._fail_job(job, PoolClosed("The bot is shutting down; please ask again in a minute."))
        for worker in self.workers:
            worker.send(Stop())
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

    async def submit(
        self,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        *,
        user: Hashable = 0,
        on_update: UpdateCallback | None = None,
        request_id: str | None = None,
    ) -> list[Any]:
        """Run ``task`` on ``inputs`` and return one result per input (v4 pipeline schema).

        Raises a :class:`~bot.errors.UserFacingError` for anything the member should read: a
        bad input or model, a full queue, their own in-flight limit, a timeout, a cancelled
        request, a worker that died, or an input the model failed on.
        """
        if not self._started:
            await self.start()
        request = self.check(task, model, inputs, params, user=user)
        spec, resolved, checked, full_params = request.spec, request.model, request.inputs, request.params
        self._admit(user, len(checked))
        job_id = request_id or f"job-{next(self._job_ids)}"
        if job_id in self._jobs:
            self._release(user, len(checked))
            raise ValueError(f"request id {job_id!r} is already in use")
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        job = Job(
            id=job_id,
            task=task,
            ref=resolved.ref,
            member=user,
            params=full_params,
            submitted=now,
            deadline=now + _timeout_for(task, self.settings),
            future=loop.create_future(),
            notifier=Notifier(on_update, self.update_interval_s),
        )
        self._jobs[job_id] = job
        try:
            costs = await asyncio.to_thread(self._measure, spec, resolved.ref, checked, full_params)
            if job.finished:  # cancelled or shut down while measuring
                return await job.future
            group = (task, resolved.ref, spec.batch_key(full_params))
            enqueued = time.monotonic()
            for index, (item, cost) in enumerate(zip(checked, costs, strict=True)):
                waiting = WaitingItem(group, user, cost, enqueued, payload=item, job=job, index=index)
                job.items.append(waiting)
                self._waiting.append(waiting)
                self._groups[group].append(waiting)
            self._update_positions()
            self._wake.set()
            await self._spawn_workers()
            return await job.future
        except asyncio.CancelledError:
            self._fail_job(job, RequestCancelled("Cancelled."))
            raise
        finally:
            self._forget(job)
            self._release(user, len(checked))
            await job.notifier.close()
            self.metrics.record_request(
                task,
                time.monotonic() - job.submitted,
                failed=not job.future.done() or job.future.cancelled() or job.future.exception() is not None,
            )

    def check(
        self,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        *,
        user: Hashable = 0,
    ) -> CheckedRequest:
        """Everything :meth:`submit` would refuse at once, without queueing anything.

        Raises the same errors (unknown task or model, bad input or parameter, shutting down,
        queue full, member limit); returns the validated request. A cog calls this before it
        acknowledges an interaction, so bad input gets an ephemeral error and nothing is queued.
        """
        if self._closing:
            raise PoolClosed("The bot is shutting down; please ask again in a minute.")
        spec = get_task(task)
        resolved = self.catalog.resolve(
            task, model, profile=self.settings.model_profile, tiny_dir=self.settings.tiny_models_dir
        )
        checked, full_params = spec.validate(list(inputs), params)
        self._check_admission(user, len(checked))
        return CheckedRequest(spec, resolved, checked, full_params)

    def cancel(self, request_id: str) -> bool:
        """Cancel a request by id. Queued inputs never run; a running batch's result is dropped."""
        job = self._jobs.get(request_id)
        if job is None or job.finished:
            return False
        self._fail_job(job, RequestCancelled("Cancelled."))
        return True

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a request stands now, or None when it is not in the pool."""
        job = self._jobs.get(request_id)
        return job.notifier.last if job is not None else None

    def _admit(self, member: Hashable, items: int) -> None:
        self._check_admission(member, items)
        self._member_jobs[member] += 1
        self._admitted_items += items

    def _check_admission(self, member: Hashable, items: int) -> None:
        limit = self.settings.member_inflight_limit
        if self._member_jobs[member] >= limit:
            noun = "request" if limit == 1 else "requests"
            raise MemberLimitError(
                f"You already have {self._member_jobs[member]} {noun} running (the limit is {limit}); "
                "wait for them to finish."
            )
        if self._admitted_items + items > self.settings.queue_limit:
            raise QueueFullError(
                f"The model queue is full ({self.settings.queue_limit} requests); "
                "please try again in a minute."
            )

    def _release(self, member: Hashable, items: int) -> None:
        self._member_jobs[member] -= 1
        if self._member_jobs[member] <= 0:
            del self._member_jobs[member]
        self._admitted_items -= items

    def _measure(self, spec: TaskSpec, ref: str, items: list[Any], params: dict[str, Any]) -> list[int]:
        """Token costs of ``items`` (runs in a thread: loading a tokenizer reads files)."""
        tokenizer = self._tokenizers.get(ref)
        if tokenizer is None:
            # One loader at a time: concurrent requests for a new model wait for one load (and
            # transformers' lazy imports are not safe to run from several threads at once).
            with self._tokenizer_lock:
                tokenizer = self._tokenizers.get(ref)
                if tokenizer is None:
                    from bot.inference.loading import load_tokenizer

                    tokenizer = load_tokenizer(ref, self.settings.model_cache_dir, task=spec.name)
                    self._tokenizers[ref] = tokenizer
        return [max(1, spec.cost(tokenizer, item, params)) for item in items]

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

    def _dispatch(self) -> float:
        """Send batches to free workers; return seconds until a held batch should go (0: none)."""
        while self._waiting:
            free = [w for w in self.workers if w.ready and w.batch is None]
            if not free:
                return 0.0
            anchor = choose_anchor(self._waiting, self._last_served)
            assert anchor is not None
            group = self._groups[anchor.group]
            now = time.monotonic()
            wait = should_wait(
                anchor,
                len(group),
                now,
                max_batch=self.settings.max_batch,
                max_wait_s=self.settings.max_wait_ms / 1000,
            )
            if wait > 0:
                return wait
            chosen = select_batch(
                anchor, group, max_batch=self.settings.max_batch, max_tokens=self.settings.max_batch_tokens
            )
            task, ref = anchor.job.task, anchor.job.ref
            worker = next((w for w in free if w.loaded(task, ref)), None) or min(
                free, key=lambda w: len(w.status.loaded)
            )
            self._send_batch(worker, chosen, now)
            self._last_served[anchor.member] = now
        return 0.0

    def _send_batch(self, worker: WorkerHandle, items: list[WaitingItem], now: float) -> None:
        chosen = set(map(id, items))
        self._waiting = [item for item in self._waiting if id(item) not in chosen]
        group = self._groups[items[0].group]
        group[:] = [item for item in group if id(item) not in chosen]
        if not group:
            del self._groups[items[0].group]
        job = items[0].job
        batch = Batch(next(self._batch_ids), job.task, job.ref, items, now)
        grace = max(0.5, HANG_GRACE_S * self.settings.timeout_scale)
        batch.hard_deadline = max(item.job.deadline for item in items) + grace
        self._batches[batch.id] = batch
        worker.batch = batch
        worker.send(RunBatch(batch.id, job.task, job.ref, [item.payload for item in items], job.params))
        for owner in {id(item.job): item.job for item in items}.values():
            owner.notifier.update(JobUpdate("running" if worker.loaded(job.task, job.ref) else "loading"))
        self._update_positions()

    def _update_positions(self) -> None:
        """Tell every queued request its place: 1 + inputs of other requests ahead of it."""
        ahead = 0
        seen: set[int] = set()
        for item in sorted(self._waiting, key=lambda waiting: waiting.enqueued):
            job = item.job
            if id(job) in seen:
                continue
            seen.add(id(job))
            position = ahead + 1
            ahead += sum(1 for own in job.items if own in self._waiting)
            if job.position != position:
                job.position = position
                job.notifier.update(JobUpdate("queued", position=position))

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
            for job in {id(item.job): item.job for item in batch.items}.values():
                job.deadline += loading
            batch.hard_deadline += loading
        for job in {id(item.job): item.job for item in batch.items}.values():
            if not job.finished:
                job.notifier.update(JobUpdate(message.state))

    def _on_batch_done(self, message: BatchDone) -> None:
        batch = self._batches.pop(message.batch_id, None)
        if batch is None:
            return
        self.metrics.record_batch(batch.task, len(batch.items), message.run_s)
        if not self._batches:
            self._drained.set()
        for item, outcome in zip(batch.items, message.outcomes, strict=True):
            self._settle_item(item, outcome)

    def _settle_item(self, item: WaitingItem, outcome: Outcome) -> None:
        job: Job = item.job
        if job.finished:
            return
        if not outcome.ok:
            self._fail_job(job, PoolError(outcome.error))
            return
        job.outcomes[item.index] = outcome
        if len(job.outcomes) == len(job.items):
            job.future.set_result([job.outcomes[index].value for index in range(len(job.items))])

    def _on_exit(self, worker: WorkerHandle, code: int | None) -> None:
        batch, worker.batch = worker.batch, None
        self.metrics.restarts += 0 if self._closing else 1
        if batch is not None:
            self._batches.pop(batch.id, None)
            if not self._batches:
                self._drained.set()
            if batch.timed_out:
                error: PoolError = WorkerLost(
                    "The model took too long and was stopped; try a shorter input or fewer new tokens."
                )
            else:
                error = WorkerLost(
                    "The model worker stopped while running your request (it is being restarted); "
                    "please try again."
                )
            for item in batch.items:
                self._fail_job(item.job, error)
        if self._closing:
            return
        worker.restarts += 1
        worker.failures += 1
        delay = RESTART_BACKOFF_S[min(worker.failures - 1, len(RESTART_BACKOFF_S) - 1)]
        log.warning("Worker %d exited (code %s); restarting in %.1f s", worker.index, code, delay)
        asyncio.get_running_loop().call_later(delay, self._restart, worker)

    def _restart(self, worker: WorkerHandle) -> None:
        if self._closing:
            return
        worker.status = type(worker.status)()
        worker.start(asyncio.get_running_loop())

    # --- failing, timing out -----------------------------------------------------------------

    def _fail_job(self, job: Job, error: PoolError) -> None:
        """End ``job`` with ``error``; its queued inputs leave the queue, running ones are ignored."""
        if job.finished:
            return
        job.future.set_exception(error)
        job.future.exception()  # retrieved here: the submitter may be gone (cancelled)
        self._forget(job)

    def _forget(self, job: Job) -> None:
        """Take the job's waiting inputs out of the queue and the job out of the index."""
        own = {id(item) for item in job.items}
        if own and any(id(item) in own for item in self._waiting):
            self._waiting = [item for item in self._waiting if id(item) not in own]
            for key in list(self._groups):
                self._groups[key] = [item for item in self._groups[key] if id(item) not in own]
                if not self._groups[key]:
                    del self._groups[key]
            self._update_positions()
        if self._jobs.get(job.id) is job:
            del self._jobs[job.id]

    async def _watch_forever(self) -> None:
        while True:
            await asyncio.sleep(WATCHDOG_INTERVAL_S)
            self._check_deadlines(time.monotonic())

    def _check_deadlines(self, now: float) -> None:
        # Time spent loading a model is not the member's wait: those jobs' clocks are stopped
        # (and moved on by the load's duration once it ends).
        loading = {id(item.job) for b in self._batches.values() if b.loading for item in b.items}
        for job in list(self._jobs.values()):
            if not job.finished and id(job) not in loading and now > job.deadline:
                seconds = round(_timeout_for(job.task, self.settings))
                self._fail_job(
                    job,
                    RequestTimeout(
                        f"This took longer than {seconds} second{'' if seconds == 1 else 's'}, "
                        "so it was stopped. "
                        "Try a shorter input, or again when the queue is shorter."
                    ),
                )
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
                    batch.task,
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
        queued: dict[str, int] = defaultdict(int)
        for item in self._waiting:
            queued[item.job.task] += 1
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
            len(self._waiting),
            sum(len(b.items) for b in self._batches.values()),
            self.metrics.restarts,
            workers,
            sizes,
        )
