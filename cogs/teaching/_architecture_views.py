"""The "Try …" buttons of /architecture and the form they open.

A button's id names the demo task and the catalog checkpoint (``arch:try:<task>:<hub id>``), so it
works after a restart; :class:`~cogs.teaching._architecture_cog.ArchitectureCog` answers it by
opening a form prefilled with the guide's sample for that task (edit it or send it as it is);
sending the form runs the demo through the demos cog exactly like the slash command, in a new
message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.components import Feature, cog_for, link_button, persistent_view
from bot.errors import StudyModal
from bot.inference.tasks import get_task
from cogs._live.inputs import parse_labels
from cogs._live.service import ModelRequest, live_jobs
from cogs.teaching._architecture_data import ATTENTION_TASK, DemoChoice
from cogs.teaching._attention_cog import AttentionCog

ARCHITECTURE = Feature("arch", "The architecture guide", guild_only=False)
#: A Try button's arguments: the task and the catalog checkpoint.
TASK, MODEL = r"[a-z-]+", r"\S+"

MAX_BUTTONS = 20  # 4 rows of 5; the last row keeps the Learn more link
MODAL_TEXT_MAX = 4000  # Discord's longest text input


@dataclass(frozen=True)
class FormField:
    """One text input of the demo form."""

    key: str
    label: str
    long: bool
    max_length: int
    required: bool = True


def form_fields(task: str) -> list[FormField]:
    """The inputs a demo needs, as form fields."""
    limit = min(get_task(task).max_chars, MODAL_TEXT_MAX)
    if task == "question-answering":
        return [
            FormField("question", "Question", False, get_task(task).max_question_chars),
            FormField("context", "Context (the text that holds the answer)", True, limit),
        ]
    if task == "zero-shot-classification":
        return [
            FormField("text", "Text", True, limit),
            FormField("labels", "Labels, separated by commas", False, 600),
        ]
    if task == ATTENTION_TASK:
        return [
            FormField("text", "Text (at most 64 tokens)", True, limit),
            FormField("focus", "Focus word (optional)", False, 50, required=False),
        ]
    label = "Text with one [MASK] (or <mask>)" if task == "fill-mask" else "Text"
    return [FormField("text", label, True, limit)]


def demo_inputs(task: str, values: dict[str, str]) -> tuple[list[Any], dict[str, Any]]:
    """The demo's inputs and parameters from the form's values."""
    if task == "question-answering":
        return [{"question": values["question"], "context": values["context"]}], {}
    if task == "zero-shot-classification":
        labels = parse_labels(values["labels"], multi_label=False)
        return [{"text": values["text"], "candidate_labels": labels}], {"multi_label": False}
    return [values["text"]], {}


class DemoForm(StudyModal):
    """The sample input of a demo, editable, sent to the demo on submit."""

    def __init__(self, choice: DemoChoice) -> None:
        super().__init__(title=choice.label[:45], timeout=15 * 60)
        self.choice = choice
        self.inputs: dict[str, discord.ui.TextInput[DemoForm]] = {}
        for field in form_fields(choice.task):
            text_input: discord.ui.TextInput[DemoForm] = discord.ui.TextInput(
                label=field.label,
                style=discord.TextStyle.paragraph if field.long else discord.TextStyle.short,
                default=choice.sample.get(field.key, "")[: field.max_length] or None,
                max_length=field.max_length,
                required=field.required,
            )
            self.inputs[field.key] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = {key: text_input.value for key, text_input in self.inputs.items()}
        if self.choice.task == ATTENTION_TASK:
            attention = cog_for(interaction, AttentionCog, "The attention maps")
            await attention.start(
                interaction, values["text"], self.choice.model, focus=values.get("focus") or None
            )
            return
        live = live_jobs(interaction.client)
        live.admit(interaction)
        inputs, params = demo_inputs(self.choice.task, values)
        await live.run(interaction, ModelRequest(self.choice.task, inputs, params, self.choice.model))


def guide_view(choices: list[DemoChoice], course_url: str | None) -> discord.ui.View:
    """Try buttons (at most 20) and the Learn more link."""
    return persistent_view(
        *(
            ARCHITECTURE.button(
                "try", choice.task, choice.model, label=choice.label, style=discord.ButtonStyle.primary
            )
            for choice in choices[:MAX_BUTTONS]
        ),
        link_button("Learn more", course_url, emoji="📖") if course_url else None,
    )
