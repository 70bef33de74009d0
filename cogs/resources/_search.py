"""Fuzzy, ranked, case-insensitive search over a server's resources (pure functions).

Each word of the query that carries meaning is matched on its own with
`rapidfuzz <https://rapidfuzz.github.io/RapidFuzz/>`_ (``fuzz.ratio``, so ``tokenizr`` finds
``tokenizers`` and ``fasthugz`` finds ``FastHugs``; a word the title starts with counts too) against
the words of each field, weighted **title 3 > tags and category 2 > description 1**. A resource's
score is the sum of its words' best weighted matches, so one matching the most words ranks first,
and a title match outweighs a description match.

Small words (``how``, ``to``, ``and``, ``the``…) are left out of the query and of the fields: they
would make "How to generate text" the best answer to ``how to install transformers``, and ``and``
match everything. A query of small words only matches nothing. The list is short and English, as
the resources are; rapidfuzz has no stop words of its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.db.resources import Resource

_WORD = re.compile(r"[\w+#]+(?:[.\-][\w+#]+)*")

#: Words too common to say what a resource is about.
STOP_WORDS = frozenset(
    """
    a about after all also an and any are as at be been before but by can could did do does doing
    for from get getting had has have how i if in into is it its just me more my no not of on or
    our out over so some than that the their them then there these they this to too up us use
    using was we were what when where which while who why will with would you your
    """.split()  # noqa: SIM905  (a list of 80 strings would be less readable)
)

TITLE, TAGS, DESCRIPTION = 3.0, 2.0, 1.0
#: How similar (0–100) a query word must be to a field's word: typos in long words, exact short ones.
SIMILAR_LONG, SIMILAR_MEDIUM = 80.0, 88.0
#: A query word this long that starts a field's word counts as that similar ("install" → installation).
PREFIX_MIN, PREFIX_SCORE = 3, 90.0


def words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, lowercased (``pip``, ``fine-tuning``, ``c++``)."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


#: Every search reads every resource's fields: their words are kept (a field's text is its key), so
#: a burst of searches does not split the same titles and descriptions again on the event loop.
@functools.lru_cache(maxsize=16384)
def field_words(text: str) -> tuple[str, ...]:
    """A field's words, and the parts of joined ones (``fine-tuning``: also ``fine``, ``tuning``)."""
    found: list[str] = []
    for word in words(text):
        found.append(word)
        parts = re.split(r"[.\-]", word)
        if len(parts) > 1:
            found.extend(part for part in parts if part and part not in STOP_WORDS)
    return tuple(found)


def _needed(token: str) -> float:
    if len(token) <= 3:
        return 100.0  # "nlp", "bpe": exact only, else every three-letter word matches something
    return SIMILAR_MEDIUM if len(token) <= 5 else SIMILAR_LONG


def _similarity(token: str, candidates: Sequence[str]) -> float:
    """How well ``token`` matches its closest word among ``candidates`` (0: not at all)."""
    if not candidates:
        return 0.0
    if len(token) >= PREFIX_MIN and any(word.startswith(token) for word in candidates):
        return 100.0 if token in candidates else PREFIX_SCORE
    found = process.extractOne(token, candidates, scorer=fuzz.ratio, score_cutoff=_needed(token))
    return float(found[1]) if found is not None else 0.0


@dataclass(frozen=True)
class _Fields:
    title: Sequence[str]
    tags: Sequence[str]
    description: Sequence[str]

    @classmethod
    def of(cls, resource: Resource) -> _Fields:
        tags = [word for tag in resource.tags for word in field_words(tag)] + words(resource.category)
        return cls(field_words(resource.title), tags, field_words(resource.description))


#: A score depends only on the query and the resource (frozen: an edited resource is another key),
#: so a burst of members searching the same words scores each resource once, off the loop's budget.
@functools.lru_cache(maxsize=8192)
def score(query: str, resource: Resource) -> float:
    """How well ``resource`` matches ``query`` (0: not at all); an empty query matches everything."""
    tokens = list(dict.fromkeys(words(query)))
    if not tokens:
        return 0.0 if query.strip() else 1.0
    fields = _Fields.of(resource)
    total = 0.0
    for token in tokens:
        total += max(
            TITLE * _similarity(token, fields.title),
            TAGS * _similarity(token, fields.tags),
            DESCRIPTION * _similarity(token, fields.description),
        )
    if total == 0:
        return 0.0
    # Among equals, the title closest to the whole query first.
    return total + fuzz.token_set_ratio(" ".join(tokens), " ".join(fields.title)) / 100


def rank(query: str, resources: Iterable[Resource], limit: int = 10) -> list[Resource]:
    """The best matches for ``query``, best first (ties by title); nothing that does not match."""
    scored = [(score(query, item), item) for item in resources]
    found = [(value, item) for value, item in scored if value > 0]
    found.sort(key=lambda pair: (-pair[0], pair[1].title.lower()))
    return [item for _, item in found[:limit]]


def only_small_words(query: str) -> bool:
    """The query has words, but all of them are too common to search for (``and``, ``how to``)."""
    return bool(query.strip()) and not words(query)


__all__ = ["STOP_WORDS", "only_small_words", "rank", "score", "words"]
