"""Every task's runner on the tiny models: schemas, batching, QA spans and refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.inference.runners import RUNNER_TYPES, BaseRunner, Runner
from bot.inference.tasks import InvalidRequestError, get_task

RunnerFor = Callable[[str], BaseRunner]

LONG_CONTEXT = " ".join(
    [
        "The study group meets every Thursday evening to read a chapter of the course together.",
        "Paris is the capital of France and a very beautiful city.",
        "The museum opens at nine and closes at six in the evening.",
        "Marie Curie won two Nobel prizes for her work in science.",
        "The river flows through the old town and under three stone bridges.",
    ]
    * 12
)


def run(
    runner_for: RunnerFor, task: str, inputs: list[Any], params: dict[str, Any] | None = None
) -> list[Any]:
    """Validate like the bot does, then run; results must be plain JSON values."""
    checked_inputs, checked_params = get_task(task).validate(inputs, params or {})
    results = runner_for(task).run(checked_inputs, checked_params)
    assert len(results) == len(inputs)
    assert json.loads(json.dumps(results)) == results
    return results


def one_by_one(
    runner_for: RunnerFor, task: str, inputs: list[Any], params: dict[str, Any] | None = None
) -> list:
    return [run(runner_for, task, [item], params)[0] for item in inputs]


def assert_close(batched: Any, single: Any) -> None:
    """Batched and one-by-one results: same structure and strings, scores within 1e-4."""
    if isinstance(single, float):
        assert batched == pytest.approx(single, abs=1e-4)
    elif isinstance(single, dict):
        assert set(batched) == set(single)
        for key in single:
            assert_close(batched[key], single[key])
    elif isinstance(single, list):
        assert len(batched) == len(single)
        for got, want in zip(batched, single, strict=True):
            assert_close(got, want)
    else:
        assert batched == single


def test_every_task_has_a_runner_satisfying_the_protocol(runner_for: RunnerFor) -> None:
    assert set(RUNNER_TYPES) == set(get_task(name).name for name in RUNNER_TYPES)
    for task in RUNNER_TYPES:
        runner = runner_for(task)
        assert isinstance(runner, Runner)
        assert runner.task == task
        assert runner.is_tiny, f"{task} outputs must be labelled as coming from a tiny model"
        assert runner.run([], {}) == []


def test_sentiment_gives_every_label_best_first(runner_for: RunnerFor) -> None:
    texts = ["I love this course.", "The food was terrible and the service was slow.", "Bad."]
    results = run(runner_for, "sentiment-analysis", texts)
    for scores in results:
        assert [set(score) for score in scores] == [{"label", "score"}] * 2
        assert {score["label"] for score in scores} == {"NEGATIVE", "POSITIVE"}
        assert scores[0]["score"] >= scores[1]["score"]
        assert sum(score["score"] for score in scores) == pytest.approx(1.0, abs=1e-5)
    assert_close(results, one_by_one(runner_for, "sentiment-analysis", texts))


def test_sentiment_top_k_keeps_the_best_labels(runner_for: RunnerFor) -> None:
    texts = ["I love this course.", "The food was terrible and the service was slow."]
    every = run(runner_for, "sentiment-analysis", texts, {"top_k": None})
    best = run(runner_for, "sentiment-analysis", texts, {"top_k": 1})
    assert best == [scores[:1] for scores in every] and {len(scores) for scores in every} == {2}
    assert run(runner_for, "sentiment-analysis", texts, {"top_k": 50}) == every
    assert best == one_by_one(runner_for, "sentiment-analysis", texts, {"top_k": 1})


def test_zero_shot_scores_each_items_own_labels(runner_for: RunnerFor) -> None:
    items = [
        {
            "text": "This is a course about the Transformers library",
            "candidate_labels": ["education", "politics"],
        },
        {"text": "The weather is lovely today.", "candidate_labels": ["weather", "sport", "cooking"]},
        {"text": "We ate dinner with friends.", "candidate_labels": ["education", "politics"]},
    ]
    results = run(runner_for, "zero-shot-classification", items)
    for item, result in zip(items, results, strict=True):
        assert result["sequence"] == item["text"]
        assert sorted(result["labels"]) == sorted(item["candidate_labels"])
        assert result["scores"] == sorted(result["scores"], reverse=True)
        assert sum(result["scores"]) == pytest.approx(1.0, abs=1e-5)
    assert_close(results, one_by_one(runner_for, "zero-shot-classification", items))
    multi = run(runner_for, "zero-shot-classification", items[1:2], {"multi_label": True})[0]
    assert all(0 < score < 1 for score in multi["scores"])
    assert sum(multi["scores"]) != pytest.approx(1.0, abs=1e-3)


def test_generation_batches_left_padded_prompts_like_single_ones(runner_for: RunnerFor) -> None:
    prompts = ["In this course, we will teach you how to", "Hello", "The weather is lovely today, so we"]
    params = {"max_new_tokens": 12, "do_sample": False}
    results = run(runner_for, "text-generation", prompts, params)
    for prompt, sequences in zip(prompts, results, strict=True):
        assert len(sequences) == 1 and set(sequences[0]) == {"generated_text"}
        assert sequences[0]["generated_text"].startswith(prompt)
        assert len(sequences[0]["generated_text"]) > len(prompt)
    assert results == one_by_one(runner_for, "text-generation", prompts, params)


def test_generation_returns_several_sequences(runner_for: RunnerFor) -> None:
    beams = run(
        runner_for, "text-generation", ["The weather is"], {"num_beams": 3, "num_return_sequences": 3}
    )
    assert len(beams[0]) == 3 and len({item["generated_text"] for item in beams[0]}) == 3
    sampled = run(
        runner_for,
        "text-generation",
        ["The weather is", "Hello"],
        {"do_sample": True, "num_return_sequences": 2, "temperature": 0.7, "top_k": 20, "max_new_tokens": 5},
    )
    assert [len(sequences) for sequences in sampled] == [2, 2]


def test_generation_refuses_prompts_that_overflow_the_positions(runner_for: RunnerFor) -> None:
    runner = runner_for("text-generation")
    with pytest.raises(InvalidRequestError, match="new tokens"):
        runner.run(["word " * 1000], {"max_new_tokens": 100})


def test_fill_mask_accepts_either_placeholder(runner_for: RunnerFor) -> None:
    texts = ["This course will teach you all about <mask> models.", "Paris is the [MASK] of France."]
    results = run(runner_for, "fill-mask", texts, {"top_k": 4})
    mask = runner_for("fill-mask").tokenizer.mask_token
    for text, guesses in zip(texts, results, strict=True):
        assert len(guesses) == 4
        assert [set(guess) for guess in guesses] == [{"score", "token", "token_str", "sequence"}] * 4
        assert [guess["score"] for guess in guesses] == sorted(
            (guess["score"] for guess in guesses), reverse=True
        )
        before = text.replace("[MASK]", mask).split(mask)[0]
        assert all(guess["sequence"].startswith(before.rstrip()) for guess in guesses)
    assert_close(results, one_by_one(runner_for, "fill-mask", texts, {"top_k": 4}))
    single = run(runner_for, "fill-mask", texts[:1], {"top_k": 1})
    assert len(single[0]) == 1


def test_ner_groups_entities_or_shows_pieces(runner_for: RunnerFor) -> None:
    texts = [
        "My name is Sylvain and I work at Hugging Face in Brooklyn.",
        "Marie Curie won two Nobel prizes.",
    ]
    grouped = run(runner_for, "ner", texts, {"aggregation_strategy": "simple"})
    pieces = run(runner_for, "ner", texts, {"aggregation_strategy": "none"})
    for text, entities in zip(texts, grouped, strict=True):
        for entity in entities:
            assert set(entity) == {"entity_group", "score", "word", "start", "end"}
            assert entity["entity_group"] in {"PER", "ORG", "LOC", "MISC"}
            assert 0 <= entity["start"] < entity["end"] <= len(text)
    for entities in pieces:
        for entity in entities:
            assert set(entity) == {"entity", "score", "index", "word", "start", "end"}
            assert entity["entity"] != "O"
    assert any(entity["word"].startswith("##") for entities in pieces for entity in entities)
    assert_close(grouped, one_by_one(runner_for, "ner", texts))


def test_ner_refuses_texts_longer_than_the_model_reads(runner_for: RunnerFor) -> None:
    with pytest.raises(InvalidRequestError, match="reads at most 512"):
        runner_for("ner").run(["! " * 600], {})


def test_tokenize_shows_what_the_tokenizer_does(runner_for: RunnerFor) -> None:
    (result,) = run(runner_for, "tokenize", ["Using a Transformer network is simple"])
    assert result["tokens"][0] == "[CLS]" and result["tokens"][-1] == "[SEP]"
    assert len(result["tokens"]) == len(result["input_ids"]) == len(result["attention_mask"])
    assert result["token_type_ids"] == [0] * len(result["input_ids"])
    assert result["decoded"].startswith("[CLS] ") and result["decoded"].endswith(" [SEP]")
    assert result["vocab_size"] == len(runner_for("tokenize").tokenizer)
    assert result["model_max_length"] == 512
    assert result["tokenizer_class"] == "BertTokenizer"
    assert "##ing" in result["tokens"]


def test_tokenize_omits_token_type_ids_when_the_tokenizer_has_none(tiny_paths) -> None:
    from bot.inference.loading import load_runner

    runner = load_runner("tokenize", str(tiny_paths["text-generation"]))
    (result,) = runner.run(["Hello world"], {})
    assert "token_type_ids" not in result
    assert result["tokenizer_class"] == "GPT2Tokenizer"
    assert runner.is_tiny


@pytest.mark.parametrize("task", ["summarization", "translation"])
def test_seq2seq_schema_and_batching(runner_for: RunnerFor, task: str) -> None:
    texts = (
        [
            "Paris est la capitale de la France.",
            "Le chat dort.",
            "Nous avons appris comment un tokenizer découpe.",
        ]
        if task == "translation"
        else [
            "The study group meets every Thursday.",
            "Paris is the capital of France and a very beautiful city.",
        ]
    )
    key = "translation_text" if task == "translation" else "summary_text"
    results = run(runner_for, task, texts)
    assert all(set(result) == {key} and isinstance(result[key], str) for result in results)
    assert results == one_by_one(runner_for, task, texts)


@pytest.mark.parametrize("task", ["summarization", "translation"])
def test_seq2seq_returns_several_sequences_per_input(runner_for: RunnerFor, task: str) -> None:
    key = "translation_text" if task == "translation" else "summary_text"
    texts = ["Paris est la capitale de la France.", "Le chat dort sur le canapé près de la fenêtre."]
    params = {"num_beams": 3, "num_return_sequences": 2, "do_sample": False}
    results = run(runner_for, task, texts, params)
    assert [len(sequences) for sequences in results] == [2, 2]
    assert all(set(result) == {key} for sequences in results for result in sequences)
    assert results == one_by_one(runner_for, task, texts, params)
    best = run(runner_for, task, texts, {"num_beams": 3, "num_return_sequences": 1})
    assert [sequences[0] for sequences in results] == best  # the best beam comes first


@pytest.mark.parametrize("task", ["summarization", "translation"])
def test_seq2seq_refuses_more_sequences_than_the_models_beams(runner_for: RunnerFor, task: str) -> None:
    """A request without num_beams gets the model's (v4 pipeline's) beams: checked per item."""
    runner = runner_for(task)
    beams = runner.generation_config(get_task(task).defaults()).num_beams
    assert beams > 1  # v4's pipeline default is 4 beams
    with pytest.raises(InvalidRequestError) as raised:
        runner.check("Bonjour.", {"num_return_sequences": beams + 1})
    assert str(raised.value).startswith(
        f"num_return_sequences {beams + 1} cannot be more than num_beams ({beams}, this model's default)"
    )
    with pytest.raises(InvalidRequestError, match=r"needs do_sample=true or num_beams of at least 2\.$"):
        runner.run(["Bonjour."], {"num_return_sequences": 2, "num_beams": 1})  # the model does not sample
    runner.check("Bonjour.", {"num_return_sequences": beams + 1, "num_beams": 1, "do_sample": True})


def test_seq2seq_max_new_tokens_wins_over_max_length(runner_for: RunnerFor) -> None:
    """As v4's generate: both given, max_new_tokens counts (v4 warned)."""
    runner = runner_for("translation")
    spec = get_task("translation")
    config = runner.generation_config(spec.with_defaults({"max_new_tokens": 7, "max_length": 30}))
    assert config.max_length == 8
    config = runner.generation_config(spec.with_defaults({"max_new_tokens": 600}))
    assert config.max_length == 513  # capped at SEQ2SEQ_MAX_NEW_TOKENS
    greedy = runner.generation_config(spec.with_defaults({"num_beams": 1, "do_sample": False}))
    assert (greedy.num_beams, greedy.do_sample) == (1, False)


def test_summarization_honours_the_members_max_length(runner_for: RunnerFor) -> None:
    runner = runner_for("summarization")
    tokenizer = runner.tokenizer
    text = ["Batching several inputs together makes the computation faster."]
    short = run(runner_for, "summarization", text, {"max_length": 6, "min_length": 2})[0]["summary_text"]
    default = run(runner_for, "summarization", text)[0]["summary_text"]
    assert len(tokenizer(short, add_special_tokens=False)["input_ids"]) <= 6
    assert len(default) > len(short)
    config = runner.generation_config(get_task("summarization").with_defaults({"max_length": 6}))
    assert config.max_length == 6 and config.max_new_tokens is None


def test_seq2seq_truncates_over_long_inputs_and_caps_new_tokens(runner_for: RunnerFor) -> None:
    runner = runner_for("translation")
    (result, short) = runner.run(["Le chat dort sur le canapé. " * 200, "Le chat dort."], {})
    assert result["translation_text"]
    limit = runner.max_input_tokens()  # a truncated input says how much of it the model read
    assert result["truncated"]["kept_tokens"] == limit < result["truncated"]["input_tokens"]
    assert "truncated" not in short
    config = runner.generation_config({"max_length": None})
    assert config.max_length == 48 and config.num_beams == 4  # v4: the pipeline's num_beams won


# --- question answering ------------------------------------------------------------------------


def assert_answer_spans(result: Any, context: str) -> list[dict[str, Any]]:
    answers = result if isinstance(result, list) else [result]
    for answer in answers:
        assert set(answer) == {"score", "start", "end", "answer"}
        assert answer["answer"] == context[answer["start"] : answer["end"]]
        assert isinstance(answer["start"], int) and isinstance(answer["end"], int)
    return answers


def test_qa_answers_are_spans_of_the_context(runner_for: RunnerFor) -> None:
    items = [
        {
            "question": "Where do I work?",
            "context": "My name is Sylvain and I work at Hugging Face in Brooklyn.",
        },
        {"question": "Who won two Nobel prizes?", "context": LONG_CONTEXT},
        {"question": "Quand?", "context": "Le groupe d'étude se réunit chaque jeudi soir, à Lyon."},
    ]
    results = run(runner_for, "question-answering", items)
    for item, result in zip(items, results, strict=True):
        assert isinstance(result, dict)
        (answer,) = assert_answer_spans(result, item["context"])
        assert answer["answer"] and 0 < answer["score"] <= 1
    assert_close(results, one_by_one(runner_for, "question-answering", items))


def test_qa_long_context_uses_several_windows(runner_for: RunnerFor) -> None:
    """The answer is in the last of several windows only: the runner reads every window."""
    runner = runner_for("question-answering")
    sentences = [sentence for sentence in LONG_CONTEXT.split(". ") if "Curie" not in sentence]
    context = ". ".join(sentences) + ". My name is Oluwaseun and I work at Copperleaf Analytics in Tromsø."
    item = {"question": "Where do I work?", "context": context}
    windows = runner.tokenizer(
        item["question"],
        item["context"],
        truncation="only_second",
        max_length=384,
        stride=128,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    assert len(windows["input_ids"]) >= 3
    first_window_end = max(
        end
        for (_, end), kind in zip(windows["offset_mapping"][0], windows.sequence_ids(0), strict=True)
        if kind == 1
    )
    assert first_window_end < context.index("My name is")
    answers = assert_answer_spans(run(runner_for, "question-answering", [item], {"top_k": 5})[0], context)
    assert len(answers) == 5
    assert [answer["score"] for answer in answers] == sorted(
        (answer["score"] for answer in answers), reverse=True
    )
    assert len({answer["answer"].lower() for answer in answers}) == 5  # equal answers were merged
    assert answers[0]["answer"] == "Copperleaf Analytics", answers
    small = run(runner_for, "question-answering", [item], {"top_k": 5, "max_seq_len": 48, "doc_stride": 8})[0]
    assert len(assert_answer_spans(small, context)) == 5  # tiny windows: spans still point into the context


def test_qa_impossible_answer(runner_for: RunnerFor) -> None:
    # The trained offline model is sure of its answer on sentences like its own: a context with
    # nothing to answer leaves room for the empty answer among the top three.
    context = "Hello."
    item = {"question": "Who?", "context": context}
    answers = assert_answer_spans(
        run(runner_for, "question-answering", [item], {"handle_impossible_answer": True, "top_k": 3})[0],
        context,
    )
    empty = [answer for answer in answers if answer["answer"] == ""]
    assert len(empty) == 1 and empty[0]["start"] == empty[0]["end"] == 0 and empty[0]["score"] > 0
    without = assert_answer_spans(run(runner_for, "question-answering", [item], {"top_k": 3})[0], context)
    assert len(without) == 3 and all(answer["answer"] for answer in without)


def test_qa_max_answer_len_and_word_alignment(runner_for: RunnerFor) -> None:
    runner = runner_for("question-answering")
    context = "Transformers are language models trained on large amounts of raw text."
    item = {"question": "What are they?", "context": context}
    short = assert_answer_spans(
        run(runner_for, "question-answering", [item], {"max_answer_len": 1, "top_k": 5})[0], context
    )
    for answer in short:
        assert " " not in answer["answer"].strip()
    pieces = assert_answer_spans(
        run(runner_for, "question-answering", [item], {"align_to_words": False, "top_k": 5})[0], context
    )
    words = set(context.replace(".", " ").split())
    assert any(answer["answer"].split()[0] not in words for answer in pieces if answer["answer"]) or all(
        answer["answer"] in context for answer in pieces
    )
    assert runner.tokenizer.is_fast


@pytest.mark.parametrize(
    ("params", "question", "message"),
    [
        (
            {"max_seq_len": 64, "doc_stride": 60},
            "What does the study group do every Thursday evening?",
            "too large",
        ),
        ({"max_seq_len": 32, "doc_stride": 8}, " ".join(["Which"] * 40) + "?", "no room for the context"),
        ({"max_seq_len": 32, "doc_stride": 30}, "Where?", "minus the model's 3 special tokens"),
        ({"max_seq_len": 512, "doc_stride": 128}, "Where?", None),
    ],
)
def test_qa_window_settings_the_tokenizer_cannot_honour_are_refused(
    runner_for: RunnerFor, params: dict[str, int], question: str, message: str | None
) -> None:
    """Checked before the Rust tokenizer runs: it would panic with a BaseException."""
    runner = runner_for("question-answering")
    item = {"question": question, "context": LONG_CONTEXT}
    full = get_task("question-answering").with_defaults(params)
    if message is None:
        runner.check(item, full)
        return
    with pytest.raises(InvalidRequestError, match=message):
        runner.check(item, full)
    with pytest.raises(InvalidRequestError, match=message):
        runner.run([item], full)


def test_qa_refuses_windows_longer_than_the_model(runner_for: RunnerFor, tiny_paths) -> None:
    runner = runner_for("question-answering")
    runner.tokenizer.model_max_length = 256
    try:
        with pytest.raises(InvalidRequestError, match="larger than this model reads"):
            runner.run([{"question": "Where?", "context": "Here."}], {"max_seq_len": 384})
    finally:
        runner.tokenizer.model_max_length = 512


def test_the_rust_tokenizer_panics_without_the_check(runner_for: RunnerFor, monkeypatch) -> None:
    """Why the check exists: the panic is a BaseException that ``except Exception`` lets through."""
    monkeypatch.setenv("RUST_BACKTRACE", "0")
    tokenizer = runner_for("question-answering").tokenizer
    question = "What does the study group do every Thursday evening?"
    with pytest.raises(BaseException) as raised:
        tokenizer(
            question,
            LONG_CONTEXT,
            truncation="only_second",
            max_length=64,
            stride=60,
            return_overflowing_tokens=True,
        )
    assert not isinstance(raised.value, Exception)
