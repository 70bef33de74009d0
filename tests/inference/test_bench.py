"""`studybot bench --quick` and `benchmarks/window_replay.py --quick` run end to end and print
their figures (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_quick_bench_prints_the_table_and_the_json_summary(tmp_path: Path, tiny_dir: Path) -> None:
    # The bench builds its offline models under --models-dir/tiny: lend it the session's build.
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny").symlink_to(tiny_dir, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--quick", "--json", "--models-dir", str(tmp_path / "models")],
        env={**os.environ, "HF_HUB_OFFLINE": "1", "DEVICES": "cpu"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("  pool, all at once") for line in lines)
    assert any(line.startswith("  ideal sweep (items/s): ") and "batch 1:" in line for line in lines)
    summary = json.loads(lines[-1])
    assert summary["device"] == "cpu" and summary["rounds"] == 2 and summary["burners"] == 0
    for workload in ("classification", "token_classification", "generation", "seq2seq"):
        figures = summary[workload]
        assert set(figures) == {
            "requests",
            "best",
            "naive_items_s",
            "ideal_items_s",
            "pool_items_s",
            "pool_vs_ideal",
            "pool_vs_naive",
            "pool_busy_share",
            "pool_busy_vs_ideal",
            "pool_p95_ms",
            "loop_lag_p99_ms",
            "mean_pool_batch",
            "pool_batch_sizes",
            "tuned_batch",
            "bot_cpu_share",
        }
        assert figures["best"].startswith(("batch ", "≤"))
        for rate in ("naive_items_s", "ideal_items_s", "pool_items_s", "pool_p95_ms", "mean_pool_batch"):
            assert figures[rate] > 0, (workload, rate)
        for ratio in ("pool_vs_ideal", "pool_vs_naive", "pool_busy_share", "pool_busy_vs_ideal"):
            spread = figures[ratio]
            assert 0 < spread["min"] <= spread["median"] <= spread["max"], (workload, ratio, spread)
        # Medians of rates and medians of per-round ratios differ, but not by much more than noise.
        assert figures["pool_vs_ideal"]["min"] <= 1.2 * figures["pool_items_s"] / figures["ideal_items_s"]
        assert figures["tuned_batch"] >= 1
        # One worker cannot spend longer in batches than the burst lasted (its clock is the bench's).
        assert figures["pool_busy_share"]["max"] <= 1.02, (workload, figures["pool_busy_share"])
        assert sum(figures["pool_batch_sizes"]) == 2 * figures["requests"]  # two rounds of bursts
        assert 0 < figures["bot_cpu_share"] < 4  # a share of one core: the bot's side did some work
    assert summary["peak_rss_mb"] > 0


def test_the_benchmark_is_not_part_of_the_installed_package() -> None:
    """It lives in benchmarks/ and ``studybot bench`` loads it from there only when it runs."""
    import bot.inference

    package = Path(bot.inference.__file__).parent
    assert not (package / "bench.py").exists()
    assert (Path(__file__).resolve().parents[2] / "benchmarks" / "pool_bench.py").is_file()
    result = subprocess.run(
        [sys.executable, "-c", "import bot.__main__, sys; sys.exit('studybot_pool_bench' in sys.modules)"],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_outputs_are_compared_by_labels_texts_and_scores_to_1e4() -> None:
    from bot.inference.bench_command import load_bench

    mismatches = load_bench().mismatches

    local = [{"label": "POSITIVE", "score": 0.91234}, {"label": "NEGATIVE", "score": 0.08766}]
    assert (
        mismatches(local, [{"label": "POSITIVE", "score": 0.91235}, {"label": "NEGATIVE", "score": 0.08765}])
        == []
    )
    swapped = [{"label": "NEGATIVE", "score": 0.91234}, {"label": "POSITIVE", "score": 0.08766}]
    assert mismatches(local, swapped) == ["output[0].label", "output[1].label"]
    assert mismatches(local, [{"label": "POSITIVE", "score": 0.95}, local[1]]) == ["output[0].score"]
    assert mismatches([{"generated_text": "Hello there"}], [{"generated_text": "Hello here"}]) == [
        "output[0].generated_text"
    ]
    assert mismatches(local, local[:1]) == ["output"]  # a missing item
    assert mismatches(local, None) == ["output"]  # no answer at all


def test_the_ideal_is_the_configuration_best_over_the_rounds_not_each_rounds_luckiest() -> None:
    from bot.inference.bench_command import load_bench

    bench = load_bench()
    steady, noisy = bench.Config(32), bench.Config(16)

    def run(items_s: float) -> Any:
        return bench.Figures(items_s=items_s, p50_ms=0.0, p95_ms=0.0)

    # The noisy configuration wins one round by luck; the steady one is faster in the others.
    rounds = [{steady: run(10.0), noisy: run(12.0)}, {steady: run(10.2), noisy: run(8.0)}]
    rounds.append({steady: run(9.8), noisy: run(9.0)})
    chosen, ideal = bench.chosen_ideal(rounds)
    assert chosen == steady
    assert [figures.items_s for figures in ideal] == [10.0, 10.2, 9.8]  # its own run, every round


def _window_replay() -> Any:
    spec = importlib.util.spec_from_file_location("window_replay", BENCHMARKS / "window_replay.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_padding_counts_each_window_sorted_on_its_own() -> None:
    padding = _window_replay().padding
    costs = [3, 1, 2, 4]
    assert padding(costs, 2, 2) == (2 * 3 + 2 * 4) / 10  # [1, 3] and [2, 4]
    assert padding(costs, 4, 2) == (2 * 2 + 2 * 4) / 10  # [1, 2] and [3, 4]
    assert padding(costs, 4, 4) == 4 * 4 / 10


def test_quick_window_replay_prints_each_window_against_the_ideal(tmp_path: Path, tiny_dir: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny").symlink_to(tiny_dir, target_is_directory=True)
    command = [sys.executable, str(BENCHMARKS / "window_replay.py"), "--quick", "--windows", "8", "24"]
    result = subprocess.run(
        [*command, "--rounds", "1", "--threads", "1", "--models-dir", str(tmp_path / "models")],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = {
        line.split(":")[0]: float(line.split("padded/real at batch 32 ")[1].split(";")[0])
        for line in result.stdout.splitlines()
        if "padded/real" in line
    }
    assert set(found) == {"windows of 8", "windows of 24", "all 24 sorted"}
    assert found["windows of 24"] == found["all 24 sorted"]  # one window of everything is the whole sort
    assert all(value >= 1.0 for value in found.values())
