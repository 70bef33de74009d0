"""Reminder lead times as moderators type them and read them (bot/durations.py)."""

from __future__ import annotations

import pytest

from bot.durations import OFF, lead_text, parse_lead
from bot.errors import UserFacingError


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45", 45),
        ("90 min", 90),
        ("2 hours", 120),
        ("2h", 120),
        ("1h30", 90),
        ("1 day", 1440),
        ("1d 12h", 2160),
        ("1 day and 2 hours", 1560),
        ("2 weeks", 20160),
        ("OFF", OFF),
        ("none", OFF),
    ],
)
def test_lead_times(text: str, minutes: int) -> None:
    assert parse_lead(text) == minutes


@pytest.mark.parametrize("text", ["soon", "1.5 hours", "2 fortnights", "1 2", "h", "-5", "0 min"])
def test_what_is_not_a_lead_time_is_refused(text: str) -> None:
    with pytest.raises(UserFacingError, match="is not a lead time"):
        parse_lead(text)


def test_more_than_two_weeks_is_refused() -> None:
    with pytest.raises(UserFacingError, match="from 1 minute to 14 days"):
        parse_lead("15 days")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (30, "30 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (1440, "1 day"),
        (2160, "1 day 12 hours"),
        (20160, "14 days"),
        (OFF, "off"),
    ],
)
def test_lead_times_read_in_words(minutes: int, text: str) -> None:
    assert lead_text(minutes) == text
