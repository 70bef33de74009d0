"""Which waiting inputs go together to a worker: the next *window* of a line (pure, no I/O).

A window is the longest run of consecutive inputs from the head of a line, up to a size, holding
at most a few models, stopping at a request not yet submitted. Taking only such prefixes is what
keeps every position true (see :mod:`bot.inference.jobs`). Inside a window the worker runs each
(task, model, parameters) group apart, sorted by length into batches (:mod:`bot.inference.tuning`),
so that mixed traffic still batches well.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Protocol, TypeVar


class Waiting(Protocol):
    """What the window rule reads of a request in a line."""

    taken: int
    submitted_at: float | None

    @property
    def remaining(self) -> int: ...

    @property
    def model(self) -> Hashable: ...


J = TypeVar("J", bound=Waiting)


def take_window(line: Iterable[J], limit: int, max_models: int) -> tuple[list[tuple[J, int]], bool]:
    """``(job, input index)`` pairs of the next window of ``line``: at most ``limit`` inputs of at
    most ``max_models`` models. Also whether the window was cut (by its size, a model too many or
    a request not submitted yet) rather than ending with the line (more could still join it)."""
    taken: list[tuple[J, int]] = []
    models: set[Hashable] = set()
    for job in line:
        if job.submitted_at is None or (job.model not in models and len(models) >= max_models):
            return taken, True
        models.add(job.model)
        count = min(job.remaining, limit - len(taken))
        taken.extend((job, job.taken + k) for k in range(count))
        if len(taken) >= limit:
            return taken, True
    return taken, False
