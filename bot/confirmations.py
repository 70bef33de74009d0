"""Changes that wait for the member's **Confirm**: an ambiguous date, a second announcement.

A handler that wants a yes first hands what it would do to :meth:`PendingChanges.ask` (one
:class:`PendingChanges` per cog), which keeps it and replies ephemerally with the question and a
Confirm / Cancel pair. The pair are ordinary registry buttons
(``<feature>:confirm:<key>`` and ``<feature>:drop:<key>``) answered by
:meth:`PendingChanges.actions`, which the cog lists in its ``actions()``.

The change itself (a closure over the checked options) is kept in memory for 15 minutes: it
carries more than a custom id can (a title, a description), and a confirmation is a moment's
question, not something to keep across a restart. A press after that, a second press, or a press
after a restart says the confirmation expired and that nothing was saved.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.clock import Clock
from bot.components import NUMBER, Action, Feature, persistent_view
from bot.errors import UserFacingError
from bot.replies import reply

log = logging.getLogger(__name__)

#: What the member confirms: run with the Confirm press's interaction.
Apply = Callable[[discord.Interaction[Any]], Awaitable[None]]
KEEP_FOR = timedelta(minutes=15)
EXPIRED = (
    "This confirmation has expired (or was already answered), so nothing was saved: run the command again."
)
NOT_YOURS = "Only the member who ran the command can answer this confirmation."


@dataclass(frozen=True)
class Pending:
    user_id: int
    apply: Apply
    summary: str
    expires_at: datetime


class PendingChanges:
    """The changes of one feature waiting for a Confirm, by key (the command's interaction id)."""

    def __init__(self, feature: Feature, clock: Clock) -> None:
        self.feature = feature
        self.clock = clock
        self._waiting: dict[int, Pending] = {}

    def hold(self, interaction: discord.Interaction[Any], apply: Apply, summary: str) -> int:
        """Keep ``apply`` until the member who sent ``interaction`` confirms; returns its key.

        ``summary`` says what was confirmed ("Posting Week 1 · Read…"), shown once it is.
        """
        now = self.clock.now()
        for key in [key for key, item in self._waiting.items() if item.expires_at <= now]:
            del self._waiting[key]
        key = interaction.id
        self._waiting[key] = Pending(interaction.user.id, apply, summary, now + KEEP_FOR)
        return key

    async def ask(
        self,
        interaction: discord.Interaction[Any],
        apply: Apply,
        *,
        question: str,
        summary: str,
        confirm: str,
    ) -> None:
        """Keep ``apply`` (see :meth:`hold`) and ask ``question`` with a ``confirm`` / Cancel pair."""
        key = self.hold(interaction, apply, summary)
        await reply(interaction, question, view=self.view(key, confirm=confirm), ephemeral=True)

    def view(self, key: int, *, confirm: str = "Confirm") -> discord.ui.View:
        """The Confirm / Cancel pair for the change kept under ``key``."""
        return persistent_view(
            self.feature.button("confirm", key, label=confirm, style=discord.ButtonStyle.success),
            self.feature.button("drop", key, label="Cancel"),
        )

    def actions(self) -> tuple[Action, Action]:
        """The registry's handlers of the pair (add them to the cog's ``actions()``)."""
        return Action("confirm", self._confirm, NUMBER), Action("drop", self._drop, NUMBER)

    def _take(self, interaction: discord.Interaction[Any], key: int) -> Pending | None:
        pending = self._waiting.get(key)
        if pending is None or pending.expires_at <= self.clock.now():
            self._waiting.pop(key, None)
            return None
        if pending.user_id != interaction.user.id:
            raise UserFacingError(NOT_YOURS)
        del self._waiting[key]
        return pending

    async def _confirm(self, interaction: discord.Interaction[Any], key: int) -> None:
        pending = self._take(interaction, key)
        if pending is None:
            await interaction.response.edit_message(content=EXPIRED, embed=None, view=None)
            return
        await interaction.response.edit_message(content=f"✅ {pending.summary}", view=None)
        await pending.apply(interaction)

    async def _drop(self, interaction: discord.Interaction[Any], key: int) -> None:
        pending = self._take(interaction, key)
        text = "Cancelled: nothing was saved." if pending is not None else EXPIRED
        await interaction.response.edit_message(content=text, embed=None, view=None)


__all__ = ["EXPIRED", "KEEP_FOR", "Apply", "PendingChanges"]
