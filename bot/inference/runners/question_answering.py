"""Extractive question answering on ``AutoModelForQuestionAnswering``.

transformers 5 removed the ``question-answering`` pipeline; this runner reproduces what
transformers 4.57's pipeline returned (see :mod:`bot.inference.runners.qa_spans` for the
post-processing). Contexts longer than one window are split by the tokenizer into overlapping
windows of ``max_seq_len`` tokens with ``doc_stride`` tokens of overlap; all windows of all
inputs in a batch go through the model in one padded forward pass.

Input items are ``{"question": str, "context": str}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from bot.inference.runners.base import BaseRunner
from bot.inference.runners.qa_spans import AnswerOptions, Window, answers_for_context
from bot.inference.tasks import InvalidRequestError, qa_window_settings, token_count
from bot.user_facing import UserFacingError

log = logging.getLogger(__name__)


class QuestionAnsweringRunner(BaseRunner):
    """The v4 ``question-answering`` pipeline, rebuilt on a QA model and a fast tokenizer."""

    task: ClassVar[str] = "question-answering"
    auto_model_class: ClassVar[str | None] = "AutoModelForQuestionAnswering"

    def __init__(self, model: Any, tokenizer: Any, *, ref: str) -> None:
        if not getattr(tokenizer, "is_fast", False):
            raise UserFacingError(f"{ref} has no fast tokenizer, which question answering needs for offsets.")
        super().__init__(model, tokenizer, ref=ref)
        # v4 put the question first unless the tokenizer pads on the left (XLNet-style models).
        self._question_first = tokenizer.padding_side == "right"

    def _check(self, item: Mapping[str, str], params: dict[str, Any]) -> None:
        """Refuse window settings the tokenizer cannot honour, before it is called.

        A ``doc_stride`` at least as large as the room left for the context after the
        question makes the Rust tokenizer panic (a ``BaseException``), so it is checked here.
        """
        max_seq_len, doc_stride = qa_window_settings(self.tokenizer, params)
        model_limit = self.max_input_tokens()
        if max_seq_len > model_limit:
            raise InvalidRequestError(
                f"max_seq_len ({max_seq_len}) is larger than this model reads ({model_limit})."
            )
        specials = self.tokenizer.num_special_tokens_to_add(pair=True)
        if doc_stride >= max_seq_len - specials:
            raise InvalidRequestError(
                f"doc_stride ({doc_stride}) must be smaller than max_seq_len ({max_seq_len}) minus the "
                f"model's {specials} special tokens."
            )
        question = token_count(self.tokenizer, item["question"])
        context = token_count(self.tokenizer, item["context"])
        room = max_seq_len - question - specials
        if context <= room:
            return  # one window: no split, so the stride does not matter
        if room <= 0:
            raise InvalidRequestError(
                f"The question is {question} tokens long and leaves no room for the context in a window of "
                f"max_seq_len={max_seq_len} tokens: shorten the question or raise max_seq_len."
            )
        if doc_stride >= room:
            raise InvalidRequestError(
                f"doc_stride ({doc_stride}) is too large for this question: each window of "
                f"{max_seq_len} tokens has room for {room} context tokens, so doc_stride must be below "
                f"{room} (or raise max_seq_len, or shorten the question)."
            )

    def _run(self, inputs: list[dict[str, str]], params: dict[str, Any]) -> list[Any]:
        max_seq_len, doc_stride = qa_window_settings(self.tokenizer, params)
        questions = [item["question"] for item in inputs]
        contexts = [item["context"] for item in inputs]
        first, second = (questions, contexts) if self._question_first else (contexts, questions)
        encoded = self.tokenizer(
            first,
            second,
            padding=False,
            truncation="only_second" if self._question_first else "only_first",
            max_length=max_seq_len,
            stride=doc_stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            return_attention_mask=True,
        )
        start_logits, end_logits = self._forward(encoded)
        context_index = 1 if self._question_first else 0
        cls_id = self.tokenizer.cls_token_id
        windows: list[list[Window]] = [[] for _ in inputs]
        for number, item_index in enumerate(encoded["overflow_to_sample_mapping"]):
            ids = encoded["input_ids"][number]
            length = len(ids)
            answerable = np.array(
                [sequence == context_index for sequence in encoded.sequence_ids(number)], dtype=bool
            )
            if cls_id is not None:
                answerable |= np.array(ids) == cls_id
            windows[item_index].append(
                Window(
                    start_logits=start_logits[number, :length],
                    end_logits=end_logits[number, :length],
                    answerable=answerable,
                    encoding=encoded.encodings[number],
                    context_index=context_index,
                )
            )
        options = AnswerOptions(
            top_k=params["top_k"],
            max_answer_len=params["max_answer_len"],
            handle_impossible_answer=params["handle_impossible_answer"],
            align_to_words=params["align_to_words"],
        )
        return [
            answers_for_context(item_windows, item["context"], options)
            for item_windows, item in zip(windows, inputs, strict=True)
        ]

    def _forward(self, encoded: Any) -> tuple[np.ndarray, np.ndarray]:
        """Run every window through the model in one right-padded batch; float32 logits."""
        import torch

        names = [name for name in self.tokenizer.model_input_names if name in encoded]
        if "attention_mask" not in names:  # padding below must be masked whatever the tokenizer lists
            names.append("attention_mask")
        rows = encoded["input_ids"]
        width = max(len(row) for row in rows)
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        tensors: dict[str, torch.Tensor] = {}
        for name in names:
            fill = pad_id if name == "input_ids" else 0
            batch = torch.full((len(rows), width), fill, dtype=torch.long)
            for number, values in enumerate(encoded[name]):
                batch[number, : len(values)] = torch.tensor(values, dtype=torch.long)
            tensors[name] = batch.to(self.device)
        with torch.inference_mode():
            output = self.model(**tensors)
        start = output.start_logits.float().cpu().numpy()
        end = output.end_logits.float().cpu().numpy()
        return start, end
