"""The worker pool benchmark (``studybot bench``, ``benchmarks/pool.py``): figures, never a test.

It builds realistic-size models from default configs with random weights — a DistilBERT-base
classifier and GPT-2 small, the same compute as the course checkpoints — and measures, in one
run on whatever device is present:

1. **naive**: one runner call per request, one after another (what a simple bot does);
2. **ideal**: every input in one offline run, sorted by length, at the best batch size;
3. **pool**: the same requests through ``pool.submit`` from the event loop, all at once (burst)
   and as a Poisson stream at 80% of the ideal throughput,

with items/s, p50/p95 latency, the event loop's lag (p99 of a 5 ms ticker), and peak memory.
Torch runs as many threads as the bot's one CPU worker would (every core, unless ``--threads``),
and naive and ideal use the same count, so all three modes have the same compute. The ideal is
the best of several batch sizes, so the pool's burst is the best of ``BURST_RUNS`` runs: each
mode is given its best showing, not one a chance hiccup spoilt.

With ``--backend ray`` the same run goes on with the same requests through the Ray Serve backend
on a local Ray instance — one replica per task (one torch thread, like the pool's one worker),
then ``--replicas`` replicas, next to the local pool with as many workers — and reports the
ratio Ray/local and how throughput grows with replicas.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import re
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bot.inference.backend import run_request
from bot.inference.catalog import Catalog, CatalogEntry
from bot.inference.metrics import percentile
from bot.inference.tiny import build_tiny_models, tiny_model_dir
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

CLASSIFICATION, GENERATION = "sentiment-analysis", "text-generation"
TICK_S = 0.005
BURST_RUNS = 3


@dataclass(frozen=True)
class Workload:
    """One task's measured workload."""

    task: str
    requests: int
    params: dict[str, Any]
    batch_sizes: tuple[int, ...]


FULL = (
    Workload(CLASSIFICATION, 256, {}, (8, 16, 32, 64)),
    Workload(GENERATION, 32, {"max_new_tokens": 20}, (8, 16, 32)),
)
QUICK = (
    Workload(CLASSIFICATION, 24, {}, (8, 24)),
    Workload(GENERATION, 4, {"max_new_tokens": 4}, (4,)),
)


@dataclass(frozen=True)
class Figures:
    """What one mode achieved."""

    items_s: float
    p50_ms: float
    p95_ms: float
    loop_lag_p99_ms: float | None = None
    batch: int | None = None


def _figures(latencies: list[float], elapsed: float, **extra: Any) -> Figures:
    return Figures(
        items_s=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=(percentile(latencies, 0.5) or 0.0) * 1000,
        p95_ms=(percentile(latencies, 0.95) or 0.0) * 1000,
        **extra,
    )


# --- models and inputs ---------------------------------------------------------------------------


def build_models(root: Path, *, quick: bool) -> dict[str, Path]:
    """Random-weight models of the real sizes (tiny ones with ``quick``), with local tokenizers."""
    tiny = build_tiny_models(root / "tiny")
    if quick:
        return {CLASSIFICATION: tiny[CLASSIFICATION], GENERATION: tiny[GENERATION]}
    import torch
    import transformers
    from transformers import (
        AutoTokenizer,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        GPT2Config,
        GPT2LMHeadModel,
    )

    transformers.utils.logging.disable_progress_bar()
    paths = {CLASSIFICATION: root / "distilbert-base-random", GENERATION: root / "gpt2-small-random"}
    torch.manual_seed(0)
    if not (paths[CLASSIFICATION] / "config.json").is_file():
        config = DistilBertConfig(
            num_labels=2, id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
        )
        DistilBertForSequenceClassification(config).save_pretrained(paths[CLASSIFICATION])
        word_level_tokenizer().save_pretrained(paths[CLASSIFICATION])
    if not (paths[GENERATION] / "config.json").is_file():
        GPT2LMHeadModel(GPT2Config()).save_pretrained(paths[GENERATION])
        AutoTokenizer.from_pretrained(tiny[GENERATION]).save_pretrained(paths[GENERATION])
    return paths


def _sentences() -> list[str]:
    corpus = (Path(__file__).with_name("tiny_corpus.txt")).read_text(encoding="utf-8")
    return [
        line.strip() for line in corpus.splitlines() if line.strip() and line.isascii() and line[0] != "#"
    ]


def word_level_tokenizer() -> Any:
    """A WordPiece tokenizer that knows every corpus word, so token counts are as realistic as BERT's.

    (The tiny models' hand-built vocabulary splits most words into letters, which would make the
    benchmark's sequences two to three times longer than a real checkpoint's.)
    """
    from transformers import DistilBertTokenizer

    words = sorted({word for line in _sentences() for word in re.findall(r"[a-z0-9]+", line.lower())})
    pieces = [chr(code) for code in range(ord("a"), ord("z") + 1)] + list("0123456789")
    tokens = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *".,;:!?'\"()-",
        *pieces,
        *(f"##{p}" for p in pieces),
    ]
    tokens += [word for word in words if word not in tokens]
    vocab = {token: index for index, token in enumerate(tokens)}
    return DistilBertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=512)


def make_inputs(workload: Workload, rng: random.Random) -> list[str]:
    """Texts of chat-message length, varied (1 to 3 sentences; prompts of 1 to 2)."""
    sentences = _sentences()
    most = 3 if workload.task == CLASSIFICATION else 2
    return [" ".join(rng.choices(sentences, k=rng.randint(1, most))) for _ in range(workload.requests)]


def bench_catalog(paths: dict[str, Path]) -> Catalog:
    """The bundled catalog with the benchmark models as the two tasks' defaults."""
    bundled = Catalog.load()
    entries: list[CatalogEntry] = []
    for entry in bundled.entries():
        if entry.task in paths:
            if entry.default:
                entries.append(replace(entry, id=str(paths[entry.task]), label=f"bench {entry.task}"))
            continue
        entries.append(entry)
    return Catalog(entries, source="benchmark")


# --- the three modes -------------------------------------------------------------------------------


def run_naive(runner: Any, inputs: list[str], params: dict[str, Any]) -> Figures:
    """One call per request, in arrival order; every request arrived at the start."""
    started = time.perf_counter()
    latencies = []
    for text in inputs:
        runner.run([text], params)
        latencies.append(time.perf_counter() - started)
    return _figures(latencies, time.perf_counter() - started)


def run_ideal(runner: Any, inputs: list[str], params: dict[str, Any], sizes: tuple[int, ...]) -> Figures:
    """Everything in one offline run, sorted by token length, at the best of ``sizes``."""
    lengths = [len(runner.tokenizer(text)["input_ids"]) for text in inputs]
    ordered = [text for _, text in sorted(zip(lengths, inputs, strict=True), key=lambda pair: pair[0])]
    best: Figures | None = None
    for size in sizes:
        started = time.perf_counter()
        latencies = []
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            runner.run(chunk, params)
            latencies.extend([time.perf_counter() - started] * len(chunk))
        figures = _figures(latencies, time.perf_counter() - started, batch=size)
        if best is None or figures.items_s > best.items_s:
            best = figures
    assert best is not None
    return best


async def _ticker(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(TICK_S)
        samples.append(time.perf_counter() - started - TICK_S)


async def run_pool(
    pool: Any,
    workload: Workload,
    inputs: list[str],
    rate: float | None,
    rng: random.Random,
    outputs: dict[int, Any] | None = None,
) -> Figures:
    """Submit every input through the pool: all at once, or as a Poisson stream at ``rate``/s
    (each input's result goes into ``outputs`` by its index, when given)."""
    lags: list[float] = []
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticker(lags, stop))
    latencies: list[float] = []

    async def one(member: int, text: str, delay: float) -> None:
        await asyncio.sleep(delay)
        submitted = time.perf_counter()
        result = await run_request(pool, workload.task, None, [text], workload.params, user=member)
        latencies.append(time.perf_counter() - submitted)
        if outputs is not None:
            outputs[member] = result[0]

    delays, at = [], 0.0
    for _ in inputs:
        delays.append(at)
        if rate:
            at += rng.expovariate(rate)
    started = time.perf_counter()
    await asyncio.gather(
        *(one(n, text, delay) for n, (text, delay) in enumerate(zip(inputs, delays, strict=True)))
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await ticker
    lag = (percentile(lags, 0.99) or 0.0) * 1000
    return _figures(latencies, elapsed, loop_lag_p99_ms=lag)


def mismatches(expected: Any, actual: Any, where: str = "output") -> list[str]:
    """Where two outputs differ: the same structure, the same labels and texts, floats equal to
    1e-4 (other batch compositions and thread counts reorder sums)."""
    if isinstance(expected, float) or isinstance(actual, float):
        close = isinstance(expected, (int, float)) and isinstance(actual, (int, float))
        return [] if close and math.isclose(expected, actual, rel_tol=1e-4, abs_tol=1e-4) else [where]
    if isinstance(expected, dict) and isinstance(actual, dict) and set(expected) == set(actual):
        return [
            found for key in expected for found in mismatches(expected[key], actual[key], f"{where}.{key}")
        ]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [found for n, (a, b) in pairs for found in mismatches(a, b, f"{where}[{n}]")]
    return [] if expected == actual else [where]


# --- the run -----------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(
    settings: Settings,
    paths: dict[str, Path],
    workloads: tuple[Workload, ...],
    threads: int,
    *,
    backend: str = "local",
    replicas: int = 2,
) -> dict[str, Any]:
    """Run every workload in the three modes (and through Ray with ``backend="ray"``); returns the
    report (also printed by :func:`main`)."""
    import torch

    from bot.inference.loading import load_runner
    from bot.inference.pool import InferencePool

    torch.set_num_threads(threads)
    rng = random.Random(0)
    pool = InferencePool(settings, catalog=bench_catalog(paths))
    await pool.start()
    await pool.wait_ready()
    report: dict[str, Any] = {"device": ", ".join(pool.device_names())}
    worker_peak = 0.0
    texts: dict[str, list[str]] = {}
    outputs: dict[str, dict[int, Any]] = {}
    try:
        for workload in workloads:
            inputs = texts[workload.task] = make_inputs(workload, rng)
            runner = load_runner(workload.task, str(paths[workload.task]))
            params = dict(workload.params)
            runner.run(inputs[:2], params)  # warm-up
            await pool.preload([workload.task])
            await run_request(pool, workload.task, None, inputs[:2], params, user="warm-up")
            naive = run_naive(runner, inputs, params)
            ideal = run_ideal(runner, inputs, params, workload.batch_sizes)
            outputs[workload.task] = {}
            bursts = [
                await run_pool(pool, workload, inputs, None, rng, outputs[workload.task] if n == 0 else None)
                for n in range(BURST_RUNS)
            ]
            burst = max(bursts, key=lambda figures: figures.items_s)
            stream = await run_pool(pool, workload, inputs, 0.8 * ideal.items_s, rng)
            del runner
            worker_peak = max([worker_peak] + [w.memory_used_mb for w in pool.snapshot().workers])
            report[workload.task] = {
                "requests": workload.requests,
                "naive": asdict(naive),
                "ideal": asdict(ideal),
                "pool_burst": asdict(burst),
                "pool_poisson": asdict(stream),
            }
    finally:
        snapshot = pool.snapshot()
        await pool.close()
    report["batch_sizes"] = {task: metrics.mean_batch for task, metrics in snapshot.tasks.items()}
    report["peak_rss_mb"] = round(_peak_rss_mb() + worker_peak, 1)
    if backend == "ray":
        await measure_ray(report, settings, paths, workloads, texts, outputs, threads, replicas)
    return report


async def _scale_run(
    backend: Any,
    report: dict[str, Any],
    key: str,
    workloads: tuple[Workload, ...],
    texts: dict[str, list[str]],
    local_outputs: dict[str, dict[int, Any]],
    seed: int,
) -> dict[str, float]:
    """Burst and Poisson runs of every workload through ``backend`` (inputs as in the pool run);
    the burst's outputs are compared with the local pool's (``{key}_mismatches``: how many differ)."""
    rng = random.Random(seed)
    for workload in workloads:
        inputs = texts[workload.task]
        params = dict(workload.params)
        await run_request(backend, workload.task, None, inputs[:2], params, user="warm-up")
        ideal = report[workload.task]["ideal"]["items_s"]
        got: dict[int, Any] = {}
        report[workload.task][f"{key}_burst"] = asdict(
            await run_pool(backend, workload, inputs, None, rng, got)
        )
        expected = local_outputs[workload.task]
        differing = [n for n in expected if mismatches(expected[n], got.get(n), f"input {n}")]
        if differing:
            log.warning(
                "%s: %d outputs differ from the local pool's (first: input %d)",
                key,
                len(differing),
                differing[0],
            )
        report[workload.task][f"{key}_mismatches"] = len(differing)
        report[workload.task][f"{key}_poisson"] = asdict(
            await run_pool(backend, workload, inputs, 0.8 * ideal, rng)
        )
    snapshot = backend.snapshot()
    return {task: metrics.mean_batch for task, metrics in snapshot.tasks.items()}


async def measure_ray(
    report: dict[str, Any],
    settings: Settings,
    paths: dict[str, Path],
    workloads: tuple[Workload, ...],
    texts: dict[str, list[str]],
    outputs: dict[str, dict[int, Any]],
    threads: int,
    replicas: int,
) -> None:
    """The Ray backend on a local Ray instance (1 replica, then ``replicas``), and the local pool
    with ``replicas`` workers for comparison; figures go into ``report``."""
    from bot.inference.pool import InferencePool
    from bot.inference.ray_backend import RayBackend
    from bot.inference.ray_cluster import CONNECTION

    catalog = bench_catalog(paths)
    tasks = [workload.task for workload in workloads]
    ray_settings = settings.replace(
        inference_backend="ray",
        ray_cpus_per_replica=float(threads),
        ray_local_cpus=max(2, replicas * threads * len(tasks)),
    )
    await CONNECTION.call(CONNECTION.acquire, ray_settings)  # one local Ray instance for every run
    try:
        report["ray_batch_sizes"] = {}
        report["ray_replica_rss_mb"] = 0.0
        for count, key in ((1, "ray"), (replicas, f"ray{replicas}")):
            backend = RayBackend(
                ray_settings.replace(ray_replicas_min=count, ray_replicas_max=count), catalog=catalog
            )
            await backend.start()
            await backend.wait_ready()
            await backend.deploy(tasks)
            try:
                sizes = await _scale_run(backend, report, key, workloads, texts, outputs, seed=count)
                await asyncio.sleep(2.5)  # one status read: the replicas' memory
                rss = [worker.memory_used_mb for worker in backend.snapshot().workers]
                report["ray_replica_rss_mb"] = max([report["ray_replica_rss_mb"], *rss])
            finally:
                await backend.close()
            report["ray_batch_sizes"][key] = sizes
        pool = InferencePool(settings.replace(workers_per_device=replicas), catalog=catalog)
        await pool.start()
        await pool.wait_ready()
        try:
            for task in tasks:
                await pool.preload([task])
            report["ray_batch_sizes"][f"pool{replicas}"] = await _scale_run(
                pool, report, f"pool{replicas}", workloads, texts, outputs, seed=replicas + 1
            )
        finally:
            await pool.close()
    finally:
        await CONNECTION.call(CONNECTION.release)
    report["replicas"] = replicas


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The one-line JSON of ``--json``."""
    result: dict[str, Any] = {"device": report["device"]}
    for key, task in (("classification", CLASSIFICATION), ("generation", GENERATION)):
        figures = report[task]
        pool_items = figures["pool_burst"]["items_s"]
        result[key] = {
            "naive_items_s": round(figures["naive"]["items_s"], 2),
            "ideal_items_s": round(figures["ideal"]["items_s"], 2),
            "pool_items_s": round(pool_items, 2),
            "pool_vs_ideal": round(pool_items / figures["ideal"]["items_s"], 3),
            "pool_vs_naive": round(pool_items / figures["naive"]["items_s"], 3),
            "pool_p95_ms": round(figures["pool_poisson"]["p95_ms"], 1),
            "loop_lag_p99_ms": round(
                max(figures["pool_burst"]["loop_lag_p99_ms"], figures["pool_poisson"]["loop_lag_p99_ms"]), 2
            ),
        }
    result["peak_rss_mb"] = report["peak_rss_mb"]
    if "replicas" in report:
        result["ray"] = ray_summary(report)
    return result


def ray_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The Ray backend's key figures: Ray/local, and how each grows from 1 to N replicas/workers."""
    n = report["replicas"]
    result: dict[str, Any] = {"replicas": n, "replica_rss_mb": round(report["ray_replica_rss_mb"], 1)}
    for key, task in (("classification", CLASSIFICATION), ("generation", GENERATION)):
        figures = report[task]
        local, ray = figures["pool_burst"]["items_s"], figures["ray_burst"]["items_s"]
        ray_n, pool_n = figures[f"ray{n}_burst"]["items_s"], figures[f"pool{n}_burst"]["items_s"]
        result[key] = {
            "ray_items_s": round(ray, 2),
            "ray_vs_local": round(ray / local, 3),
            "ray_p95_ms": round(figures["ray_poisson"]["p95_ms"], 1),
            "ray_loop_lag_p99_ms": round(
                max(figures["ray_burst"]["loop_lag_p99_ms"], figures["ray_poisson"]["loop_lag_p99_ms"]), 2
            ),
            f"ray{n}_items_s": round(ray_n, 2),
            f"ray{n}_vs_ray": round(ray_n / ray, 3),
            f"pool{n}_items_s": round(pool_n, 2),
            f"pool{n}_vs_pool": round(pool_n / local, 3),
            "same_outputs": figures["ray_mismatches"] == 0 and figures[f"ray{n}_mismatches"] == 0,
        }
    return result


def format_table(report: dict[str, Any], names: dict[str, str]) -> str:
    """The human-readable table."""
    lines = [f"studybot pool benchmark — device: {report['device']}"]
    for task, name in names.items():
        figures = report[task]
        lines.append(f"\n{name}, {figures['requests']} requests")
        lines.append(f"  {'mode':<22}{'items/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'loop lag p99 ms':>17}")
        for mode, label in (
            ("naive", "naive (one by one)"),
            ("ideal", "ideal (sorted batches)"),
            ("pool_burst", "pool, all at once"),
            ("pool_poisson", "pool, Poisson 80%"),
        ):
            row = figures[mode]
            if mode == "ideal":
                label = f"ideal (batch {row['batch']})"
            lag = f"{row['loop_lag_p99_ms']:.2f}" if row.get("loop_lag_p99_ms") is not None else "—"
            lines.append(
                f"  {label:<22}{row['items_s']:>9.2f}{row['p50_ms']:>10.0f}{row['p95_ms']:>10.0f}{lag:>17}"
            )
        pool_items = figures["pool_burst"]["items_s"]
        lines.append(
            f"  pool/ideal {pool_items / figures['ideal']['items_s']:.2f}   "
            f"pool/naive {pool_items / figures['naive']['items_s']:.2f}   "
            f"mean pool batch {report['batch_sizes'].get(task, 0):.1f}"
        )
    lines.append(f"\npeak RSS (bot process + largest worker): {report['peak_rss_mb']:.0f} MB")
    if "replicas" in report:
        lines.extend(format_ray(report, names))
    return "\n".join(lines)


def format_ray(report: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The Ray backend's rows, next to the local pool's."""
    n = report["replicas"]
    lines = ["", f"Ray Serve backend (local Ray instance) vs the local pool, 1 and {n} replicas / workers"]
    modes = (
        ("pool_burst", "pool, all at once", ""),
        ("pool_poisson", "pool, Poisson 80%", ""),
        ("ray_burst", "ray, all at once", "ray"),
        ("ray_poisson", "ray, Poisson 80%", "ray"),
        (f"ray{n}_burst", f"ray ×{n}, all at once", f"ray{n}"),
        (f"ray{n}_poisson", f"ray ×{n}, Poisson 80%", f"ray{n}"),
        (f"pool{n}_burst", f"pool ×{n}, all at once", f"pool{n}"),
        (f"pool{n}_poisson", f"pool ×{n}, Poisson 80%", f"pool{n}"),
    )
    for task, name in names.items():
        figures = report[task]
        lines.append(f"\n{name}, {figures['requests']} requests")
        header = f"  {'mode':<24}{'items/s':>9}{'p50 ms':>10}{'p95 ms':>10}"
        lines.append(f"{header}{'loop lag p99 ms':>17}{'mean batch':>12}")
        for mode, label, sizes_key in modes:
            row = figures[mode]
            sizes = report["batch_sizes"] if not sizes_key else report["ray_batch_sizes"][sizes_key]
            lines.append(
                f"  {label:<24}{row['items_s']:>9.2f}{row['p50_ms']:>10.0f}{row['p95_ms']:>10.0f}"
                f"{row['loop_lag_p99_ms']:>17.2f}{sizes.get(task, 0):>12.1f}"
            )
        local, ray = figures["pool_burst"]["items_s"], figures["ray_burst"]["items_s"]
        lines.append(
            f"  ray/local {ray / local:.2f}   ray ×{n}/ray {figures[f'ray{n}_burst']['items_s'] / ray:.2f}   "
            f"pool ×{n}/pool {figures[f'pool{n}_burst']['items_s'] / local:.2f}"
        )
        differing = figures["ray_mismatches"] + figures[f"ray{n}_mismatches"]
        same = "identical" if not differing else f"{differing} differ"
        lines.append(f"  outputs through Ray vs the local pool, {2 * figures['requests']} compared: {same}")
    lines.append(f"\nlargest replica RSS: {report['ray_replica_rss_mb']:.0f} MB (one per task and replica)")
    return lines


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``studybot bench``."""
    parser = subparsers.add_parser("bench", help="measure the worker pool against naive and ideal batching")
    parser.add_argument("--quick", action="store_true", help="tiny models and few requests (a smoke run)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the key figures")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="torch threads of the worker and of naive and ideal (default: every core, like the bot)",
    )
    parser.add_argument(
        "--models-dir", type=Path, help="where to keep the benchmark models (default: a temp dir)"
    )
    parser.add_argument("--devices", help="override DEVICES, e.g. cpu or cuda:0")
    parser.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="ray: also run the workloads through the Ray Serve backend on a local Ray instance",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="with --backend ray: replicas (and pool workers) of the scaling run",
    )
    parser.set_defaults(handler=bench_command)


def bench_command(args: argparse.Namespace, settings: Settings) -> int:
    """Build the models, run every mode, print the table (and the JSON line)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as scratch:
        root = args.models_dir or Path(scratch)
        paths = build_models(root, quick=args.quick)
        overrides = {
            "DATABASE_PATH": str(Path(scratch) / "bench.sqlite3"),
            "MODEL_PROFILE": "hub",
            "TINY_MODELS_DIR": str(tiny_model_dir(root / "tiny", CLASSIFICATION).parent),
            "TORCH_THREADS": str(args.threads),
            "WORKERS_PER_DEVICE": "1",
            "QUEUE_LIMIT": "10000",
            "MEMBER_INFLIGHT_LIMIT": "10",
            "LOG_LEVEL": "WARNING",
            "DEVICES": args.devices or ",".join(settings.devices),
        }
        bench_settings = load_settings(overrides, dotenv_path=None)
        workloads = QUICK if args.quick else FULL
        report = asyncio.run(
            measure(
                bench_settings, paths, workloads, args.threads, backend=args.backend, replicas=args.replicas
            )
        )
    names = {
        CLASSIFICATION: "classification: DistilBERT-base (random weights)"
        if not args.quick
        else "classification (tiny)",
        GENERATION: "generation: GPT-2 small, 20 new tokens, greedy"
        if not args.quick
        else "generation (tiny)",
    }
    print(format_table(report, names))
    if args.json:
        print(json.dumps(summary(report)))
    return 0
