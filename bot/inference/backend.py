"""The interface every inference backend offers the bot (the local worker pool, or Ray Serve)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

JobState = Literal["queued", "loading", "running", "done", "failed", "cancelled"]


@dataclass(frozen=True)
class JobUpdate:
    """Where a submitted request stands: its state, and its place in the queue while queued."""

    state: JobState
    position: int | None = None
    detail: str = ""


UpdateCallback = Callable[[JobUpdate], Awaitable[None] | None]


class InferenceBackend(Protocol):
    """Runs course tasks for the bot; cogs and the CLI see nothing else of the engine."""

    async def start(self) -> None:
        """Start workers (and preload models); return when requests can be taken."""
        ...

    async def close(self) -> None:
        """Finish or fail what is queued, stop the workers, free the devices."""
        ...

    async def submit(
        self,
        task: str,
        model: str | None,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        *,
        user: int | str = 0,
        on_update: UpdateCallback | None = None,
    ) -> list[Any]:
        """Run ``task`` on ``inputs`` with the catalog model ``model`` (None: the task's default)."""
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
