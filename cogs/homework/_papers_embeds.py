"""Embeds for /papers, built from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.db.papers import Paper
from bot.replies import truncate

COLOUR = discord.Colour(0x7B68EE)
EMBED_BUDGET = 5500  # of Discord's 6000 characters per message


def _link(text: str, url: str) -> str:
    """A masked link whose text cannot break the markdown."""
    label = text.replace("[", "(").replace("]", ")").replace("*", "").strip() or url
    return f"[{truncate(label, 100)}]({url.replace(')', '%29')})"


def paper_links(paper: Paper) -> str:
    """``[Paper](…) · [arXiv](…) · companion: [The Illustrated Transformer](…)``."""
    parts = [_link("Paper", paper.url)]
    if paper.arxiv_url and paper.arxiv_url != paper.url:
        parts.append(_link(f"arXiv {paper.arxiv_id}", paper.arxiv_url))
    elif paper.arxiv_id:
        parts[0] = _link(f"arXiv {paper.arxiv_id}", paper.url)
    if paper.companion_url:
        parts.append("companion: " + _link(paper.companion_title or "read first", paper.companion_url))
    return " · ".join(parts)


def reading_list_embed(
    papers: Sequence[Paper],
    *,
    read: set[int],
    voted: set[int],
    read_counts: Mapping[int, int],
    vote_counts: Mapping[int, int],
    heading: str,
    page: int = 0,
    pages: int = 1,
    total: int | None = None,
) -> discord.Embed:
    """One page of the list: a field per paper (✅ when the reader has read it), with links, reads
    and votes."""
    embed = discord.Embed(title=truncate(heading, 256), colour=COLOUR)
    used = len(embed.title or "")
    shown = 0
    for paper in papers:
        mark = "✅ " if paper.id in read else ""
        name = truncate(f"{mark}{paper.title}", 256)
        counts = f"📖 {read_counts.get(paper.id, 0)} read · 👍 {vote_counts.get(paper.id, 0)}"
        if paper.id in voted:
            counts += " (your vote)"
        value = truncate(f"{paper.group}\n{paper_links(paper)}\n{counts}", 1024)
        if shown == 25 or used + len(name) + len(value) > EMBED_BUDGET:
            break
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
        shown += 1
    hidden = len(papers) - shown
    count = total if total is not None else len(papers)
    footer = f"{count} paper{'s' if count != 1 else ''} · ✅ read · mark one read or vote below"
    if pages > 1:
        footer = f"Page {page + 1} of {pages} · " + footer
    if hidden:
        footer = f"…and {hidden} more: narrow it with week: or theme:. " + footer
    embed.set_footer(text=footer)
    return embed


def votes_embed(papers: Sequence[Paper], vote_counts: Mapping[int, int], *, limit: int = 5) -> discord.Embed:
    """The papers with most votes for the next session."""
    ranked = sorted((p for p in papers if vote_counts.get(p.id)), key=lambda p: (-vote_counts[p.id], p.id))
    lines = [
        f"{n}. **{truncate(p.title, 120)}** — 👍 {vote_counts[p.id]}" for n, p in enumerate(ranked[:limit], 1)
    ]
    return discord.Embed(
        title="Votes for the next paper", description="\n".join(lines) or "No votes yet.", colour=COLOUR
    )


def progress_embed(
    papers: Sequence[Paper], readers: Mapping[int, Sequence[str]], heading: str
) -> discord.Embed:
    """Who has read what (for moderators)."""
    embed = discord.Embed(title=truncate(heading, 256), colour=COLOUR)
    used = len(embed.title or "")
    for index, paper in enumerate(papers):
        names = readers.get(paper.id, [])
        value = f"{len(names)} read" + (": " + ", ".join(names) if names else "")
        value = truncate(value, 1024)
        name = truncate(f"{paper.group} · {paper.title}", 256)
        if index == 25 or used + len(name) + len(value) > EMBED_BUDGET:
            embed.set_footer(text=f"…and {len(papers) - index} more: narrow it with week:.")
            break
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    return embed


__all__ = ["paper_links", "progress_embed", "reading_list_embed", "votes_embed"]
