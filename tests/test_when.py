"""Dates and times as members type them (bot/when.py), read from the bot's clock: no test depends
on the day it runs."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc
from bot.when import END_OF_DAY, NotOnTheCalendar, Reading, read_day, read_time_of_day, read_when, shown

PARIS = ZoneInfo("Europe/Paris")
#: Monday 17 March 2031, 23:30 UTC: already Tuesday 18 March (00:30) in Paris.
LATE = utc(2031, 3, 17, 23, 30)
NOW = utc(2031, 3, 17, 9, 0)  # Monday 10:00 in Paris


@pytest.mark.parametrize(
    ("text", "wall", "has_time", "exact"),
    [
        ("2031-12-08 18:00", datetime(2031, 12, 8, 18, 0), True, True),
        ("2031-12-08 6pm", datetime(2031, 12, 8, 18, 0), True, True),
        (" 2031-3-20T09:30 ", datetime(2031, 3, 20, 9, 30), True, True),
        ("2031-12-08", datetime(2031, 12, 8, 23, 59), False, False),  # a date alone: the end of that day
        ("next friday 18:00", datetime(2031, 3, 21, 18, 0), True, False),
        ("friday 6pm", datetime(2031, 3, 21, 18, 0), True, False),
        ("in 2 days", datetime(2031, 3, 19, 23, 59), False, False),
        ("tomorrow", datetime(2031, 3, 18, 23, 59), False, False),
        ("tomorrow 9am", datetime(2031, 3, 18, 9, 0), True, False),
        ("8 dec", datetime(2031, 12, 8, 23, 59), False, False),  # the coming 8 December
        ("18:00", datetime(2031, 3, 17, 18, 0), True, False),
    ],
)
def test_what_a_study_group_writes_is_read_on_the_servers_wall_clock(
    text: str, wall: datetime, has_time: bool, exact: bool
) -> None:
    assert read_when(text, PARIS, NOW) == Reading(wall, has_time, exact)


def test_relative_words_count_from_the_servers_today_not_utcs() -> None:
    # 23:30 UTC on Monday is 00:30 on Tuesday in Paris: "tomorrow" is Wednesday there.
    reading = read_when("tomorrow", PARIS, LATE)
    assert reading is not None and reading.wall.date() == datetime(2031, 3, 19).date()
    utc_reading = read_when("tomorrow", ZoneInfo("UTC"), LATE)
    assert utc_reading is not None and utc_reading.wall.date() == datetime(2031, 3, 18).date()


def test_a_date_alone_takes_the_groups_due_time() -> None:
    reading = read_when("2031-12-08", PARIS, NOW, default_time=time(18, 0))
    assert reading == Reading(datetime(2031, 12, 8, 18, 0), has_time=False, exact=False)
    assert read_when("friday", PARIS, NOW, default_time=time(9, 0)) == Reading(
        datetime(2031, 3, 21, 9, 0), has_time=False, exact=False
    )
    assert time(23, 59) == END_OF_DAY


@pytest.mark.parametrize("text", ["whenever", "and", "", "   ", "1700000000", "x" * 80])
def test_text_that_names_no_date_reads_as_none(text: str) -> None:
    assert read_when(text, PARIS, NOW) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2031-02-30 18:00", "day is out of range"),
        ("2031-13-01 18:00", "month must be in 1..12"),  # not the 13th of January
        ("2031-03-10 24:00", "'24:00' is not a time of day"),
        ("2031-03-10 soonish", "'soonish' is not a time of day"),
    ],
)
def test_an_iso_date_is_read_by_the_calendar(text: str, says: str) -> None:
    with pytest.raises(NotOnTheCalendar, match=says):
        read_when(text, PARIS, NOW)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("18:00", time(18, 0)),
        ("18h30", time(18, 30)),
        ("18.30", time(18, 30)),
        ("6pm", time(18, 0)),
        ("7:30 pm", time(19, 30)),
        ("6 am", time(6, 0)),
        ("noon", time(12, 0)),
        ("25:00", None),
        ("18:75", None),
        ("in 2 hours", None),  # moves with the clock
        ("now", None),
        ("tomorrow 6pm", None),  # names a day
        ("whenever", None),
    ],
)
def test_times_of_day(text: str, clock: time | None) -> None:
    assert read_time_of_day(text) == clock


def test_days_for_sessions() -> None:
    assert read_day("2031-03-27", PARIS, NOW) == Reading(datetime(2031, 3, 27), has_time=False, exact=True)
    assert read_day("next friday", PARIS, NOW) == Reading(datetime(2031, 3, 21), has_time=False, exact=False)
    assert read_day("friday 18:00", PARIS, NOW) == Reading(
        datetime(2031, 3, 21, 18, 0), has_time=True, exact=False
    )
    assert read_day("in 2 days", PARIS, NOW) == Reading(datetime(2031, 3, 19), has_time=False, exact=False)
    assert read_day("never ever", PARIS, NOW) is None


def test_moments_are_shown_as_discord_timestamps() -> None:
    moment = utc(2031, 3, 21, 17)
    unix = int(moment.timestamp())
    assert shown(moment) == f"<t:{unix}:F> (<t:{unix}:R>)"
