"""Fuzzy, ranked, case-insensitive search over a server's resources (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from bot.db.resources import Resource

_WORD = re.compile(r"[\w+#.]+")
FUZZY_CUTOFF = 0.75


def _words(text: str) -> list[str]:
    return [word.strip(".") for word in _WORD.findall(text.lower()) if word.strip(".")]


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def score(query: str, resource: Resource) -> float:
    """How well ``resource`` matches ``query`` (0: not at all). Title beats tags beats description."""
    wanted = " ".join(_words(query))
    if not wanted:
        return 1.0
    title = resource.title.lower()
    title_words = _words(resource.title)
    tags = [tag.lower() for tag in resource.tags]
    tag_words = [word for tag in tags for word in _words(tag)]
    description = resource.description.lower()
    total = 0.0
    if wanted == title:
        total += 1000
    elif title.startswith(wanted):
        total += 500
    elif wanted in title:
        total += 300
    if wanted in tags:
        total += 250
    if wanted in description:
        total += 60
    hits = 0
    for token in wanted.split():
        best = 0.0
        if token in title_words:
            best = 60
        elif any(word.startswith(token) for word in title_words):
            best = 40
        elif token in tag_words or token == resource.category:
            best = 50
        elif len(token) >= 4:
            closest = max((_similar(token, word) for word in title_words + tag_words), default=0.0)
            if closest >= FUZZY_CUTOFF:
                best = 35 * closest
        if not best and token in description:
            best = 15
        if best:
            hits += 1
        total += best
    if not total:
        whole = _similar(wanted, title)
        if whole >= 0.6:
            total += 100 * whole
    elif hits:
        total += 10 * _similar(wanted, title)
    return total


def rank(query: str, resources: Iterable[Resource], limit: int = 10) -> list[Resource]:
    """The best matches for ``query``, best first (ties by title); nothing that does not match."""
    scored = [(score(query, item), item) for item in resources]
    found = [(value, item) for value, item in scored if value > 0]
    found.sort(key=lambda pair: (-pair[0], pair[1].title.lower()))
    return [item for _, item in found[:limit]]


__all__ = ["rank", "score"]
