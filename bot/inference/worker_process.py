"""The worker process: one per device slot, running batches for the pool.

A worker owns its models (a :class:`ModelCache`) and answers one message at a time over its
pipe. It receives *windows* (inputs of one task, model and parameters, taken in order from the
pool's line): it sorts a window by token length, cuts it into batches with the (task, model)'s
:class:`~bot.inference.tuning.BatchTuner`, runs them, teaches the tuner what each took, and answers
the whole window at once. One bad input fails alone: inputs are checked one by one before a batch
runs, and a batch that fails as a whole is retried input by input. A CUDA out-of-memory error
splits the batch in halves and retries, so only an input that cannot fit on its own fails.
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

from bot.inference.model_cache import ModelCache
from bot.inference.protocol import (
    BatchDone,
    BatchState,
    LoadModel,
    Measured,
    ModelLoaded,
    Outcome,
    RunBatch,
    Stop,
    WorkerReady,
    WorkerStatus,
)
from bot.inference.tasks import get_task
from bot.inference.tuning import BatchTuner
from bot.user_facing import UserFacingError

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
    max_batch: int = 32
    max_batch_tokens: int = 16384
    timeout_scale: float = 1.0
    niceness: int = 0


def _load_failed(error: BaseException) -> None:
    """Re-raise what must end the worker; any other failure to load is reported with the
    request. That includes the tokenizers library's ``PanicException`` (a Rust panic on a
    malformed tokenizer file), which derives from ``BaseException`` only."""
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise error


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


def input_cost(task: str, runner: Any, item: Any, params: dict[str, Any]) -> int:
    """An input's token cost (see ``TaskSpec.cost``), 1 when it cannot be measured (a bad input
    is reported by the runner's own check)."""
    try:
        return max(1, get_task(task).cost(runner.tokenizer, item, params))
    except Exception:
        return 1


def tuner_for(task: str, max_batch: int, max_batch_tokens: int, timeout_scale: float) -> BatchTuner:
    """A new tuner for ``task``: a batch may take at most a tenth of the task's timeout."""
    return BatchTuner(
        max_batch, max_batch_tokens, latency_bound_s=get_task(task).timeout_s * timeout_scale / 10
    )


def run_window(
    runner: Any, task: str, inputs: list[Any], params: dict[str, Any], tuner: BatchTuner
) -> tuple[list[Outcome], list[tuple[int, float]]]:
    """Sort a window by cost, cut it into batches with ``tuner``, run them, teach the tuner.

    Returns the outcomes in input order and (items, seconds) of every batch.
    """
    costs = [input_cost(task, runner, item, params) for item in inputs]
    order = sorted(range(len(inputs)), key=costs.__getitem__)
    sorted_costs = [costs[i] for i in order]
    outcomes: list[Outcome | None] = [None] * len(inputs)
    batches: list[tuple[int, float]] = []
    for planned in tuner.plan(sorted_costs):
        members = order[planned.start : planned.stop]
        began = time.perf_counter()
        results = BatchRunner(runner).run([inputs[i] for i in members], params)
        seconds = time.perf_counter() - began
        span = sorted_costs[planned.start : planned.stop]
        tuner.record(planned, len(span) * max(span), seconds)
        batches.append((len(members), seconds))
        for i, outcome in zip(members, results, strict=True):
            outcomes[i] = outcome
    return [outcome for outcome in outcomes if outcome is not None], batches


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
        self.tuners: dict[tuple[str, str], BatchTuner] = {}
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
        # Inter-op parallelism only helps graphs with independent branches (not these models), and
        # its own pool of threads would compete with the intra-op ones for the same cores.
        torch.set_num_interop_threads(1)
        # What loading any model imports, imported now: the worker starts while the bot starts,
        # so the first request does not wait for it (a few seconds on a small CPU).
        import transformers.modeling_utils
        import transformers.models.auto.tokenization_auto  # noqa: F401

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
        except BaseException as exc:
            _load_failed(exc)
            error = exc.message if isinstance(exc, UserFacingError) else f"{type(exc).__name__}: {exc}"
            log.warning("Could not preload %s: %s", message.ref, error)
        return ModelLoaded(message.task, message.ref, error, self.status())

    def _run(self, message: RunBatch) -> BatchDone:
        started = time.perf_counter()
        if any((part.task, part.ref) not in self.cache for part in message.parts):
            self.conn.send(BatchState(message.batch_id, "loading"))
        runners: list[Any] = []
        for part in message.parts:
            try:
                runners.append(self.cache.get(part.task, part.ref))
            except BaseException as error:  # every input of that model fails with the reason
                _load_failed(error)
                runners.append(_failure(error))
        loaded = time.perf_counter()
        self.conn.send(BatchState(message.batch_id, "running"))
        outcomes: list[Outcome] = []
        measured: list[Measured] = []
        tuned: dict[tuple[str, str], tuple[int, int]] = {}
        for part, runner in zip(message.parts, runners, strict=True):
            if isinstance(runner, Outcome):
                outcomes.extend([runner] * len(part.inputs))
                continue
            tuner = self._tuner(part.task, part.ref)
            results, batches = run_window(runner, part.task, part.inputs, part.params, tuner)
            outcomes.extend(results)
            measured.extend(Measured(part.task, part.ref, size, seconds) for size, seconds in batches)
            tuned[(part.task, part.ref)] = tuner.best_batch()
        return BatchDone(
            message.batch_id,
            outcomes,
            loaded - started,
            time.perf_counter() - loaded,
            self.status(),
            measured,
            tuple((task, ref, size, budget) for (task, ref), (size, budget) in tuned.items()),
        )

    def _tuner(self, task: str, ref: str) -> BatchTuner:
        tuner = self.tuners.get((task, ref))
        if tuner is None:
            config = self.config
            tuner = self.tuners[(task, ref)] = tuner_for(
                task, config.max_batch, config.max_batch_tokens, config.timeout_scale
            )
        return tuner


def thread_environment(config: WorkerConfig) -> dict[str, str]:
    """Environment for a worker's libraries, so that together they use its share of the cores.

    Torch's intra-op threads are set with ``torch.set_num_threads``; OpenMP and MKL size their
    pools from these variables when torch loads. OpenMP threads that wait at a barrier sleep
    instead of spinning (``OMP_WAIT_POLICY=PASSIVE``): when the bot, another worker or another
    program takes a core, a spinning thread burns the time the descheduled one needs (measured on
    the team's 2-core machine under load: 5.6 items/s spinning, 8.4 passive, DistilBERT, 2 threads).
    The tokenizers library would start a thread per core for each batch it encodes, on top of
    torch's, so it runs in the worker's own thread.
    """
    environment = {"TOKENIZERS_PARALLELISM": "false"}
    if config.device == "cpu" and config.torch_threads > 0:
        threads = str(config.torch_threads)
        environment.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, OMP_WAIT_POLICY="PASSIVE")
    return environment


def child_main(descriptor: int) -> None:
    """Entry point of a worker process: its pipe is the inherited ``descriptor``; the first
    message on it is the :class:`WorkerConfig` (see :mod:`bot.inference.worker_supervisor`)."""
    conn = Connection(descriptor)
    worker_main(conn, conn.recv())


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Run a worker on ``conn`` (it imports torch itself); ends the process when done.

    The worker lowers its own CPU priority by ``config.niceness``: when the cores are contended,
    the bot's event loop, which has 3 seconds to answer each interaction, runs before a batch
    (a model's answer has no such deadline). Lowering a priority needs no privilege.
    """
    if config.niceness:
        os.nice(config.niceness)
    os.environ.update(thread_environment(config))  # before torch and tokenizers are imported
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
    # Nothing is left to clean up (models freed, pipe closed): skip the interpreter's teardown of
    # torch and transformers, which takes a second or more, so that the bot stops quickly.
    logging.shutdown()
    os._exit(0)
