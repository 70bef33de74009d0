"""The demo buttons: Cancel (while queued), Show code, Run again, Learn more.

Their ids carry what they need: a request id (``demo:cancel:<request>:<owner>``) or the id of the
stored demo call (``demo:code:<run>``, ``demo:again:<run>``), so the buttons keep working after a
restart, or say politely that what they refer to is gone. :class:`~cogs.demos._cog.DemosCog`
answers them.
"""

from __future__ import annotations

import io
from typing import Any

import discord

from bot.checks import is_moderator
from bot.components import Arg, Feature, link_button, persistent_view
from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.errors import UserFacingError
from bot.interactions import Interaction
from bot.replies import reply

DEMOS = Feature("demo", "The model demos", guild_only=False)
SAMPLING_TASKS = ("text-generation",)
#: A request id in a Cancel button's id (``demo-<interaction id>``, ``attention-<interaction id>``).
REQUEST_ID = r"[\w-]+"
#: A stored call in a button's id: its key, or its row id (buttons posted before keys).
RUN_KEY = Arg(DemoRunStore.KEY_PATTERN, str)


def waiting_view(request_id: str, owner_id: int) -> discord.ui.View:
    """The buttons under a queued request."""
    return persistent_view(DEMOS.button("cancel", request_id, owner_id, label="Cancel", emoji="✖️"))


def result_view(key: str, task: str, params: dict[str, Any], course_url: str) -> discord.ui.View:
    """The buttons under a result: Show code, Run again (sampling), Learn more (the course)."""
    sampling = task in SAMPLING_TASKS and params.get("do_sample")
    return persistent_view(
        DEMOS.button("code", key, label="Show code", emoji="🐍"),
        DEMOS.button("again", key, label="Run again", emoji="🔁", style=discord.ButtonStyle.primary)
        if sampling
        else None,
        link_button("Learn more", course_url, emoji="📖"),
    )


async def cancel_request(interaction: Interaction, request_id: str, owner_id: int) -> None:
    """Cancel: take a queued request out of the queue (the member who asked, or a moderator)."""
    roles = interaction.client.settings.moderator_roles
    if interaction.user.id != owner_id and not is_moderator(interaction.user, roles):
        raise UserFacingError("Only the member who asked, or a moderator, can cancel this request.")
    pool = interaction.client.pool
    if pool is None or not pool.cancel(request_id):
        raise UserFacingError("This request is no longer waiting: it already ran, or the bot restarted.")
    # The demo's own task edits the message to say it was cancelled.
    await interaction.response.defer()


async def stored_run(interaction: Interaction, key: str, too_old: str) -> DemoRun:
    """The demo call a button refers to, as seen from where it was pressed, or ``too_old``.

    A call belongs to its server (a direct message's call to its member): pressed anywhere else,
    it is as unknown as a forgotten one.
    """
    run = await DemoRunStore(interaction.client.db).find(
        key, guild_id=interaction.guild_id, user_id=interaction.user.id
    )
    if run is None:
        raise UserFacingError(too_old)
    return run


async def send_code(interaction: discord.Interaction[Any], code: str) -> None:
    """The snippet in a code block, or as ``demo.py`` when too long for a message."""
    block = f"```python\n{code}```"
    if len(block) <= 1950:
        await reply(interaction, block, ephemeral=True)
        return
    await reply(
        interaction,
        "The code is long (it holds your whole input), so here it is as a file:",
        files=[discord.File(_bytes(code), filename="demo.py")],
        ephemeral=True,
    )


def _bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))
