"""`studybot bench --quick` runs end to end and ends with its JSON line (no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


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
    summary = json.loads(lines[-1])
    assert summary["device"] == "cpu"
    for workload in ("classification", "generation"):
        figures = summary[workload]
        assert set(figures) == {
            "naive_items_s",
            "ideal_items_s",
            "pool_items_s",
            "pool_vs_ideal",
            "pool_vs_naive",
            "pool_p95_ms",
            "loop_lag_p99_ms",
        }
        assert all(value > 0 for value in figures.values())
        # The ratios come from the unrounded rates: equal to the printed rates' ratio within rounding.
        ratio = figures["pool_items_s"] / figures["ideal_items_s"]
        assert figures["pool_vs_ideal"] == pytest.approx(ratio, abs=2e-3)
    assert summary["peak_rss_mb"] > 0


def test_outputs_are_compared_by_labels_texts_and_scores_to_1e4() -> None:
    from bot.inference.bench import mismatches

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
