"""The status message of a model request while it waits or runs, and its end when it fails."""

from __future__ import annotations

import discord

from bot.inference.backend import JobUpdate
from cogs._live.text import ERROR_COLOUR, WAIT_COLOUR

STATE_LINES = {
    "queued": "⏳ Waiting in the queue",
    "loading": "📦 Loading the model (first use: this can take a little while)",
    "running": "⚙️ Running the model…",
}


def wait_text(seconds: float) -> str:
    """An expected wait in words: ``20 s``, ``2 min``."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{round(seconds / 60)} min"


def status_line(update: JobUpdate) -> str:
    """``⏳ Waiting in the queue: #3 in line (about 20 s)``, ``⚙️ Running the model…``."""
    line = STATE_LINES.get(update.state, update.state)
    if update.state == "queued" and update.position is not None:
        line += f": #{update.position} in line"
    elif update.state == "queued" and update.detail:
        line += f": {update.detail}"
    if update.state == "queued" and update.eta_s is not None:
        line += f" (about {wait_text(update.eta_s)})"
    return line


def status_embed(task_title: str, update: JobUpdate, checkpoint: str) -> discord.Embed:
    """The message shown while a request waits or runs."""
    embed = discord.Embed(title=task_title, description=status_line(update), colour=WAIT_COLOUR)
    embed.set_footer(text=f"model: {checkpoint}")
    return embed


def error_embed(task_title: str, message: str) -> discord.Embed:
    """A request that failed after it was accepted (timeout, cancelled, worker lost …)."""
    return discord.Embed(title=task_title, description=f"❌ {message}", colour=ERROR_COLOUR)
