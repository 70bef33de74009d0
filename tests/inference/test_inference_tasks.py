"""The task registry: validation sentences, defaults, batch keys and costs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.errors import UserFacingError
from bot.inference.catalog import TASK_NAMES, Catalog
from bot.inference.runners import BaseRunner
from bot.inference.tasks import TASKS, InvalidRequestError, count_masks, get_task, with_model_mask


def refused(task: str, inputs: list, params: dict | None = None) -> str:
    """The message of the InvalidRequestError that validation raises."""
    with pytest.raises(InvalidRequestError) as raised:
        get_task(task).validate(inputs, params or {})
    assert isinstance(raised.value, UserFacingError)
    return str(raised.value)


def test_every_task_is_registered_with_a_default_model() -> None:
    catalog = Catalog.load()
    assert tuple(TASKS) == TASK_NAMES
    for spec in TASKS.values():  # its course link is its presenter's: tests/test_teaching_links.py
        default = catalog.default(spec.name)
        assert default.default and default.task == spec.name
    with pytest.raises(InvalidRequestError, match="Unknown task 'summarise'"):
        get_task("summarise")


def test_defaults_are_filled_in() -> None:
    inputs, params = get_task("text-generation").validate(["Hello"], {"max_new_tokens": 5})
    assert inputs == ["Hello"]
    assert params == {
        "max_new_tokens": 5,
        "num_return_sequences": 1,
        "do_sample": None,  # None: the checkpoint's generation config decides (the runner)
        "temperature": None,
        "top_k": None,
        "top_p": None,
        "num_beams": 1,
    }
    _, qa = get_task("question-answering").validate([{"question": "q?", "context": "c"}], None)
    assert qa["max_seq_len"] is None and qa["doc_stride"] is None and qa["top_k"] == 1


def test_empty_and_too_long_texts() -> None:
    assert "empty" in refused("sentiment-analysis", ["   "])
    assert "at least one input" in refused("sentiment-analysis", [])
    assert "2,000" in refused("sentiment-analysis", ["x" * 2001])
    assert "must be text" in refused("ner", [42])
    assert "question" in refused("question-answering", [{"question": "", "context": "text"}])
    assert "must be an object" in refused("question-answering", [{"question": "q", "text": "c"}])
    assert "must be an object" in refused("zero-shot-classification", ["just text"])


def test_fill_mask_needs_exactly_one_mask() -> None:
    assert "Put one [MASK]" in refused("fill-mask", ["No mask here."])
    assert "2 masks" in refused("fill-mask", ["[MASK] and <mask>."])
    inputs, params = get_task("fill-mask").validate(["Paris is the <mask> of France."], {"top_k": 3})
    assert params["top_k"] == 3 and count_masks(inputs[0]) == 1
    assert with_model_mask("a [MASK] b", "<mask>") == "a <mask> b"
    assert with_model_mask("a <mask> b", "[MASK]") == "a [MASK] b"


def test_candidate_labels() -> None:
    task = "zero-shot-classification"
    assert "at least one candidate label" in refused(task, [{"text": "t", "candidate_labels": []}])
    assert "at least one candidate label" in refused(task, [{"text": "t"}])
    assert "appears twice" in refused(task, [{"text": "t", "candidate_labels": ["sport", "Sport "]}])
    assert "at most 10" in refused(task, [{"text": "t", "candidate_labels": [f"l{i}" for i in range(11)]}])
    assert "non-empty" in refused(task, [{"text": "t", "candidate_labels": ["a", ""]}])
    inputs, _ = get_task(task).validate([{"text": "t", "candidate_labels": "sport, politics"}], {})
    assert inputs == [{"text": "t", "candidate_labels": ["sport", "politics"]}]
    for template in ("x", "{} and {}", "{} {name}", "{0} {"):
        message = refused(task, [{"text": "t", "candidate_labels": ["a"]}], {"hypothesis_template": template})
        assert "exactly once" in message
    _, params = get_task(task).validate(
        [{"text": "t", "candidate_labels": ["a"]}], {"hypothesis_template": "{}!"}
    )
    assert params["hypothesis_template"] == "{}!"


def test_parameters_are_checked() -> None:
    assert "Unknown parameter 'beams'" in refused("text-generation", ["Hi"], {"beams": 2})
    assert "allowed parameters: none" in refused("tokenize", ["Hi"], {"top_k": 2})
    assert "between 1 and 100" in refused("text-generation", ["Hi"], {"max_new_tokens": 500})
    assert "between 0.1 and 2" in refused("text-generation", ["Hi"], {"do_sample": True, "temperature": 5})
    assert "whole number" in refused("fill-mask", ["[MASK]"], {"top_k": 2.5})
    assert "whole number" in refused("fill-mask", ["[MASK]"], {"top_k": True})
    assert "true or false" in refused("text-generation", ["Hi"], {"do_sample": "yes"})
    assert "one of simple, none" in refused("ner", ["Hi"], {"aggregation_strategy": "first"})
    two_greedy = {"num_return_sequences": 2, "do_sample": False}
    assert "num_beams of at least 2" in refused("text-generation", ["Hi"], two_greedy)
    assert "smaller than max_seq_len" in refused(
        "question-answering", [{"question": "q", "context": "c"}], {"max_seq_len": 64, "doc_stride": 64}
    )
    assert "min_length (50)" in refused("summarization", ["text"], {"min_length": 50, "max_length": 20})
    assert "an object" in refused("ner", ["Hi"], ["not", "a", "dict"])  # type: ignore[arg-type]


def test_sentiment_top_k_is_v4s() -> None:
    """None (the default) for every label, k for the k best; v4's call parameter."""
    spec = get_task("sentiment-analysis")
    assert spec.validate(["Hi"], {})[1] == {"top_k": None}
    assert spec.validate(["Hi"], {"top_k": None})[1] == {"top_k": None}
    assert spec.validate(["Hi"], {"top_k": 1})[1] == {"top_k": 1}
    assert "between 1 and 50" in refused("sentiment-analysis", ["Hi"], {"top_k": 0})
    assert "whole number" in refused("sentiment-analysis", ["Hi"], {"top_k": "all"})


def test_question_answering_top_k_goes_up_to_20() -> None:
    spec, item = get_task("question-answering"), [{"question": "q?", "context": "c"}]
    assert spec.validate(item, {"top_k": 20, "handle_impossible_answer": True})[1]["top_k"] == 20
    assert "between 1 and 20" in refused("question-answering", item, {"top_k": 21})


@pytest.mark.parametrize("task", ["summarization", "translation"])
def test_seq2seq_takes_the_v4_pipeline_call_parameters(task: str) -> None:
    spec = get_task(task)
    given = {
        "do_sample": True,
        "max_new_tokens": 512,
        "num_beams": 8,
        "num_return_sequences": 4,
        "min_length": 3,
        "max_length": 40,
    }
    assert spec.validate(["Some text."], given)[1] == given
    defaults = spec.validate(["Some text."], {})[1]
    assert defaults == {  # None: the model's (v4 pipeline's) own setting
        "do_sample": None,
        "max_new_tokens": None,
        "num_beams": None,
        "num_return_sequences": 1,
        "min_length": None,
        "max_length": None,
    }
    assert "max_new_tokens must be between 1 and 512" in refused(task, ["t"], {"max_new_tokens": 513})
    assert "num_beams must be between 1 and 8" in refused(task, ["t"], {"num_beams": 0})
    assert "between 1 and 4" in refused(task, ["t"], {"num_return_sequences": 5, "do_sample": True})
    assert "min_length must be between 0 and 200" in refused(task, ["t"], {"min_length": 201})
    assert "true or false" in refused(task, ["t"], {"do_sample": 1})
    assert "min_length (30) cannot be larger than max_length (20)" in refused(
        task, ["t"], {"min_length": 30, "max_length": 20}
    )
    assert "max_new_tokens (10) + 1" in refused(task, ["t"], {"min_length": 12, "max_new_tokens": 10})
    assert spec.validate(["t"], {"min_length": 11, "max_new_tokens": 10})[1]["min_length"] == 11


@pytest.mark.parametrize("task", ["summarization", "translation", "text-generation"])
def test_several_sequences_need_sampling_or_as_many_beams(task: str) -> None:
    """generate refuses more sequences than beams (sampled or not), and several from greedy search:
    refused with a sentence before it runs."""
    spec = get_task(task)
    beam_rule = (
        "num_return_sequences 3 cannot be more than num_beams (2): beam search returns at most one "
        "sequence per beam. Use num_beams of at least 3, or num_beams 1 with do_sample=true."
    )
    for do_sample in (False, True, None):
        params = {"num_return_sequences": 3, "num_beams": 2, "do_sample": do_sample}
        assert refused(task, ["t"], params) == beam_rule
    greedy = {"num_return_sequences": 2, "num_beams": 1, "do_sample": False}
    assert (
        refused(task, ["t"], greedy)
        == "num_return_sequences 2 needs do_sample=true or num_beams of at least 2."
    )
    for fine in (
        {"num_return_sequences": 3, "num_beams": 3, "do_sample": False},
        {"num_return_sequences": 3, "num_beams": 1, "do_sample": True},
        {"num_return_sequences": 3, "num_beams": 1},  # do_sample unset: the runner decides
    ):
        assert spec.validate(["t"], fine)[1]["num_return_sequences"] == 3


def test_sampling_settings_are_kept_for_the_runner_to_apply_or_say_ignored() -> None:
    spec = get_task("text-generation")
    _, unset = spec.validate(["Hi"], {"temperature": 0.5, "top_k": 3})
    assert unset["do_sample"] is None and unset["temperature"] == 0.5 and unset["top_k"] == 3
    _, greedy = spec.validate(["Hi"], {"do_sample": False, "temperature": 0.5})
    assert greedy["temperature"] == 0.5  # the runner leaves it out; the answer says it was ignored
    _, two = spec.validate(["Hi"], {"num_return_sequences": 2})  # the runner samples for them
    assert two["num_return_sequences"] == 2
    _, sampled = spec.validate(["Hi"], {"do_sample": True, "temperature": 0.5, "num_return_sequences": 3})
    assert sampled["temperature"] == 0.5 and sampled["num_return_sequences"] == 3


def test_batch_keys_group_only_identical_settings() -> None:
    spec = get_task("text-generation")
    _, a = spec.validate(["a"], {"max_new_tokens": 10})
    _, b = spec.validate(["b"], {"max_new_tokens": 10})
    _, c = spec.validate(["c"], {"max_new_tokens": 11})
    assert spec.batch_key(a) == spec.batch_key(b) != spec.batch_key(c)
    assert spec.batch_key({}) == spec.batch_key(spec.defaults())
    hash(spec.batch_key(a))
    zero_shot = get_task("zero-shot-classification")
    assert zero_shot.batch_key({"multi_label": True}) != zero_shot.batch_key({"multi_label": False})


def test_costs_count_tokens_pairs_and_windows(runner_for: Callable[[str], BaseRunner]) -> None:
    sentiment = runner_for("sentiment-analysis").tokenizer
    short = get_task("sentiment-analysis").cost(sentiment, "I love this course.", {})
    longer = get_task("sentiment-analysis").cost(sentiment, "I love this course. " * 10, {})
    assert 4 < short < longer

    nli = runner_for("zero-shot-classification").tokenizer
    spec = get_task("zero-shot-classification")
    two = spec.cost(nli, {"text": "I love this course.", "candidate_labels": ["a", "b"]}, {})
    four = spec.cost(nli, {"text": "I love this course.", "candidate_labels": ["a", "b", "c", "d"]}, {})
    assert four == 2 * two

    qa = runner_for("question-answering").tokenizer
    spec = get_task("question-answering")
    item = {"question": "Where?", "context": "The library has thousands of books. " * 60}
    one_window = spec.cost(qa, {"question": "Where?", "context": "At home."}, {})
    many_windows = spec.cost(qa, item, {"max_seq_len": 64, "doc_stride": 16})
    encoded = qa(
        item["question"],
        item["context"],
        truncation="only_second",
        max_length=64,
        stride=16,
        return_overflowing_tokens=True,
    )
    assert many_windows == len(encoded["input_ids"]) * 64
    assert one_window < 64

    gpt2 = runner_for("text-generation").tokenizer
    spec = get_task("text-generation")
    single = spec.cost(gpt2, "Hello there", {"max_new_tokens": 10})
    beams = spec.cost(gpt2, "Hello there", {"max_new_tokens": 10, "num_beams": 3})
    assert beams == 3 * single

    marian = runner_for("translation").tokenizer
    spec = get_task("translation")
    text = "Le chat dort sur le canapé."
    plain = spec.cost(marian, text, {"max_new_tokens": 10})
    wide = spec.cost(marian, text, {"max_new_tokens": 10, "num_beams": 4})
    several = spec.cost(marian, text, {"max_new_tokens": 10, "num_beams": 4, "num_return_sequences": 4})
    assert wide - plain == 3 * 10 and several == wide  # the input once, the output per beam
    sampled = spec.cost(marian, text, {"max_new_tokens": 10, "do_sample": True, "num_return_sequences": 3})
    assert sampled - plain == 2 * 10
    assert spec.cost(marian, text, {"max_length": 20}) - spec.cost(marian, text, {"max_new_tokens": 10}) == 10


def test_each_task_has_its_own_timeout_scaled_by_the_setting() -> None:
    from bot.inference.jobs import HANG_GRACE_S, JobQueue
    from bot.inference.metrics import PoolMetrics
    from bot.settings import load_settings

    def queue(scale: str) -> JobQueue:
        settings = load_settings({"TIMEOUT_SCALE": scale}, dotenv_path=None)
        return JobQueue(settings, PoolMetrics(), wake=lambda: None)

    plain, doubled = queue("1"), queue("2")
    assert plain.timeout_for("text-generation") > plain.timeout_for("sentiment-analysis")
    assert plain.timeout_for("tokenize") < plain.timeout_for("sentiment-analysis")
    for task, spec in TASKS.items():
        assert plain.timeout_for(task) == spec.timeout_s
        assert doubled.timeout_for(task) == 2 * spec.timeout_s
    assert doubled.hang_grace_s == 2 * HANG_GRACE_S
