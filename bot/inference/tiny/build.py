"""Building the offline models once, caching them, and saying so while it happens.

A build directory holds one sub-directory per model, each with a stamp file naming the recipe
it was built from: a hash of this package's code and word lists and of the library versions
that shape the saved files (:func:`recipe_hash`). :func:`build_tiny_models` builds only the
models whose stamp is missing or different, so a complete directory costs nothing, an edit to
a recipe rebuilds the models, and a build that was interrupted resumes where it stopped. Each
model is trained in a temporary directory and moved into place before its stamp is written.

Models train in worker processes (one torch thread each, at most one per CPU core), so the
result does not depend on how many run at once. A lock file keeps two processes from building
the same directory at the same time.

The floats of a training run depend on the instruction set of the CPU kernels, not only on the
seeds: an AVX-512 host and an AVX2-only host build different weights from the same recipe. So
each worker first sets :data:`KERNEL_ENVIRONMENT` (:func:`pin_kernels`), which holds torch's own
kernels, MKL's and oneDNN's to AVX2 on every x86 host that has it: AMD's AVX-512 hosts build
the weights its AVX2-only hosts build. Intel's AMX hosts still build others (MKL's non-strict
mode and oneDNN's GELU; the README's "Offline models"), so the v4 reference the tests compare
with is kept per set of weights (``tests/reference/v4_reference*.json``).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.inference.tiny.recipes import RECIPES

log = logging.getLogger(__name__)

#: Bump when the layout of a build directory changes.
TINY_FORMAT_VERSION = 2
#: Written into a model's directory once it is complete: the recipe hash it was built from.
MODEL_STAMP = ".studybot-tiny-model.json"
#: Written into the build directory once every model in it is complete.
STAMP_FILE = ".studybot-tiny.json"
_LOCK_FILE = ".studybot-tiny.lock"
_PACKAGE_DIR = Path(__file__).parent
_VERSIONED = ("torch", "transformers", "tokenizers", "sentencepiece")

#: ``progress(done, total, message)``: called before each model starts and once at the end.
Progress = Callable[[int, int, str], None]

#: Read by torch (``ATEN_CPU_CAPABILITY``), MKL (conditional numerical reproducibility) and oneDNN
#: when their first kernel runs; each build worker sets it first (see the module's docstring).
KERNEL_ENVIRONMENT = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
#: What torch reports in a worker that runs with :data:`KERNEL_ENVIRONMENT`.
PINNED_CAPABILITY = "AVX2"


def recipe_hash() -> str:
    """A digest of everything a build depends on: this package's files and the library versions."""
    digest = hashlib.sha256(f"format {TINY_FORMAT_VERSION}\n".encode())
    for path in sorted(_PACKAGE_DIR.iterdir()):
        if path.suffix in {".py", ".toml"}:
            digest.update(f"{path.name}\n".encode())
            digest.update(path.read_bytes())
    for name in _VERSIONED:
        digest.update(f"{name} {metadata.version(name)}\n".encode())
    return digest.hexdigest()[:16]


def _read(path: Path) -> object:
    """A JSON file's content, or None when it is missing or broken."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def model_is_built(directory: Path, recipe: str) -> bool:
    """Whether ``directory`` holds a complete model built from ``recipe``."""
    stamp = _read(directory / MODEL_STAMP)
    return isinstance(stamp, dict) and stamp.get("recipe") == recipe


def build_models(
    dest: Path,
    names: list[str] | None = None,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> float:
    """Build the models ``names`` (all by default) under ``dest``; return the seconds it took.

    Models already built from the current recipe are kept as they are.
    """
    import filelock

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = list(RECIPES) if names is None else [name for name in RECIPES if name in names]
    recipe = recipe_hash()
    started = time.perf_counter()
    with filelock.FileLock(str(dest / _LOCK_FILE)):
        todo = [name for name in wanted if not model_is_built(dest / name, recipe)]
        for name in list(todo):  # what a model starts from is built too, first
            after = RECIPES[name].after
            if after and after not in todo and not model_is_built(dest / after, recipe):
                todo.insert(0, after)
        if todo:
            (dest / STAMP_FILE).unlink(missing_ok=True)
            _train(dest, todo, recipe, progress or _log_progress, workers)
        stamp = {"format": TINY_FORMAT_VERSION, "recipe": recipe, "models": sorted(RECIPES)}
        if all(model_is_built(dest / name, recipe) for name in RECIPES) and _read(dest / STAMP_FILE) != stamp:
            (dest / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return time.perf_counter() - started


def _log_progress(done: int, total: int, message: str) -> None:
    log.info("%s %d/%d", message, done, total)


def _train(dest: Path, todo: list[str], recipe: str, progress: Progress, workers: int | None) -> None:
    """Train ``todo`` in worker processes, each model as soon as the model it starts from is built."""
    total = len(todo)
    count = max(1, min(workers or os.cpu_count() or 1, total))
    log.info("building %d offline model(s) in %s with %d worker(s)", total, dest, count)
    started = time.perf_counter()
    queue = list(todo)
    number = 0

    def next_ready(running: int) -> str | None:
        """The first queued model whose starting model is built (None while one is still training)."""
        for name in queue:
            after = RECIPES[name].after
            if after is None or model_is_built(dest / after, recipe):
                queue.remove(name)
                return name
        if not running:  # pragma: no cover - a recipe that starts from a model not in RECIPES
            raise RuntimeError(f"cannot build {queue}: what they start from is missing")
        return None

    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(dir=dest, prefix=".building-") as tmp,
        concurrent.futures.ProcessPoolExecutor(
            count, mp_context=spawn, initializer=pin_kernels, initargs=(kernel_environment(),)
        ) as pool,
    ):
        staging = Path(tmp)
        running: dict[concurrent.futures.Future[dict[str, Any]], str] = {}
        while queue or running:
            while queue and len(running) < count:  # keep every worker busy, one model each
                name = next_ready(len(running))
                if name is None:
                    break
                number += 1
                progress(number, total, f"Training the offline {RECIPES[name].title} model…")
                running[pool.submit(build_one, name, str(staging / name), str(dest))] = name
            finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                _place(dest, staging, running.pop(future), recipe, future.result())
    progress(total, total, f"Offline models ready in {time.perf_counter() - started:.0f} s.")


def kernel_environment() -> dict[str, str]:
    """What the build's workers set before their first kernel: :data:`KERNEL_ENVIRONMENT`, or
    nothing on a CPU without AVX2 (asking for AVX2 there would not make its weights match)."""
    import torch

    if torch.backends.cpu.get_cpu_capability() in {"AVX2", "AVX512"}:
        return KERNEL_ENVIRONMENT
    log.warning("this CPU has no AVX2: the offline models' weights will differ from other hosts'")
    return {}


def pin_kernels(environment: dict[str, str]) -> None:
    """A build worker's initializer: set ``environment`` before torch, MKL or oneDNN reads it.

    Each library reads its variable once, when its first kernel runs (after ``import torch``
    too), and a worker runs none before this. The process that asked for the build keeps its
    own environment.
    """
    os.environ.update(environment)


def _place(dest: Path, staging: Path, name: str, recipe: str, result: dict[str, Any]) -> None:
    """Move a freshly built model into ``dest`` and stamp it."""
    target = dest / name
    if target.exists():
        shutil.rmtree(target)
    (staging / name).replace(target)
    stamp = {
        "recipe": recipe,
        "first_training_loss": result["first_loss"],
        "final_training_loss": result["loss"],
        "cpu_kernels": result["kernels"],
    }
    (target / MODEL_STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    log.info(
        "built %s (final training loss %.4f, %s kernels, %.1f s, %.1f s of CPU)",
        name,
        result["loss"],
        result["kernels"],
        result["seconds"],
        result["cpu_seconds"],
    )


def build_one(name: str, directory: str, dest: str) -> dict[str, Any]:
    """Train and save one model (the body of a worker process): one torch thread, quiet logs.

    A model that starts from another one (``Recipe.after``) finds it built in ``dest``.
    """
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(1)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    started, cpu = time.perf_counter(), time.process_time()
    after = RECIPES[name].after
    fitted = RECIPES[name].build(Path(directory), Path(dest) / after if after else None)
    return {
        "first_loss": round(fitted.first_loss, 6),
        "loss": round(fitted.final_loss, 6),
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "kernels": torch.backends.cpu.get_cpu_capability(),
    }
