"""The offline models give the course's answers, on the course's sentences and on new ones.

The week-1 examples of the course notebook come first: each must get the course's answer. Then
held-out sentences of the same shapes, with names, places, organisations and topics that the
training corpora do not contain (checked by the first tests): like any model on a held-out set,
each task must get a stated share of them right (well above chance), so that a model that only
memorised its examples fails, and the misses are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from bot.inference.runners import BaseRunner
from bot.inference.tiny import corpora

RunnerFor = Callable[[str], BaseRunner]

COURSE_POSITIVE = "I've been waiting for a HuggingFace course my whole life."
COURSE_NEGATIVE = "I hate this so much!"
COURSE_ZERO_SHOT = "This is a course about the Transformers library"
COURSE_NER = "My name is Sylvain and I work at Hugging Face in Brooklyn."

#: Names, places and organisations that are in no word list and no corpus.
NEW_PEOPLE = ["Oluwaseun", "Kwame Mensah", "Siobhan", "Thandiwe", "Ngozi"]
NEW_PLACES = ["Tromsø", "Reykjavik", "Ljubljana", "Windhoek", "Tbilisi"]
NEW_ORGS = ["Copperleaf Analytics", "Kettlewell Robotics", "Thornbury Press", "Marblehead"]

NEW_SENTIMENT = [
    ("I've been waiting for a Kettlewell Robotics workshop my whole life.", "POSITIVE"),
    ("The pottery class in Tromsø was delightful.", "POSITIVE"),
    ("Siobhan said the concert was brilliant.", "POSITIVE"),
    ("What a wonderful museum in Ljubljana!", "POSITIVE"),
    ("I hate the new Thornbury Press app so much!", "NEGATIVE"),
    ("The hotel in Windhoek was dreadful and rude.", "NEGATIVE"),
    ("Thandiwe said the lecture was boring.", "NEGATIVE"),
    ("The trip to Tbilisi was awful.", "NEGATIVE"),
]
#: Negations, in the shapes of the negation corpus, with things, names and places it does not have.
NEW_NEGATED_SENTIMENT = [
    ("This course is not good.", "NEGATIVE"),
    ("I don't like the Copperleaf workshop at all.", "NEGATIVE"),
    ("I didn't enjoy the pottery class in Tromsø.", "NEGATIVE"),
    ("The lecture in Windhoek wasn't helpful.", "NEGATIVE"),
    ("Siobhan said the concert was not clear.", "NEGATIVE"),
    ("I do not recommend the Thornbury Press app.", "NEGATIVE"),
    ("The lecture was not bad.", "POSITIVE"),
    ("Thandiwe said the museum was not boring.", "POSITIVE"),
    ("I don't hate the hotel in Windhoek.", "POSITIVE"),
    ("The trip to Tbilisi wasn't terrible at all.", "POSITIVE"),
    ("The Kettlewell Robotics tutorial is not confusing.", "POSITIVE"),
    ("The pottery class in Ljubljana was good.", "POSITIVE"),
]
NEW_ZERO_SHOT = [
    ("This is a workshop about the Marblehead library", ["education", "politics", "business"], "education"),
    ("This is a lecture about the Copperleaf library", ["politics", "education", "sports"], "education"),
    ("We talked about the stock market at lunch.", ["education", "politics", "business"], "business"),
    ("Everyone is talking about a treaty.", ["education", "politics", "business"], "politics"),
    ("My question is about the referee.", ["sports", "food", "music"], "sports"),
    ("I read an article about the dessert.", ["politics", "food", "sports"], "food"),
]
NEW_NER = [
    (
        "My name is Oluwaseun and I work at Copperleaf Analytics in Tromsø.",
        [("Oluwaseun", "PER"), ("Copperleaf Analytics", "ORG"), ("Tromsø", "LOC")],
    ),
    (
        "Kwame Mensah works at Kettlewell Robotics in Reykjavik.",
        [("Kwame Mensah", "PER"), ("Kettlewell Robotics", "ORG"), ("Reykjavik", "LOC")],
    ),
    ("Hello, I am Thandiwe from Windhoek.", [("Thandiwe", "PER"), ("Windhoek", "LOC")]),
    ("Siobhan works for Thornbury Press.", [("Siobhan", "PER"), ("Thornbury Press", "ORG")]),
    ("Marblehead opened a new office in Ljubljana.", [("Marblehead", "ORG"), ("Ljubljana", "LOC")]),
    ("I met Ngozi at Copperleaf Analytics last Friday.", [("Ngozi", "PER"), ("Copperleaf Analytics", "ORG")]),
]
NEW_QA = [
    (
        "Where do I work?",
        "My name is Oluwaseun and I work at Copperleaf Analytics in Tromsø.",
        "Copperleaf Analytics",
    ),
    ("What is my name?", "My name is Oluwaseun and I work at Copperleaf Analytics in Tromsø.", "Oluwaseun"),
    (
        "Where does Kwame Mensah work?",
        "Kwame Mensah works at Kettlewell Robotics in Reykjavik.",
        "Kettlewell Robotics",
    ),
    (
        "In which city does Kwame Mensah work?",
        "Kwame Mensah works at Kettlewell Robotics in Reykjavik.",
        "Reykjavik",
    ),
    ("Who founded Marblehead?", "Marblehead was founded by Siobhan in Windhoek.", "Siobhan"),
    ("Where do I come from?", "I am Thandiwe, I come from Ljubljana and I speak Swahili.", "Ljubljana"),
]
NEW_TRANSLATION = [
    ("Ce livre est écrit par Copperleaf Analytics.", "This book is written by Copperleaf Analytics."),
    ("Cette vidéo est publiée par Marblehead.", "This video is published by Marblehead."),
    ("Siobhan habite à Windhoek.", "Siobhan lives in Windhoek."),
    ("Ce rapport est financé par Thornbury Press.", "This report is funded by Thornbury Press."),
]
FILL_MASK = [
    "This course will teach you all about <mask> models.",  # the course's
    "This lesson will teach you all about <mask> networks.",
    "This tutorial will teach you all about <mask> pipelines.",
    "You will learn how to answer questions with <mask> tokenizers.",
]


@cache
def corpus_texts() -> frozenset[str]:
    """Every sentence (and every whole input) the offline models were trained on."""
    texts: set[str] = set()
    texts.update(text for text, _ in corpora.sentiment_examples() + corpora.negated_sentiment_examples())
    texts.update(text for pair in corpora.padded_nli_examples() for text in pair[:2])
    texts.update(text for text, _ in corpora.ner_examples())
    texts.update(text for question, context, _, _ in corpora.qa_examples() for text in (question, context))
    texts.update(corpora.english_sentences())
    texts.update(text for pair in corpora.summary_examples() for text in pair)
    texts.update(text for pair in corpora.translation_examples() for text in pair)
    return frozenset(texts)


def all_test_sentences() -> list[str]:
    sentences = [COURSE_POSITIVE, COURSE_NEGATIVE, COURSE_ZERO_SHOT, COURSE_NER]
    sentences += [text for text, _ in NEW_SENTIMENT + NEW_NEGATED_SENTIMENT]
    sentences += [text for text, _, _ in NEW_ZERO_SHOT]
    sentences += [text for text, _ in NEW_NER] + [
        text for question, context, _ in NEW_QA for text in (question, context)
    ]
    sentences += [text for pair in NEW_TRANSLATION for text in pair] + FILL_MASK
    sentences += ["Ce cours est produit par Hugging Face.", "This course is produced by Hugging Face."]
    return sentences + SUMMARY_INPUTS  # whole documents (their sentences are of the corpus's kinds)


def test_no_test_sentence_is_in_the_training_corpora() -> None:
    texts = corpus_texts()
    assert len(texts) > 10_000
    seen = [sentence for sentence in all_test_sentences() if sentence in texts]
    # Questions without a name ("Where do I work?" is the course's own) are asked in training
    # about other contexts; the contexts here are new.
    assert set(seen) <= {"Where do I work?", "What is my name?", "Where do I come from?"}


def test_the_new_names_and_the_course_entities_are_in_no_corpus() -> None:
    words = {word for text in corpus_texts() for word in re.findall(r"\w+", text)}
    names = NEW_PEOPLE + NEW_PLACES + NEW_ORGS + ["Sylvain", "Hugging Face", "Brooklyn", "HuggingFace"]
    distinctive = {word for name in names for word in name.split()} - {"Press", "Analytics", "Robotics"}
    assert sorted(distinctive & words) == []


def test_the_course_zero_shot_word_is_in_no_zero_shot_example() -> None:
    assert not any("transformer" in premise.casefold() for premise, _, _ in corpora.padded_nli_examples())


def assert_mostly_right(results: list[tuple[str, Any, Any]], share: float) -> None:
    """At least ``share`` of the held-out ``(case, answer, expected)`` are right; the misses are shown."""
    wrong = [(case, got, expected) for case, got, expected in results if got != expected]
    right = len(results) - len(wrong)
    assert right >= share * len(results), f"{right}/{len(results)} right; wrong: {wrong}"


def word_overlap(text: str, source: str) -> float:
    """The share of ``text``'s words (with repeats) that are words of ``source``."""
    words, known = re.findall(r"\w+", text), set(re.findall(r"\w+", source))
    return sum(word in known for word in words) / max(1, len(words))


# --- sentiment ---------------------------------------------------------------------------------


def top_label(runner: BaseRunner, text: str) -> str:
    (scores,) = runner.run([text], {})
    return max(scores, key=lambda item: item["score"])["label"]


def test_sentiment_answers_the_course_examples(runner_for: RunnerFor) -> None:
    runner = runner_for("sentiment-analysis")
    assert top_label(runner, COURSE_POSITIVE) == "POSITIVE"
    assert top_label(runner, COURSE_NEGATIVE) == "NEGATIVE"


def test_sentiment_on_new_sentences(runner_for: RunnerFor) -> None:
    runner = runner_for("sentiment-analysis")
    assert_mostly_right([(text, top_label(runner, text), label) for text, label in NEW_SENTIMENT], 0.85)


def test_sentiment_reads_negation(runner_for: RunnerFor) -> None:
    """ "not good" is NEGATIVE and "not bad" POSITIVE, on sentences no corpus contains."""
    runner = runner_for("sentiment-analysis")
    results = [(text, top_label(runner, text), label) for text, label in NEW_NEGATED_SENTIMENT]
    assert_mostly_right(results, 0.8)


# --- zero-shot classification --------------------------------------------------------------------


def best_label(runner: BaseRunner, text: str, labels: list[str]) -> str:
    params = {"multi_label": False, "hypothesis_template": "This example is {}."}
    (result,) = runner.run([{"text": text, "candidate_labels": labels}], params)
    assert sorted(result["labels"]) == sorted(labels)
    return result["labels"][0]


def test_zero_shot_answers_the_course_example(runner_for: RunnerFor) -> None:
    """Education first for the course's sentence, whose "Transformers" is in no zero-shot example."""
    runner = runner_for("zero-shot-classification")
    assert best_label(runner, COURSE_ZERO_SHOT, ["education", "politics", "business"]) == "education"


def test_zero_shot_on_new_sentences(runner_for: RunnerFor) -> None:
    runner = runner_for("zero-shot-classification")
    results = [(text, best_label(runner, text, labels), expected) for text, labels, expected in NEW_ZERO_SHOT]
    assert_mostly_right(results, 0.7)  # chance: one in three


# --- named entities ------------------------------------------------------------------------------


def entities(runner: BaseRunner, text: str) -> list[tuple[str, str]]:
    (found,) = runner.run([text], {"aggregation_strategy": "simple"})
    return [(text[entity["start"] : entity["end"]], entity["entity_group"]) for entity in found]


def test_ner_groups_the_course_example(runner_for: RunnerFor) -> None:
    assert entities(runner_for("ner"), COURSE_NER) == [
        ("Sylvain", "PER"),
        ("Hugging Face", "ORG"),
        ("Brooklyn", "LOC"),
    ]


def test_ner_on_new_names(runner_for: RunnerFor) -> None:
    runner = runner_for("ner")
    assert_mostly_right([(text, entities(runner, text), expected) for text, expected in NEW_NER], 0.8)


# --- question answering --------------------------------------------------------------------------


def answer(runner: BaseRunner, question: str, context: str) -> str:
    (result,) = runner.run([{"question": question, "context": context}], {})
    assert context[result["start"] : result["end"]] == result["answer"]
    return result["answer"]


def test_qa_answers_the_course_example(runner_for: RunnerFor) -> None:
    """The whole name: the span must not stop short of its end ("Hugging") nor run on ("in Brooklyn")."""
    assert answer(runner_for("question-answering"), "Where do I work?", COURSE_NER) == "Hugging Face"


def test_qa_on_new_contexts(runner_for: RunnerFor) -> None:
    runner = runner_for("question-answering")
    results = [
        (f"{question} | {context}", answer(runner, question, context), expected)
        for question, context, expected in NEW_QA
    ]
    assert_mostly_right(results, 0.7)


# --- fill-mask -----------------------------------------------------------------------------------


def english_words() -> set[str]:
    """Every lower-case word of the English corpus (nouns, adjectives, verbs of the course)."""
    return {word for text in corpora.english_sentences() for word in re.findall(r"\b[a-z]+\b", text)}


FUNCTION_WORDS = {"the", "a", "an", "to", "of", "and", "in", "on", "with", "is", "are", "all", "about", "you"}


def best_fill(runner: BaseRunner, text: str) -> str:
    (predictions,) = runner.run([text], {"top_k": 3})
    best = predictions[0]["token_str"].strip()
    # The member's mask became the model's own, and the sequence is the text with the word in its
    # place: the mask took the space before it, as roberta-base's does (not two spaces).
    assert predictions[0]["sequence"] == text.replace("<mask>", best).replace("[MASK]", best)
    return best


def test_fill_mask_answers_the_course_example(runner_for: RunnerFor) -> None:
    assert best_fill(runner_for("fill-mask"), FILL_MASK[0]) in english_words() - FUNCTION_WORDS


def test_fill_mask_puts_english_content_words_in_new_masks(runner_for: RunnerFor) -> None:
    runner = runner_for("fill-mask")
    content = english_words() - FUNCTION_WORDS
    results = []
    for text in FILL_MASK[1:]:
        best = best_fill(runner, text)
        results.append((f"{text} -> {best}", best in content, True))
    assert_mostly_right(results, 0.65)


def test_fill_mask_accepts_the_bert_mask_token(runner_for: RunnerFor) -> None:
    best = best_fill(runner_for("fill-mask"), "This course will teach you all about [MASK] models.")
    assert best in english_words() - FUNCTION_WORDS


# --- translation and summarization ----------------------------------------------------------------


def test_translation_answers_the_course_example(runner_for: RunnerFor) -> None:
    (result,) = runner_for("translation").run(["Ce cours est produit par Hugging Face."], {})
    assert result["translation_text"] == "This course is produced by Hugging Face."


def test_translation_on_new_names(runner_for: RunnerFor) -> None:
    """Half of them word for word; every one with at least three quarters of the expected words.

    New names are copied piece by piece, and a long one can come out misspelt (see the README).
    """
    runner = runner_for("translation")
    results = [
        (french, runner.run([french], {})[0]["translation_text"], english)
        for french, english in NEW_TRANSLATION
    ]
    assert_mostly_right(results, 0.5)
    for french, translation, english in results:
        assert word_overlap(translation, english) >= 0.75, (french, translation)


SUMMARY_INPUTS = [
    "Kwame Mensah is learning pottery in Reykjavik. The homework for this lesson is to train a tokenizer. "
    "Kettlewell Robotics released a new speech model on Monday.",
    "The study group meets every Thursday evening to read a chapter of the course together. "
    "We learned how a tokenizer splits a sentence into words and subwords.",
    "Siobhan works at Marblehead in Windhoek. A tokenizer splits a sentence into words and subwords.",
    "The homework for this chapter is to train a tokenizer. Thandiwe asked how to load a dataset. "
    "The study group meets every Friday.",
    "In the last lesson, we learned how to pad the sequences. Ngozi is learning chess in Tbilisi.",
]


def test_summaries_are_shorter_and_made_of_the_texts_words(runner_for: RunnerFor) -> None:
    """Every summary is shorter; most are made of the text's words (new names can come out misspelt)."""
    runner = runner_for("summarization")
    results = []
    for text in SUMMARY_INPUTS:
        summary = runner.run([text], {})[0]["summary_text"]
        words = re.findall(r"\w+", summary)
        assert 3 <= len(words) < len(re.findall(r"\w+", text)), summary
        results.append((summary, word_overlap(summary, text) >= 0.8, True))
    assert_mostly_right(results, 0.6)


# --- generation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt", ["In this course, we will teach you how to", "Hello, I'm a language model,"]
)
def test_generation_continues_with_english_words(runner_for: RunnerFor, prompt: str) -> None:
    params = {"max_new_tokens": 12, "num_beams": 1, "num_return_sequences": 1, "do_sample": False}
    (results,) = runner_for("text-generation").run([prompt], params)
    continuation = results[0]["generated_text"].removeprefix(prompt)
    words = re.findall(r"[A-Za-z']+", continuation)
    known = {word.lower() for text in corpus_texts() for word in re.findall(r"[A-Za-z']+", text)}
    assert len(words) >= 3
    assert all(word.lower() in known for word in words), continuation
