"""The batch tuner (bot/inference/tuning.py) against synthetic, deterministic cost models."""

from __future__ import annotations

import random
from collections.abc import Callable

from bot.inference.tuning import START_TOKENS, BatchTuner, budget_ladder

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


def fixed(tokens: int, work: list[list[int]], cost: Cost, max_items: int = 64) -> float:
    """Work units per second when every window is cut at a fixed token budget (as offline)."""
    units, seconds = 0, 0.0
    for lengths in work:
        start = 0
        while start < len(lengths):
            stop = start + 1
            while (
                stop < len(lengths)
                and stop - start < max_items
                and (stop + 1 - start) * lengths[stop] <= tokens
            ):
                stop += 1
            span = lengths[start:stop]
            units, seconds = units + sum(span), seconds + cost(len(span), max(span))
            start = stop
    return units / seconds


def test_the_ladder_is_roughly_root_two_apart_and_ends_at_the_bound() -> None:
    assert budget_ladder(256) == [32, 45, 64, 91, 128, 181, 256]
    assert budget_ladder(100) == [32, 45, 64, 91, 100]
    assert budget_ladder(16) == [16]


def test_it_climbs_to_the_measured_peak_and_keeps_up_with_the_best_fixed_budget() -> None:
    tuner = BatchTuner(64, 16384, latency_bound_s=6.0)
    assert tuner.token_budget == START_TOKENS  # MAX_BATCH_TOKENS is a bound, not where it starts
    run(tuner, windows(40, 128, seed=1), cpu_encoder)
    budgets = budget_ladder(16384)
    later = windows(20, 128, seed=2)
    best = max(budgets, key=lambda tokens: fixed(tokens, later, cpu_encoder))
    assert abs(budgets.index(tuner.token_budget) - budgets.index(best)) <= 1, (tuner.token_budget, best)
    units, seconds = run(tuner, later, cpu_encoder)  # probes included
    assert units / seconds >= 0.95 * fixed(best, later, cpu_encoder)


def test_generation_grows_its_batches_to_the_upper_bound() -> None:
    tuner = BatchTuner(32, 16384, latency_bound_s=18.0)
    assert tuner.batch_size == 32  # before anything is measured
    run(tuner, windows(30, 64, seed=3), decoder, generation_work)
    planned = tuner.plan(sorted(generation_work(n) for n in range(12, 76)))
    assert [len(batch) for batch in planned[:1]] == [32] and tuner.batch_size >= 28


def test_a_batch_over_the_latency_bound_forbids_its_budget_and_larger_ones() -> None:
    tuner = BatchTuner(32, 16384, latency_bound_s=1.0)  # a batch of 32 takes 1.6 s: too long
    run(tuner, windows(6, 64, seed=4), decoder, generation_work)
    assert tuner.token_budget < START_TOKENS
    later = windows(4, 64, seed=5)
    for lengths in later:
        for planned in tuner.plan(lengths):
            span = lengths[planned.start : planned.stop]
            assert decoder(len(span), max(span)) <= 1.0 or len(span) == 1


def test_light_load_teaches_nothing_and_never_holds_a_batch() -> None:
    """A Poisson stream's windows are small: each runs at once, as one batch, and moves nothing."""
    tuner = BatchTuner(32, 16384, latency_bound_s=6.0, start_tokens=256)
    rng = random.Random(6)
    for _ in range(200):
        lengths = sorted(rng.randint(12, 48) for _ in range(rng.randint(1, 3)))
        plan = tuner.plan(lengths)
        assert [(p.start, p.stop) for p in plan] == [(0, len(lengths))]
        for planned in plan:
            tuner.record(planned, sum(lengths), len(lengths) * max(lengths), cpu_encoder(len(lengths), 48))
    assert tuner.token_budget == 256 and tuner.moves == 0


def test_it_never_exceeds_the_bounds() -> None:
    tuner = BatchTuner(6, 100, latency_bound_s=6.0)
    for lengths in windows(10, 40, seed=7):
        for planned in tuner.plan(lengths):
            span = lengths[planned.start : planned.stop]
            assert len(span) <= 6 and (len(span) == 1 or len(span) * max(span) <= 100)
            tuner.record(planned, sum(span), len(span) * max(span), cpu_encoder(len(span), max(span)))


def test_a_small_remainder_joins_the_batch_before_it_instead_of_running_alone() -> None:
    """Windows of two batches and a few inputs more (what the pool sends a slow task): the few
    join the second batch rather than run as a third, small one."""
    tuner = BatchTuner(64, 16384, latency_bound_s=6.0)
    run(tuner, windows(40, 128, seed=1), cpu_encoder)  # settled, its neighbours measured
    per_batch = tuner.token_budget // 32
    merged = 0
    for extra in [1, 2, 3, per_batch // 4, per_batch // 2] * 8:
        lengths = [32] * (2 * per_batch + extra)
        plan = tuner.plan(lengths)
        sizes = [len(batch) for batch in plan]
        assert sum(sizes) == len(lengths)
        probe = plan[-2].tokens != tuner.token_budget  # a probe keeps its size: it is a sample
        assert probe or sizes[-1] * 4 >= sizes[-2], sizes
        merged += not probe and len(plan) == 2
    assert merged >= 20  # the rest had a probe in them


def test_a_remainder_too_big_for_one_step_of_the_ladder_still_runs_apart() -> None:
    tuner = BatchTuner(64, 16384, latency_bound_s=6.0, start_tokens=512)
    lengths = [8] * 64 + [48] * 4  # the long remainder would make a batch of 68 × 48 tokens
    planned = tuner.plan(lengths)
    assert all(len(batch) * lengths[batch.stop - 1] <= 724 or len(batch) == 1 for batch in planned)


def test_it_climbs_on_windows_of_two_batches_as_the_pool_sends_a_slow_task() -> None:
    """The pool sends a slow task (generation, summaries) windows of two tuned batches, so a probe
    of the budget above gets only what the first batch left: it must still count."""
    tuner = BatchTuner(64, 16384, latency_bound_s=60.0)
    rng = random.Random(8)
    for _ in range(40):
        size = 2 * tuner.batch_size  # the pool's WINDOW_MIN_BATCHES at a low measured rate
        lengths = sorted(generation_work(rng.randint(12, 48)) for _ in range(size))
        run(tuner, [lengths], decoder, int)
    assert tuner.token_budget >= 2 * START_TOKENS and tuner.batch_size >= 40
