"""The bot's side of every model request, shared by the backends (local pool, Ray Serve).

A :class:`JobQueue` does what no serving engine does for the bot: it checks a request before it
is acknowledged and reserves its place (:class:`~bot.inference.admission.Admission` counts it from
then on), keeps the one fair waiting line, tells each request its true place and expected wait
(queued #N, about 20 s → running → done, through a throttled
:class:`~bot.inference.notify.Notifier`), times requests out, cancels them, and settles each
input's outcome. A backend decides only *where* the next window of inputs runs: it asks for
:meth:`JobQueue.window`, calls :meth:`JobQueue.take`, runs it, and hands every outcome to
:meth:`JobQueue.settle`.

The scheduling policy
---------------------
*Lanes.* Requests that compete for the same workers share a lane: the local pool has one, the
Ray backend one per Serve deployment (deployments run side by side).

*Arrival.* A request arrives when it is checked: :meth:`check` validates it, admits it and
places it, before the caller acknowledges anything.

*Round-robin over members, by arrival.* A member has at most one request *in the line* of a lane.
Their later requests wait out of the line ("after your earlier request") and join it, at the back,
when the earlier one has been handed to a worker in full (or has ended). Every request joins at
the back, so the line only grows at its end: members take turns in the order they (re)joined,
and a member with two requests gets one turn, then goes behind everyone already waiting.

*Windows, and length neighbours inside them.* A backend takes work from the head of a lane in
*windows*: the longest run of consecutive inputs from the head, up to a window size (for the local
pool about ``WINDOW_S`` seconds of measured work, more under a backlog, see
:meth:`bot.inference.pool.InferencePool.window_size`) and at most
``MAX_MODELS_PER_DEVICE`` models. The worker splits a window by (task, model, parameters) group,
sorts each group by token length, cuts it into the batches of similar lengths that its measured
cost model predicts to run fastest (:mod:`bot.inference.tuning`), and answers the whole window
at once.
Sorting hundreds of inputs keeps most of the length-neighbour benefit (NOTES.md: 0.97 of the ideal
against FIFO batches' 0.70), while the windows themselves follow the line exactly.

*True positions.* A request's position is 1 + the inputs ahead of it in its lane's line. Windows
are prefixes of the line and nothing ever joins ahead of a waiting request, so these are exactly
the inputs the scheduler hands out before it: a position only goes down, and results arrive in the
order of the positions (a window's all at once). With several workers in a lane, windows run
side by side, and positions order their starts. Computing a newcomer's place is O(models) (it
joins at the back); after each window every request in the lane learns its new place in one pass,
O(members), never by building a snapshot.

*ETA.* Each window's measured throughput (inputs per second, per task and model) gives the
expected wait: the work ahead and the request's own, divided among the lane's workers.

*Deadlines.* A request may take its task's timeout (times ``TIMEOUT_SCALE``). With
``clock_from_start`` (the local pool) that clock starts when its first input is handed to a worker:
the wait in line does not count, so requests waiting behind a hung worker are run by its
replacement instead of timing out with it; a request still waiting after ``WAIT_LIMIT_FACTOR``
timeouts is given up. Without it (Ray Serve) the clock starts at the request's arrival.

*Reservations.* A checked request holds its place until it is submitted, released, or dropped
(garbage-collected). The head of a lane waits for its request to be submitted for at most
``RESERVATION_GRACE_S`` (a cog acknowledges, then submits), then it moves to the back; a
reservation neither submitted nor released within ``RESERVATION_TTL_S`` is released.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
import weakref
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.inference.admission import Admission
from bot.inference.backend import AFTER_OWN, CheckedRequest, JobUpdate, UpdateCallback
from bot.inference.batching import take_window
from bot.inference.catalog import Catalog
from bot.inference.errors import SHUTTING_DOWN, PoolClosed, PoolError, RequestCancelled, RequestTimeout
from bot.inference.metrics import PoolMetrics
from bot.inference.notify import MIN_INTERVAL_S, Notifier
from bot.inference.protocol import Outcome
from bot.inference.tasks import get_task
from bot.settings import Settings

log = logging.getLogger(__name__)

#: Extra seconds (times TIMEOUT_SCALE) a running batch gets past its requests' deadlines before
#: whatever runs it counts as hung (a local worker is killed; a Ray replica's batch is abandoned).
HANG_GRACE_S = 15.0
#: Seconds the head of a lane waits for its reserved request to be submitted before it moves back.
RESERVATION_GRACE_S = 3.0
#: Seconds after which a reservation neither submitted nor released is released (a caller's bug).
RESERVATION_TTL_S = 60.0
#: With the clock from the start, how many of its task's timeouts a request may wait in line.
WAIT_LIMIT_FACTOR = 5.0
#: Weight of the newest window in the measured throughput (exponential moving average).
RATE_WEIGHT = 0.3

#: (inputs, compute seconds) per (task, model ref) of a window
Measurements = dict[tuple[str, str], tuple[int, float]]


@dataclass(eq=False)
class Job:
    """One request, from its check to its end: its inputs, its place, its outcomes."""

    id: str
    task: str
    ref: str
    group: Hashable  # (task, model ref, parameter key): inputs of one group may share a window
    lane: Hashable
    member: Hashable
    inputs: list[Any]
    params: dict[str, Any]
    arrived: float
    deadline: float
    future: asyncio.Future[list[Any]]
    seq: int = 0  # its place in its lane's line, once in it
    in_line: bool = False
    entered: float = 0.0  # when it (last) joined the line
    submitted_at: float | None = None
    started: float | None = None  # when its first input was handed to a backend
    taken: int = 0  # inputs handed to a backend (always a prefix)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    update: JobUpdate = field(default_factory=lambda: JobUpdate("queued"))
    shown: JobUpdate | None = None  # the last update the caller read (for its acknowledgement)
    notifier: Notifier | None = None
    ended: bool = False
    finalizer: Any = None

    @property
    def finished(self) -> bool:
        return self.future.done()

    @property
    def remaining(self) -> int:
        return len(self.inputs) - self.taken

    @property
    def model(self) -> tuple[str, str]:
        return (self.task, self.ref)


@dataclass(eq=False)
class QueuedInput:
    """One input of a job, on its way to a worker."""

    job: Job
    index: int

    @property
    def payload(self) -> Any:
        return self.job.inputs[self.index]


@dataclass(eq=False)
class Window:
    """Inputs taken together from the head of a lane (one group), and when they started."""

    id: int
    lane: Hashable
    items: list[QueuedInput]
    started: float
    estimate_s: float | None

    @property
    def job(self) -> Job:
        """The first input's job."""
        return self.items[0].job

    def parts(self) -> list[list[QueuedInput]]:
        """The inputs by (task, model, parameters) group, groups in order of first appearance."""
        groups: dict[Hashable, list[QueuedInput]] = {}
        for item in self.items:
            groups.setdefault(item.job.group, []).append(item)
        return list(groups.values())


@dataclass
class Lane:
    """One waiting line: requests in order, and what waits behind each member's request."""

    line: dict[int, Job] = field(default_factory=dict)  # seq → job, in line order
    head_of: dict[Hashable, Job] = field(default_factory=dict)  # member → their request in the line
    behind: dict[Hashable, deque[Job]] = field(default_factory=dict)  # member → later requests
    waiting: int = 0  # inputs left in the line
    waiting_by_model: Counter[tuple[str, str]] = field(default_factory=Counter)
    running: dict[int, Window] = field(default_factory=dict)


def owners(items: Iterable[QueuedInput]) -> list[Job]:
    """The distinct jobs that ``items`` belong to, in first-seen order."""
    return list({id(item.job): item.job for item in items}.values())


def rounded_eta(seconds: float) -> float:
    """An expected wait rounded so that it reads well and does not change with every window:
    whole seconds under 10 s, 5 s steps under a minute, then 30 s steps (always rounded up)."""
    step = 1.0 if seconds < 10 else 5.0 if seconds < 60 else 30.0
    return max(1.0, math.ceil(seconds / step) * step)


class JobQueue:
    """Admission, the fair line, true positions and ETAs, timeouts and cancellation, for one backend.

    ``lane_of(task)`` names the lane of a task (default: one lane); ``servers(lane)`` says how
    many windows of a lane run side by side (for the ETA); ``clock_from_start``: a request's
    timeout counts from its start, not its arrival (see *Deadlines* above).
    """

    def __init__(
        self,
        settings: Settings,
        metrics: PoolMetrics,
        *,
        wake: Callable[[], None],
        lane_of: Callable[[str], Hashable] = lambda task: None,
        servers: Callable[[Hashable], int] = lambda lane: 1,
        update_interval_s: float = MIN_INTERVAL_S,
        clock_from_start: bool = False,
    ) -> None:
        self.settings = settings
        self.clock_from_start = clock_from_start
        self.metrics = metrics
        self.admission = Admission(settings)
        self.update_interval_s = update_interval_s
        self._wake = wake
        self._lane_of = lane_of
        self._servers = servers
        self.jobs: dict[str, Job] = {}
        self.lanes: dict[Hashable, Lane] = {}
        self.rates: dict[tuple[str, str], float] = {}  # inputs per second, per (task, model)
        self.closing = False
        self._job_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._window_ids = itertools.count(1)

    def timeout_for(self, task: str) -> float:
        """Seconds a request of ``task`` may take, queue wait included (TIMEOUT_SCALE applied)."""
        return get_task(task).timeout_s * self.settings.timeout_scale

    @property
    def hang_grace_s(self) -> float:
        """Seconds past its requests' deadlines before a running batch counts as hung."""
        return max(0.5, HANG_GRACE_S * self.settings.timeout_scale)

    # --- check: validate, admit, place ------------------------------------------------------------

    def check(
        self,
        catalog: Catalog,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None,
        user: Hashable,
    ) -> CheckedRequest:
        """Validate a request, admit it and reserve its place in its lane's line (its arrival).

        Raises what refuses it at once (shutting down, bad task, model, input, limits): a refused
        request holds nothing.
        """
        if self.closing:
            raise PoolClosed(SHUTTING_DOWN)
        spec = get_task(task)
        resolved = catalog.resolve(
            task, model, profile=self.settings.model_profile, tiny_dir=self.settings.tiny_models_dir
        )
        checked, full_params = spec.validate(list(inputs), params)
        self.admission.admit(user, len(checked))
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        clock_from_start = self.clock_from_start
        job = Job(
            id=f"job-{next(self._job_ids)}",
            task=task,
            ref=resolved.ref,
            group=(task, resolved.ref, spec.batch_key(full_params)),
            lane=self._lane_of(task),
            member=user,
            inputs=checked,
            params=full_params,
            arrived=now,
            deadline=now + self.timeout_for(task) * (WAIT_LIMIT_FACTOR if clock_from_start else 1),
            future=loop.create_future(),
        )
        self.jobs[job.id] = job
        lane = self.lanes.setdefault(job.lane, Lane())
        if user in lane.head_of:
            lane.behind.setdefault(user, deque()).append(job)
            job.update = JobUpdate("queued", detail=AFTER_OWN, after_own=True)
        else:
            self._enter(lane, job, now)
        request = CheckedRequest(
            spec,
            resolved,
            checked,
            full_params,
            user,
            ticket=job,
            _status=lambda: self._shown(job),
            _release=lambda: self.release(job),
        )
        job.finalizer = weakref.finalize(request, _release_dropped, self, job, loop)
        job.finalizer.atexit = False
        return request

    @staticmethod
    def _shown(job: Job) -> JobUpdate:
        job.shown = job.update
        return job.update

    def release(self, job: Job) -> None:
        """A reservation given back before it was submitted: it leaves the line, nothing runs."""
        if job.submitted_at is not None or job.ended:
            return
        if not job.finished:
            job.future.cancel()
        self._end(job)

    # --- submit: run a reserved request ---------------------------------------------------------------

    async def run(
        self, request: CheckedRequest, *, on_update: UpdateCallback | None, request_id: str | None
    ) -> list[Any]:
        """Submit a checked request and wait for its outcomes (one result per input)."""
        job = request.ticket
        if not isinstance(job, Job):
            raise TypeError("submit takes what check returned")
        used = request.submitted or request.released or job.submitted_at is not None
        if used or job.future.cancelled():  # cancelled: its reservation was released
            raise ValueError("this request was already submitted or released; check it again")
        if request_id is not None and request_id != job.id:
            if request_id in self.jobs:
                raise ValueError(f"request id {request_id!r} is already in use")
            if self.jobs.get(job.id) is job:
                del self.jobs[job.id]
            job.id = request_id
            if not job.ended:
                self.jobs[job.id] = job
        request.submitted = True
        job.finalizer.detach()
        job.submitted_at = time.monotonic()
        job.notifier = Notifier(on_update, self.update_interval_s)
        job.notifier.last = job.shown  # what the caller showed already is not sent again
        job.notifier.update(job.update)
        self._wake()
        try:
            return await job.future
        except asyncio.CancelledError:
            self.fail(job, RequestCancelled("Cancelled."))
            raise
        finally:
            self._end(job)
            await job.notifier.close()
            self.metrics.record_request(
                job.task,
                time.monotonic() - job.arrived,
                failed=not job.future.done() or job.future.cancelled() or job.future.exception() is not None,
            )

    # --- the line --------------------------------------------------------------------------------

    def _enter(self, lane: Lane, job: Job, now: float) -> None:
        """``job`` joins the back of its lane's line; its place is every input already there."""
        job.seq, job.in_line, job.entered = next(self._seq), True, now
        lane.line[job.seq] = job
        lane.head_of[job.member] = job
        ahead = lane.waiting
        lane.waiting += job.remaining
        lane.waiting_by_model[job.model] += job.remaining
        eta = self._eta(lane, job, self._backlog_s(lane, lane.waiting_by_model, now))
        self._set(job, JobUpdate("queued", position=ahead + 1, eta_s=eta))

    def _leave(self, lane: Lane, job: Job, now: float) -> None:
        """``job`` leaves its lane (ended): out of the line, or from behind its member's request."""
        if job.in_line:
            del lane.line[job.seq]
            job.in_line = False
            lane.waiting -= job.remaining
            lane.waiting_by_model[job.model] -= job.remaining
            if lane.waiting_by_model[job.model] <= 0:
                del lane.waiting_by_model[job.model]
            self._next_of(lane, job, now)
            return
        later = lane.behind.get(job.member)
        if later is not None and job in later:
            later.remove(job)
            if not later:
                del lane.behind[job.member]

    def _next_of(self, lane: Lane, job: Job, now: float) -> None:
        """``job`` is out of the line: its member's next request (if any) joins at the back."""
        if lane.head_of.get(job.member) is job:
            del lane.head_of[job.member]
        later = lane.behind.get(job.member)
        while later:
            successor = later.popleft()
            if not successor.finished:
                self._enter(lane, successor, now)
                break
        if later is not None and not later:
            del lane.behind[job.member]

    def update_positions(self, lane_key: Hashable, now: float | None = None) -> None:
        """Tell every request in a lane its place and expected wait (one pass over the line)."""
        lane = self.lanes.get(lane_key)
        if lane is None:
            return
        now = time.monotonic() if now is None else now
        servers = self.servers(lane_key)
        rates = self.rates
        backlog = self._running_s(lane, now)
        ahead = 0
        for job in lane.line.values():
            remaining = job.remaining
            if backlog is not None:
                rate = rates.get(job.model)
                backlog = backlog + remaining / rate if rate else None
            if job.taken == 0:
                position = ahead + 1
                eta = rounded_eta(backlog / servers) if backlog is not None else None
                shown = job.update
                if shown.position != position or shown.eta_s != eta or shown.state != "queued":
                    self._set(job, JobUpdate("queued", position=position, eta_s=eta))
            ahead += remaining

    def _running_s(self, lane: Lane, now: float) -> float | None:
        """Seconds left of the windows the lane runs now (None: not measured yet)."""
        total = 0.0
        for window in lane.running.values():
            if window.estimate_s is None:
                return None
            total += max(0.0, window.started + window.estimate_s - now)
        return total

    def _backlog_s(self, lane: Lane, work: Counter[tuple[str, str]], now: float) -> float | None:
        """Seconds of work: ``work`` (inputs per model) after what the lane runs now (None: unknown)."""
        total = self._running_s(lane, now)
        for model, count in work.items():
            rate = self.rates.get(model)
            if rate is None or total is None:
                return None
            total += count / rate
        return total

    def _eta(self, lane: Lane, job: Job, backlog_s: float | None) -> float | None:
        if backlog_s is None:
            return None
        return rounded_eta(backlog_s / self.servers(job.lane))

    def _set(self, job: Job, update: JobUpdate) -> None:
        if job.finished or update == job.update:
            return
        job.update = update
        if job.notifier is not None:
            job.notifier.update(update)

    def set_state(self, job: Job, update: JobUpdate) -> None:
        """A backend's news about a job (loading its model, running)."""
        self._set(job, update)

    def window(
        self, lane_key: Hashable, size_for: Callable[[Job], int], now: float, max_wait_s: float
    ) -> tuple[list[QueuedInput], float]:
        """The next window of a lane: inputs from the head of its line, one group, at most
        ``size_for(head)``; or ``([], seconds)`` to wait first (0: nothing to take).

        A window that could still grow waits until its head has been ready for ``max_wait_s``
        (requests sent together share it); one cut by the size or by another group goes at once.
        The head waits for its reserved request to be submitted (see ``RESERVATION_GRACE_S``).
        """
        lane = self.lanes.get(lane_key)
        while lane is not None and lane.line:
            head = next(iter(lane.line.values()))
            if head.submitted_at is None:
                wait = head.entered + RESERVATION_GRACE_S - now
                if wait > 0:
                    return [], wait
                log.warning("A reserved %s request was not submitted in time: it moves back", head.task)
                del lane.line[head.seq]
                head.seq, head.entered = next(self._seq), now
                lane.line[head.seq] = head
                self.update_positions(lane_key, now)
                continue
            limit = max(1, size_for(head))
            taken, cut = take_window(lane.line.values(), limit, self.settings.max_models_per_device)
            items = [QueuedInput(job, index) for job, index in taken]
            if not cut:
                wait = head.submitted_at + max_wait_s - now
                if wait > 0:
                    return [], wait
            return items, 0.0
        return [], 0.0

    def take(self, items: list[QueuedInput], now: float) -> Window:
        """Take a window (from :meth:`window`) out of the line: a backend is about to run it."""
        job = items[0].job
        lane = self.lanes[job.lane]
        estimate: float | None = 0.0
        for item in items:
            rate = self.rates.get(item.job.model)
            estimate = estimate + 1 / rate if rate is not None and estimate is not None else None
        window = Window(next(self._window_ids), job.lane, items, now, estimate)
        for owner, count in Counter(item.job for item in items).items():
            if owner.started is None:
                owner.started = now
                if self.clock_from_start:
                    owner.deadline = now + self.timeout_for(owner.task)
            owner.taken += count
            lane.waiting -= count
            lane.waiting_by_model[owner.model] -= count
            if lane.waiting_by_model[owner.model] <= 0:
                del lane.waiting_by_model[owner.model]
            if owner.remaining == 0:  # handed out in full: out of the line, the member's next joins
                del lane.line[owner.seq]
                owner.in_line = False
                self._next_of(lane, owner, now)
        lane.running[window.id] = window
        self.update_positions(job.lane, now)
        return window

    def finish_window(self, window: Window, measured: Measurements | None) -> None:
        """A window ended; ``measured`` gives (inputs, compute seconds) per (task, model) it ran,
        model loading excluded (None: it failed, nothing to learn)."""
        lane = self.lanes.get(window.lane)
        if lane is not None:
            lane.running.pop(window.id, None)
        for model, (count, seconds) in (measured or {}).items():
            if count <= 0 or seconds <= 0:
                continue
            rate, old = count / seconds, self.rates.get(model)
            self.rates[model] = rate if old is None else old + RATE_WEIGHT * (rate - old)
        if lane is not None:
            self.update_positions(window.lane)

    # --- what the line holds ------------------------------------------------------------------

    def waiting_jobs(self) -> Iterator[Job]:
        """Every job with inputs still waiting (in a line or behind its member's earlier request)."""
        for lane in self.lanes.values():
            yield from lane.line.values()
            for later in lane.behind.values():
                yield from later

    @property
    def waiting_count(self) -> int:
        """Inputs waiting over every lane (in line, or behind their member's earlier request)."""
        return sum(job.remaining for job in self.waiting_jobs())

    def queued_by_task(self) -> dict[str, int]:
        """Waiting inputs per task."""
        queued: Counter[str] = Counter()
        for job in self.waiting_jobs():
            queued[job.task] += job.remaining
        return dict(queued)

    def servers(self, lane_key: Hashable) -> int:
        """How many windows of a lane run side by side (at least one)."""
        return max(1, self._servers(lane_key))

    def waiting_for(self, lane_key: Hashable, model: tuple[str, str]) -> int:
        """Inputs of ``model`` in the line of a lane (not those behind their member's earlier request)."""
        lane = self.lanes.get(lane_key)
        return lane.waiting_by_model[model] if lane is not None else 0

    def has_waiting(self, lane_key: Hashable) -> bool:
        lane = self.lanes.get(lane_key)
        return lane is not None and bool(lane.line)

    # --- ending requests ------------------------------------------------------------------------

    def settle(self, item: QueuedInput, outcome: Outcome) -> None:
        """One input's outcome: a failed input fails its request; the last success completes it."""
        job = item.job
        if job.finished:
            return
        if not outcome.ok:
            self.fail(job, PoolError(outcome.error))
            return
        job.outcomes[item.index] = outcome
        if len(job.outcomes) == len(job.inputs):
            job.future.set_result([job.outcomes[index].value for index in range(len(job.inputs))])

    def fail(self, job: Job, error: PoolError) -> None:
        """End ``job`` with ``error``; its waiting inputs leave the line, running ones are ignored."""
        if job.finished:
            return
        job.future.set_exception(error)
        job.future.exception()  # retrieved here: the submitter may be gone (cancelled)
        if job.submitted_at is None:
            self._end(job)  # nobody will submit a failed reservation: its place ends now
        else:
            self._forget(job)

    def _forget(self, job: Job) -> None:
        """Take the job out of its lane's line and out of the index of running requests."""
        lane = self.lanes.get(job.lane)
        if lane is not None:
            was_waiting = job.in_line
            self._leave(lane, job, time.monotonic())
            if was_waiting:
                self.update_positions(job.lane)
        if self.jobs.get(job.id) is job:
            del self.jobs[job.id]

    def _end(self, job: Job) -> None:
        """The request is over: it holds no place and no admission any more (idempotent)."""
        if job.ended:
            return
        job.ended = True
        if job.finalizer is not None:
            job.finalizer.detach()
        self._forget(job)
        self.admission.release(job.member, len(job.inputs))
        self._wake()

    def fail_waiting(self, error: PoolError) -> None:
        """Fail every request that still has inputs waiting."""
        for job in list(self.waiting_jobs()):
            self.fail(job, error)

    def fail_all(self, error: PoolError) -> None:
        """Fail every request not finished yet."""
        for job in list(self.jobs.values()):
            self.fail(job, error)

    def cancel(self, request_id: str) -> bool:
        """Cancel a request by id. Waiting inputs never run; a running window's result is dropped."""
        job = self.jobs.get(request_id)
        if job is None or job.finished:
            return False
        self.fail(job, RequestCancelled("Cancelled."))
        return True

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a request stands now, or None when it is not queued or running."""
        job = self.jobs.get(request_id)
        return job.update if job is not None and not job.finished else None

    def expire(self, now: float, paused: set[int] | None = None) -> None:
        """Fail the requests past their deadline, except those in ``paused`` (ids of jobs whose
        clocks are stopped, e.g. while their model loads); release forgotten reservations."""
        paused = paused or set()
        for job in list(self.jobs.values()):
            if job.finished:
                continue
            if job.submitted_at is None and now - job.arrived > RESERVATION_TTL_S:
                log.warning("A %s request was checked but never submitted nor released", job.task)
                self.release(job)
            elif id(job) not in paused and now > job.deadline:
                self.fail(job, RequestTimeout(self._timeout_message(job)))

    def _timeout_message(self, job: Job) -> str:
        if self.clock_from_start and job.started is None:
            minutes = max(1, round(self.timeout_for(job.task) * WAIT_LIMIT_FACTOR / 60))
            return (
                f"This waited in the queue for more than {minutes} minute{'' if minutes == 1 else 's'}, "
                "so it was given up. Please try again when the queue is shorter."
            )
        seconds = round(self.timeout_for(job.task))
        return (
            f"This took longer than {seconds} second{'' if seconds == 1 else 's'}, so it was stopped. "
            "Try a shorter input, or again when the queue is shorter."
        )


def _release_dropped(queue: JobQueue, job: Job, loop: asyncio.AbstractEventLoop) -> None:
    """A checked request was garbage-collected unsubmitted: give its place back (on its loop)."""
    if loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        queue.release(job)
    else:
        loop.call_soon_threadsafe(queue.release, job)
