"""`studybot bench --quick` runs end to end and ends with its JSON line (no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


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
