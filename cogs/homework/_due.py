"""Due dates typed by moderators, read in the server's time zone (pure functions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.db.reminders import remind_time
from bot.errors import UserFacingError

DUE_FORMAT = "YYYY-MM-DD HH:MM"
MAX_AHEAD = timedelta(days=5 * 366)
_DUE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})\s*$")


def parse_due(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment ``text`` (``YYYY-MM-DD HH:MM`` in ``zone``) names, in UTC.

    Refused with a sentence that says why: another format, a date not on the calendar, a time
    skipped (clocks jump forward) or repeated (clocks go back) by daylight saving time, a moment
    already past, or one more than five years ahead.
    """
    match = _DUE_RE.match(text)
    if not match:
        raise UserFacingError(
            f"Write the due date as {DUE_FORMAT}, e.g. 2026-12-01 18:00 ({zone.key} time); "
            f"{text.strip()[:40]!r} is not in that form."
        )
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute)
    except ValueError as error:
        raise UserFacingError(f"{text.strip()} is not a real date and time ({error}).") from None
    when = f"{naive:%H:%M} on {naive:%Y-%m-%d}"
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise UserFacingError(
            f"{when} does not exist in {zone.key}: the clocks jump forward that night. "
            f"Pick a time outside the skipped hour, such as {back:%H:%M}."
        )
    if first.utcoffset() != second.utcoffset():
        raise UserFacingError(
            f"{when} happens twice in {zone.key}: the clocks go back that night, so it is ambiguous. "
            "Pick a time outside the repeated hour."
        )
    due = first.astimezone(UTC)
    if due <= now:
        raise UserFacingError(
            f"{when} ({zone.key}) is already past ({discord.utils.format_dt(due, 'R')}); "
            "give a due date in the future."
        )
    if due - now > MAX_AHEAD:
        raise UserFacingError(f"{when} is more than five years away; check the year.")
    return due


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """``2026-12-01 18:00`` in ``zone`` (how a moderator would type it)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


__all__ = ["DUE_FORMAT", "local_text", "parse_due", "remind_time"]
