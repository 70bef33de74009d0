"""Training one offline recipe once per seed, side by side: the part the seed benchmarks share.

``zero_shot_seeds.py`` and ``summarization_seeds.py`` each say what to train and score in one
trial; this module parses their ``--seeds`` and runs the trials in worker processes started the
way the build starts its own (spawned, with the build's pinned kernels), so a seed gives here the
weights it gives in ``studybot models build-tiny``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


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


def run_trials(trial: Callable[[int], dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    """``trial(seed)`` for every seed of ``args.seeds``, in ``args.workers`` spawned processes.

    ``trial`` must be a module-level function of the calling script (spawned workers import it).
    """
    from bot.inference.tiny.build import kernel_environment, pin_kernels

    spawn = get_context("spawn")
    with ProcessPoolExecutor(
        args.workers, mp_context=spawn, initializer=pin_kernels, initargs=(kernel_environment(),)
    ) as pool:
        return list(pool.map(trial, parse_seeds(args.seeds)))


def quiet_worker() -> None:
    """One torch thread (as the build's workers), and no transformers warnings or progress bars."""
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(1)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
