"""The task registry: inputs, parameters and their bounds, batching keys and costs per task.

Everything a member sends goes through :meth:`TaskSpec.validate` before it reaches a runner:
inputs are checked (empty text, length limits, masks, candidate labels, QA fields) and
parameters are checked against the task's schema (unknown names, types, ranges) and completed
with defaults. Errors are :class:`InvalidRequestError` with one sentence the member can act on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.inference.catalog import TASK_NAMES
from bot.user_facing import UserFacingError

log = logging.getLogger(__name__)

#: What members may type for the masked word; the runner swaps in the model's own mask token.
MASK_PLACEHOLDERS: tuple[str, ...] = ("[MASK]", "<mask>")


class InvalidRequestError(UserFacingError):
    """A request whose inputs or parameters the engine refuses."""


@dataclass(frozen=True)
class Param:
    """One parameter: its type, default and bounds.

    ``kind`` is ``int``, ``float``, ``bool`` or ``str``. ``default`` None means "let the model
    decide" (and None is then accepted as a value). ``choices`` restricts a ``str``.
    """

    name: str
    kind: type
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    max_chars: int = 200

    def validate(self, task: str, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise InvalidRequestError."""
        if value is None and self.default is None:
            return None
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InvalidRequestError(f"{self.name} must be true or false (got {value!r}).")
            return value
        if self.kind in (int, float):
            number_ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not number_ok or (self.kind is int and isinstance(value, float) and not value.is_integer()):
                kind = "a whole number" if self.kind is int else "a number"
                raise InvalidRequestError(f"{self.name} must be {kind} (got {value!r}).")
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidRequestError(f"{self.name} must be a finite number (got {value!r}).")
            value = self.kind(value)
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise InvalidRequestError(
                    f"{self.name} must be between {_number(self.minimum)} and {_number(self.maximum)} "
                    f"for {task} (got {_number(value)})."
                )
            return value
        if not isinstance(value, str):
            raise InvalidRequestError(f"{self.name} must be text (got {value!r}).")
        if self.choices and value not in self.choices:
            raise InvalidRequestError(
                f"{self.name} must be one of {', '.join(self.choices)} (got {value!r})."
            )
        if len(value) > self.max_chars:
            raise InvalidRequestError(f"{self.name} is limited to {self.max_chars} characters.")
        return value


@dataclass(frozen=True)
class TaskSpec:
    """One task: what its inputs look like and its parameters.

    How a task's results are shown to members (its title, its course section) is the bot's
    business, not the engine's: see ``cogs/_live/presenters``.
    """

    name: str
    input_kind: str  # "text", "zero-shot" or "qa"
    max_chars: int
    params: tuple[Param, ...]
    timeout_s: float = 60.0  # a request's time, queue wait included (model loading is not counted)
    max_labels: int = 10
    max_label_chars: int = 100
    max_question_chars: int = 500
    param_index: dict[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_index", {param.name: param for param in self.params})

    def defaults(self) -> dict[str, Any]:
        """Every parameter's default."""
        return {param.name: param.default for param in self.params}

    def with_defaults(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """``params`` completed with defaults (no validation: for already validated params)."""
        return {**self.defaults(), **(params or {})}

    def validate(
        self, inputs: list[Any], params: Mapping[str, Any] | None
    ) -> tuple[list[Any], dict[str, Any]]:
        """Check inputs and params; return normalised inputs and complete params."""
        checked_params = self._validate_params(params or {})
        if not isinstance(inputs, list) or not inputs:
            raise InvalidRequestError("Give at least one input.")
        checked_inputs = [self._validate_input(item, number) for number, item in enumerate(inputs, start=1)]
        return checked_inputs, checked_params

    def batch_key(self, params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        """Requests whose validated params give equal keys may share one batch.

        A runner applies one params dict to a whole batch, so every parameter counts: e.g.
        generation requests batch together only with identical generation settings.
        """
        full = self.with_defaults(params)
        return tuple((name, full[name]) for name in sorted(full))

    def cost(self, tokenizer: Any, item: Any, params: Mapping[str, Any]) -> int:
        """An estimate, in tokens, of the work ``item`` adds to a batch (for the pool's budget).

        Text tasks count the tokenized input; zero-shot counts every text-label pair;
        question answering counts its context windows times the window length; generation
        counts prompt plus new tokens for every beam or returned sequence; summarization and
        translation count the input once and the output for every beam or returned sequence
        asked for (the model's default beams are not known here).
        """
        full = self.with_defaults(params)
        if self.input_kind == "zero-shot":
            text = token_count(tokenizer, item["text"])
            template = full["hypothesis_template"]
            specials = _specials(tokenizer, pair=True)
            return sum(
                text + token_count(tokenizer, template.format(label)) + specials
                for label in item["candidate_labels"]
            )
        if self.input_kind == "qa":
            return _qa_cost(tokenizer, item, full)
        tokens = token_count(tokenizer, item) + _specials(tokenizer, pair=False)
        if self.name == "text-generation":
            width = max(full["num_beams"], full["num_return_sequences"])
            return width * (tokens + full["max_new_tokens"])
        if self.name in ("summarization", "translation"):
            limit = max_input_tokens(tokenizer)
            output = full["max_new_tokens"] or full["max_length"] or SEQ2SEQ_COST_OUTPUT_TOKENS
            width = max(full["num_beams"] or 1, full["num_return_sequences"])
            return min(tokens, limit) + width * output
        return min(tokens, max_input_tokens(tokenizer))

    # --- inputs -----------------------------------------------------------------------

    def _validate_input(self, item: Any, number: int) -> Any:
        where = f"Input {number}" if number > 1 else "The input"
        if self.input_kind == "zero-shot":
            return self._validate_zero_shot(item, where)
        if self.input_kind == "qa":
            return self._validate_qa(item, where)
        text = self._validate_text(item, where, "text", self.max_chars)
        if self.name == "fill-mask":
            masks = count_masks(text)
            if masks == 0:
                raise InvalidRequestError(
                    "Put one [MASK] (or <mask>) in the text where the model should guess a word."
                )
            if masks > 1:
                raise InvalidRequestError(
                    f"The text has {masks} masks; fill-mask guesses exactly one word: keep one [MASK]."
                )
        return text

    def _validate_text(self, value: Any, where: str, what: str, limit: int) -> str:
        if not isinstance(value, str):
            raise InvalidRequestError(f"{where} must be text for {self.name} (got {type(value).__name__}).")
        if not value.strip():
            raise InvalidRequestError(f"The {what} is empty: type something for the model to read.")
        if len(value) > limit:
            raise InvalidRequestError(
                f"The {what} is {len(value):,} characters long; {self.name} accepts at most {limit:,}."
            )
        return value

    def _validate_zero_shot(self, item: Any, where: str) -> dict[str, Any]:
        if not isinstance(item, dict) or set(item) - {"text", "candidate_labels"} or "text" not in item:
            raise InvalidRequestError(
                f'{where} must be an object like {{"text": "...", "candidate_labels": ["a", "b"]}}.'
            )
        text = self._validate_text(item["text"], where, "text", self.max_chars)
        labels = item.get("candidate_labels")
        if isinstance(labels, str):
            labels = labels.split(",")
        if not isinstance(labels, list) or not labels:
            raise InvalidRequestError("Give at least one candidate label.")
        if len(labels) > self.max_labels:
            raise InvalidRequestError(f"Give at most {self.max_labels} candidate labels (got {len(labels)}).")
        cleaned: list[str] = []
        seen: set[str] = set()
        for label in labels:
            if not isinstance(label, str) or not label.strip():
                raise InvalidRequestError("Candidate labels must be non-empty text.")
            label = label.strip()
            if len(label) > self.max_label_chars:
                raise InvalidRequestError(
                    f"Each candidate label is limited to {self.max_label_chars} characters."
                )
            if label.casefold() in seen:
                raise InvalidRequestError(
                    f"The candidate label {label!r} appears twice; each must be different."
                )
            seen.add(label.casefold())
            cleaned.append(label)
        return {"text": text, "candidate_labels": cleaned}

    def _validate_qa(self, item: Any, where: str) -> dict[str, str]:
        if not isinstance(item, dict) or set(item) != {"question", "context"}:
            raise InvalidRequestError(
                f'{where} must be an object like {{"question": "...", "context": "..."}}.'
            )
        question = self._validate_text(item["question"], where, "question", self.max_question_chars)
        context = self._validate_text(item["context"], where, "context", self.max_chars)
        return {"question": question, "context": context}

    # --- params -----------------------------------------------------------------------

    def _validate_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(params, Mapping):
            raise InvalidRequestError("Parameters must be an object of name → value.")
        unknown = sorted(set(params) - set(self.param_index))
        if unknown:
            allowed = ", ".join(self.param_index) or "none"
            raise InvalidRequestError(
                f"Unknown parameter {unknown[0]!r} for {self.name}; allowed parameters: {allowed}."
            )
        checked = self.defaults()
        for name, value in params.items():
            checked[name] = self.param_index[name].validate(self.name, value)
        _CROSS_CHECKS.get(self.name, _no_cross_check)(checked)
        return checked


def _no_cross_check(params: dict[str, Any]) -> None:
    """Tasks without rules between parameters."""


def sequences_problem(
    do_sample: bool | None, num_beams: int, sequences: int, *, model_default: bool = False
) -> str | None:
    """Why ``generate`` would refuse this many sequences (None: it would not).

    Greedy search gives one sequence; beam search (sampled or not) at most one per beam.
    ``do_sample`` None is "not known yet": only the beam rule applies. ``model_default`` says
    that the beam count is the model's, not the request's.
    """
    beams = f"{num_beams}, this model's default" if model_default else str(num_beams)
    if num_beams > 1 and sequences > num_beams:
        return (
            f"num_return_sequences {sequences} cannot be more than num_beams ({beams}): beam search "
            f"returns at most one sequence per beam. Use num_beams of at least {sequences}, or num_beams 1 "
            "with do_sample=true."
        )
    if num_beams == 1 and sequences > 1 and do_sample is False:
        shown = f" (num_beams is {beams})" if model_default else ""
        return (
            f"num_return_sequences {sequences} needs do_sample=true or num_beams of at least "
            f"{sequences}{shown}."
        )
    return None


def _check_generation(params: dict[str, Any]) -> None:
    """Several sequences need sampling or beams. (Sampling settings with ``do_sample`` false stay,
    so that the answer can say they were ignored; the runner leaves them out.)"""
    problem = sequences_problem(params["do_sample"], params["num_beams"], params["num_return_sequences"])
    if problem is not None:
        raise InvalidRequestError(problem)


def _check_qa(params: dict[str, Any]) -> None:
    stride, length = params["doc_stride"], params["max_seq_len"]
    if stride is not None and length is not None and stride >= length:
        raise InvalidRequestError(f"doc_stride ({stride}) must be smaller than max_seq_len ({length}).")


def _check_seq2seq(params: dict[str, Any]) -> None:
    """Lengths that contradict each other, and more sequences than ``generate`` gives.

    (``min_length`` counts the decoder's start token, as ``max_length`` does: at most
    ``max_new_tokens + 1``.) A request that sets no ``num_beams`` is checked against the model's
    beams by the runner.
    """
    low, high, new = params["min_length"], params["max_length"], params["max_new_tokens"]
    if low is not None and high is not None and low > high:
        raise InvalidRequestError(f"min_length ({low}) cannot be larger than max_length ({high}).")
    if low is not None and new is not None and low > new + 1:
        raise InvalidRequestError(
            f"min_length ({low}) cannot be larger than max_new_tokens ({new}) + 1: min_length counts "
            "the decoder's start token."
        )
    if params["num_beams"] is not None:
        problem = sequences_problem(params["do_sample"], params["num_beams"], params["num_return_sequences"])
        if problem is not None:
            raise InvalidRequestError(problem)


def _check_zero_shot(params: dict[str, Any]) -> None:
    """The template gets each label through ``str.format``: exactly one ``{}`` and no other braces."""
    template = params["hypothesis_template"]
    try:
        well_formed = template.count("{}") == 1 and template.format("label") != template
    except (IndexError, KeyError, ValueError):
        well_formed = False
    if not well_formed:
        raise InvalidRequestError(
            'hypothesis_template must contain "{}" exactly once (and no other braces), '
            'e.g. "This example is {}."'
        )


_CROSS_CHECKS = {
    "text-generation": _check_generation,
    "question-answering": _check_qa,
    "summarization": _check_seq2seq,
    "translation": _check_seq2seq,
    "zero-shot-classification": _check_zero_shot,
}

#: The most new tokens a summarization or translation may generate, whatever the model's config.
SEQ2SEQ_MAX_NEW_TOKENS = 512
#: Output tokens assumed by :meth:`TaskSpec.cost` when a seq2seq request sets no max_length.
SEQ2SEQ_COST_OUTPUT_TOKENS = 142
#: The most beams and returned sequences a summarization or translation may ask for.
SEQ2SEQ_MAX_BEAMS = 8
SEQ2SEQ_MAX_SEQUENCES = 4


def seq2seq_params(*, max_length: int) -> tuple[Param, ...]:
    """The v4 summarization / translation call parameters (None: the model's / v4's default)."""
    return (
        Param("max_length", int, None, 5, max_length),
        Param("min_length", int, None, 0, 200),
        Param("max_new_tokens", int, None, 1, SEQ2SEQ_MAX_NEW_TOKENS),
        Param("do_sample", bool, None),
        Param("num_beams", int, None, 1, SEQ2SEQ_MAX_BEAMS),
        Param("num_return_sequences", int, 1, 1, SEQ2SEQ_MAX_SEQUENCES),
    )


#: The most tokens (special tokens included) an attention map shows: 64 × 64 cells stay readable.
ATTENTION_MAX_TOKENS = 64


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec(
            name="sentiment-analysis",
            input_kind="text",
            max_chars=2000,
            # v4's top_k: None (the default here) every label, k the k best; both best first.
            params=(Param("top_k", int, None, 1, 50),),
        ),
        TaskSpec(
            name="zero-shot-classification",
            timeout_s=90.0,
            input_kind="zero-shot",
            max_chars=2000,
            params=(
                Param("multi_label", bool, False),
                Param(
                    "hypothesis_template",
                    str,
                    "This example is {}.",
                    max_chars=200,
                ),
            ),
        ),
        TaskSpec(
            name="text-generation",
            timeout_s=180.0,
            input_kind="text",
            max_chars=1000,
            params=(
                Param("max_new_tokens", int, 30, 1, 100),
                Param("num_return_sequences", int, 1, 1, 3),
                # None: as the checkpoint's generation config says (GPT-2 samples, like the course).
                Param("do_sample", bool, None),
                Param("temperature", float, None, 0.1, 2.0),
                Param("top_k", int, None, 1, 100),
                Param("top_p", float, None, 0.1, 1.0),
                Param("num_beams", int, 1, 1, 4),
            ),
        ),
        TaskSpec(
            name="fill-mask",
            input_kind="text",
            max_chars=1000,
            params=(Param("top_k", int, 5, 1, 10),),
        ),
        TaskSpec(
            name="ner",
            input_kind="text",
            max_chars=1000,
            params=(
                Param(
                    "aggregation_strategy",
                    str,
                    "simple",
                    choices=("simple", "none"),
                ),
            ),
        ),
        TaskSpec(
            name="question-answering",
            timeout_s=90.0,
            input_kind="qa",
            max_chars=6000,  # Discord's longest option value
            params=(
                Param("top_k", int, 1, 1, 20),
                Param("max_answer_len", int, 15, 1, 50),
                Param("max_seq_len", int, None, 32, 512),
                Param("doc_stride", int, None, 0, 256),
                Param("handle_impossible_answer", bool, False),
                Param("align_to_words", bool, True),
            ),
        ),
        TaskSpec(
            name="summarization",
            timeout_s=180.0,
            input_kind="text",
            max_chars=20000,  # a text file; the model reads what fits and the rest is truncated
            params=seq2seq_params(max_length=256),
        ),
        TaskSpec(
            name="translation",
            timeout_s=180.0,
            input_kind="text",
            max_chars=2000,
            params=seq2seq_params(max_length=SEQ2SEQ_MAX_NEW_TOKENS),
        ),
        TaskSpec(
            name="tokenize",
            timeout_s=30.0,
            input_kind="text",
            max_chars=2000,
            params=(),
        ),
        TaskSpec(
            name="attention",
            input_kind="text",
            max_chars=500,  # the real limit is ATTENTION_MAX_TOKENS, checked against the model's tokenizer
            params=(
                Param("layer", int, None, 1, 48),
                Param("head", int, None, 1, 64),
            ),
        ),
    )
}
if tuple(TASKS) != TASK_NAMES:  # pragma: no cover - a programming error caught at import
    raise RuntimeError("the task registry must list every catalog task, in the catalog's order")


def get_task(name: str) -> TaskSpec:
    """The spec of task ``name``; an unknown name is an InvalidRequestError."""
    try:
        return TASKS[name]
    except KeyError:
        raise InvalidRequestError(f"Unknown task {name!r}; choose one of: {', '.join(TASKS)}.") from None


def count_masks(text: str) -> int:
    """How many ``[MASK]`` / ``<mask>`` placeholders ``text`` holds."""
    return sum(text.count(placeholder) for placeholder in MASK_PLACEHOLDERS)


def with_model_mask(text: str, mask_token: str) -> str:
    """``text`` with every mask placeholder replaced by the model's own mask token."""
    for placeholder in MASK_PLACEHOLDERS:
        text = text.replace(placeholder, mask_token)
    return text


# --- token counting for costs -----------------------------------------------------------------


def token_count(tokenizer: Any, text: str) -> int:
    """Tokens of ``text`` without special tokens."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def _specials(tokenizer: Any, *, pair: bool) -> int:
    return int(tokenizer.num_special_tokens_to_add(pair=pair))


def declared_max_length(tokenizer: Any) -> int | None:
    """The tokenizer's ``model_max_length``, or None when it declares no real limit.

    transformers uses a huge placeholder (about 1e30) for tokenizers saved without a limit.
    """
    limit = getattr(tokenizer, "model_max_length", None)
    return int(limit) if isinstance(limit, int) and limit < 1_000_000 else None


def max_input_tokens(tokenizer: Any, model_config: Any = None) -> int:
    """The longest sequence a model reads: the tokenizer's limit, else the config's positions, else 512."""
    declared = declared_max_length(tokenizer)
    if declared is not None:
        return declared
    for name in ("max_position_embeddings", "n_positions"):
        positions = getattr(model_config, name, None)
        if isinstance(positions, int):
            return positions
    return 512


def qa_window_settings(tokenizer: Any, params: Mapping[str, Any]) -> tuple[int, int]:
    """``(max_seq_len, doc_stride)`` with v4's defaults: min(model max, 384) and min(half, 128)."""
    max_seq_len = params.get("max_seq_len") or min(max_input_tokens(tokenizer), 384)
    doc_stride = params.get("doc_stride")
    if doc_stride is None:
        doc_stride = min(max_seq_len // 2, 128)
    return max_seq_len, doc_stride


def qa_window_count(
    question_tokens: int, context_tokens: int, specials: int, max_seq_len: int, stride: int
) -> int:
    """How many windows the tokenizer makes of a context (at least one)."""
    room = max_seq_len - question_tokens - specials
    if context_tokens <= room or room <= stride:
        return 1
    return 1 + math.ceil((context_tokens - room) / (room - stride))


def _qa_cost(tokenizer: Any, item: Mapping[str, str], params: Mapping[str, Any]) -> int:
    max_seq_len, stride = qa_window_settings(tokenizer, params)
    question = token_count(tokenizer, item["question"])
    context = token_count(tokenizer, item["context"])
    specials = _specials(tokenizer, pair=True)
    windows = qa_window_count(question, context, specials, max_seq_len, stride)
    return windows * min(max_seq_len, question + context + specials)


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
