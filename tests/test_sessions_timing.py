"""Session times in the server's time zone, across daylight-saving changes (pure functions)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc
from bot.errors import UserFacingError
from cogs.sessions._timing import check_link, parse_clock, parse_day, split_topics, weekly_starts

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def starts(zone: ZoneInfo, weekday: str, clock: str, weeks: int, now, first=None) -> list:
    return [o.starts_at for o in weekly_starts(zone, weekday, parse_clock(clock), weeks, now, first)]


def test_a_paris_series_keeps_its_local_time_across_spring_forward() -> None:
    # Monday 17 March 2031; Paris moves from UTC+1 to UTC+2 on Sunday 30 March.
    found = starts(PARIS, "Thursday", "18:00", 3, utc(2031, 3, 17, 9))
    assert found == [utc(2031, 3, 20, 17), utc(2031, 3, 27, 17), utc(2031, 4, 3, 16)]


def test_a_paris_series_keeps_its_local_time_across_fall_back() -> None:
    # Paris moves back to UTC+1 on Sunday 26 October 2031.
    found = starts(PARIS, "Thursday", "18:00", 2, utc(2031, 10, 20, 9))
    assert found == [utc(2031, 10, 23, 16), utc(2031, 10, 30, 17)]


def test_other_zones_follow_their_own_rules() -> None:
    # New York springs forward on 9 March 2031, three weeks before Paris.
    found = starts(NEW_YORK, "Monday", "12:30", 2, utc(2031, 3, 1))
    assert found == [utc(2031, 3, 3, 17, 30), utc(2031, 3, 10, 16, 30)]


def test_the_series_starts_today_if_the_time_is_still_ahead_else_next_week() -> None:
    monday_morning = utc(2031, 3, 17, 9)  # 10:00 in Paris
    assert starts(PARIS, "Monday", "18:00", 1, monday_morning) == [utc(2031, 3, 17, 17)]
    assert starts(PARIS, "Monday", "09:30", 1, monday_morning) == [utc(2031, 3, 24, 8, 30)]


def test_a_start_date_picks_the_first_such_weekday_on_or_after_it() -> None:
    found = starts(PARIS, "Thursday", "18:00", 1, utc(2031, 3, 17, 9), date(2031, 4, 1))
    assert found == [utc(2031, 4, 3, 16)]
    with pytest.raises(UserFacingError, match="already past"):
        starts(PARIS, "Monday", "08:00", 1, utc(2031, 3, 17, 9), date(2031, 3, 17))


def test_a_skipped_hour_moves_to_after_the_change_and_says_so() -> None:
    (occurrence,) = weekly_starts(PARIS, "Sunday", time(2, 30), 1, utc(2031, 3, 24), None)
    assert occurrence.starts_at == utc(2031, 3, 30, 1, 30)  # 03:30 Paris summer time
    assert occurrence.note is not None and "does not exist" in occurrence.note


@pytest.mark.parametrize("text", ["25:00", "18:60", "", "1800", "in 2 hours", "tomorrow 6pm"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(UserFacingError, match="24-hour clock"):
        parse_clock(text)


def test_good_times_are_read() -> None:
    assert parse_clock(" 9:05 ") == time(9, 5)
    assert parse_clock("18h30") == time(18, 30)
    assert parse_clock("6pm") == time(18, 0)
    assert parse_clock("7:30 pm") == time(19, 30)


def test_days_are_read_in_the_servers_zone_and_relative_ones_are_to_be_checked() -> None:
    monday = utc(2031, 3, 17, 9)
    exact = parse_day("2031-03-27", PARIS, monday)
    assert exact.day == date(2031, 3, 27) and exact.check is None and exact.clock is None
    weekday = parse_day("next friday 18:00", PARIS, monday)
    assert weekday.day == date(2031, 3, 21) and weekday.clock == time(18, 0)
    assert weekday.check == "check that 'next friday 18:00' is the day you meant"
    with pytest.raises(UserFacingError, match="not a real date"):
        parse_day("2031-02-30", PARIS, monday)
    with pytest.raises(UserFacingError, match="I can't read 'someday' as a day"):
        parse_day("someday", PARIS, monday)


def test_topics_are_one_per_week() -> None:
    assert split_topics("Section 0 & 1: setup; ; Section 3;", 4) == [
        "Section 0 & 1: setup",
        "",
        "Section 3",
        "",
    ]
    assert split_topics(None, 2) == ["", ""]
    with pytest.raises(UserFacingError, match="3 topics for 2 weeks"):
        split_topics("a; b; c", 2)
    with pytest.raises(UserFacingError, match="week 2 is 201 characters"):
        split_topics("a; " + "x" * 201, 2)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("ftp://meet.example.org/x", "must start with http"),
        ("meet.example.org/x", "must start with http"),
        ("https://meet.example.org/" + "x" * 90, "at most 100"),
        ("https://meet example.org", "spaces"),
    ],
)
def test_bad_call_links_are_refused(link: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        check_link(link)
