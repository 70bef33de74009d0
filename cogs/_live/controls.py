"""The controls of a model command's message: Cancel while it waits, then Show code and Run again.

Their ids carry what they need: a request id (``demo:cancel:<request>:<owner>``) or the key of the
stored call (``demo:code:<key>``, ``demo:again:<key>``), so the buttons keep working after a
restart, or say politely that what they refer to is gone. The demos cog registers these actions
(the ``demo`` feature); Cancel serves every model command.
"""

from __future__ import annotations

import io
from typing import Any

import discord

from bot.checks import is_moderator
from bot.components import Arg, Feature, number, persistent_view
from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.errors import UserFacingError
from bot.replies import reply
from cogs._live.code import CODE_FILE, Snippet, code_message

DEMOS = Feature("demo", "The model demos", guild_only=False)
#: A request id in a Cancel button's id (``demo-<interaction id>``, ``attention-<interaction id>``).
REQUEST_ID = r"[\w-]+"


def run_key(text: str) -> str:
    """A stored call's key, or its row id (refused, ValueError, beyond what SQLite can store)."""
    if text.isdecimal():
        number(text)
    return text


#: A stored call in a button's id: its key, or its row id (buttons posted before keys).
RUN_KEY = Arg(DemoRunStore.KEY_PATTERN, run_key)


def waiting_view(request_id: str, owner_id: int) -> discord.ui.View:
    """The buttons under a queued request."""
    return persistent_view(DEMOS.button("cancel", request_id, owner_id, label="Cancel", emoji="✖️"))


async def cancel_request(interaction: discord.Interaction[Any], request_id: str, owner_id: int) -> None:
    """Cancel: take a queued request out of the queue (the member who asked, or a moderator)."""
    roles = interaction.client.settings.moderator_roles
    if interaction.user.id != owner_id and not is_moderator(interaction.user, roles):
        raise UserFacingError("Only the member who asked, or a moderator, can cancel this request.")
    backend = interaction.client.backend
    if backend is None or not backend.cancel(request_id):
        raise UserFacingError("This request is no longer waiting: it already ran, or the bot restarted.")
    # The request's own task edits the message to say it was cancelled.
    await interaction.response.defer()


async def stored_run(
    interaction: discord.Interaction[Any], key: str, too_old: str, *, task: str | None = None
) -> DemoRun:
    """The stored call a control refers to, as seen from where it was pressed, or ``too_old``.

    A call belongs to its server (a direct message's call to its member): pressed anywhere else,
    it is as unknown as a forgotten one. ``task`` refuses a call of another task the same way.
    """
    run = await DemoRunStore(interaction.client.db).find(
        key, guild_id=interaction.guild_id, user_id=interaction.user.id
    )
    if run is None or (task is not None and run.task != task):
        raise UserFacingError(too_old)
    return run


async def send_code(interaction: discord.Interaction[Any], snippet: Snippet) -> None:
    """The snippet, ephemerally: in the message, or as ``demo.py`` when too long for one."""
    content, attached = code_message(snippet)
    files = [discord.File(io.BytesIO(attached.encode("utf-8")), filename=CODE_FILE)] if attached else []
    await reply(interaction, content, files=files, ephemeral=True)
