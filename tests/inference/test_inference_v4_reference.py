"""The runners against transformers 4.57's pipelines on the same tiny models.

``tests/reference/v4_reference*.json`` were written by ``tests/reference/make_v4_reference.py``
running the real v4 pipelines, each on the tiny models one kind of CPU builds (their floats depend
on its kernels). The cases are the same in every file; the expected outputs come from the file made
on the weights built here (the ``v4_reference`` fixture). Strings and character spans must match
exactly, scores within 1e-4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.inference.runners.seq2seq_config import effective_new_tokens, v4_pipeline_defaults
from bot.inference.tasks import get_task
from tests.reference.make_v4_reference import DEFAULT_OUT, fingerprints, reference_files

SCORE_TOLERANCE = 1e-4
#: Where the cases are read from when the tests are collected (every file holds the same cases).
REFERENCE = json.loads(DEFAULT_OUT.read_text(encoding="utf-8"))


def without_expected(case: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in case.items() if key != "expected"}


def expected(reference: dict[str, Any], section: str, case: dict[str, Any]) -> Any:
    """What v4 gave for ``case`` in ``reference`` (the file made on the weights built here)."""
    wanted = without_expected(case)
    matches = [other["expected"] for other in reference[section] if without_expected(other) == wanted]
    assert len(matches) == 1, (
        f"{section}: {case.get('name') or case['task']} is in the reference {len(matches)} times"
    )
    return matches[0]


def cases(section: str, *, seeded: bool | None = None) -> list[Any]:
    """The reference cases of one section, as pytest params named after the case.

    ``seeded`` False keeps only the cases that do not sample (``seed`` unset): a sampled case was
    made one text at a time from one seed, which a batch cannot reproduce (its draws are shared).
    """
    return [
        pytest.param(case, id=case.get("name") or case["task"])
        for case in REFERENCE[section]
        if seeded is None or (case.get("seed") is not None) == seeded
    ]


def seeded(case: dict[str, Any]) -> None:
    """Seed torch as the reference script did before each call of a sampled case."""
    if case.get("seed") is not None:
        import torch

        torch.manual_seed(case["seed"])


def assert_matches(actual: Any, expected: Any, where: str = "result") -> None:
    """Equal structure and values; floats within the tolerance."""
    if isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float), f"{where}: {actual!r} is not a number"
        assert actual == pytest.approx(expected, abs=SCORE_TOLERANCE), f"{where}: {actual} != {expected}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a dict, got {actual!r}"
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            assert_matches(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items != {len(expected)}: {actual}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(got, want, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_reference_was_made_on_these_tiny_models(v4_reference, tiny_dir: Path) -> None:
    assert v4_reference["transformers"].startswith("4.57.")
    assert set(v4_reference["fingerprints"]) == {path.name for path in tiny_dir.glob("tiny-*")}
    assert fingerprints(tiny_dir) == v4_reference["fingerprints"]


def test_every_reference_holds_the_same_cases() -> None:
    """The files differ only in what v4 answered on their weights: one script, one set of cases."""
    files = reference_files()
    assert len(files) >= 2
    for path in files:
        other = json.loads(path.read_text(encoding="utf-8"))
        assert other["transformers"].startswith("4.57."), path.name
        for section in ("question_answering", "seq2seq", "generation_settings", "pipelines"):
            assert [without_expected(case) for case in other[section]] == [
                without_expected(case) for case in REFERENCE[section]
            ], f"{path.name}: {section}"


@pytest.mark.parametrize("case", cases("question_answering"))
def test_question_answering_matches_v4(case, runner_for, v4_reference) -> None:
    runner = runner_for("question-answering")
    inputs, params = get_task("question-answering").validate(case["inputs"], case["params"])
    want = expected(v4_reference, "question_answering", case)
    assert_matches(runner.run(inputs, params), want, case["name"])


@pytest.mark.parametrize("case", cases("question_answering"))
def test_question_answering_one_by_one_matches_v4(case, runner_for, v4_reference) -> None:
    runner = runner_for("question-answering")
    inputs, params = get_task("question-answering").validate(case["inputs"], case["params"])
    results = [runner.run([item], params)[0] for item in inputs]
    assert_matches(results, expected(v4_reference, "question_answering", case), case["name"])


@pytest.mark.parametrize("case", cases("seq2seq", seeded=False))
def test_seq2seq_matches_v4(case, runner_for, v4_reference) -> None:
    runner = runner_for(case["task"])
    inputs, params = get_task(case["task"]).validate(case["inputs"], case["params"])
    assert_matches(runner.run(inputs, params), expected(v4_reference, "seq2seq", case), case["name"])


@pytest.mark.parametrize("case", cases("seq2seq"))
def test_seq2seq_one_by_one_matches_v4(case, runner_for, v4_reference) -> None:
    runner = runner_for(case["task"])
    inputs, params = get_task(case["task"]).validate(case["inputs"], case["params"])
    results = []
    for text in inputs:
        seeded(case)
        results.append(runner.run([text], params)[0])
    assert_matches(results, expected(v4_reference, "seq2seq", case), case["name"])


def test_the_reference_has_sampled_and_several_sequence_cases() -> None:
    """The parameters of the course's pipelines are all pinned (a regenerated file keeps them)."""
    seq2seq = REFERENCE["seq2seq"]
    for task in ("summarization", "translation"):
        mine = [case for case in seq2seq if case["task"] == task]
        used = {name for case in mine for name in case["params"]}
        assert used >= {"do_sample", "num_beams", "num_return_sequences", "max_new_tokens", "min_length"}
        assert any(case.get("seed") is not None for case in mine), task
        several = [case for case in mine if case["params"].get("num_return_sequences", 1) > 1]
        assert several and all(
            len(result) == case["params"]["num_return_sequences"]
            for case in several
            for result in case["expected"]
        )
    sentiment = {
        json.dumps(case["params"]) for case in REFERENCE["pipelines"] if case["task"] == "sentiment-analysis"
    }
    assert sentiment >= {"{}", '{"top_k": null}', '{"top_k": 1}', '{"top_k": 2}'}
    assert any(case["params"].get("top_k") == 20 for case in REFERENCE["question_answering"])


@pytest.mark.parametrize("case", cases("generation_settings"))
def test_generation_settings_match_v4(case, tiny_paths) -> None:
    """The settings v4 derived from a model's generation config, config and task."""
    from transformers import AutoConfig, GenerationConfig

    path = tiny_paths[case["model"]]
    config = AutoConfig.from_pretrained(path)
    generation = GenerationConfig.from_pretrained(path)
    for key, value in case["generation"].items():
        setattr(generation, key, value)
    for key, value in case["config"].items():
        setattr(config, key, value)
    defaults = v4_pipeline_defaults(config, generation, case["task"], tokenizer_pad_token_id=None)

    v4 = case["expected"]  # from the model's config alone: the same in every file
    assert defaults.prefix == v4["prefix"]
    v4_global = GenerationConfig._get_default_generation_params()
    for key in ("num_beams", "min_length", "no_repeat_ngram_size", "length_penalty", "early_stopping"):
        value = defaults.overrides.get(key, getattr(generation, key))
        value = v4_global[key] if value is None else value
        assert value == v4[key], key
    v4_new_tokens = v4["max_new_tokens"] if v4["max_new_tokens"] is not None else v4["max_length"] - 1
    assert effective_new_tokens(defaults.overrides, generation) == v4_new_tokens


@pytest.mark.parametrize("case", cases("pipelines"))
def test_pipeline_backed_runners_match_v4(case, runner_for, v4_reference) -> None:
    """The v5 pipelines, called with studybot's parameter mapping, give v4's results."""
    inputs, params = get_task(case["task"]).validate(case["inputs"], case["params"])
    want = expected(v4_reference, "pipelines", case)
    assert_matches(runner_for(case["task"]).run(inputs, params), want, case["task"])
