"""Reminder lead times as moderators type them (``30``, ``2 hours``, ``1 day``, ``off``) and read them.

Written by hand: the grammar is a number and a unit, and the libraries that parse durations
(dateparser reads moments, not lengths) would accept far more than a lead time should be.
"""

from __future__ import annotations

import re

from bot.errors import UserFacingError

#: Stored for an area whose reminders are turned off.
OFF = 0
#: The longest lead: two weeks.
MAX_MINUTES = 14 * 24 * 60

_UNITS = {
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "d": 24 * 60,
    "day": 24 * 60,
    "days": 24 * 60,
    "w": 7 * 24 * 60,
    "week": 7 * 24 * 60,
    "weeks": 7 * 24 * 60,
}
_TOKEN = re.compile(r"[0-9]{1,5}|[a-z]+")
_OFF_WORDS = {"off", "none", "no", "never", "0"}


def parse_lead(text: str) -> int:
    """Minutes from ``45``, ``90 min``, ``2 hours``, ``1 day``, ``1h30``, ``1 day 2 hours``; 0 for ``off``."""
    value = " ".join(text.lower().replace(",", " ").replace(" and ", " ").split())
    if value in _OFF_WORDS:
        return OFF
    tokens = _TOKEN.findall(value)
    total, index, valid = 0, 0, "".join(tokens) == value.replace(" ", "") and bool(tokens)
    while valid and index < len(tokens):
        number = tokens[index]
        unit = tokens[index + 1] if index + 1 < len(tokens) and tokens[index + 1].isalpha() else None
        if not number.isdecimal() or (unit is not None and unit not in _UNITS):
            valid = False
            break
        if unit is None and index + 1 < len(tokens):
            valid = False  # two numbers in a row
            break
        # A bare number is minutes: "45" alone, or the "30" of "1h30".
        total += int(number) * (_UNITS[unit] if unit else 1)
        index += 2 if unit else 1
    if not valid or total == 0:
        raise UserFacingError(
            f"{text.strip()[:30]!r} is not a lead time: write minutes (30), or 2 hours, 1 day, "
            "1 day 12 hours, or off for no reminders."
        )
    if total > MAX_MINUTES:
        raise UserFacingError("A reminder can go out from 1 minute to 14 days before; pick a shorter time.")
    return total


def lead_text(minutes: int) -> str:
    """``30 minutes``, ``1 hour``, ``1 hour 30 minutes``, ``1 day``, ``2 days 6 hours``; ``off`` for 0."""
    if minutes <= OFF:
        return "off"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'s' if count != 1 else ''}"
        for count, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
        if count
    ]
    return " ".join(parts)


__all__ = ["MAX_MINUTES", "OFF", "lead_text", "parse_lead"]
