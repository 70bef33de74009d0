"""/status, the health check with a killed worker, and the Prometheus endpoint."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.health import check, write_report
from bot.inference.backend import run_request
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from cogs.admin._status import TABLE_HEADER, task_row

TASK = "sentiment-analysis"


async def workload(pool: InferencePool, count: int) -> None:
    for number in range(count):
        await run_request(pool, TASK, None, [f"Status check number {number} is fine"], user="status-test")


def table_row(message, task: str) -> str:
    embed = message.embeds[0]
    table = next(field["value"] for field in embed["fields"] if field["name"].startswith("Tasks"))
    assert TABLE_HEADER in table
    return next(line for line in table.splitlines() if line.startswith(task))


async def test_status_is_for_moderators_and_shows_the_pools_figures(
    session: LocalSession, shared_pool: InferencePool
) -> None:
    refused = await session.run("/status", user="Grace")
    assert refused.reply.ephemeral and "for moderators" in refused.reply.content
    await shared_pool.wait_ready()
    await workload(shared_pool, 5)
    before = shared_pool.metrics.requests[TASK]

    exchange = await session.run("/status", moderator=True)
    snapshot = shared_pool.snapshot()
    message = exchange.reply
    assert message.ephemeral
    (embed,) = message.embeds
    assert embed["description"].startswith("✅ Healthy: gateway connected, 1 of 1 workers alive")
    row = table_row(message, TASK)
    assert row == task_row(TASK, snapshot.tasks[TASK])
    assert int(row.split()[1]) == before >= 5
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Queue"] == f"{snapshot.queue_depth} waiting · {snapshot.running} running · limit 100"
    worker = fields["Worker 0 · cpu"]
    assert "worker RSS" in worker and f"restarts {snapshot.workers[0].restarts}" in worker
    assert f"{TASK}: tiny-sentiment-analysis" in worker
    assert "kB" in fields["Database"] or "MB" in fields["Database"]
    assert f"Worker restarts: {snapshot.restarts}" in embed["footer"]["text"]

    await workload(shared_pool, 2)
    member = await session.click(message, "Refresh", user="Grace")
    assert member.reply.ephemeral and "for moderators" in member.reply.content
    refreshed = await session.click(message, "Refresh", moderator=True)
    assert refreshed.reply.id == message.id
    assert int(table_row(refreshed.reply, TASK).split()[1]) == before + 2


async def eventually(condition: Callable[[], bool], limit_s: float) -> None:
    """Wait until ``condition()`` holds (polling every 10 ms), at most ``limit_s`` seconds."""
    deadline = time.monotonic() + limit_s
    for _ in range(int(limit_s * 1000)):
        if condition() or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_prometheus_metrics_are_off_by_default_and_match_the_pool(
    settings: Settings, shared_pool: InferencePool
) -> None:
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True) as local:
        assert local.bot is not None
        cog = local.bot.get_cog("StatusCog")
        assert cog is not None and cog.metrics is None  # type: ignore[attr-defined]

    port = free_port()
    async with LocalSession(settings.replace(metrics_port=port), backend=shared_pool, fail_on_errors=True):
        await shared_pool.wait_ready()
        await workload(shared_pool, 3)
        first = await asyncio.to_thread(scrape, port)
        task = (("task", TASK),)
        metrics = shared_pool.metrics
        assert first[("studybot_requests_total", task)] == metrics.requests[TASK]
        assert first[("studybot_batches_total", task)] == metrics.batches[TASK]
        assert first[("studybot_request_latency_seconds_count", task)] == len(metrics.latencies[TASK])
        assert first[("studybot_batch_size_count", task)] == len(metrics.batch_sizes[TASK])
        assert first[("studybot_queue_depth", ())] == 0
        assert first[("studybot_worker_up", (("device", "cpu"), ("worker", "0")))] == 1
        assert first[("studybot_loaded_models", (("device", "cpu"),))] >= 1
        assert first[("studybot_gateway_connected", ())] == 1
        assert ("studybot_request_latency_p95_seconds", task) in first

        await workload(shared_pool, 4)
        second = await asyncio.to_thread(scrape, port)
        assert second[("studybot_requests_total", task)] == first[("studybot_requests_total", task)] + 4
        count = ("studybot_request_latency_seconds_count", task)
        assert second[count] == first[count] + 4  # cumulative: only the new requests were added
        assert second[("studybot_request_latency_seconds_bucket", (("le", "+Inf"), *task))] == second[count]
    with pytest.raises(urllib.error.URLError):
        await asyncio.to_thread(scrape, port)  # stopped with the bot


async def test_the_health_check_fails_when_a_worker_is_killed_and_recovers(
    settings: Settings, tmp_path: Path
) -> None:
    pool = InferencePool(settings)
    await pool.start()
    try:
        await pool.wait_ready()
        async with LocalSession(settings, backend=pool, fail_on_errors=True) as local:
            assert local.bot is not None
            bot, path = local.bot, tmp_path / "health.json"

            def health() -> list[str]:
                write_report(path, bot.health_report())
                return check(path)

            assert health() == []
            (worker,) = pool.workers
            pid = worker.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            # The pool restarts the worker 0.5 s after it dies: the check sees the gap.
            await eventually(lambda: bool(health()), 10)
            assert check(path) == ["0 of 1 inference workers are alive"]
            await eventually(lambda: worker.ready and worker.alive and worker.pid != pid, 60)
            assert health() == []
            (result,) = await run_request(pool, TASK, None, ["Back again"], user="health-test")
            assert {score["label"] for score in result} == {"NEGATIVE", "POSITIVE"}
            assert pool.snapshot().restarts == 1
            status = await local.run("/status", moderator=True)
            assert "restarts 1" in str(status.reply.embeds[0]["fields"])
    finally:
        await pool.close()


def test_a_ray_replica_shows_its_deployment_state_and_ongoing_requests() -> None:
    from bot.inference.metrics import WorkerInfo
    from cogs.admin._status import worker_field

    replica = WorkerInfo(
        index=0,
        device="cpu",
        device_name="CPU",
        alive=True,
        busy=True,
        loaded=((TASK, "tiny-sentiment-analysis"),),
        memory_used_mb=512.0,
        memory_total_mb=None,
        restarts=1,
        deployment="studybot-sentiment-analysis",
        replica_id="a1b2c3",
        state="RUNNING",
        ongoing=3,
    )
    name, value = worker_field(replica)
    assert name == "Replica a1b2c3 · studybot-sentiment-analysis · cpu"
    assert value.startswith("RUNNING, 3 ongoing · worker RSS 512 MB · restarts 1")
    _, stopping = worker_field(replace(replica, alive=False, state="STOPPING", ongoing=None))
    assert stopping.startswith("**STOPPING** (Ray replaces it)")
    _, local = worker_field(replace(replica, deployment="", replica_id="", state="", ongoing=None))
    assert local.startswith("busy · ")


async def test_status_in_a_direct_message_says_to_use_the_server(session: LocalSession) -> None:
    refused = await session.run("/status", moderator=True, dm=True)
    assert refused.reply.ephemeral
    assert "work in the server, not in direct messages" in refused.reply.content
    assert "you need the Manage Server permission" not in refused.reply.content
