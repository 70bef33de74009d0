"""Keep a message's embeds within Discord's 6,000-character total.

Discord refuses a message whose embeds together hold more than 6,000 characters in their titles,
descriptions, field names and values, footers and author names — even when every part is within
its own limit. Every embed builder ends with :func:`fit`: it moves fields, from the last one back,
out of the embeds until the total fits, notes that in the last footer, and returns what it moved
so the caller can attach it as a file (as ``/generate`` does with ``output.txt``) or drop it
(when the note points to a narrower command). Hand-written: discord.py has no such helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

EMBED_TOTAL = 6000
FOOTER_LIMIT = 2048
DESCRIPTION_CUT = "\n… (cut)"
ATTACHED = "{count} more in the attached file"


def embed_size(embed: discord.Embed) -> int:
    """The characters ``embed`` counts towards Discord's 6,000 total."""
    total = len(embed.title or "") + len(embed.description or "")
    total += len(embed.footer.text or "") + len(embed.author.name or "")
    return total + sum(len(field.name or "") + len(field.value or "") for field in embed.fields)


def total_size(embeds: Sequence[discord.Embed]) -> int:
    """The characters of all ``embeds`` together (one message)."""
    return sum(embed_size(embed) for embed in embeds)


@dataclass(frozen=True)
class Overflow:
    """What :func:`fit` took out of the embeds, in their original order."""

    fields: tuple[tuple[str, str], ...]
    descriptions: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.fields) + len(self.descriptions)

    def text(self) -> str:
        """The removed parts as plain text, for an attached file."""
        blocks = [f"{name}\n{value}" for name, value in self.fields]
        blocks.extend(self.descriptions)
        return "\n\n".join(blocks) + "\n"


def fit(
    embeds: Sequence[discord.Embed], *, budget: int = EMBED_TOTAL, note: str = ATTACHED
) -> Overflow | None:
    """Make ``embeds`` (changed in place) fit ``budget`` characters in all; None if they already did.

    Trailing fields move out first (the last embed's, then the one before…); ``note``, with
    ``{count}`` for how many parts moved, is added to the last embed's footer. Should the titles,
    descriptions and footers alone still be too long, the longest description is cut as well.
    """
    if total_size(embeds) <= budget or not embeds:
        return None
    last = embeds[-1]
    base_footer = last.footer.text or ""
    moved: list[tuple[str, str]] = []
    cut: list[str] = []

    def note_for(count: int) -> str:
        text = note.format(count=count)
        return f"{base_footer} · {text}" if base_footer else text

    def over() -> int:
        footer = len(note_for(len(moved) + len(cut)))
        return total_size(embeds) - len(last.footer.text or "") + footer - budget

    for embed in reversed(embeds):
        while embed.fields and over() > 0:
            field = embed.fields[-1]
            moved.insert(0, (field.name or "", field.value or ""))
            embed.remove_field(len(embed.fields) - 1)
    while over() > 0:
        longest = max(embeds, key=lambda item: len(item.description or ""))
        description = longest.description or ""
        if not description:
            break
        keep = len(description) - over() - len(DESCRIPTION_CUT)
        if keep <= 0:
            cut.append(description)
            longest.description = None
            continue
        cut.append(description[keep:])
        longest.description = description[:keep] + DESCRIPTION_CUT
    last.set_footer(text=note_for(len(moved) + len(cut))[:FOOTER_LIMIT], icon_url=last.footer.icon_url)
    return Overflow(tuple(moved), tuple(cut))


def fit_one(embed: discord.Embed, *, budget: int = EMBED_TOTAL, note: str = ATTACHED) -> discord.Embed:
    """:func:`fit` for a builder that returns one embed and drops what moved out (``note`` says
    where to find it); returns ``embed``."""
    fit([embed], budget=budget, note=note)
    return embed


__all__ = ["ATTACHED", "EMBED_TOTAL", "Overflow", "embed_size", "fit", "fit_one", "total_size"]
