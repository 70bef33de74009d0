"""How much a window's size costs the worker's batches, without the pool: figures, never a test.

    .venv/bin/python benchmarks/window_replay.py [--windows 64 128 256] [--rounds 4] [--models-dir DIR]
                                                 [--quick]  (the tiny offline classifier, 24 texts)

The pool's worker sorts each window it is sent by length and cuts it with its batch planner
(:func:`bot.inference.worker_process.run_window`), so a window sorts only its own inputs: the
fewer it holds, the wider the lengths inside each batch and the more padding. This runs the pool
benchmark's classification workload (256 chat-length texts, a DistilBERT-base-sized classifier
with random weights, the same inputs as ``studybot bench``) in this process through that same
``run_window`` and planner, in consecutive windows of each ``--windows`` size in arrival order,
interleaved round by round with the benchmark's ideal (all 256 sorted, at the configuration
:func:`pool_bench.chosen_ideal` picks), with the worker's thread settings. It prints, per window
size, the rate over the ideal's (min–median–max over the rounds), the batches of the last round
and the padded tokens per real token of a fixed cut at batch 32, which does not depend on the
machine's noise.

No worker process, no pipes and no event loop: what it shows is the cost of the window's size
alone, to hold against the pool's own figure in ``studybot bench``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pool_bench  # the benchmark's workload, models and ideal

from bot.inference.worker_process import WorkerConfig, run_window, thread_environment, tuner_for

#: The batch size the padding figure cuts at (the pool's planner picks its own).
PADDING_BATCH = 32


def padding(costs: list[int], window: int, batch: int) -> float:
    """Padded tokens per real token when each window of ``costs`` (arrival order) is sorted and
    cut into batches of ``batch``."""
    padded = 0
    for start in range(0, len(costs), window):
        ordered = sorted(costs[start : start + window])
        for offset in range(0, len(ordered), batch):
            part = ordered[offset : offset + batch]
            padded += len(part) * max(part)
    return padded / sum(costs)


def windowed(
    runner: Any, task: str, inputs: list[str], params: dict[str, Any], size: int, tuner: Any
) -> tuple[float, list[int]]:
    """Items per second of ``inputs`` run as consecutive windows of ``size``, and the batches cut."""
    started, cut = time.perf_counter(), []
    for start in range(0, len(inputs), size):
        _, batches = run_window(runner, task, inputs[start : start + size], params, tuner)
        cut += [items for items, _ in batches]
    return len(inputs) / (time.perf_counter() - started), cut


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--windows", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--models-dir", type=Path, help="keep the benchmark's models here between runs")
    parser.add_argument("--quick", action="store_true", help="the tiny offline model, 24 texts (a smoke run)")
    args = parser.parse_args()

    os.environ.update(thread_environment(WorkerConfig("cpu", args.threads, None, 1, 0.0)))
    import torch

    from bot.inference.loading import load_runner

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    workload = (pool_bench.QUICK if args.quick else pool_bench.FULL)[0]
    with tempfile.TemporaryDirectory(prefix="studybot-window-replay-") as scratch:
        paths = pool_bench.build_models(args.models_dir or Path(scratch), quick=args.quick)
        runner = load_runner(workload.task, str(paths[workload.task]))
        inputs = pool_bench.make_inputs(workload, random.Random(0))  # the bench's first workload
        offline = pool_bench.calibrate(runner, workload, inputs, quick=args.quick)
        params, costs = offline.params, offline.costs
        tuner = tuner_for(workload.task, pool_bench.POOL_MAX_BATCH, 8192, 1.0)
        for size in args.windows:  # the planner learns this model, as the bench's warm-up burst does
            windowed(runner, workload.task, inputs, params, size, tuner)
        rates: dict[int, list[float]] = {size: [] for size in args.windows}
        cuts: dict[int, list[int]] = {}
        ideal_rounds = []
        for _ in range(args.rounds):
            ideal_rounds.append(offline.run_finalists(runner))
            for size in args.windows:
                rate, cuts[size] = windowed(runner, workload.task, inputs, params, size, tuner)
                rates[size].append(rate)
    chosen, ideal = pool_bench.chosen_ideal(ideal_rounds)
    print(f"ideal: {chosen}, {args.rounds} rounds, {args.threads} threads")
    for size in args.windows:
        spread = [rate / run.items_s for rate, run in zip(rates[size], ideal, strict=True)]
        print(
            f"windows of {size}: {min(spread):.2f}–{statistics.median(spread):.2f}–{max(spread):.2f} "
            f"of the ideal; padded/real at batch {PADDING_BATCH} {padding(costs, size, PADDING_BATCH):.2f}; "
            f"last round's batches {cuts[size]}"
        )
    whole = padding(costs, len(costs), PADDING_BATCH)
    print(f"all {len(costs)} sorted: padded/real at batch {PADDING_BATCH} {whole:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
