"""The interface every inference backend offers the bot (the local worker pool, or Ray Serve).

A model request goes through two calls. :meth:`InferenceBackend.check` validates it and
*reserves* its place in the line (admission is counted from that moment, and its arrival time is
taken then); it returns a :class:`CheckedRequest`, whose :attr:`~CheckedRequest.status` is the
place to show in the acknowledgement. :meth:`InferenceBackend.submit` takes that request and runs
it, never validating again. A caller that does not submit (its acknowledgement failed, say)
releases the reservation with :meth:`CheckedRequest.release`; ``with checked:`` around the steps
between check and submit releases it if one of them raises; a request dropped unsubmitted is
released when it is garbage-collected (and any left over after a minute is released anyway).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.inference.catalog import Catalog, ResolvedModel
from bot.inference.metrics import PoolSnapshot
from bot.inference.tasks import TaskSpec

JobState = Literal["queued", "loading", "running", "done", "failed", "cancelled"]

#: The line a request shows while one of its member's own earlier requests waits ahead of it.
AFTER_OWN = "after your earlier request"


@dataclass(frozen=True, slots=True)
class JobUpdate:
    """Where a request stands: its state, and while queued its place and expected wait.

    ``position`` is 1 + the number of inputs the scheduler will run before this request (so #1
    runs next); it never grows while the request waits. A request that waits behind its own
    member's earlier request has no number yet (``after_own``): its place is decided when that
    earlier request starts. ``eta_s`` is the expected time until the result, from the measured
    throughput of the tasks ahead (None until something has been measured).
    """

    state: JobState
    position: int | None = None
    detail: str = ""
    eta_s: float | None = None
    after_own: bool = False

    @property
    def ahead(self) -> int | None:
        """How many inputs run before this request (None when not known)."""
        return self.position - 1 if self.position is not None else None


UpdateCallback = Callable[[JobUpdate], Awaitable[None] | None]


@dataclass(eq=False)
class CheckedRequest:
    """A request that passed every check and holds a reserved place in the line.

    Give it to ``submit`` (once), or :meth:`release` it. ``with checked:`` releases it when the
    block raises before it was submitted (e.g. the acknowledgement failed).
    """

    spec: TaskSpec
    model: ResolvedModel
    inputs: list[Any]
    params: dict[str, Any]
    user: Hashable
    #: the backend's handle on the reservation (its job); opaque to callers
    ticket: Any = field(default=None, repr=False)
    _status: Callable[[], JobUpdate] = field(default=lambda: JobUpdate("queued"), repr=False)
    _release: Callable[[], None] = field(default=lambda: None, repr=False)
    submitted: bool = False
    released: bool = False

    @property
    def status(self) -> JobUpdate:
        """Where the reserved request stands now (``queued``, its place and expected wait)."""
        return self._status()

    def release(self) -> None:
        """Give the reserved place back (nothing runs). Does nothing once submitted or released."""
        if self.submitted or self.released:
            return
        self.released = True
        self._release()

    def __enter__(self) -> CheckedRequest:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is not None:
            self.release()


class InferenceBackend(Protocol):
    """Runs course tasks for the bot; cogs and the CLI see nothing else of the engine."""

    #: The models members may choose from (autocomplete, /model, Show code).
    catalog: Catalog

    async def start(self) -> None:
        """Get ready to take requests; workers (or the cluster connection) come up in the background."""
        ...

    async def close(self) -> None:
        """Finish or fail what is queued, stop the workers, free the devices."""
        ...

    def check(
        self,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        *,
        user: Hashable = 0,
    ) -> CheckedRequest:
        """Validate a request and reserve its place, or raise what refuses it at once (bad input,
        unknown model, a full queue, the member's limit, shutting down)."""
        ...

    async def submit(
        self,
        checked: CheckedRequest,
        *,
        on_update: UpdateCallback | None = None,
        request_id: str | None = None,
    ) -> list[Any]:
        """Run a checked request and return one result per input (its reservation ends with it)."""
        ...

    def cancel(self, request_id: str) -> bool:
        """Cancel a request submitted with ``request_id``; False when it is no longer in flight."""
        ...

    def job_state(self, request_id: str) -> JobUpdate | None:
        """Where a submitted request stands now, or None when it is not in flight."""
        ...

    def snapshot(self) -> PoolSnapshot:
        """Queue, workers and per-task figures now (for /status)."""
        ...

    def device_names(self) -> list[str]:
        """The devices the workers run on, e.g. ``["cpu"]`` or ``["cuda:0 (NVIDIA H100)"]``."""
        ...

    def worker_health(self) -> tuple[int, int]:
        """(workers alive, workers expected), for the health check."""
        ...

    def loaded_model_count(self) -> int:
        """How many models are loaded over all workers."""
        ...


async def run_request(
    backend: InferenceBackend,
    task: str,
    model: str | None,
    inputs: Sequence[Any],
    params: dict[str, Any] | None = None,
    *,
    user: Hashable = 0,
    on_update: UpdateCallback | None = None,
    request_id: str | None = None,
) -> list[Any]:
    """Check and submit in one call (the CLI, the benchmark, tests: nothing to acknowledge between)."""
    checked = backend.check(task, model, inputs, params, user=user)
    try:
        return await backend.submit(checked, on_update=on_update, request_id=request_id)
    finally:
        checked.release()  # a no-op once submitted; frees the place if submit refused it
