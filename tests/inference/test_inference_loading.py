"""Loading: local directories, the hub cache, and the clear error when a model cannot be had."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from huggingface_hub import constants

from bot.errors import UserFacingError
from bot.inference.loading import ModelUnavailableError, hub_reachable, is_cached, load_runner, load_tokenizer

UNCACHED = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
FAKE_ID = "studybot-test/tiny-sentiment"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_HUB_OFFLINE=1 (huggingface_hub reads it at import, so its constant is patched too)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


@pytest.fixture
def unreachable_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Online mode, but the hub endpoint refuses connections at once."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")


def assert_clear_unavailable_error(error: ModelUnavailableError, task: str) -> None:
    assert isinstance(error, UserFacingError)
    message = str(error)
    assert UNCACHED in message
    assert f"studybot models download --task {task}" in message
    assert "MODEL_PROFILE=tiny" in message


def test_uncached_model_offline_is_a_fast_clear_error(offline: None, tmp_path: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as raised:
        load_runner("sentiment-analysis", UNCACHED, cache_dir=tmp_path)
    assert time.perf_counter() - started < 5
    assert_clear_unavailable_error(raised.value, "sentiment-analysis")
    assert "HF_HUB_OFFLINE" in str(raised.value)


def test_uncached_model_with_unreachable_hub_is_a_fast_clear_error(
    unreachable_hub: None, tmp_path: Path
) -> None:
    assert not hub_reachable(timeout=2)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as raised:
        load_runner("ner", UNCACHED, cache_dir=tmp_path)
    assert time.perf_counter() - started < 10
    assert_clear_unavailable_error(raised.value, "ner")
    assert "cannot be reached" in str(raised.value)


def test_cached_hub_model_loads_offline(offline: None, tmp_path: Path, tiny_paths, fake_hub_cache) -> None:
    cache = fake_hub_cache(tmp_path / "hub", FAKE_ID, tiny_paths["sentiment-analysis"])
    assert is_cached(FAKE_ID, cache)
    assert not is_cached(UNCACHED, cache)
    runner = load_runner("sentiment-analysis", FAKE_ID, cache_dir=cache)
    assert runner.ref == FAKE_ID and runner.is_tiny
    (scores,) = runner.run(["I love this course."], {})
    assert {score["label"] for score in scores} == {"NEGATIVE", "POSITIVE"}
    assert type(load_tokenizer(FAKE_ID, cache)).__name__ == "DistilBertTokenizer"


def test_local_directories(tmp_path: Path, tiny_paths) -> None:
    assert is_cached(str(tiny_paths["ner"]))
    with pytest.raises(ModelUnavailableError, match="not a model directory"):
        load_runner("ner", str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match="not a loadable model directory"):
        load_runner("ner", str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="unknown task"):
        load_runner("image-classification", str(tiny_paths["ner"]))


def test_from_pretrained_is_called_safely(monkeypatch: pytest.MonkeyPatch, tiny_paths) -> None:
    """Never trust_remote_code; float32 through ``dtype`` (not the deprecated ``torch_dtype``)."""
    import torch
    import transformers

    calls: list[dict] = []
    original = transformers.AutoModelForTokenClassification.from_pretrained.__func__

    def spy(cls, *args, **kwargs):
        calls.append(kwargs)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForTokenClassification, "from_pretrained", classmethod(spy))
    runner = load_runner("ner", str(tiny_paths["ner"]))
    assert calls == [{"trust_remote_code": False, "dtype": torch.float32}]
    assert next(runner.model.parameters()).dtype == torch.float32
    assert not runner.model.training


def test_a_bare_encoder_from_a_checkpoint_with_a_head_loads_without_the_weights_report(
    tiny_paths, caplog: pytest.LogCaptureFixture
) -> None:
    import transformers

    def warnings() -> str:
        text = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
        caplog.clear()
        return text

    checkpoint = str(tiny_paths["attention"])
    caplog.set_level(logging.WARNING)
    transformers.AutoModel.from_pretrained(checkpoint)  # plain transformers logs its report
    assert "UNEXPECTED" in warnings(), "the tiny attention checkpoint should carry a head"

    runner = load_runner("attention", checkpoint)
    quiet = warnings()
    assert "LOAD REPORT" not in quiet and "not sharded" not in quiet, quiet
    assert runner.num_layers >= 1
    assert logging.getLogger("transformers.modeling_utils").level == logging.NOTSET  # restored
