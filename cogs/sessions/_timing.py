"""Session times typed by moderators, read in the server's time zone (pure functions).

Times of day and days are read by :mod:`bot.when` (``18:00``, ``6pm``, ``7:30 pm``; ``2031-03-27``,
``next friday``, ``in 2 days``); a day not written ``YYYY-MM-DD`` comes back with what to check, and
the command asks the moderator to confirm it first.

A weekly series is computed week by week on the local calendar, then converted to UTC, so it keeps
its local time across a daylight-saving change (18:00 in Paris is 17:00 UTC in winter and 16:00
UTC in summer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.db.resources import check_url
from bot.db.sessions import LINK_MAX, TOPIC_MAX
from bot.errors import UserFacingError
from bot.when import NotOnTheCalendar, read_day, read_time_of_day

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_AHEAD = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Occurrence:
    """One meeting's start in UTC, and a note when daylight saving time moved it."""

    starts_at: datetime
    note: str | None = None


@dataclass(frozen=True)
class Day:
    """A day a moderator typed, and why to check it (None: written ``YYYY-MM-DD``); ``clock``
    when a time was written with it (``friday 18:00``)."""

    day: date
    check: str | None = None
    clock: time | None = None


def parse_clock(text: str) -> time:
    """A time of day: ``18:30`` (``18h30``, ``18.30``), ``6pm``, ``7:30 pm``, ``noon``."""
    clock = read_time_of_day(text)
    if clock is None:
        raise UserFacingError(
            f"{text.strip()[:20]!r} is not a time of day: write it like 18:30 (24-hour clock), 6pm "
            "or 7:30 pm."
        )
    return clock


def parse_day(text: str, zone: ZoneInfo, now: datetime) -> Day:
    """A day in ``zone``: ``2031-03-27`` as written, or ``next friday``, ``tomorrow``, ``in 2 days``
    (read from ``now``) with a note to check it."""
    try:
        reading = read_day(text, zone, now)
    except NotOnTheCalendar as error:
        raise UserFacingError(f"{text.strip()[:20]} is not a real date ({error}).") from None
    if reading is None:
        raise UserFacingError(
            f"I can't read {text.strip()[:30]!r} as a day: write it like 2026-12-03, next friday "
            "or in 2 days."
        )
    check = None if reading.exact else f"check that {text.strip()[:30]!r} is the day you meant"
    return Day(reading.wall.date(), check, reading.wall.time() if reading.has_time else None)


def local_moment(day: date, clock: time, zone: ZoneInfo) -> Occurrence:
    """``day`` at ``clock`` in ``zone``, in UTC.

    A time the clocks skip (spring forward) becomes the same instant read with the offset before
    the change, i.e. one hour later on the wall clock; a repeated time (fall back) is its first
    occurrence. Either way the occurrence carries a note saying so.
    """
    naive = datetime.combine(day, clock)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    start = first.astimezone(UTC)
    wall = start.astimezone(zone).replace(tzinfo=None)
    if wall != naive:
        return Occurrence(
            start,
            f"{day:%Y-%m-%d}: {clock:%H:%M} does not exist in {zone.key} that night "
            f"(clocks jump forward), so it starts at {wall:%H:%M}",
        )
    if first.utcoffset() != second.utcoffset():
        return Occurrence(
            start,
            f"{day:%Y-%m-%d}: {clock:%H:%M} happens twice in {zone.key} that night; the first one is used",
        )
    return Occurrence(start)


def weekly_starts(
    zone: ZoneInfo, weekday: str, clock: time, weeks: int, now: datetime, first_day: date | None = None
) -> list[Occurrence]:
    """The starts of ``weeks`` weekly meetings on ``weekday`` at ``clock`` (local time in ``zone``).

    Without ``first_day`` the series starts at the next such weekday whose time is still ahead
    (today if the time has not passed). With it, at the first such weekday on or after that date,
    which must be in the future.
    """
    target = WEEKDAYS.index(weekday)
    today = now.astimezone(zone).date()
    start_day = first_day or today
    day = start_day + timedelta(days=(target - start_day.weekday()) % 7)
    first = local_moment(day, clock, zone)
    if first.starts_at <= now:
        if first_day is not None:
            raise UserFacingError(
                f"{weekday} {day:%Y-%m-%d} at {clock:%H:%M} ({zone.key}) is already past "
                f"({discord.utils.format_dt(first.starts_at, 'R')}); pick a start date in the future."
            )
        day += timedelta(days=7)
    if local_moment(day, clock, zone).starts_at - now > MAX_AHEAD:
        raise UserFacingError(f"{day:%Y-%m-%d} is more than two years away; check the start date.")
    return [local_moment(day + timedelta(weeks=week), clock, zone) for week in range(weeks)]


def check_link(text: str) -> str:
    """The call link: an http(s) address short enough to be a Discord event's location."""
    link = check_url(text, "The call link")
    if len(link) > LINK_MAX:
        raise UserFacingError(
            f"The call link is {len(link)} characters long; Discord events take at most {LINK_MAX}. "
            "Use the short form of the meeting link."
        )
    return link


def split_topics(text: str | None, weeks: int) -> list[str]:
    """One topic per week from ``a; b; c`` (missing ones empty; an empty part skips a week)."""
    parts = [" ".join(part.split()) for part in (text or "").split(";")]
    while parts and not parts[-1]:
        parts.pop()
    if len(parts) > weeks:
        raise UserFacingError(
            f"You gave {len(parts)} topics for {weeks} week{'s' if weeks != 1 else ''}: separate one topic "
            "per week with ';', e.g. 'Section 1: transformer models; Section 2: using transformers'."
        )
    for number, part in enumerate(parts, start=1):
        if len(part) > TOPIC_MAX:
            raise UserFacingError(
                f"The topic for week {number} is {len(part)} characters long; the limit is {TOPIC_MAX}."
            )
    return parts + [""] * (weeks - len(parts))


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """``Thu 20 Mar 2031, 18:00`` in ``zone`` (how a moderator checks a schedule)."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


__all__ = [
    "WEEKDAYS",
    "Day",
    "Occurrence",
    "check_link",
    "local_moment",
    "local_text",
    "parse_clock",
    "parse_day",
    "split_topics",
    "weekly_starts",
]
