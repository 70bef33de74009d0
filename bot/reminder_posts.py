"""Posting a reminder so that a retried attempt never shows it twice.

:mod:`bot.scheduler` retries a reminder whose attempt failed or was cut short (it explains why
delivery works this way). A cut-short attempt may still have been posted: Discord stored the
message and the answer was lost. So every reminder message carries the reminder's nonce twice:

- as Discord's message ``nonce`` (discord.py adds ``enforce_nonce``): for a few minutes Discord
  itself answers a repeat with the message it already has;
- as a marker we control, ``ref <nonce>`` at the end of the embed footer, which lasts. Before a
  retry posts anywhere, it reads that destination's latest :data:`SCAN_LIMIT` messages and takes
  the bot's own message with the marker, if there is one, as the reminder already delivered.

The marker is visible (a short reference under the reminder), which is the price of a check that
needs no state outside the message itself. A destination whose history the bot may not read
(no Read Message History) is posted to with only the nonce to protect it, with one warning.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.db.reminders import Reminder

log = logging.getLogger(__name__)

#: How many of a destination's latest messages a retry reads looking for the marker.
SCAN_LIMIT = 100
FOOTER_LIMIT = 2048  # Discord's limit on an embed footer's text


def nonce_of(reminder: Reminder) -> str:
    """The nonce its claim gave ``reminder`` (posting an unclaimed reminder is a bug)."""
    if reminder.nonce is None:
        raise ValueError(f"reminder {reminder.id} has no nonce: it was not claimed")
    return reminder.nonce


def marker(reminder: Reminder) -> str:
    """The text that identifies this reminder's message."""
    return f"ref {nonce_of(reminder)}"


def marked(embed: discord.Embed, reminder: Reminder) -> discord.Embed:
    """``embed`` with the reminder's marker at the end of its footer (the footer kept within limits)."""
    tail = marker(reminder)
    text = embed.footer.text or ""
    if text:
        room = FOOTER_LIMIT - len(tail) - 3
        text = (text if len(text) <= room else text[: room - 1] + "…") + " · "
    embed.set_footer(text=text + tail, icon_url=embed.footer.icon_url)
    return embed


def carries(message: discord.Message, reminder: Reminder, author_id: int) -> bool:
    """Whether ``message`` is the bot's own post of this reminder."""
    if message.author.id != author_id:
        return False
    tail = marker(reminder)
    return any((embed.footer.text or "").endswith(tail) for embed in message.embeds)


async def find_posted(
    destination: discord.abc.Messageable, reminder: Reminder, author_id: int
) -> discord.Message | None:
    """The message an earlier attempt posted for ``reminder`` in ``destination``, if any.

    Raises :class:`discord.Forbidden` when the bot may not read the destination's history.
    """
    async for message in destination.history(limit=SCAN_LIMIT):
        if carries(message, reminder, author_id):
            return message
    return None


async def post_reminder(
    client: discord.Client,
    destination: discord.abc.Messageable,
    reminder: Reminder,
    *,
    embed: discord.Embed,
    **options: Any,
) -> discord.Message:
    """Post ``reminder``'s message (``embed`` and ``options`` as for ``send``) unless an earlier
    attempt already did; returns the message either way."""
    assert client.user is not None
    embed = marked(embed, reminder)
    if reminder.attempts > 1:
        try:
            found = await find_posted(destination, reminder, client.user.id)
        except discord.Forbidden:
            log.warning(
                "Reminder %d: cannot read the history of its destination to check for an earlier "
                "post; posting with its nonce only",
                reminder.id,
            )
        else:
            if found is not None:
                log.info(
                    "Reminder %d was already posted by an earlier attempt (message %d): not posting it again",
                    reminder.id,
                    found.id,
                )
                return found
    return await destination.send(embed=embed, nonce=nonce_of(reminder), **options)


__all__ = ["SCAN_LIMIT", "carries", "find_posted", "marked", "marker", "post_reminder"]
