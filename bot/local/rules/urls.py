"""URLs in message payloads: Discord accepts only well-formed http(s) URLs (and ``attachment://``
names for an embed's images, pointing at a file uploaded with the same message)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bot.local.rules._problems import Path, Problem

URL_LIMIT = 2048
WEB = ("http", "https")
IMAGE = ("http", "https", "attachment")


def url_problems(
    rule: str, path: Path, what: str, value: Any, *, schemes: tuple[str, ...] | None = WEB
) -> Iterator[Problem]:
    """Breaches of "a well-formed URL with one of ``schemes``" (http/https when None)."""
    allowed = schemes or WEB
    text = value if isinstance(value, str) else ""
    parts = urlsplit(text) if text else None
    well_formed = (
        parts is not None
        and parts.scheme in allowed
        and (bool(parts.netloc) if parts.scheme != "attachment" else bool(parts.netloc or parts.path))
        and " " not in text
    )
    if not well_formed:
        yield Problem(
            rule,
            f"{what} {str(value)[:60]!r} is not a well formed {'/'.join(allowed)} URL",
            path,
            "URL_TYPE_INVALID_URL",
            "Not a well formed URL.",
        )
    elif len(text) > URL_LIMIT:
        yield Problem(
            rule,
            f"{what} is {len(text)} characters (limit {URL_LIMIT})",
            path,
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {URL_LIMIT} or fewer in length.",
        )


__all__ = ["IMAGE", "WEB", "url_problems"]
