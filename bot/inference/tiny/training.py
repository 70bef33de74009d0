"""Turning corpus examples into model inputs, and the one training loop every model uses.

The loop is deliberately plain (AdamW, linear warm-up then linear decay, a fixed number of
steps, seeded shuffling): the models are a few hundred thousand parameters and train in
seconds, so ``transformers.Trainer`` (built for long runs, with logging, checkpoints and
accelerate) would cost more to start than the training itself. Padding and label masking use
transformers' own data collators.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.inference.tiny.corpora import Span

log = logging.getLogger(__name__)

Features = list[dict[str, Any]]


@dataclass(frozen=True)
class TrainingSettings:
    """How one model is trained (part of the recipe: changing it rebuilds the model)."""

    steps: int
    batch_size: int
    learning_rate: float
    seed: int
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    #: When set, the shortest examples come first: batches are drawn from the shortest
    #: ``curriculum`` share of the examples at the start, growing to all of them by half-way.
    curriculum: float | None = None


@dataclass(frozen=True)
class Fitted:
    """The training loss at the start and at the end (means over the first and last tenth of the steps)."""

    first_loss: float
    final_loss: float


def fit(
    model: Any, features: Features, collate: Callable[[Features], Any], settings: TrainingSettings
) -> Fitted:
    """Train ``model`` in place for ``settings.steps`` batches."""
    import torch

    torch.manual_seed(settings.seed)
    parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, weight_decay=settings.weight_decay, fused=True
    )
    warmup = max(1, int(settings.steps * settings.warmup_fraction))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (settings.steps - step) / max(1, settings.steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    model.train()
    losses: list[float] = []
    batches = (
        _curriculum_batches(features, settings)
        if settings.curriculum
        else _length_grouped_batches(features, settings)
    )
    for _ in range(settings.steps):
        batch = collate([features[index] for index in next(batches)])
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    model.eval()
    tenth = max(1, len(losses) // 10)
    return Fitted(sum(losses[:tenth]) / tenth, sum(losses[-tenth:]) / tenth)


def _curriculum_batches(features: Features, settings: TrainingSettings) -> Iterator[list[int]]:
    """Random batches from a growing share of the examples, shortest first (see ``curriculum``)."""
    order = random.Random(settings.seed)
    by_length = sorted(range(len(features)), key=lambda index: len(features[index]["input_ids"]))
    start = settings.curriculum or 1.0
    for step in itertools.count():
        share = min(1.0, start + (1.0 - start) * step / (settings.steps / 2))
        available = max(settings.batch_size, int(len(by_length) * share))
        yield [by_length[order.randrange(available)] for _ in range(settings.batch_size)]


def _length_grouped_batches(features: Features, settings: TrainingSettings) -> Iterator[list[int]]:
    """Endless batches of indices: shuffled, then grouped with examples of similar length.

    Each pass shuffles the examples, sorts runs of 16 batches by length and shuffles the
    batches, so that little of each batch is padding (the models are small enough for padding
    to be most of the cost) while every batch still mixes templates.
    """
    order = random.Random(settings.seed)
    size = settings.batch_size

    def length(index: int) -> int:
        labels = features[index].get("labels")
        return len(features[index]["input_ids"]) + (len(labels) if isinstance(labels, list) else 0)

    while True:
        indices = list(range(len(features)))
        order.shuffle(indices)
        batches = []
        for start in range(0, len(indices), size * 16):
            run = sorted(indices[start : start + size * 16], key=length)
            batches += [run[offset : offset + size] for offset in range(0, len(run), size)]
        order.shuffle(batches)
        yield from (batch for batch in batches if len(batch) == size)


# --- features ----------------------------------------------------------------------------------


def classification_features(
    tokenizer: Any, texts: Sequence[str | tuple[str, str]], labels: Sequence[int]
) -> Features:
    """Sentences (or sentence pairs) with one label each."""
    firsts = [text if isinstance(text, str) else text[0] for text in texts]
    seconds = None if isinstance(texts[0], str) else [text[1] for text in texts]
    encoded = tokenizer(firsts, seconds, truncation=True, max_length=128)
    return [
        {"input_ids": ids, "attention_mask": mask, "labels": label}
        for ids, mask, label in zip(encoded["input_ids"], encoded["attention_mask"], labels, strict=True)
    ]


def token_classification_features(
    tokenizer: Any, examples: Sequence[tuple[str, Sequence[Span]]], label2id: dict[str, int]
) -> Features:
    """Every token labelled: ``B-`` for the first token of an entity, ``I-`` for the others.

    Sub-word pieces inside an entity are ``I-`` too, so the pipeline's ``simple`` aggregation
    gives whole entities; special tokens are ignored (-100).
    """
    encoded = tokenizer([text for text, _ in examples], return_offsets_mapping=True, truncation=True)
    features = []
    for (_, spans), ids, offsets in zip(
        examples, encoded["input_ids"], encoded["offset_mapping"], strict=True
    ):
        labels = []
        for start, end in offsets:
            if start == end:
                labels.append(-100)
                continue
            span = next((s for s in spans if s.start <= start < s.end), None)
            if span is None:
                labels.append(label2id["O"])
            else:
                labels.append(label2id[("B-" if start == span.start else "I-") + span.label])
        features.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
    return features


def question_answering_features(tokenizer: Any, examples: Sequence[tuple[str, str, int, str]]) -> Features:
    """``[CLS] question [SEP] context [SEP]`` with the answer's first and last token positions."""
    encoded = tokenizer(
        [question for question, _, _, _ in examples],
        [context for _, context, _, _ in examples],
        return_offsets_mapping=True,
        truncation="only_second",
        max_length=128,
    )
    features = []
    for number, (_, _, answer_start, answer) in enumerate(examples):
        offsets = encoded["offset_mapping"][number]
        sequence_ids = encoded.sequence_ids(number)
        answer_end = answer_start + len(answer)
        tokens = [
            index
            for index, (start, end) in enumerate(offsets)
            if sequence_ids[index] == 1 and start < answer_end and end > answer_start
        ]
        feature = {key: encoded[key][number] for key in encoded if key != "offset_mapping"}
        feature["start_positions"], feature["end_positions"] = tokens[0], tokens[-1]
        features.append(feature)
    return features


def language_model_blocks(
    tokenizer: Any, documents: Sequence[str], block: int, separator_id: int
) -> Features:
    """Documents joined by ``separator_id`` and cut into blocks of ``block`` tokens (causal LM)."""
    stream: list[int] = []
    for ids in tokenizer(list(documents))["input_ids"]:
        stream += [*ids, separator_id]
    return [
        {"input_ids": stream[start : start + block], "labels": stream[start : start + block]}
        for start in range(0, len(stream) - block + 1, block)
    ]


def masked_lm_features(tokenizer: Any, sentences: Sequence[str]) -> Features:
    """One sentence per example (the collator masks 15% of the tokens)."""
    encoded = tokenizer(list(sentences), truncation=True, max_length=128, return_special_tokens_mask=True)
    return [
        {"input_ids": ids, "attention_mask": mask, "special_tokens_mask": special}
        for ids, mask, special in zip(
            encoded["input_ids"], encoded["attention_mask"], encoded["special_tokens_mask"], strict=True
        )
    ]


def seq2seq_features(tokenizer: Any, sources: Sequence[str], targets: Sequence[str]) -> Features:
    """Source ids and target ids (``labels``), as the summarization and translation runners read them."""
    encoded = tokenizer(list(sources), text_target=list(targets), truncation=True, max_length=256)
    return [
        {"input_ids": ids, "attention_mask": mask, "labels": labels}
        for ids, mask, labels in zip(
            encoded["input_ids"], encoded["attention_mask"], encoded["labels"], strict=True
        )
    ]


def stacked(features: Features) -> Any:
    """Collate equal-length blocks (causal LM) into tensors."""
    import torch

    return {key: torch.tensor([feature[key] for feature in features]) for key in features[0]}
