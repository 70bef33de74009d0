"""Turning what a member typed, attached or linked into model inputs, with clear refusals."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from bot.errors import UserFacingError

MAX_LABELS = 10
MAX_LABEL_CHARS = 50
MAX_FILE_BYTES = 200_000
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".csv", ".rst")
MESSAGE_LINK = re.compile(
    r"^https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(?P<guild>\d+|@me)/(?P<channel>\d+)/(?P<message>\d+)/?$"
)


def parse_labels(raw: str, *, multi_label: bool) -> list[str]:
    """Comma-separated candidate labels: 1–10 distinct ones of ≤ 50 characters (2+ unless multi_label)."""
    labels = [label.strip() for label in raw.split(",") if label.strip()]
    if not labels:
        raise UserFacingError(
            "Give at least one label, separated by commas, e.g. `education, politics, business`."
        )
    if len(labels) > MAX_LABELS:
        raise UserFacingError(f"Give at most {MAX_LABELS} labels (you gave {len(labels)}).")
    too_long = [label for label in labels if len(label) > MAX_LABEL_CHARS]
    if too_long:
        raise UserFacingError(
            f"Each label is at most {MAX_LABEL_CHARS} characters; {too_long[0][:60]!r} is longer."
        )
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            raise UserFacingError(f"The label {label!r} is given twice; each label must be different.")
        seen.add(label.casefold())
    if len(labels) == 1 and not multi_label:
        raise UserFacingError(
            "With one label the scores are always 100%. Give two or more labels, "
            "or set multi_label to true to score that one label on its own."
        )
    return labels


@dataclass(frozen=True)
class Source:
    """Where a member's text is: typed (``text``), or to be read after acknowledging (``read``)."""

    text: str | None = None
    read: Callable[[], Awaitable[str]] | None = None


def source_of(
    interaction: discord.Interaction,
    name: str,
    options: tuple[str, str, str],
    text: str | None,
    link: str | None,
    file: discord.Attachment | None,
) -> Source:
    """Exactly one of: typed ``text``, a message ``link``, a text ``file`` — checked without reading.

    ``options`` are the three option names as the command calls them (for the refusals). What can
    be refused from the option itself (a file's kind and size, a link's shape and server) is refused
    here, before anything is posted; reading the file or the message (network) is left to
    :attr:`Source.read`, for after the acknowledgement.
    """
    given = [
        option for option, value in zip(options, (text, link, file), strict=True) if value not in (None, "")
    ]
    listed = ", ".join(f"`{option}`" for option in options)
    if not given:
        raise UserFacingError(f"Give the {name} in one of: {listed}.")
    if len(given) > 1:
        raise UserFacingError(f"Give the {name} in only one of: {listed}.")
    if link:
        match = parse_message_link(interaction, link)
        return Source(read=lambda: read_message_link(interaction, match))
    if file is not None:
        check_text_file(file)
        return Source(read=lambda: read_text_file(file))
    assert text is not None
    return Source(text=text)


def check_text_file(attachment: discord.Attachment) -> None:
    """Refuse an attachment that is not a text file, or too large (from its metadata only)."""
    content_type = (attachment.content_type or "").split(";")[0].strip()
    is_text = content_type.startswith("text/") or attachment.filename.lower().endswith(TEXT_SUFFIXES)
    if not is_text:
        raise UserFacingError(f"{attachment.filename} is not a text file; attach a .txt or .md file.")
    if attachment.size > MAX_FILE_BYTES:
        raise UserFacingError(
            f"{attachment.filename} is {attachment.size // 1000} kB; "
            f"text files up to {MAX_FILE_BYTES // 1000} kB work."
        )


async def read_text_file(attachment: discord.Attachment) -> str:
    """A text attachment's content (UTF-8), refusing other kinds of files and large ones."""
    check_text_file(attachment)
    data = await attachment.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFacingError(f"{attachment.filename} is not UTF-8 text.") from None
    if not text.strip():
        raise UserFacingError(f"{attachment.filename} is empty.")
    return text


def parse_message_link(interaction: discord.Interaction, link: str) -> re.Match[str]:
    """A message link's parts, refusing what is not a link to a message of this server."""
    match = MESSAGE_LINK.match(link.strip())
    if match is None:
        raise UserFacingError("That is not a message link; use **Copy Message Link** on the message.")
    if interaction.guild is None or match["guild"] != str(interaction.guild.id):
        raise UserFacingError("Link a message from this server.")
    return match


async def read_message_link(interaction: discord.Interaction, match: re.Match[str]) -> str:
    """The text of a message in this server that the member can read (``match``: its link's parts)."""
    assert interaction.guild is not None  # parse_message_link refused other links
    channel = interaction.guild.get_channel_or_thread(int(match["channel"]))
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        raise UserFacingError("I can't see the channel of that message.")
    member = interaction.user
    if isinstance(member, discord.Member):
        permissions = channel.permissions_for(member)
        if not (permissions.read_messages and permissions.read_message_history):
            raise UserFacingError("You can't read that channel, so I won't read it for you.")
    try:
        message = await channel.fetch_message(int(match["message"]))
    except discord.NotFound:
        raise UserFacingError("That message no longer exists.") from None
    except discord.Forbidden:
        raise UserFacingError("I don't have permission to read that channel's messages.") from None
    parts = [message.content] + [embed.description or "" for embed in message.embeds]
    text = "\n\n".join(part for part in parts if part.strip())
    if not text.strip():
        own = interaction.client.user is not None and message.author.id == interaction.client.user.id
        if not own and not interaction.client.intents.message_content:
            raise UserFacingError(
                "Discord hides other members' message text from me unless the Message Content intent is "
                "on (a moderator can enable it in the developer portal and set MESSAGE_CONTENT_INTENT=true). "
                "Paste the text or attach it as a file instead."
            )
        raise UserFacingError("That message has no text to read.")
    return text
