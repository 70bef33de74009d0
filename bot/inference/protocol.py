"""Messages between the pool (event loop side) and a worker process, sent over a pipe.

Everything here is a small frozen dataclass of plain values, so it pickles cheaply and a worker
never receives anything it could not have been sent by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# --- pool → worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowPart:
    """Inputs of one window that share a task, a model (at ``ref``) and parameters."""

    task: str
    ref: str
    params: dict[str, Any]
    inputs: list[Any]


@dataclass(frozen=True)
class RunBatch:
    """Run a window: its parts, in order; answered with one :class:`BatchDone`."""

    batch_id: int
    parts: list[WindowPart]


@dataclass(frozen=True)
class LoadModel:
    """Load a model ahead of its first request (preloading)."""

    task: str
    ref: str


@dataclass(frozen=True)
class Stop:
    """Finish the current message, free the models and exit."""


# --- worker → pool ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerReady:
    """The worker imported torch and can take batches."""

    device: str
    device_name: str
    memory_total_mb: float | None


@dataclass(frozen=True)
class BatchState:
    """A batch changed state inside the worker: loading its model, or running."""

    batch_id: int
    state: Literal["loading", "running"]


@dataclass(frozen=True)
class Outcome:
    """The result of one input, or the sentence explaining why it failed."""

    ok: bool
    value: Any = None
    error: str = ""
    user_facing: bool = False


@dataclass(frozen=True)
class WorkerStatus:
    """What the worker holds and uses, sent with every result."""

    loaded: tuple[tuple[str, str], ...] = ()  # (task, ref), most recently used last
    memory_used_mb: float = 0.0
    memory_total_mb: float | None = None
    evictions: int = 0


@dataclass(frozen=True)
class Measured:
    """One forward pass of a window: its task and model, inputs, and seconds."""

    task: str
    ref: str
    items: int
    seconds: float


@dataclass(frozen=True)
class BatchDone:
    """The outcomes of a window (its parts' inputs, in order), with timings: ``batches`` holds
    every forward pass; ``tuned`` the (task, ref, inputs, padded tokens) of the batch its tuners
    predict to run fastest now (``BatchTuner.best_batch``)."""

    batch_id: int
    outcomes: list[Outcome]
    load_s: float
    run_s: float
    status: WorkerStatus = field(default_factory=WorkerStatus)
    batches: list[Measured] = field(default_factory=list)
    tuned: tuple[tuple[str, str, int, int], ...] = ()


@dataclass(frozen=True)
class ModelLoaded:
    """Answer to :class:`LoadModel` (``error`` empty on success)."""

    task: str
    ref: str
    error: str
    status: WorkerStatus = field(default_factory=WorkerStatus)
