"""The Ray Serve backend: the local pool's interface and rules, with the models on a Ray cluster.

``INFERENCE_BACKEND=ray`` swaps this in for :class:`~bot.inference.pool.InferencePool`; the cogs
and the CLI see no difference. What stays in the bot is what Ray does not give it, and it is the
pool's own code (:class:`~bot.inference.jobs.JobQueue`): admission (global queue limit,
per-member in-flight limit), one fair waiting line (round-robin over members), queue positions
("queued #N" → "running" → done, throttled), per-task timeouts, cancellation of queued requests.

What goes to Ray: each task has one Serve deployment (RAY_DEPLOYMENTS=task; or one deployment
serves every task, ``shared``), see :mod:`bot.inference.ray_serve`, deployed on first use or at
start for PRELOAD_MODELS, whose replicas run the local workers' runners. The bot keeps at most
``PIPELINE_CALLS`` calls in flight per running replica of a deployment — one batch running, the
next one forming — and holds the rest in its own line, where members keep their
fair turn and their true place is known: each deployment is a lane of the line (see
:mod:`bot.inference.jobs`). Each call carries a *chunk*: the next window of the deployment's lane,
up to MAX_BATCH inputs of one (model, parameters) group; ``@serve.batch`` merges the chunks that
reach a replica together, and the replica sorts them by length and cuts them into batches with
its tuner (as a local worker does), so the bot needs no tokenizer. Serve's autoscaler sees the
calls each replica holds and adds replicas (up to RAY_REPLICAS_MAX) while they stay busy; the
bot's window grows with them.

Failures are sentences for members: an unreachable cluster (checked with one TCP connection
before ``ray.init``, which would otherwise retry for minutes) refuses model requests at once
while the rest of the bot works, and is retried every ``RETRY_AFTER_S``; a replica that dies
fails the requests it held with :class:`~bot.inference.errors.WorkerLost` (Serve starts another;
later requests succeed); a replica stuck in a batch fails its own health check and is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.inference import ray_cluster
from bot.inference.backend import CheckedRequest, JobUpdate, UpdateCallback
from bot.inference.catalog import Catalog
from bot.inference.errors import (
    SHUTTING_DOWN,
    WORKER_LOST,
    ClusterUnavailable,
    PoolClosed,
    PoolError,
    RequestCancelled,
    WorkerLost,
)
from bot.inference.jobs import JobQueue, QueuedInput, Window, owners
from bot.inference.metrics import PoolMetrics, PoolSnapshot, WorkerInfo
from bot.inference.notify import MIN_INTERVAL_S
from bot.inference.protocol import WorkerStatus
from bot.inference.ray_cluster import CONNECTION, SHARED, DeploymentView, app_name, deployment_name, where
from bot.inference.ray_serve import Chunk, ChunkDone, ReplicaConfig
from bot.settings import Settings
from bot.user_facing import UserFacingError

log = logging.getLogger(__name__)

#: Calls the bot keeps in flight per running replica of a deployment: one batch runs, one forms.
PIPELINE_CALLS = 2
WATCHDOG_INTERVAL_S = 0.25
#: How often the replicas' state is read from Serve (for the window, /status and health).
STATUS_INTERVAL_S = 2.0
#: Consecutive failed status reads after which the cluster counts as lost.
STATUS_FAILURES_LOST = 3
#: Seconds before an unreachable cluster, or a task that failed to deploy, is tried again.
RETRY_AFTER_S = 30.0
#: Seconds a deployment may take to come up (replicas scheduled, default model loaded), times
#: ``TIMEOUT_SCALE`` (three test suites at once beside two CPU burners took longer than 600 s).
DEPLOY_TIMEOUT_S = 600.0
DEPLOY_POLL_S = 0.25
#: Seconds, past its requests' deadlines, after which the bot stops waiting for a call.
CALL_GRACE_S = 30.0
#: Seconds close() waits for an in-progress connection attempt.
CONNECT_WAIT_ON_CLOSE_S = 120.0


@dataclass(eq=False)
class _Deployment:
    """One deployment as the bot tracks it."""

    name: str
    since: float
    state: str = "deploying"  # deploying | ready | failed
    handle: Any = None
    error: str = ""
    in_flight: int = 0  # calls sent and not answered
    running: int = 0  # replicas Serve reports RUNNING


@dataclass(eq=False)
class _Call:
    """One window sent to a deployment."""

    deployment: _Deployment
    window: Window
    parts: list[list[QueuedInput]]  # by (model, parameters): one Serve call each
    responses: list[Any]
    give_up_at: float
    waiter: asyncio.Task[None] | None = None
    abandoned: bool = False

    @property
    def items(self) -> list[QueuedInput]:
        return self.window.items


@dataclass
class _ReplicaSeen:
    """What a replica said about itself with its last answer."""

    device: str
    device_name: str
    status: WorkerStatus = field(default_factory=WorkerStatus)


class RayBackend:
    """Runs the course tasks on Ray Serve deployments, behind the local pool's interface."""

    def __init__(
        self, settings: Settings, *, catalog: Catalog | None = None, update_interval_s: float = MIN_INTERVAL_S
    ) -> None:
        self.settings = settings
        self.catalog = catalog or Catalog.load(settings.catalog_path)
        self.metrics = PoolMetrics()
        self._wake = asyncio.Event()
        self.queue = JobQueue(
            settings,
            self.metrics,
            wake=self._wake.set,
            lane_of=lambda task: deployment_name(settings, task),
            servers=self._replicas_running,
            update_interval_s=update_interval_s,
        )
        self._state = "new"  # new | connecting | ready | unavailable
        self._error = ""
        self._failed_at = 0.0
        self._acquired = False
        self._started = False
        self._connecting: asyncio.Task[None] | None = None
        self._deployments: dict[str, _Deployment] = {}
        self._deploying: set[asyncio.Task[None]] = set()
        self._calls: set[_Call] = set()
        self._drained = asyncio.Event()
        self._views: dict[str, DeploymentView] = {}
        self._seen: dict[str, _ReplicaSeen] = {}
        self._dead_seen: set[str] = set()
        self._restarts = 0
        self._status_failures = 0
        self._status_task: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting to the cluster in the background and return at once.

        The bot comes up (and serves everything but models) even when the cluster is slow or
        unreachable; requests wait for the connection, or are refused with a clear sentence.
        """
        if self._started:
            return
        self._started = True
        if self.settings.model_profile == "tiny":
            from bot.inference.catalog import TASK_NAMES
            from bot.inference.tiny import build_tiny_models, is_tiny_model_dir, tiny_model_dir

            root = self.settings.tiny_models_dir
            if not all(is_tiny_model_dir(tiny_model_dir(root, task)) for task in TASK_NAMES):
                await asyncio.to_thread(build_tiny_models, root)
        self._tasks = [
            asyncio.create_task(self._dispatch_forever(), name="ray-dispatcher"),
            asyncio.create_task(self._watch_forever(), name="ray-watchdog"),
        ]
        self._connecting = asyncio.create_task(self._connect(), name="ray-connect")

    async def wait_ready(self, limit_s: float = 120.0) -> None:
        """Wait for the connection; raise :class:`ClusterUnavailable` when there is none."""
        if not self._started:
            await self.start()
        if self._connecting is not None:
            await asyncio.wait_for(asyncio.shield(self._connecting), limit_s)
        if self._state != "ready":
            raise ClusterUnavailable(self._error or "The model cluster is not connected yet.")

    async def _connect(self) -> None:
        self._state = "connecting"
        log.info("Connecting to %s", where(self.settings))
        try:
            await CONNECTION.call(CONNECTION.acquire, self.settings)
        except ClusterUnavailable as error:
            self._unavailable(error.message)
            return
        self._acquired = True
        self._state, self._error = "ready", ""
        log.info("Inference on %s", where(self.settings))
        self._wake.set()
        if self.settings.preload_models:
            await self.preload(self.settings.preload_models)

    def _unavailable(self, message: str) -> None:
        """The cluster cannot be used now: refuse and fail what waits, try again later."""
        self._state, self._error, self._failed_at = "unavailable", message, time.monotonic()
        log.warning("Model cluster unavailable: %s", message)
        self.queue.fail_waiting(ClusterUnavailable(message))

    def _maybe_retry(self) -> None:
        if self._state != "unavailable" or time.monotonic() - self._failed_at < RETRY_AFTER_S:
            return
        if self._connecting is not None and not self._connecting.done():
            return
        self._connecting = asyncio.create_task(self._reconnect(), name="ray-reconnect")

    async def _reconnect(self) -> None:
        if self._acquired:  # the cluster was lost: drop the old connection first
            self._acquired = False
            with contextlib.suppress(Exception):
                await CONNECTION.call(CONNECTION.release)
            self._deployments.clear()
            self._views.clear()
        await self._connect()

    async def preload(self, specs: Sequence[str]) -> dict[str, str]:
        """Deploy ``task`` or ``task=model`` entries (the model is loaded as replicas start);
        returns errors by entry."""
        errors: dict[str, str] = {}
        tasks = []
        for spec in specs:
            task, _, model = spec.partition("=")
            try:
                self._resolve(task, model or None)
                tasks.append(task)
            except UserFacingError as error:  # an unknown task or model
                errors[spec] = error.message
        await self.deploy(tasks)
        for spec in specs:
            task = spec.partition("=")[0]
            deployment = self._deployments.get(deployment_name(self.settings, task))
            if spec not in errors and (deployment is None or deployment.state != "ready"):
                errors[spec] = deployment.error if deployment is not None else "not deployed"
        for spec, problem in errors.items():
            log.warning("Preloading %s failed: %s", spec, problem)
        return errors

    async def deploy(self, tasks: Sequence[str]) -> None:
        """Deploy what serves ``tasks`` now (in one Serve call) and wait until it is ready or failed."""
        await self.wait_ready()
        names = {deployment_name(self.settings, task) for task in tasks}
        self._start_deploy(sorted(name for name in names if name not in self._deployments))
        if self._deploying:
            await asyncio.gather(*list(self._deploying), return_exceptions=True)

    async def close(self, drain_timeout: float = 30.0) -> None:
        """Refuse new requests, let calls in flight finish (up to ``drain_timeout``), disconnect.

        Deployments on a cluster the bot joined stay up (a restarted bot finds its models warm);
        a local Ray instance the bot started stops with it.
        """
        if self.queue.closing:
            return
        self.queue.closing = True
        self.queue.fail_waiting(PoolClosed(SHUTTING_DOWN))
        if self._calls:
            self._drained.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), drain_timeout)
        self.queue.fail_all(PoolClosed(SHUTTING_DOWN))
        pending = [*self._tasks, *self._deploying, *(c.waiter for c in self._calls if c.waiter is not None)]
        if self._status_task is not None:
            pending.append(self._status_task)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._connecting is not None and not self._connecting.done():
            # ray.init cannot be interrupted: let the attempt end, then let go of what it got.
            with contextlib.suppress(TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(self._connecting), CONNECT_WAIT_ON_CLOSE_S)
        if self._acquired:
            self._acquired = False
            await CONNECTION.call(CONNECTION.release)
        log.info("Ray backend stopped")

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
        """Validate a request and reserve its place, or refuse it at once (the cluster's state too)."""
        request = self.queue.check(self.catalog, task, model, inputs, params, user)
        try:
            self._check_cluster(task)
        except UserFacingError:
            request.release()
            raise
        return request

    def _check_cluster(self, task: str) -> None:
        if self._state == "unavailable":
            self._maybe_retry()
            raise ClusterUnavailable(self._error)
        name = deployment_name(self.settings, task)
        deployment = self._deployments.get(name)
        if deployment is not None and deployment.state == "failed":
            if time.monotonic() - deployment.since < RETRY_AFTER_S:
                raise ClusterUnavailable(deployment.error)
            del self._deployments[name]  # try again with this request

    async def submit(
        self,
        checked: CheckedRequest,
        *,
        on_update: UpdateCallback | None = None,
        request_id: str | None = None,
    ) -> list[Any]:
        """Run a checked request on the cluster and return one result per input.

        Raises the local pool's :class:`~bot.errors.UserFacingError` classes, plus
        :class:`ClusterUnavailable` when the cluster cannot be reached.
        """
        if not self._started:
            await self.start()
        return await self.queue.run(checked, on_update=on_update, request_id=request_id)

    def _replicas_running(self, lane: Any) -> int:
        deployment = self._deployments.get(lane)
        return max(1, deployment.running) if deployment is not None else 1

    def cancel(self, request_id: str) -> bool:
        """Cancel a request by id. Queued inputs never reach the cluster; a sent chunk's result is dropped."""
        return self.queue.cancel(request_id)

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a request stands now, or None when it is not queued or running."""
        return self.queue.job_state(request_id)

    # --- deploying ---------------------------------------------------------------------------

    def _resolve(self, task: str, model: str | None) -> str:
        settings = self.settings
        return self.catalog.resolve(
            task, model, profile=settings.model_profile, tiny_dir=settings.tiny_models_dir
        ).ref

    def _replica_config(self, name: str) -> ReplicaConfig:
        """What the replicas of deployment ``name`` run, from the settings alone (so that every bot
        with the same settings and code asks for the same deployment, and none restarts it)."""
        from bot.inference.catalog import TASK_NAMES

        settings = self.settings
        tasks = tuple(TASK_NAMES) if name == SHARED else (name,)
        wanted = dict(entry.partition("=")[::2] for entry in settings.preload_models)
        if name != SHARED:
            wanted.setdefault(name, "")  # a task's own deployment starts with its default model warm
        preload = []
        for task, model in sorted(wanted.items()):
            if task in tasks:
                with contextlib.suppress(UserFacingError):  # preload() reports bad entries
                    preload.append((task, self._resolve(task, model or None)))
        return ReplicaConfig(
            name=name,
            tasks=tasks,
            preload=tuple(preload),
            gpus=settings.ray_gpus_per_replica,
            torch_threads=settings.torch_threads or max(1, math.ceil(settings.ray_cpus_per_replica)),
            cache_dir=settings.model_cache_dir,
            max_models=settings.max_models_per_device,
            memory_budget_mb=float(settings.model_memory_budget_mb),
            max_batch=settings.max_batch,
            max_wait_s=settings.max_wait_ms / 1000,
            max_batch_tokens=settings.max_batch_tokens,
            hang_limit_s=max(self.queue.timeout_for(task) for task in tasks) + self.queue.hang_grace_s,
            log_level=settings.log_level,
            timeout_scale=settings.timeout_scale,
        )

    def _start_deploy(self, names: list[str]) -> None:
        if not names:
            return
        now = time.monotonic()
        for name in names:
            self._deployments[name] = _Deployment(name, now)
        deploying = asyncio.create_task(self._deploy(names), name="ray-deploy")
        self._deploying.add(deploying)
        deploying.add_done_callback(self._deploying.discard)

    async def _deploy(self, names: list[str]) -> None:
        settings = self.settings
        try:
            configs = [self._replica_config(name) for name in names]
            code = await CONNECTION.call(ray_cluster.code_fingerprint)
            plans = [ray_cluster.make_plan(settings, config, code) for config in configs]
            redeployed = await CONNECTION.call(ray_cluster.deploy, plans)
            log.info("Deploying %s on %s", ", ".join(redeployed) or "nothing new", where(settings))
            pending = set(names)
            allowed_s = DEPLOY_TIMEOUT_S * settings.timeout_scale
            limit = time.monotonic() + allowed_s
            while pending:
                for name in sorted(pending):
                    status, message = await CONNECTION.call(ray_cluster.app_status, name)
                    if status == "RUNNING":
                        handle = await CONNECTION.call(ray_cluster.get_handle, name)
                        self._deployed(name, handle)
                        pending.discard(name)
                    elif status in ("DEPLOY_FAILED", "UNHEALTHY"):
                        self._deploy_failed(name, f"Serve reports {status}: {message}".strip())
                        pending.discard(name)
                if pending and time.monotonic() > limit:
                    for name in pending:
                        self._deploy_failed(
                            name,
                            f"not ready after {allowed_s:.0f} s: the cluster may lack the CPUs or "
                            "GPUs that RAY_CPUS_PER_REPLICA / RAY_GPUS_PER_REPLICA ask for",
                        )
                    return
                if pending:
                    await asyncio.sleep(DEPLOY_POLL_S)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("Deploying %s failed", ", ".join(names), exc_info=True)
            for name in names:
                if self._deployments.get(name) is not None and self._deployments[name].state == "deploying":
                    self._deploy_failed(name, f"{type(error).__name__}: {error}")

    def _served_by(self, name: str, task: str) -> bool:
        return deployment_name(self.settings, task) == name

    def _deployed(self, name: str, handle: Any) -> None:
        deployment = self._deployments[name]
        deployment.state, deployment.handle = "ready", handle
        deployment.running = max(deployment.running, 1)
        # Starting replicas and loading the model is not the members' wait (as model loading in
        # the local pool): their clocks move on by the time it took.
        took = time.monotonic() - deployment.since
        for job in list(self.queue.jobs.values()):
            if self._served_by(name, job.task):
                job.deadline += took
        log.info("%s is ready on %s (%.1f s)", app_name(name), where(self.settings), took)
        self._wake.set()

    def _deploy_failed(self, name: str, reason: str) -> None:
        deployment = self._deployments[name]
        deployment.state, deployment.since = "failed", time.monotonic()
        what = "models" if name == SHARED else f"{name} model"
        deployment.error = (
            f"The {what} could not be started on the model cluster ({reason[:300]}); "
            "please try again in a minute."
        )
        log.warning("Deploying %s failed: %s", app_name(name), reason)
        for job in list(self.queue.jobs.values()):
            if self._served_by(name, job.task):
                self.queue.fail(job, ClusterUnavailable(deployment.error))

    # --- dispatching --------------------------------------------------------------------------

    async def _dispatch_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._dispatch()

    def _window(self, deployment: _Deployment) -> int:
        return PIPELINE_CALLS * max(1, deployment.running)

    def _dispatch(self) -> None:
        """Send chunks (windows of each deployment's lane) to deployments with room; start the
        deployments that are missing."""
        if self._state == "unavailable":  # e.g. inputs queued while a connection attempt failed
            self.queue.fail_waiting(ClusterUnavailable(self._error))
        if self._state != "ready" or self.queue.closing:
            return
        queue = self.queue
        lanes = [name for name in queue.lanes if isinstance(name, str)]  # here, deployment names
        missing = [name for name in lanes if queue.has_waiting(name) and name not in self._deployments]
        self._start_deploy(sorted(missing))
        for name in lanes:
            deployment = self._deployments.get(name)
            if deployment is None or deployment.state != "ready":
                continue
            while deployment.in_flight < self._window(deployment):
                now = time.monotonic()
                items, wait = queue.window(name, lambda job: self.settings.max_batch, now, 0.0)
                if not items:
                    if wait > 0:  # a reserved head: look again once it may have been submitted
                        asyncio.get_running_loop().call_later(wait, self._wake.set)
                    break
                self._send(deployment, queue.take(items, now))

    def _send(self, deployment: _Deployment, window: Window) -> None:
        """One call per (model, parameters) part of the window; they travel and are merged together."""
        parts = window.parts()
        responses = []
        try:
            for part in parts:
                job = part[0].job
                chunk = Chunk(job.task, job.ref, job.params, [item.payload for item in part])
                responses.append(deployment.handle.run.remote(chunk))
        except Exception as error:
            for response in responses:
                response.cancel()
            failure = self._call_error(error)
            self.queue.finish_window(window, None)
            for item in window.items:
                self.queue.fail(item.job, failure)
            return
        grace = CALL_GRACE_S * self.settings.timeout_scale
        give_up_at = max(item.job.deadline for item in window.items) + grace
        call = _Call(deployment, window, parts, responses, give_up_at)
        deployment.in_flight += 1
        self._calls.add(call)
        for owner in owners(window.items):
            self.queue.set_state(owner, JobUpdate("running"))
        call.waiter = asyncio.create_task(self._finish(call), name="ray-call")

    async def _finish(self, call: _Call) -> None:
        measured: dict[tuple[str, str], tuple[int, float]] = {}
        try:
            for part, response in zip(call.parts, call.responses, strict=True):
                try:
                    done: ChunkDone = await response
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    failure = self._call_error(error, abandoned=call.abandoned)
                    for item in part:
                        self.queue.fail(item.job, failure)
                else:
                    self._record(part, done, measured)
        except asyncio.CancelledError:
            for item in call.items:
                self.queue.fail(item.job, PoolClosed(SHUTTING_DOWN))
            raise
        finally:
            self.queue.finish_window(call.window, measured)
            call.deployment.in_flight -= 1
            self._calls.discard(call)
            if not self._calls:
                self._drained.set()
            self._wake.set()

    def _record(
        self, part: list[QueuedInput], done: ChunkDone, measured: dict[tuple[str, str], tuple[int, float]]
    ) -> None:
        job = part[0].job
        for size, seconds in done.batches:
            self.metrics.record_batch(job.task, size, seconds)
            items, total = measured.get(job.model, (0, 0.0))
            measured[job.model] = (items + size, total + seconds)
        self._seen[done.replica] = _ReplicaSeen(done.device, done.device_name, done.status)
        if len(done.outcomes) != len(part):  # pragma: no cover - a replica bug
            log.warning("A replica answered %d outcomes for %d inputs", len(done.outcomes), len(part))
            for item in part:
                self.queue.fail(item.job, PoolError("The model answered incompletely; please try again."))
            return
        for item, outcome in zip(part, done.outcomes, strict=True):
            self.queue.settle(item, outcome)

    def _call_error(self, error: BaseException, *, abandoned: bool = False) -> PoolError:
        """The member's sentence for a failed call."""
        from ray import exceptions as ray_errors
        from ray.serve import exceptions as serve_errors

        if isinstance(error, ray_errors.RayActorError | serve_errors.ReplicaUnavailableError):
            log.warning("A replica died while holding a request: %s", str(error).splitlines()[0])
            return WorkerLost(WORKER_LOST)
        if isinstance(error, serve_errors.RequestCancelledError | ray_errors.TaskCancelledError):
            return RequestCancelled(
                "Cancelled." if not abandoned else "The model took too long and was stopped."
            )
        if isinstance(
            error,
            ray_errors.RaySystemError
            | ray_errors.NodeDiedError
            | ray_errors.LocalRayletDiedError
            | serve_errors.DeploymentUnavailableError
            | ConnectionError,
        ):
            log.warning("The model cluster failed a call: %s", error)
            return ClusterUnavailable("The model cluster stopped answering; please try again in a minute.")
        code = secrets.token_hex(3)
        log.error("Model call failure %s", code, exc_info=error)
        return PoolError(f"The model failed on this request (error code `{code}`).")

    # --- watching ------------------------------------------------------------------------------

    def _paused(self) -> set[int]:
        """Jobs whose clocks are stopped: waiting for the connection or for their deployment."""
        if self._state in ("new", "connecting"):
            return {id(job) for job in self.queue.jobs.values()}
        deploying = {name for name, d in self._deployments.items() if d.state == "deploying"}
        return {
            id(job)
            for job in self.queue.jobs.values()
            if deployment_name(self.settings, job.task) in deploying
        }

    async def _watch_forever(self) -> None:
        last_status = 0.0
        while True:
            await asyncio.sleep(WATCHDOG_INTERVAL_S)
            now = time.monotonic()
            self.queue.expire(now, self._paused())
            for call in list(self._calls):
                if not call.abandoned and now > call.give_up_at:
                    call.abandoned = True
                    for response in call.responses:
                        response.cancel()
            ready = [name for name, d in self._deployments.items() if d.state == "ready"]
            status_busy = self._status_task is not None and not self._status_task.done()
            if (
                self._state == "ready"
                and ready
                and not status_busy
                and now - last_status >= STATUS_INTERVAL_S
            ):
                last_status = now
                self._status_task = asyncio.create_task(self._read_status(ready), name="ray-status")

    async def _read_status(self, names: list[str]) -> None:
        try:
            views = await CONNECTION.call(ray_cluster.read_deployments, names)
        except Exception as error:
            self._status_failures += 1
            log.warning("Reading the replicas' state failed (%d in a row): %s", self._status_failures, error)
            if self._status_failures >= STATUS_FAILURES_LOST and self._state == "ready":
                self._unavailable("The model cluster stopped answering; please try again in a minute.")
            return
        self._status_failures = 0
        self.update_views(views)

    def update_views(self, views: dict[str, DeploymentView]) -> None:
        """Take in Serve's view of the deployments: running replicas (the window), replaced ones."""
        for name, view in views.items():
            deployment = self._deployments.get(name)
            if deployment is not None:
                deployment.running = view.running
            previous = self._views.get(name)
            dead = set(view.dead) - self._dead_seen
            # A replica gone while the target did not shrink was replaced (died or failed its
            # health check); one gone because the autoscaler scaled down was not.
            if previous is not None and dead and view.target >= previous.target:
                self._restarts += len(dead)
            self._dead_seen |= set(view.dead)
        self._views.update(views)
        live = {r.replica_id for view in self._views.values() for r in view.replicas}
        self._seen = {replica: seen for replica, seen in self._seen.items() if replica in live}
        self._wake.set()

    # --- reporting ------------------------------------------------------------------------------

    def device_names(self) -> list[str]:
        """The devices of the live replicas (``cpu × 3``, ``cuda:0 (NVIDIA H100) × 2``), or the cluster."""
        counts = Counter(
            f"{seen.device} ({seen.device_name})" if seen.device_name not in ("", "CPU") else seen.device
            for seen in self._seen.values()
        )
        if counts:
            return [name if count == 1 else f"{name} × {count}" for name, count in sorted(counts.items())]
        if self._state == "unavailable":
            return [f"Ray: {where(self.settings)} (unreachable)"]
        return [f"Ray: {where(self.settings)}"]

    def worker_health(self) -> tuple[int, int]:
        """(replicas running, replicas wanted) over the deployed tasks; (0, 1) when the cluster is lost."""
        if self._state == "unavailable":
            return (0, 1)
        return (
            sum(view.running for view in self._views.values()),
            sum(view.target for view in self._views.values()),
        )

    def loaded_model_count(self) -> int:
        return sum(len(seen.status.loaded) for seen in self._seen.values())

    def snapshot(self) -> PoolSnapshot:
        """Every figure /status and the benchmark show; a worker is a Serve replica."""
        queued = self.queue.queued_by_task()
        tasks = {
            task: self.metrics.task_metrics(task, queued.get(task, 0))
            for task in sorted(set(self.metrics.tasks()) | set(queued))
        }
        workers: list[WorkerInfo] = []
        for name in sorted(self._views):
            for replica in self._views[name].replicas:
                seen = self._seen.get(replica.replica_id)
                status = seen.status if seen is not None else WorkerStatus()
                workers.append(
                    WorkerInfo(
                        index=len(workers),
                        device=seen.device if seen is not None else "ray",
                        device_name=seen.device_name if seen is not None else "",
                        alive=replica.state == "RUNNING",
                        busy=bool(replica.ongoing),
                        loaded=status.loaded,
                        memory_used_mb=status.memory_used_mb,
                        memory_total_mb=status.memory_total_mb,
                        restarts=0,
                        deployment=app_name(name),
                        replica_id=replica.replica_id,
                        state=replica.state,
                        ongoing=replica.ongoing,
                    )
                )
        sizes = [size for task in tasks for size in self.metrics.batch_sizes[task]]
        running = sum(len(call.items) for call in self._calls)
        return PoolSnapshot(tasks, self.queue.waiting_count, running, self._restarts, workers, sizes)
