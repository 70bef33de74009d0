"""The Ray Serve backend on a local Ray instance, started once for the whole session.

Every task gives the local pool's outputs; batches form; the bot's admission, positions and
cancellation hold; a killed replica fails politely and is replaced; an unreachable cluster is a
clear error while the rest of the bot works. Marked ``ray`` (``pytest -m "not ray"`` skips them).

Replicas are what cost time here (each imports torch and transformers: ~5 s of CPU), so the
session starts four: one per task for three tasks (the default layout, RAY_DEPLOYMENTS=task), and
one shared deployment that serves every task for the all-tasks comparison.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.inference import ray_cluster
from bot.inference.backend import AFTER_OWN, JobUpdate, run_request
from bot.inference.catalog import TASK_NAMES
from bot.inference.errors import (
    ClusterUnavailable,
    MemberLimitError,
    QueueFullError,
    RequestCancelled,
    RequestTimeout,
    WorkerLost,
)
from bot.inference.factory import make_backend
from bot.inference.pool import InferencePool
from bot.inference.protocol import Outcome, WorkerStatus
from bot.inference.ray_backend import RayBackend
from bot.inference.ray_cluster import CONNECTION, deployment_options, read_deployments
from bot.inference.ray_serve import Chunk, ChunkDone, ReplicaConfig, TaskReplica
from bot.inference.tasks import get_task
from bot.local.session import LocalSession
from bot.settings import Settings
from cogs.admin._status import worker_field
from tests.conftest import make_settings

pytestmark = pytest.mark.ray

SENTIMENT = "sentiment-analysis"
#: Settings every Ray backend in this file shares, so they all use the same deployments.
RAY_ENV = {
    "INFERENCE_BACKEND": "ray",
    "RAY_CPUS_PER_REPLICA": "0.25",  # four replicas on a 2-core machine
    "TORCH_THREADS": "1",
    # Timeouts twenty times longer: a request that is not about timing out must not time out on a
    # busy machine (one shared replica loads every task's model in turn; measured: tokenize past
    # its 30 s with two CPU burners beside the suite, and past 150 s with three suites at once).
    "TIMEOUT_SCALE": "20",
}
#: The tasks with their own deployment in the session.
OWN_DEPLOYMENTS = [SENTIMENT, "fill-mask", "ner"]
SAMPLES: dict[str, tuple[list[Any], dict[str, Any]]] = {
    SENTIMENT: (["I love this course.", "This chapter is far too long and boring."], {}),
    "zero-shot-classification": (
        [{"text": "The match went to extra time.", "candidate_labels": ["sport", "politics", "cooking"]}],
        {},
    ),
    "text-generation": (
        ["In this course, we will teach you how to"],
        {"max_new_tokens": 8, "do_sample": False},
    ),
    "fill-mask": (["This course will teach you all about [MASK] models."], {"top_k": 3}),
    "ner": (["My name is Sylvain and I work at Hugging Face in Brooklyn."], {}),
    "question-answering": (
        [
            {
                "question": "Where do I work?",
                "context": "My name is Sylvain and I work at Hugging Face in Brooklyn.",
            }
        ],
        {},
    ),
    "summarization": (["The course covers transformers, tokenizers, datasets and how to share models."], {}),
    "translation": (["Ce cours est produit par Hugging Face."], {}),
    "tokenize": (["Using a Transformer network is simple"], {}),
}
DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."


def sample(task: str) -> tuple[list[Any], dict[str, Any]]:
    """Inputs for ``task`` (a task added later gets a plain sentence, as every text task takes)."""
    if task in SAMPLES:
        return SAMPLES[task]
    assert get_task(task).input_kind == "text", f"add a sample input for {task}"
    return [DEFAULT_TEXT], {}


def assert_same(local: Any, ray: Any, where: str = "result") -> None:
    """Equal structures; floats equal to 1e-4 (different torch thread counts reorder sums)."""
    if isinstance(local, float) or isinstance(ray, float):
        assert math.isclose(local, ray, rel_tol=1e-4, abs_tol=1e-4), f"{where}: {local} != {ray}"
    elif isinstance(local, dict):
        assert isinstance(ray, dict) and set(local) == set(ray), f"{where}: keys differ"
        for key in local:
            assert_same(local[key], ray[key], f"{where}.{key}")
    elif isinstance(local, list):
        assert isinstance(ray, list) and len(local) == len(ray), f"{where}: lengths differ"
        for index, (a, b) in enumerate(zip(local, ray, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    else:
        assert local == ray, f"{where}: {local!r} != {ray!r}"


def ray_settings(tmp_path: Path, tiny_dir: Path, **env: str) -> Settings:
    return make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir), **{**RAY_ENV, **env})


async def until(condition: Callable[[], bool], limit_s: float = 30.0) -> None:
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110 - backend state has no event to wait on
            await asyncio.sleep(0.02)


async def replica_pid(task: str) -> int:
    """The process of ``task``'s (only) running replica, as Serve reports it."""
    views = await CONNECTION.call(read_deployments, [task])
    pids = [r.pid for r in views[task].replicas if r.state == "RUNNING" and r.pid]
    assert len(pids) == 1, views
    return pids[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
async def ray_backend(tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path) -> AsyncIterator[RayBackend]:
    """One local Ray instance, and a deployment (one replica) for each of OWN_DEPLOYMENTS."""
    backend = RayBackend(ray_settings(tmp_path_factory.mktemp("ray"), tiny_dir), update_interval_s=0)
    await backend.start()
    await backend.wait_ready()
    await backend.deploy(OWN_DEPLOYMENTS)
    assert [d.state for d in backend._deployments.values()] == ["ready"] * 3, backend._deployments
    yield backend
    await backend.close()


@pytest.fixture(scope="session")
async def shared_ray_backend(
    ray_backend: RayBackend, tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path
) -> AsyncIterator[RayBackend]:
    """On the same Ray instance: one deployment (one replica) that serves every task."""
    settings = ray_settings(tmp_path_factory.mktemp("ray-shared"), tiny_dir, RAY_DEPLOYMENTS="shared")
    backend = RayBackend(settings, update_interval_s=0)
    await backend.start()
    await backend.deploy(TASK_NAMES)
    assert list(backend._deployments) == ["shared"]
    yield backend
    await backend.close()


# --- the same engine ---------------------------------------------------------------------------------


async def test_every_task_gives_the_local_pools_outputs(
    ray_backend: RayBackend, shared_ray_backend: RayBackend, shared_pool: InferencePool
) -> None:
    async def all_three(task: str) -> list[Any]:
        inputs, params = sample(task)
        backends = [shared_pool, shared_ray_backend] + ([ray_backend] if task in OWN_DEPLOYMENTS else [])
        return await asyncio.gather(
            *(
                run_request(backend, task, None, inputs, params, user=f"{n}-{task}")
                for n, backend in enumerate(backends)
            )
        )

    results = await asyncio.gather(*(all_three(task) for task in TASK_NAMES))
    for task, (local, *ray) in zip(TASK_NAMES, results, strict=True):
        for result in ray:
            assert_same(local, result, task)
    assert shared_ray_backend.snapshot().tasks[SENTIMENT].items == 2
    assert ray_backend.snapshot().tasks[SENTIMENT].items >= 2
    # The shared replica keeps the most recently used models (MAX_MODELS_PER_DEVICE), as a local worker.
    await until(lambda: [w.ongoing for w in shared_ray_backend.snapshot().workers] == [0], 10)
    (worker,) = shared_ray_backend.snapshot().workers
    assert worker.deployment == "studybot-shared" and worker.state == "RUNNING" and worker.alive
    name, value = worker_field(worker)  # what /status shows for it
    assert name.startswith("Replica ") and "studybot-shared" in name
    assert value.startswith("RUNNING, 0 ongoing")
    assert 0 < len(worker.loaded) <= shared_ray_backend.settings.max_models_per_device
    assert shared_ray_backend.device_names() == ["cpu"]


async def test_replica_states_survive_without_serves_internals(
    shared_ray_backend: RayBackend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The replica details come from Serve's controller client and the ongoing counts from its
    replica actors (both private); without them, the public counts, and one warning each."""
    import ray

    caplog.set_level(logging.WARNING, logger="bot.inference.ray_cluster")
    monkeypatch.setattr(ray_cluster, "_MISSING_INTERNALS", set())
    detailed = (await CONNECTION.call(read_deployments, ["shared"]))["shared"]
    assert detailed.running == 1 and detailed.replicas[0].pid and detailed.replicas[0].ongoing is not None
    # A Ray whose replica actors no longer answer the ongoing count: the rest of the details stay.
    monkeypatch.setattr(ray, "get_actor", lambda name, namespace=None: object())
    for _ in range(2):
        no_count = (await CONNECTION.call(read_deployments, ["shared"]))["shared"]
        assert no_count.replicas[0].pid == detailed.replicas[0].pid and no_count.replicas[0].ongoing is None
    monkeypatch.delattr("ray.serve.context._get_global_client")
    for _ in range(2):
        public = (await CONNECTION.call(read_deployments, ["shared"]))["shared"]
        assert (public.status, public.running) == (detailed.status, 1)
        assert [replica.ongoing for replica in public.replicas] == [None] * len(public.replicas)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.inference.ray_cluster"]
    assert len(warnings) == 2, warnings  # once per missing internal, not once per status read
    assert "ongoing-request count" in warnings[0] and "controller client" in warnings[1]


async def test_concurrent_requests_share_batches_by_parameters(ray_backend: RayBackend) -> None:
    before = len(ray_backend.metrics.batch_sizes["fill-mask"])
    texts = [f"Member {n} thinks this [MASK] is {'very ' * (n % 4)}useful." for n in range(16)]
    results = await asyncio.gather(
        *(
            run_request(ray_backend, "fill-mask", None, [text], {"top_k": 2 + n % 2}, user=f"m{n}")
            for n, text in enumerate(texts)
        )
    )
    # Two parameter groups never share a forward pass: each result has its own top_k.
    assert [len(result[0]) for result in results] == [2 + n % 2 for n in range(16)]
    sizes = list(ray_backend.metrics.batch_sizes["fill-mask"])[before:]
    assert sum(sizes) == 16
    assert max(sizes) > 1, f"concurrent requests should share batches, got {sizes}"
    snapshot = ray_backend.snapshot()
    assert snapshot.tasks["fill-mask"].max_batch > 1
    assert snapshot.queue_depth == 0 and snapshot.running == 0


def test_a_replica_groups_sorts_and_caps_its_batches(tiny_dir: Path) -> None:
    """The replica class itself (no Serve): one pass per parameter key, length-sorted, token cap."""
    config = ReplicaConfig(
        name="fill-mask",
        tasks=("fill-mask",),
        preload=(),
        gpus=0,
        torch_threads=1,
        cache_dir=None,
        max_models=2,
        memory_budget_mb=0,
        max_batch=8,
        max_wait_s=0.0,
        max_batch_tokens=64,
        hang_limit_s=60,
    )
    replica = TaskReplica(config)
    ref = str(tiny_dir / "tiny-fill-mask")
    short, long = "A [MASK] day.", "A " + "very " * 20 + "[MASK] day."
    chunks = [
        Chunk("fill-mask", ref, {"top_k": 2}, [long, short]),
        Chunk("fill-mask", ref, {"top_k": 3}, [short]),
        Chunk("fill-mask", ref, {"top_k": 2}, [short, "Not a mask"]),
    ]
    done = replica.run_chunks(chunks)
    assert [len(d.outcomes) for d in done] == [2, 1, 2]
    assert [len(o.value) for o in done[0].outcomes] == [2, 2]
    assert len(done[1].outcomes[0].value) == 3
    assert done[2].outcomes[0].ok and not done[2].outcomes[1].ok  # one bad input fails alone
    assert "error code" in done[2].outcomes[1].error
    # top_k=2 holds four inputs of 13, 33, 13 and 7 tokens: sorted, all four would pad to 4 × 33 >
    # 64 tokens, so they run as the three shortest, then the long one. top_k=3 runs alone. Each
    # forward pass is reported once, with the first chunk that took part in it.
    assert [[size for size, _ in d.batches] for d in done] == [[3, 1], [1], []]
    assert done[0].status.loaded == (("fill-mask", ref),)


# --- the bot's own rules ----------------------------------------------------------------------------


async def test_limits_positions_and_cancellation_hold(
    ray_backend: RayBackend, tmp_path: Path, tiny_dir: Path
) -> None:
    backend = RayBackend(
        ray_settings(tmp_path, tiny_dir, QUEUE_LIMIT="3", MEMBER_INFLIGHT_LIMIT="1"), update_interval_s=0
    )
    await backend.start()
    await backend.deploy([SENTIMENT])  # the session's deployment, as it runs: nothing restarts
    pid = await replica_pid(SENTIMENT)
    os.kill(pid, signal.SIGSTOP)  # calls reach the replica and wait there
    try:
        first = asyncio.create_task(run_request(backend, SENTIMENT, None, ["one"], user="ann"))
        await until(lambda: backend.snapshot().running == 1)
        with pytest.raises(MemberLimitError, match=r"limit is 1"):
            backend.check(SENTIMENT, None, ["two"], user="ann")
        second = asyncio.create_task(run_request(backend, SENTIMENT, None, ["two"], user="bob"))
        await until(lambda: backend.snapshot().running == 2)  # the window: two calls per replica
        seen: list[JobUpdate] = []
        third = asyncio.create_task(
            run_request(
                backend, SENTIMENT, None, ["three"], user="cy", on_update=seen.append, request_id="cy-1"
            )
        )
        await until(lambda: backend.snapshot().queue_depth == 1)
        await until(lambda: bool(seen))
        assert seen[-1] == JobUpdate("queued", position=1)
        with pytest.raises(QueueFullError, match=r"full \(3 requests\)"):
            await run_request(backend, SENTIMENT, None, ["late"], user="zoe")
        assert backend.cancel("cy-1") is True
        with pytest.raises(RequestCancelled):
            await third
        assert backend.snapshot().queue_depth == 0
    finally:
        os.kill(pid, signal.SIGCONT)
    results = await asyncio.wait_for(asyncio.gather(first, second), 60)
    assert all(result[0][0]["label"] in ("POSITIVE", "NEGATIVE") for result in results)
    assert backend.metrics.items[SENTIMENT] == 2  # the cancelled input never reached the cluster
    await backend.close()


async def test_a_killed_replica_fails_its_request_and_is_replaced(
    ray_backend: RayBackend, tmp_path: Path, tiny_dir: Path
) -> None:
    # A long batching window holds a request inside the replica. Serve may still hand a request
    # that had not reached the replica's batch to another replica when this one dies (a retry it
    # is entitled to): what is guaranteed is that the request either fails with WorkerLost or is
    # answered exactly once, by the replacement, and that the replica is replaced. Every wait
    # below is on a state, with bounds generous enough for a busy machine.
    backend = RayBackend(ray_settings(tmp_path, tiny_dir, MAX_WAIT_MS="3000"), update_interval_s=0)
    task, inputs = "ner", ["Ada lives in London."]
    await backend.start()
    await backend.deploy([task])  # other settings: Serve replaces the session's ner replica
    await until(lambda: task in backend._views, 120)  # a first status read: later losses are counted
    restarts = backend.snapshot().restarts
    pid = await replica_pid(task)
    old_replicas = {r.replica_id for r in backend._views[task].replicas}
    items_before = backend.snapshot().tasks[task].items if task in backend.snapshot().tasks else 0
    victim = asyncio.create_task(run_request(backend, task, None, inputs, user="ann"))

    async def held() -> bool:
        views = await CONNECTION.call(read_deployments, [task])
        return any(replica.ongoing for replica in views[task].replicas)

    async with asyncio.timeout(120):
        while not await held():  # noqa: ASYNC110 - a status poll, not an event
            await asyncio.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    try:
        answered = await asyncio.wait_for(victim, 180)
    except WorkerLost as lost:
        assert "stopped while running your request" in lost.message
    else:  # Serve retried it on the replacement: one answer, from a replica that is not the old one
        assert isinstance(answered[0], list)
        assert backend.snapshot().tasks[task].items == items_before + len(inputs)
        assert set(backend._seen) - old_replicas, "the answer must come from the new replica"
    # The replacement first (starting a replica took 155 s beside two CPU burners), then a request.
    await until(lambda: backend.snapshot().restarts == restarts + 1, 600)
    await until(lambda: backend.worker_health() == (1, 1), 600)
    result = await asyncio.wait_for(run_request(backend, task, None, inputs, user="ann"), 300)
    assert isinstance(result[0], list)
    assert await replica_pid(task) != pid
    await backend.close()


# --- the bot's line in front of a held deployment (no Ray: a double of the control plane) ---------


class HeldResponse:
    """A Serve response double: it waits until the test answers it; ``cancel`` fails it as Serve does."""

    def __init__(self, chunk: Chunk) -> None:
        self.chunk = chunk
        self.future: asyncio.Future[ChunkDone] = asyncio.get_running_loop().create_future()
        self.cancelled = False

    def __await__(self) -> Any:
        return self.future.__await__()

    def cancel(self) -> None:
        from ray.serve.exceptions import RequestCancelledError

        self.cancelled = True
        if not self.future.done():
            self.future.set_exception(RequestCancelledError())

    def answer(self) -> None:
        outcomes = [Outcome(True, [{"label": "POSITIVE", "score": 0.9}]) for _ in self.chunk.inputs]
        self.future.set_result(
            ChunkDone(outcomes, "replica-1", "cpu", "CPU", WorkerStatus(), [(len(outcomes), 0.01)])
        )


class HeldDeployment:
    """A deployment handle double (``handle.run.remote(chunk)``) that keeps every call for the test."""

    def __init__(self) -> None:
        self.calls: list[HeldResponse] = []
        self.run = self

    def remote(self, chunk: Chunk) -> HeldResponse:
        response = HeldResponse(chunk)
        self.calls.append(response)
        return response

    def sent(self) -> list[list[Any]]:
        return [call.chunk.inputs for call in self.calls]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldDeployment:
    """The Ray backend's control plane (:mod:`bot.inference.ray_cluster`) answering without Ray: one
    running replica per deployment, whose calls wait for the test."""
    handle = HeldDeployment()
    monkeypatch.setattr(CONNECTION, "acquire", lambda settings: None)
    monkeypatch.setattr(CONNECTION, "release", lambda: None)
    monkeypatch.setattr(ray_cluster, "code_fingerprint", lambda: "held")
    monkeypatch.setattr(ray_cluster, "deploy", lambda plans: [plan.name for plan in plans])
    monkeypatch.setattr(ray_cluster, "app_status", lambda name: ("RUNNING", ""))
    monkeypatch.setattr(ray_cluster, "get_handle", lambda name: handle)
    monkeypatch.setattr(ray_cluster, "read_deployments", lambda names: {})
    return handle


def place(backend: RayBackend, request_id: str) -> int | None:
    """A queued request's position (the ETA next to it depends on the machine)."""
    state = backend.job_state(request_id)
    assert state is not None and state.state == "queued", state
    return state.position


async def test_members_take_turns_and_see_their_place(
    held: HeldDeployment, tmp_path: Path, tiny_dir: Path
) -> None:
    backend = RayBackend(ray_settings(tmp_path, tiny_dir, MAX_BATCH="1"), update_interval_s=0)
    await backend.start()
    await backend.deploy([SENTIMENT])
    ann = asyncio.create_task(
        run_request(backend, SENTIMENT, None, ["a0", "a1", "a2"], user="ann", request_id="ann")
    )
    await until(lambda: len(held.calls) == 2)  # the window: two calls for the one running replica
    ann_again = asyncio.create_task(
        run_request(backend, SENTIMENT, None, ["a3"], user="ann", request_id="ann-2")
    )
    await until(lambda: backend.job_state("ann-2") is not None)
    bob = asyncio.create_task(run_request(backend, SENTIMENT, None, ["b"], user="bob", request_id="bob"))
    await until(lambda: backend.job_state("bob") is not None)
    cy = asyncio.create_task(run_request(backend, SENTIMENT, None, ["c"], user="cy", request_id="cy"))
    await until(lambda: backend.job_state("cy") is not None)
    # Places count the inputs ahead in the bot's line: ann's third input, then bob's. Ann's second
    # request waits behind her first, out of the line: it has no number yet.
    assert place(backend, "bob") == 2
    assert place(backend, "cy") == 3
    state = backend.job_state("ann-2")
    assert state is not None and state.after_own and state.position is None and state.detail == AFTER_OWN
    held.calls[0].answer()
    await until(lambda: len(held.calls) == 3)
    # Ann's first request is now handed out in full: her second one joins the line at its back.
    assert place(backend, "bob") == 1
    assert place(backend, "cy") == 2
    assert place(backend, "ann-2") == 3
    for n in (1, 2, 3):
        held.calls[n].answer()
        await until(lambda n=n: len(held.calls) == n + 3)
    for call in held.calls[4:]:
        call.answer()
    # Members take turns: bob and cy go before ann's second request, though it was sent earlier.
    assert held.sent()[2:] == [["a2"], ["b"], ["c"], ["a3"]]
    assert [len(result) for result in await asyncio.gather(ann, ann_again, bob, cy)] == [3, 1, 1, 1]
    assert backend.snapshot().tasks[SENTIMENT].items == 6
    await backend.close()


async def test_requests_time_out_queued_or_running(
    held: HeldDeployment, tmp_path: Path, tiny_dir: Path
) -> None:
    # TIMEOUT_SCALE 0.05: sentiment's 60 s become 3 s, and a call's grace past them 1.5 s.
    backend = RayBackend(
        ray_settings(tmp_path, tiny_dir, MAX_BATCH="1", TIMEOUT_SCALE="0.05"), update_interval_s=0
    )
    await backend.start()
    await backend.deploy([SENTIMENT])
    requests = [
        asyncio.create_task(run_request(backend, SENTIMENT, None, [text], user=text))
        for text in ("ann", "bob", "cy")
    ]
    await until(lambda: len(held.calls) == 2 and backend.snapshot().queue_depth == 1)
    for request in requests:  # two held by the replica, one still in the bot's line
        with pytest.raises(RequestTimeout, match="longer than 3 seconds"):
            await request
    # The calls the replica still holds past their grace are cancelled, which frees the window.
    await until(lambda: all(call.cancelled for call in held.calls) and backend.snapshot().running == 0, 10)
    later = asyncio.create_task(run_request(backend, SENTIMENT, None, ["dee"], user="dee"))
    await until(lambda: len(held.calls) == 3)
    held.calls[2].answer()
    assert len(await later) == 1
    await backend.close()


def test_deployments_follow_the_settings(tmp_path: Path) -> None:
    """GPU fractions, CPUs and the autoscaling bounds per replica come from the settings."""
    settings = make_settings(
        tmp_path,
        INFERENCE_BACKEND="ray",
        RAY_GPUS_PER_REPLICA="0.5",
        RAY_CPUS_PER_REPLICA="2",
        RAY_REPLICAS_MIN="0",
        RAY_REPLICAS_MAX="4",
    )
    options = deployment_options(settings, "text-generation", ("text-generation",))
    assert options["ray_actor_options"] == {"num_cpus": 2, "num_gpus": 0.5}
    assert "num_replicas" not in options
    scaling = options["autoscaling_config"]
    assert (scaling["min_replicas"], scaling["max_replicas"], scaling["initial_replicas"]) == (0, 4, 1)
    # The tokenizer explorer loads no model: it never reserves a GPU.
    assert deployment_options(settings, "tokenize", ("tokenize",))["ray_actor_options"]["num_gpus"] == 0
    fixed = deployment_options(settings.replace(ray_replicas_min=2, ray_replicas_max=2), "ner", ("ner",))
    assert fixed["num_replicas"] == 2 and "autoscaling_config" not in fixed


def test_replicas_batch_with_the_bots_settings(tmp_path: Path, tiny_dir: Path) -> None:
    """``@serve.batch`` and the replica's own cuts use MAX_BATCH, MAX_WAIT_MS and MAX_BATCH_TOKENS."""
    settings = ray_settings(
        tmp_path, tiny_dir, MAX_BATCH="4", MAX_WAIT_MS="20", MAX_BATCH_TOKENS="512", RAY_GPUS_PER_REPLICA="1"
    )
    config = RayBackend(settings)._replica_config("fill-mask")
    assert (config.max_batch, config.max_wait_s, config.max_batch_tokens) == (4, 0.02, 512)
    assert config.gpus == 1 and config.tasks == ("fill-mask",)
    assert config.preload == (("fill-mask", str(tiny_dir / "tiny-fill-mask")),)  # starts warm
    assert RayBackend(settings.replace(ray_deployments="shared"))._replica_config("shared").tasks == tuple(
        TASK_NAMES
    )


# --- the cluster unreachable ----------------------------------------------------------------------


async def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path, tiny_dir: Path) -> None:
    address = f"127.0.0.1:{closed_port()}"
    backend = make_backend(ray_settings(tmp_path, tiny_dir, RAY_ADDRESS=address))
    assert isinstance(backend, RayBackend)
    await backend.start()  # returns at once: the bot starts whatever the cluster does
    with pytest.raises(ClusterUnavailable, match=f"{address} cannot be reached"):
        await backend.wait_ready(limit_s=20)
    with pytest.raises(ClusterUnavailable, match="everything else works"):
        await run_request(backend, SENTIMENT, None, ["hello"], user="ann")
    assert backend.worker_health() == (0, 1)
    assert "unreachable" in backend.device_names()[0]
    await backend.close()


async def test_the_bot_keeps_serving_without_its_cluster(tmp_path: Path, tiny_dir: Path) -> None:
    settings = ray_settings(tmp_path, tiny_dir, RAY_ADDRESS=f"127.0.0.1:{closed_port()}")
    async with LocalSession(settings, fail_on_errors=True, answer_timeout=60) as session:
        assert isinstance(session.bot.backend, RayBackend)
        await until(lambda: session.bot.backend._state == "unavailable", 20)
        about = await session.run("/about")
        assert "unreachable" in about.render()
        config = await session.run("/config show", moderator=True)
        assert config.reply.embeds and config.reply.ephemeral
        resources = await session.run("/resources list")
        assert resources.reply is not None
        posted = await session.run(
            "/homework post week:1 title:Read chapter 1 due:2030-03-10 18:00", moderator=True
        )
        assert posted.reply.ephemeral and posted.reply.content.startswith("Posted"), posted.reply.content
        listed = await session.run("/homework list")
        assert "Read chapter 1" in listed.render()
        demo = await session.run("/sentiment text:I love this course")
        assert demo.reply.ephemeral and "cannot be reached" in demo.reply.content
        session.raise_failures()


def test_the_setting_picks_the_backend(tmp_path: Path) -> None:
    assert isinstance(make_backend(make_settings(tmp_path)), InferencePool)
    assert isinstance(make_backend(make_settings(tmp_path, INFERENCE_BACKEND="ray")), RayBackend)


def test_only_rays_expected_sigterm_notice_is_hidden() -> None:
    import logging

    from bot.inference.ray_cluster import _hide_expected_sigterm_warning

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    _hide_expected_sigterm_warning()
    _hide_expected_sigterm_warning()  # joining twice adds no second filter
    worker_log = logging.getLogger("ray._private.worker")
    assert len(worker_log.filters) == 1
    collect = Collect()
    worker_log.addHandler(collect)
    try:
        worker_log.warning("SIGTERM handler is not set because current thread is not the main thread.")
        worker_log.warning("Failed to connect to GCS")
    finally:
        worker_log.removeHandler(collect)
    assert collect.messages == ["Failed to connect to GCS"]
