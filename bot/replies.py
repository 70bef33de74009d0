"""One way to answer an interaction, whatever has been sent for it already — and after its token
has expired.

Discord lets a bot edit an interaction's reply and send followups for 15 minutes; after that the
interaction webhook answers 401 "Invalid Webhook Token" (50027) or 404 "Unknown Webhook" (10015).
A job that can outlive the token (a demo queued behind others, an export paced by rate limits)
edits through :func:`edit_original`, and :func:`reply` does the same for the replies it edits or
follows up: when the token is gone, the answer is posted instead — in the interaction's channel
for a public reply, in a DM for an ephemeral one — saying what it answers and mentioning nobody.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord.utils import MISSING

from bot.intake import after_first_responses

log = logging.getLogger(__name__)

_LOADING_REPLACED = "studybot.loading_replaced"
ELLIPSIS = "…"
CONTENT_LIMIT = 2000
#: Discord's answers once an interaction token has expired (or was never valid).
TOKEN_GONE_CODES = frozenset({10015, 50027})
NO_MENTIONS = discord.AllowedMentions.none()


def truncate(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` characters, ending with ``marker`` when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))] + marker


def token_expired(error: discord.HTTPException) -> bool:
    """Whether ``error`` is Discord saying the interaction's token no longer works."""
    return error.code in TOKEN_GONE_CODES


@dataclass(frozen=True)
class Upload:
    """A file to attach, kept as bytes so it can be sent again if the first attempt fails."""

    filename: str
    data: bytes

    def file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename)

    @classmethod
    def of(cls, file: discord.File) -> Upload:
        """Read a ``discord.File`` (from where it stands) into an upload."""
        return cls(file.filename or "file", file.fp.read())


def describe(interaction: discord.Interaction) -> str:
    """What an interaction asked for, in words: "Grace's `/ner`" (no mention, markdown escaped)."""
    command = interaction.command
    name = f"`/{command.qualified_name}`" if command is not None else "request"
    member = discord.utils.escape_mentions(discord.utils.escape_markdown(interaction.user.display_name))
    return f"{member}'s {name}"


def _fallback_content(interaction: discord.Interaction, content: str | None) -> str:
    header = (
        f"↪️ The answer to {describe(interaction)}, posted here: Discord lets me update a reply for "
        "15 minutes only."
    )
    return truncate(header + (f"\n{content}" if content else ""), CONTENT_LIMIT)


async def post_instead(
    interaction: discord.Interaction,
    *,
    private: bool,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    uploads: Sequence[Upload] = (),
) -> discord.Message | None:
    """Post what the expired token can no longer deliver: in the channel, or (``private``) in a DM.

    Returns the message, or None when it could not be posted either (logged as a warning).
    """
    kwargs: dict[str, Any] = {
        "content": _fallback_content(interaction, content),
        "embeds": list(embeds),
        "files": [upload.file() for upload in uploads],
        "allowed_mentions": NO_MENTIONS,
    }
    if view is not None:
        kwargs["view"] = view
    target: discord.abc.Messageable | None = interaction.user if private else interaction.channel  # type: ignore[assignment]
    if target is None:
        log.warning("Interaction %d expired and has no channel to post its answer in", interaction.id)
        return None
    try:
        return await target.send(**kwargs)
    except discord.HTTPException as error:
        log.warning("Interaction %d expired and its answer could not be posted: %s", interaction.id, error)
        return None


async def edit_original(
    interaction: discord.Interaction,
    *,
    content: str | None = MISSING,
    embeds: Sequence[discord.Embed] = MISSING,
    view: discord.ui.View | None = MISSING,
    uploads: Sequence[Upload] | None = None,
    fallback: bool = True,
    private: bool = False,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> bool:
    """Edit the interaction's original response; True if it was edited.

    Left out, ``content``, ``embeds`` and ``view`` stay as they are; ``uploads`` replace the
    message's attachments (None keeps them). When the token has expired, the answer is posted
    instead (:func:`post_instead`, in a DM when ``private``) if ``fallback``; a progress update
    (``fallback=False``) is just dropped. Mentions are off unless ``allowed_mentions`` says otherwise.
    """
    kwargs: dict[str, Any] = {"allowed_mentions": allowed_mentions or NO_MENTIONS}
    if content is not MISSING:
        kwargs["content"] = content
    if embeds is not MISSING:
        kwargs["embeds"] = list(embeds)
    if view is not MISSING:
        kwargs["view"] = view
    if uploads is not None:
        kwargs["attachments"] = [upload.file() for upload in uploads]
    await after_first_responses(interaction.client)
    try:
        await interaction.edit_original_response(**kwargs)
    except discord.HTTPException as error:
        if not token_expired(error):
            raise
        log.info("Interaction %d's token has expired (%s)", interaction.id, error.code)
        if fallback:
            await post_instead(
                interaction,
                private=private,
                content=None if content is MISSING else content,
                embeds=() if embeds is MISSING else embeds,
                view=None if view is MISSING else view,
                uploads=uploads or (),
            )
        return False
    return True


async def delete_original(interaction: discord.Interaction) -> None:
    """Delete the interaction's original response, after the first responses of a burst; a
    response already gone (deleted, or its token expired) is no error."""
    await after_first_responses(interaction.client)
    try:
        await interaction.delete_original_response()
    except discord.NotFound:
        return
    except discord.HTTPException as error:
        if not token_expired(error):
            raise
        log.info("Interaction %d's token has expired (%s)", interaction.id, error.code)


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

    Once the interaction's token has expired, the answer is posted in the channel instead (in a DM
    when ``ephemeral``), see :func:`post_instead`.

    Mentions are off unless ``allowed_mentions`` says otherwise: nothing a member typed or a model
    wrote can ping anyone.
    """
    mentions = allowed_mentions or NO_MENTIONS
    all_embeds = list(embeds or []) + ([embed] if embed else [])
    kwargs: dict[str, Any] = {"content": content, "embeds": all_embeds, "allowed_mentions": mentions}
    response = interaction.response
    if not response.is_done():
        if view is not None:
            kwargs["view"] = view
        await response.send_message(**kwargs, files=list(files or []), ephemeral=ephemeral)
        return
    uploads = [Upload.of(file) for file in files or []]
    loading = response.type is discord.InteractionResponseType.deferred_channel_message
    if replace or (loading and not interaction.extras.get(_LOADING_REPLACED)):
        interaction.extras[_LOADING_REPLACED] = True
        await edit_original(
            interaction,
            content=content,
            embeds=all_embeds,
            view=view,
            uploads=uploads,
            private=ephemeral,
            allowed_mentions=mentions,
        )
    else:
        await follow_up(
            interaction,
            content,
            embeds=all_embeds,
            view=view,
            uploads=uploads,
            ephemeral=ephemeral,
            allowed_mentions=mentions,
        )


async def follow_up(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    uploads: Sequence[Upload] = (),
    ephemeral: bool = True,
    allowed_mentions: discord.AllowedMentions | None = None,
    wait: bool = False,
) -> discord.WebhookMessage | None:
    """Send a message after the interaction's first response (``followup.send``); with ``wait``,
    the message sent (Discord's copy of it, to edit later), else None.

    It waits for the first responses of a burst (:func:`~bot.intake.after_first_responses`) and
    mentions nobody unless ``allowed_mentions`` says otherwise. Once the token has expired, the
    message is posted instead (:func:`post_instead`, in a DM when ``ephemeral``) and None returned.
    """
    kwargs: dict[str, Any] = {
        "content": content,
        "embeds": list(embeds),
        "files": [upload.file() for upload in uploads],
        "allowed_mentions": allowed_mentions or NO_MENTIONS,
        "ephemeral": ephemeral,
    }
    if view is not None:
        kwargs["view"] = view
    await after_first_responses(interaction.client)
    try:
        if wait:
            return await interaction.followup.send(**kwargs, wait=True)
        await interaction.followup.send(**kwargs)
        return None
    except discord.HTTPException as error:
        if not token_expired(error):
            raise
        log.info("Interaction %d's token has expired (%s)", interaction.id, error.code)
        await post_instead(
            interaction, private=ephemeral, content=content, embeds=embeds, view=view, uploads=uploads
        )
        return None


__all__ = [
    "TOKEN_GONE_CODES",
    "Upload",
    "delete_original",
    "describe",
    "edit_original",
    "follow_up",
    "post_instead",
    "reply",
    "token_expired",
    "truncate",
]
