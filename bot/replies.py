"""One way to answer an interaction, whatever has been sent for it already."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

_LOADING_REPLACED = "studybot.loading_replaced"
ELLIPSIS = "…"


def truncate(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` characters, ending with ``marker`` when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))] + marker


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: Sequence[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    files: Sequence[discord.File] | None = None,
    ephemeral: bool = False,
    replace: bool = False,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> None:
    """Answer ``interaction`` with the right call for its state.

    - not answered yet: ``response.send_message``;
    - ``replace=True``, or answered with a "thinking…" defer whose placeholder is still shown:
      ``edit_original_response`` (the placeholder becomes the answer);
    - otherwise: ``followup.send``.

    Mentions are off unless ``allowed_mentions`` says otherwise: nothing a member typed or a model
    wrote can ping anyone.
    """
    mentions = allowed_mentions or discord.AllowedMentions.none()
    all_embeds = list(embeds or []) + ([embed] if embed else [])
    kwargs: dict[str, Any] = {"content": content, "embeds": all_embeds, "allowed_mentions": mentions}
    response = interaction.response
    if not response.is_done():
        if view is not None:
            kwargs["view"] = view
        await response.send_message(**kwargs, files=list(files or []), ephemeral=ephemeral)
        return
    loading = response.type is discord.InteractionResponseType.deferred_channel_message
    if replace or (loading and not interaction.extras.get(_LOADING_REPLACED)):
        interaction.extras[_LOADING_REPLACED] = True
        await interaction.edit_original_response(**kwargs, view=view, attachments=list(files or []))
        return
    if view is not None:
        kwargs["view"] = view
    await interaction.followup.send(**kwargs, files=list(files or []), ephemeral=ephemeral)
