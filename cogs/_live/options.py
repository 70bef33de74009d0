"""Slash-option helpers shared by the model commands."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.inference.catalog import CatalogEntry
from bot.interactions import Interaction

#: Discord shows at most 25 suggestions, each name at most 100 characters.
MAX_CHOICES = 25
NAME_LIMIT = 100
#: A model a member names: a catalog label, an alias or a hub id (the Hub allows 96 characters).
ModelName = app_commands.Range[str, 1, NAME_LIMIT]
#: A link to a Discord message: about 90 characters, with room for ``ptb.``/``canary.`` and a query.
MessageLink = app_commands.Range[str, 1, 200]


def suggestion(entry: CatalogEntry, typed: str) -> tuple[int, str] | None:
    """How well ``typed`` matches ``entry`` (0: a whole name, 1: a name's start, 2: inside one;
    None: not at all) and the suggestion's text: label and hub id, and the alias that matched when
    neither shows it (so ``fr-en`` offers "French → English (Helsinki-NLP/opus-mt-fr-en) · fr-en")."""
    shown = f"{entry.label} ({entry.id})"
    wanted = typed.strip().casefold()
    best: tuple[int, str] | None = None
    for name in entry.names():
        folded = name.casefold()
        rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2 if wanted in folded else None
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, name)
    if best is None:
        return None
    rank, name = best
    text = shown if name.casefold() in shown.casefold() else f"{shown} · {name}"
    return rank, text[:NAME_LIMIT]


def model_autocomplete(task: str) -> Any:
    """An autocomplete callback offering the catalog's models for ``task`` (≤ 25, from memory):
    what a member may type (hub id, short id, label, alias), best matches first."""

    async def complete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        backend = interaction.client.backend
        if backend is None:
            return []
        found: list[tuple[int, int, app_commands.Choice[str]]] = []
        for order, entry in enumerate(backend.catalog.choices(task)):
            match = suggestion(entry, current)
            if match is not None:
                found.append((match[0], order, app_commands.Choice(name=match[1], value=entry.id)))
        found.sort(key=lambda item: item[:2])  # the catalog's order (default first) within a rank
        return [choice for _rank, _order, choice in found[:MAX_CHOICES]]

    return complete
