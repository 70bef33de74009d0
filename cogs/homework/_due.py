"""Due dates typed by moderators, read in the server's time zone (pure functions).

``2026-12-01 18:00`` is saved as written; anything else :mod:`bot.when` reads (``friday 6pm``,
``tomorrow``, ``in 2 days``, ``2026-12-08`` alone) comes back as a :class:`Due` that says what to
check, and the command asks the moderator to confirm the date, shown as a Discord timestamp,
before anything is saved. Daylight saving time is strict here: a due time the clocks skip or
repeat is refused with a sentence, never moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.db.reminders import remind_time
from bot.errors import UserFacingError
from bot.when import END_OF_DAY, NotOnTheCalendar, Reading, read_time_of_day, read_when

DUE_FORMAT = "YYYY-MM-DD HH:MM"
#: What the options and the form say a due date may look like.
DUE_EXAMPLES = "2026-12-01 18:00, 2026-12-01, friday 6pm, in 2 days"
MAX_AHEAD = timedelta(days=5 * 366)


@dataclass(frozen=True)
class Due:
    """A due date in UTC, and why the moderator should check it (None: written exactly)."""

    at: datetime
    check: str | None = None


def due_time(setting: str | None) -> time:
    """The server's default due time (``/config due-time``), else the end of the day."""
    clock = read_time_of_day(setting) if setting else None
    return clock or END_OF_DAY


def _strict(naive: datetime, zone: ZoneInfo) -> datetime:
    """``naive`` on the wall clock of ``zone`` as a UTC instant; refused if DST skips or repeats it."""
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
    return first.astimezone(UTC)


def _check(reading: Reading, text: str, default: time) -> str | None:
    if reading.exact:
        return None
    if not reading.has_time:
        at = "the end of that day" if default == END_OF_DAY else f"the group's due time, {default:%H:%M}"
        return f"no time was given, so it is due at {at}"
    return f"check that {text.strip()[:40]!r} is the day you meant"


def read_due(text: str, zone: ZoneInfo, now: datetime, *, default: time = END_OF_DAY) -> Due:
    """The moment ``text`` names in ``zone``, in UTC, with what to check if it was not exact.

    Refused with a sentence that says why: text that reads as no date, a date not on the
    calendar, a time skipped (clocks jump forward) or repeated (clocks go back) by daylight
    saving time, a moment already past, or one more than five years ahead. A date without a time
    takes ``default`` (the end of that day unless the server set a due time).
    """
    try:
        reading = read_when(text, zone, now, default_time=default)
    except NotOnTheCalendar as error:
        raise UserFacingError(f"{text.strip()[:40]} is not a real date and time ({error}).") from None
    if reading is None:
        raise UserFacingError(
            f"I can't read {text.strip()[:40]!r} as a due date: write it like {DUE_EXAMPLES} "
            f"({zone.key} time)."
        )
    naive = reading.wall
    due = _strict(naive, zone)
    when = f"{naive:%H:%M} on {naive:%Y-%m-%d}"
    if due <= now:
        raise UserFacingError(
            f"{when} ({zone.key}) is already past ({discord.utils.format_dt(due, 'R')}); "
            "give a due date in the future."
        )
    if due - now > MAX_AHEAD:
        raise UserFacingError(f"{when} is more than five years away; check the year.")
    return Due(due, _check(reading, text, default))


def parse_due(text: str, zone: ZoneInfo, now: datetime, *, default: time = END_OF_DAY) -> datetime:
    """The due moment in UTC (see :func:`read_due`), whatever there is to check."""
    return read_due(text, zone, now, default=default).at


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """``2026-12-01 18:00`` in ``zone`` (how a moderator would type it)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


__all__ = [
    "DUE_EXAMPLES",
    "DUE_FORMAT",
    "Due",
    "due_time",
    "local_text",
    "parse_due",
    "read_due",
    "remind_time",
]
