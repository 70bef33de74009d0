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
from discord.utils import MISSING

from bot.replies import NO_MENTIONS, edit_original, reply


async def acknowledge(interaction: discord.Interaction[Any], *, ephemeral: bool = True) -> None:
    """Answer with a "thinking…" placeholder (only the member sees it when ``ephemeral``)."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def acknowledge_update(interaction: discord.Interaction[Any]) -> None:
    """Answer a button or menu press by keeping its message, to be edited with :func:`update_message`."""
    if not interaction.response.is_done():
        await interaction.response.defer()


async def update_message(
    interaction: discord.Interaction[Any],
    *,
    content: str | None = MISSING,
    embed: discord.Embed | None = MISSING,
    view: discord.ui.View | None = MISSING,
) -> None:
    """Edit the message a button or menu is on: at once, or after :func:`acknowledge_update`.

    Left out, ``content``, ``embed`` and ``view`` stay as they are (``None`` removes them).
    Mentions are off: nothing a member typed can ping anyone. After an acknowledgement the edit
    waits for the first responses of a burst, like every later edit (:func:`bot.replies.edit_original`).
    """
    embeds: list[discord.Embed] = MISSING
    if embed is not MISSING:
        embeds = [] if embed is None else [embed]
    if interaction.response.is_done():
        await edit_original(interaction, content=content, embeds=embeds, view=view, private=True)
        return
    # MISSING is discord.py's own default there too: a part left out stays as it is.
    response = interaction.response
    await response.edit_message(content=content, embeds=embeds, view=view, allowed_mentions=NO_MENTIONS)


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
