""" "Show code": the transformers code that reproduces one call, as the course writes it.

The presenters write the code of their task (:meth:`~cogs._live.presenter.Presenter.snippet`)
with the helpers here; :func:`code_message` lays a snippet out as the ephemeral reply. Every value
in the code is the one the bot used, so the code gives the bot's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MESSAGE_LIMIT = 2000
CODE_FILE = "demo.py"
#: Beyond this many characters of input, a long snippet is long because of the input.
LONG_INPUT_CHARS = 300


@dataclass(frozen=True)
class Snippet:
    """The code of one call; ``course`` is the course's transformers 4 call when it no longer runs."""

    code: str
    course: str | None = None
    why: str | None = None  # one sentence on why the two differ
    input_chars: int = 0  # how long the member's input is (a long one makes a long snippet)


def kwargs(values: dict[str, Any]) -> str:
    """``a=1, b='x'``."""
    return ", ".join(f"{key}={value!r}" for key, value in values.items())


def header(checkpoint: str, ref: str) -> str:
    """The ``checkpoint = ...`` line (with a note when a tiny stand-in ran instead)."""
    if ref != checkpoint:
        return (
            f"# studybot ran a small offline stand-in for {checkpoint}, trained on its own examples;\n"
            f"# use checkpoint = {checkpoint!r} for the real model.\n"
            f"checkpoint = {ref!r}\n"
        )
    return f"checkpoint = {ref!r}\n"


def pipeline_code(task: str, ref: str, checkpoint: str, variable: str, call: list[str]) -> str:
    """A pipeline call as the course writes it: ``variable = pipeline(task, ...)`` then ``call``."""
    lines = ["from transformers import pipeline", "", header(checkpoint, ref)]
    lines += [f'{variable} = pipeline("{task}", model=checkpoint)', *call]
    return "\n".join(lines) + "\n"


def code_block(code: str) -> str:
    """``code`` in a Python code block."""
    return f"```python\n{code}```"


def code_message(snippet: Snippet) -> tuple[str, str | None]:
    """The Show code reply: its text, and the code to attach as ``demo.py`` when it does not fit.

    A task whose course call transformers 5 removed shows that call first, then one sentence on
    why, then the code that runs today (attached when the message cannot hold it).
    """
    runnable = code_block(snippet.code)
    if snippet.course is None:
        if len(runnable) <= MESSAGE_LIMIT:
            return runnable, None
        return f"The code is {_length(snippet)}, so here it is as `{CODE_FILE}`:", snippet.code
    course = f"**In the course (transformers 4)**, one pipeline call:\n{code_block(snippet.course)}"
    why = f"**With transformers 5**, {snippet.why}"
    whole = f"{course}\n{why}\n{runnable}"
    if len(whole) <= MESSAGE_LIMIT:
        return whole, None
    attached = f"{why.rstrip(':')}. The code is {_length(snippet)}, so it is attached as `{CODE_FILE}`."
    if len(course) + 1 + len(attached) <= MESSAGE_LIMIT:
        return f"{course}\n{attached}", snippet.code
    lead = "# In the course (transformers 4), one pipeline call:\n"
    commented = "".join(f"# {line}\n" for line in snippet.course.splitlines())
    return (
        f"{attached} The course's transformers 4 call is at its top.",
        f"{lead}{commented}\n{snippet.code}",
    )


def _length(snippet: Snippet) -> str:
    lines = f"{len(snippet.code.splitlines())} lines long"
    return f"{lines} (it holds your whole input)" if snippet.input_chars > LONG_INPUT_CHARS else lines
