"""Turning extractive-QA logits into answers, as transformers 4.57's QA pipeline did.

Pure functions over numpy arrays and ``tokenizers.Encoding`` objects, in the pipeline's order:

1. per window, logits of tokens that cannot be part of an answer (question, special tokens,
   padding) are set to -10000, except the CLS token; start and end logits get separate
   softmaxes (float32);
2. the empty-answer score of a window is ``p_start[0] · p_end[0]`` and the smallest one over
   all windows is the score of the "impossible" answer; then position 0 is zeroed;
3. span scores are the outer product ``p_start[s] · p_end[e]`` kept for ``s <= e < s +
   max_answer_len``; the best ``2·top_k + 10`` spans (``top_k`` when not aligning to words)
   whose start and end are both answerable are taken;
4. each span becomes a character range of the context, widened to whole words when
   ``align_to_words``; answers whose text is equal ignoring case are merged by adding their
   scores; the impossible answer joins when asked; answers are sorted by score and cut to
   ``top_k``. One answer is returned as a dict, several (or none) as a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: The logit given to tokens that cannot start or end an answer (as in v4).
MASKED_LOGIT = np.float32(-10000.0)
#: The initial "impossible answer" score before any window lowers it (as in v4).
_NO_NULL_SCORE = 1000000


@dataclass(frozen=True)
class Window:
    """One model window over a (question, context) pair.

    ``answerable`` is True for context tokens and the CLS token; ``encoding`` is the
    tokenizers ``Encoding`` of the window (for offsets and words) and ``context_index`` the
    sequence index of the context in the pair (1 when the question comes first).
    """

    start_logits: np.ndarray
    end_logits: np.ndarray
    answerable: np.ndarray
    encoding: Any
    context_index: int


@dataclass(frozen=True)
class AnswerOptions:
    """The QA pipeline's post-processing parameters."""

    top_k: int = 1
    max_answer_len: int = 15
    handle_impossible_answer: bool = False
    align_to_words: bool = True


def masked_softmax(logits: np.ndarray, answerable: np.ndarray) -> np.ndarray:
    """Softmax over ``logits`` after giving unanswerable tokens the masked logit (float32)."""
    masked = np.where(answerable, logits.astype(np.float32, copy=False), MASKED_LOGIT)
    exponentials = np.exp(masked - masked.max())
    return exponentials / exponentials.sum()


def best_spans(
    start_probabilities: np.ndarray,
    end_probabilities: np.ndarray,
    answerable: np.ndarray,
    count: int,
    max_answer_len: int,
) -> list[tuple[int, int, float]]:
    """The ``count`` highest-scoring spans ``(start, end, score)``, best first.

    Candidates are taken over the whole span matrix (spans ending before they start or longer
    than ``max_answer_len`` score 0), then those starting or ending on an unanswerable token
    are dropped, so fewer than ``count`` may come back.
    """
    scores = np.triu(np.outer(start_probabilities, end_probabilities))
    scores = np.tril(scores, max_answer_len - 1)
    flat = scores.ravel()
    if count == 1:
        order = np.array([np.argmax(flat)])
    elif flat.size < count:
        order = np.argsort(-flat)
    else:
        chosen = np.argpartition(-flat, count)[:count]
        order = chosen[np.argsort(-flat[chosen])]
    starts, ends = np.unravel_index(order, scores.shape)
    return [
        (int(start), int(end), scores[start, end].item())
        for start, end in zip(starts, ends, strict=True)
        if answerable[start] and answerable[end]
    ]


def character_span(
    encoding: Any, start: int, end: int, context_index: int, align_to_words: bool
) -> tuple[int, int]:
    """The context characters covered by tokens ``start..end``.

    With ``align_to_words`` the range is widened to the whole words the two tokens belong to;
    tokens outside any word (special tokens) fall back to the tokens' own offsets.
    """
    if align_to_words:
        start_word = encoding.token_to_word(start)
        end_word = encoding.token_to_word(end)
        if start_word is not None and end_word is not None:
            start_chars = encoding.word_to_chars(start_word, context_index)
            end_chars = encoding.word_to_chars(end_word, context_index)
            if start_chars is not None and end_chars is not None:
                return start_chars[0], end_chars[1]
    return encoding.offsets[start][0], encoding.offsets[end][1]


def answers_for_context(
    windows: list[Window], context: str, options: AnswerOptions
) -> dict[str, Any] | list[dict[str, Any]]:
    """The pipeline's result for one (question, context): a dict for one answer, else a list."""
    candidate_count = 2 * options.top_k + 10 if options.align_to_words else options.top_k
    null_score: float = _NO_NULL_SCORE
    answers: list[dict[str, Any]] = []
    for window in windows:
        start_probabilities = masked_softmax(window.start_logits, window.answerable)
        end_probabilities = masked_softmax(window.end_logits, window.answerable)
        if options.handle_impossible_answer:
            null_score = min(null_score, (start_probabilities[0] * end_probabilities[0]).item())
        start_probabilities[0] = end_probabilities[0] = 0.0
        spans = best_spans(
            start_probabilities, end_probabilities, window.answerable, candidate_count, options.max_answer_len
        )
        for start, end, score in spans:
            char_start, char_end = character_span(
                window.encoding, start, end, window.context_index, options.align_to_words
            )
            _add_answer(answers, context, char_start, char_end, score)
    if options.handle_impossible_answer:
        answers.append({"score": null_score, "start": 0, "end": 0, "answer": ""})
    answers = sorted(answers, key=lambda answer: answer["score"], reverse=True)[: options.top_k]
    return answers[0] if len(answers) == 1 else answers


def _add_answer(answers: list[dict[str, Any]], context: str, start: int, end: int, score: float) -> None:
    """Add a span, or add its score to an earlier answer with the same text (ignoring case)."""
    text = context[start:end]
    for answer in answers:
        if answer["answer"].lower() == text.lower():
            answer["score"] += score
            return
    answers.append({"score": score, "start": start, "end": end, "answer": text})
