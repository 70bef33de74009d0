"""Checks on the text members type, shared by the stores and the cogs."""

from __future__ import annotations

from bot.errors import UserFacingError


def one_line(text: str, limit: int, what: str = "The title") -> str:
    """``text`` on one line with its white space folded, if it is 1 to ``limit`` characters."""
    value = " ".join(text.split())
    if not value:
        raise UserFacingError(f"{what} is empty.")
    if len(value) > limit:
        raise UserFacingError(f"{what} is {len(value)} characters long; the limit is {limit}.")
    return value


__all__ = ["one_line"]
