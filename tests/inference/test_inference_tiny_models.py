"""The tiny offline models: complete, deterministic, idempotent, marked as tiny."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.inference.catalog import TASK_NAMES
from bot.inference.tiny import (
    CONLL_LABELS,
    NLI_LABELS,
    STAMP_FILE,
    TINY_MARKER,
    build_tiny_models,
    is_tiny_model_dir,
    tiny_model_dir,
)


def all_files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_rebuild_is_byte_identical(tiny_dir: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    build_tiny_models(tmp_path)
    elapsed = time.perf_counter() - started
    first, second = all_files(tiny_dir), all_files(tmp_path)
    assert sorted(first) == sorted(second)
    assert len(first) > 30
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert elapsed < 30, f"the tiny build took {elapsed:.1f}s"


def test_every_task_has_a_saved_model_and_tokenizer(tiny_paths: dict[str, Path]) -> None:
    assert set(tiny_paths) == set(TASK_NAMES)
    for task, path in tiny_paths.items():
        assert path == tiny_model_dir(path.parent, task)
        assert (path / "config.json").is_file()
        assert (path / "model.safetensors").is_file()
        assert (path / "tokenizer_config.json").is_file()
        config = json.loads((path / "config.json").read_text())
        assert config[TINY_MARKER] is True
        assert is_tiny_model_dir(path)
        assert path.name.startswith("tiny-")


def test_label_sets_follow_the_course_models(tiny_paths: dict[str, Path]) -> None:
    def labels(task: str) -> list[str]:
        id2label = json.loads((tiny_paths[task] / "config.json").read_text())["id2label"]
        return [id2label[str(index)] for index in range(len(id2label))]

    assert labels("sentiment-analysis") == ["NEGATIVE", "POSITIVE"]
    assert labels("ner") == CONLL_LABELS
    assert labels("zero-shot-classification") == NLI_LABELS
    gpt2 = json.loads((tiny_paths["text-generation"] / "config.json").read_text())
    assert gpt2["n_positions"] == 1024
    marian = tiny_paths["translation"]
    assert (marian / "source.spm").is_file() and (marian / "target.spm").is_file()
    vocab = json.loads((marian / "vocab.json").read_text())
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1 and vocab["<pad>"] == len(vocab) - 1


def test_second_build_is_a_no_op(tiny_dir: Path) -> None:
    before = {path: path.stat().st_mtime_ns for path in tiny_dir.rglob("*") if path.is_file()}
    started = time.perf_counter()
    build_tiny_models(tiny_dir)
    assert time.perf_counter() - started < 0.5
    after = {path: path.stat().st_mtime_ns for path in tiny_dir.rglob("*") if path.is_file()}
    assert before == after


def test_incomplete_build_is_redone(tmp_path: Path) -> None:
    paths = build_tiny_models(tmp_path)
    (tmp_path / STAMP_FILE).unlink()
    (paths["ner"] / "model.safetensors").write_bytes(b"broken")
    build_tiny_models(tmp_path)
    assert (tmp_path / STAMP_FILE).is_file()
    assert (paths["ner"] / "model.safetensors").read_bytes() != b"broken"
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".building-")]


def test_a_directory_without_the_marker_is_not_tiny(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    assert not is_tiny_model_dir(tmp_path)
    assert not is_tiny_model_dir(tmp_path / "missing")
