"""The offline models' corpora: written once per process, and no caller can change another's."""

from __future__ import annotations

from bot.inference.tiny import corpora


def test_a_corpus_is_written_once_and_each_caller_gets_its_own_list() -> None:
    first = corpora.ner_examples()
    second = corpora.ner_examples()
    assert first == second
    assert first is not second
    first.clear()
    assert corpora.ner_examples() == second


def test_a_corpus_with_other_arguments_is_another_corpus() -> None:
    short = corpora.sentiment_examples(50, seed=1)
    assert len(short) <= 50
    assert short == corpora.sentiment_examples(50, seed=1)
    assert short != corpora.sentiment_examples(50, seed=2)


def test_the_english_sentences_follow_their_slots() -> None:
    filled = corpora.english_filled(200, seed=3)
    assert corpora.english_sentences(200, seed=3) == [sentence.text for sentence in filled]
    filled.pop()
    assert len(corpora.english_filled(200, seed=3)) == len(filled) + 1
