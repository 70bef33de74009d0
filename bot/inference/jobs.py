"""The bot's side of every model request, shared by the backends (local pool, Ray Serve).

A :class:`JobQueue` does what no serving engine does for the bot: it checks a request before it
is acknowledged, admits it or refuses it at once (:class:`~bot.inference.admission.Admission`),
keeps its inputs in one fair waiting line grouped by (task, model, parameters), tells each
request its place in that line (queued #N → running → done, through a throttled
:class:`~bot.inference.notify.Notifier`), times requests out, cancels them, and settles each
input's outcome. A backend decides only *where* a batch of waiting inputs goes: it picks them
(with :mod:`bot.inference.batching`), calls :meth:`JobQueue.take`, runs them, and hands every
outcome to :meth:`JobQueue.settle`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.inference.admission import Admission
from bot.inference.backend import CheckedRequest, JobUpdate, UpdateCallback
from bot.inference.batching import WaitingItem
from bot.inference.catalog import Catalog
from bot.inference.errors import SHUTTING_DOWN, PoolClosed, PoolError, RequestCancelled, RequestTimeout
from bot.inference.metrics import PoolMetrics
from bot.inference.notify import MIN_INTERVAL_S, Notifier
from bot.inference.protocol import Outcome
from bot.inference.tasks import TaskSpec, get_task
from bot.settings import Settings

#: Extra seconds (times TIMEOUT_SCALE) a running batch gets past its requests' deadlines before
#: whatever runs it counts as hung (a local worker is killed; a Ray replica's batch is abandoned).
HANG_GRACE_S = 15.0

#: ``measure(spec, ref, inputs, params)``: each input's token cost (see ``TaskSpec.cost``).
Measure = Callable[[TaskSpec, str, list[Any], dict[str, Any]], Awaitable[list[int]]]


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


def owners(items: Iterable[WaitingItem]) -> list[Job]:
    """The distinct jobs that ``items`` belong to, in first-seen order."""
    return list({id(item.job): item.job for item in items}.values())


class JobQueue:
    """Admission, the fair waiting line, positions, timeouts and cancellation, for one backend."""

    def __init__(
        self,
        settings: Settings,
        metrics: PoolMetrics,
        *,
        wake: Callable[[], None],
        update_interval_s: float = MIN_INTERVAL_S,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.admission = Admission(settings)
        self.update_interval_s = update_interval_s
        self._wake = wake
        self.jobs: dict[str, Job] = {}
        self.waiting: list[WaitingItem] = []
        self.groups: dict[Hashable, list[WaitingItem]] = defaultdict(list)
        self.last_served: dict[Hashable, float] = {}
        self.closing = False
        self._job_ids = itertools.count(1)

    def timeout_for(self, task: str) -> float:
        """Seconds a request of ``task`` may take, queue wait included (TIMEOUT_SCALE applied)."""
        return get_task(task).timeout_s * self.settings.timeout_scale

    @property
    def hang_grace_s(self) -> float:
        """Seconds past its requests' deadlines before a running batch counts as hung."""
        return max(0.5, HANG_GRACE_S * self.settings.timeout_scale)

    # --- before and during a request ------------------------------------------------------------

    def check(
        self,
        catalog: Catalog,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None,
        user: Hashable,
    ) -> CheckedRequest:
        """Everything ``submit`` would refuse at once (shutting down, bad task, model, input, limits)."""
        if self.closing:
            raise PoolClosed(SHUTTING_DOWN)
        spec = get_task(task)
        resolved = catalog.resolve(
            task, model, profile=self.settings.model_profile, tiny_dir=self.settings.tiny_models_dir
        )
        checked, full_params = spec.validate(list(inputs), params)
        self.admission.check(user, len(checked))
        return CheckedRequest(spec, resolved, checked, full_params)

    async def run(
        self,
        task: str,
        request: CheckedRequest,
        *,
        user: Hashable,
        on_update: UpdateCallback | None,
        request_id: str | None,
        measure: Measure,
        after_enqueue: Callable[[], Awaitable[None]] | None = None,
    ) -> list[Any]:
        """Admit ``request``, queue its inputs, and wait for their outcomes (one result per input).

        ``measure`` gives each input's token cost (it may load a tokenizer: run it off the loop);
        ``after_enqueue`` runs once the inputs wait in the line (e.g. start the workers).
        """
        spec, resolved, checked, full_params = request.spec, request.model, request.inputs, request.params
        self.admission.admit(user, len(checked))
        job_id = request_id or f"job-{next(self._job_ids)}"
        if job_id in self.jobs:
            self.admission.release(user, len(checked))
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
            deadline=now + self.timeout_for(task),
            future=loop.create_future(),
            notifier=Notifier(on_update, self.update_interval_s),
        )
        self.jobs[job_id] = job
        try:
            costs = await measure(spec, resolved.ref, checked, full_params)
            if job.finished:  # cancelled or shut down while measuring
                return await job.future
            group = (task, resolved.ref, spec.batch_key(full_params))
            enqueued = time.monotonic()
            for index, (item, cost) in enumerate(zip(checked, costs, strict=True)):
                waiting = WaitingItem(group, user, cost, enqueued, payload=item, job=job, index=index)
                job.items.append(waiting)
                self.waiting.append(waiting)
                self.groups[group].append(waiting)
            self.update_positions()
            self._wake()
            if after_enqueue is not None:
                await after_enqueue()
            return await job.future
        except asyncio.CancelledError:
            self.fail(job, RequestCancelled("Cancelled."))
            raise
        finally:
            self.forget(job)
            self.admission.release(user, len(checked))
            await job.notifier.close()
            self.metrics.record_request(
                task,
                time.monotonic() - job.submitted,
                failed=not job.future.done() or job.future.cancelled() or job.future.exception() is not None,
            )

    # --- the waiting line -----------------------------------------------------------------------

    def take(self, items: list[WaitingItem]) -> None:
        """Take ``items`` (all of one group) out of the line: a backend is about to run them."""
        chosen = set(map(id, items))
        self.waiting = [item for item in self.waiting if id(item) not in chosen]
        group = self.groups[items[0].group]
        group[:] = [item for item in group if id(item) not in chosen]
        if not group:
            del self.groups[items[0].group]

    def update_positions(self) -> None:
        """Tell every queued request its place: 1 + inputs of other requests ahead of it."""
        ahead = 0
        seen: set[int] = set()
        for item in sorted(self.waiting, key=lambda waiting: waiting.enqueued):
            job = item.job
            if id(job) in seen:
                continue
            seen.add(id(job))
            position = ahead + 1
            ahead += sum(1 for own in job.items if own in self.waiting)
            if job.position != position:
                job.position = position
                job.notifier.update(JobUpdate("queued", position=position))

    def queued_by_task(self) -> dict[str, int]:
        """Waiting inputs per task."""
        queued: dict[str, int] = defaultdict(int)
        for item in self.waiting:
            queued[item.job.task] += 1
        return dict(queued)

    # --- ending requests ------------------------------------------------------------------------

    def settle(self, item: WaitingItem, outcome: Outcome) -> None:
        """One input's outcome: a failed input fails its request; the last success completes it."""
        job: Job = item.job
        if job.finished:
            return
        if not outcome.ok:
            self.fail(job, PoolError(outcome.error))
            return
        job.outcomes[item.index] = outcome
        if len(job.outcomes) == len(job.items):
            job.future.set_result([job.outcomes[index].value for index in range(len(job.items))])

    def fail(self, job: Job, error: PoolError) -> None:
        """End ``job`` with ``error``; its queued inputs leave the queue, running ones are ignored."""
        if job.finished:
            return
        job.future.set_exception(error)
        job.future.exception()  # retrieved here: the submitter may be gone (cancelled)
        self.forget(job)

    def forget(self, job: Job) -> None:
        """Take the job's waiting inputs out of the queue and the job out of the index."""
        own = {id(item) for item in job.items}
        if own and any(id(item) in own for item in self.waiting):
            self.waiting = [item for item in self.waiting if id(item) not in own]
            for key in list(self.groups):
                self.groups[key] = [item for item in self.groups[key] if id(item) not in own]
                if not self.groups[key]:
                    del self.groups[key]
            self.update_positions()
        if self.jobs.get(job.id) is job:
            del self.jobs[job.id]

    def fail_waiting(self, error: PoolError) -> None:
        """Fail every request that still has inputs in the line."""
        for item in list(self.waiting):
            self.fail(item.job, error)

    def fail_all(self, error: PoolError) -> None:
        """Fail every request not finished yet."""
        for job in list(self.jobs.values()):
            self.fail(job, error)

    def cancel(self, request_id: str) -> bool:
        """Cancel a request by id. Queued inputs never run; a running batch's result is dropped."""
        job = self.jobs.get(request_id)
        if job is None or job.finished:
            return False
        self.fail(job, RequestCancelled("Cancelled."))
        return True

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a request stands now, or None when it is not queued or running."""
        job = self.jobs.get(request_id)
        return job.notifier.last if job is not None else None

    def expire(self, now: float, paused: set[int] | None = None) -> None:
        """Fail the requests past their deadline, except those in ``paused`` (ids of jobs whose
        clocks are stopped, e.g. while their model loads)."""
        paused = paused or set()
        for job in list(self.jobs.values()):
            if not job.finished and id(job) not in paused and now > job.deadline:
                seconds = round(self.timeout_for(job.task))
                self.fail(
                    job,
                    RequestTimeout(
                        f"This took longer than {seconds} second{'' if seconds == 1 else 's'}, "
                        "so it was stopped. "
                        "Try a shorter input, or again when the queue is shorter."
                    ),
                )
