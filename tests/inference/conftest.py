"""Fixtures for the inference engine tests: the tiny models, built once per session."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.inference.loading import load_runner
from bot.inference.runners import BaseRunner
from bot.inference.tiny import build_tiny_models
from tests.reference.make_v4_reference import fingerprints, reference_files


@pytest.fixture(scope="session")
def tiny_paths(tiny_dir: Path) -> dict[str, Path]:
    """``{task: directory}`` of the session's tiny models (a second build call is a no-op)."""
    return build_tiny_models(tiny_dir)


@pytest.fixture(scope="session")
def runner_for(tiny_paths: dict[str, Path]) -> Callable[[str], BaseRunner]:
    """Load (once) the runner of a task on its tiny model, through the normal loading path."""
    cache: dict[str, BaseRunner] = {}

    def get(task: str) -> BaseRunner:
        if task not in cache:
            cache[task] = load_runner(task, str(tiny_paths[task]))
        return cache[task]

    return get


@pytest.fixture(scope="session")
def v4_reference(tiny_dir: Path) -> dict[str, Any]:
    """The committed transformers 4.57 outputs made on the very weights built here: the same
    recipe trains other floats on CPUs whose kernels differ (README, "Offline models").

    A host whose build matches none of them fails every test that compares with v4, saying how to
    add a file for its weights.
    """
    built = fingerprints(tiny_dir)
    files = reference_files()
    for path in files:
        reference: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if reference["fingerprints"] == built:
            return reference
    pytest.fail(
        f"none of the v4 references ({', '.join(path.name for path in files)}) was made on the "
        f"tiny models built here ({tiny_dir}): in a transformers 4.57 venv, run "
        f"tests/reference/make_v4_reference.py --tiny-dir {tiny_dir} "
        "--out tests/reference/v4_reference.<this CPU>.json"
    )


@pytest.fixture
def cli_settings(tiny_dir: Path, tmp_path: Path) -> SimpleNamespace:
    """Settings as the CLI handlers read them: tiny profile, an empty model cache."""
    return SimpleNamespace(
        model_profile="tiny",
        model_cache_dir=tmp_path / "hf-cache",
        tiny_models_dir=tiny_dir,
        catalog_path=None,
    )


def _lay_out_hub_cache(cache_dir: Path, repo_id: str, model_dir: Path) -> Path:
    """Lay a saved model out as huggingface_hub's cache does (refs/main → snapshots/<commit>)."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache_dir / ("models--" + repo_id.replace("/", "--"))
    shutil.copytree(model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    return cache_dir


@pytest.fixture
def fake_hub_cache() -> Callable[[Path, str, Path], Path]:
    """``fake_hub_cache(cache_dir, repo_id, model_dir)``: a hub cache entry made from a local model."""
    return _lay_out_hub_cache
