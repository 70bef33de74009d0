"""Embeds for /resources, built from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.db.resources import ImportReport, Resource
from bot.embeds import fit_one
from bot.replies import truncate

PAGE_SIZE = 6
#: Each of a page's entries gets at most this much (name and value), so a full page of the longest
#: resources stays within Discord's 6,000 characters per message.
ENTRY_BUDGET = 900
COLOUR = discord.Colour(0xFFD21E)  # Hugging Face yellow
CATEGORY_ICONS = {
    "setup": "🛠️",
    "course": "🎓",
    "fastai": "⚡",
    "libraries": "📦",
    "papers": "📄",
    "podcasts": "🎙️",
    "tools": "🧰",
    "community": "👥",
}


def category_label(category: str) -> str:
    """``🎓 course``."""
    return f"{CATEGORY_ICONS.get(category, '🔗')} {category}"


def _tags(resource: Resource) -> str:
    return " ".join(f"`{tag}`" for tag in resource.tags)


def resource_embed(resource: Resource, *, shared_by: str | None = None) -> discord.Embed:
    """One resource: its title links to it; description, category and tags below."""
    embed = discord.Embed(
        title=truncate(resource.title, 256),
        url=resource.url,
        description=resource.description or None,
        colour=COLOUR,
    )
    embed.add_field(name="Category", value=category_label(resource.category))
    if resource.tags:
        embed.add_field(name="Tags", value=truncate(_tags(resource), 1024))
    embed.add_field(name="Link", value=truncate(resource.url, 1024), inline=False)
    if shared_by:
        embed.set_footer(text=truncate(f"Shared by {shared_by} · /resources show", 2048))
    return embed


def page_count(total: int) -> int:
    return max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)


def list_embed(resources: Sequence[Resource], page: int, category: str | None) -> discord.Embed:
    """Page ``page`` (from 0) of a list; the footer says which page of how many."""
    pages = page_count(len(resources))
    page = min(max(page, 0), pages - 1)
    shown = resources[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    title = f"Resources · {category_label(category)}" if category else "Resources"
    embed = discord.Embed(title=title, colour=COLOUR)
    for item in shown:
        lines = [item.url]
        if item.description:
            lines.append(truncate(item.description, 200))
        extra = category_label(item.category) if category is None else ""
        if item.tags:
            extra = f"{extra} · {_tags(item)}" if extra else _tags(item)
        if extra:
            lines.append(truncate(extra, 200))
        name = truncate(item.title, 256)
        embed.add_field(name=name, value=truncate("\n".join(lines), ENTRY_BUDGET - len(name)), inline=False)
    noun = "resource" if len(resources) == 1 else "resources"
    embed.set_footer(text=f"Page {page + 1} of {pages} · {len(resources)} {noun}")
    return fit_one(embed, note="{count} more on this page: open them with /resources show")


def search_embed(query: str, results: Sequence[Resource]) -> discord.Embed:
    """The best matches for a search, best first."""
    embed = discord.Embed(title=truncate(f"Resources matching “{query}”", 256), colour=COLOUR)
    for index, item in enumerate(results, start=1):
        lines = [item.url, category_label(item.category)]
        if item.description:
            lines.insert(1, truncate(item.description, 150))
        embed.add_field(
            name=truncate(f"{index}. {item.title}", 256), value=truncate("\n".join(lines), 1024), inline=False
        )
    embed.set_footer(text="Open one with /resources show, or post it with /resources share.")
    return fit_one(embed, note="{count} more matches: add words to narrow the search")


def _lines(items: Sequence[str], limit: int = 1024) -> str:
    text = ""
    for index, item in enumerate(items):
        line = f"• {item}\n"
        if len(text) + len(line) > limit - 20:
            return text + f"…and {len(items) - index} more"
        text += line
    return text.rstrip("\n")


def import_embed(report: ImportReport, source: str, *, starter: bool = False) -> discord.Embed:
    """What an import or the starter pack added, skipped and rejected."""
    name = "Starter pack" if starter else f"Import of {source}"
    if report.written:
        title = f"{name}: {len(report.added)} added"
    elif report.rejected:
        title = f"{name}: nothing imported"
    else:
        title = f"{name}: nothing new to add"
    embed = discord.Embed(title=truncate(title, 256), colour=COLOUR)
    if report.rejected and not report.written:
        embed.description = (
            f"{len(report.rejected)} of the entries are invalid, so nothing was saved (an import lands "
            "whole or not at all). Fix them and import again, or import with `skip_invalid:true` to "
            "save the valid ones."
        )
    elif not report.written:
        embed.description = "Everything in it is already saved: nothing was added."
    verb = "Added" if report.written else "Would add"
    if report.added:
        embed.add_field(name=f"{verb} ({len(report.added)})", value=_lines(report.added), inline=False)
    if report.skipped:
        skipped = [f"{title} — {why}" for title, why in report.skipped]
        embed.add_field(
            name=f"Skipped as duplicates ({len(report.skipped)})", value=_lines(skipped), inline=False
        )
    if report.rejected:
        rejected = [f"{label}: {why}" for label, why in report.rejected]
        embed.add_field(name=f"Rejected ({len(report.rejected)})", value=_lines(rejected), inline=False)
    return embed


__all__ = [
    "PAGE_SIZE",
    "category_label",
    "import_embed",
    "list_embed",
    "page_count",
    "resource_embed",
    "search_embed",
]
