"""The worker process: one per device slot, running batches for the pool.

A worker owns its models (a :class:`ModelCache`) and answers one message at a time over its
pipe. One bad input fails alone: inputs are checked one by one before the batch runs, and a batch
that fails as a whole is retried input by input. A CUDA out-of-memory error splits the batch in
halves and retries, so only an input that cannot fit on its own fails.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bot.errors import UserFacingError
from bot.inference.model_cache import ModelCache
from bot.inference.protocol import (
    BatchDone,
    BatchState,
    LoadModel,
    ModelLoaded,
    Outcome,
    RunBatch,
    Stop,
    WorkerReady,
    WorkerStatus,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs to know, picklable."""

    device: str
    torch_threads: int
    cache_dir: Path | None
    max_models: int
    memory_budget_mb: float
    log_level: str = "INFO"


def _is_oom(error: BaseException) -> bool:
    import torch

    return isinstance(error, torch.cuda.OutOfMemoryError) or "out of memory" in str(error).lower()


def _failure(error: BaseException) -> Outcome:
    if isinstance(error, UserFacingError):
        return Outcome(ok=False, error=error.message, user_facing=True)
    code = secrets.token_hex(3)
    log.error("Model failure %s", code, exc_info=error)
    return Outcome(ok=False, error=f"The model failed on this input (error code `{code}`).")


class BatchRunner:
    """Runs one batch with per-input isolation and OOM splitting."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def run(self, inputs: list[Any], params: dict[str, Any]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(inputs)
        runnable: list[int] = []
        for index, item in enumerate(inputs):
            try:
                self.runner.check(item, params)
                runnable.append(index)
            except UserFacingError as error:
                outcomes[index] = _failure(error)
        for index, outcome in zip(
            runnable, self._run_group([inputs[i] for i in runnable], params), strict=True
        ):
            outcomes[index] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _run_group(self, items: list[Any], params: dict[str, Any]) -> list[Outcome]:
        if not items:
            return []
        try:
            return [Outcome(ok=True, value=value) for value in self.runner.run(items, params)]
        except Exception as error:
            if len(items) == 1:
                if _is_oom(error):
                    _free_cuda()
                    return [
                        Outcome(
                            ok=False,
                            error="This input does not fit in the GPU's memory right now.",
                            user_facing=True,
                        )
                    ]
                return [_failure(error)]
            if _is_oom(error):
                _free_cuda()
                middle = len(items) // 2
                log.warning("Out of memory on a batch of %d: splitting it", len(items))
                return self._run_group(items[:middle], params) + self._run_group(items[middle:], params)
            log.warning("A batch of %d failed (%s): running its inputs one by one", len(items), error)
            return [outcome for item in items for outcome in self._run_group([item], params)]


def _free_cuda() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _memory(device: str) -> tuple[float, float | None]:
    """(used, total) megabytes: CUDA memory on a GPU, the process's resident memory on the CPU."""
    import torch

    if device.startswith("cuda"):
        free, total = torch.cuda.mem_get_info(torch.device(device))
        return (total - free) / 2**20, total / 2**20
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20, None


class Worker:
    """The message loop of one worker process."""

    def __init__(self, conn: Connection, config: WorkerConfig) -> None:
        from bot.inference.loading import load_runner

        self.conn = conn
        self.config = config
        self.cache = ModelCache(
            lambda task, ref: load_runner(task, ref, device=config.device, cache_dir=config.cache_dir),
            max_models=config.max_models,
            budget_mb=config.memory_budget_mb,
        )

    def status(self) -> WorkerStatus:
        used, total = _memory(self.config.device)
        return WorkerStatus(self.cache.keys(), used, total, self.cache.evictions)

    def serve(self) -> None:
        import torch

        if self.config.device == "cpu" and self.config.torch_threads > 0:
            torch.set_num_threads(self.config.torch_threads)
        name = (
            torch.cuda.get_device_name(self.config.device) if self.config.device.startswith("cuda") else "CPU"
        )
        self.conn.send(WorkerReady(self.config.device, name, _memory(self.config.device)[1]))
        while True:
            try:
                message = self.conn.recv()
            except EOFError:  # the pool went away
                return
            if isinstance(message, Stop):
                self.cache.clear()
                return
            if isinstance(message, LoadModel):
                self.conn.send(self._load(message))
            elif isinstance(message, RunBatch):
                self.conn.send(self._run(message))

    def _load(self, message: LoadModel) -> ModelLoaded:
        try:
            self.cache.get(message.task, message.ref)
            error = ""
        except Exception as exc:
            error = exc.message if isinstance(exc, UserFacingError) else f"{type(exc).__name__}: {exc}"
            log.warning("Could not preload %s: %s", message.ref, error)
        return ModelLoaded(message.task, message.ref, error, self.status())

    def _run(self, message: RunBatch) -> BatchDone:
        started = time.perf_counter()
        if (message.task, message.ref) not in self.cache:
            self.conn.send(BatchState(message.batch_id, "loading"))
        try:
            runner = self.cache.get(message.task, message.ref)
        except Exception as error:
            failed = _failure(error)
            return BatchDone(
                message.batch_id,
                [failed] * len(message.inputs),
                time.perf_counter() - started,
                0.0,
                self.status(),
            )
        loaded = time.perf_counter()
        self.conn.send(BatchState(message.batch_id, "running"))
        outcomes = BatchRunner(runner).run(message.inputs, message.params)
        finished = time.perf_counter()
        return BatchDone(message.batch_id, outcomes, loaded - started, finished - loaded, self.status())


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Entry point of a worker process (spawned: it imports torch itself)."""
    logging.basicConfig(
        level=config.log_level,
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)-7s worker[{config.device}] %(name)s: %(message)s",
    )
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        Worker(conn, config).serve()
    except KeyboardInterrupt:  # the terminal's Ctrl-C reaches the whole process group
        pass
    finally:
        conn.close()
