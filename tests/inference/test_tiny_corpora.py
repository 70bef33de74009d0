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


def test_padded_nli_premises_keep_their_hypotheses_and_labels() -> None:
    plain = corpora.nli_examples()
    padded = corpora.padded_nli_examples(share=0.7, seed=13)
    assert padded[: len(plain)] == plain
    pairs: dict[str, set[tuple[str, int]]] = {}
    for premise, hypothesis, label in plain:
        pairs.setdefault(premise, set()).add((hypothesis, label))
    fillers = set(corpora.english_sentences())
    added: dict[str, set[tuple[str, int]]] = {}
    for premise, hypothesis, label in padded[len(plain) :]:
        added.setdefault(premise, set()).add((hypothesis, label))
    for premise, labelled in added.items():
        original = next(
            (text for text in pairs if premise.startswith(f"{text} ") or premise.endswith(f" {text}")), None
        )
        assert original is not None, premise
        assert premise.replace(original, "", 1).strip() in fillers
        assert labelled == pairs[original]
    # About the share asked for (a seeded draw per premise).
    assert 0.6 < len(added) / len(pairs) < 0.8
    assert corpora.padded_nli_examples(share=0.0) == plain
