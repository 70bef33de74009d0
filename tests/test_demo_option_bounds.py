"""Each model command's options say what the engine's ``Param`` declarations say (meta-test).

A bound is declared twice — once as the slash option's type (what Discord enforces and shows),
once as the engine's :class:`~bot.inference.tasks.Param` (what the engine checks) — so this test
holds them equal: every numeric option's minimum, maximum and default, and every text option's
length within what the task accepts.
"""

from __future__ import annotations

from typing import Any

import pytest
from discord import app_commands

from bot.errors import UserFacingError
from bot.inference.tasks import TASKS
from cogs.demos._cog import DemosCog
from cogs.teaching._attention_checks import head_bounds, parse_head
from cogs.teaching._attention_cog import AttentionCog

#: (command, option) → (task, Param name)
PARAMS = {
    ("generate", "max_new_tokens"): ("text-generation", "max_new_tokens"),
    ("generate", "num_return_sequences"): ("text-generation", "num_return_sequences"),
    ("generate", "do_sample"): ("text-generation", "do_sample"),
    ("generate", "temperature"): ("text-generation", "temperature"),
    ("generate", "top_k"): ("text-generation", "top_k"),
    ("generate", "top_p"): ("text-generation", "top_p"),
    ("generate", "num_beams"): ("text-generation", "num_beams"),
    ("fillmask", "top_k"): ("fill-mask", "top_k"),
    ("zeroshot", "multi_label"): ("zero-shot-classification", "multi_label"),
    ("summarize", "max_length"): ("summarization", "max_length"),
    ("summarize", "min_length"): ("summarization", "min_length"),
    ("attention", "layer"): ("attention", "layer"),
}
#: (command, option) → (task, the limit of that input)
TEXTS = {
    ("sentiment", "text"): ("sentiment-analysis", "max_chars"),
    ("zeroshot", "text"): ("zero-shot-classification", "max_chars"),
    ("generate", "prompt"): ("text-generation", "max_chars"),
    ("fillmask", "text"): ("fill-mask", "max_chars"),
    ("ner", "text"): ("ner", "max_chars"),
    ("qa", "question"): ("question-answering", "max_question_chars"),
    ("qa", "context"): ("question-answering", "max_chars"),
    ("summarize", "text"): ("summarization", "max_chars"),
    ("translate", "text"): ("translation", "max_chars"),
    ("tokenize", "text"): ("tokenize", "max_chars"),
    ("attention", "text"): ("attention", "max_chars"),
}


def option(command: str, name: str) -> app_commands.Parameter:
    cog = AttentionCog if command == "attention" else DemosCog
    found: Any = getattr(cog, command)
    (parameter,) = [p for p in found.parameters if p.name == name]
    return parameter


@pytest.mark.parametrize(("command", "name"), list(PARAMS), ids=[f"{c}:{n}" for c, n in PARAMS])
def test_a_numeric_option_has_its_params_bounds_and_default(command: str, name: str) -> None:
    task, param_name = PARAMS[(command, name)]
    param = TASKS[task].param_index[param_name]
    shown = option(command, name)
    assert (shown.min_value, shown.max_value) == (param.minimum, param.maximum), (command, name)
    assert shown.default == param.default, (command, name)


@pytest.mark.parametrize(("command", "name"), list(TEXTS), ids=[f"{c}:{n}" for c, n in TEXTS])
def test_a_text_option_fits_what_its_task_accepts(command: str, name: str) -> None:
    task, limit = TEXTS[(command, name)]
    shown = option(command, name)
    assert shown.min_value == 1 and shown.max_value is not None
    assert shown.max_value <= getattr(TASKS[task], limit), (command, name)


def test_the_head_option_is_checked_against_the_heads_param() -> None:
    """/attention's head is text ("average" or a number): its numbers are the Param's."""
    param = TASKS["attention"].param_index["head"]
    assert head_bounds() == (param.minimum, param.maximum)
    assert parse_head(str(param.maximum)) == param.maximum and parse_head("average") is None
    with pytest.raises(UserFacingError):
        parse_head(str(int(param.maximum or 0) + 1))
    with pytest.raises(UserFacingError):
        parse_head("²")
