"""The worker pool with real worker processes on the tiny models: batching, limits, faults."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.inference.backend import JobUpdate, run_request
from bot.inference.catalog import UnknownModelError
from bot.inference.loading import ModelUnavailableError
from bot.inference.pool import (
    InferencePool,
    MemberLimitError,
    PoolClosed,
    QueueFullError,
    RequestCancelled,
    RequestTimeout,
    WorkerLost,
)
from bot.inference.tasks import InvalidRequestError
from tests.conftest import make_settings

SENTIMENT = "sentiment-analysis"


async def started(tmp_path: Path, tiny_dir: Path, **env: str) -> InferencePool:
    pool = InferencePool(make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir), **env), update_interval_s=0)
    await pool.start()
    await pool.wait_ready()
    errors = await pool.preload([SENTIMENT])
    assert errors == {}
    return pool


@pytest.fixture
async def pool(tmp_path: Path, tiny_dir: Path) -> AsyncIterator[InferencePool]:
    pool = await started(tmp_path, tiny_dir)
    yield pool
    await pool.close()


def freeze(pool: InferencePool) -> int:
    """Stop the (only) worker process where it stands: it takes batches but never answers."""
    pid = pool.workers[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    return pid


def thaw(pid: int) -> None:
    os.kill(pid, signal.SIGCONT)


async def until(condition: Callable[[], bool], limit_s: float = 120.0) -> None:
    """Poll pool state (it has no event to wait on) until ``condition`` holds (the bound only
    fails a test whose state never comes, however busy the machine)."""
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_concurrent_requests_are_batched_and_match_one_by_one(pool: InferencePool) -> None:
    texts = [f"member {n} thinks this course is {'great ' * (n % 5)}fun" for n in range(24)]
    one_by_one = [await run_request(pool, SENTIMENT, None, [text], user=n) for n, text in enumerate(texts)]
    assert max(pool.snapshot().tasks[SENTIMENT].max_batch for _ in [0]) == 1

    together = await asyncio.gather(
        *(run_request(pool, SENTIMENT, None, [t], user=n) for n, t in enumerate(texts))
    )
    for alone, batched in zip(one_by_one, together, strict=True):
        assert [s["label"] for s in alone[0]] == [s["label"] for s in batched[0]]
        for a, b in zip(alone[0], batched[0], strict=True):
            assert a["score"] == pytest.approx(b["score"], abs=1e-5)
    metrics = pool.snapshot().tasks[SENTIMENT]
    assert metrics.max_batch > 1, "concurrent requests should share batches"
    assert metrics.items == 48 and metrics.requests == 48
    assert metrics.p50_ms is not None and metrics.p95_ms >= metrics.p50_ms


async def test_limits_refuse_at_once_and_name_the_limit(tmp_path: Path, tiny_dir: Path) -> None:
    pool = await started(tmp_path, tiny_dir, QUEUE_LIMIT="3", MEMBER_INFLIGHT_LIMIT="1")
    try:
        pid = freeze(pool)
        first = asyncio.create_task(run_request(pool, SENTIMENT, None, ["one"], user="ann"))
        await until(lambda: pool.snapshot().running == 1)
        with pytest.raises(MemberLimitError, match=r"limit is 1"):
            await asyncio.wait_for(run_request(pool, SENTIMENT, None, ["two"], user="ann"), 5)
        others = [
            asyncio.create_task(run_request(pool, SENTIMENT, None, [f"x{n}"], user=f"m{n}")) for n in range(2)
        ]
        await until(lambda: pool.snapshot().queue_depth == 2)
        with pytest.raises(QueueFullError, match=r"full \(3 requests\)"):
            await asyncio.wait_for(run_request(pool, SENTIMENT, None, ["late"], user="zoe"), 5)
        thaw(pid)
        results = await asyncio.gather(first, *others)
        assert all(result[0][0]["label"] in ("POSITIVE", "NEGATIVE") for result in results)
    finally:
        await pool.close()


async def test_a_cancelled_queued_request_never_runs(pool: InferencePool) -> None:
    pid = freeze(pool)
    running = asyncio.create_task(run_request(pool, SENTIMENT, None, ["busy"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    queued = asyncio.create_task(
        run_request(pool, "fill-mask", None, ["Paris is the [MASK]."], user="bob", request_id="bob-1")
    )
    await until(lambda: pool.snapshot().queue_depth == 1)
    assert pool.cancel("bob-1") is True
    with pytest.raises(RequestCancelled):
        await queued
    assert pool.snapshot().queue_depth == 0
    thaw(pid)
    await running
    assert pool.metrics.batches.get("fill-mask", 0) == 0  # the cancelled input never reached a worker
    # Cancelling the awaiting task does the same.
    pid = freeze(pool)
    busy = asyncio.create_task(run_request(pool, SENTIMENT, None, ["busy again"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    waiting = asyncio.create_task(run_request(pool, "ner", None, ["Ada lives in London."], user="cy"))
    await until(lambda: pool.snapshot().queue_depth == 1)
    waiting.cancel()
    await until(lambda: pool.snapshot().queue_depth == 0)
    thaw(pid)
    await busy
    assert pool.metrics.batches.get("ner", 0) == 0


async def test_positions_then_running_are_reported(pool: InferencePool) -> None:
    pid = freeze(pool)
    blocker = asyncio.create_task(run_request(pool, SENTIMENT, None, ["first"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    seen: dict[str, list[JobUpdate]] = {"bob": [], "cy": []}
    bob = asyncio.create_task(
        run_request(pool, "ner", None, ["Bob"], user="bob", on_update=seen["bob"].append)
    )
    await until(lambda: pool.snapshot().queue_depth == 1)
    cy = asyncio.create_task(run_request(pool, "ner", None, ["Cy"], user="cy", on_update=seen["cy"].append))
    await until(lambda: pool.snapshot().queue_depth == 2)
    await asyncio.sleep(0.05)
    assert seen["bob"][-1] == JobUpdate("queued", position=1)
    assert seen["cy"][-1] == JobUpdate("queued", position=2)
    thaw(pid)
    await asyncio.gather(blocker, bob, cy)
    states = [update.state for update in seen["bob"]]
    assert states[0] == "queued" and states[-1] in ("loading", "running")


async def test_a_hung_worker_times_out_is_killed_and_replaced(tmp_path: Path, tiny_dir: Path) -> None:
    pool = await started(tmp_path, tiny_dir, TIMEOUT_SCALE="0.02")  # sentiment: 1.2 s, then 0.5 s grace
    try:
        freeze(pool)
        with pytest.raises(RequestTimeout, match="longer than 1 second,"):
            await run_request(pool, SENTIMENT, None, ["stuck"], user="ann")
        await until(lambda: pool.metrics.restarts == 1)
        await pool.wait_ready()
        await until(lambda: pool.workers[0].ready)
        result = await run_request(pool, SENTIMENT, None, ["fine again"], user="ann")
        assert result[0][0]["label"] in ("POSITIVE", "NEGATIVE")
        assert pool.snapshot().workers[0].restarts == 1
    finally:
        await pool.close()


async def test_a_worker_killed_mid_batch_fails_only_its_requests(pool: InferencePool) -> None:
    pid = freeze(pool)
    victim = asyncio.create_task(run_request(pool, SENTIMENT, None, ["in flight"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    survivor = asyncio.create_task(run_request(pool, SENTIMENT, None, ["waiting"], user="bob"))
    await until(lambda: pool.snapshot().queue_depth == 1)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerLost, match="stopped while running your request"):
        await victim
    result = await asyncio.wait_for(survivor, 60)  # served by the restarted worker
    assert result[0][0]["label"] in ("POSITIVE", "NEGATIVE")
    assert pool.metrics.restarts == 1
    assert pool.worker_health() == (1, 1)


async def test_bad_requests_are_refused_before_queueing(pool: InferencePool) -> None:
    with pytest.raises(UnknownModelError, match="not in the model catalog"):
        await run_request(pool, SENTIMENT, "someone/evil-model", ["hi"], user="ann")
    with pytest.raises(UnknownModelError):
        await run_request(pool, SENTIMENT, "/etc", ["hi"], user="ann")
    with pytest.raises(InvalidRequestError):
        await run_request(pool, SENTIMENT, None, ["   "], user="ann")
    with pytest.raises(InvalidRequestError, match="Unknown task"):
        await run_request(pool, "image-generation", None, ["a cat"], user="ann")
    assert pool.snapshot().queue_depth == 0 and sum(pool.metrics.batches.values()) == 0


async def test_close_refuses_new_and_waiting_requests(tmp_path: Path, tiny_dir: Path) -> None:
    pool = await started(tmp_path, tiny_dir)
    pid = freeze(pool)
    running = asyncio.create_task(run_request(pool, SENTIMENT, None, ["running"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    queued = asyncio.create_task(run_request(pool, SENTIMENT, None, ["queued"], user="bob"))
    await until(lambda: pool.snapshot().queue_depth == 1)
    closing = asyncio.create_task(pool.close(drain_timeout=5))
    with pytest.raises(PoolClosed):
        await queued
    thaw(pid)  # the running batch finishes during the drain
    assert (await running)[0][0]["label"] in ("POSITIVE", "NEGATIVE")
    await closing
    with pytest.raises(PoolClosed):
        await run_request(pool, SENTIMENT, None, ["after"], user="cy")
    assert pool.worker_health()[0] == 0


async def test_an_uncached_model_offline_is_a_clear_error(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    settings = make_settings(tmp_path, MODEL_PROFILE="hub", MODEL_CACHE_DIR=str(tmp_path / "empty-cache"))
    pool = InferencePool(settings)
    await pool.start()
    try:
        with pytest.raises(ModelUnavailableError) as caught:
            await run_request(pool, SENTIMENT, None, ["hello"], user="ann")
        message = caught.value.message
        assert "distilbert/distilbert-base-uncased-finetuned-sst-2-english" in message
        assert "studybot models download" in message
        # Refused at check, before it was acknowledged: nothing queued, no worker asked.
        assert pool.snapshot().queue_depth == 0 and sum(pool.metrics.batches.values()) == 0
        assert pool.queue.admission.counted() == (0, 0)
    finally:
        await pool.close()


async def test_members_at_once_see_their_true_places_and_finish_in_that_order(pool: InferencePool) -> None:
    pid = freeze(pool)
    blocker = asyncio.create_task(run_request(pool, SENTIMENT, None, ["busy"], user="ann"))
    await until(lambda: pool.snapshot().running == 1)
    seen: dict[int, list[JobUpdate]] = {n: [] for n in range(6)}
    finished: list[int] = []

    async def member(n: int) -> None:
        checked = pool.check(SENTIMENT, None, [f"member {n} thinks {'so ' * (5 - n)}"], user=f"m{n}")
        seen[n].append(checked.status)  # what the acknowledgement shows
        await pool.submit(checked, on_update=seen[n].append)
        finished.append(n)

    members = [asyncio.create_task(member(n)) for n in range(6)]
    await until(lambda: pool.snapshot().queue_depth == 6)
    thaw(pid)
    await asyncio.gather(blocker, *members)
    for n, updates in seen.items():
        places = [update.position for update in updates if update.position is not None]
        assert places[0] == n + 1 and places == sorted(places, reverse=True), (n, places)
    assert finished == list(range(6))


async def test_start_returns_at_once_and_a_request_before_the_workers_waits_for_them(
    tmp_path: Path, tiny_dir: Path
) -> None:
    pool = InferencePool(make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir)), update_interval_s=0)
    await pool.start()
    try:
        # The processes have started (their imports run beside the bot's start-up), and they
        # come up in the background.
        assert pool.workers and all(worker.alive for worker in pool.workers)
        assert not any(worker.ready for worker in pool.workers)
        checked = pool.check(SENTIMENT, None, ["an early request"], user="ann")
        assert checked.status.position == 1  # queued, not refused
        (result,) = await pool.submit(checked)
        assert result[0]["label"] in ("POSITIVE", "NEGATIVE")
    finally:
        await pool.close()


async def test_closing_while_a_worker_starts_ends_it_without_waiting(tmp_path: Path, tiny_dir: Path) -> None:
    pool = InferencePool(make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir)))
    await pool.start()
    await until(lambda: pool.workers[0].pid is not None, 60)
    pid = freeze(pool)  # it cannot get ready now
    await pool.close()
    assert pool.workers[0].process.exitcode == -signal.SIGKILL
    assert pool.worker_health() == (0, 1) and pid == pool.workers[0].pid


async def test_workers_run_at_a_lower_cpu_priority_than_the_bot(tmp_path: Path, tiny_dir: Path) -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    for niceness in (3, 0):
        pool = await started(tmp_path / str(niceness), tiny_dir, WORKER_NICENESS=str(niceness))
        try:
            pid = pool.workers[0].pid
            assert pid is not None
            assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, own + niceness)
        finally:
            await pool.close()


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        (10, 32),  # light load: all of it, padded up to two batches' room (never held to fill)
        (128, 128),  # 1.5 s of work would leave 53 behind alone: they join
        (256, 128),  # a burst: half of it, sorted as one
        (1000, 200),  # at most WINDOW_MAX_S of work
    ],
)
async def test_a_window_grows_with_the_backlog_of_its_model(
    tmp_path: Path, tiny_dir: Path, waiting: int, expected: int
) -> None:
    """At 50 inputs/s, one worker and a tuned batch of 16: WINDOW_S (1.5 s) is 75 inputs."""
    pool = InferencePool(make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir), QUEUE_LIMIT="1000"))
    checked = [pool.check(SENTIMENT, None, ["a text"], user=member) for member in range(waiting)]
    job = checked[0].ticket
    assert pool.window_size(job) == pool.settings.max_batch  # nothing measured yet: one batch
    pool.queue.rates[job.model] = 50.0
    pool.tuned_batch[job.model] = 16
    assert pool.window_size(job) == expected
    for request in checked:
        request.release()
    assert pool.queue.waiting_for(job.lane, job.model) == 0
