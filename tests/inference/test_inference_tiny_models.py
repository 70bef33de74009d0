"""The offline models: complete, marked, in each family's tokenizer scheme, cached by recipe.

The build itself is measured by ``benchmarks/tiny_build.py`` (a figure, not a timed test).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bot.inference.catalog import TASK_NAMES, Catalog
from bot.inference.loading import load_tokenizer
from bot.inference.tiny import (
    CONLL_LABELS,
    MODEL_STAMP,
    NLI_LABELS,
    RECIPES,
    STAMP_FILE,
    TINY_MARKER,
    build_tiny_models,
    is_tiny_model_dir,
    recipe_hash,
    tiny_model_dir,
)
from bot.inference.tiny.build import PINNED_CAPABILITY, build_models, pin_kernels

#: The cheapest model to rebuild in a test.
QUICK = "tiny-sentiment-analysis"


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


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
        stamp = json.loads((path / MODEL_STAMP).read_text())
        assert stamp["recipe"] == recipe_hash()
        # It learned: the loss at the end of training is well below the loss at its start.
        assert 0 <= stamp["final_training_loss"] < 0.5 * stamp["first_training_loss"], (task, stamp)


def test_every_model_trained_on_the_pinned_kernels(tiny_paths: dict[str, Path]) -> None:
    """On AVX-512 and AMX hosts too: the weights then match the AVX2 hosts' (and the v4 reference)."""
    for task, path in tiny_paths.items():
        assert json.loads((path / MODEL_STAMP).read_text())["cpu_kernels"] == PINNED_CAPABILITY, task


def torch_kernels() -> str:
    import torch

    return torch.backends.cpu.get_cpu_capability()


def test_a_worker_pins_its_kernels_before_torch_picks_them() -> None:
    """Whatever this host's CPU, torch in a build worker picks its kernels from what the initializer set."""
    spawn = multiprocessing.get_context("spawn")
    environment = {"ATEN_CPU_CAPABILITY": "default"}
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=pin_kernels, initargs=(environment,)) as pool:
        assert pool.submit(torch_kernels).result() == "DEFAULT"


def test_the_kernel_pin_stays_in_the_build_workers(tmp_path: Path) -> None:
    """The process that asked for the build keeps its own environment."""
    before = dict(os.environ)
    build_models(tmp_path, [QUICK], workers=1)
    assert json.loads((tmp_path / QUICK / MODEL_STAMP).read_text())["cpu_kernels"] == PINNED_CAPABILITY
    assert dict(os.environ) == before


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


@pytest.mark.parametrize(
    ("model_id", "tokenizer_class", "marker", "specials"),
    [
        ("openai-community/gpt2", "GPT2Tokenizer", "Ġ", set()),
        ("distilbert/distilgpt2", "GPT2Tokenizer", "Ġ", set()),
        ("google-bert/bert-base-cased", "BertTokenizer", "##", {"[CLS]", "[SEP]"}),
        ("google-bert/bert-base-uncased", "DistilBertTokenizer", "##", {"[CLS]", "[SEP]"}),
        ("distilbert/distilroberta-base", "RobertaTokenizer", "Ġ", {"<s>", "</s>"}),
        ("facebook/bart-large-mnli", "RobertaTokenizer", "Ġ", {"<s>", "</s>"}),
        ("Helsinki-NLP/opus-mt-fr-en", "MarianTokenizer", "▁", {"</s>"}),
        ("google-t5/t5-small", "MarianTokenizer", "▁", {"</s>"}),
    ],
)
def test_tokenize_stand_ins_use_the_checkpoints_scheme(
    tiny_dir: Path, model_id: str, tokenizer_class: str, marker: str, specials: set[str]
) -> None:
    tokenizer = load_tokenizer(str(tiny_model_dir(tiny_dir, "tokenize", model_id)))
    assert type(tokenizer).__name__ == tokenizer_class
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("Tokenizers split Oluwaseun's words.")["input_ids"])
    assert any(marker in token for token in tokens), tokens
    assert specials <= set(tokens)
    if marker != "##":
        assert "[CLS]" not in tokens


def test_every_catalog_entry_has_a_stand_in_that_loads(tiny_dir: Path) -> None:
    catalog = Catalog.load()
    for task in TASK_NAMES:
        for entry in catalog.choices(task):
            resolved = catalog.resolve(task, entry.id, profile="tiny", tiny_dir=tiny_dir)
            assert resolved.tiny and resolved.entry == entry
            assert is_tiny_model_dir(resolved.ref), (task, entry.id)
    attention = {
        entry.id: Path(catalog.resolve("attention", entry.id, profile="tiny", tiny_dir=tiny_dir).ref).name
        for entry in catalog.entries("attention")
    }
    assert attention["distilbert/distilbert-base-uncased"] == "tiny-sentiment-analysis"  # DistilBERT
    assert attention["FacebookAI/roberta-base"] == "tiny-fill-mask"  # RoBERTa
    assert attention["google-bert/bert-base-uncased"] == "tiny-ner"  # BERT


def test_second_build_is_a_no_op(tiny_dir: Path) -> None:
    before = {path: path.stat().st_mtime_ns for path in tiny_dir.rglob("*") if path.is_file()}
    messages: list[str] = []
    build_tiny_models(tiny_dir, progress=lambda done, total, message: messages.append(message))
    after = {path: path.stat().st_mtime_ns for path in tiny_dir.rglob("*") if path.is_file()}
    assert before == after
    assert messages == []
    stamp = json.loads((tiny_dir / STAMP_FILE).read_text())
    assert stamp["recipe"] == recipe_hash() and stamp["models"] == sorted(RECIPES)


def test_a_broken_model_is_rebuilt_alone_and_identically(tiny_dir: Path, tmp_path: Path) -> None:
    """A model without its stamp (an interrupted build) is trained again, and comes out the same:
    the build is deterministic. Models whose stamp matches the recipe are left as they are."""
    copy = tmp_path / "models"
    shutil.copytree(tiny_dir, copy)
    (copy / QUICK / MODEL_STAMP).unlink()
    (copy / QUICK / "model.safetensors").write_bytes(b"broken")
    (copy / "tiny-ner" / MODEL_STAMP).write_text(json.dumps({"recipe": "an older recipe"}))
    kept = {path: path.stat().st_mtime_ns for path in (copy / "tiny-fill-mask").iterdir()}
    progress: list[tuple[int, int, str]] = []

    build_models(copy, [QUICK], progress=lambda *report: progress.append(report), workers=1)
    assert progress[0] == (1, 1, "Training the offline sentiment model…")
    assert progress[-1][:2] == (1, 1) and progress[-1][2].startswith("Offline models ready in")
    assert files_of(copy / QUICK) == files_of(tiny_dir / QUICK)
    # The directory is complete only once every model matches the recipe (tiny-ner does not).
    assert not (copy / STAMP_FILE).exists()
    assert {path: path.stat().st_mtime_ns for path in (copy / "tiny-fill-mask").iterdir()} == kept
    assert not [path for path in copy.iterdir() if path.name.startswith(".building-")]


def test_a_directory_without_the_marker_is_not_tiny(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    assert not is_tiny_model_dir(tmp_path)
    assert not is_tiny_model_dir(tmp_path / "missing")


def test_the_recipe_hash_follows_the_word_lists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.inference.tiny import build

    package = tmp_path / "tiny"
    shutil.copytree(build._PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "_PACKAGE_DIR", package)
    original = recipe_hash()
    words = package / "words.toml"
    words.write_text(words.read_text() + "\n# one more comment\n")
    assert recipe_hash() != original
