"""The error whose message a member sees: kept apart from :mod:`bot.errors`, which imports
discord.py, so that the inference worker processes can raise it without importing discord.py
(about a third of a second of every worker's start)."""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure; its message is shown to the member as an ephemeral reply.

    The message must be one plain sentence (or two) that says what went wrong and, where
    possible, what to do instead. It is never logged as an error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
