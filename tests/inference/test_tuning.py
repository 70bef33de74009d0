"""The batch tuner (bot/inference/tuning.py) against synthetic, deterministic cost models."""

from __future__ import annotations

import random
from collections.abc import Callable

from bot.inference.tuning import BatchTuner, size_ladder

Cost = Callable[[int, int], float]  # seconds for a forward pass of n inputs padded to L tokens
NEW_TOKENS = 20


def cpu_encoder(items: int, length: int) -> float:
    """A CPU that is fastest per token at about 256 padded tokens (a cache-sized working set)."""
    tokens = items * length
    return 0.004 + 1e-5 * tokens * (1 + (tokens / 700) ** 2)


def decoder(items: int, length: int) -> float:
    """Generation: 20 steps, each with a fixed cost and a small one per sequence: bigger is better."""
    return NEW_TOKENS * (0.02 + 0.0015 * items) + 1e-6 * items * length


def generation_work(length: int) -> int:
    """What TaskSpec.cost counts for a prompt: its tokens and the new ones."""
    return length + NEW_TOKENS


def windows(count: int, size: int, seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    return [sorted(rng.randint(12, 48) for _ in range(size)) for _ in range(count)]


def run(
    tuner: BatchTuner, work: list[list[int]], cost: Cost, units_of: Callable[[int], int] = int
) -> tuple[int, float]:
    """Feed windows through the tuner; returns (work units, seconds) of the run."""
    units, seconds = 0, 0.0
    for lengths in work:
        for planned in tuner.plan(lengths):
            span = lengths[planned.start : planned.stop]
            took = cost(len(span), max(span))
            done = sum(units_of(length) for length in span)
            tuner.record(planned, done, len(span) * max(span), took)
            units, seconds = units + done, seconds + took
    return units, seconds


def fixed(size: int, work: list[list[int]], cost: Cost) -> float:
    """Work units per second when every window is cut at ``size`` (the offline best is the max)."""
    units, seconds = 0, 0.0
    for lengths in work:
        for start in range(0, len(lengths), size):
            span = lengths[start : start + size]
            units, seconds = units + sum(span), seconds + cost(len(span), max(span))
    return units / seconds


def test_the_ladder_is_roughly_root_two_apart_and_ends_at_the_bound() -> None:
    assert size_ladder(32) == [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
    assert size_ladder(1) == [1]
    assert size_ladder(20) == [1, 2, 3, 4, 6, 8, 12, 16, 20]


def test_it_climbs_down_to_the_measured_peak_and_keeps_up_with_the_best_fixed_size() -> None:
    tuner = BatchTuner(64, 16384, latency_bound_s=6.0)
    assert tuner.batch_size == 64  # the bound is where it starts, not where it stays
    run(tuner, windows(40, 128, seed=1), cpu_encoder)
    sizes = size_ladder(64)
    later = windows(20, 128, seed=2)
    best = max(sizes, key=lambda size: fixed(size, later, cpu_encoder))
    assert sizes.index(tuner.batch_size) - sizes.index(best) in (-1, 0, 1), (tuner.batch_size, best)
    units, seconds = run(tuner, later, cpu_encoder)  # probes included
    assert units / seconds >= 0.95 * fixed(best, later, cpu_encoder)


def test_generation_stays_at_the_upper_bound() -> None:
    tuner = BatchTuner(32, 16384, latency_bound_s=18.0)
    run(tuner, windows(12, 64, seed=3), decoder, generation_work)
    assert tuner.batch_size == 32 and tuner.token_budget == 16384


def test_a_batch_over_the_latency_bound_lowers_the_budget_and_forbids_its_size() -> None:
    tuner = BatchTuner(32, 16384, latency_bound_s=1.0)  # a batch of 32 takes 1.6 s: too long
    run(tuner, windows(6, 64, seed=4), decoder, generation_work)
    assert tuner.batch_size < 32 and tuner.token_budget < 16384
    later = windows(4, 64, seed=5)
    for lengths in later:
        for planned in tuner.plan(lengths):
            span = lengths[planned.start : planned.stop]
            assert decoder(len(span), max(span)) <= 1.0 or len(span) == 1


def test_light_load_teaches_nothing_and_never_holds_a_batch() -> None:
    """A Poisson stream's windows are small: each runs at once, as one batch, and moves nothing."""
    tuner = BatchTuner(32, 16384, latency_bound_s=6.0, start=8)
    rng = random.Random(6)
    for _ in range(200):
        lengths = sorted(rng.randint(12, 48) for _ in range(rng.randint(1, 3)))
        plan = tuner.plan(lengths)
        assert [(p.start, p.stop) for p in plan] == [(0, len(lengths))]
        for planned in plan:
            tuner.record(planned, sum(lengths), len(lengths) * max(lengths), cpu_encoder(len(lengths), 48))
    assert tuner.batch_size == 8 and tuner.moves == 0


def test_it_never_exceeds_the_bounds() -> None:
    tuner = BatchTuner(6, 100, latency_bound_s=6.0)
    for lengths in windows(10, 40, seed=7):
        for planned in tuner.plan(lengths):
            span = lengths[planned.start : planned.stop]
            assert len(span) <= 6 and (len(span) == 1 or len(span) * max(span) <= 100)
            tuner.record(planned, sum(span), len(span) * max(span), cpu_encoder(len(span), max(span)))
