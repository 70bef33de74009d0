"""The first response before anything slow: acknowledge, then write, read files or run models.

Discord drops an interaction that is not answered within 3 seconds. A handler that writes to the
database, reads a file or calls a model first acknowledges, so that its answer never waits on
them (a burst of writes, a busy disk): :func:`acknowledge` shows a "thinking…" placeholder that
:func:`bot.replies.reply` then replaces with the answer (or with the refusal, for a refusal found
after it); :func:`acknowledge_update` keeps the message a button is on, which
:func:`update_message` then edits. Refusals that need no slow work come first, before any of them.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.replies import reply


async def acknowledge(interaction: discord.Interaction[Any], *, ephemeral: bool = True) -> None:
    """Answer with a "thinking…" placeholder (only the member sees it when ``ephemeral``)."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def acknowledge_update(interaction: discord.Interaction[Any]) -> None:
    """Answer a button or menu press by keeping its message, to be edited with :func:`update_message`."""
    if not interaction.response.is_done():
        await interaction.response.defer()


async def update_message(interaction: discord.Interaction[Any], **changes: Any) -> None:
    """Edit the message a button or menu is on: at once, or after :func:`acknowledge_update`.

    Mentions are off: nothing a member typed can ping anyone.
    """
    changes.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.edit_original_response(**changes)
    else:
        await interaction.response.edit_message(**changes)


async def acknowledge_in_place(interaction: discord.Interaction[Any]) -> None:
    """Before the write of an action that has a button and a command form (Undo and its
    command): a press keeps its message (:func:`acknowledge_update`), a command shows a placeholder."""
    if interaction.type is discord.InteractionType.component:
        await acknowledge_update(interaction)
    else:
        await acknowledge(interaction)


async def answer_in_place(interaction: discord.Interaction[Any], text: str) -> None:
    """After :func:`acknowledge_in_place`: a press replaces its message with ``text`` (an Undo
    replaces its confirmation); a command replies, ephemerally."""
    if interaction.type is discord.InteractionType.component:
        await update_message(interaction, content=text, embed=None, view=None)
    else:
        await reply(interaction, text, ephemeral=True)


__all__ = [
    "acknowledge",
    "acknowledge_in_place",
    "acknowledge_update",
    "answer_in_place",
    "update_message",
]
