"""Dates and times as a study group writes them, read in the server's time zone (pure functions).

``2026-12-08 18:00``, ``2026-12-08``, ``2026-12-08 6pm``, ``next friday 18:00``, ``in 2 days``,
``tomorrow``, ``8 dec``; and for a time of day ``18:00``, ``6pm``, ``7:30 pm``, ``18h30``, ``noon``.
`dateparser <https://dateparser.readthedocs.io>`_ does the reading, with:

- ``RELATIVE_BASE``: "now" on the server's wall clock, taken from the bot's clock
  (:mod:`bot.clock`), so "tomorrow" means the server's tomorrow and tests are deterministic;
- ``PREFER_DATES_FROM = "future"``: ``friday`` and ``8 dec`` are the coming ones;
- ``TIMEZONE`` = the server's zone and ``RETURN_AS_TIMEZONE_AWARE = False``: the result is a wall
  time in that zone, which the callers turn into an instant with their own daylight-saving rules
  (homework refuses a skipped or repeated time, sessions move it and say so);
- ``RETURN_TIME_AS_PERIOD``: tells whether a time of day was written (a date alone takes a
  default time);
- only the ``relative-time`` and ``absolute-time`` parsers, English: a bare number is never read
  as a Unix timestamp, and every reading is the same on every machine.

A :class:`Reading` says whether the text was *exact* (a ``YYYY-MM-DD`` date with a time): anything
else — a relative or weekday phrase, a date without a time or without a year — is shown back to
the member as a Discord timestamp with a Confirm button before it is saved.

dateparser is imported on first use: importing it takes about 0.2 s and its first reading about
0.8 s more (it loads its English data), then a reading takes about 2 ms (``python
benchmarks/dates.py`` on the team's 2-core machines). So the features that read dates call
:func:`warm_up_soon` when they load: a daemon thread pays that second once per process, off the
event loop, instead of the first member who types a date. A bot that answers one command and
exits (``studybot try``) skips it (``StudyBot.warm_up``).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import discord

log = logging.getLogger(__name__)

#: ``2026-12-08`` at the start of the text: the member wrote a calendar date.
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?=\s|T|$)")
#: The 24-hour clock the bot always read: ``18:30``, ``18h30``, ``18.30``.
_CLOCK = re.compile(r"^\s*(\d{1,2})[:h.](\d{2})\s*$")
#: Two bases a time of day reads the same from (a phrase like "in 2 hours" does not).
_PROBE_BASES = (datetime(2000, 1, 3, 0, 0), datetime(2000, 1, 3, 23, 30))
END_OF_DAY = time(23, 59)


@dataclass(frozen=True)
class Reading:
    """What a member's text was understood as: a wall time in the server's zone."""

    wall: datetime
    #: A time of day was written (else the day's default time was used).
    has_time: bool
    #: Written as ``YYYY-MM-DD`` with a time: saved without asking.
    exact: bool


def _parser(zone_key: str, base: datetime, prefer_future: bool) -> Any:
    """A parser per reading (its base moves with the clock; building one takes a tenth of a ms)."""
    from dateparser.date import DateDataParser  # slow to import: see the module docstring

    settings: dict[str, Any] = {
        "TIMEZONE": zone_key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": base,
        "RETURN_TIME_AS_PERIOD": True,
        "PARSERS": ["relative-time", "absolute-time"],
    }
    if prefer_future:
        settings["PREFER_DATES_FROM"] = "future"
    return DateDataParser(languages=["en"], settings=settings)


def _read(
    text: str, zone: ZoneInfo, base: datetime, *, prefer_future: bool = True
) -> tuple[datetime, str] | None:
    """dateparser's reading of ``text`` from the wall time ``base``: (wall time, period) or None."""
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > 60:
        return None
    data = _parser(zone.key, base.replace(tzinfo=None, microsecond=0), prefer_future).get_date_data(cleaned)
    if data.date_obj is None:
        return None
    return data.date_obj.replace(tzinfo=None, microsecond=0), data.period


def wall_now(now: datetime, zone: ZoneInfo) -> datetime:
    """``now`` (UTC) on the server's wall clock, without a zone."""
    return now.astimezone(zone).replace(tzinfo=None)


class NotOnTheCalendar(ValueError):
    """A ``YYYY-MM-DD`` date that does not exist, or a time after it that is not a time of day;
    the message says which ("day is out of range for month", "'24:00' is not a time of day")."""


def _iso_reading(text: str, default_time: time) -> Reading | None:
    """``YYYY-MM-DD`` with an optional time of day after it, read by hand: dateparser would take
    ``2030-13-01`` for the 13th of January."""
    match = _ISO_DAY.match(text)
    if match is None:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise NotOnTheCalendar(str(error)) from None
    rest = text[match.end() :].strip().removeprefix("T").strip()
    if not rest:
        return Reading(datetime.combine(day, default_time), has_time=False, exact=False)
    clock = read_time_of_day(rest)
    if clock is None:
        raise NotOnTheCalendar(f"{rest[:20]!r} is not a time of day")
    return Reading(datetime.combine(day, clock), has_time=True, exact=True)


def read_when(text: str, zone: ZoneInfo, now: datetime, *, default_time: time = END_OF_DAY) -> Reading | None:
    """A date (and time) typed by a member, on the server's wall clock; None if it reads as none.

    A date without a time takes ``default_time`` (by default the end of that day). Raises
    :class:`NotOnTheCalendar` for a ``YYYY-MM-DD`` date or time that does not exist.
    """
    iso = _iso_reading(text, default_time)
    if iso is not None:
        return iso
    found = _read(text, zone, wall_now(now, zone))
    if found is None:
        return None
    wall, period = found
    if period != "time":
        return Reading(datetime.combine(wall.date(), default_time), has_time=False, exact=False)
    return Reading(wall, has_time=True, exact=False)


def read_day(text: str, zone: ZoneInfo, now: datetime) -> Reading | None:
    """A calendar day (perhaps with a time) typed by a member; exact when written ``YYYY-MM-DD``.

    Without a time the reading's wall time is midnight and ``has_time`` is false.
    """
    iso = _iso_reading(text, time())
    if iso is not None:
        return Reading(iso.wall, iso.has_time, exact=True)
    return read_when(text, zone, now, default_time=time())


def read_time_of_day(text: str) -> time | None:
    """``18:00``, ``18h30``, ``6pm``, ``7:30 pm``, ``noon`` → the time; None for anything else,
    including phrases that move with the clock ("in 2 hours", "now") or name a day."""
    match = _CLOCK.match(text)
    if match is not None:
        hour, minute = int(match[1]), int(match[2])
        return time(hour, minute) if hour <= 23 and minute <= 59 else None
    readings = [_read(text, ZoneInfo("UTC"), base, prefer_future=False) for base in _PROBE_BASES]
    if any(found is None or found[1] != "time" for found in readings):
        return None
    walls = [found[0] for found in readings if found is not None]
    if any(wall.date() != base.date() for wall, base in zip(walls, _PROBE_BASES, strict=True)):
        return None
    if walls[0].time() != walls[1].time():
        return None
    return walls[0].time()


_warm_lock = threading.Lock()
_warm_started = False


def _warm_up() -> None:
    try:
        read_when("next friday 18:00", ZoneInfo("UTC"), datetime(2000, 1, 3, tzinfo=ZoneInfo("UTC")))
    except Exception:  # a failure here only means the first real reading is slow
        log.warning("Loading dateparser in the background failed", exc_info=True)


def warm_up_soon() -> None:
    """Import dateparser and load its data in a background thread, once per process."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True
    threading.Thread(target=_warm_up, name="studybot-dateparser-warm-up", daemon=True).start()


def shown(moment: datetime) -> str:
    """``<t:…:F> (<t:…:R>)``: the moment in each member's own time, and how far away it is."""
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


__all__ = [
    "END_OF_DAY",
    "NotOnTheCalendar",
    "Reading",
    "read_day",
    "read_time_of_day",
    "read_when",
    "shown",
    "wall_now",
    "warm_up_soon",
]
