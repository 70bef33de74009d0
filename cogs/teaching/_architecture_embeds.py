"""Pure embed builders for /architecture: guide data in, embeds out."""

from __future__ import annotations

import discord

from bot.replies import truncate
from cogs.teaching._architecture_data import Checkpoint, Family, Guide, Task

COLOUR = discord.Colour(0xFFD21E)  # Hugging Face yellow
FIELD_LIMIT = 1024


def checkpoint_line(checkpoint: Checkpoint) -> str:
    note = f" — {checkpoint.note}" if checkpoint.note else ""
    return f"• [{checkpoint.name}]({checkpoint.url}){note}"


def packed(lines: list[str], limit: int = FIELD_LIMIT) -> str:
    """As many whole lines as fit in ``limit`` characters (a link is never cut in half)."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > limit:
            break
        kept.append(line)
    return "\n".join(kept) or truncate(lines[0], limit) if lines else "—"


def family_embed(guide: Guide, family: Family) -> discord.Embed:
    """One family: how its attention works, what it is good at, checkpoints per task."""
    embed = discord.Embed(
        title=f"{family.name} models — {family.attention.lower()}",
        url=family.course_url,
        description=family.summary,
        colour=COLOUR,
    )
    embed.add_field(name="Good at", value=family.good_at, inline=False)
    embed.add_field(name="Examples", value=family.examples, inline=False)
    for task in guide.tasks_of(family):
        embed.add_field(
            name=f"{task.name} · try {task.command}",
            value=packed([checkpoint_line(c) for c in task.checkpoints]),
            inline=False,
        )
    if family.attention_demo is not None:
        demo = family.attention_demo
        embed.add_field(
            name="See the attention",
            value=(
                f"`/attention` draws what each token attends to in [{demo.name}]({demo.url}) "
                "or another encoder."
            ),
            inline=False,
        )
    embed.set_footer(
        text="Buttons run a demo with a checkpoint from the bot's catalog · Learn more: the course"
    )
    return embed


def task_embed(guide: Guide, task: Task) -> discord.Embed:
    """One task: its family, the checkpoints to start from, the demo that runs it."""
    family = guide.family(task.family)
    assert family is not None  # checked when the guide is loaded
    embed = discord.Embed(title=task.name, url=task.course_url, colour=COLOUR)
    embed.description = (
        f"**{family.name}** architecture — {family.attention.lower()}.\n{family.good_at}\n"
        f"Run it here with `{task.command}`."
    )
    embed.add_field(
        name="Checkpoints to start from",
        value=packed([checkpoint_line(c) for c in task.checkpoints]),
        inline=False,
    )
    embed.set_footer(text=f"More on {family.name.lower()} models: /architecture family:{family.key}")
    return embed


def overview_embed(guide: Guide) -> discord.Embed:
    """The three families in a few lines each, and which tasks each suits."""
    embed = discord.Embed(
        title="Transformer architectures",
        url=guide.families[0].course_url.split("#")[0] if guide.families else None,
        description="Most transformer models are one of three families. Pick one, or a task, to see more:"
        " `/architecture family:encoder` · `/architecture task:summarization`.",
        colour=COLOUR,
    )
    for family in guide.families:
        tasks = ", ".join(task.name for task in guide.tasks_of(family))
        embed.add_field(
            name=f"{family.name} — {family.attention.lower()}",
            value=truncate(f"{family.good_at}\n*Tasks:* {tasks}\n*Examples:* {family.examples}", FIELD_LIMIT),
            inline=False,
        )
    return embed
