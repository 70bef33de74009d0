"""The demo buttons: Cancel (while queued), Show code, Run again, Learn more.

Each is a :class:`discord.ui.DynamicItem` whose custom id carries what it needs (a request id,
or the id of the stored demo call), so the buttons keep working after a restart — or say
politely that what they refer to is gone.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import is_moderator
from bot.components import cog_for, routed_errors
from bot.db.demo_runs import DemoRunStore
from bot.errors import UserFacingError
from bot.replies import reply

if TYPE_CHECKING:
    from cogs.demos._cog import Demos

SAMPLING_TASKS = ("text-generation",)


def _demos(interaction: discord.Interaction) -> Demos:
    from cogs.demos._cog import Demos

    return cog_for(interaction.client, Demos, "The model demos")


class CancelButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"demo:cancel:(?P<request>[\w-]+):(?P<owner>\d+)"
):
    """Take a queued request out of the queue (the member who asked, or a moderator)."""

    def __init__(self, request_id: str, owner_id: int) -> None:
        self.request_id, self.owner_id = request_id, owner_id
        super().__init__(
            discord.ui.Button(
                label="Cancel",
                style=discord.ButtonStyle.secondary,
                emoji="✖️",
                custom_id=f"demo:cancel:{request_id}:{owner_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> CancelButton:
        return cls(match["request"], int(match["owner"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        roles = interaction.client.settings.moderator_roles  # type: ignore[attr-defined]
        if interaction.user.id != self.owner_id and not is_moderator(interaction.user, roles):
            raise UserFacingError("Only the member who asked, or a moderator, can cancel this request.")
        pool = interaction.client.pool  # type: ignore[attr-defined]
        if pool is None or not pool.cancel(self.request_id):
            raise UserFacingError("This request is no longer waiting: it already ran, or the bot restarted.")
        # The demo's own task edits the message to say it was cancelled.
        await interaction.response.defer()


class ShowCodeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"demo:code:(?P<run>\d+)"):
    """Show, ephemerally, the transformers code that reproduces this call."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(
            discord.ui.Button(
                label="Show code",
                style=discord.ButtonStyle.secondary,
                emoji="🐍",
                custom_id=f"demo:code:{run_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> ShowCodeButton:
        return cls(int(match["run"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        run = await DemoRunStore(interaction.client.db).get(self.run_id)  # type: ignore[attr-defined]
        if run is None:
            raise UserFacingError("This demo is too old: its code is no longer kept. Run the command again.")
        await _demos(interaction).show_code(interaction, run)


class RunAgainButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"demo:again:(?P<run>\d+)"):
    """Run the same sampling call again (a new answer each time)."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(
            discord.ui.Button(
                label="Run again",
                style=discord.ButtonStyle.primary,
                emoji="🔁",
                custom_id=f"demo:again:{run_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> RunAgainButton:
        return cls(int(match["run"]))

    @routed_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        run = await DemoRunStore(interaction.client.db).get(self.run_id)  # type: ignore[attr-defined]
        if run is None:
            raise UserFacingError("This demo is too old to run again. Use the command instead.")
        await _demos(interaction).run_again(interaction, run)


DYNAMIC_ITEMS = (CancelButton, ShowCodeButton, RunAgainButton)


def waiting_view(request_id: str, owner_id: int) -> discord.ui.View:
    """The buttons under a queued request."""
    view = discord.ui.View(timeout=None)
    view.add_item(CancelButton(request_id, owner_id))
    return view


def result_view(run_id: int, task: str, params: dict[str, Any], course_url: str) -> discord.ui.View:
    """The buttons under a result: Show code, Run again (sampling), Learn more (the course)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ShowCodeButton(run_id))
    if task in SAMPLING_TASKS and params.get("do_sample"):
        view.add_item(RunAgainButton(run_id))
    view.add_item(
        discord.ui.Button(label="Learn more", style=discord.ButtonStyle.link, url=course_url, emoji="📖")
    )
    return view


async def send_code(interaction: discord.Interaction, code: str) -> None:
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
