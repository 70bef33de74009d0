"""The Ray Serve side of the Ray backend: deployments whose replicas run the local workers' code.

A deployment serves one task (RAY_DEPLOYMENTS=task, the default) or every task (``shared``). A
replica is what a local worker process is, for its task(s): it loads runners with
:func:`bot.inference.loading.load_runner` into the same :class:`~bot.inference.model_cache.ModelCache`
(keyed by model, least recently used out, by count and memory budget), and runs each batch with
the worker's :class:`~bot.inference.worker_process.BatchRunner` (inputs checked one by one, a failed batch
retried input by input, a CUDA out-of-memory batch split in halves). There is no second copy of
task code here.

The bot sends a :class:`Chunk` per call: inputs of one (task, model, parameters) group that it
took from its fair queue. ``@serve.batch`` merges the calls that reach a replica together
(counting inputs, not calls, against MAX_BATCH, and waiting at most MAX_WAIT_MS for more); the
merged batch is grouped again by (task, model, parameter key) — only equal keys share a forward
pass — and each
group is sorted by token length (measured here, with the model's own tokenizer, so the bot needs
no model files) and cut into batches by the replica's :class:`~bot.inference.tuning.BatchTuner` for
that model (sizes learned from measured throughput, within MAX_BATCH items and MAX_BATCH_TOKENS
padded tokens), as a local worker does.

This module is imported by Ray workers (the deployment class is pickled by reference): every
node of the cluster needs studybot installed (``pip install studybot[ray]``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ray import serve

from bot.inference.model_cache import ModelCache
from bot.inference.protocol import Outcome, WorkerStatus
from bot.inference.tasks import get_task
from bot.inference.tuning import BatchTuner
from bot.inference.worker_process import BatchRunner, _failure, _memory, input_cost, tuner_for

log = logging.getLogger(__name__)

#: The ``@serve.batch`` defaults; every replica sets its own from the settings (see ``TaskReplica``).
DEFAULT_MAX_BATCH = 32
DEFAULT_MAX_WAIT_S = 0.005


@dataclass(frozen=True)
class ReplicaConfig:
    """What a replica of one deployment needs to know (plain values, picklable)."""

    name: str  # the deployment: a task's name, or "shared"
    tasks: tuple[str, ...]  # the tasks it serves
    preload: tuple[tuple[str, str], ...]  # (task, ref) loaded when a replica starts: it starts warm
    gpus: float
    torch_threads: int
    cache_dir: Path | None
    max_models: int
    memory_budget_mb: float
    max_batch: int
    max_wait_s: float
    max_batch_tokens: int
    hang_limit_s: float  # a batch running longer than this makes the health check fail
    log_level: str = "INFO"
    timeout_scale: float = 1.0


@dataclass(frozen=True)
class Chunk:
    """Inputs of one (task, model, parameters) group, sent by the bot in one call."""

    task: str
    ref: str
    params: dict[str, Any]
    inputs: list[Any]


@dataclass(frozen=True)
class ChunkDone:
    """A chunk's outcomes (in input order), and what the replica reports with them.

    ``batches`` lists (items, seconds) of the forward passes this chunk was the first part of,
    so that the bot counts every batch once however many chunks shared it.
    """

    outcomes: list[Outcome]
    replica: str
    device: str
    device_name: str
    status: WorkerStatus
    batches: list[tuple[int, float]] = field(default_factory=list)
    load_s: float = 0.0


def _chunk_items(chunks: list[Chunk]) -> int:
    """``@serve.batch``'s size of a list of calls: the inputs they carry."""
    return sum(len(chunk.inputs) for chunk in chunks)


class TaskReplica:
    """One replica of a deployment: a model cache and the worker's batch runner."""

    def __init__(self, config: ReplicaConfig) -> None:
        import torch
        from transformers.utils import logging as hf_logging

        from bot.inference.loading import load_runner

        logging.getLogger("bot").setLevel(config.log_level)
        hf_logging.disable_progress_bar()
        self.config = config
        if config.torch_threads > 0:
            torch.set_num_threads(config.torch_threads)
        on_gpu = config.gpus > 0 and torch.cuda.is_available()
        # Ray gives a replica its GPU(s) through CUDA_VISIBLE_DEVICES: the first one is cuda:0.
        self.device = "cuda:0" if on_gpu else "cpu"
        self.device_name = torch.cuda.get_device_name(0) if on_gpu else "CPU"
        self.cache = ModelCache(
            lambda task, ref: load_runner(task, ref, device=self.device, cache_dir=config.cache_dir),
            max_models=config.max_models,
            budget_mb=config.memory_budget_mb,
        )
        batched: Any = self.run  # serve.batch adds these setters; its type does not say so
        batched.set_max_batch_size(config.max_batch)
        batched.set_batch_wait_timeout_s(config.max_wait_s)
        self._busy_since: float | None = None  # when the batch running now started
        self.tuners: dict[tuple[str, str], BatchTuner] = {}
        self.fingerprint = ""
        try:
            self.replica = serve.get_replica_context().replica_id.unique_id
        except Exception:  # outside Serve (unit tests call the class directly)
            self.replica = f"pid-{os.getpid()}"
        for task, ref in config.preload:
            try:
                self.cache.get(task, ref)
            except Exception as error:  # the first request that needs it reports the error
                log.warning("Could not preload %s for %s: %s", ref, task, error)

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Serve's user config: only the fingerprint the bot deployed with (see ray_cluster.deploy)."""
        self.fingerprint = str(user_config.get("fingerprint", ""))

    @serve.batch(
        max_batch_size=DEFAULT_MAX_BATCH, batch_wait_timeout_s=DEFAULT_MAX_WAIT_S, batch_size_fn=_chunk_items
    )
    async def run(self, chunks: list[Chunk]) -> list[ChunkDone]:
        """Run the chunks that arrived together (off this replica's event loop, which keeps
        taking calls and answering health checks meanwhile)."""
        return await asyncio.to_thread(self.run_chunks, chunks)

    def run_chunks(self, chunks: list[Chunk]) -> list[ChunkDone]:
        """Group by (task, model, parameter key), sort each group by length, run it in capped batches."""
        outcomes: list[list[Outcome | None]] = [[None] * len(chunk.inputs) for chunk in chunks]
        batches: list[list[tuple[int, float]]] = [[] for _ in chunks]
        load_s = [0.0] * len(chunks)
        groups: dict[tuple[str, str, Hashable], list[tuple[int, int]]] = {}
        for c, chunk in enumerate(chunks):
            key = (chunk.task, chunk.ref, get_task(chunk.task).batch_key(chunk.params))
            groups.setdefault(key, []).extend((c, i) for i in range(len(chunk.inputs)))
        for (task, ref, _), places in groups.items():
            params = chunks[places[0][0]].params
            started = time.perf_counter()
            try:
                runner = self.cache.get(task, ref)
            except Exception as error:
                failed = _failure(error)
                for c, i in places:
                    outcomes[c][i] = failed
                continue
            loaded = time.perf_counter() - started
            for c in {c for c, _ in places}:
                load_s[c] = max(load_s[c], loaded)
            costs = [input_cost(task, runner, chunks[c].inputs[i], params) for c, i in places]
            order = sorted(range(len(places)), key=costs.__getitem__)
            sorted_costs = [costs[k] for k in order]
            tuner = self.tuners.get((task, ref))
            if tuner is None:
                tuner = self.tuners[(task, ref)] = tuner_for(
                    task, self.config.max_batch, self.config.max_batch_tokens, self.config.timeout_scale
                )
            for planned in tuner.plan(sorted_costs):
                members = [places[order[k]] for k in range(planned.start, planned.stop)]
                began = time.perf_counter()
                self._busy_since = time.monotonic()
                try:
                    results = BatchRunner(runner).run([chunks[c].inputs[i] for c, i in members], params)
                finally:
                    self._busy_since = None
                seconds = time.perf_counter() - began
                span = sorted_costs[planned.start : planned.stop]
                tuner.record(planned, len(span) * max(span), seconds)
                batches[min(c for c, _ in members)].append((len(members), seconds))
                for (c, i), outcome in zip(members, results, strict=True):
                    outcomes[c][i] = outcome
        status = self.status()
        return [
            ChunkDone(
                [outcome for outcome in own if outcome is not None],
                self.replica,
                self.device,
                self.device_name,
                status,
                batches[c],
                load_s[c],
            )
            for c, own in enumerate(outcomes)
        ]

    def status(self) -> WorkerStatus:
        """What this replica holds and uses (as a local worker reports it)."""
        used, total = _memory(self.device)
        return WorkerStatus(self.cache.keys(), used, total, self.cache.evictions)

    def check_health(self) -> None:
        """Called by Serve every few seconds: a batch stuck past the hang limit fails the check,
        and Serve replaces the replica (its in-flight requests fail, the bot says so politely)."""
        since = self._busy_since
        if since is not None and time.monotonic() - since > self.config.hang_limit_s:
            raise RuntimeError(f"a batch has run for {time.monotonic() - since:.0f} s: hung")
