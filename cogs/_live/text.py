"""Member and model text in embeds: escaped, quoted, highlighted and cut within Discord's limits.

Pure functions of plain strings. Every text a member typed or a model wrote goes through
``discord.utils.escape_markdown`` (no accidental markdown) and is cut with a visible marker; the
presenter attaches the full text as a file when its ``overflow`` says something was cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.replies import ELLIPSIS, truncate

DEMO_COLOUR = discord.Colour(0xFFD21E)  # Hugging Face yellow
WAIT_COLOUR = discord.Colour.light_grey()
ERROR_COLOUR = discord.Colour.red()
BAR_WIDTH = 12
CUT = " … (cut: the full text is attached)"
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
QUOTE_PREFIX = "> "


def escape(text: str) -> str:
    """``text`` with Discord markdown escaped (shown as typed, never rendered)."""
    return discord.utils.escape_markdown(text)


def bar(score: float, width: int = BAR_WIDTH) -> str:
    """``██████░░░░░░`` for a score between 0 and 1."""
    filled = max(0, min(width, round(score * width)))
    return "█" * filled + "░" * (width - filled)


def scored_line(label: str, score: float) -> str:
    """One label with its bar and percentage."""
    return f"`{bar(score)}` **{escape(label)}** {score:.1%}"


def quote(text: str, limit: int) -> str:
    """Member or model text as a Markdown quote, escaped, at most ``limit`` characters long.

    Lines are split as :meth:`str.splitlines` splits them (``\\r``, ``\\r\\n``, ``\\x0b``, ``\\x0c``,
    ``\\x1c``–``\\x1e``, ``\\x85``, U+2028 and U+2029 as well as ``\\n``) and counted the same way: each
    shown line costs its ``> `` prefix, and each line after the first the ``\\n`` that joins it. A cut
    text ends with ``…``.
    """
    lines = escape(text).splitlines() or [""]
    shown: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        joiner = 1 if shown else 0
        last = number == len(lines) - 1
        cost = joiner + len(QUOTE_PREFIX) + len(line)
        if used + cost + (0 if last else len(ELLIPSIS)) <= limit:
            shown.append(QUOTE_PREFIX + line)
            used += cost
            continue
        room = limit - used - joiner - len(QUOTE_PREFIX)  # for this line's text and the marker
        if room > len(ELLIPSIS):
            shown.append(QUOTE_PREFIX + line[: room - len(ELLIPSIS)] + ELLIPSIS)
        elif shown:  # no room for more: the previous line ends with the marker (room was kept for it)
            shown[-1] += ELLIPSIS
        break
    return "\n".join(shown)


def field_text(text: str, limit: int = FIELD_LIMIT, marker: str = CUT) -> str:
    """Model output for a field value: escaped, cut with ``marker``, never empty."""
    return truncate(escape(text), limit, marker) or "(empty)"


def highlight(text: str, spans: Sequence[tuple[int, int, str]], limit: int) -> str:
    """``text`` with each (start, end, tag) span shown as **span**`tag`, escaped, cut to ``limit``."""
    pieces, cursor = [], 0
    for start, end, tag in sorted(spans):
        if start < cursor:
            continue
        pieces.append(escape(text[cursor:start]))
        marked = escape(text[start:end])
        pieces.append(f"**{marked}**`{tag}`" if tag else f"**__{marked}__**")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return truncate("".join(pieces), limit, CUT)


def code_list(values: Sequence[Any], limit: int = FIELD_LIMIT) -> str:
    """Values as a comma-separated code block within ``limit`` characters."""
    body = truncate(", ".join(str(v) for v in values), limit - 8, " …")
    return f"```\n{body}\n```"
