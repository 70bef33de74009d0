"""Threads (docs/resources/channel#start-thread-from-message, #start-thread-without-message):

- A thread's ``name`` is 1 to 100 characters.
- ``auto_archive_duration`` is one of 60, 1440, 4320 or 10080 minutes.
- ``rate_limit_per_user`` is 0 to 21600 seconds.
- Without a message, ``type`` is a thread type: 10 (announcement), 11 (public) or 12 (private).
- A thread cannot be started inside a thread, nor twice from one message (160004 "A thread has
  already been created for this message", checked by the double's server where it knows the message).
"""

from __future__ import annotations

from typing import Any

from bot.local.rules._problems import Problem, is_int, length_between, not_allowed

RULE = "thread"
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
THREAD_TYPES = (10, 11, 12)
SLOWMODE_MAX = 21600


def check_thread(payload: dict[str, Any], *, from_message: bool) -> list[Problem]:
    """Breaches of a start-thread request body."""
    problems = list(length_between(RULE, ("name",), "thread name", payload.get("name"), 1, 100))
    if problems:  # keep the double's historical wording for the name rule
        length = len(payload.get("name") or "")
        problems = [
            Problem(RULE, f"thread name of {length} characters (1 to 100)", ("name",), p.code, p.message)
            for p in problems
        ]
    duration = payload.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        problems.append(
            Problem(
                RULE,
                f"auto_archive_duration {duration!r} is not one of {', '.join(map(str, ARCHIVE_DURATIONS))}",
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {set(ARCHIVE_DURATIONS)}.",
            )
        )
    slowmode = payload.get("rate_limit_per_user")
    if slowmode is not None and (not is_int(slowmode) or not 0 <= slowmode <= SLOWMODE_MAX):
        problems.append(
            not_allowed(RULE, ("rate_limit_per_user",), f"rate_limit_per_user {slowmode!r} is not 0 to 21600")
        )
    kind = payload.get("type")
    if not from_message and kind is not None and kind not in THREAD_TYPES:
        problems.append(not_allowed(RULE, ("type",), f"thread type {kind!r} is not 10, 11 or 12"))
    return problems


__all__ = ["ARCHIVE_DURATIONS", "check_thread"]
