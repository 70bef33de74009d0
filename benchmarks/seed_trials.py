"""Training one offline recipe once per seed, side by side: the part the seed benchmarks share.

``zero_shot_seeds.py`` and ``summarization_seeds.py`` each say what to train and score in one
trial; this module is the rest: their command line (``--seeds``, ``--workers``, ``--json``), the
trials in worker processes started the way the build starts its own (spawned, with the build's
pinned kernels, one torch thread), so a seed gives here the weights it gives in ``studybot models
build-tiny``, each trial's model trained and loaded through studybot's runner, and the printing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.inference.runners import BaseRunner
    from bot.inference.tiny.training import Fitted

Trial = Callable[[int], dict[str, Any]]
Results = Sequence[dict[str, Any]]


def add_arguments(parser: argparse.ArgumentParser, default_seeds: str) -> None:
    """``--seeds``, ``--workers`` and ``--json``, the options every seed benchmark takes."""
    help_text = f"seeds to train with, e.g. {default_seeds} or 5,7"
    parser.add_argument("--seeds", default=default_seeds, help=help_text)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="one JSON object per seed")


def parse_seeds(text: str) -> list[int]:
    """``"5-8,12"`` → ``[5, 6, 7, 8, 12]``."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += list(range(int(low), int(high or low) + 1))
    return seeds


def run_trials(trial: Trial, args: argparse.Namespace) -> list[dict[str, Any]]:
    """``trial(seed)`` for every seed of ``args.seeds``, in ``args.workers`` spawned processes.

    ``trial`` must be a module-level function of the calling script (spawned workers import it).
    """
    from bot.inference.tiny.build import kernel_environment, pin_kernels

    spawn = get_context("spawn")
    with ProcessPoolExecutor(
        args.workers, mp_context=spawn, initializer=pin_kernels, initargs=(kernel_environment(),)
    ) as pool:
        return list(pool.map(trial, parse_seeds(args.seeds)))


def main(
    trial: Trial,
    *,
    description: str,
    default_seeds: str,
    header: str,
    row: Callable[[dict[str, Any]], str],
    footer: Callable[[Results], str] | None = None,
) -> None:
    """A seed benchmark's command line: parse the options, run ``trial`` per seed, then print one
    JSON object per seed (``--json``) or ``header``, a ``row`` per seed and the ``footer``."""
    parser = argparse.ArgumentParser(description=description)
    add_arguments(parser, default_seeds)
    args = parser.parse_args()
    results = run_trials(trial, args)
    if args.json:
        for result in results:
            print(json.dumps(result))
        return
    print(header)
    for result in results:
        print(row(result))
    if footer is not None:
        print(footer(results))


@dataclass(frozen=True)
class Trained:
    """One trial's model: how its training ended, the CPU seconds it took, a runner over it."""

    fitted: Fitted
    cpu_seconds: float
    runner: BaseRunner


@contextlib.contextmanager
def trained(build: Callable[..., Fitted], task: str, seed: int) -> Iterator[Trained]:
    """``build(directory, seed=seed)`` into a temporary directory, quietly on one torch thread, and
    the model loaded through studybot's own runner for ``task``; the directory goes on exit."""
    from bot.inference.loading import load_runner

    quiet_worker()
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as directory:
        fitted = build(Path(directory), seed=seed)
        seconds = time.process_time() - cpu
        yield Trained(fitted, seconds, load_runner(task, directory))


def quiet_worker() -> None:
    """One torch thread (as the build's workers), and no transformers warnings or progress bars."""
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(1)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
