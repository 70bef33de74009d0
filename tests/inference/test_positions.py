"""The line's promises (bot/inference/jobs.py), driven step by step as a backend drives it, no workers:

- a request's position never grows while it waits, and it is exact: the number of inputs the
  scheduler hands out before the request's first input is the position it showed, minus one;
- requests finish in the order their positions said;
- every reservation is given back, whichever way a request ends (done, cancelled, failed, refused,
  released, dropped unsubmitted, forgotten).
"""

from __future__ import annotations

import asyncio
import gc
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.inference.backend import AFTER_OWN, CheckedRequest, JobUpdate
from bot.inference.catalog import Catalog
from bot.inference.errors import MemberLimitError, QueueFullError, RequestCancelled
from bot.inference.jobs import RESERVATION_GRACE_S, RESERVATION_TTL_S, JobQueue, Window
from bot.inference.metrics import PoolMetrics
from bot.inference.protocol import Outcome
from tests.conftest import make_settings

CATALOG = Catalog.load()
#: Tasks stand for groups: inputs of different tasks never share a window.
TASKS = ("sentiment-analysis", "ner")


@dataclass
class Observation:
    """What every waiting request showed at one moment, and how many inputs had been handed out."""

    handed_out: int
    shown: dict[str, JobUpdate]


class Harness:
    """A JobQueue with one "worker": requests arrive and are submitted, windows are taken and
    answered all at once (inside a window, in length order, as sorted batches run)."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.queue = JobQueue(make_settings(tmp_path, **env), PoolMetrics(), wake=lambda: None)
        self.checked: dict[str, CheckedRequest] = {}
        self.runners: dict[str, asyncio.Task[list[object]]] = {}
        self.observations: list[Observation] = []
        self.first_taken: dict[str, int] = {}  # inputs handed out before a request's first input
        self.finished: dict[str, int] = {}  # the answered window that finished a request
        self.handed_out = 0
        self.answered = 0
        self.running: Window | None = None
        self.refused = 0

    async def arrive(self, member: str, inputs: list[str], task: str = TASKS[0]) -> str | None:
        try:
            checked = self.queue.check(CATALOG, task, None, inputs, None, member)
        except MemberLimitError:
            self.refused += 1
            return None
        name = f"{member}/{len(self.checked)}"
        self.checked[name] = checked
        self.runners[name] = asyncio.create_task(self.queue.run(checked, on_update=None, request_id=name))
        await asyncio.sleep(0)  # submitted: it waits for its outcomes now
        self.observe()
        return name

    def observe(self) -> None:
        """Every waiting request reads its place (as its status message shows it)."""
        shown = {
            name: checked.status
            for name, checked in self.checked.items()
            if not checked.ticket.finished and checked.ticket.taken == 0
        }
        self.observations.append(Observation(self.handed_out, shown))

    def step(self, size: int) -> None:
        """The worker answers its window, or takes the next one (at most ``size`` inputs)."""
        if self.running is not None:
            self.answer(self.running)
            return
        items, _ = self.queue.window(None, lambda job: size, 1e12, 0.0)
        if not items:
            return
        for offset, item in enumerate(items):
            self.first_taken.setdefault(item.job.id, self.handed_out + offset)
        self.handed_out += len(items)
        self.running = self.queue.take(items, 0.0)
        self.observe()

    def answer(self, window: Window) -> None:
        self.answered += 1
        for item in sorted(window.items, key=lambda item: len(item.payload)):
            self.queue.settle(item, Outcome(True, value=item.payload))
        self.queue.finish_window(window, {window.job.model: (len(window.items), 0.01 * len(window.items))})
        self.running = None
        for name, checked in self.checked.items():
            if checked.ticket.finished:
                self.finished.setdefault(name, self.answered)
        self.observe()

    async def drain(self) -> None:
        while self.running is not None or self.queue.waiting_count:
            self.step(4)
        await asyncio.gather(*self.runners.values())


def check_promises(harness: Harness) -> None:
    """Positions never grow, are exact, and say the order of finishing."""
    for name in harness.checked:
        seen = [o.shown[name].position for o in harness.observations if name in o.shown]
        numbers = [position for position in seen if position is not None]
        assert numbers, f"{name} never showed a place"
        assert numbers == sorted(numbers, reverse=True), f"{name} moved back: {numbers}"
        # After a number appears, it stays (no request loses its place).
        assert None not in seen[seen.index(numbers[0]) :], seen
    for observation in harness.observations:
        for name, update in observation.shown.items():
            if update.position is not None:  # exactly the inputs handed out before it, from now on
                assert update.position - 1 == harness.first_taken[name] - observation.handed_out, name
            else:
                assert update.after_own and update.detail == AFTER_OWN
        places = [(u.position, name) for name, u in observation.shown.items() if u.position is not None]
        for (place_a, a), (place_b, b) in zip(sorted(places), sorted(places)[1:], strict=False):
            assert place_a < place_b
            assert harness.finished[a] <= harness.finished[b], f"{a} (#{place_a}) finished after {b}"


arrival = st.tuples(
    st.integers(0, 5),  # member
    st.lists(st.integers(1, 40), min_size=1, max_size=3),  # the inputs' lengths
    st.sampled_from(TASKS),
)
scenario = st.lists(
    st.one_of(arrival, st.integers(1, 6)),  # an arrival, or a worker step with a window size
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=scenario)
def test_positions_never_grow_are_exact_and_say_the_finishing_order(tmp_path: Path, ops: list) -> None:
    async def play() -> None:
        harness = Harness(tmp_path, MEMBER_INFLIGHT_LIMIT="2", QUEUE_LIMIT="1000")
        for op in ops:
            if isinstance(op, int):
                harness.step(op)
            else:
                member, lengths, task = op
                inputs = [string.ascii_lowercase[n % 26] * length for n, length in enumerate(lengths)]
                await harness.arrive(f"m{member}", inputs, task)
        await harness.drain()
        check_promises(harness)
        assert harness.queue.admission.counted() == (0, 0)

    asyncio.run(play())


async def test_members_sending_at_once_then_in_waves_keep_their_order(tmp_path: Path) -> None:
    harness = Harness(tmp_path, MEMBER_INFLIGHT_LIMIT="2")
    first_wave = [await harness.arrive(f"m{n}", ["x" * (5 + 7 * n % 30)]) for n in range(12)]
    assert [harness.checked[name].status.position for name in first_wave] == list(range(1, 13))
    harness.step(5)  # the first window: the five at the head
    second_wave = [await harness.arrive(f"m{n}", ["again"]) for n in range(3)]  # m0–m2 are running
    late = [await harness.arrive(f"late{n}", ["y" * n]) for n in range(1, 4)]
    assert [harness.checked[name].status.position for name in second_wave] == [8, 9, 10]
    assert [harness.checked[name].status.position for name in late] == [11, 12, 13]
    await harness.drain()
    check_promises(harness)


async def test_a_members_second_request_waits_behind_the_first_then_joins_at_the_back(
    tmp_path: Path,
) -> None:
    harness = Harness(tmp_path, MEMBER_INFLIGHT_LIMIT="2")
    first = await harness.arrive("ann", ["one", "two"])
    second = await harness.arrive("ann", ["three"])
    bob = await harness.arrive("bob", ["bob"])
    assert second is not None and bob is not None and first is not None
    assert harness.checked[second].status == JobUpdate("queued", detail=AFTER_OWN, after_own=True)
    assert harness.checked[bob].status.position == 3
    harness.step(1)  # ann's first input only: her request is still in the line
    assert harness.checked[second].status.after_own
    harness.step(1)  # answered
    harness.step(1)  # ann's second input: her first request has left the line in full
    assert harness.checked[bob].status.position == 1
    assert harness.checked[second].status.position == 2  # behind bob, who waited when it joined
    await harness.drain()
    assert harness.first_taken[bob] < harness.first_taken[second]
    check_promises(harness)


# --- reservations: counted at check, given back on every path -------------------------------------


async def test_a_burst_past_the_queue_limit_is_refused_at_check(tmp_path: Path) -> None:
    harness = Harness(tmp_path, QUEUE_LIMIT="5", MEMBER_INFLIGHT_LIMIT="1")
    queue = harness.queue
    held = [queue.check(CATALOG, TASKS[0], None, ["hi"], None, f"m{n}") for n in range(5)]
    with pytest.raises(QueueFullError, match=r"full \(5 requests\)"):
        queue.check(CATALOG, TASKS[0], None, ["one too many"], None, "m5")
    assert queue.admission.counted() == (5, 5) and queue.waiting_count == 5
    held[0].release()  # a place given back is free at once
    replacement = queue.check(CATALOG, TASKS[0], None, ["now there is room"], None, "m5")
    assert replacement.status.position == 5  # at the back
    assert [checked.status.position for checked in held[1:]] == [1, 2, 3, 4]  # the others moved up
    for checked in [*held, replacement]:
        checked.release()
    assert queue.admission.counted() == (0, 0) and queue.waiting_count == 0


async def test_a_refused_request_holds_nothing(tmp_path: Path) -> None:
    queue = Harness(tmp_path, MEMBER_INFLIGHT_LIMIT="1").queue
    first = queue.check(CATALOG, TASKS[0], None, ["mine"], None, "ann")
    with pytest.raises(MemberLimitError, match="limit is 1"):
        queue.check(CATALOG, TASKS[0], None, ["again"], None, "ann")
    with pytest.raises(Exception, match="Give at least one input"):
        queue.check(CATALOG, TASKS[0], None, [], None, "bob")
    assert queue.admission.counted() == (1, 1)
    first.release()
    assert queue.admission.counted() == (0, 0)


async def test_reservations_end_on_every_path(tmp_path: Path) -> None:
    harness = Harness(tmp_path, MEMBER_INFLIGHT_LIMIT="3")
    queue = harness.queue

    # Raised inside `with checked:` before submitting (an acknowledgement that failed).
    with pytest.raises(RuntimeError), queue.check(CATALOG, TASKS[0], None, ["ack failed"], None, "ann"):
        raise RuntimeError("Discord said no")
    assert queue.admission.counted() == (0, 0)

    # Dropped without submit or release: given back when it is garbage-collected.
    queue.check(CATALOG, TASKS[0], None, ["forgotten"], None, "ann")
    gc.collect()
    assert queue.admission.counted() == (0, 0) and queue.waiting_count == 0

    # Never submitted nor released, but still referenced: released after the TTL.
    kept = queue.check(CATALOG, TASKS[0], None, ["kept"], None, "ann")
    queue.expire(kept.ticket.arrived + RESERVATION_TTL_S + 1)
    assert queue.admission.counted() == (0, 0) and kept.ticket.finished
    with pytest.raises(ValueError, match="already submitted or released"):
        await queue.run(kept, on_update=None, request_id=None)  # a released request cannot run

    # Cancelled while queued; failed by its model; done.
    cancelled = await harness.arrive("ann", ["cancel me"])
    failed = await harness.arrive("bob", ["break me"])
    done = await harness.arrive("cy", ["fine"])
    assert queue.admission.counted() == (3, 3)
    assert queue.cancel(cancelled)
    with pytest.raises(RequestCancelled):
        await harness.runners[cancelled]
    harness.step(5)
    window = harness.running
    assert window is not None and [item.job.id for item in window.items] == [failed, done]
    queue.settle(window.items[0], Outcome(False, error="The model failed on this input."))
    queue.settle(window.items[1], Outcome(True, value="ok"))
    queue.finish_window(window, {window.job.model: (2, 0.01)})
    with pytest.raises(Exception, match="The model failed"):
        await harness.runners[failed]
    assert await harness.runners[done] == ["ok"]
    assert queue.admission.counted() == (0, 0) and queue.waiting_count == 0 and not queue.jobs


async def test_an_unsubmitted_head_holds_its_lane_briefly_then_moves_back(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    queue = harness.queue
    slow = queue.check(CATALOG, TASKS[0], None, ["slow to be acknowledged"], None, "ann")
    ready = await harness.arrive("bob", ["ready"])
    entered = slow.ticket.entered
    items, wait = queue.window(None, lambda job: 8, entered + 0.5, 0.0)
    assert items == [] and wait == pytest.approx(RESERVATION_GRACE_S - 0.5)  # it waits for ann
    items, _ = queue.window(None, lambda job: 8, entered + RESERVATION_GRACE_S + 0.1, 0.0)
    assert [item.job.id for item in items] == [ready]  # ann's request went to the back
    assert slow.status.position == 2
    slow.release()
    queue.cancel(ready)
    with pytest.raises(RequestCancelled):
        await harness.runners[ready]
