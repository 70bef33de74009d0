"""/generate decodes as its checkpoint says unless the member says otherwise (transformers 4's
pipelines applied ``task_specific_params``: that is why the course's GPT-2 samples)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from transformers import GenerationConfig

from bot.inference.runners.generation import checkpoint_decoding, decoding

UNSET: dict[str, Any] = {"do_sample": None, "temperature": None, "top_k": None, "top_p": None}


def decoding_of(task_specific_params: dict[str, Any] | None, **generation: Any) -> dict[str, Any]:
    config = SimpleNamespace(task_specific_params=task_specific_params)
    return checkpoint_decoding(config, GenerationConfig(**generation))


def test_gpt2s_task_specific_params_make_it_sample_like_the_course() -> None:
    gpt2 = decoding_of({"text-generation": {"do_sample": True, "max_length": 50}})
    assert gpt2["do_sample"] is True
    assert decoding(gpt2, UNSET) == {"do_sample": True, "temperature": 1.0, "top_k": 50, "top_p": 1.0}


def test_a_checkpoint_without_them_decodes_greedily() -> None:
    greedy = decoding_of(None)
    assert decoding(greedy, UNSET) == {"do_sample": False}
    tuned = decoding_of(None, do_sample=True, temperature=0.7, top_k=20)
    assert decoding(tuned, UNSET) == {"do_sample": True, "temperature": 0.7, "top_k": 20, "top_p": 1.0}


def test_the_members_choices_win_and_a_sampling_setting_turns_sampling_on() -> None:
    greedy = decoding_of(None)
    warm = decoding(greedy, {**UNSET, "temperature": 1.5})
    assert warm == {"do_sample": True, "temperature": 1.5, "top_k": 50, "top_p": 1.0}
    gpt2 = decoding_of({"text-generation": {"do_sample": True}})
    assert decoding(gpt2, {**UNSET, "do_sample": False, "temperature": 1.5}) == {"do_sample": False}
    assert decoding(gpt2, {**UNSET, "top_p": 0.5})["top_p"] == 0.5


def test_more_sequences_than_beams_sample_unless_told_not_to() -> None:
    greedy = decoding_of(None)
    assert decoding(greedy, {**UNSET, "num_return_sequences": 3, "num_beams": 1})["do_sample"] is True
    assert decoding(greedy, {**UNSET, "num_return_sequences": 3, "num_beams": 3}) == {"do_sample": False}
