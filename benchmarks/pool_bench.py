"""The worker pool benchmark: ``studybot bench`` (or ``python benchmarks/pool_bench.py``). Figures,
never a test; a development tool kept out of the installed package.

It builds random-weight models of the real sizes — DistilBERT-base for classification and for token
classification, GPT-2 small for generation, a BART-base-sized summarizer for seq2seq — and measures
on whatever device is present, for each workload:

1. **naive**: one runner call per request, one after another (on a fixed sample of the requests:
   a rate, so the sample's size does not matter beyond noise);
2. **ideal**: every request in one offline run, sorted by token length and cut into batches at the
   best configuration. A calibration sweep first measures every batch size 1, 2, 4 … 64 (no token
   cap) and every token budget 256 … 4096 padded tokens (up to 64 inputs a batch), after a warm-up
   batch of the biggest shape, and keeps the ``FINALISTS`` best. Each round runs all of them again,
   and the ideal is the one with the best median over the rounds, compared round by round with
   the pool (:func:`chosen_ideal`; the best of them in each round would add the luckiest
   measurement's noise to the ideal). The chosen configuration is printed;
3. **pool**: the same requests through ``check``/``submit`` from the event loop, all at once (a
   burst) after one warm-up burst (so the pool's batch tuner has measured this model), then once
   as a Poisson stream at 80% of the ideal throughput (its p95 latency and the loop's lag).

Naive, ideal and pool are interleaved in rounds (A B C A B C …) so a drifting machine (these are
shared) affects them alike, and each ratio is printed as min–median–max over the rounds. Torch
runs ``--threads`` threads in naive, ideal and the pool's one worker, with the worker's thread
settings (:func:`bot.inference.worker_process.thread_environment`), so all have the same compute;
the bot process itself runs no model. ``--burn N`` starts N CPU-burning processes beside the whole
run (``yes``, stopped by pid at the end), to see how the pool fares against other work.

With ``--backend ray`` the burst and Poisson runs go on through the Ray Serve backend on a local Ray
instance — one replica per task, then ``--replicas`` — next to the local pool with as many workers,
and every output is compared with the local pool's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bot import event_loop
from bot.inference.backend import run_request
from bot.inference.catalog import Catalog, CatalogEntry
from bot.inference.metrics import percentile
from bot.inference.tiny import CONLL_LABELS, build_tiny_models, tiny_model_dir
from bot.settings import Settings, load_settings

log = logging.getLogger("benchmarks.pool_bench")

CLASSIFICATION, NER, GENERATION, SEQ2SEQ = "sentiment-analysis", "ner", "text-generation", "summarization"
TICK_S = 0.005
SWEEP_SIZES = (1, 2, 4, 8, 16, 32, 64)
SWEEP_BUDGETS = (256, 512, 1024, 2048, 4096)
#: The pool's upper bound on a batch, as wide as the ideal's sweep (a bound, not a target).
POOL_MAX_BATCH = 64
#: The sweep's best configurations that every round measures again (its ideal is their best).
FINALISTS = 3


@dataclass(frozen=True)
class Workload:
    """One task's measured workload."""

    key: str  # its name in the JSON summary
    task: str
    name: str
    requests: int
    params: dict[str, Any]
    naive_sample: int


FULL = (
    Workload("classification", CLASSIFICATION, "classification: DistilBERT-base", 256, {}, 64),
    Workload(
        "token_classification",
        NER,
        "token classification: DistilBERT-base",
        128,
        {"aggregation_strategy": "simple"},
        32,
    ),
    Workload(
        "generation",
        GENERATION,
        "generation: GPT-2 small, 20 new tokens, greedy",
        32,
        {"max_new_tokens": 20},
        8,
    ),
    Workload(
        "seq2seq",
        SEQ2SEQ,
        "seq2seq: BART-base-sized summarizer, 20 tokens, greedy",
        32,
        {"max_length": 21, "min_length": 21},
        8,
    ),
)
QUICK = (
    Workload("classification", CLASSIFICATION, "classification (tiny)", 24, {}, 8),
    Workload(
        "token_classification", NER, "token classification (tiny)", 12, {"aggregation_strategy": "simple"}, 4
    ),
    Workload("generation", GENERATION, "generation (tiny)", 4, {"max_new_tokens": 4}, 2),
    Workload("seq2seq", SEQ2SEQ, "seq2seq (tiny)", 4, {"max_length": 6, "min_length": 6}, 2),
)


@dataclass(frozen=True)
class Config:
    """How an offline run cuts the sorted requests: at most ``batch`` inputs and ``tokens`` padded
    tokens a batch (None: no token cap)."""

    batch: int
    tokens: int | None = None

    def __str__(self) -> str:
        return f"batch {self.batch}" if self.tokens is None else f"≤{self.tokens} tokens (≤{self.batch})"


@dataclass(frozen=True)
class Figures:
    """What one run achieved."""

    items_s: float
    p50_ms: float
    p95_ms: float
    loop_lag_p99_ms: float | None = None
    #: CPU time of this process (the bot's side: the event loop, the pipes' threads) over the
    #: run's wall time, as a share of one core: what it takes from the worker's cores.
    bot_cpu_share: float | None = None


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
        return {workload.task: tiny[workload.task] for workload in QUICK}
    import torch
    import transformers
    from transformers import (
        AutoTokenizer,
        BartConfig,
        BartForConditionalGeneration,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        DistilBertForTokenClassification,
        GenerationConfig,
        GPT2Config,
        GPT2LMHeadModel,
    )

    transformers.utils.logging.disable_progress_bar()
    paths = {
        CLASSIFICATION: root / "distilbert-base-random",
        NER: root / "distilbert-base-ner-random",
        GENERATION: root / "gpt2-small-random",
        SEQ2SEQ: root / "bart-base-sized-random",
    }
    torch.manual_seed(0)
    if not (paths[CLASSIFICATION] / "config.json").is_file():
        labels = {0: "NEGATIVE", 1: "POSITIVE"}
        config = DistilBertConfig(num_labels=2, id2label=labels, label2id={v: k for k, v in labels.items()})
        DistilBertForSequenceClassification(config).save_pretrained(paths[CLASSIFICATION])
        word_level_tokenizer().save_pretrained(paths[CLASSIFICATION])
    if not (paths[NER] / "config.json").is_file():
        labels = dict(enumerate(CONLL_LABELS))
        config = DistilBertConfig(
            num_labels=len(labels), id2label=labels, label2id={v: k for k, v in labels.items()}
        )
        DistilBertForTokenClassification(config).save_pretrained(paths[NER])
        word_level_tokenizer(cased=True).save_pretrained(paths[NER])
    if not (paths[GENERATION] / "config.json").is_file():
        GPT2LMHeadModel(GPT2Config()).save_pretrained(paths[GENERATION])
        AutoTokenizer.from_pretrained(tiny[GENERATION]).save_pretrained(paths[GENERATION])
    if not (paths[SEQ2SEQ] / "config.json").is_file():
        config = BartConfig(  # bart-base's dimensions
            d_model=768,
            encoder_layers=6,
            decoder_layers=6,
            encoder_attention_heads=12,
            decoder_attention_heads=12,
            encoder_ffn_dim=3072,
            decoder_ffn_dim=3072,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=2,
            task_specific_params={"summarization": {"num_beams": 1, "no_repeat_ngram_size": 0}},
        )
        model = BartForConditionalGeneration(config)
        model.generation_config = GenerationConfig(
            bos_token_id=0, eos_token_id=2, pad_token_id=1, decoder_start_token_id=2, num_beams=1
        )
        model.save_pretrained(paths[SEQ2SEQ])
        AutoTokenizer.from_pretrained(tiny[SEQ2SEQ]).save_pretrained(paths[SEQ2SEQ])
    return paths


def _sentences() -> list[str]:
    import bot.inference

    corpus = Path(bot.inference.__file__).with_name("tiny_corpus.txt").read_text(encoding="utf-8")
    return [
        line.strip() for line in corpus.splitlines() if line.strip() and line.isascii() and line[0] != "#"
    ]


def word_level_tokenizer(*, cased: bool = False) -> Any:
    """A WordPiece tokenizer that knows every corpus word, so token counts are as realistic as BERT's.

    (The tiny models' hand-built vocabulary splits most words into letters, which would make the
    benchmark's sequences two to three times longer than a real checkpoint's.)
    """
    from transformers import DistilBertTokenizer

    found = {word for line in _sentences() for word in re.findall(r"[A-Za-z0-9]+", line)}
    words = sorted(found if cased else {word.lower() for word in found})
    pieces = [chr(code) for code in range(ord("a"), ord("z") + 1)] + list("0123456789")
    if cased:
        pieces += [chr(code) for code in range(ord("A"), ord("Z") + 1)]
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
    return DistilBertTokenizer(vocab=vocab, do_lower_case=not cased, model_max_length=512)


def make_inputs(workload: Workload, rng: random.Random) -> list[str]:
    """Texts of chat-message length, varied (1 to 3 sentences; prompts of 1 to 2)."""
    sentences = _sentences()
    most = 2 if workload.task == GENERATION else 3
    return [" ".join(rng.choices(sentences, k=rng.randint(1, most))) for _ in range(workload.requests)]


def bench_catalog(paths: dict[str, Path]) -> Catalog:
    """The bundled catalog with the benchmark models as their tasks' defaults."""
    bundled = Catalog.load()
    entries: list[CatalogEntry] = []
    for entry in bundled.entries():
        if entry.task in paths:
            if entry.default:
                entries.append(replace(entry, id=str(paths[entry.task]), label=f"bench {entry.task}"))
            continue
        entries.append(entry)
    return Catalog(entries, source="benchmark")


# --- naive and ideal (offline, in this process) ---------------------------------------------------


def run_naive(runner: Any, inputs: list[str], params: dict[str, Any]) -> Figures:
    """One call per request, in arrival order; every request arrived at the start."""
    started = time.perf_counter()
    latencies = []
    for text in inputs:
        runner.run([text], params)
        latencies.append(time.perf_counter() - started)
    return _figures(latencies, time.perf_counter() - started)


def cut(costs: Sequence[int], config: Config) -> list[range]:
    """Consecutive batches of inputs sorted by cost: each as long as the config allows (an input
    over the token cap on its own still runs, alone)."""
    batches, start = [], 0
    while start < len(costs):
        end = start + 1
        while (
            end < len(costs)
            and end - start < config.batch
            and (config.tokens is None or (end + 1 - start) * costs[end] <= config.tokens)
        ):
            end += 1
        batches.append(range(start, end))
        start = end
    return batches


def run_offline(
    runner: Any, ordered: list[str], costs: list[int], params: dict[str, Any], config: Config
) -> Figures:
    """The sorted requests in batches cut by ``config``."""
    started = time.perf_counter()
    latencies: list[float] = []
    for span in cut(costs, config):
        runner.run(ordered[span.start : span.stop], params)
        latencies.extend([time.perf_counter() - started] * len(span))
    return _figures(latencies, time.perf_counter() - started)


def sweep(
    runner: Any, ordered: list[str], costs: list[int], params: dict[str, Any], *, quick: bool
) -> list[tuple[Config, Figures]]:
    """Every configuration of the calibration sweep (two that cut alike are measured once), best first."""
    sizes = (1, 8, 64) if quick else SWEEP_SIZES
    budgets = (512,) if quick else SWEEP_BUDGETS
    configs = [Config(size) for size in sizes] + [Config(POOL_MAX_BATCH, budget) for budget in budgets]
    measured: dict[tuple[tuple[int, int], ...], tuple[Config, Figures]] = {}
    for config in configs:
        plan = tuple((span.start, span.stop) for span in cut(costs, config))
        if plan not in measured:
            measured[plan] = (config, run_offline(runner, ordered, costs, params, config))
    return sorted(measured.values(), key=lambda pair: -pair[1].items_s)


# --- the pool (from the event loop) ---------------------------------------------------------------


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
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(
        *(one(n, text, delay) for n, (text, delay) in enumerate(zip(inputs, delays, strict=True)))
    )
    elapsed = time.perf_counter() - started
    cpu_share = (time.process_time() - cpu) / elapsed if elapsed > 0 else 0.0
    stop.set()
    await ticker
    return _figures(
        latencies,
        elapsed,
        loop_lag_p99_ms=(percentile(lags, 0.99) or 0.0) * 1000,
        bot_cpu_share=round(cpu_share, 3),
    )


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


def spread(values: list[float]) -> dict[str, float]:
    """min, median and max, rounded."""
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


@dataclass(frozen=True)
class Offline:
    """A workload's inputs as the ideal runs them, and its calibration sweep (best first)."""

    params: dict[str, Any]
    costs: list[int]  # each input's token cost, in arrival order
    ordered: list[str]  # the inputs sorted by cost
    sorted_costs: list[int]
    ranked: list[tuple[Config, Figures]]

    @property
    def finalists(self) -> list[Config]:
        """The configurations each round runs again, for :func:`chosen_ideal`."""
        return [config for config, _ in self.ranked[:FINALISTS]]

    def run_finalists(self, runner: Any) -> dict[Config, Figures]:
        """One round of the ideal: every finalist's run."""
        return {
            config: run_offline(runner, self.ordered, self.sorted_costs, self.params, config)
            for config in self.finalists
        }


def chosen_ideal(rounds: Sequence[dict[Config, Figures]]) -> tuple[Config, list[Figures]]:
    """The finalist with the best median rate over the rounds, and its run in each round.

    Not the best finalist of each round: where two configurations run about as fast, that would
    take the luckier of two noisy measurements every round, and so set the ideal a few percent
    above what any one configuration does (measured for generation: the ideal's own batch of 32,
    run again in the same rounds, came to 0.94 of it).
    """
    configs = list(rounds[0])
    best = max(configs, key=lambda config: statistics.median(run[config].items_s for run in rounds))
    return best, [run[best] for run in rounds]


def calibrate(runner: Any, workload: Workload, inputs: list[str], *, quick: bool) -> Offline:
    """Sort the inputs by cost and run the calibration sweep, after a warm-up batch of the biggest
    shape the sweep runs (its allocations), so that no configuration is measured cold."""
    from bot.inference.tasks import get_task

    spec = get_task(workload.task)
    params = dict(spec.validate(inputs[:1], workload.params)[1])
    costs = [max(1, spec.cost(runner.tokenizer, text, params)) for text in inputs]
    order = sorted(range(len(inputs)), key=costs.__getitem__)
    ordered, sorted_costs = [inputs[i] for i in order], [costs[i] for i in order]
    runner.run(ordered[-POOL_MAX_BATCH:], params)
    ranked = sweep(runner, ordered, sorted_costs, params, quick=quick)
    return Offline(params, costs, ordered, sorted_costs, ranked)


async def measure_workload(
    pool: Any,
    runner: Any,
    workload: Workload,
    inputs: list[str],
    rounds: int,
    rng: random.Random,
    *,
    quick: bool,
) -> dict[str, Any]:
    """Calibrate the ideal, warm the pool, then ``rounds`` of naive / ideal / pool, then a Poisson run."""
    offline = calibrate(runner, workload, inputs, quick=quick)
    params, ranked = offline.params, offline.ranked
    await run_request(pool, workload.task, None, inputs[:2], workload.params, user="warm-up")
    outputs: dict[int, Any] = {}
    await run_pool(pool, workload, inputs, None, rng, outputs)  # the tuner learns this model
    sample = inputs[: workload.naive_sample]
    naive, ideal_rounds, burst, batches = [], [], [], []
    busy: list[float] = []  # seconds the workers spent in batches, per burst
    for _ in range(rounds):
        naive.append(run_naive(runner, sample, params))
        ideal_rounds.append(offline.run_finalists(runner))
        seen = len(pool.metrics.batch_sizes[workload.task])
        busy_before = pool.metrics.busy_s[workload.task]
        burst.append(await run_pool(pool, workload, inputs, None, rng))
        batches.extend(list(pool.metrics.batch_sizes[workload.task])[seen:])
        busy.append(pool.metrics.busy_s[workload.task] - busy_before)
    chosen, ideal = chosen_ideal(ideal_rounds)
    ideal_rate = statistics.median(f.items_s for f in ideal)
    poisson = await run_pool(pool, workload, inputs, 0.8 * ideal_rate, rng)
    tuned = [size for (task, _), size in pool.tuned_batch.items() if task == workload.task]
    return {
        "requests": workload.requests,
        "naive_sample": len(sample),
        "best": {"config": str(chosen), **asdict(chosen), "items_s": round(ideal_rate, 2)},
        "sweep": [
            {"config": str(config), "items_s": round(figures.items_s, 2)} for config, figures in ranked
        ],
        "naive": [asdict(f) for f in naive],
        "ideal": [asdict(f) for f in ideal],
        "pool_burst": [asdict(f) for f in burst],
        "pool_poisson": asdict(poisson),
        "pool_vs_ideal": spread([b.items_s / i.items_s for b, i in zip(burst, ideal, strict=True)]),
        "pool_vs_naive": spread([b.items_s / n.items_s for b, n in zip(burst, naive, strict=True)]),
        # Where pool/ideal loses: the share of a burst its workers spent in batches (the rest is
        # dispatch, pipes and the worker's cost tokenizing and sorting), and their rate while they did,
        # over the ideal's (what the batches' shapes and the windows' local sorting cost).
        "pool_busy_share": spread(
            [s * b.items_s / workload.requests / len(pool.workers) for s, b in zip(busy, burst, strict=True)]
        ),
        "pool_busy_vs_ideal": spread(
            [workload.requests / s / i.items_s for s, i in zip(busy, ideal, strict=True)]
        ),
        "mean_pool_batch": round(statistics.mean(batches), 1) if batches else 0.0,
        "pool_batch_sizes": batches,
        "tuned_batch": tuned[0] if tuned else None,
        "outputs": outputs,
    }


async def measure(
    settings: Settings,
    paths: dict[str, Path],
    workloads: tuple[Workload, ...],
    threads: int,
    rounds: int,
    *,
    quick: bool,
    backend: str = "local",
    replicas: int = 2,
) -> dict[str, Any]:
    """Run every workload (and through Ray with ``backend="ray"``); returns the report."""
    import torch

    from bot.inference.loading import load_runner
    from bot.inference.pool import InferencePool

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    rng = random.Random(0)
    pool = InferencePool(settings, catalog=bench_catalog(paths))
    await pool.start()
    await pool.wait_ready()
    report: dict[str, Any] = {"device": ", ".join(pool.device_names()), "threads": threads, "rounds": rounds}
    texts: dict[str, list[str]] = {}
    worker_peak = 0.0
    try:
        for workload in workloads:
            inputs = texts[workload.task] = make_inputs(workload, rng)
            runner = load_runner(workload.task, str(paths[workload.task]))
            await pool.preload([workload.task])
            report[workload.task] = await measure_workload(
                pool, runner, workload, inputs, rounds, rng, quick=quick
            )
            del runner
            worker_peak = max([worker_peak] + [w.memory_used_mb for w in pool.snapshot().workers])
    finally:
        await pool.close()
    report["peak_rss_mb"] = round(_peak_rss_mb() + worker_peak, 1)
    if backend == "ray":
        await measure_ray(report, settings, paths, workloads, texts, threads, replicas)
    return report


async def _scale_run(
    backend: Any,
    report: dict[str, Any],
    key: str,
    workloads: tuple[Workload, ...],
    texts: dict[str, list[str]],
    seed: int,
) -> dict[str, float]:
    """Burst and Poisson runs of every workload through ``backend`` (inputs as in the pool run);
    the burst's outputs are compared with the local pool's (``{key}_mismatches``: how many differ)."""
    rng = random.Random(seed)
    for workload in workloads:
        inputs = texts[workload.task]
        figures = report[workload.task]
        await run_request(backend, workload.task, None, inputs[:2], dict(workload.params), user="warm-up")
        ideal = statistics.median(f["items_s"] for f in figures["ideal"])
        got: dict[int, Any] = {}
        figures[f"{key}_burst"] = asdict(await run_pool(backend, workload, inputs, None, rng, got))
        expected = figures["outputs"]
        differing = [n for n in expected if mismatches(expected[n], got.get(n), f"input {n}")]
        if differing:
            log.warning(
                "%s: %d outputs differ from the local pool's (first: input %d)",
                key,
                len(differing),
                differing[0],
            )
        figures[f"{key}_mismatches"] = len(differing)
        figures[f"{key}_poisson"] = asdict(await run_pool(backend, workload, inputs, 0.8 * ideal, rng))
    snapshot = backend.snapshot()
    return {task: metrics.mean_batch for task, metrics in snapshot.tasks.items()}


async def measure_ray(
    report: dict[str, Any],
    settings: Settings,
    paths: dict[str, Path],
    workloads: tuple[Workload, ...],
    texts: dict[str, list[str]],
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
                sizes = await _scale_run(backend, report, key, workloads, texts, seed=count)
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
                pool, report, f"pool{replicas}", workloads, texts, seed=replicas + 1
            )
        finally:
            await pool.close()
    finally:
        await CONNECTION.call(CONNECTION.release)
    report["replicas"] = replicas


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def summary(report: dict[str, Any], workloads: tuple[Workload, ...]) -> dict[str, Any]:
    """The one-line JSON of ``--json``: rates are medians over the rounds, ratios min–median–max."""
    result: dict[str, Any] = {
        key: report[key] for key in ("device", "threads", "rounds", "burners", "load_before", "load_after")
    }
    for workload in workloads:
        figures = report[workload.task]
        lag = max(row["loop_lag_p99_ms"] for row in [*figures["pool_burst"], figures["pool_poisson"]])
        result[workload.key] = {
            "requests": figures["requests"],
            "best": figures["best"]["config"],
            "naive_items_s": round(_median(figures["naive"], "items_s"), 2),
            "ideal_items_s": round(_median(figures["ideal"], "items_s"), 2),
            "pool_items_s": round(_median(figures["pool_burst"], "items_s"), 2),
            "pool_vs_ideal": figures["pool_vs_ideal"],
            "pool_vs_naive": figures["pool_vs_naive"],
            "pool_busy_share": figures["pool_busy_share"],
            "pool_busy_vs_ideal": figures["pool_busy_vs_ideal"],
            "pool_p95_ms": round(figures["pool_poisson"]["p95_ms"], 1),
            "loop_lag_p99_ms": round(lag, 2),
            "mean_pool_batch": figures["mean_pool_batch"],
            "tuned_batch": figures["tuned_batch"],
            "bot_cpu_share": round(_median(figures["pool_burst"], "bot_cpu_share"), 3),
            "pool_batch_sizes": figures["pool_batch_sizes"],
        }
    result["peak_rss_mb"] = report["peak_rss_mb"]
    if "replicas" in report:
        result["ray"] = ray_summary(report, workloads)
    return result


def ray_summary(report: dict[str, Any], workloads: tuple[Workload, ...]) -> dict[str, Any]:
    """The Ray backend's key figures: Ray/local, and how each grows from 1 to N replicas/workers."""
    n = report["replicas"]
    result: dict[str, Any] = {"replicas": n, "replica_rss_mb": round(report["ray_replica_rss_mb"], 1)}
    for workload in workloads:
        figures = report[workload.task]
        local, ray = _median(figures["pool_burst"], "items_s"), figures["ray_burst"]["items_s"]
        ray_n, pool_n = figures[f"ray{n}_burst"]["items_s"], figures[f"pool{n}_burst"]["items_s"]
        result[workload.key] = {
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


def _ratio(values: dict[str, float]) -> str:
    return f"{values['min']:.2f}–{values['median']:.2f}–{values['max']:.2f}"


def format_table(report: dict[str, Any], workloads: tuple[Workload, ...]) -> str:
    """The human-readable table (rates: medians over the rounds)."""
    lines = [
        f"studybot pool benchmark — device: {report['device']}, {report['threads']} torch threads, "
        f"{report['rounds']} rounds, {report['burners']} CPU burners beside it, "
        f"load {report['load_before']} → {report['load_after']}"
    ]
    for workload in workloads:
        figures = report[workload.task]
        lines.append(f"\n{workload.name}, {figures['requests']} requests")
        lines.append(f"  {'mode':<34}{'items/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'loop lag p99 ms':>17}")
        rows = [
            (f"naive (one by one, {figures['naive_sample']} of them)", figures["naive"]),
            (f"ideal (sorted, {figures['best']['config']})", figures["ideal"]),
            ("pool, all at once", figures["pool_burst"]),
            ("pool, Poisson at 80% of ideal", [figures["pool_poisson"]]),
        ]
        for label, runs in rows:
            lags = [row["loop_lag_p99_ms"] for row in runs if row.get("loop_lag_p99_ms") is not None]
            lag = f"{max(lags):.2f}" if lags else "—"
            lines.append(
                f"  {label:<34}{_median(runs, 'items_s'):>9.2f}{_median(runs, 'p50_ms'):>10.0f}"
                f"{_median(runs, 'p95_ms'):>10.0f}{lag:>17}"
            )
        lines.append(
            f"  pool/ideal {_ratio(figures['pool_vs_ideal'])}   pool/naive {_ratio(figures['pool_vs_naive'])}"
            f"   (min–median–max)   mean pool batch {figures['mean_pool_batch']}, "
            f"tuned {figures['tuned_batch']}, bot side {_median(figures['pool_burst'], 'bot_cpu_share'):.0%}"
            " of a core"
        )
        lines.append(
            f"  workers busy {_ratio(figures['pool_busy_share'])} of each burst, at "
            f"{_ratio(figures['pool_busy_vs_ideal'])} of the ideal's rate while busy"
        )
        sweep_line = ", ".join(f"{row['config']}: {row['items_s']}" for row in figures["sweep"])
        lines.append(f"  ideal sweep (items/s): {sweep_line}")
    lines.append(f"\npeak RSS (bench process + largest worker): {report['peak_rss_mb']:.0f} MB")
    if "replicas" in report:
        lines.extend(format_ray(report, workloads))
    return "\n".join(lines)


def format_ray(report: dict[str, Any], workloads: tuple[Workload, ...]) -> list[str]:
    """The Ray backend's rows, next to the local pool's."""
    n = report["replicas"]
    lines = ["", f"Ray Serve backend (local Ray instance) vs the local pool, 1 and {n} replicas / workers"]
    modes = (
        ("ray_burst", "ray, all at once", "ray"),
        ("ray_poisson", "ray, Poisson 80%", "ray"),
        (f"ray{n}_burst", f"ray ×{n}, all at once", f"ray{n}"),
        (f"ray{n}_poisson", f"ray ×{n}, Poisson 80%", f"ray{n}"),
        (f"pool{n}_burst", f"pool ×{n}, all at once", f"pool{n}"),
        (f"pool{n}_poisson", f"pool ×{n}, Poisson 80%", f"pool{n}"),
    )
    for workload in workloads:
        figures = report[workload.task]
        lines.append(f"\n{workload.name}, {figures['requests']} requests")
        lines.append(
            f"  {'mode':<24}{'items/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'loop lag p99 ms':>17}"
            f"{'mean batch':>12}"
        )
        for mode, label, sizes_key in modes:
            row = figures[mode]
            size = report["ray_batch_sizes"][sizes_key].get(workload.task, 0)
            lines.append(
                f"  {label:<24}{row['items_s']:>9.2f}{row['p50_ms']:>10.0f}{row['p95_ms']:>10.0f}"
                f"{row['loop_lag_p99_ms']:>17.2f}{size:>12.1f}"
            )
        local, ray = _median(figures["pool_burst"], "items_s"), figures["ray_burst"]["items_s"]
        lines.append(
            f"  ray/local {ray / local:.2f}   ray ×{n}/ray {figures[f'ray{n}_burst']['items_s'] / ray:.2f}   "
            f"pool ×{n}/pool {figures[f'pool{n}_burst']['items_s'] / local:.2f}"
        )
        differing = figures["ray_mismatches"] + figures[f"ray{n}_mismatches"]
        same = "identical" if not differing else f"{differing} differ"
        lines.append(f"  outputs through Ray vs the local pool, {2 * figures['requests']} compared: {same}")
    lines.append(f"\nlargest replica RSS: {report['ray_replica_rss_mb']:.0f} MB (one per task and replica)")
    return lines


@contextlib.contextmanager
def burning(count: int) -> Iterator[None]:
    """``count`` CPU-burning processes (``yes > /dev/null``) for the duration; stopped by pid."""
    burners = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.wait(timeout=10)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the models, run every workload, print the table (and the JSON line)."""
    from bot.inference.worker_process import WorkerConfig, thread_environment

    # Naive and ideal run here with the threads and thread settings of the pool's worker.
    os.environ.update(thread_environment(WorkerConfig("cpu", args.threads, None, 1, 0.0)))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    workloads = QUICK if args.quick else FULL
    if args.tasks:
        workloads = tuple(w for w in workloads if w.key in args.tasks)
    rounds = args.rounds or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as scratch:
        root = args.models_dir or Path(scratch)
        paths = build_models(root, quick=args.quick)
        overrides = {
            "DATABASE_PATH": str(Path(scratch) / "bench.sqlite3"),
            "MODEL_PROFILE": "hub",
            "TINY_MODELS_DIR": str(tiny_model_dir(root / "tiny", CLASSIFICATION).parent),
            "TORCH_THREADS": str(args.threads),
            # The worker at the priority of the naive and ideal runs (this process): like with like.
            "WORKER_NICENESS": "0",
            "WORKERS_PER_DEVICE": "1",
            "QUEUE_LIMIT": "10000",
            "MEMBER_INFLIGHT_LIMIT": "10",
            "MAX_BATCH": str(POOL_MAX_BATCH),
            "LOG_LEVEL": "WARNING",
            "DEVICES": args.devices or ",".join(settings.devices),
        }
        bench_settings = load_settings(overrides, dotenv_path=None)
        load_before = _load()
        with burning(args.burn):
            report = event_loop.run(  # the bot's own loop (EVENT_LOOP), as `studybot run` uses
                measure(
                    bench_settings,
                    paths,
                    workloads,
                    args.threads,
                    rounds,
                    quick=args.quick,
                    backend=args.backend,
                    replicas=args.replicas,
                ),
                bench_settings.event_loop,
            )
        report.update(burners=args.burn, load_before=load_before, load_after=_load())
    print(format_table(report, workloads))
    if args.json:
        print(json.dumps(summary(report, workloads)))
    return 0


if __name__ == "__main__":
    from bot.__main__ import main

    sys.exit(main(["bench", *sys.argv[1:]]))
