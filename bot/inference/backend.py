"""The interface every inference backend offers the bot (the local worker pool, or Ray Serve)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.inference.catalog import ResolvedModel
from bot.inference.metrics import PoolSnapshot
from bot.inference.tasks import TaskSpec

JobState = Literal["queued", "loading", "running", "done", "failed", "cancelled"]


@dataclass(frozen=True)
class JobUpdate:
    """Where a submitted request stands: its state, and its place in the queue while queued."""

    state: JobState
    position: int | None = None
    detail: str = ""


UpdateCallback = Callable[[JobUpdate], Awaitable[None] | None]


@dataclass(frozen=True)
class CheckedRequest:
    """A request that passed every check made before queueing (see ``InferenceBackend.check``)."""

    spec: TaskSpec
    model: ResolvedModel
    inputs: list[Any]
    params: dict[str, Any]


class InferenceBackend(Protocol):
    """Runs course tasks for the bot; cogs and the CLI see nothing else of the engine."""

    async def start(self) -> None:
        """Start workers (and preload models); return when requests can be taken."""
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
        """Raise what ``submit`` would refuse at once (bad input, unknown model, limits); queue nothing."""
        ...

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
        """Run ``task`` on ``inputs`` with the catalog model ``model`` (None: the task's default)."""
        ...

    def cancel(self, request_id: str) -> bool:
        """Cancel a request submitted with ``request_id``; False when it is no longer in flight."""
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
