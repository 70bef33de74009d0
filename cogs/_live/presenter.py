"""What a presenter is: everything the bot shows about one task's results, in one class.

A :class:`Presenter` is found by task name (:func:`cogs._live.presenters.presenter_for`). It owns
the task's title, the result message (:meth:`~Presenter.render`), the full text attached when the
message had to cut it (:meth:`~Presenter.overflow`), the "Show code" snippet
(:meth:`~Presenter.snippet`) and the "Learn more" link. :meth:`~Presenter.present` puts these
together for the live-job service; a task whose message is more than an embed (the attention
map's picture and menus) overrides it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import discord

from bot.components import link_button, persistent_view
from bot.embeds import fit
from bot.inference.tiny import TINY_LABEL
from cogs._live import text
from cogs._live.code import Snippet
from cogs._live.controls import DEMOS

#: The footer's note for the offline profile's stand-in models.
TINY_NOTE = TINY_LABEL
OVERFLOW_FILE = "output.txt"
#: Said under a result whose call could not be stored (its buttons would point at nothing).
NOT_STORED = "The bot could not save this call, so its Show code and Run again buttons are left out."
COURSE = "https://huggingface.co/learn/llm-course"


@dataclass(frozen=True)
class ResultMeta:
    """What every result shows besides the output itself."""

    task_title: str
    checkpoint: str  # the catalog checkpoint (what the course shows with model.name_or_path)
    tiny: bool
    elapsed_s: float
    course_url: str


def footer(meta: ResultMeta) -> str:
    """``model: <checkpoint> · 0.42 s`` (and the tiny profile's warning)."""
    parts = [f"model: {meta.checkpoint}", f"{meta.elapsed_s:.2f} s"]
    if meta.tiny:
        parts.append(TINY_NOTE)
    return " · ".join(parts)


def base_embed(meta: ResultMeta) -> discord.Embed:
    """A result embed: the task's title linking its course section, and the footer."""
    embed = discord.Embed(title=meta.task_title, colour=text.DEMO_COLOUR, url=meta.course_url)
    embed.set_footer(text=footer(meta))
    return embed


@dataclass(frozen=True)
class Finished:
    """One finished call: its first input, its result, and what it was asked with."""

    meta: ResultMeta
    item: Any
    result: Any
    params: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # stored with the call, e.g. a focus word


@dataclass(frozen=True)
class Presented:
    """A finished message: its embed, its attachments and its components."""

    embed: discord.Embed
    files: list[discord.File]
    view: discord.ui.View


@dataclass(frozen=True)
class CodeCall:
    """A stored call to write code for: the model files used and what was asked."""

    ref: str  # the files the bot ran (a hub id, or a tiny stand-in's directory)
    checkpoint: str  # the catalog id the course would name
    item: Any
    params: dict[str, Any]
    cache_dir: Path | None


class Presenter:
    """One task's results as members see them. Subclasses set the class attributes and render."""

    task: ClassVar[str]
    title: ClassVar[str]
    #: The course section that teaches this task ("Learn more", the result's title link).
    learn_more: ClassVar[str]
    #: The parameter that makes results differ run to run (then "Run again" is offered).
    sampling_param: ClassVar[str | None] = None

    def render(self, done: Finished) -> discord.Embed:
        """The result embed (pure: plain data in, embed out)."""
        raise NotImplementedError

    def overflow(self, result: Any) -> str | None:
        """The full output as text when the embed had to cut it (attached as a file), else None."""
        return None

    def snippet(self, call: CodeCall) -> Snippet:
        """The transformers code that reproduces ``call`` (may read model files: run in a thread)."""
        raise NotImplementedError

    def samples(self, params: dict[str, Any]) -> bool:
        """Whether a run with ``params`` gives a different answer each time."""
        return self.sampling_param is not None and bool(params.get(self.sampling_param))

    def meta(self, checkpoint: str, tiny: bool, elapsed_s: float) -> ResultMeta:
        """The title and footer facts of a result of this task."""
        return ResultMeta(self.title, checkpoint, tiny, elapsed_s, self.learn_more)

    def result_view(self, key: str | None, params: dict[str, Any]) -> discord.ui.View:
        """Show code, Run again (sampled results), Learn more; only the link when not stored."""
        again = key is not None and self.samples(params)
        return persistent_view(
            DEMOS.button("code", key, label="Show code", emoji="🐍") if key is not None else None,
            DEMOS.button("again", key, label="Run again", emoji="🔁", style=discord.ButtonStyle.primary)
            if again
            else None,
            link_button("Learn more", self.learn_more, emoji="📖"),
        )

    async def present(self, done: Finished, key: str | None) -> Presented:
        """The finished message for ``done``; ``key`` names the stored call (None: not stored)."""
        embed = self.render(done)
        if key is None:
            embed.add_field(name="Not saved", value=NOT_STORED, inline=False)
        overflow = self.overflow(done.result)
        moved = fit([embed])  # Discord's 6,000-character total: the fields that did not fit move out
        if moved is not None:
            overflow = (overflow + "\n\n---\n\n" if overflow else "") + moved.text()
        files = [discord.File(io.BytesIO(overflow.encode()), filename=OVERFLOW_FILE)] if overflow else []
        return Presented(embed, files, self.result_view(key, done.params))
