"""Which waiting inputs go together into the next batch (pure functions, no I/O).

The policy, measured on this team's machines (see NOTES.md and the README's benchmark): the
batch is built around one *anchor* input, chosen round-robin over members (the member served
longest ago, then their oldest input), and filled with the inputs of the same group whose token
lengths are closest to the anchor's — the contiguous run of the length-sorted group that wastes
the fewest padded tokens. Similar lengths waste little on padding; the anchor rule keeps one
member from starving others and every input from waiting forever. A batch is capped by items and
by padded tokens (items × longest input), and is handed over sorted by length.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class WaitingItem:
    """One input waiting for a batch."""

    group: Hashable  # (task, model ref, parameter key): inputs of one group may share a batch
    member: Hashable
    cost: int  # tokens this input adds (see TaskSpec.cost)
    enqueued: float
    payload: Any = None
    job: Any = field(default=None, repr=False)
    index: int = 0


def choose_anchor(
    waiting: Iterable[WaitingItem], last_served: Mapping[Hashable, float]
) -> WaitingItem | None:
    """The input to build the next batch around: round-robin over members, oldest first."""
    best: WaitingItem | None = None
    best_key: tuple[float, float] | None = None
    for item in waiting:
        key = (last_served.get(item.member, float("-inf")), item.enqueued)
        if best_key is None or key < best_key:
            best, best_key = item, key
    return best


def padded_tokens(items: Sequence[WaitingItem]) -> int:
    """What a batch costs once padded to its longest input."""
    return len(items) * max((item.cost for item in items), default=0)


def select_batch(
    anchor: WaitingItem, group: Sequence[WaitingItem], *, max_batch: int, max_tokens: int
) -> list[WaitingItem]:
    """The anchor and its length-neighbours: the run of the length-sorted group that holds the
    anchor and wastes the fewest padded tokens, within both caps; returned sorted by length.

    Taking a contiguous run of the sorted group (rather than, say, the anchor's nearest
    neighbours on both sides one by one) keeps later batches from being built out of scattered
    leftovers. The anchor is always taken, even alone over the token cap (it has to run some time).
    """
    ordered = sorted(group, key=lambda item: (item.cost, item.enqueued))
    at = next(index for index, item in enumerate(ordered) if item is anchor)
    size = min(max_batch, len(ordered))
    while size > 1:
        best: list[WaitingItem] | None = None
        best_waste = 0
        for start in range(max(0, at - size + 1), min(at, len(ordered) - size) + 1):
            window = ordered[start : start + size]
            padded = padded_tokens(window)
            if padded > max_tokens:
                continue
            waste = padded - sum(item.cost for item in window)
            if best is None or waste < best_waste:
                best, best_waste = window, waste
        if best is not None:
            return best
        size -= 1
    return [anchor]


def should_wait(
    anchor: WaitingItem, group_size: int, now: float, *, max_batch: int, max_wait_s: float
) -> float:
    """Seconds to hold a batch open for more inputs (0: send it now).

    A batch that is already full goes at once; otherwise the anchor may wait until it is
    ``max_wait_s`` old, so that requests arriving together share one forward pass.
    """
    if group_size >= max_batch:
        return 0.0
    return max(0.0, anchor.enqueued + max_wait_s - now)


def split_sorted(costs: Sequence[int], *, max_batch: int, max_tokens: int) -> list[range]:
    """Cut inputs already sorted by cost (shortest first) into consecutive batches within both caps.

    Used where a batch arrives already formed (a Ray Serve replica's ``@serve.batch``): each
    batch takes as many of the next inputs as fit in ``max_batch`` items and ``max_tokens`` padded
    tokens; an input over the token cap on its own still runs, alone.
    """
    batches: list[range] = []
    start = 0
    while start < len(costs):
        end = start + 1
        while end < len(costs) and end - start < max_batch and (end + 1 - start) * costs[end] <= max_tokens:
            end += 1
        batches.append(range(start, end))
        start = end
    return batches
